/**
 * Schema 31: a session's user, client IP, server and protocol are string ids, its login and end
 * codes. A database of schema 30 (the release before) is upgraded with every session as it was.
 */
import path from 'node:path';
import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { countRows } from '../../src-main/core/query/index.js';
import { suggestValues } from '../../src-main/core/query/suggest.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { STRING_DIMS } from '../../src-main/core/store/strings.js';
import { REPO } from '../helpers.js';
import { tempDatabasePerTest } from '../temp-db.js';
import { undoSessionIds } from '../schema-downgrade.js';
import { SESSIONS_WIDE } from '../event-rows.js';

const PROFTPD_LOGS = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');
const t = tempDatabasePerTest();

async function indexBoth(): Promise<void> {
  const eft = path.join(t.dir, 'u_ex260110.log');
  await generateEftW3c(eft, { lines: 3_000, seed: 10, startMs: Date.UTC(2026, 0, 10) });
  await indexPaths(t.db, [PROFTPD_LOGS, eft], { timeZone: 'UTC' });
}

const named = (db: Db | Database.Database) =>
  db.prepare(`SELECT id, conn_key, server, format, source_id, start_ts, end_ts, client_ip, client_port, user, protocol, login, login_reason,
    login_code, commands, uploads, downloads, deletes, renames, failures, failed_logins, bytes_up, bytes_down, events, end_reason, open, pending,
    first_event_id, last_event_id FROM ${SESSIONS_WIDE} ORDER BY id`).all() as Record<string, unknown>[];

/** What the search language finds among the sessions, for queries that read the converted columns. */
const QUERIES = ['user:alice', 'user:ALICE', 'ip:127.0.0.1', 'ip:10.0.0.0/8', 'proto:ftp', 'proto:sftp', 'status:failed', '-status:success', 'server:*'];
const found = (db: Db) => Object.fromEntries(QUERIES.map((q) => [q, countRows(db, 'sessions', q)]));
/** What typing an IP or a protocol suggests among the sessions (the test changes a user and a server). */
const suggestions = (db: Db) => (['ip', 'proto'] as const).map((field) => suggestValues(db, 'sessions', field, '', 10));

