/**
 * Rows of a query: keyset pages, exact counts and streaming. Paging walks an index in (sort value,
 * id) order from the cursor, never skipping rows with OFFSET, so every page costs the same wherever
 * it is. NULL sort values form their own segment (first in ascending order, last in descending, as
 * SQLite sorts them) so that each segment is a plain index range.
 */
import { indexExists, timed, type Db } from '../store/db.js';
import { rollupCurrent } from '../store/rollup.js';
import { INDEXED_THROUGH_SQL } from '../store/full-text.js';
import { STRING_DIMS, type StringColumn } from '../store/strings.js';
import { shortExplanation } from '../explain/index.js';
import { assertTimeZone } from '../time.js';
import { COLUMNS, DEFAULT_SORT, TIME_COLUMN, columnDef, sortableColumns, type QueryKind } from './columns.js';
import { EVENT_KINDS } from './fields.js';
import { parseQuery, type QueryNode } from './parser.js';
import { compileWhere, ensureQueryFunctions, fromRows, ftsExpression, KIND_SPECS, onSide, perSide, unionOfSides, type CompiledWhere, type CompileWhereOptions, type FullTextMatch, type KindSpec } from './to-sql.js';
import { FIELD_TOKENS, type FieldColumn } from '../store/field-tokens.js';
import { sessionEventSpans } from '../store/session-spans.js';
import { sourcesIdRanges } from '../store/line-spans.js';
import { orderedTextKeys } from './ordered-text.js';

export interface CompileOptions {
  now?: number;
  timeZone?: string;
}

export interface CompiledQuery {
  kind: QueryKind;
  node: QueryNode;
  where: CompiledWhere;
  /** Options the WHERE was compiled with (to compile it again with another full-text form). */
  whereOptions: CompileWhereOptions;
}

function someNode(node: QueryNode, test: (n: QueryNode) => boolean): boolean {
  if (test(node)) return true;
  if (node.type === 'and' || node.type === 'or') return node.items.some((i) => someNode(i, test));
  return node.type === 'not' && someNode(node.item, test);
}

/** Whether the kind's table holds any IPv4-mapped IPv6 address (one probe of the client_ip index). */
function hasMappedIpv4(db: Db, kind: QueryKind): boolean {
  const spec = KIND_SPECS[kind];
  // Events and transfers name their client IPs among the strings (one probe of their index; the case of ffff aside).
  const sql = spec.strings.client_ip
    ? `SELECT 1 FROM strings WHERE dim = ${STRING_DIMS.client_ip} AND value >= ? COLLATE NOCASE AND value < ? COLLATE NOCASE LIMIT 1`
    : `SELECT 1 FROM ${spec.fromCount} WHERE ${spec.alias}.client_ip >= ? AND ${spec.alias}.client_ip < ? LIMIT 1`;
  return !!db.prepare(sql).get('::ffff:', '::ffff:\u{10FFFF}');
}

/**
 * Up to this many string ids are written into a WHERE as a list (see CompileWhereOptions.stringIds);
 * as tokens of one full-text match (user, IP, code, path on events_fields) more: an OR of FTS5 terms costs
 * about rows × terms (1,000 terms over 100k rows: 272 ms; 250 over 25k: 15 ms). Past it, each
 * string's postings list is read in turn.
 */
const LISTED_STRING_IDS = 64;
const LISTED_FIELD_TOKENS = 250;
/** Past this many id ranges, a source:/format: filter tests every row's source rather than listing its ranges. */
const MAX_SOURCE_RANGES = 64;

/** Looks up the strings a condition matches, once per condition for one compiled query. */
function stringIdLookup(db: Db, kind: QueryKind, fieldIndex: CompileWhereOptions['fieldIndex']): NonNullable<CompileWhereOptions['stringIds']> {
  const found = new Map<string, readonly number[] | null>();
  return (column, sql, params) => {
    const key = `${column}\0${sql}\0${JSON.stringify(params)}`;
    if (!found.has(key)) {
      const most = fieldIndex && column in FIELD_TOKENS ? LISTED_FIELD_TOKENS : LISTED_STRING_IDS;
      const ids = db.prepare(`SELECT id FROM strings WHERE dim = ${STRING_DIMS[column]} AND ${sql} LIMIT ${most + 1}`).pluck().all(params) as number[];
      found.set(key, ids.length > most ? null : ids);
    }
    return found.get(key)!;
  };
}

/**
 * How far the full-text file's events_fields holds the rows, or null when it holds none of them
 * here (a reader without the index file, or with one from before it: see store/full-text.ts).
 */
export function fieldIndexState(db: Db): CompileWhereOptions['fieldIndex'] {
  if (!db.prepare("SELECT 1 FROM pragma_table_list WHERE name = 'events_fields'").get()) return null;
  // Both tables of the index hold the same rows (they are written in the same transactions).
  const through = db.prepare(INDEXED_THROUGH_SQL).pluck().get() as number;
  if (through === 0) return null;
  const last = db.prepare('SELECT coalesce(max(id), 0) FROM events').pluck().get() as number;
  return { through, complete: through >= last };
}

export function compileQuery(db: Db, kind: QueryKind, query: string, opts: CompileOptions = {}): CompiledQuery {
  if (!(kind in KIND_SPECS)) throw new RangeError(`unknown query kind "${kind}" (events, sessions or transfers)`);
  ensureQueryFunctions(db);
  if (opts.timeZone !== undefined) assertTimeZone(opts.timeZone);
  const node = parseQuery(query, { now: opts.now ?? Date.now(), timeZone: opts.timeZone ?? 'UTC' });
  // The events' users, IPs, codes and paths are on events_fields, and so are the plain transfers'
  // (events too), which sessions look into for their paths.
  const fieldIndex = fieldIndexState(db);
  const whereOptions: CompileWhereOptions = {
    mappedIpv4: someNode(node, (n) => n.type === 'field' && n.field === 'ip') ? hasMappedIpv4(db, kind) : false,
    stringIds: stringIdLookup(db, kind, fieldIndex),
    fieldIndex,
    sessionSpans: (id) => sessionEventSpans(db, id),
    sourceRanges: (where, params) =>
      sourcesIdRanges(db, db.prepare(`SELECT id FROM sources WHERE ${where}`).pluck().all(params) as number[], MAX_SOURCE_RANGES),
    fewStrings: (column, sql, params) => {
      // Reading a postings list costs about as much as testing 70 rows for a count, and more for a
      // page (1M EFT lines: 94k paths under /inbound, each list read: count 1.9 s, page 3.3 s; every
      // row tested: 0.68 s, 0.19 s; 8.5k under /shared: 0.25 s and 0.37 s against 0.68 and 0.19).
      const most = Math.max(LISTED_FIELD_TOKENS, Math.floor(tableSize(db, 'events') / 200));
      const n = db.prepare(`SELECT count(*) FROM (SELECT 1 FROM strings WHERE dim = ${STRING_DIMS[column]} AND ${sql} LIMIT ${most + 1})`).pluck().get(params) as number;
      return n <= most;
    },
  };
  return { kind, node, where: compileWhere(kind, node, whereOptions), whereOptions };
}

