/**
 * Query tree → SQL WHERE clause with named parameters. User input only ever reaches SQL as a bound
 * value; column names come from the fixed tables below. Each field's meaning per kind is listed in
 * docs/search.md.
 */
import type { Db } from '../store/db.js';
import type { IdRange } from '../store/line-spans.js';
import { lineOffsetSql, lineSql } from '../store/line-blocks.js';
import { BYTES_SQL, FAILED_SQL } from '../store/row-sql.js';
import { anyFieldToken, FIELD_TOKENS, folderToken, type FieldColumn } from '../store/field-tokens.js';
import { connKeySql } from '../store/session-keys.js';
import {
  SESSION_STRING_DIMS, STRING_COLUMNS, STRING_DIMS, stringCondition, stringSql, TRANSFER_STRING_DIMS, type StringColumn,
} from '../store/strings.js';
import { everyTransfer, PLAIN_TRANSFER_TIME_INDEX, plainTransfers } from '../store/plain-transfers.js';

export { BYTES_SQL, FAILED_SQL };
import { COLUMNS, TIME_COLUMN, type QueryKind } from './columns.js';
import { QuerySyntaxError } from './errors.js';
import { ipToBigInt, pattern, type FieldValue, type IpValue, type Pattern, type SizeRange } from './fields.js';
import type { QueryNode } from './parser.js';

/**
 * A table a kind's rows are read from, with indexes of its own. Transfers have two: their rows and
 * the plain transfers among the events (store/plain-transfers.ts); a statement that should use
 * each one's indexes is written once per side (see unionOfSides).
 */
export interface Side {
  /** The table its ids are the rowids of (its highest id is a cheap bound of the side's). */
  table: string;
  /** The FROM item, under the kind's alias, walking `indexedBy` when given. */
  from: (indexedBy?: string | null) => string;
  /** The index on the time column alone: it yields rows in (time, id) order without sorting. */
  timeIndex: string;
}

/** How one kind is stored: its table alias, the SQL of each column and which can never be NULL. */
export interface KindSpec {
  alias: string;
  /** Every row as one FROM item (`table alias`), for statements that read them all or group them: see rowsWhere. */
  fromCount: string;
  sides: readonly Side[];
  id: string;
  time: string;
  /** SQL per column name; null = computed in JavaScript. */
  columns: Readonly<Record<string, string | null>>;
  /** Columns that are never NULL (paging skips their NULL segment). */
  notNull: ReadonlySet<string>;
  /** Collation used when sorting by a column (matches the indexes, e.g. user NOCASE). */
  collate: Readonly<Record<string, string>>;
  /** Columns held as string ids (`<column>_id`), with the dim their values are among. */
  strings: Readonly<Partial<Record<string, StringColumn>>>;
}

function columnMap(kind: QueryKind, alias: string, overrides: Record<string, string | null>): Record<string, string | null> {
  const map: Record<string, string | null> = {};
  for (const c of COLUMNS[kind]) map[c.name] = c.name in overrides ? overrides[c.name]! : `${alias}.${c.name}`;
  return map;
}

/** The source of each row joined, for `format` / `source_path`. */
const withSource = (spec: KindSpec) => ` LEFT JOIN sources src ON src.id = ${spec.alias}.source_id`;

/** FROM clause for one side's rows: the source joined for `format` / `source_path`, optionally walking the time index. */
export function fromRows(spec: KindSpec, side: Side, byTime = false): string {
  return `${side.from(byTime ? side.timeIndex : null)}${withSource(spec)}`;
}

/**
 * `FROM …` text for the rows meeting `where` (ending in a WHERE that more `AND` terms may follow):
 * with two sides, the condition is written into each (SQLite does not push a condition that holds
 * a subquery into a UNION ALL, and would read every row).
 */
export function rowsWhere(spec: KindSpec, where: string, withSources = false): string {
  const join = withSources ? withSource(spec) : '';
  if (spec.sides.length === 1) return `${spec.fromCount}${join} WHERE ${where}`;
  return `${everyTransfer(onSide(where, 0), spec.alias, onSide(where, 1))} ${spec.alias}${join} WHERE 1`;
}

/** `statement` (a SELECT) written for each side of the kind, as one UNION ALL. */
export function unionOfSides(spec: KindSpec, statement: (side: Side) => string): string {
  return spec.sides.map((side, i) => onSide(statement(side), i)).join(' UNION ALL ');
}

// A condition written one way for the transfer rows and another for the plain transfers (which find
// users, IPs, codes and paths on the events' postings lists, having no index of their own for them). SQL
// for the transfers holds it between these marks until a statement is written per side: by
// unionOfSides, rowsWhere or a caller of onSide. They are control characters no SQL here holds
// (values are parameters), and SQLite rejects them: a mark left unresolved fails loudly.
const SIDE_OPEN = '\u0001', SIDE_SPLIT = '\u0002', SIDE_CLOSE = '\u0003';
const SIDE_MARKS = /\u0001([^\u0001-\u0003]*)\u0002([^\u0001-\u0003]*)\u0003/g;

