/**
 * The first page of a full-text search in time order without reading every match (issue 6: a
 * frequent term's first page on 10M events). The full-text index hands out matches in id order,
 * and ids follow each file's line order; logs are written in time order, so read in line order a
 * file's times never fall more than its ts_disorder_ms (schema 4) behind the latest time before
 * them. Each file's matches are therefore read from its first line (its last, newest first) a chunk
 * at a time, and only until the times still to come, at least the latest read minus the file's
 * disorder, can no longer reach the best rows found: a page costs a few hundred lookups per file
 * instead of one per match. Exact, whatever the files' order in time and in the index.
 */
import type { Db } from '../store/db.js';
import { sourcesIdRanges } from '../store/line-spans.js';
import type { FullTextMatch } from './to-sql.js';

/** The schema version that added sources.ts_seen_max and ts_disorder_ms (store/schema.ts). */
const TIME_ORDER_SCHEMA = 4;

/**
 * Each file costs at least one full-text query over its id range, about as dear as a good part of
 * the term's whole match list: with more files than this (e.g. a folder of daily logs) walking the
 * time index once is faster (measured by review: 30 files 128 ms vs 41 ms, 300 files 2.1 s vs 0.13 s).
 */
export const MAX_FILES_READ_ONE_BY_ONE = 8;

/** A row's place in time order: its time and id. */
export interface TimeKey {
  v: number;
  i: number;
}

interface FileStream {
  id: number;
  disorder: number;
  /** The next id to read from (ascending: up to `hi`; descending: down to `lo`). */
  next: number;
  lo: number;
  hi: number;
  chunk: number;
  /** The latest time read (ascending) or the earliest (descending). */
  edge: number;
  done: boolean;
}

/**
 * The keys of the first `need` rows in `order` among the events with a time that `match` finds (an
 * FTS5 expression on their lines, or on their fields: a user:, ip:, code: or path:), or null when there are more than MAX_FILES_READ_ONE_BY_ONE files or a
 * file's time order is not known.
 */
export function orderedTextKeys(db: Db, match: FullTextMatch, order: 'asc' | 'desc', need: number): TimeKey[] | null {
  // A reader of a database no writer of this version has opened yet: no time-order figures.
  if ((db.pragma('user_version', { simple: true }) as number) < TIME_ORDER_SCHEMA) return null;
  const asc = order === 'asc';
  // A file's rows lie between the first id of its first range and the last of its last.
  const withRows = (db.prepare('SELECT id, ts_disorder_ms AS disorder FROM sources').all() as { id: number; disorder: number | null }[])
    .map((f) => ({ ...f, ranges: sourcesIdRanges(db, [f.id])! }))
    .filter((f) => f.ranges.length > 0)
    .map(({ ranges, ...f }) => ({ ...f, lo: ranges[0]![0], hi: ranges[ranges.length - 1]![1] }));
  if (withRows.length > MAX_FILES_READ_ONE_BY_ONE) return null;
  // A file whose time order is not known (see schema 4) cannot be read this way.
  if (withRows.some((f) => f.disorder === null)) return null;
  // The join keeps the index's id order, so LIMIT cuts a chunk of matches, not of all rows.
  const chunkOf = db
    .prepare(
      `SELECT f.rowid, e.source_id, e.ts FROM ${match.table} f JOIN events e ON e.id = f.rowid
      WHERE ${match.table} MATCH @fts AND f.rowid BETWEEN @lo AND @hi ORDER BY f.rowid ${asc ? 'ASC' : 'DESC'} LIMIT @n`,
    )
    .raw(true);
  const streams: FileStream[] = withRows.map((f) => ({ id: f.id, disorder: f.disorder!, lo: f.lo!, hi: f.hi!, next: asc ? f.lo! : f.hi!, chunk: Math.max(64, need), edge: asc ? -Infinity : Infinity, done: false }));
  const before = asc ? (a: TimeKey, b: TimeKey) => a.v - b.v || a.i - b.i : (a: TimeKey, b: TimeKey) => b.v - a.v || b.i - a.i;
  let best: TimeKey[] = [];
  // The rest of a file lies at or after edge − disorder (ascending), at or before edge + disorder.
  const cannotReach = (s: FileStream) =>
    best.length === need && (asc ? s.edge - s.disorder > best[need - 1]!.v : s.edge + s.disorder < best[need - 1]!.v);
  for (let open = streams; open.length; open = open.filter((s) => !s.done)) {
    for (const s of open) {
      if (cannotReach(s)) {
        s.done = true;
        continue;
      }
      const rows = chunkOf.all({ fts: match.expr, lo: asc ? s.next : s.lo, hi: asc ? s.hi : s.next, n: s.chunk }) as [number, number, number | null][];
      for (const [id, source, ts] of rows) {
        // Another file's line within this one's id range (files indexed side by side) is read with its own file.
        if (source !== s.id || ts === null) continue;
        best.push({ v: ts, i: id });
        s.edge = asc ? Math.max(s.edge, ts) : Math.min(s.edge, ts);
      }
      if (rows.length < s.chunk) s.done = true;
      else s.next = rows[rows.length - 1]![0] + (asc ? 1 : -1);
      s.chunk *= 2;
      best.sort(before);
      if (best.length > need) best = best.slice(0, need);
      if (cannotReach(s)) s.done = true;
    }
  }
  return best;
}