export interface SortSpec {
  name: string;
  expr: string;
  /** ` COLLATE NOCASE` or ''. */
  collate: string;
  order: 'asc' | 'desc';
  nullable: boolean;
  isId: boolean;
  /**
   * A column held as string ids: its value segment walks the strings' index in the values' order
   * and joins the rows by id (see segmentStatement), instead of naming every row and sorting them.
   */
  strings: { idColumn: string; dim: StringColumn; column: string } | null;
}

export function resolveSort(kind: QueryKind, sort?: string, order?: 'asc' | 'desc'): SortSpec {
  const name = sort ?? DEFAULT_SORT[kind].sort;
  const def = columnDef(kind, name);
  if (!def?.sortable) throw new RangeError(`cannot sort ${kind} by "${name}" (sortable: ${sortableColumns(kind).join(', ')})`);
  if (order !== undefined && order !== 'asc' && order !== 'desc') throw new RangeError(`order must be asc or desc (got ${String(order)})`);
  const spec = KIND_SPECS[kind];
  const dim = spec.strings[name];
  // String columns sort as their index does (NOCASE: a Windows path, an IPv6 address in either case).
  const collation = dim ? 'NOCASE' : spec.collate[name];
  return {
    name,
    expr: spec.columns[name]!,
    collate: collation ? ` COLLATE ${collation}` : '',
    order: order ?? (name === DEFAULT_SORT[kind].sort ? DEFAULT_SORT[kind].order : 'asc'),
    nullable: !spec.notNull.has(name),
    isId: name === 'id',
    strings: dim ? { idColumn: `${spec.alias}.${name}_id`, dim, column: name } : null,
  };
}

// ---------------------------------------------------------------------------------------------------
// Cursors

/** A position in the sort order: the row's sort value and id. */
export interface Key {
  v: unknown;
  i: number;
}

interface CursorData extends Key {
  s: string;
  o: 'asc' | 'desc';
  /** Set when the position includes the row itself (the way back from an empty last page). */
  inc?: 1;
  /** The plan of the page that made the cursor (see choosePlan). */
  p?: PlanCode;
}

function encodeCursor(sort: SortSpec, plan: PlanCode, key: Key, inclusive = false): string {
  const data: CursorData = { s: sort.name, o: sort.order, v: key.v, i: key.i, ...(inclusive && { inc: 1 as const }), ...((plan.x || plan.f || plan.g) && { p: plan }) };
  return Buffer.from(JSON.stringify(data)).toString('base64url');
}

function decodeCursor(cursor: string, sort: SortSpec): CursorData {
  let data: CursorData;
  try {
    data = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as CursorData;
  } catch {
    throw new RangeError('invalid cursor');
  }
  const v = data?.v;
  if (typeof data !== 'object' || data === null || !Number.isSafeInteger(data.i) || !(v === null || typeof v === 'string' || typeof v === 'number')) {
    throw new RangeError('invalid cursor');
  }
  const p = data.p;
  if (p !== undefined && !(typeof p === 'object' && p !== null && (p.x === 0 || p.x === 1) && /^[ip]*$/.test(String(p.f)) && /^[ip]*$/.test(String(p.g)))) {
    throw new RangeError('invalid cursor');
  }
  if (data.s !== sort.name || data.o !== sort.order) throw new RangeError('the cursor belongs to another sort order: start again from the first page');
  return data;
}

// ---------------------------------------------------------------------------------------------------
// Fetching

const reverse = (o: 'asc' | 'desc'): 'asc' | 'desc' => (o === 'asc' ? 'desc' : 'asc');

type Segment = 'null' | 'value';

function segmentsFor(sort: SortSpec, order: 'asc' | 'desc'): Segment[] {
  if (sort.isId || !sort.nullable) return ['value'];
  return order === 'asc' ? ['null', 'value'] : ['value', 'null'];
}

interface Base {
  kind: QueryKind;
  select: string;
  where: CompiledWhere;
  /** The WHERE for the NULL segment when it differs (see choosePlan). */
  nullWhere?: CompiledWhere;
  /** Walk the time index instead of the planner's choice (see choosePlan). */
  byTime: boolean;
  /** Leave out the trailing sort value and id (a stream that makes no cursor reads fewer values; with two sides they stay). */
  withoutKeys?: boolean;
  /** Where events_fields finds the rows of each user, IP, code and path (see compileQuery). */
  fieldIndex?: CompileWhereOptions['fieldIndex'];
}