/** `rows` on the transfer rows, `plain` on the plain transfers (see onSide). */
export const perSide = (rows: string, plain: string): string => `${SIDE_OPEN}${rows}${SIDE_SPLIT}${plain}${SIDE_CLOSE}`;

/** `sql` as written for side `side` of the transfers (0: their rows, 1: the plain ones): see perSide. */
export function onSide(sql: string, side: number): string {
  return sql.includes(SIDE_OPEN) ? sql.replace(SIDE_MARKS, (_, rows: string, plain: string) => (side === 0 ? rows : plain)) : sql;
}

const oneSide = (table: string, alias: string, timeIndex: string): Side => ({
  table,
  from: (indexedBy) => `${table} ${alias}${indexedBy ? ` INDEXED BY ${indexedBy}` : ''}`,
  timeIndex,
});

export const KIND_SPECS: Readonly<Record<QueryKind, KindSpec>> = {
  events: {
    alias: 'e', fromCount: 'events e', sides: [oneSide('events', 'e', 'events_ts')], id: 'e.id', time: 'e.ts',
    columns: columnMap('events', 'e', {
      format: 'src.format', source_path: 'src.path', explanation: null, raw: lineSql('e'), byte_offset: lineOffsetSql('e'),
      ...Object.fromEntries(STRING_COLUMNS.map((c) => [c, stringSql('e', c)])),
    }),
    notNull: new Set(['id', 'kind', 'source_id', 'line_no', 'byte_offset', 'raw']),
    collate: { user: 'NOCASE' },
    strings: Object.fromEntries(STRING_COLUMNS.map((c) => [c, c])),
  },
  sessions: {
    alias: 's', fromCount: 'sessions s', sides: [oneSide('sessions', 's', 'sessions_start')], id: 's.id', time: 's.start_ts',
    columns: columnMap('sessions', 's', {
      source_path: 'src.path', explanation: null, conn_key: connKeySql('s'),
      ...Object.fromEntries(Object.keys(SESSION_STRING_DIMS).map((c) => [c, stringSql('s', c)])),
    }),
    notNull: new Set(['id', 'conn_key', 'login', 'commands', 'uploads', 'downloads', 'deletes', 'renames', 'failures', 'failed_logins', 'bytes_up', 'bytes_down', 'events', 'open']),
    collate: { user: 'NOCASE' },
    strings: SESSION_STRING_DIMS,
  },
  transfers: {
    alias: 't', fromCount: `${everyTransfer()} t`, id: 't.id', time: 't.ts',
    sides: [oneSide('transfers', 't', 'transfers_ts'), { table: 'events', from: (indexedBy) => `${plainTransfers(indexedBy)} t`, timeIndex: PLAIN_TRANSFER_TIME_INDEX }],
    columns: columnMap('transfers', 't', {
      format: 'src.format', source_path: 'src.path', explanation: null,
      ...Object.fromEntries(Object.keys(TRANSFER_STRING_DIMS).map((c) => [c, stringSql('t', c)])),
    }),
    notNull: new Set(['id', 'op', 'status', 'records']),
    collate: { user: 'NOCASE' },
    strings: TRANSFER_STRING_DIMS,
  },
};

for (const kind of Object.keys(KIND_SPECS) as QueryKind[]) {
  if (KIND_SPECS[kind].time !== `${KIND_SPECS[kind].alias}.${TIME_COLUMN[kind]}`) throw new Error(`time column of ${kind} out of step`);
}

export interface CompiledWhere {
  sql: string;
  params: Record<string, unknown>;
  /** Set when the whole WHERE is one full-text match in its 'in' form (such a query is counted on its index alone). */
  soleMatch?: FullTextMatch;
  /** Set when the whole WHERE is the events of the sources meeting this SQL on sources (counted on their counters). */
  soleSources?: string;
  /** How many full-text matches the WHERE holds (each has a form to choose: see ftsForm). */
  matches: number;
}

/** How far events_fields holds the rows (see CompileWhereOptions.fieldIndex). */
export interface FieldIndex {
  through: number;
  /** It holds every row (through is the highest id). */
  complete: boolean;
}

/** The highest code point: `prefix || MAX_CHAR` is above every string that starts with prefix. */
const MAX_CHAR = '\u{10FFFF}';

/** A glob (`*`, `?`) as a LIKE pattern with `\` as the escape character. */
export function globToLike(glob: string): string {
  let out = '';
  for (const c of glob) {
    if (c === '*') out += '%';
    else if (c === '?') out += '_';
    else if (c === '%' || c === '_' || c === '\\') out += '\\' + c;
    else out += c;
  }
  return out;
}

const literalPrefix = (glob: string) => glob.slice(0, glob.search(/[*?]/));

/** What a `path:` without wildcards names: the path itself or a folder, without its trailing separators (a root stays itself). */
const pathOrFolder = (text: string) => (text.length > 1 ? text.replace(/[/\\]+$/, '') || text : text);

/** The folder above which a `path:` glob's literal prefix ends ('' when it names none). */
const globFolder = (glob: string) => literalPrefix(glob).replace(/[^/\\]*$/, '').replace(/[/\\]+$/, '');

/**
 * Functions the generated SQL calls, registered once per connection: they only read their
 * arguments (deterministic), so they are safe in any statement.
 */
