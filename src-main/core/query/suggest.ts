/**
 * Values to complete a `field:` with while the user types: distinct values starting with what was
 * typed, most frequent first. It must answer between two keystrokes on millions of rows, so each
 * lookup reads a bounded number of rows: a prefix range of an index where there is one (counted
 * over at most SCAN_CAP matches), else the newest RECENT_CAP rows.
 */
import { timed, type Db } from '../store/db.js';
import { FIELD_TOKENS, type FieldColumn } from '../store/field-tokens.js';
import { ROLLUP_DIMS, rollupCurrent } from '../store/rollup.js';
import { STRING_DIMS, type StringColumn } from '../store/strings.js';
import { fieldIndexState } from './page.js';
import { KIND_SPECS, unionOfSides } from './to-sql.js';
import type { QueryKind } from './columns.js';

export type SuggestField = 'user' | 'ip' | 'verb' | 'code' | 'proto' | 'server' | 'format' | 'path';
export const SUGGEST_FIELDS: readonly SuggestField[] = ['user', 'ip', 'verb', 'code', 'proto', 'server', 'format', 'path'];

/** Matches counted per prefix lookup on an index. */
const SCAN_CAP = 20_000;
/** Rows looked at for a column without an index. */
const RECENT_CAP = 50_000;

interface Source {
  table: 'events' | 'sessions' | 'transfers';
  column: string;
  /** An index whose leading column is `column` with this collation exists ('' = BINARY). */
  indexed: 'NOCASE' | 'BINARY' | null;
}

/** Where each field's values live, per kind. Table and column names are fixed here, never from input. */
const SOURCES: Readonly<Record<QueryKind, Partial<Record<SuggestField, Source>>>> = {
  events: {
    user: { table: 'events', column: 'user', indexed: 'NOCASE' },
    ip: { table: 'events', column: 'client_ip', indexed: 'BINARY' },
    verb: { table: 'events', column: 'verb', indexed: null },
    code: { table: 'events', column: 'status', indexed: 'BINARY' },
    proto: { table: 'events', column: 'protocol', indexed: null },
    server: { table: 'events', column: 'server', indexed: null },
    path: { table: 'events', column: 'path', indexed: 'NOCASE' },
  },
  sessions: {
    user: { table: 'sessions', column: 'user', indexed: 'NOCASE' },
    ip: { table: 'sessions', column: 'client_ip', indexed: 'BINARY' },
    code: { table: 'sessions', column: 'login_code', indexed: null },
    proto: { table: 'sessions', column: 'protocol', indexed: null },
    server: { table: 'sessions', column: 'server', indexed: null },
    // Sessions are found by the paths of their transfers (see `path:` in the search language).
    path: { table: 'transfers', column: 'path', indexed: 'NOCASE' },
  },
  transfers: {
    user: { table: 'transfers', column: 'user', indexed: 'NOCASE' },
    ip: { table: 'transfers', column: 'client_ip', indexed: 'BINARY' },
    code: { table: 'transfers', column: 'code', indexed: null },
    proto: { table: 'transfers', column: 'protocol', indexed: null },
    server: { table: 'transfers', column: 'server', indexed: null },
    path: { table: 'transfers', column: 'path', indexed: 'NOCASE' },
  },
};

/** The newest `n` rows' `column` (as `v`) of `table` (of each side, for transfers: they are merged by id). */
function newestValues(table: Source['table'], column: string, n: number): string {
  if (table !== 'transfers') return `SELECT ${column} AS v FROM ${table} ORDER BY rowid DESC LIMIT ${n}`;
  const sides = unionOfSides(KIND_SPECS.transfers, (side) => `SELECT * FROM (SELECT ${column} AS v, id FROM ${side.from()} ORDER BY id DESC LIMIT ${n})`);
  return `SELECT v FROM (${sides}) ORDER BY id DESC LIMIT ${n}`;
}

/** Values looked at per prefix among the events' strings, each counted up to COUNT_CAP rows. */
const CANDIDATE_CAP = 200;
const COUNT_CAP = 5_000;

/**
 * Columns held as string ids name their values among the strings: candidates come from the strings'
 * index by prefix. A column with an index of its own counts each candidate's rows there (capped);
 * the others are counted over the newest RECENT_CAP rows.
 */