/** One segment's statement: rows of the segment after `after` (or from its start) and before `before` (or to its end), in `order`. */
function segmentStatement(
  base: Base, sort: SortSpec, seg: Segment, order: 'asc' | 'desc', after: { key: Key; inclusive: boolean } | null, limited: boolean,
  before: Key | null = null,
) {
  const spec = KIND_SPECS[base.kind];
  const where = seg === 'null' && base.nullWhere ? base.nullWhere : base.where;
  const conds = [`(${where.sql})`];
  const params: Record<string, unknown> = { ...where.params };
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  // A string column's values come from the strings it joins (alias sk), in their index's order;
  // not those of a column found only on events_fields without that index here, whose rows each
  // string would look for by reading the whole table: their rows are sorted instead.
  const onLists = !!sort.strings && sort.strings.column in FIELD_TOKENS && base.kind !== 'sessions' && where.sql === '1';
  const joined = sort.strings && seg === 'value' && !(onLists && !base.fieldIndex) ? sort.strings : null;
  const value = joined ? 'sk.value' : sort.expr;
  if (joined) {
    conds.push(`sk.dim = ${STRING_DIMS[joined.dim]}`);
    // Each string's rows from its postings list (events' user, IP, code, path have no B-tree index),
    // the strings walked in order. Only without a filter: a filter that drives the plan would read a
    // value's whole list again for each of its rows (code:550 sorted by user, 60k lines: 1.2 s);
    // its matches are sorted instead.
    // So are the plain transfers' (which are events), the transfer rows on their own index.
    const index = onLists ? base.fieldIndex : null;
    if (index) {
      const listed = `${spec.id} IN (SELECT rowid FROM events_fields WHERE events_fields MATCH ('${FIELD_TOKENS[joined.column as FieldColumn]}' || sk.id))`;
      let cond = listed;
      if (!index.complete) {
        params.ft = index.through;
        cond = `(${listed} OR ${spec.id} > @ft)`;
      }
      conds.push(base.kind === 'transfers' ? perSide('1', cond) : cond);
    }
  }
  else if (!sort.isId && sort.nullable) conds.push(`${sort.strings?.idColumn ?? sort.expr} IS ${seg === 'null' ? '' : 'NOT '}NULL`);
  if (after) {
    const cmp = (order === 'asc' ? '>' : '<') + (after.inclusive ? '=' : '');
    params.ki = after.key.i;
    if (sort.isId || seg === 'null') {
      conds.push(`${spec.id} ${cmp} @ki`);
    } else {
      params.kv = after.key.v;
      // The row value alone is not an index range: the bound on the value is.
      if (joined) conds.push(`${value} ${order === 'asc' ? '>=' : '<='} @kv${sort.collate}`);
      conds.push(`(${value}${sort.collate}, ${spec.id}) ${cmp} (@kv, @ki)`);
    }
  }
  if (before && !sort.isId && seg === 'value') {
    params.bv = before.v;
    params.bi = before.i;
    conds.push(`(${value}${sort.collate}, ${spec.id}) ${order === 'asc' ? '<' : '>'} (@bv, @bi)`);
  }
  const limit = limited ? ' LIMIT @lim' : '';
  const join = joined ? ` JOIN strings sk ON sk.id = ${joined.idColumn}` : '';
  if (spec.sides.length > 1) {
    // One SELECT per side, merged in order: SQLite walks each side's index and merges them.
    const keyOrder = sort.isId || seg === 'null' ? `__id ${dir}` : `__sv${sort.collate} ${dir}, __id ${dir}`;
    const sides = unionOfSides(spec, (side) => `SELECT ${base.select}, ${value} AS __sv, ${spec.id} AS __id FROM ${fromRows(spec, side, base.byTime)}${join} WHERE ${conds.join(' AND ')}`);
    return { sql: `${sides} ORDER BY ${keyOrder}${limit}`, params };
  }
  const orderBy = sort.isId || seg === 'null' ? `${spec.id} ${dir}` : `${value}${sort.collate} ${dir}, ${spec.id} ${dir}`;
  const keys = base.withoutKeys ? '' : `, ${value} AS __sv, ${spec.id} AS __id`;
  const sql = `SELECT ${base.select}${keys} FROM ${fromRows(spec, spec.sides[0]!, base.byTime)}${join} WHERE ${conds.join(' AND ')} ORDER BY ${orderBy}${limit}`;
  return { sql, params };
}

/** SQL for the largest of these values (SQLite's max() of one argument is the aggregate). */
const largest = (values: readonly string[]): string => (values.length === 1 ? values[0]! : `max(${values.join(', ')})`);

/** A count of the rows `fromWhere` (SQL after FROM, given one side's FROM item) selects, summed over the sides. */
const countOverSides = (spec: KindSpec, fromWhere: (from: string) => string): string =>
  `SELECT ${spec.sides.map((side, i) => `(SELECT count(*) FROM ${onSide(fromWhere(side.from()), i)})`).join(' + ')} AS n`;

/** A row as SQLite returns it in raw mode: the selected columns, then (unless withoutKeys) the sort value and the id. */
type RawRow = unknown[];

/** The first `n` rows of the value segment in `order` found another way than its statement, or null (see queryPage). */
type ValueRows = (order: 'asc' | 'desc', n: number) => RawRow[] | null;

/** Up to `n` rows after `after` in `order`, across segments. */
function fetchRows(
  db: Db, base: Base, sort: SortSpec, order: 'asc' | 'desc', after: { key: Key; inclusive: boolean } | null, n: number, firstValueRows?: ValueRows,
): RawRow[] {
  const segs = segmentsFor(sort, order);
  const start = after && segs.length > 1 ? segs.indexOf(after.key.v === null ? 'null' : 'value') : 0;
  const rows: RawRow[] = [];
  for (let s = start; s < segs.length && rows.length < n; s++) {
    if (segs[s] === 'null' && !hasNullTimes(db, base.kind, sort)) continue;
    if (segs[s] === 'value' && firstValueRows && !(s === start && after)) {
      const found = firstValueRows(order, n - rows.length);
      if (found) {
        rows.push(...found);
        continue;
      }
    }
    const { sql, params } = segmentStatement(base, sort, segs[s]!, order, s === start ? after : null, true);
    rows.push(...(db.prepare(sql).raw(true).all({ ...params, lim: n - rows.length }) as RawRow[]));
  }
  return rows;
}