const withFunctions = new WeakSet<Db>();
export function ensureQueryFunctions(db: Db): void {
  if (withFunctions.has(db)) return;
  db.function('xl_basename', { deterministic: true }, (p: unknown) => {
    if (typeof p !== 'string') return null;
    const cut = Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\'));
    return cut < 0 ? p : p.slice(cut + 1);
  });
  const cidrs = new Map<string, { network: bigint; mask: bigint }>();
  db.function('xl_in_cidr', { deterministic: true }, (ip: unknown, network: unknown, bits: unknown) => {
    if (typeof ip !== 'string' || typeof network !== 'string' || typeof bits !== 'number') return 0;
    const key = network + '/' + bits;
    let c = cidrs.get(key);
    if (!c) {
      const mask = bits === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits)) - 1n);
      c = { network: BigInt(network), mask };
      cidrs.set(key, c);
    }
    const n = ipToBigInt(ip);
    return n !== undefined && (n & c.mask) === c.network ? 1 : 0;
  });
  withFunctions.add(db);
}

export interface CompileWhereOptions {
  /**
   * Whether the table holds IPv4-mapped addresses (`::ffff:a.b.c.d`, logged by IPv6 sockets): an
   * IPv4 `ip:` then matches both spellings. Without them a single equality keeps the index order.
   */
  mappedIpv4?: boolean;
  /**
   * How a full-text match is written: 'in' (default) materialises the matching rowids once;
   * 'probe' asks FTS row by row, which is cheaper while walking the time index for a frequent term.
   */
  ftsForm?: (match: FullTextMatch) => 'in' | 'probe';
  /**
   * How far events_fields holds the rows (store/full-text.ts): a user:, ip:, code: or path: of
   * events is then met by its postings lists, and rows above `through` (not in it yet: the
   * full-text thread is behind, or a run stopped) by their own column. null: no such index here
   * (a reader without the index file), every row by its column.
   */
  fieldIndex?: FieldIndex | null;
  /**
   * The ids of the strings of an events column that meet a condition (SQL on `value`, with its
   * parameters), or null when there are too many to list. Listed ids let the planner see how few
   * rows a user: or code: matches; without this, the WHERE looks the strings up itself each time it
   * runs (a statement kept while new strings arrive needs that).
   */
  stringIds?: (column: StringColumn, conditionSql: string, params: Record<string, unknown>) => readonly number[] | null;
  /**
   * Whether the strings too many to list are few enough that reading each one's postings list
   * (events' user, IP, code, path) costs less than testing every row (see onFieldIndexByStrings).
   */
  fewStrings?: (column: StringColumn, conditionSql: string, params: Record<string, unknown>) => boolean;
  /** The id ranges a session's events are in (store/session-spans.ts), or null: every row is tested. */
  sessionSpans?: (sessionId: number) => readonly IdRange[] | null;
  /**
   * The id ranges of the events of the sources meeting a condition (SQL on sources, with its
   * parameters; store/line-spans.ts), or null when they are too many to list: every row is tested.
   */
  sourceRanges?: (sourcesWhere: string, params: Record<string, unknown>) => readonly IdRange[] | null;
}

/** A full-text match: an FTS5 expression on the lines' text (events_fts) or on their fields (events_fields). */
export interface FullTextMatch {
  table: 'events_fts' | 'events_fields';
  expr: string;
}

