/**
 * The `field:value` filters of the search language and how their values are read. Parsing a value
 * here (not in SQL) lets every mistake be reported with its column before any query runs.
 */
import { OUTCOMES, type EventOp, type Outcome } from '../store/op-codes.js';
import { partsToUtc, zonedPartsToUtc, zoneOffsetMs, type DateParts } from '../time.js';

export type FieldName =
  | 'user' | 'ip' | 'path' | 'file' | 'verb' | 'code' | 'status' | 'dir' | 'proto' | 'server'
  | 'session' | 'format' | 'source' | 'bytes' | 'after' | 'before' | 'kind';

export const FIELD_NAMES: readonly FieldName[] = [
  'user', 'ip', 'path', 'file', 'verb', 'code', 'status', 'dir', 'proto', 'server',
  'session', 'format', 'source', 'bytes', 'after', 'before', 'kind',
];

/** Other spellings people type. */
export const FIELD_ALIASES: Readonly<Record<string, FieldName>> = {
  protocol: 'proto', op: 'dir', size: 'bytes', since: 'after', until: 'before', host: 'server', client: 'ip',
};

/** A glob: `*` any run of characters, `?` one character; matched case-insensitively. */
export interface Pattern {
  text: string;
  wildcard: boolean;
}

export type IpValue =
  | { type: 'exact'; text: string }
  | { type: 'wildcard'; pattern: Pattern }
  | { type: 'cidr'; version: 4 | 6; text: string; network: bigint; bits: number };

export type CodeValue = { type: 'exact'; text: string } | { type: 'class'; prefix: string; length: number };

export interface SizeRange {
  min?: { v: number; inclusive: boolean };
  max?: { v: number; inclusive: boolean };
}

export { OUTCOMES, type Outcome };
/** The operations `dir:` takes, in the order users see them listed (store/op-codes.ts has them in code order). */
export const OPS = ['upload', 'download', 'delete', 'rename', 'mkdir', 'rmdir', 'login', 'logout', 'connect'] as const satisfies readonly EventOp[];
export type Op = EventOp;
export const EVENT_KINDS = ['event', 'directive', 'unparsed'] as const;

export type FieldValue =
  | { field: 'user' | 'path' | 'file' | 'verb' | 'proto' | 'server' | 'format' | 'source'; pattern: Pattern }
  | { field: 'ip'; ip: IpValue }
  | { field: 'code'; code: CodeValue }
  | { field: 'status'; outcome: Outcome }
  | { field: 'dir'; op: Op }
  | { field: 'session'; id: number }
  | { field: 'bytes'; range: SizeRange }
  | { field: 'after' | 'before'; ms: number }
  | { field: 'kind'; kind: number };

export interface ValueContext {
  now: number;
  timeZone: string;
}

/** A value that cannot be read: `reason` becomes the message, `hint` the parenthesised help. */
export class FieldValueError extends Error {
  constructor(readonly reason: string, readonly hint?: string) {
    super(reason);
  }
}

export function pattern(text: string): Pattern {
  return { text, wildcard: /[*?]/.test(text) };
}

// ---------------------------------------------------------------------------------------------------
// Sizes

const SIZE_UNITS: Readonly<Record<string, number>> = {
  '': 1, b: 1,
  k: 1024, kb: 1024, kib: 1024,
  m: 1024 ** 2, mb: 1024 ** 2, mib: 1024 ** 2,
  g: 1024 ** 3, gb: 1024 ** 3, gib: 1024 ** 3,
  t: 1024 ** 4, tb: 1024 ** 4, tib: 1024 ** 4,
};

function parseSize(s: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?|\.\d+)\s*([a-z]*)$/i.exec(s.trim());
  if (!m) return undefined;
  const unit = SIZE_UNITS[m[2]!.toLowerCase()];
  return unit === undefined ? undefined : Math.round(Number(m[1]) * unit);
}