/** The rows with these keys (time, id), in `order`, as the value segment's statement returns them. */
function rowsWithKeys(db: Db, base: Base, sort: SortSpec, order: 'asc' | 'desc', keys: readonly { i: number }[]): RawRow[] {
  const spec = KIND_SPECS[base.kind];
  const dir = order === 'asc' ? 'ASC' : 'DESC';
  const sides = unionOfSides(spec, (side) => `SELECT ${base.select}, ${sort.expr} AS __sv, ${spec.id} AS __id FROM ${fromRows(spec, side)}
    WHERE ${spec.id} IN (SELECT value FROM json_each(@ids))`);
  const sql = `${sides} ORDER BY __sv ${dir}, __id ${dir}`;
  return db.prepare(sql).raw(true).all({ ids: JSON.stringify(keys.map((k) => k.i)) }) as RawRow[];
}

/**
 * False when sorting by the time column and no row lacks a time (one probe of the time index), so
 * that a page skips the NULL segment's statement (which re-evaluates the whole filter).
 */
function hasNullTimes(db: Db, kind: QueryKind, sort: SortSpec): boolean {
  if (sort.name !== TIME_COLUMN[kind]) return true;
  const spec = KIND_SPECS[kind];
  return !!db.prepare(`${unionOfSides(spec, (side) => `SELECT 1 FROM ${side.from()} WHERE ${spec.time} IS NULL`)} LIMIT 1`).get();
}

const keyOf = (r: RawRow): Key => ({ v: r[r.length - 2], i: r[r.length - 1] as number });

// ---------------------------------------------------------------------------------------------------
// Plans

/**
 * Rows of the kind, cheaply: the sources' counters, or the highest id. A transfer's id is its first
 * event's (schema 17), so for transfers that is an upper bound (about 1.5× for EFT logs, more where
 * most lines are not transfers): good enough for a plan, not for a median, which asks for `exact`
 * (a count along each side's time index: 95 ms for 6.6M transfers, warm).
 */
function tableSize(db: Db, kind: QueryKind, exact = false): number {
  const spec = KIND_SPECS[kind];
  const sql = kind === 'events'
    ? 'SELECT coalesce(sum(events + directives + unparsed), 0) AS n FROM sources'
    : exact
      ? countOverSides(spec, (from) => from)
      : `SELECT ${largest(spec.sides.map((side) => `coalesce((SELECT max(id) FROM ${side.table}), 0)`))} AS n`;
  return (db.prepare(sql).get() as { n: number }).n;
}

/** Matching rowids sampled to estimate how frequent a full-text expression is. */
const FTS_SAMPLE = 10_000;
/** Below this many rows without a time, their segment asks FTS row by row. */
const SMALL_NULL_SEGMENT = 2_000;

/**
 * A plan decision, kept in the cursor so that the next pages skip the estimates: whether the time
 * index is walked, and the full-text form ('i' in-list, 'p' probe) of each MATCH in the WHERE (`f`)
 * and in the NULL segment's WHERE (`g`).
 */
interface PlanCode {
  x: 0 | 1;
  f: string;
  g: string;
}

interface Plan {
  code: PlanCode;
  where: CompiledWhere;
  nullWhere: CompiledWhere;
  byTime: boolean;
}

/** Whether every side of the kind has its time index (a bulk load drops them until its end). */
const timeIndexesExist = (db: Db, kind: QueryKind): boolean => KIND_SPECS[kind].sides.every((side) => indexExists(db, side.timeIndex));

function planFromCode(db: Db, q: CompiledQuery, code: PlanCode): Plan {
  const compileWith = (forms: string): CompiledWhere => {
    if (!forms) return q.where;
    let i = 0;
    return compileWhere(q.kind, q.node, { ...q.whereOptions, ftsForm: () => (forms[i++] === 'p' ? 'probe' : 'in') });
  };
  // A cursor may outlive the index (dropped by a bulk load): the planner then chooses.
  return { code, where: compileWith(code.f), nullWhere: compileWith(code.g), byTime: !!code.x && timeIndexesExist(db, q.kind) };
}

/**
 * The forms compileWhere chooses for each MATCH, as a PlanCode string: '' when every one is 'in'
 * (or there is none).
 */
function recordForms(q: CompiledQuery, choose: (m: FullTextMatch) => 'in' | 'probe'): string {
  let forms = '';
  compileWhere(q.kind, q.node, { ...q.whereOptions, ftsForm: (m) => ((forms += choose(m) === 'probe' ? 'p' : 'i'), 'in') });
  return forms.includes('p') ? forms : '';
}

/**
 * How to walk a page sorted by time. When the filter has an index (the full-text match list, a code
 * range, a CIDR), SQLite starts from it and then sorts every match: fine for a few hundred, slow for
 * 100k. Walking the time index and testing each row instead finds a page after about
 * limit / density rows. A count capped at about sqrt(limit × table rows / 100) tells the two cases
 * apart (measured: a sorted match costs ~5 µs, a time-index step ~0.04 µs). For a frequent term,
 * FTS is then asked row by row (~15 µs a probe) rather than materialising all its matches (~0.13 µs
 * each) when the sampled density makes that cheaper; so is the (usually tiny) segment of rows
 * without a time.
 */