/** Compiles a query tree for one kind. Throws QuerySyntaxError for fields that do not apply to it. */
export function compileWhere(kind: QueryKind, node: QueryNode, opts: CompileWhereOptions = {}): CompiledWhere {
  const spec = KIND_SPECS[kind];
  const a = spec.alias;
  const params: Record<string, unknown> = {};
  /** Where p() puts its values: the WHERE's parameters, or a condition's own (see onText). */
  let target = params;
  let n = 0;
  const p = (value: unknown): string => {
    const name = `q${n++}`;
    target[name] = value;
    return '@' + name;
  };

  let lastMatch: { sql: string; m: FullTextMatch } | undefined;
  let matches = 0;
  function match(m: FullTextMatch): string {
    const { table } = m;
    matches++;
    if (opts.ftsForm?.(m) === 'probe') return `EXISTS (SELECT 1 FROM ${table} WHERE ${table} MATCH ${p(m.expr)} AND rowid = ${a}.id)`;
    const sql = `${a}.id IN (SELECT rowid FROM ${table} WHERE ${table} MATCH ${p(m.expr)})`;
    lastMatch = { sql, m };
    return sql;
  }
  const matchLines = (expr: string) => match({ table: 'events_fts', expr });

  /** A text column against a glob: equality without wildcards, else a prefix range (index) and LIKE. */
  const matchText = (expr: string, pat: Pattern, nocase = true): string => {
    const coll = nocase ? ' COLLATE NOCASE' : '';
    if (!pat.wildcard) return `${expr} = ${p(pat.text)}${coll}`;
    const prefix = literalPrefix(pat.text);
    const like = `${expr} LIKE ${p(globToLike(pat.text))} ESCAPE '\\'`;
    return prefix ? `(${expr} >= ${p(prefix)}${coll} AND ${expr} < ${p(prefix + MAX_CHAR)}${coll} AND ${like})` : like;
  };

  /** `path:`: a glob over the whole path; without wildcards the path itself or anything under it. */
  const matchPath = (expr: string, pat: Pattern): string => {
    if (pat.wildcard) return matchText(expr, pat);
    const folder = pathOrFolder(pat.text);
    const range = `${expr} >= ${p(folder)} COLLATE NOCASE AND ${expr} < ${p(folder + MAX_CHAR)} COLLATE NOCASE`;
    if (/[/\\]$/.test(folder)) return `(${range})`;
    const len = [...folder].length; // characters, as SQLite counts them
    return `(${range} AND (length(${expr}) = ${p(len)} OR substr(${expr}, ${p(len + 1)}, 1) IN ('/', '\\')))`;
  };

  /**
   * `file:`: the base name (after the last / or \\). A LIKE on the end of the path (in C) keeps the
   * per-row base-name function for the few rows that could match.
   */
  const matchFile = (expr: string, pat: Pattern): string => {
    const like = globToLike(pat.text);
    const tail = `${expr} LIKE ${p('%' + like)} ESCAPE '\\'`;
    if (pat.wildcard) return `(${tail} AND xl_basename(${expr}) LIKE ${p(like)} ESCAPE '\\')`;
    const len = [...pat.text].length;
    return `(${tail} AND (length(${expr}) = ${p(len)} OR substr(${expr}, ${p(-len - 1)}, 1) IN ('/', '\\')))`;
  };

  /** The events (or plain transfers) of a session: read in the id ranges they span, each row's session then tested. */
  const eventsOfSession = (id: number): string => {
    const spans = opts.sessionSpans?.(id) ?? null;
    const ofSession = `${a}.session_id = ${p(id)}`;
    if (!spans) return ofSession;
    return `(${idRanges(spans)}) AND ${ofSession}`;
  };

  const substring = (expr: string, text: string): string => `${expr} LIKE ${p('%' + globToLike(text) + '%')} ESCAPE '\\'`;

  const matchIp = (expr: string, ip: IpValue): string => {
    switch (ip.type) {
      case 'exact':
        // IPv6 sockets log IPv4 clients as ::ffff:a.b.c.d: either spelling matches.
        if (/^\d+\.\d+\.\d+\.\d+$/.test(ip.text)) return opts.mappedIpv4 === false ? `${expr} = ${p(ip.text)}` : `${expr} IN (${p(ip.text)}, ${p('::ffff:' + ip.text)})`;
        return `${expr} = ${p(ip.text)} COLLATE NOCASE`;
      case 'wildcard': {
        const plain = matchText(expr, ip.pattern, false);
        if (opts.mappedIpv4 === false || !/^\d/.test(ip.pattern.text)) return plain;
        return `(${plain} OR ${matchText(expr, pattern('::ffff:' + ip.pattern.text), false)})`;
      }
      case 'cidr': {
        const check = `xl_in_cidr(${expr}, ${p(ip.network.toString())}, ${p(ip.bits)})`;
        if (ip.version === 6) return check;
        // Whole leading octets narrow the text range first, so the client_ip index does the work.
        const octets = Math.floor((ip.bits - 96) / 8);
        const net = Number(ip.network & 0xffffffffn);
        const prefix = [net >>> 24, (net >>> 16) & 255, (net >>> 8) & 255, net & 255].slice(0, octets).map((o) => o + '.').join('');
        if (!prefix) return check;
        const range = (pre: string) => `(${expr} >= ${p(pre)} AND ${expr} < ${p(pre + MAX_CHAR)})`;
        const ranges = opts.mappedIpv4 === false ? range(prefix) : `(${range(prefix)} OR ${range('::ffff:' + prefix)})`;
        // On a whole-octet boundary (/8, /16, /24, /32) the text range is the network itself.
        return (ip.bits - 96) % 8 === 0 ? ranges : `(${ranges} AND ${check})`;
      }
    }
  };

  const matchSize = (expr: string, r: SizeRange): string => {
    const parts: string[] = [];
    if (r.min) parts.push(`${expr} ${r.min.inclusive ? '>=' : '>'} ${p(r.min.v)}`);
    if (r.max) parts.push(`${expr} ${r.max.inclusive ? '<=' : '<'} ${p(r.max.v)}`);
    return `(${parts.join(' AND ')})`;
  };

  const matchCode = (expr: string, v: Extract<FieldValue, { field: 'code' }>): string => {
    const c = v.code;
    if (c.type === 'exact') return /^\d+$/.test(c.text) ? `${expr} = ${p(c.text)}` : `${expr} = ${p(c.text)} COLLATE NOCASE`;
    const next = c.prefix.slice(0, -1) + String.fromCharCode(c.prefix.charCodeAt(c.prefix.length - 1) + 1);
    return `(${expr} >= ${p(c.prefix)} AND ${expr} < ${p(next)} AND ${expr} GLOB ${p(c.prefix + '[0-9]'.repeat(c.length - c.prefix.length))})`;
  };

  /**
   * Rows of the sources meeting `where` (SQL on sources): the events' (and plain transfers') are read
   * in the id ranges the sources' lines were stored under, when those are listed.
   */
  let lastSources: { sql: string; where: string } | undefined;
  const sourceIds = (where: string) => {
    const ofSources = `${a}.source_id IN (SELECT id FROM sources WHERE ${where})`;
    if (kind === 'sessions') return ofSources;
    const ranges = opts.sourceRanges?.(where, target) ?? null;
    const ofEvents = ranges === null ? ofSources : ranges.length ? `(${idRanges(ranges)}) AND ${ofSources}` : '0';
    if (kind === 'transfers') return perSide(ofSources, ofEvents);
    lastSources = { sql: ofEvents, where };
    return ofEvents;
  };
  const idRanges = (ranges: readonly IdRange[]) => ranges.map(([first, last]) => `${a}.id BETWEEN ${p(first)} AND ${p(last)}`).join(' OR ');
  const sessionsWithTransfer = (where: string) => `s.id IN (SELECT t.session_id FROM ${rowsWhere(KIND_SPECS.transfers, where)})`;
  /**
   * Sessions with a transfer whose path meets `condition` (SQL on the path's value; `pat`: a path:):
   * the transfer rows on their path index, the plain transfers on events_fields (plainWithPath).
   */
  const sessionsWithPath = (condition: (valueSql: string) => string, pat?: Pattern) => {
    const rows = stringCondition('t', 'path', 'path', condition);
    return sessionsWithTransfer(perSide(rows, plainWithPath(condition, rows, pat) ?? rows));
  };

  /**
   * For sessions: the plain transfers (events, alias t) whose path meets `condition`, on
   * events_fields (plainListed); null where the lists do not serve. `rows` meets the rows above the
   * index.
   */
  const plainWithPath = (condition: (valueSql: string) => string, rows: string, pat?: Pattern): string | null => {
    const index = opts.fieldIndex;
    const listed = index && opts.stringIds ? plainListed(condition, pat) : null;
    if (listed === null) return null;
    return index!.complete ? listed : `(${listed} OR (t.id > ${p(index!.through)} AND ${rows}))`;
  };

  /**
   * The plain transfers listed on events_fields with a path meeting `condition`: a path: that names a
   * folder (pathTokens), the strings met when few enough to name, else each one's list in turn when
   * they are few against the rows (a word of a free-text search met by 1,856 paths of 1M lines); or
   * null.
   */
  const plainListed = (condition: (valueSql: string) => string, pat?: Pattern): string | null => {
    const onLists = (expr: string) => `t.id IN (SELECT rowid FROM events_fields WHERE events_fields MATCH ${p(expr)})`;
    const folder = pat && !pat.wildcard ? pathTokens(pat) : null;
    if (folder !== null) return onLists(folder);
    const { sql, own, ids } = stringsMeeting('path', condition);
    if (ids) return ids.length ? onLists(anyFieldToken('path', ids)) : '0';
    if (!opts.fewStrings?.('path', sql, own)) return null;
    Object.assign(params, own);
    return onListsOfStrings('t', 'path', sql);
  };

  const notFor = (node: { field: string; col: number }, what = `does not apply to ${kind}`, hint?: string): never => {
    throw new QuerySyntaxError(`"${node.field}:" ${what}`, node.col, hint);
  };

  /**
   * A condition on a text column; where the kind holds it as string ids, it is met by their strings.
   * The events' users, IPs, codes and paths are met on their postings lists (events_fields), and so are
   * the plain transfers', which are events; the transfer rows by their own column (see perSide).
   */
  const onText = (column: string, condition: (valueSql: string) => string): string => {
    const dim = spec.strings[column];
    if (!dim) return condition(`${a}.${column}`);
    if (!opts.stringIds) return stringCondition(a, column, dim, condition);
    return onStrings(dim, condition, (ids, sql) => columnCondition(column, dim, ids, sql), column);
  };

  /** Rows whose `column` (of `dim`) is one of `ids`, or when too many to list, one of the strings meeting `sql` (on `value`). */
  const columnCondition = (column: string, dim: StringColumn, ids: readonly number[] | null, sql: string): string =>
    ids ? (ids.length ? `${a}.${column}_id IN (${ids.map(p).join(', ')})` : '0') : stringCondition(a, column, dim, () => sql);

  /**
   * A path: on events_fields' folder tokens (store/field-tokens.ts), or null where they do not
   * serve (no index here, sessions, no folder named). Without wildcards: the path itself (its
   * spellings' tokens) or anything under it (its folder's token: one list, however many paths the
   * folder holds). A glob whose paths are too many to list: the rows under the folder its literal
   * prefix names, each then tested.
   */
  const pathOnFolders = (pat: Pattern, condition: (valueSql: string) => string): string | null => {
    const index = opts.fieldIndex;
    if (!index || kind === 'sessions' || !opts.stringIds) return null;
    const onSides = (listed: string, byColumn: () => string) => (kind === 'transfers' ? perSide(byColumn(), listed) : listed);
    if (!pat.wildcard) {
      const exact = pathTokens(pat);
      if (exact === null) return null;
      // The path's own column: for the rows above the index, and the transfer rows.
      const byColumn = () => {
        const { sql, own, ids } = stringsMeeting('path', condition);
        if (!ids) Object.assign(params, own);
        return columnCondition('path', 'path', ids, sql);
      };
      return onSides(withRowsAboveIndex(match({ table: 'events_fields', expr: exact }), index, byColumn), byColumn);
    }
    const folder = folderToken(globFolder(pat.text));
    if (folder === null) return null;
    const { sql, own, ids } = stringsMeeting('path', condition);
    if (ids) return null; // few enough to name: their own lists
    Object.assign(params, own);
    const byColumn = () => columnCondition('path', 'path', null, sql);
    return onSides(`(${withRowsAboveIndex(match({ table: 'events_fields', expr: folder }), index, () => '1')} AND ${byColumn()})`, byColumn);
  };

  /** The events_fields expression of a path: without wildcards (see pathOnFolders), or null for a root or too many spellings. */
  const pathTokens = (pat: Pattern): string | null => {
    const folder = pathOrFolder(pat.text);
    const token = folderToken(folder);
    if (token === null) return null;
    const { ids } = stringsMeeting('path', (x) => `${x} = ${p(folder)} COLLATE NOCASE`);
    return ids ? anyFieldToken('path', ids, [token]) : null;
  };

  /**
   * The rows whose string of `dim` meets `condition`: `onColumn` tests a row's own column, given
   * the strings' ids (null when too many to list) and the condition's SQL on `value`. An events'
   * `column` of FIELD_TOKENS (the dim's own column by default: a rename's target is a path, not on
   * the lists) is met on the postings lists instead, and so are the plain transfers (events too),
   * the transfer rows by their column (see perSide).
   */
  const onStrings = (
    dim: StringColumn, condition: (valueSql: string) => string, onColumn: (ids: readonly number[] | null, sql: string) => string, column: string = dim,
  ): string => {
    const { sql, own, ids } = stringsMeeting(dim, condition);
    if (!ids) Object.assign(params, own);
    const byColumn = () => onColumn(ids, sql);
    const listed = !(column in FIELD_TOKENS) ? null : ids && !ids.length ? '0' : onPostings(column as FieldColumn, sql, own, ids, byColumn);
    if (listed === null) return byColumn();
    return kind === 'transfers' ? perSide(byColumn(), listed) : listed;
  };

  /**
   * The events (or plain transfers) whose `column` is one of the strings meeting `conditionSql`
   * (listed as `ids`, or too many to list), on events_fields; `onColumn` meets the rows above the
   * index. null where the postings lists do not serve: no such index here, another kind, or too
   * many strings to read each one's list.
   */
  const onPostings = (
    column: FieldColumn, conditionSql: string, ownParams: Record<string, unknown>, ids: readonly number[] | null, onColumn: () => string,
  ): string | null => {
    const index = opts.fieldIndex;
    if (!index || kind === 'sessions') return null;
    if (ids) return withRowsAboveIndex(match({ table: 'events_fields', expr: anyFieldToken(column, ids) }), index, onColumn);
    // Too many to list: the plain transfers are tested row by row, walking their time index for a
    // page (1M EFT lines, ip:10.0.0.0/8, 319k transfers: first page 136 ms reading each string's
    // list, 3.5 ms on the rows).
    if (kind === 'transfers') return null;
    return opts.fewStrings?.(column, conditionSql, ownParams) ? onFieldIndexByStrings(column, conditionSql, index, onColumn) : null;
  };

  /**
   * The strings of `dim` meeting `condition`, looked up (see CompileWhereOptions.stringIds): the
   * condition's SQL on `value`, the parameters it took (kept apart from the WHERE's, which need
   * them only if the SQL is written into it) and the ids, null when too many to list.
   */
  const stringsMeeting = (dim: StringColumn, condition: (valueSql: string) => string) => {
    const own: Record<string, unknown> = {};
    target = own;
    const sql = condition('value');
    target = params;
    return { sql, own, ids: opts.stringIds!(dim, sql, own) };
  };

  /** `listed` (rows found on events_fields), and while the index lags, the rows above it that meet `onColumn`. */
  const withRowsAboveIndex = (listed: string, index: FieldIndex, onColumn: () => string): string =>
    index.complete ? listed : `(${listed} OR (${a}.id > ${p(index.through)} AND ${onColumn()}))`;

  /**
   * Rows whose `column` is any string meeting `conditionSql` (on `value`), too many to list: each
   * string's postings list in turn (paths, when they were among them: 2k paths of 1M lines, count
   * 237 → 51 ms, first page 189 → 104 ms), rather than every row tested.
   */
  const onFieldIndexByStrings = (column: FieldColumn, conditionSql: string, index: FieldIndex, onColumn: () => string): string =>
    withRowsAboveIndex(onListsOfStrings(a, column, conditionSql), index, onColumn);

  /** The rows (alias `alias`) on the postings lists of each string of `column` meeting `conditionSql` (on `value`), read in turn. */
  const onListsOfStrings = (alias: string, column: FieldColumn, conditionSql: string): string =>
    `${alias}.id IN (SELECT f.rowid FROM strings s JOIN events_fields f ON f.events_fields MATCH ('${FIELD_TOKENS[column]}' || s.id)
      WHERE s.dim = ${STRING_DIMS[column]} AND ${conditionSql})`;

  /** The string column and condition of a user:, path:, file:, ip: or code: (events_fields holds those of FIELD_TOKENS). */
  const fieldTarget = (v: FieldValue): [StringColumn, (valueSql: string) => string] | null => {
    switch (v.field) {
      case 'user': return ['user', (x) => matchText(x, v.pattern)];
      case 'path': return ['path', (x) => matchPath(x, v.pattern)];
      case 'file': return ['path', (x) => matchFile(x, v.pattern)];
      case 'ip': return ['client_ip', (x) => matchIp(x, v.ip)];
      case 'code': return ['status', (x) => matchCode(x, v)];
      default: return null;
    }
  };

  /**
   * The events_fields expression of such a field of events (its strings' tokens), or of an AND or OR
   * of them, or null: another field, no string or too many to list, or an index that does not hold
   * every row yet.
   */
  const fieldTokens = (node: QueryNode): string | null => {
    if (node.type === 'and' || node.type === 'or') {
      const items = node.items.map(fieldTokens);
      return items.every((i) => i !== null) ? items.map((i) => `(${i})`).join(node.type === 'and' ? ' AND ' : ' OR ') : null;
    }
    if (kind !== 'events' || !opts.fieldIndex?.complete || !opts.stringIds || node.type !== 'field') return null;
    if (node.value.field === 'path' && !node.value.pattern.wildcard) return pathTokens(node.value.pattern);
    const found = fieldTarget(node.value);
    if (!found || !(found[0] in FIELD_TOKENS)) return null;
    const column = found[0] as FieldColumn;
    const { ids } = stringsMeeting(column, found[1]);
    return ids?.length ? anyFieldToken(column, ids) : null;
  };

  function field(node: Extract<QueryNode, { type: 'field' }>): string {
    const v = node.value;
    switch (v.field) {
      case 'user':
        return onText(...fieldTarget(v)!);
      case 'proto':
        return onText('protocol', (x) => matchText(x, v.pattern));
      case 'server':
        return onText('server', (x) => matchText(x, v.pattern));
      case 'verb':
        return kind === 'events' ? onText('verb', (x) => matchText(x, v.pattern)) : notFor(node, undefined, kind === 'transfers' ? 'use dir: for the operation' : 'search events for commands');
      case 'path':
      case 'file': {
        const [column, condition] = fieldTarget(v)!;
        if (kind === 'sessions') return sessionsWithPath(condition, v.field === 'path' ? v.pattern : undefined);
        return (v.field === 'path' && pathOnFolders(v.pattern, condition)) || onText(column, condition);
      }
      case 'ip':
        return onText(...fieldTarget(v)!);
      case 'code': {
        if (kind === 'events') return onText(...fieldTarget(v)!);
        if (kind === 'sessions') return matchCode('s.login_code', v);
        // A transfer row's code is text; a plain transfer's is its event's status, on the postings lists.
        const onColumn = () => matchCode('t.code', v);
        if (!opts.stringIds || !opts.fieldIndex) return onColumn();
        return onStrings('status', (x) => matchCode(x, v), onColumn);
      }
      case 'status':
        if (v.outcome === 'failed') return FAILED_SQL[kind];
        if (kind === 'events') return `e.outcome = ${p(v.outcome)}`;
        if (kind === 'transfers') return `t.status = ${p(v.outcome)}`;
        // A session succeeded when nothing in it failed; it is incomplete while open or when a transfer was cut.
        return v.outcome === 'success' ? "(s.login <> 'failed' AND s.failures = 0)" : `(s.open = 1 OR ${sessionsWithTransfer("status = 'incomplete'")})`;
      case 'dir':
        if (kind === 'events') return `e.op = ${p(v.op)}`;
        if (kind === 'transfers') {
          if (v.op === 'login' || v.op === 'logout' || v.op === 'connect') return notFor(node, `${v.op} applies to events and sessions only`);
          return `t.op = ${p(v.op)}`;
        }
        switch (v.op) {
          // Sessions with such an operation, like the transfer operations below (Insights link here).
          case 'login': return "s.login <> 'none'";
          case 'logout': return "s.end_reason = 'quit'";
          case 'connect': return '1';
          case 'upload': return 's.uploads > 0';
          case 'download': return 's.downloads > 0';
          case 'delete': return 's.deletes > 0';
          case 'rename': return 's.renames > 0';
          default: return sessionsWithTransfer(`op = ${p(v.op)}`);
        }
      case 'session': {
        if (kind === 'sessions') return `s.id = ${p(v.id)}`;
        const ofEvents = eventsOfSession(v.id);
        return kind === 'transfers' ? perSide(`t.session_id = ${p(v.id)}`, ofEvents) : ofEvents;
      }
      case 'format':
        return kind === 'sessions' ? matchText('s.format', v.pattern) : sourceIds(matchText('format', v.pattern));
      case 'source':
        return sourceIds(v.pattern.wildcard ? matchText('path', v.pattern) : substring('path', v.pattern.text));
      case 'bytes':
        return matchSize(BYTES_SQL[kind], v.range);
      case 'after':
        return `${spec.time} >= ${p(v.ms)}`;
      case 'before':
        return `${spec.time} < ${p(v.ms)}`;
      case 'kind':
        return kind === 'events' ? `e.kind = ${p(v.kind)}` : notFor(node);
    }
    throw new Error(`unhandled field ${node.field}`);
  }

  /** Free text outside events: a substring of the user, client IP, server or path. */
  function looseText(value: string): string {
    const like = globToLike(value);
    const contains = (x: string) => `${x} LIKE ${p('%' + like + '%')} ESCAPE '\\'`;
    const cols = ['user', 'client_ip', 'server'].map((c) => onText(c, contains));
    if (kind === 'transfers') cols.push(onText('path', contains), onText('path_to', contains));
    else cols.push(sessionsWithPath(contains));
    return `(${cols.join(' OR ')})`;
  }


  function compile(node: QueryNode): string {
    switch (node.type) {
      case 'all':
        return '1';
      case 'field':
        return field(node);
      case 'text': {
        if (kind !== 'events') return looseText(node.value);
        const fts = ftsExpression(node);
        // Text without a letter or digit has no full-text token (e.g. "->"): look for it in the raw line.
        return fts !== null ? matchLines(fts) : `instr(${lineSql('e')}, ${p(node.value)}) > 0`;
      }
      case 'not':
        // IS NOT 1 keeps rows whose column is NULL: -user:bob includes lines without a user.
        return `(${compile(node.item)}) IS NOT 1`;
      case 'or': {
        const fts = kind === 'events' ? ftsExpression(node) : null;
        if (fts !== null) return matchLines(fts);
        // Fields only (user:a OR code:550): one MATCH on their postings lists.
        const fields = fieldTokens(node);
        if (fields !== null) return match({ table: 'events_fields', expr: fields });
        return `(${node.items.map(compile).join(' OR ')})`;
      }
      case 'and': {
        if (kind !== 'events') return `(${node.items.map(compile).join(' AND ')})`;
        // All full-text parts of an AND become one MATCH (one index lookup instead of one per word),
        // and so do its users, IPs, codes and paths (one intersection of their postings lists).
        const textual = node.items.filter((i) => ftsExpression(i.type === 'not' ? i.item : i) !== null);
        const merged = textual.some((i) => i.type !== 'not') && textual.length > 1 ? ftsExpression({ type: 'and', items: textual }) : null;
        let rest = merged !== null ? node.items.filter((i) => !textual.includes(i)) : node.items;
        const fielded = rest.map((i) => [i, fieldTokens(i)] as const).filter((f): f is readonly [QueryNode, string] => f[1] !== null);
        const fieldsMerged = fielded.length > 1 ? fielded.map(([, f]) => `(${f})`).join(' AND ') : null;
        if (fieldsMerged !== null) rest = rest.filter((i) => !fielded.some(([f]) => f === i));
        const parts = [
          ...(merged !== null ? [matchLines(merged)] : []),
          ...(fieldsMerged !== null ? [match({ table: 'events_fields', expr: fieldsMerged })] : []),
          ...rest.map(compile),
        ];
        return parts.length === 1 ? parts[0]! : `(${parts.join(' AND ')})`;
      }
    }
  }

  const sql = compile(node);
  return { sql, params, matches, ...(lastMatch?.sql === sql && { soleMatch: lastMatch.m }), ...(lastSources?.sql === sql && { soleSources: lastSources.where }) };
}