function suggestStringValues(db: Db, table: Source['table'], column: StringColumn, indexed: boolean, prefix: string, limit: number): string[] {
  const dim = STRING_DIMS[column];
  // The events' user, IP, code and path rows are on events_fields' postings lists, and so are the plain
  // transfers' (events too); without that index here, the newest rows are counted.
  const onFields = table !== 'sessions' && column in FIELD_TOKENS;
  if (onFields && !fieldIndexState(db)) indexed = false;
  const listed = (join = '') => `SELECT 1 FROM events_fields f${join} WHERE f.events_fields MATCH ('${FIELD_TOKENS[column as FieldColumn]}' || c.id)`;
  // Transfers: each side on its own index (SQLite does not push the condition into a UNION ALL);
  // the plain ones joined to their list, which is read only as far as the count goes.
  const rowsOf = table === 'transfers'
    ? unionOfSides(KIND_SPECS.transfers, (side) =>
      onFields && side.table === 'events' ? listed(` JOIN ${side.from()} ON t.id = f.rowid`) : `SELECT 1 FROM ${side.from()} WHERE t.${column}_id = c.id`)
    : onFields ? listed() : `SELECT 1 FROM ${table} WHERE ${column}_id = c.id`;
  // The transfers' users and IPs are counted in the rollup, when it is current: counting the plain
  // ones on the events' lists looked up each row (1M EFT lines, users starting with p: 98 ms).
  const rollupDim = (ROLLUP_DIMS as readonly string[]).indexOf(column);
  const count = table === 'transfers' && onFields && rollupDim >= 0 && rollupCurrent(db)
    ? `coalesce((SELECT v.transfers FROM event_values v WHERE v.dim = ${rollupDim} AND v.value_id = c.id), 0)`
    : `(SELECT count(*) FROM (${rowsOf} LIMIT ${COUNT_CAP}))`;
  // A session's strings are its events' (and a server may be a log's folder): only those sessions hold.
  const held = table === 'sessions' ? ` AND EXISTS (SELECT 1 FROM sessions WHERE ${column}_id = strings.id)` : '';
  const sql = indexed
    ? `SELECT value AS v FROM (SELECT id, value FROM strings WHERE dim = ${dim} AND value >= ? COLLATE NOCASE AND value < ? COLLATE NOCASE
        AND value <> ''${held} LIMIT ${CANDIDATE_CAP}) c
       ORDER BY ${count} DESC, value LIMIT ?`
    : `SELECT s.value AS v FROM (SELECT v AS k, count(*) AS n FROM (${newestValues(table, `${column}_id`, RECENT_CAP)})
        WHERE v IS NOT NULL GROUP BY 1) g JOIN strings s ON s.id = g.k
       WHERE s.value >= ? COLLATE NOCASE AND s.value < ? COLLATE NOCASE AND s.value <> '' ORDER BY g.n DESC, s.value LIMIT ?`;
  return timed(`suggest ${table} ${column}`, () => (db.prepare(sql).all(prefix, prefix + MAX_CHAR, limit) as { v: string }[]).map((r) => r.v));
}

/** Above every string that starts with the prefix. */
const MAX_CHAR = '\u{10FFFF}';

/** Values of `field` starting with `prefix` (ASCII case ignored), most frequent first. */
export function suggestValues(db: Db, kind: QueryKind, field: SuggestField, prefix: string, limit: number): string[] {
  if (field === 'format') {
    return (db.prepare(`SELECT format AS v FROM sources WHERE format IS NOT NULL AND format LIKE ? ESCAPE '\\'
      GROUP BY format ORDER BY count(*) DESC, format LIMIT ?`).all(likePrefix(prefix), limit) as { v: string }[]).map((r) => r.v);
  }
  const source = SOURCES[kind][field];
  if (!source) throw new RangeError(`${kind} have no ${field} values`);
  const dim = KIND_SPECS[source.table].strings[source.column];
  if (dim) return suggestStringValues(db, source.table, dim, source.indexed !== null, prefix, limit);
  const { table, column, indexed } = source;
  let inner: string;
  let params: unknown[];
  if (indexed) {
    // A range on the index's collation walks only the matching entries.
    const collate = indexed === 'NOCASE' ? ' COLLATE NOCASE' : '';
    inner = `SELECT ${column} AS v FROM ${table} WHERE ${column}${collate} >= ? AND ${column}${collate} < ? ORDER BY ${column}${collate} LIMIT ${SCAN_CAP}`;
    params = [prefix, prefix + MAX_CHAR];
  } else {
    inner = `SELECT v FROM (${newestValues(table, column, RECENT_CAP)}) WHERE v LIKE ? ESCAPE '\\'`;
    params = [likePrefix(prefix)];
  }
  const sql = `SELECT v FROM (${inner}) WHERE v IS NOT NULL AND v <> '' GROUP BY v ORDER BY count(*) DESC, v LIMIT ?`;
  return timed(`suggest ${kind} ${field}`, () => (db.prepare(sql).all(...params, limit) as { v: string | number }[]).map((r) => String(r.v)));
}

function likePrefix(prefix: string): string {
  return prefix.replace(/[\\%_]/g, (c) => '\\' + c) + '%';
}
