/**
 * The postings lists of the events' fields (events_fields, store/field-tokens.ts): what they hold, by
 * FTS5's own vocabulary, and what the rows say they should hold.
 */
import type { Db } from '../src-main/core/store/db.js';
import { FIELD_TOKENS, fieldToken, folderTokens, type FieldColumn } from '../src-main/core/store/field-tokens.js';

/** How many rows events_fields holds under each token. */
export function listedFieldTokens(db: Db): Map<string, number> {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.fields_vocab USING fts5vocab(fts, events_fields, 'row')");
  return new Map(db.prepare('SELECT term, doc FROM temp.fields_vocab').raw().all() as [string, number][]);
}

/** How many rows (up to `through`) hold each token, by their user, client IP, code, path and the path's folders. */
export function rowsFieldTokens(db: Db, through = Number.MAX_SAFE_INTEGER): Map<string, number> {
  const tokens = new Map<string, number>();
  const add = (token: string, n: number) => tokens.set(token, (tokens.get(token) ?? 0) + n);
  for (const column of Object.keys(FIELD_TOKENS) as FieldColumn[]) {
    const counts = db.prepare(`SELECT ${column}_id, count(*) FROM events WHERE ${column}_id IS NOT NULL AND id <= ? GROUP BY 1`).raw().all(through) as [number, number][];
    for (const [id, n] of counts) add(fieldToken(column, id), n);
  }
  const paths = db.prepare('SELECT s.value, count(*) FROM events e JOIN strings s ON s.id = e.path_id WHERE e.id <= ? GROUP BY 1').raw().all(through) as [string, number][];
  for (const [value, n] of paths) for (const token of folderTokens(value).split(' ').filter(Boolean)) add(token, n);
  return tokens;
}
