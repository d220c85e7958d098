import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { unindexLinesAbove } from '../full-text-lag.js';
import { countRows, iterateRows, queryPage, QuerySyntaxError, type QueryKind } from '../../src-main/core/query/index.js';
import { parseQuery } from '../../src-main/core/query/parser.js';
import { tempDir } from '../helpers.js';
import { loadFixture, makeFixture, SOURCES, T0, type EventFixture, type SessionFixture, type TransferFixture } from './query-fixture.js';

const DAY = 86_400_000;
const MB = 1024 * 1024;
const NOW = T0 + 14 * DAY;

let dir: string;
let db: Db;
const fx = makeFixture();

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'q.sqlite'));
  loadFixture(db, fx);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

// ---------------------------------------------------------------------------------------------------
// Brute-force oracles: plain JavaScript over the fixture rows.

const lower = (s: string | null | undefined) => (s === null || s === undefined ? null : s.toLowerCase());
const eqi = (a: string | null, b: string) => lower(a) === b.toLowerCase();
const globRe = (glob: string) => new RegExp('^' + glob.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.') + '$', 'is');
const basename = (p: string | null) => (p === null ? null : p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1));
/** unicode61 tokens, as FTS5 sees a line. */
const tokens = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
const hasPhrase = (raw: string, phrase: string) => {
  const t = tokens(raw), p = tokens(phrase);
  return t.some((_, i) => p.every((w, j) => t[i + j] === w));
};
const isOneOf = (v: string | null, list: readonly string[]) => v !== null && list.includes(v);

function ids(kind: QueryKind, query: string): number[] {
  return [...iterateRows(db, kind, query, { now: NOW, sort: 'id', order: 'asc', columns: ['id'] })].map((r) => r.id as number);
}

function expectSame<R extends { id: number }>(kind: QueryKind, rows: readonly R[], query: string, pred: (r: R) => boolean): void {
  const want = rows.filter(pred).map((r) => r.id);
  expect(ids(kind, query), query).toEqual(want);
  expect(countRows(db, kind, query, { now: NOW }), `count of ${query}`).toBe(want.length);
}