/** `>10MB`, `>=1k`, `<5GB`, `<=0`, `=100`, `100`, `1MB..10MB` (both ends included). Units are 1024-based. */
export function parseSizeRange(s: string): SizeRange | undefined {
  const dots = s.indexOf('..');
  if (dots >= 0) {
    const lo = s.slice(0, dots).trim(), hi = s.slice(dots + 2).trim();
    const min = lo === '' ? undefined : parseSize(lo);
    const max = hi === '' ? undefined : parseSize(hi);
    if ((lo !== '' && min === undefined) || (hi !== '' && max === undefined) || (lo === '' && hi === '')) return undefined;
    return {
      ...(min !== undefined && { min: { v: min, inclusive: true } }),
      ...(max !== undefined && { max: { v: max, inclusive: true } }),
    };
  }
  const m = /^(>=|<=|>|<|=)?(.*)$/.exec(s)!;
  const v = parseSize(m[2]!);
  if (v === undefined) return undefined;
  switch (m[1]) {
    case '>': return { min: { v, inclusive: false } };
    case '>=': return { min: { v, inclusive: true } };
    case '<': return { max: { v, inclusive: false } };
    case '<=': return { max: { v, inclusive: true } };
    default: return { min: { v, inclusive: true }, max: { v, inclusive: true } };
  }
}

// ---------------------------------------------------------------------------------------------------
// Dates

const RELATIVE_UNITS: Readonly<Record<string, number>> = {
  s: 1000, m: 60_000, min: 60_000, h: 3_600_000, d: 86_400_000, w: 7 * 86_400_000,
};

function startOfLocalDay(ms: number, timeZone: string): number {
  const d = new Date(ms + zoneOffsetMs(timeZone, ms));
  return zonedPartsToUtc({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: 0, minute: 0, second: 0, ms: 0 }, timeZone)!;
}

/**
 * An instant: relative (`30m`, `24h`, `7d`, `2w`, `90s` = that long before now), `now`, `today`,
 * `yesterday`, or ISO 8601 `2026-01-31`, `2026-01`, `2026-01-31T10:00`, `2026-01-31 10:00:05.250`,
 * with an optional `Z` or `±hh:mm` offset (without one, the time is in `ctx.timeZone`).
 */
export function parseInstant(s: string, ctx: ValueContext): number | undefined {
  const v = s.trim().toLowerCase();
  const rel = /^(\d+(?:\.\d+)?)(s|m|min|h|d|w)$/.exec(v);
  if (rel) return ctx.now - Math.round(Number(rel[1]) * RELATIVE_UNITS[rel[2]!]!);
  if (v === 'now') return ctx.now;
  if (v === 'today') return startOfLocalDay(ctx.now, ctx.timeZone);
  if (v === 'yesterday') return startOfLocalDay(startOfLocalDay(ctx.now, ctx.timeZone) - 1, ctx.timeZone);
  const m = /^(\d{4})-(\d{2})(?:-(\d{2})(?:[t ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,3})\d*)?)?)?)?(z|[+-]\d{2}:?\d{2})?$/.exec(v);
  if (!m) return undefined;
  const parts: DateParts = {
    year: Number(m[1]), month: Number(m[2]), day: m[3] ? Number(m[3]) : 1,
    hour: m[4] ? Number(m[4]) : 0, minute: m[5] ? Number(m[5]) : 0, second: m[6] ? Number(m[6]) : 0,
    ms: m[7] ? Number(m[7].padEnd(3, '0')) : 0,
  };
  if (parts.hour > 23 || parts.day > daysInMonth(parts.year, parts.month)) return undefined;
  const zone = m[8];
  if (!zone) return zonedPartsToUtc(parts, ctx.timeZone);
  const utc = partsToUtc(parts);
  if (utc === undefined) return undefined;
  if (zone === 'z') return utc;
  const off = /^([+-])(\d{2}):?(\d{2})$/.exec(zone)!;
  const offMs = (Number(off[2]) * 60 + Number(off[3])) * 60_000;
  return off[1] === '+' ? utc - offMs : utc + offMs;
}

function daysInMonth(year: number, month: number): number {
  return month >= 1 && month <= 12 ? new Date(Date.UTC(year, month, 0)).getUTCDate() : 0;
}

