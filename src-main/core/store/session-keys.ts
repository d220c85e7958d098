/**
 * A session's connection key (`w3c|FOLDER|IP|N`, `iis|GUID`, `pid|4711`) stored in two parts
 * (schema 31): its head up to the last `|` once in `session_keys` (a log's folder and client repeat
 * over thousands of connections), and its tail (the connection's number) in the session's row.
 * `sessions_conn` indexes the tail and the head's id: integers and a few characters where it held
 * the key's last 16 characters. Every reader still sees the whole key (`connKeySql`).
 */
import type { Db } from './db.js';

export const SESSION_KEYS_SCHEMA = 'CREATE TABLE IF NOT EXISTS session_keys (id INTEGER PRIMARY KEY, head TEXT NOT NULL UNIQUE)';

/** A key's head (through its last `|`; null without one) and tail: head + tail is the key. */
export function splitConnKey(key: string): { head: string | null; tail: string } {
  const cut = key.lastIndexOf('|') + 1;
  return cut === 0 ? { head: null, tail: key } : { head: key.slice(0, cut), tail: key.slice(cut) };
}

/** SQL for the whole key of the session aliased `alias`. */
export const connKeySql = (alias: string): string =>
  `(coalesce((SELECT head FROM session_keys WHERE id = ${alias}.conn_head_id), '') || ${alias}.conn_tail)`;

/** The sessions of one key, on `sessions_conn`: bind its tail and its head's id (null: none). */
export const SESSION_KEY_IS = 'conn_tail = ? AND conn_head_id IS ?';

/** Heads remembered before the memory starts again (a client's key heads repeat for its whole day). */
const REMEMBERED = 20_000;

/**
 * The ids of key heads, inside the writer's transaction: a head met before is remembered, one
 * never stored is added. forget() after a rollback (the ids it added may be gone).
 */
export class SessionKeyHeads {
  private readonly known = new Map<string, number>();
  private readonly find;
  private readonly add;

  constructor(db: Db) {
    this.find = db.prepare('SELECT id FROM session_keys WHERE head = ?').pluck();
    this.add = db.prepare('INSERT INTO session_keys (head) VALUES (?)');
  }

  /** The id of `head` (null for none), added when `store` and not stored yet; undefined when it is not and may not be. */
  id(head: string | null, store: boolean): number | null | undefined {
    if (head === null) return null;
    let id = this.known.get(head) ?? (this.find.get(head) as number | undefined);
    if (id === undefined) {
      if (!store) return undefined;
      id = Number(this.add.run(head).lastInsertRowid);
    }
    if (this.known.size >= REMEMBERED) this.known.clear();
    this.known.set(head, id);
    return id;
  }

  forget(): void {
    this.known.clear();
  }
}