const EVENT_CASES: [string, (e: EventFixture) => boolean][] = [
  ['', () => true],
  ['user:alice', (e) => eqi(e.user, 'alice')],
  ['user:ALICE', (e) => eqi(e.user, 'alice')],
  ['user:"john smith"', (e) => e.user === 'john smith'],
  ['user:al*', (e) => /^al/i.test(e.user ?? '')],
  ['user:*o*', (e) => /o/i.test(e.user ?? '')],
  ['user:b?b', (e) => /^b.b$/i.test(e.user ?? '')],
  ['-user:alice', (e) => !eqi(e.user, 'alice')],
  ['NOT user:alice', (e) => !eqi(e.user, 'alice')],
  ['ip:10.0.0.5', (e) => e.client_ip === '10.0.0.5'],
  ['ip:10.0.0.7', (e) => e.client_ip === '::ffff:10.0.0.7'],
  ['ip:10.0.0.0/8', (e) => isOneOf(e.client_ip, ['10.0.0.5', '10.1.2.3', '10.200.0.9', '::ffff:10.0.0.7'])],
  ['ip:10.0.0.0/16', (e) => isOneOf(e.client_ip, ['10.0.0.5', '::ffff:10.0.0.7'])],
  ['ip:10.192.0.0/10', (e) => e.client_ip === '10.200.0.9'],
  ['ip:0.0.0.0/0', (e) => isOneOf(e.client_ip, ['10.0.0.5', '10.1.2.3', '10.200.0.9', '192.168.1.10', '::ffff:10.0.0.7'])],
  ['ip:10.1.*', (e) => e.client_ip === '10.1.2.3'],
  ['ip:10.0.0.?', (e) => isOneOf(e.client_ip, ['10.0.0.5', '::ffff:10.0.0.7'])],
  ['ip:2001:db8::/32', (e) => e.client_ip === '2001:db8::1'],
  ['ip:2001:0db8:0:0::0001', (e) => false && !!e],
  ['ip:2001:db8::1', (e) => e.client_ip === '2001:db8::1'],
  ['path:/in', (e) => e.path === '/in' || (e.path ?? '').startsWith('/in/')],
  ['path:/IN/', (e) => (e.path ?? '').startsWith('/in/')],
  ['path:/in/report.csv', (e) => e.path === '/in/report.csv'],
  ['path:/IN/*.csv', (e) => globRe('/in/*.csv').test(e.path ?? '')],
  ['path:"/a b/*.csv"', (e) => e.path === '/a b/c.csv'],
  ['path:C:\\logs', (e) => e.path === 'C:\\logs\\a.txt'],
  ['file:*.csv', (e) => /\.csv$/i.test(basename(e.path) ?? '')],
  ['file:a.txt', (e) => basename(e.path) === 'a.txt'],
  ['file:"Report 2026.csv"', (e) => e.path === '/in/Report 2026.CSV'],
  ['verb:STOR', (e) => e.verb === 'stor'],
  ['verb:re*', (e) => e.verb === 'retr'],
  ['code:550', (e) => e.status === '550'],
  ['code:5xx', (e) => /^5\d\d$/.test(e.status ?? '')],
  ['code:4XX', (e) => /^4\d\d$/.test(e.status ?? '')],
  ['code:22x', (e) => /^22\d$/.test(e.status ?? '')],
  ['code:SUCCESS', (e) => e.status === 'success'],
  ['status:failed', (e) => e.outcome === 'failed'],
  ['status:fail', (e) => e.outcome === 'failed'],
  ['failed', (e) => e.outcome === 'failed'],
  ['FAILED', (e) => e.outcome === 'failed'],
  ['-failed', (e) => e.outcome !== 'failed'],
  ['status:success', (e) => e.outcome === 'success'],
  ['status:incomplete', (e) => e.outcome === 'incomplete'],
  ['dir:upload', (e) => e.op === 'upload'],
  ['dir:down', (e) => e.op === 'download'],
  ['op:login', (e) => e.op === 'login'],
  ['proto:sftp', (e) => eqi(e.protocol, 'sftp')],
  ['protocol:FTP', (e) => eqi(e.protocol, 'ftp')],
  ['server:ftp2', (e) => eqi(e.server, 'ftp2')],
  ['session:3', (e) => e.session_id === 3],
  ['format:w3c', (e) => e.source_id === 1],
  ['format:proftpd*', (e) => e.source_id === 2],
  ['source:proftpd', (e) => e.source_id === 2],
  ['source:*EFT*', (e) => e.source_id === 1],
  ['bytes:>10MB', (e) => e.bytes !== null && e.bytes > 10 * MB],
  ['bytes:>=10mb', (e) => e.bytes !== null && e.bytes >= 10 * MB],
  ['bytes:<1k', (e) => e.bytes !== null && e.bytes < 1024],
  ['bytes:<=1.5M', (e) => e.bytes !== null && e.bytes <= 1.5 * MB],
  ['bytes:1MB..10MB', (e) => e.bytes !== null && e.bytes >= MB && e.bytes <= 10 * MB],
  ['bytes:0', (e) => e.bytes === 0],
  ['size:..1KB', (e) => e.bytes !== null && e.bytes <= 1024],
  ['after:2026-01-10', (e) => e.ts !== null && e.ts >= Date.UTC(2026, 0, 10)],
  ['before:2026-01-10T12:00', (e) => e.ts !== null && e.ts < Date.UTC(2026, 0, 10, 12)],
  ['after:2026-01-10 before:2026-01-11', (e) => e.ts !== null && e.ts >= Date.UTC(2026, 0, 10) && e.ts < Date.UTC(2026, 0, 11)],
  ['after:2026-01-10T00:00+02:00', (e) => e.ts !== null && e.ts >= Date.UTC(2026, 0, 9, 22)],
  ['after:2026-01-10T06:30:00Z', (e) => e.ts !== null && e.ts >= Date.UTC(2026, 0, 10, 6, 30)],
  ['after:3d', (e) => e.ts !== null && e.ts >= NOW - 3 * DAY],
  ['after:36h before:30m', (e) => e.ts !== null && e.ts >= NOW - 36 * 3_600_000 && e.ts < NOW - 30 * 60_000],
  ['before:1w', (e) => e.ts !== null && e.ts < NOW - 7 * DAY],
  ['after:today', (e) => e.ts !== null && e.ts >= NOW],
  ['after:yesterday', (e) => e.ts !== null && e.ts >= NOW - DAY],
  ['kind:unparsed', (e) => e.kind === 2],
  ['-kind:event', (e) => e.kind !== 0],
  // Full text.
  ['complete', (e) => tokens(e.raw).includes('complete')],
  ['COMPLETE transfer', (e) => tokens(e.raw).includes('complete') && tokens(e.raw).includes('transfer')],
  ['"transfer complete"', (e) => hasPhrase(e.raw, 'transfer complete')],
  ['"complete transfer"', (e) => hasPhrase(e.raw, 'complete transfer')],
  ['partner*', (e) => tokens(e.raw).some((t) => t.startsWith('partner'))],
  ['INV_2026-01', (e) => hasPhrase(e.raw, 'inv 2026 01')],
  ['transfer OR login', (e) => tokens(e.raw).includes('transfer') || tokens(e.raw).includes('login')],
  ['login -user:bob', (e) => tokens(e.raw).includes('login') && !eqi(e.user, 'bob')],
  ['report -2026', (e) => tokens(e.raw).includes('report') && !tokens(e.raw).includes('2026')],
  ['-report', (e) => !tokens(e.raw).includes('report')],
  ['report OR user:carol', (e) => tokens(e.raw).includes('report') || eqi(e.user, 'carol')],
  ['192.168.1.10', (e) => hasPhrase(e.raw, '192 168 1 10')],
  ['->', (e) => e.raw.includes('->')],
  ['-> here', (e) => e.raw.includes('->') && tokens(e.raw).includes('here')],
  ['*', (e) => e.raw.includes('*')],
  ['"\\""', (e) => e.raw.includes('"')],
  // FTS syntax and SQL in values are text, never syntax.
  ['NEAR(', (e) => tokens(e.raw).includes('near')],
  ['NEAR( x, y', (e) => tokens(e.raw).includes('near') && tokens(e.raw).includes('x') && tokens(e.raw).includes('y')],
  ['"NEAR(x, y)"', (e) => hasPhrase(e.raw, 'near x y')],
  ['"NEAR(x, y) OR AND"', (e) => hasPhrase(e.raw, 'near x y or and')],
  ['"OR"', (e) => tokens(e.raw).includes('or')],
  ['and', (e) => tokens(e.raw).includes('and')],
  ["'; DROP TABLE events;--", (e) => tokens(e.raw).includes('drop') && tokens(e.raw).includes('table') && tokens(e.raw).includes('events') && e.raw.includes("';")],
  ['"\'; DROP TABLE events;--"', (e) => hasPhrase(e.raw, 'drop table events')],
  ['user:"\'; DROP TABLE events;--"', () => false],
  ['path:"%"', () => false],
  ['path:_*', () => false],
  ['text:col', () => false],
  // Boolean structure.
  ['(user:alice OR user:bob) dir:upload', (e) => (eqi(e.user, 'alice') || eqi(e.user, 'bob')) && e.op === 'upload'],
  ['user:alice OR user:bob dir:upload', (e) => eqi(e.user, 'alice') || (eqi(e.user, 'bob') && e.op === 'upload')],
  ['user:alice AND dir:upload OR failed', (e) => (eqi(e.user, 'alice') && e.op === 'upload') || e.outcome === 'failed'],
  ['NOT (user:alice OR ip:10.0.0.0/8)', (e) => !eqi(e.user, 'alice') && !isOneOf(e.client_ip, ['10.0.0.5', '10.1.2.3', '10.200.0.9', '::ffff:10.0.0.7'])],
  ['-(report OR complete) code:2xx', (e) => !tokens(e.raw).includes('report') && !tokens(e.raw).includes('complete') && /^2\d\d$/.test(e.status ?? '')],
  ['NOT NOT user:bob', (e) => eqi(e.user, 'bob')],
  ['((user:carol))', (e) => eqi(e.user, 'carol')],
];

