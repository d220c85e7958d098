/**
 * The search language and everything built on it: one query string (see docs/search.md)
 * compiled to SQL with bound parameters, keyset-paged results, exact counts, streaming for export and
 * aggregations for charts. The UI and the CLI both go through these functions.
 */
import type { Db } from '../store/db.js';
import type { QueryKind } from './columns.js';
import * as pageImpl from './page.js';
import type { PageArgs } from './page.js';
import { aggregate as aggregateImpl, type Aggregates } from './aggregate.js';

export type { QueryKind, ColumnDef, ColumnType } from './columns.js';
export { COLUMNS, DEFAULT_VISIBLE, DEFAULT_SORT, TIME_COLUMN, columnDef, sortableColumns } from './columns.js';
export { QuerySyntaxError } from './errors.js';
export { MAX_PAGE, rowsById } from './page.js';
export type { Aggregates, TimelineBucket, TopEntry } from './aggregate.js';
export { FEW_ROWS, queryHints, type QueryHint } from './hints.js';
export { timeSpan } from './aggregate.js';

export interface QueryOptions {
  /** "Now" for relative dates (`after:24h`); default Date.now(). */
  now?: number;
  /** IANA zone for ISO dates without an offset, day buckets and the heatmap; default 'UTC'. */
  timeZone?: string;
}

/** A page of one query: see PageArgs. */
export type PageRequest = PageArgs;

export interface Page {
  rows: Record<string, unknown>[];
  /** Cursor for the rows after the last one; null at the end. */
  nextCursor: string | null;
  /** Cursor for the rows before the first one; null at the beginning. */
  prevCursor: string | null;
  /** Exact number of matching rows, or null when not counted (see PageRequest.count). */
  total: number | null;
}

export function queryPage(db: Db, req: PageRequest, opts?: QueryOptions): Page {
  return pageImpl.queryPage(db, req, opts);
}

export function countRows(db: Db, kind: QueryKind, query: string, opts?: QueryOptions): number {
  return pageImpl.countRows(db, kind, query, opts);
}

export type IterateOptions = QueryOptions & { sort?: string; order?: 'asc' | 'desc'; columns?: string[] };

/** Streams every matching row in sort order (for export): memory flat for millions of rows (use stmt.iterate()). */
export function iterateRows(db: Db, kind: QueryKind, query: string, opts?: IterateOptions): IterableIterator<Record<string, unknown>> {
  return pageImpl.iterateRows(db, kind, query, opts);
}

/**
 * As iterateRows, each row an array of the `columns`' values in their order (more values may follow
 * them): no object per row, which is what an export of millions of rows wants.
 */
export function iterateRowArrays(db: Db, kind: QueryKind, query: string, opts?: IterateOptions): IterableIterator<unknown[]> {
  return pageImpl.iterateRowArrays(db, kind, query, opts);
}

/**
 * Charts for the current query: a timeline (bucket width chosen from the range, ~100–300 buckets),
 * top values and a weekday × hour heatmap. `from`/`to` (UTC ms) narrow the range; `buckets` caps
 * the number of timeline buckets (default 300); `top` is how many values per list (default 10).
 */
export function aggregate(
  db: Db, kind: QueryKind, query: string,
  opts?: QueryOptions & { buckets?: number; top?: number; from?: number; to?: number },
): Aggregates {
  return aggregateImpl(db, kind, query, opts);
}

export { summarize, groupRows } from './summary.js';
export type { QuerySummary, RowGroup, Groups, GroupOptions } from './summary.js';