/**
 * The FTS5 expression of a purely textual subtree, or null when it holds anything else (a field,
 * a lone negation, text without letters or digits). Every term is a double-quoted FTS5 string, so
 * nothing the user types (`NEAR(`, `OR`, `*`, `"`, `:`) can act as FTS syntax; a bare word ending
 * in `*` becomes a prefix query.
 */
export function ftsExpression(node: QueryNode): string | null {
  switch (node.type) {
    case 'text': {
      // FTS5 reads its query as a C string: a NUL would end it. It separates tokens like a space.
      let v = node.value.replaceAll('\0', ' ');
      const prefix = !node.quoted && /[^*]\*+$/.test(v);
      if (prefix) v = v.replace(/\*+$/, '');
      if (!/[\p{L}\p{N}]/u.test(v)) return null;
      return `"${v.replaceAll('"', '""')}"${prefix ? ' *' : ''}`;
    }
    case 'or': {
      const items = node.items.map(ftsExpression);
      return items.every((i) => i !== null) ? `(${items.join(' OR ')})` : null;
    }
    case 'and': {
      const positive = node.items.filter((i) => i.type !== 'not').map(ftsExpression);
      const negative = node.items.filter((i): i is Extract<QueryNode, { type: 'not' }> => i.type === 'not').map((i) => ftsExpression(i.item));
      if (!positive.length || [...positive, ...negative].some((i) => i === null)) return null;
      const all = `(${positive.join(' AND ')})`;
      return negative.length ? `(${all} NOT (${negative.join(' OR ')}))` : all;
    }
    default:
      return null;
  }
}