function choosePlan(db: Db, q: CompiledQuery, sort: SortSpec, limit: number): Plan {
  const natural = planFromCode(db, q, { x: 0, f: '', g: '' });
  const spec = KIND_SPECS[q.kind];
  if (sort.name !== TIME_COLUMN[q.kind] || q.node.type === 'all' || !timeIndexesExist(db, q.kind)) return natural;
  const probe = segmentStatement({ kind: q.kind, select: spec.id, where: q.where, byTime: false }, sort, 'value', sort.order, null, true);
  const steps = db.prepare(`EXPLAIN QUERY PLAN ${probe.sql}`).all({ ...probe.params, lim: limit }) as { detail: string }[];
  if (!steps.some((s) => s.detail.includes('FOR ORDER BY'))) return natural;

  const rows = tableSize(db, q.kind);
  const cap = Math.max(200, Math.round(Math.sqrt((limit * rows) / 100)));
  const sampleOf = (table: FullTextMatch['table']) =>
    db.prepare(`SELECT count(*) AS n, min(rowid) AS lo, max(rowid) AS hi FROM (SELECT rowid FROM ${table} WHERE ${table} MATCH ? LIMIT ${FTS_SAMPLE})`);
  // Read once per expression: a frequent term's sample costs milliseconds.
  const samples = new Map<string, { n: number; lo: number; hi: number }>();
  const sample = (m: FullTextMatch) => {
    const key = `${m.table}:${m.expr}`;
    return samples.get(key) ?? samples.set(key, sampleOf(m.table).get(m.expr) as { n: number; lo: number; hi: number }).get(key)!;
  };
  // A query that is one full-text match (words, or a user:, ip:, code:, path:) is estimated from its
  // index alone: counting through the WHERE would build the whole match list first (code:550 on 10M
  // lines, 165k rows: 21 ms).
  const sole = q.where.soleMatch;
  const sampled = sole ? sample(sole).n : 0;
  const matches = sole
    ? (sampled >= FTS_SAMPLE ? Infinity : sampled)
    : (db.prepare(`SELECT count(*) AS n FROM (${unionOfSides(spec, (side) => `SELECT 1 FROM ${side.from()} WHERE ${q.where.sql}`)} LIMIT @cap)`).get({ ...q.where.params, cap }) as { n: number }).n;
  if (matches < cap) return natural;
  if (!q.where.matches) return planFromCode(db, q, { x: 1, f: '', g: '' });

  const probeDensity = Math.sqrt((limit * 115) / Math.max(rows, 1));
  const f = recordForms(q, (expr) => {
    const r = sample(expr);
    return r.n >= FTS_SAMPLE && r.n / (r.hi - r.lo + 1) >= probeDensity ? 'probe' : 'in';
  });
  const nullRows = (db.prepare(`SELECT count(*) AS n FROM (${unionOfSides(spec, (side) => `SELECT 1 FROM ${side.from()} WHERE ${spec.time} IS NULL`)} LIMIT ${SMALL_NULL_SEGMENT})`).get() as { n: number }).n;
  const g = nullRows < SMALL_NULL_SEGMENT ? recordForms(q, () => 'probe') : f;
  return planFromCode(db, q, { x: 1, f, g });
}

// ---------------------------------------------------------------------------------------------------
// Rows as returned

/** Columns the JavaScript-computed ones need, per kind. */
const EXPLANATION_INPUTS: Readonly<Record<QueryKind, readonly string[]>> = {
  events: ['status', 'protocol', 'format', 'message', 'verb'],
  sessions: ['login_code', 'login_reason', 'protocol', 'format'],
  transfers: ['status', 'code', 'protocol', 'format'],
};

function explanationOf(kind: QueryKind, s: (name: string) => string | null): string | null {
  let text: string | undefined;
  if (kind === 'events') {
    // Lines without a code are explained by their message where a catalogue knows it (ProFTPD's).
    if (s('status') === null && (s('message') === null || !MESSAGE_FORMATS.has(s('format') ?? ''))) return null;
    text = shortExplanation({ status: s('status'), code: s('status'), protocol: s('protocol'), format: s('format'), message: s('message'), verb: s('verb') });
  } else if (kind === 'transfers') {
    if (s('code') === null) return null;
    text = shortExplanation({ status: s('status'), code: s('code'), protocol: s('protocol'), format: s('format'), answers: 'transfer' });
  } else {
    if (s('login_code') === null) return null;
    text = shortExplanation({ code: s('login_code'), message: s('login_reason'), protocol: s('protocol'), format: s('format'), answers: 'login' });
  }
  return text ?? null;
}

const MESSAGE_FORMATS = new Set(['proftpd-system', 'proftpd-modlog', 'syslog']);

/** Distinct input combinations remembered per stream; past it the memo starts again (messages can differ on every row). */
const EXPLANATION_MEMO_LIMIT = 10_000;

type Memo = Map<unknown, Memo | string | null>;

/**
 * The explanation of a raw row whose explanation inputs are at `at`. A stream repeats a few
 * combinations of code, protocol, format, verb and message over millions of rows, so each
 * combination is explained once (nested Maps: no key string built per row).
 */
function explainer(kind: QueryKind, at: ReadonlyMap<string, number>): (r: RawRow) => string | null {
  const positions = EXPLANATION_INPUTS[kind].map((n) => at.get(n)!);
  const valueAt = (r: RawRow, i: number) => r[i] ?? null;
  const compute = (r: RawRow) => explanationOf(kind, (n) => valueAt(r, at.get(n)!) as string | null);
  let memo: Memo = new Map();
  let remembered = 0;
  const last = positions.length - 1;
  return (r) => {
    let node = memo;
    for (let d = 0; d < last; d++) {
      const v = valueAt(r, positions[d]!);
      let next = node.get(v) as Memo | undefined;
      if (!next) node.set(v, (next = new Map()));
      node = next;
    }
    const leaf = valueAt(r, positions[last]!);
    const known = node.get(leaf);
    if (known !== undefined) return known as string | null;
    const text = compute(r);
    if (++remembered > EXPLANATION_MEMO_LIMIT) {
      memo = new Map();
      remembered = 0;
    } else {
      node.set(leaf, text);
    }
    return text;
  };
}

interface SelectList {
  sql: string;
  /** Position of each selected column in a raw row: the requested ones first, in their order. */
  at: Map<string, number>;
  /** Positions that hold a source id, and the column of `sources` that `rowFixer` puts there. */
  fromSource: [position: number, column: 'format' | 'path'][];
  /** Positions that hold a string id that `rowFixer` names (see NAMED_HERE). */
  fromStrings: number[];
}

/**
 * The columns of few distinct values, selected as string ids and named here from a cache:
 * a subquery per row and column cost more than the rest of an export (1M rows: 1.45 s of CPU for
 * seven columns). Paths and messages, often all different, are looked up by SQLite.
 */
const NAMED_HERE: ReadonlySet<string> = new Set<StringColumn>(['user', 'client_ip', 'status', 'verb', 'server', 'protocol']);

/** Strings a connection remembers; past this the cache starts again. */
const NAMED_CACHE_LIMIT = 100_000;
const namers = new WeakMap<Db, (id: number) => string | null>();