describe('search language on events (each construct against a brute-force filter)', () => {
  it('the fixture covers the cases (each non-trivial case matches some rows and misses others)', () => {
    const trivial = new Set(['', 'ip:2001:0db8:0:0::0001', '*', 'user:"\'; DROP TABLE events;--"', 'path:"%"', 'path:_*', 'text:col', 'after:today', '"complete transfer"']);
    for (const [q, pred] of EVENT_CASES) {
      if (trivial.has(q)) continue;
      const n = fx.events.filter(pred).length;
      expect(n > 0 && n < fx.events.length, `${q} matches ${n}`).toBe(true);
    }
  });

  it.each(EVENT_CASES)('%s', (query, pred) => {
    if (query === 'text:col') {
      expect(() => ids('events', query)).toThrow(QuerySyntaxError);
      return;
    }
    expectSame('events', fx.events, query, pred);
  });

  it('leaves the database intact after SQL and FTS metacharacters', () => {
    expect(countRows(db, 'events', '')).toBe(fx.events.length);
    expect((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n).toBe(fx.events.length);
  });

  it('reads ISO dates without an offset in the given zone', () => {
    const paris = countRows(db, 'events', 'after:2026-01-10', { timeZone: 'Europe/Paris' });
    expect(paris).toBe(fx.events.filter((e) => e.ts !== null && e.ts >= Date.UTC(2026, 0, 9, 23)).length);
  });
});

const SESSION_CASES: [string, (s: SessionFixture) => boolean][] = [
  ['', () => true],
  ['user:alice', (s) => eqi(s.user, 'alice')],
  ['ip:10.0.0.0/8', (s) => isOneOf(s.client_ip, ['10.0.0.5', '10.1.2.3', '10.200.0.9', '::ffff:10.0.0.7'])],
  ['status:failed', (s) => s.login === 'failed' || s.failures > 0],
  ['failed', (s) => s.login === 'failed' || s.failures > 0],
  ['status:success', (s) => s.login !== 'failed' && s.failures === 0],
  ['status:incomplete', (s) => s.open === 1 || fx.transfers.some((t) => t.session_id === s.id && t.status === 'incomplete')],
  ['dir:upload', (s) => s.uploads > 0],
  ['dir:delete', (s) => s.deletes > 0],
  // Insights link to `dir:login`: on sessions, those with a login attempt.
  ['dir:login', (s) => s.login !== 'none'],
  ['dir:login status:failed', (s) => s.login !== 'none' && (s.login === 'failed' || s.failures > 0)],
  ['dir:mkdir', (s) => fx.transfers.some((t) => t.session_id === s.id && t.op === 'mkdir')],
  ['path:/in', (s) => fx.transfers.some((t) => t.session_id === s.id && (t.path ?? '').startsWith('/in/'))],
  ['file:*.csv', (s) => fx.transfers.some((t) => t.session_id === s.id && /\.csv$/i.test(t.path ?? ''))],
  ['code:5xx', (s) => s.login_code === '530'],
  ['session:4', (s) => s.id === 4],
  ['format:w3c', (s) => s.format === 'w3c'],
  ['source:proftpd', (s) => s.source_id === 2],
  ['server:FTP1', (s) => s.server === 'ftp1'],
  ['proto:sftp', (s) => s.protocol === 'sftp'],
  ['bytes:>1MB', (s) => s.bytes_up + s.bytes_down > MB],
  ['after:2026-01-10', (s) => s.start_ts !== null && s.start_ts >= Date.UTC(2026, 0, 10)],
  ['smith', (s) => (s.user ?? '').includes('smith')],
  ['10.0', (s) => (s.client_ip ?? '').includes('10.0')],
  ['report', (s) => fx.transfers.some((t) => t.session_id === s.id && /report/i.test(t.path ?? ''))],
  ['-user:alice dir:download', (s) => !eqi(s.user, 'alice') && s.downloads > 0],
];

const TRANSFER_CASES: [string, (t: TransferFixture) => boolean][] = [
  ['', () => true],
  ['user:bob', (t) => eqi(t.user, 'bob')],
  ['ip:192.168.0.0/16', (t) => t.client_ip === '192.168.1.10'],
  ['ip:2001:db8::/32 OR ip:2001:db9::/32', (t) => isOneOf(t.client_ip, ['2001:db8::1', '2001:db9::5'])],
  ['status:failed', (t) => t.status === 'failed'],
  ['failed', (t) => t.status === 'failed'],
  ['status:incomplete', (t) => t.status === 'incomplete'],
  ['dir:rename', (t) => t.op === 'rename'],
  ['dir:mkdir', (t) => t.op === 'mkdir'],
  ['path:/in/*.csv', (t) => globRe('/in/*.csv').test(t.path ?? '')],
  ['file:x.txt', (t) => basename(t.path) === 'x.txt'],
  ['code:4xx', (t) => t.code === '451'],
  ['code:226', (t) => t.code === '226'],
  ['session:5', (t) => t.session_id === 5],
  ['format:w3c', (t) => t.source_id === 1],
  ['source:eft', (t) => t.source_id === 1],
  ['bytes:>5MB', (t) => t.bytes !== null && t.bytes > 5 * MB],
  ['before:2026-01-08', (t) => t.ts !== null && t.ts < Date.UTC(2026, 0, 8)],
  ['renamed', (t) => (t.path_to ?? '').includes('renamed')],
  ['csv -user:alice', (t) => /csv/i.test((t.path ?? '') + ' ' + (t.path_to ?? '')) && !eqi(t.user, 'alice')],
  ['john', (t) => (t.user ?? '').includes('john')],
];

describe('search language on sessions and transfers', () => {
  it.each(SESSION_CASES)('sessions: %s', (query, pred) => expectSame('sessions', fx.sessions, query, pred));
  it.each(TRANSFER_CASES)('transfers: %s', (query, pred) => expectSame('transfers', fx.transfers, query, pred));

  it('refuses fields that do not apply to the kind, naming the column', () => {
    expect(() => countRows(db, 'sessions', 'user:bob verb:stor')).toThrow('"verb:" does not apply to sessions at column 10');
    expect(() => countRows(db, 'transfers', 'kind:event')).toThrow('"kind:" does not apply to transfers at column 1');
    expect(() => countRows(db, 'transfers', 'dir:login')).toThrow(/login applies to events and sessions only/);
  });
});

// ---------------------------------------------------------------------------------------------------

describe('syntax errors name what is wrong and where', () => {
  const ctx = { now: NOW, timeZone: 'UTC' };
  const cases: [string, string, number][] = [
    ['usr:bob', 'unknown field "usr" at column 1 (did you mean user?)', 1],
    ['user:bob statsu:failed', 'unknown field "statsu" at column 10 (did you mean status?)', 10],
    ['abc:x', 'unknown field "abc"', 1],
    ['user:"bob', 'unclosed quote at column 6', 6],
    ['hello "world', 'unclosed quote at column 7', 7],
    ['(user:bob', 'missing ")" at column 10', 10],
    ['(a (b)', 'missing ")"', 7],
    ['user:bob)', 'unexpected ")" at column 9', 9],
    ['()', 'empty parentheses at column 1', 1],
    ['bytes:lots', '"bytes:" wants a size like >10MB at column 7', 7],
    ['bytes:>10XB', '"bytes:" wants a size like >10MB', 7],
    ['after:yesterdayish', '"after:" wants a date', 7],
    ['before:2026-02-30', '"before:" wants a date', 8],
    ['user:', '"user:" wants a value at column 6', 6],
    ['ip:10.0.0.0/33', '"ip:" wants an address', 4],
    ['ip:10.0.0.1/8x', '"ip:" wants an address', 4],
    ['NEAR(x, y)', 'unexpected ")" at column 10', 10],
    ['code:5x', '"code:" wants a code like 550, or a class like 5xx', 6],
    ['status:maybe', '"status:" wants failed, success or incomplete', 8],
    ['dir:sideways', '"dir:" wants upload', 5],
    ['session:abc', '"session:" wants a session number', 9],
    ['kind:x', '"kind:" wants event, directive or unparsed', 6],
    ['OR a', '"OR" needs a term before it at column 1', 1],
    ['a OR', '"OR" needs a term after it at column 5', 5],
    ['a OR OR b', '"OR" needs a term after it at column 6', 6],
    ['a AND', '"AND" needs a term after it', 6],
    ['NOT', '"NOT" needs a term after it at column 4', 4],
    ['a - b', '"-" must be followed by a term at column 3', 3],
    ['""', 'empty quotes at column 1', 1],
  ];
  it.each(cases)('%s → %s', (query, message, column) => {
    let err: unknown;
    try {
      parseQuery(query, ctx);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(QuerySyntaxError);
    expect((err as QuerySyntaxError).message).toContain(message);
    expect((err as QuerySyntaxError).column).toBe(column);
  });

  it('parses precedence NOT > AND > OR, quoted values and - prefixes into the expected tree', () => {
    const t = parseQuery('a b OR -c user:"john smith" OR NOT (d OR e)', ctx);
    expect(t).toMatchObject({
      type: 'or',
      items: [
        { type: 'and', items: [{ type: 'text', value: 'a' }, { type: 'text', value: 'b' }] },
        { type: 'and', items: [{ type: 'not', item: { type: 'text', value: 'c' } }, { type: 'field', field: 'user', value: { pattern: { text: 'john smith', wildcard: false } } }] },
        { type: 'not', item: { type: 'or', items: [{ type: 'text', value: 'd' }, { type: 'text', value: 'e' }] } },
      ],
    });
    // Parentheses inside a word belong to it; lower-case or/and/not are words; a drive letter or URL is text.
    expect(parseQuery('(file(1).txt or x)', ctx)).toMatchObject({ type: 'and', items: [{ value: 'file(1).txt' }, { value: 'or' }, { value: 'x' }] });
    expect(parseQuery('C:\\logs http://x/y', ctx)).toMatchObject({ type: 'and', items: [{ type: 'text', value: 'C:\\logs' }, { type: 'text', value: 'http://x/y' }] });
    expect(parseQuery('"user:bob" "a \\"b\\""', ctx)).toMatchObject({ type: 'and', items: [{ type: 'text', value: 'user:bob', quoted: true }, { type: 'text', value: 'a "b"', quoted: true }] });
    expect(parseQuery('   ', ctx)).toEqual({ type: 'all' });
    expect(parseQuery('Error: fe80::1 abc::1', ctx)).toMatchObject({ type: 'and', items: [{ type: 'text', value: 'Error:' }, { type: 'text', value: 'fe80::1' }, { type: 'text', value: 'abc::1' }] });
  });
});

// ---------------------------------------------------------------------------------------------------

/** The fixture's order for a sort: NULLs first ascending (as SQLite), NOCASE for string columns, ties by id. */
function oracleOrder<R extends { id: number }>(rows: readonly R[], col: keyof R, order: 'asc' | 'desc', nocase = false): number[] {
  const norm = (v: unknown) => (typeof v === 'string' && nocase ? v.toLowerCase() : v);
  const cmp = (a: R, b: R) => {
    const x = norm(a[col]), y = norm(b[col]);
    const c = x === y ? 0 : x === null ? -1 : y === null ? 1 : (x as number | string) < (y as number | string) ? -1 : 1;
    return c !== 0 ? c : a.id - b.id;
  };
  const sorted = [...rows].sort(cmp).map((r) => r.id);
  return order === 'asc' ? sorted : sorted.reverse();
}

describe('keyset paging', () => {
  const sorts: [QueryKind, string, 'asc' | 'desc', string, boolean][] = [
    ['events', 'ts', 'asc', '', false],
    ['events', 'ts', 'desc', '', false],
    ['events', 'user', 'asc', '', true],
    ['events', 'user', 'desc', 'code:2xx OR code:5xx', true],
    ['events', 'bytes', 'desc', '', false],
    ['events', 'status', 'asc', '-user:bob', true],
    ['events', 'client_ip', 'asc', '', true],
    ['events', 'path', 'desc', 'dir:upload OR kind:unparsed', true],
    ['events', 'id', 'desc', '', false],
    ['events', 'kind', 'asc', '', false],
    ['sessions', 'start_ts', 'desc', '', false],
    ['sessions', 'failures', 'asc', '', false],
    ['transfers', 'ts', 'desc', '', false],
    ['transfers', 'path', 'asc', 'dir:upload OR dir:download', true],
    ['transfers', 'user', 'desc', '', true],
    ['transfers', 'client_ip', 'asc', '-status:failed', true],
  ];

  const rowsOf = (kind: QueryKind): { id: number }[] => (kind === 'events' ? fx.events : kind === 'sessions' ? fx.sessions : fx.transfers);

  it.each(sorts)('%s by %s %s (%s): forward and back, every row once, in order', (kind, sort, order, query, nocase) => {
    const expected = ids(kind, query);
    const want = oracleOrder(rowsOf(kind).filter((r) => expected.includes(r.id)), sort as never, order, nocase);
    const limit = 7;
    // Forward.
    const seen: number[] = [];
    let page = queryPage(db, { kind, query, sort, order, limit }, { now: NOW });
    expect(page.prevCursor).toBeNull();
    expect(page.total).toBe(want.length);
    const cursors: (string | null)[] = [];
    for (;;) {
      seen.push(...page.rows.map((r) => r.id as number));
      expect(page.rows.length).toBeLessThanOrEqual(limit);
      if (!page.nextCursor) break;
      cursors.push(page.nextCursor);
      page = queryPage(db, { kind, query, sort, order, limit, cursor: page.nextCursor }, { now: NOW });
      expect(page.total).toBeNull();
      expect(page.prevCursor).not.toBeNull();
    }
    expect(seen).toEqual(want);
    // Back from the last page.
    const back: number[][] = [page.rows.map((r) => r.id as number)];
    while (page.prevCursor) {
      page = queryPage(db, { kind, query, sort, order, limit, cursor: page.prevCursor, direction: 'prev' }, { now: NOW });
      expect(page.rows.length).toBe(limit);
      back.unshift(page.rows.map((r) => r.id as number));
    }
    expect(back.flat()).toEqual(want);
    // Streaming gives the same order.
    expect([...iterateRows(db, kind, query, { sort, order, now: NOW, columns: ['id'] })].map((r) => r.id)).toEqual(want);
  });

  it('sorts by a column of the source (joined), paging included', () => {
    const pathOf = (id: number) => SOURCES.find((x) => x.id === fx.events.find((e) => e.id === id)!.source_id)!.path;
    const want = [...fx.events].sort((a, b) => (pathOf(a.id) === pathOf(b.id) ? b.id - a.id : pathOf(a.id) < pathOf(b.id) ? 1 : -1)).map((e) => e.id);
    const seen: number[] = [];
    let cursor: string | null = null;
    do {
      const page = queryPage(db, { kind: 'events', query: '', sort: 'source_path', order: 'desc', limit: 50, cursor });
      seen.push(...page.rows.map((r) => r.id as number));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual(want);
  });

  it('jumps to the last page with direction prev and no cursor; an empty page after the end leads back', () => {
    const all = ids('events', '');
    const last = queryPage(db, { kind: 'events', query: '', sort: 'id', order: 'asc', limit: 10, direction: 'prev' });
    expect(last.rows.map((r) => r.id)).toEqual(all.slice(-10));
    expect(last.nextCursor).toBeNull();
    expect(last.prevCursor).not.toBeNull();
    // A cursor past the end (rows deleted since): nothing after it, the way back includes the edge row.
    const first = queryPage(db, { kind: 'events', query: 'user:carol', sort: 'id', order: 'asc', limit: 1000 });
    const lastCarol = first.rows[first.rows.length - 1]!.id as number;
    const page1 = queryPage(db, { kind: 'events', query: 'user:carol', sort: 'id', order: 'asc', limit: 1 });
    const edge = Buffer.from(JSON.stringify({ s: 'id', o: 'asc', v: lastCarol, i: lastCarol })).toString('base64url');
    const empty = queryPage(db, { kind: 'events', query: 'user:carol', sort: 'id', order: 'asc', limit: 3, cursor: edge });
    expect(empty.rows).toEqual([]);
    expect(empty.nextCursor).toBeNull();
    const before = queryPage(db, { kind: 'events', query: 'user:carol', sort: 'id', order: 'asc', limit: 3, cursor: empty.prevCursor, direction: 'prev' });
    expect(before.rows.map((r) => r.id)).toEqual(first.rows.slice(-3).map((r) => r.id));
    expect(page1.nextCursor).not.toBeNull();
  });

  it('rejects a cursor of another sort, a bad cursor, a bad sort and a bad limit', () => {
    const p = queryPage(db, { kind: 'events', query: '', limit: 5 });
    expect(() => queryPage(db, { kind: 'events', query: '', sort: 'user', cursor: p.nextCursor })).toThrow(/another sort order/);
    expect(() => queryPage(db, { kind: 'events', query: '', cursor: 'not a cursor' })).toThrow(/invalid cursor/);
    expect(() => queryPage(db, { kind: 'events', query: '', sort: 'explanation' })).toThrow(/cannot sort events by "explanation"/);
    expect(() => queryPage(db, { kind: 'events', query: '', sort: 'nope; DROP TABLE events' })).toThrow(/cannot sort/);
    expect(() => queryPage(db, { kind: 'events', query: '', limit: 0 })).toThrow(/limit/);
  });

  it('returns rows with the documented columns: kind by name, source format and path, UTC ms times', () => {
    const page = queryPage(db, { kind: 'events', query: 'kind:directive', limit: 1, sort: 'id' });
    const row = page.rows[0]!;
    const e = fx.events.find((x) => x.id === row.id)!;
    expect(row).toMatchObject({ kind: 'directive', ts: e.ts, raw: e.raw, format: e.source_id === 1 ? 'w3c' : 'proftpd-system', source_path: e.source_id === 1 ? '/var/log/eft/ex260105.log' : '/var/log/proftpd/proftpd.log' });
    expect('explanation' in row).toBe(true);
    const t = queryPage(db, { kind: 'transfers', query: '', limit: 1 }).rows[0]!;
    expect(Object.keys(t)).toContain('rate_bps');
    expect(countRows(db, 'events', 'kind:event') + countRows(db, 'events', '-kind:event')).toBe(fx.events.length);
  });
});

describe("an events' user, IP, code or path while events_fields lags behind the rows", () => {
  // As a run still indexing (the full-text thread behind) or one that stopped leaves it: the last
  // rows are in neither full-text table yet.
  let lag: Db;
  beforeAll(() => {
    lag = openDatabase(path.join(dir, 'lag.sqlite'));
    loadFixture(lag, fx);
    const keep = fx.events[Math.floor(fx.events.length * 0.6)]!.id;
    unindexLinesAbove(lag, keep);
  });
  afterAll(() => lag.close());

  const idsIn = (d: Db, query: string, sort = 'id', order: 'asc' | 'desc' = 'asc') =>
    [...iterateRows(d, 'events', query, { now: NOW, sort, order, columns: ['id'] })].map((r) => r.id as number);

  it.each(['user:bob', 'user:alice', 'ip:10.0.0.0/8', 'code:5xx', 'code:226', 'path:/in', '-user:bob', 'user:alice OR code:550', 'user:alice code:2xx'])(
    '%s: every row, counted, as with the whole index',
    (query) => {
      const want = idsIn(db, query);
      expect(want.length).toBeGreaterThan(0);
      expect(idsIn(lag, query)).toEqual(want);
      expect(countRows(lag, 'events', query, { now: NOW })).toBe(want.length);
      expect(queryPage(lag, { kind: 'events', query, limit: 500 }, { now: NOW }).rows.map((r) => r.id)).toEqual(
        queryPage(db, { kind: 'events', query, limit: 500 }, { now: NOW }).rows.map((r) => r.id),
      );
    },
  );

  it.each(['user', 'status', 'client_ip', 'path'])('sorted by %s: every row once, in order, paged as streamed', (sort) => {
    const want = idsIn(db, '', sort, 'desc');
    expect(idsIn(lag, '', sort, 'desc')).toEqual(want);
    const seen: number[] = [];
    for (let page = queryPage(lag, { kind: 'events', query: '', sort, order: 'desc', limit: 97 }, { now: NOW }); ; ) {
      seen.push(...page.rows.map((r) => r.id as number));
      if (!page.nextCursor) break;
      page = queryPage(lag, { kind: 'events', query: '', sort, order: 'desc', limit: 97, cursor: page.nextCursor }, { now: NOW });
    }
    expect(seen).toEqual(want);
  });

  it('the lag is real: the postings lists alone miss rows the filters find', () => {
    const bob = lag.prepare("SELECT id FROM strings WHERE dim = 0 AND value = 'bob'").pluck().get() as number;
    const listed = lag.prepare('SELECT count(*) FROM events_fields WHERE events_fields MATCH ?').pluck().get(`u${bob}`) as number;
    expect(listed).toBeLessThan(idsIn(lag, 'user:bob').length);
  });
});