// ---------------------------------------------------------------------------------------------------
// IP addresses

/** IPv4 dotted quad to a number; undefined if not one. */
export function ipv4ToNumber(s: string): number | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  let n = 0;
  for (let i = 1; i <= 4; i++) {
    const o = Number(m[i]);
    if (o > 255) return undefined;
    n = n * 256 + o;
  }
  return n;
}

/**
 * An address as a 128-bit number (IPv4 as its IPv4-mapped IPv6 form `::ffff:a.b.c.d`), so one
 * comparison serves both families. Accepts `[…]` brackets and `%zone` suffixes. Undefined if not an
 * address.
 */
export function ipToBigInt(s: string): bigint | undefined {
  let a = s.trim();
  if (a.startsWith('[') && a.endsWith(']')) a = a.slice(1, -1);
  const pct = a.indexOf('%');
  if (pct >= 0) a = a.slice(0, pct);
  const v4 = ipv4ToNumber(a);
  if (v4 !== undefined) return 0xffff00000000n | BigInt(v4);
  if (!a.includes(':')) return undefined;
  // A trailing dotted quad (::ffff:1.2.3.4) stands for the last two groups.
  let quadGroups: string[] = [];
  const lastColon = a.lastIndexOf(':');
  if (a.includes('.', lastColon)) {
    const quad = ipv4ToNumber(a.slice(lastColon + 1));
    if (quad === undefined) return undefined;
    quadGroups = [(quad >>> 16).toString(16), (quad & 0xffff).toString(16)];
    a = a.slice(0, lastColon + 1);
    if (!a.endsWith('::')) a = a.slice(0, -1);
  }
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const split = (h: string) => (h === '' ? [] : h.split(':'));
  const head = split(halves[0]!), tail = halves.length === 2 ? split(halves[1]!) : [];
  (halves.length === 2 ? tail : head).push(...quadGroups);
  const given = head.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return undefined;
  const groups = [...head, ...Array<string>(8 - given).fill('0'), ...tail];
  let n = 0n;
  for (const g of groups) {
    if (!/^[0-9a-f]{1,4}$/i.test(g)) return undefined;
    n = (n << 16n) | BigInt(parseInt(g, 16));
  }
  return n;
}

function parseIp(s: string): IpValue | undefined {
  const slash = s.indexOf('/');
  if (slash >= 0) {
    const addr = s.slice(0, slash), bitsText = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(bitsText)) return undefined;
    const bits = Number(bitsText);
    const v4 = ipv4ToNumber(addr);
    const version = v4 !== undefined ? 4 : 6;
    if (bits > (version === 4 ? 32 : 128)) return undefined;
    const n = ipToBigInt(addr);
    if (n === undefined) return undefined;
    const bits128 = version === 4 ? bits + 96 : bits;
    const mask = bits128 === 0 ? 0n : ((1n << 128n) - 1n) ^ ((1n << BigInt(128 - bits128)) - 1n);
    return { type: 'cidr', version, text: s, network: n & mask, bits: bits128 };
  }
  if (/[*?]/.test(s)) return /^[0-9a-f.:*?]+$/i.test(s) ? { type: 'wildcard', pattern: pattern(s) } : undefined;
  // Exact: anything address-like (host names logged in place of an address match too).
  return /^[0-9a-z.:[\]%_-]+$/i.test(s) ? { type: 'exact', text: s } : undefined;
}

// ---------------------------------------------------------------------------------------------------

const STATUS_ALIASES: Readonly<Record<string, Outcome>> = {
  success: 'success', succeeded: 'success', successful: 'success', ok: 'success',
  failed: 'failed', fail: 'failed', failure: 'failed', error: 'failed',
  incomplete: 'incomplete', aborted: 'incomplete', partial: 'incomplete',
};

const DIR_ALIASES: Readonly<Record<string, Op>> = {
  up: 'upload', ul: 'upload', put: 'upload', down: 'download', dl: 'download', get: 'download', del: 'delete', rm: 'delete',
  mv: 'rename', ...Object.fromEntries(OPS.map((o) => [o, o])),
};