/** Names string ids for one connection. Strings are never changed or removed, so what it remembers stays true. */
function stringNamer(db: Db): (id: number) => string | null {
  let namer = namers.get(db);
  if (!namer) {
    const cache = new Map<number, string | null>();
    const lookup = db.prepare('SELECT value FROM strings WHERE id = ?').pluck();
    namer = (id) => {
      let v = cache.get(id);
      if (v === undefined) {
        v = (lookup.get(id) as string | undefined) ?? null;
        if (cache.size >= NAMED_CACHE_LIMIT) cache.clear();
        cache.set(id, v);
      }
      return v;
    };
    namers.set(db, namer);
  }
  return namer;
}

/** A masked argument (`*******`): never a login reason. */
const MASKED = /^\*+$/;

/** `src.format` → format: the columns that come from the joined `sources` row. */
const SOURCE_COLUMN = /^src\.(format|path)$/;

/**
 * The SELECT list: the requested columns in their order (NULL for those computed here, filled in by
 * `rowFixer`), then the explanation inputs that were not requested. A column of the source (its
 * format, its path) is selected as the source id and looked up once per source: SQLite then skips
 * the join, and each row carries a number instead of a new copy of the same string.
 */
function selectList(kind: QueryKind, names: readonly string[]): SelectList {
  const spec = KIND_SPECS[kind];
  const extra = names.includes('explanation') ? EXPLANATION_INPUTS[kind].filter((n) => !names.includes(n)) : [];
  const all = [...names, ...extra];
  const fromSource: SelectList['fromSource'] = [];
  const fromStrings: number[] = [];
  const sql = all.map((n, i) => {
    const sourceColumn = SOURCE_COLUMN.exec(spec.columns[n] ?? '')?.[1] as 'format' | 'path' | undefined;
    if (sourceColumn) fromSource.push([i, sourceColumn]);
    const dim = spec.strings[n];
    if (dim && NAMED_HERE.has(dim)) {
      fromStrings.push(i);
      return `${spec.alias}.${n}_id AS "${n}"`;
    }
    return `${sourceColumn ? `${spec.alias}.source_id` : (spec.columns[n] ?? 'NULL')} AS "${n}"`;
  });
  return { sql: sql.join(', ') || '1 AS __none', at: new Map(all.map((n, i) => [n, i])), fromSource, fromStrings };
}

/**
 * Turns a raw row into the returned values in place: source columns from the source id, kind as a
 * name, the explanation. The first `names.length` values are then the requested columns; the
 * explanation inputs may follow.
 */
function rowFixer(db: Db, kind: QueryKind, names: readonly string[], select: SelectList): (r: RawRow) => void {
  const positionsOf = (name: string) => names.flatMap((n, i) => (n === name ? [i] : []));
  const kindAt = kind === 'events' ? positionsOf('kind') : [];
  const explanationAt = positionsOf('explanation');
  const explain = explanationAt.length ? explainer(kind, select.at) : null;
  const sources = new Map<unknown, { format: string | null; path: string | null } | undefined>();
  const sourceStatement = select.fromSource.length ? db.prepare('SELECT format, path FROM sources WHERE id = ?') : null;
  const sourceOf = (id: unknown) => {
    if (!sources.has(id)) sources.set(id, sourceStatement!.get(id) as { format: string | null; path: string | null } | undefined);
    return sources.get(id);
  };
  const name = select.fromStrings.length ? stringNamer(db) : null;
  // Databases written before the analysis knew better hold PASS's masked argument as the reason.
  const reasonAt = kind === 'sessions' ? select.at.get('login_reason') : undefined;
  return (r) => {
    if (reasonAt !== undefined && typeof r[reasonAt] === 'string' && MASKED.test(r[reasonAt] as string)) r[reasonAt] = null;
    for (const i of select.fromStrings) r[i] = r[i] === null ? null : name!(r[i] as number);
    for (const [i, column] of select.fromSource) r[i] = sourceOf(r[i])?.[column] ?? null;
    for (const i of kindAt) r[i] = EVENT_KINDS[r[i] as number] ?? null;
    if (explain) {
      const text = explain(r);
      for (const i of explanationAt) r[i] = text;
    }
  };
}

/**
 * Makes an object keyed by column name from the first `names.length` values of a fixed row. Each is
 * a copy of one template with every key: V8 keeps such copies in its fast layout, whereas an object
 * given its ~30 keys one by one becomes a slow dictionary (2–3 µs a row in an export, and slower to
 * read and to serialise).
 */
function objectMaker(names: readonly string[]): (r: RawRow) => Record<string, unknown> {
  const template = JSON.parse(JSON.stringify(Object.fromEntries(names.map((n) => [n, null])))) as Record<string, unknown>;
  return (r) => {
    const out = { ...template };
    for (let i = 0; i < names.length; i++) out[names[i]!] = r[i] ?? null;
    return out;
  };
}

/** Builds the returned row object from a raw row (which it changes: see rowFixer). */
function rowMaker(db: Db, kind: QueryKind, names: readonly string[], select: SelectList): (r: RawRow) => Record<string, unknown> {
  const fix = rowFixer(db, kind, names, select);
  const toObject = objectMaker(names);
  return (r) => {
    fix(r);
    return toObject(r);
  };
}

function resolveColumns(kind: QueryKind, columns?: readonly string[]): string[] {
  const all = COLUMNS[kind].map((c) => c.name);
  const names = columns ? [...columns] : all;
  for (const n of names) if (!all.includes(n)) throw new RangeError(`unknown ${kind} column "${n}" (columns: ${all.join(', ')})`);
  return names;
}

// ---------------------------------------------------------------------------------------------------
// Public operations (re-exported by index.ts)

export interface PageArgs {
  kind: QueryKind;
  query: string;
  /** A sortable column of the kind (default: its time column). */
  sort?: string;
  /** Default: the kind's default order when sorting by its default column, else 'asc'. */
  order?: 'asc' | 'desc';
  /** Rows per page, 1..10000 (default 100). */
  limit?: number;
  /** An opaque cursor from a previous page of the same query and sort; null/absent = first page. */
  cursor?: string | null;
  /** 'next' (default): the rows after the cursor; 'prev': the rows before it (still in sort order). */
  direction?: 'next' | 'prev';
  /** Whether to compute the exact total (default: only for the first page, i.e. without cursor). */
  count?: boolean;
}

