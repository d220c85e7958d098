/**
 * The postings lists of the events' fields (events_fields, store/field-tokens.ts): what they hold, by
 * FTS5's own vocabulary, what the rows say they should hold, and what a search finds on them.
 */
import { expect } from 'vitest';
import type { Db } from '../src-main/core/store/db.js';
import { countRows, iterateRows } from '../src-main/core/query/index.js';
import { compileQuery } from '../src-main/core/query/page.js';
import { compileWhere } from '../src-main/core/query/to-sql.js';
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

/**
 * The events `query` finds, rows and count, on the postings lists: expected to be exactly those it
 * finds when every row is tested by its own column (the same query compiled without the lists),
 * which are returned.
 */
export function expectAsColumnFilter(db: Db, query: string): number[] {
  const q = compileQuery(db, 'events', query);
  const byColumns = compileWhere('events', q.node, { ...q.whereOptions, fieldIndex: null });
  const want = db.prepare(`SELECT e.id FROM events e WHERE ${byColumns.sql} ORDER BY e.id`).pluck().all(byColumns.params) as number[];
  expect([...iterateRows(db, 'events', query, { sort: 'id', columns: ['id'] })].map((r) => r.id), query).toEqual(want);
  expect(countRows(db, 'events', query), query).toBe(want.length);
  return want;
}
