/**
 * Totals and groups of a query, for reports: how many rows match, the bytes they moved, how many
 * failed and their time span (`summarize`), and the matching rows grouped by a few columns with
 * counts (`groupRows`, LIMITed). Both read only the rows the query's WHERE selects, through the
 * same compiled query as pages and counts, so a number here is what the search language returns.
 */
import { timed, type Db } from '../store/db.js';
import { columnDef, type QueryKind } from './columns.js';
import { compileQuery, type CompileOptions } from './page.js';
import { BYTES_SQL, FAILED_SQL, KIND_SPECS, rowsWhere } from './to-sql.js';

export interface QuerySummary {
  /** Matching rows. */
  count: number;
  /** Bytes they moved (sessions: up + down). */
  bytes: number;
  /** Those that failed (as `status:failed`). */
  failures: number;
  /** Earliest and latest time among them (UTC ms); null when none has a time. */
  first: number | null;
  last: number | null;
}

/** Count, bytes, failures and time span of a query's rows: one pass over the rows its WHERE selects. */
export function summarize(db: Db, kind: QueryKind, query: string, opts: CompileOptions = {}): QuerySummary {
  const q = compileQuery(db, kind, query, opts);
  const spec = KIND_SPECS[kind];
  return timed(`summarize ${kind} ${JSON.stringify(query)}`, () => {
    const r = db.prepare(
      `SELECT count(*) AS count, total(${BYTES_SQL[kind]}) AS bytes, count(*) FILTER (WHERE ${FAILED_SQL[kind]}) AS failures,
        min(${spec.time}) AS first, max(${spec.time}) AS last FROM ${rowsWhere(spec, q.where.sql)}`,
    ).get(q.where.params) as QuerySummary;
    return { ...r, bytes: Math.round(r.bytes) };
  });
}

export interface RowGroup {
  /** The group's value of each column asked for (null where the rows have none). */
  values: Record<string, string | number | null>;
  count: number;
  bytes: number;
  first: number | null;
  last: number | null;
}

export interface GroupOptions extends CompileOptions {
  /** Groups answered at most (the largest first), 1..10000; default 100. */
  limit?: number;
}

export interface Groups {
  groups: RowGroup[];
  /** How many groups there are in all (more than `groups.length` when the limit cut them). */
  totalGroups: number;
}

/**
 * The query's rows grouped by `columns` (names of the kind's columns, computed ones excepted), the
 * largest groups first (ties: by the values), with their count, bytes and time span. Columns held as
 * string ids are grouped by id and named afterwards, so grouping reads the rows' integers only.
 */
export function groupRows(db: Db, kind: QueryKind, query: string, columns: readonly string[], opts: GroupOptions = {}): Groups {
  const limit = opts.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > 10_000) throw new RangeError(`limit must be a whole number from 1 to 10000 (got ${limit})`);
  if (!columns.length) throw new RangeError('groupRows needs at least one column');
  const spec = KIND_SPECS[kind];
  const exprs = columns.map((name) => {
    const sql = columnDef(kind, name) ? spec.columns[name] : undefined;
    if (!sql || name === 'raw') throw new RangeError(`cannot group ${kind} by ${name}`);
    // An id column's value is named after grouping: `(SELECT value FROM strings WHERE id = k)`.
    return spec.strings[name] ? { key: `${spec.alias}.${name}_id`, named: (k: string) => `(SELECT value FROM strings WHERE id = ${k})` } : { key: sql, named: (k: string) => k };
  });
  const q = compileQuery(db, kind, query, opts);
  return timed(`group ${kind} ${columns.join(',')} ${JSON.stringify(query)}`, () => {
    const keys = exprs.map((e, i) => `${e.key} AS k${i}`).join(', ');
    const by = exprs.map((_, i) => `k${i}`).join(', ');
    const grouped = `SELECT ${keys}, count(*) AS n, total(${BYTES_SQL[kind]}) AS b, min(${spec.time}) AS lo, max(${spec.time}) AS hi
      FROM ${rowsWhere(spec, q.where.sql, exprs.some((e) => e.key.startsWith('src.')))} GROUP BY ${by}`;
    const named = exprs.map((e, i) => `${e.named(`g.k${i}`)} AS v${i}`).join(', ');
    const rows = db.prepare(
      `SELECT ${named}, g.n AS n, g.b AS b, g.lo AS lo, g.hi AS hi, count(*) OVER () AS groups FROM (${grouped}) g
       ORDER BY g.n DESC, ${exprs.map((_, i) => `v${i}`).join(', ')} LIMIT @groupLimit`,
    ).all({ ...q.where.params, groupLimit: limit }) as Record<string, unknown>[];
    return {
      groups: rows.map((r) => ({
        values: Object.fromEntries(columns.map((c, i) => [c, (r[`v${i}`] ?? null) as string | number | null])),
        count: r.n as number,
        bytes: Math.round(r.b as number),
        first: (r.lo ?? null) as number | null,
        last: (r.hi ?? null) as number | null,
      })),
      totalGroups: (rows[0]?.groups as number | undefined) ?? 0,
    };
  });
}