export interface PageResult {
  rows: Record<string, unknown>[];
  nextCursor: string | null;
  prevCursor: string | null;
  total: number | null;
}

export const MAX_PAGE = 10_000;

/**
 * Runs `read` in one read transaction (one snapshot of the database and its index file), unless the
 * caller is in one: a query's plan (how far events_fields holds the rows, its estimates) and its
 * statements then see the same rows while a writer commits (a full-text index emptied between them
 * would otherwise hide rows from a page).
 */
function inOneSnapshot<T>(db: Db, read: () => T): T {
  return db.inTransaction ? read() : db.transaction(read)();
}

export function queryPage(db: Db, req: PageArgs, opts: CompileOptions = {}): PageResult {
  return inOneSnapshot(db, () => pageInSnapshot(db, req, opts));
}

function pageInSnapshot(db: Db, req: PageArgs, opts: CompileOptions): PageResult {
  const q = compileQuery(db, req.kind, req.query, opts);
  const sort = resolveSort(req.kind, req.sort, req.order);
  const limit = req.limit ?? 100;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE} (got ${limit})`);
  const cursor = req.cursor ? decodeCursor(req.cursor, sort) : null;
  const after = cursor ? { key: cursor, inclusive: cursor.inc === 1 } : null;
  const names = resolveColumns(req.kind);

  return timed(`page ${req.kind} ${JSON.stringify(req.query)}`, () => {
    const plan = cursor?.p ? planFromCode(db, q, cursor.p) : choosePlan(db, q, sort, limit);
    const select = selectList(req.kind, names);
    const base: Base = { kind: req.kind, select: select.sql, where: plan.where, nullWhere: plan.nullWhere, byTime: plan.byTime, fieldIndex: q.whereOptions.fieldIndex };
    const at = (r: RawRow | undefined) => (r ? encodeCursor(sort, plan.code, keyOf(r)) : null);
    // A frequent term's (or user's, IP's, code's) first page in time order: read file by file
    // rather than walking the time index past every other line (ordered-text.ts). Later pages
    // continue from the cursor as usual.
    const sole = !cursor && plan.code.x === 1 && req.kind === 'events' && sort.name === TIME_COLUMN.events ? q.where.soleMatch : undefined;
    const firstValueRows: ValueRows | undefined = sole === undefined ? undefined : (order, n) => {
      const keys = orderedTextKeys(db, sole, order, n);
      const rows = keys && rowsWithKeys(db, base, sort, order, keys);
      // Rows another connection removed meanwhile (a file read again): the statement decides instead.
      return rows && rows.length === keys!.length ? rows : null;
    };
    // Each direction knows exactly whether more rows follow (it reads one row too many). Behind
    // the cursor there is at least the row it was made from, so the way back is offered without a
    // query; after an empty page (the rows went away), the way back includes the cursor's row.
    let rows: RawRow[];
    let nextCursor: string | null, prevCursor: string | null;
    if ((req.direction ?? 'next') === 'next') {
      const got = fetchRows(db, base, sort, sort.order, after, limit + 1, firstValueRows);
      rows = got.slice(0, limit);
      nextCursor = got.length > limit ? at(rows[rows.length - 1]) : null;
      prevCursor = !cursor ? null : rows.length ? at(rows[0]) : encodeCursor(sort, plan.code, cursor, true);
    } else {
      const got = fetchRows(db, base, sort, reverse(sort.order), after, limit + 1, firstValueRows);
      rows = got.slice(0, limit).reverse();
      prevCursor = got.length > limit ? at(rows[0]) : null;
      nextCursor = !cursor ? null : rows.length ? at(rows[rows.length - 1]) : encodeCursor(sort, plan.code, cursor, true);
    }
    const make = rowMaker(db, req.kind, names, select);
    const total = (req.count ?? !req.cursor) ? countCompiled(db, q) : null;
    return { rows: rows.map(make), nextCursor, prevCursor, total };
  });
}

function countCompiled(db: Db, q: CompiledQuery): number {
  if (q.kind === 'events' && q.node.type === 'all') {
    // Every line is one row and each source keeps its counters in step with its rows.
    return (db.prepare('SELECT coalesce(sum(events + directives + unparsed), 0) AS n FROM sources').get() as { n: number }).n;
  }
  if (q.kind === 'transfers' && q.node.type === 'all' && rollupCurrent(db)) {
    // Every transfer with a time is counted in the rollup's minutes (the plain ones have no index of
    // their own to count: 1M EFT lines, 94 ms reading every event); those without one on each
    // side's time index.
    return db.prepare(`SELECT (SELECT coalesce(sum(transfers), 0) FROM event_minutes) + (SELECT count(*) FROM transfers WHERE ts IS NULL)
      + (SELECT count(*) FROM events WHERE ts IS NULL AND plain_transfer = 1)`).pluck().get() as number;
  }
  if (q.where.soleSources !== undefined) {
    // The lines of some files (source:, format:): their counters, as for every line.
    return db.prepare(`SELECT coalesce(sum(events + directives + unparsed), 0) FROM sources WHERE ${q.where.soleSources}`).pluck().get(q.where.params) as number;
  }
  const fts = q.kind === 'events' ? ftsExpression(q.node) : null;
  // A purely textual query is counted by the full-text index alone (every row has its line there).
  if (fts !== null) return (db.prepare('SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?').get(fts) as { n: number }).n;
  // So is a user:, ip:, code: or path: when the index holds exactly the rows (none missing, none deleted).
  const sole = q.where.soleMatch;
  if (sole?.table === 'events_fields' && q.whereOptions.fieldIndex?.complete && !db.prepare('SELECT 1 FROM fts_deleted LIMIT 1').get()) {
    return db.prepare('SELECT count(*) FROM events_fields WHERE events_fields MATCH ?').pluck().get(sole.expr) as number;
  }
  return (db.prepare(countOverSides(KIND_SPECS[q.kind], (from) => `${from} WHERE ${q.where.sql}`)).get(q.where.params) as { n: number }).n;
}

export function countRows(db: Db, kind: QueryKind, query: string, opts: CompileOptions = {}): number {
  return inOneSnapshot(db, () => {
    const q = compileQuery(db, kind, query, opts);
    return timed(`count ${kind} ${JSON.stringify(query)}`, () => countCompiled(db, q));
  });
}

export interface IterateOptions extends CompileOptions {
  sort?: string;
  order?: 'asc' | 'desc';
  columns?: string[];
  /**
   * Only one half of the rows, split at a time (see timeSplitPoint), so that two threads can read
   * and format the halves of one export at once: the first half holds the rows before the time in
   * sort order (and the rows without a time when they come first), the second the rest.
   */
  half?: { at: number; part: 1 | 2 };
}

/**
 * A time that splits a kind's rows into halves of about equal size, for exports sorted by time that
 * two threads share; null when the sort is not by time, the time index is missing or the table has
 * fewer than `minRows` rows. It halves the whole table (one walk of half the time index, no
 * filter): a filtered export may split unevenly, never wrongly.
 */
export function timeSplitPoint(db: Db, kind: QueryKind, opts: Pick<IterateOptions, 'sort' | 'order'> = {}, minRows = 0): number | null {
  const sort = resolveSort(kind, opts.sort, opts.order);
  const spec = KIND_SPECS[kind];
  if (sort.name !== TIME_COLUMN[kind] || !timeIndexesExist(db, kind)) return null;
  if (tableSize(db, kind) < minRows) return null; // the cheap bound first: a small table is not split
  const rows = tableSize(db, kind, true);
  if (rows < minRows) return null;
  const sides = unionOfSides(spec, (side) => `SELECT ${sort.expr} AS t FROM ${side.from(side.timeIndex)} WHERE ${sort.expr} IS NOT NULL`);
  const row = db
    .prepare(`${sides} ORDER BY t LIMIT 1 OFFSET ?`)
    .get(Math.floor(rows / 2)) as { t: unknown } | undefined;
  return typeof row?.t === 'number' ? row.t : null;
}

/**
 * Every matching row in sort order as an array of the requested columns' values, in their order
 * (explanation inputs that were not requested may follow them): one statement per segment, streamed
 * with iterate(), no object per row, for exports of millions of rows.
 */
export function iterateRowArrays(db: Db, kind: QueryKind, query: string, opts: IterateOptions = {}): IterableIterator<unknown[]> {
  // Compiled now, so that a bad query throws here and not at the first next().
  const q = compileQuery(db, kind, query, opts);
  const sort = resolveSort(kind, opts.sort, opts.order);
  const names = resolveColumns(kind, opts.columns);
  // Walking the time index streams rows without a sort (which would hold them all in memory).
  const byTime = sort.name === TIME_COLUMN[kind] && timeIndexesExist(db, kind);
  const select = selectList(kind, names);
  const base: Base = { kind, select: select.sql, where: q.where, byTime, withoutKeys: true, fieldIndex: q.whereOptions.fieldIndex };
  const fix = rowFixer(db, kind, names, select);
  const half = opts.half;
  if (half && sort.name !== TIME_COLUMN[kind]) throw new RangeError('only an export sorted by time can be read in halves');
  // The split key: ids are ≥ 1, so (at, 0) ascending and (at, max) descending fall just before the
  // rows at that time, whatever their id.
  const split: Key | null = half ? { v: half.at, i: sort.order === 'asc' ? 0 : Number.MAX_SAFE_INTEGER } : null;
  return (function* () {
    for (const seg of segmentsFor(sort, sort.order)) {
      // Rows without a time come first ascending (first half), last descending (second half).
      if (half && seg === 'null' && (half.part === 1) !== (sort.order === 'asc')) continue;
      const after = half?.part === 2 && seg === 'value' ? { key: split!, inclusive: true } : null;
      const { sql, params } = segmentStatement(base, sort, seg, sort.order, after, false, half?.part === 1 ? split : null);
      for (const r of db.prepare(sql).raw(true).iterate(params) as IterableIterator<RawRow>) {
        fix(r);
        yield r;
      }
    }
  })();
}

/** Every matching row in sort order as an object keyed by column name (see iterateRowArrays). */
export function iterateRows(db: Db, kind: QueryKind, query: string, opts: IterateOptions = {}): IterableIterator<Record<string, unknown>> {
  const toObject = objectMaker(resolveColumns(kind, opts.columns));
  const arrays = iterateRowArrays(db, kind, query, opts);
  return (function* () {
    for (const r of arrays) yield toObject(r);
  })();
}

/** The plan of a page's main statement, as EXPLAIN QUERY PLAN lines (for tests and benchmarks). */
export function explainPage(db: Db, req: PageArgs, opts: CompileOptions = {}): string[] {
  const q = compileQuery(db, req.kind, req.query, opts);
  const sort = resolveSort(req.kind, req.sort, req.order);
  const plan = choosePlan(db, q, sort, req.limit ?? 100);
  const base: Base = { kind: req.kind, select: KIND_SPECS[req.kind].id, where: plan.where, nullWhere: plan.nullWhere, byTime: plan.byTime, fieldIndex: q.whereOptions.fieldIndex };
  const seg = segmentsFor(sort, sort.order).includes('value') ? 'value' : 'null';
  const { sql, params } = segmentStatement(base, sort, seg, sort.order, null, true);
  return (db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all({ ...params, lim: req.limit ?? 100 }) as { detail: string }[]).map((r) => r.detail);
}

/** Rows by id, every column, as queryPage returns them (for detail views); ids not found are skipped. */
export function rowsById(db: Db, kind: QueryKind, ids: readonly number[]): Record<string, unknown>[] {
  if (!ids.length) return [];
  const spec = KIND_SPECS[kind];
  const names = resolveColumns(kind);
  const select = selectList(kind, names);
  const make = rowMaker(db, kind, names, select);
  const stmt = db.prepare(unionOfSides(spec, (side) => `SELECT ${select.sql} FROM ${fromRows(spec, side)} WHERE ${spec.id} = @id`)).raw(true);
  return ids.flatMap((id) => {
    const r = stmt.get({ id }) as RawRow | undefined;
    return r ? [make(r)] : [];
  });
}