describe('sessions as string ids (schema 31)', () => {
  it('stores ids and codes, and reads them back as the words they were', async () => {
    await indexBoth();
    const columns = new Set(t.db.prepare("SELECT name FROM pragma_table_xinfo('sessions')").pluck().all());
    for (const c of ['user_id', 'client_ip_id', 'server_id', 'protocol_id', 'login_state', 'end_code']) expect(columns.has(c), c).toBe(true);
    const rows = named(t.db);
    expect(rows.length).toBeGreaterThan(100);
    expect(new Set(rows.map((r) => r.login))).toEqual(new Set(['success', 'failed', 'none']));
    expect(new Set(rows.map((r) => r.end_reason))).toContain('quit');
    // Each id names a string of its own dim: a user is never stored as an IP.
    for (const [column, dim] of [['user', 'user'], ['client_ip', 'client_ip'], ['server', 'server'], ['protocol', 'protocol']] as const) {
      const wrong = t.db.prepare(`SELECT count(*) FROM sessions s JOIN strings x ON x.id = s.${column}_id WHERE x.dim != ?`).pluck().get(STRING_DIMS[dim]);
      expect(wrong, column).toBe(0);
    }
    // The connection key in two parts: its head once (a log's folder and client), its tail in the row.
    const keys = t.db.prepare(`SELECT s.conn_tail AS tail, k.head, w.conn_key AS whole FROM sessions s LEFT JOIN session_keys k ON k.id = s.conn_head_id
      JOIN ${SESSIONS_WIDE} w ON w.id = s.id`).all() as { tail: string; head: string | null; whole: string }[];
    expect(keys.every((k) => k.whole === (k.head ?? '') + k.tail && !k.tail.includes('|'))).toBe(true);
    expect(keys.filter((k) => k.whole.startsWith('w3c|')).every((k) => /^\d+$/.test(k.tail))).toBe(true);
    expect(new Set(keys.map((k) => k.head)).size).toBeLessThan(keys.length); // clients that connected more than once
    const counts = found(t.db);
    expect(counts['user:alice']).toBeGreaterThan(0);
    expect(counts['user:ALICE']).toBe(counts['user:alice']);
    expect(suggestValues(t.db, 'sessions', 'user', 'ali', 5)).toContain('alice');
    expect(suggestValues(t.db, 'sessions', 'proto', '', 5).length).toBeGreaterThan(0);
    // Only values sessions hold: a user only events name is not suggested for sessions.
    t.db.prepare(`INSERT INTO strings (dim, value) VALUES (${STRING_DIMS.user}, 'alice-of-no-session')`).run();
    expect(suggestValues(t.db, 'sessions', 'user', 'alice', 10)).not.toContain('alice-of-no-session');
  });

  it('upgrades a database of schema 30: every session as it was, a value only a session held added to the strings', async () => {
    await indexBoth();
    const counts = found(t.db);
    const suggested = suggestions(t.db);
    t.db.close();
    const raw = new Database(t.file);
    undoSessionIds(raw);
    // A server no event names (a session's server may be the log's folder): the upgrade must add it.
    raw.prepare("UPDATE sessions SET server = 'only in a session' WHERE id = (SELECT min(id) FROM sessions)").run();
    // A spelling no event has, only its case differs from one that is stored: a string of its own.
    const shouted = raw.prepare("SELECT upper(user) FROM sessions WHERE user IS NOT NULL AND user <> upper(user) ORDER BY id LIMIT 1").pluck().get() as string;
    raw.prepare('UPDATE sessions SET user = upper(user) WHERE id = (SELECT min(id) FROM sessions WHERE user IS NOT NULL AND user <> upper(user))').run();
    const want = raw.prepare(`SELECT * FROM sessions ORDER BY id`).all() as Record<string, unknown>[];
    expect(raw.prepare("SELECT count(*) FROM pragma_table_info('sessions') WHERE name = 'user'").pluck().get()).toBe(1);
    raw.pragma('user_version = 30');
    raw.close();

    t.db = openDatabase(t.file);
    expect(t.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(named(t.db)).toEqual(want.map(({ duration_ms: _d, ...r }) => r));
    expect(t.db.prepare(`SELECT count(*) FROM strings WHERE dim = ${STRING_DIMS.server} AND value = 'only in a session'`).pluck().get()).toBe(1);
    expect(t.db.prepare(`SELECT count(*) FROM strings WHERE dim = ${STRING_DIMS.user} AND value = ?`).pluck().get(shouted)).toBe(1);
    expect(suggestions(t.db)).toEqual(suggested);
    expect(suggestValues(t.db, 'sessions', 'user', shouted, 10)).toContain(shouted);
    expect(suggestValues(t.db, 'sessions', 'server', 'only', 10)).toEqual(['only in a session']);
    // The indexes of schema 31, on the ids.
    const indexSql = (name: string) => t.db.prepare('SELECT sql FROM sqlite_schema WHERE name = ?').pluck().get(name) as string;
    expect(indexSql('sessions_user')).toMatch(/\(user_id, start_ts\)/);
    expect(indexSql('sessions_ip')).toMatch(/\(client_ip_id, start_ts\)/);
    for (const name of ['sessions_conn', 'sessions_open', 'sessions_start', 'sessions_failed']) expect(indexSql(name), name).toBeTruthy();
    expect(found(t.db)).toEqual(counts);
    // And it goes on analysing: a log read after the upgrade continues and adds sessions.
    const more = path.join(t.dir, 'u_ex260111.log');
    await generateEftW3c(more, { lines: 500, seed: 11, startMs: Date.UTC(2026, 0, 11) });
    const before = want.length;
    await indexPaths(t.db, [more], { timeZone: 'UTC' });
    expect(named(t.db).length).toBeGreaterThan(before);
  });
});