/** Reads the value of `field:value`; throws FieldValueError with a message naming what it wants. */
export function parseFieldValue(field: FieldName, value: string, ctx: ValueContext): FieldValue {
  const want = (what: string, hint?: string): never => {
    throw new FieldValueError(`"${field}:" wants ${what}`, hint);
  };
  if (value === '') want('a value', `e.g. ${EXAMPLES[field]}`);
  switch (field) {
    case 'user': case 'path': case 'file': case 'verb': case 'proto': case 'server': case 'format': case 'source':
      return { field, pattern: pattern(value) };
    case 'ip': {
      const ip = parseIp(value);
      return ip ? { field, ip } : want('an address, a wildcard like 10.0.* or a CIDR like 10.0.0.0/8', `got ${value}`);
    }
    case 'code': {
      const cls = /^(\d*)(x+)$/i.exec(value);
      if (cls) {
        if (cls[1]!.length + cls[2]!.length !== 3 || cls[1] === '') want('a code like 550, or a class like 5xx');
        return { field, code: { type: 'class', prefix: cls[1]!, length: 3 } };
      }
      return { field, code: { type: 'exact', text: value } };
    }
    case 'status': {
      const outcome = STATUS_ALIASES[value.toLowerCase()];
      return outcome ? { field, outcome } : want('failed, success or incomplete', `got ${value}`);
    }
    case 'dir': {
      const op = DIR_ALIASES[value.toLowerCase()];
      return op ? { field, op } : want('upload, download, delete, rename, mkdir, rmdir, login, logout or connect', `got ${value}`);
    }
    case 'session': {
      if (!/^\d{1,15}$/.test(value)) want('a session number', `got ${value}`);
      return { field, id: Number(value) };
    }
    case 'bytes': {
      const range = parseSizeRange(value);
      return range ? { field, range } : want('a size like >10MB', 'also >=, <, <=, 1MB..10MB; units B, KB, MB, GB, TB (1024-based)');
    }
    case 'after': case 'before': {
      const ms = parseInstant(value, ctx);
      return ms !== undefined ? { field, ms } : want('a date like 2026-01-31, 2026-01-31T08:00 or a relative time like 24h', 'relative units: s, m, h, d, w; also today, yesterday');
    }
    case 'kind': {
      const kind = (EVENT_KINDS as readonly string[]).indexOf(value.toLowerCase());
      return kind >= 0 ? { field, kind } : want('event, directive or unparsed', `got ${value}`);
    }
  }
}

/** One example per field, for help texts and error hints. */
export const EXAMPLES: Readonly<Record<FieldName, string>> = {
  user: 'user:alice', ip: 'ip:10.0.0.0/8', path: 'path:/in/*.csv', file: 'file:report.csv', verb: 'verb:stor',
  code: 'code:5xx', status: 'status:failed', dir: 'dir:upload', proto: 'proto:sftp', server: 'server:ftp1',
  session: 'session:42', format: 'format:w3c', source: 'source:*2026*', bytes: 'bytes:>10MB', after: 'after:24h',
  before: 'before:2026-01-31', kind: 'kind:unparsed',
};

/** The field a name or alias stands for. */
export function resolveField(name: string): FieldName | undefined {
  return (FIELD_NAMES as readonly string[]).includes(name) ? (name as FieldName) : FIELD_ALIASES[name];
}

/** The closest field name or alias (edit distance ≤ 2), for "did you mean". */
export function suggestField(name: string): FieldName | undefined {
  let best: { name: string; d: number } | undefined;
  for (const candidate of [...FIELD_NAMES, ...Object.keys(FIELD_ALIASES)]) {
    const d = editDistance(name, candidate);
    if (d <= Math.min(2, Math.max(1, candidate.length - 2)) && (!best || d < best.d)) best = { name: candidate, d };
  }
  return best ? resolveField(best.name) : undefined;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      cur[j] = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    prev = cur;
  }
  return prev[b.length]!;
}
