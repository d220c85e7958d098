/**
 * Every API method called with hostile input, as a compromised or buggy page could send it: wrong
 * types, NaN/Infinity/huge numbers, 1 MB strings, NUL bytes, unknown fields, prototype-pollution
 * keys, missing fields. Each is refused with a 400 naming the method; the host keeps running.
 * Then SQL metacharacters and full-text syntax through every string that reaches a query: each call
 * answers or refuses (never a 5xx), and the database is intact afterwards.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents, ApiInput, ApiMethod } from '../../src-main/api/contract.js';
import { errorReply } from '../../src-main/api/errors.js';
import { createHandlers, type ApiHandlers } from '../../src-main/api/handlers.js';
import { INPUTS } from '../../src-main/api/inputs.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';
import { indexedLineCount } from '../full-text-lag.js';
import { SESSIONS_WIDE } from '../event-rows.js';

type ClientModule = typeof import('../../src-main/worker/index-worker-client.js');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');

const dir = tempDir('xferlens-validate-');
const databasePath = path.join(dir, 'index.sqlite');
const events: { event: ApiEventName; payload: unknown }[] = [];
let client: InstanceType<ClientModule['IndexWorkerClient']>;
let reader: Db | null = null;
let handlers: ApiHandlers;
let ids: { source: number; event: number; session: number };
let chosenExportPath = '';
let chosenReportPath = '';

const readDb = () => (reader ??= openDatabase(databasePath, { readonly: true }));
const call = (method: ApiMethod, input?: unknown) => (handlers[method] as (input: unknown) => Promise<unknown>)(input);

/** Resolves to the status the transports would send (200 for an answer). */
async function statusOf(method: ApiMethod, input: unknown): Promise<{ status: number; error?: string }> {
  try {
    await call(method, input);
    return { status: 200 };
  } catch (err) {
    const { status, body } = errorReply(err);
    return { status, error: body.error };
  }
}

/** A complete, valid input of every method (every optional field given). */
function validInputs(): { [M in ApiMethod]: ApiInput<M> } {
  return {
    'app/info': undefined,
    'app/status': undefined,
    'formats/list': undefined,
    'sources/list': undefined,
    'sources/remove': { id: 999_999 },
    'sources/configure': { id: ids.source, timeZone: 'UTC', logFormat: null },
    'index/open': { paths: [FIXTURES], timeZone: 'UTC', logFormats: [{ name: 'custom', format: '%h %l %u %t "%r" %s %b' }] },
    'index/cancel': { jobId: 'no-such-job' },
    'follow/start': { paths: [path.join(dir, 'ex100408.log')], timeZone: 'UTC', logFormats: [{ name: 'custom', format: '%h %l %u %t "%r" %s %b' }] },
    'follow/stop': { paths: [path.join(dir, 'ex100408.log')] },
    'follow/pause': undefined,
    'follow/resume': undefined,
    'follow/status': undefined,
    'db/stats': undefined,
    'query/page': { kind: 'events', query: 'user:alice', sort: 'ts', order: 'asc', limit: 10, cursor: null, direction: 'next', count: true, timeZone: 'UTC' },
    'query/count': { kind: 'transfers', query: 'status:failed', timeZone: 'Europe/Paris' },
    'query/span': { kind: 'events', query: 'dir:login', timeZone: 'Europe/Paris' },
    'query/hints': { kind: 'events', query: 'failed login', timeZone: 'Europe/Paris', total: 0 },
    'query/aggregate': { kind: 'sessions', query: '', buckets: 50, top: 5, from: 0, to: Date.UTC(2040, 0, 1), timeZone: 'UTC' },
    'query/schema': undefined,
    'query/suggest': { field: 'user', prefix: 'a', kind: 'events', limit: 5 },
    'events/context': { id: ids.event, before: 3, after: 3 },
    'sessions/get': { id: ids.session },
    'explain/lookup': { code: '550', text: 'No such file', protocol: 'ftp', format: 'w3c', verb: 'RETR' },
    'insights/list': { from: 0, to: Date.UTC(2040, 0, 1), burstFailures: 3, burstMinutes: 10, attackIps: 2, repeatedFailures: 2, newClientDays: 7, top: 5 },
    'export/start': { kind: 'transfers', query: '', columns: ['ts', 'user', 'path'], format: 'csv', excel: false, neutralise: true, path: chosenExportPath, timeZone: 'UTC' },
    'export/cancel': { jobId: 'no-such-job' },
    'report/start': { query: 'user:alice', from: 0, to: Date.UTC(2040, 0, 1), timeZone: 'UTC', title: 'Audit', format: 'html', paper: 'letter', maxTransfers: 5, path: chosenReportPath },
    'report/cancel': { jobId: 'no-such-job' },
    'settings/get': undefined,
    'settings/set': { timeDisplay: 'utc', theme: 'dark', savedSearches: [{ name: 'fails', kind: 'transfers', query: 'status:failed' }], history: ['user:alice'], notifications: false, notifyLiveInsights: false },
    'dialog/open': { folders: true },
    'dialog/save': { defaultName: 'transfers.csv', format: 'csv' },
  };
}

const REQUIRED: Partial<Record<ApiMethod, string[]>> = {
  'sources/remove': ['id'],
  'sources/configure': ['id'],
  'index/open': ['paths'],
  'index/cancel': ['jobId'],
  'follow/start': ['paths'],
  'query/page': ['kind', 'query'],
  'query/count': ['kind', 'query'],
  'query/span': ['kind', 'query'],
  'query/hints': ['kind', 'query', 'total'],
  'query/aggregate': ['kind', 'query'],
  'query/suggest': ['field', 'prefix'],
  'events/context': ['id'],
  'sessions/get': ['id'],
  'export/start': ['kind', 'query', 'format', 'path'],
  'export/cancel': ['jobId'],
  'report/start': ['query', 'format', 'path'],
  'report/cancel': ['jobId'],
  'dialog/save': ['defaultName', 'format'],
};
/** Keys where null means something (first page; no LogFormat). */
const NULLABLE = new Set(['cursor', 'logFormat']);

const MB_STRING = 'x'.repeat(1 << 20);
const WRONG_NUMBERS: unknown[] = ['1', true, null, NaN, Infinity, -Infinity, 1e308, -1e308, 1.5, [], {}, 2 ** 53];
const WRONG_BOOLEANS: unknown[] = ['true', 1, 0, null, [], {}];
const wrongStrings = (key: string): unknown[] => [42, true, [], {}, MB_STRING, 'a\0b', ...(NULLABLE.has(key) ? [] : [null])];
const wrongArrays = (first: unknown): unknown[] => ['x', 42, {}, null, true, new Array(100_001).fill(first)];

/** Every hostile replacement for one field, from the type of its valid value. */
function wrongValues(key: string, valid: unknown): unknown[] {
  if (typeof valid === 'number') return WRONG_NUMBERS;
  if (typeof valid === 'boolean') return WRONG_BOOLEANS;
  if (typeof valid === 'string' || valid === null) return wrongStrings(key);
  if (Array.isArray(valid)) {
    const first = valid[0];
    const items: unknown[] = typeof first === 'object' && first !== null
      ? [{ ...first, extra: 1 }, JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(first).slice(1)}`), 42, null]
      : wrongValues(key, first).map((v) => v);
    return [...wrongArrays(first), ...items.map((item) => [item])];
  }
  throw new Error(`no wrong values for ${key}`);
}

/** Hostile versions of a whole input. */
function hostileInputs(method: ApiMethod, valid: unknown): { label: string; input: unknown }[] {
  const out: { label: string; input: unknown }[] = [];
  if (valid === undefined) {
    for (const input of [42, 'x', {}, [], true, { a: 1 }, MB_STRING]) out.push({ label: `no-input method given ${typeof input}`, input });
    return out;
  }
  const base = valid as Record<string, unknown>;
  for (const input of [undefined, null, 42, 'x', [], true, MB_STRING, new (class Foo { x = 1 })()]) out.push({ label: `top-level ${String(input).slice(0, 20)}`, input });
  out.push({ label: 'unknown field', input: { ...base, extra: 1 } });
  out.push({ label: '__proto__ key', input: JSON.parse(`{"__proto__":{"polluted":1},${JSON.stringify(base).slice(1)}`) });
  out.push({ label: 'constructor key', input: { ...base, constructor: { prototype: { polluted: 1 } } } });
  out.push({ label: 'prototype key', input: { ...base, prototype: { polluted: 1 } } });
  for (const key of REQUIRED[method] ?? []) {
    const { [key]: _dropped, ...rest } = base;
    out.push({ label: `without ${key}`, input: rest });
  }
  for (const [key, value] of Object.entries(base)) {
    for (const wrong of wrongValues(key, value)) out.push({ label: `${key} = ${describeValue(wrong)}`, input: { ...base, [key]: wrong } });
  }
  return out;
}

const describeValue = (v: unknown) => (typeof v === 'string' ? (v.length > 20 ? `string(${v.length})` : JSON.stringify(v)) : Array.isArray(v) ? `array(${v.length})` : String(v));

function snapshot(db: Db) {
  const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  return {
    tables: (db.prepare("SELECT name FROM sqlite_schema WHERE type IN ('table', 'index') ORDER BY name").all() as { name: string }[]).map((r) => r.name),
    counts: ['sources', 'events', 'sessions', 'transfers', 'meta'].map(count),
    fts: indexedLineCount(db),
  };
}

beforeAll(async () => {
  writeLines(path.join(dir, 'ex100408.log'), EFT_W3C_SAMPLE);
  const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
  client = new IndexWorkerClient({ databasePath });
  await client.start();
  handlers = createHandlers({
    mode: 'desktop',
    databasePath,
    readDb,
    openReadDb: () => openDatabase(databasePath, { readonly: true }),
    writer: client,
    emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void events.push({ event, payload }),
    canOpenPaths: true,
    dialogs: { open: async () => [], save: async ({ defaultName }) => path.join(dir, defaultName) },
  });
  await handlers['index/open']({ paths: [FIXTURES, path.join(dir, 'ex100408.log')] });
  const db = readDb();
  const one = (sql: string) => (db.prepare(sql).get() as { id: number }).id;
  ids = {
    source: one("SELECT id FROM sources WHERE path LIKE '%xferlog'"),
    event: one("SELECT id FROM events WHERE status_id IS NOT NULL AND session_id IS NOT NULL LIMIT 1"),
    session: one(`SELECT id FROM ${SESSIONS_WIDE} WHERE user = 'alice' LIMIT 1`),
  };
});

afterAll(async () => {
  reader?.close();
  await client?.stop();
});

describe('API input validation', () => {
  it('every method of the contract has a validator and a handler', () => {
    expect(Object.keys(INPUTS).sort()).toEqual(Object.keys(handlers).sort());
    expect(Object.keys(validInputs()).sort()).toEqual(Object.keys(handlers).sort());
  });

  it('accepts the complete valid input of every method', async () => {
    chosenExportPath = (await handlers['dialog/save']({ defaultName: 'valid.csv', format: 'csv' })).path!;
    chosenReportPath = (await handlers['dialog/save']({ defaultName: 'valid.html', format: 'html' })).path!;
    const valid = validInputs();
    for (const method of Object.keys(valid) as ApiMethod[]) {
      const result = await statusOf(method, valid[method]);
      expect(result, method).toEqual({ status: 200 });
    }
    // The export started above ran to its end.
    await until(() => events.some((e) => e.event === 'export/finished'));
    const { total } = await handlers['query/count']({ kind: 'transfers', query: '' });
    expect(total).toBeGreaterThan(20);
    expect(events.find((e) => e.event === 'export/finished')?.payload).toMatchObject({ path: chosenExportPath, rows: total });
    expect(fs.readFileSync(chosenExportPath, 'utf8').split('\n')[0]).toBe('ts,user,path');
    await until(() => events.some((e) => e.event === 'report/finished'));
    expect(events.find((e) => e.event === 'report/finished')?.payload).toMatchObject({ path: chosenReportPath });
    expect(fs.readFileSync(chosenReportPath, 'utf8')).toContain('<h1>Audit</h1>');
  });

  it('refuses hostile input to every method with a 400 naming the method, and stays up', async () => {
    const before = snapshot(readDb());
    const valid = validInputs();
    let refused = 0;
    for (const method of Object.keys(valid) as ApiMethod[]) {
      for (const { label, input } of hostileInputs(method, valid[method])) {
        const result = await statusOf(method, input);
        expect(result.status, `${method}: ${label} → ${result.error}`).toBe(400);
        expect(result.error, `${method}: ${label}`).toMatch(new RegExp(`^${method}: `));
        expect(result.error!.length, `${method}: ${label}`).toBeLessThan(400);
        refused++;
      }
    }
    expect(refused).toBeGreaterThan(700);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
    expect(snapshot(readDb())).toEqual(before);
    // The host still answers.
    expect((await handlers['db/stats']()).sources).toBe(before.counts[0]);
  });

  it('says what is wrong, in words', async () => {
    const refusal = async (method: ApiMethod, input: unknown) => (await statusOf(method, input)).error;
    expect(await refusal('query/page', { kind: 'events', query: '', limit: 0 })).toBe('query/page: limit must be an integer 1..1000 (got 0)');
    expect(await refusal('query/page', { kind: 'logs', query: '' })).toBe('query/page: kind must be one of events, sessions, transfers (got "logs")');
    expect(await refusal('query/page', { kind: 'events', query: MB_STRING })).toBe('query/page: query must be at most 4000 characters (got 1048576)');
    expect(await refusal('query/page', { kind: 'events', query: '', sql: 'x' })).toMatch(/^query\/page: input has unknown field "sql" \(known: kind, query, /);
    expect(await refusal('index/open', { paths: ['relative/path'] })).toBe('index/open: paths[0] must be an absolute path (got "relative/path")');
    expect(await refusal('index/open', { paths: ['/x'], timeZone: 'Mars/Olympus' })).toBe('index/open: timeZone must be an IANA time zone such as Europe/Paris (got "Mars/Olympus")');
    expect(await refusal('explain/lookup', { protocol: 'ftp' })).toBe('explain/lookup: input needs code or text');
    expect(await refusal('follow/start', { paths: Array.from({ length: 101 }, (_, i) => `/logs/${i}.log`) })).toBe('follow/start: paths must have at most 100 items (got 101)');
    expect(await refusal('follow/stop', { paths: ['logs/x.log'] })).toBe('follow/stop: paths[0] must be an absolute path (got "logs/x.log")');
    expect(await refusal('follow/stop', { paths: [] })).toBe('follow/stop: paths must have at least 1 item');
    expect(await refusal('follow/pause', { all: true })).toBe('follow/pause: takes no input (got an object)');
    expect(await refusal('settings/set', { notifyLiveInsights: 'yes' })).toBe('settings/set: notifyLiveInsights must be true or false (got "yes")');
    expect(await refusal('settings/set', { savedSearches: [{ name: 'a', kind: 'events', query: 'x', sql: 1 }] })).toMatch(/^settings\/set: savedSearches\[0\] has unknown field "sql"/);
    expect(await refusal('db/stats', { a: 1 })).toBe('db/stats: takes no input (got an object)');
  });

  it('a search mistake is refused with its column', async () => {
    await expect(call('query/page', { kind: 'events', query: 'user:alice usr:x' })).rejects.toMatchObject({ column: 12 });
    expect(errorReply(await call('query/count', { kind: 'sessions', query: 'verb:stor' }).catch((e: unknown) => e))).toEqual({
      status: 400,
      body: { error: expect.stringMatching(/"verb:" does not apply to sessions at column 1/), column: 1 },
    });
  });

  it('SQL metacharacters and full-text syntax in every query-ish string: answered or refused, never a failure; the database is intact', async () => {
    const before = snapshot(readDb());
    const rowsBefore = await handlers['query/page']({ kind: 'events', query: '', limit: 1000 });
    const payloads = [
      "'; DROP TABLE events;--", '"; DROP TABLE events;--', "' OR 1=1 --", "') UNION SELECT * FROM sources --", "1; DELETE FROM sources",
      'NEAR(alice bob)', 'alice AND OR', '"unterminated', '*', '^alice', 'events_fts:x', 'text:x', '{raw text}: x', 'a NOT', 'OR', '(', ')', '-',
      '\\', '%', '_', "user:'; DROP TABLE events;--", 'path:"/a\'b"', 'ip:1.2.3.4/99', 'ip:::ffff:1.2.3.4/200', 'bytes:>1e999', 'code:5x', 'after:99999999999999',
      'session:99999999999999999999', 'user:%', 'file:*%_*', 'source:\';--', '"a" "b" OR (c -d)', 'x'.repeat(4000), '(((((((((('.repeat(40), 'ü*Ω*', '\u{10FFFF}', '\ud800',
    ];
    const outcomes: number[] = [];
    const attempt = async (method: ApiMethod, input: unknown) => {
      const r = await statusOf(method, input);
      expect(r.status === 200 || r.status === 400 || r.status === 404, `${method} ${JSON.stringify(input).slice(0, 200)} → ${r.status} ${r.error}`).toBe(true);
      outcomes.push(r.status);
    };
    for (const p of payloads) {
      for (const kind of ['events', 'sessions', 'transfers'] as const) {
        await attempt('query/page', { kind, query: p, limit: 5 });
        await attempt('query/count', { kind, query: p });
        await attempt('query/aggregate', { kind, query: p, buckets: 10 });
        for (const field of ['user', 'ip', 'verb', 'code', 'proto', 'server', 'format', 'path'] as const) {
          await attempt('query/suggest', { field, prefix: p.slice(0, 200), kind });
        }
      }
      await attempt('query/page', { kind: 'events', query: '', sort: p.slice(0, 64) });
      await attempt('query/page', { kind: 'events', query: '', cursor: p.slice(0, 4096) });
      await attempt('query/page', { kind: 'events', query: '', cursor: Buffer.from(JSON.stringify({ s: 'ts', o: 'asc', v: p, i: 1 })).toString('base64url') });
      await attempt('explain/lookup', { code: p.slice(0, 100), text: p, protocol: p.slice(0, 32), format: p.slice(0, 64), verb: p.slice(0, 32) });
      await attempt('explain/lookup', { text: p });
      await attempt('index/open', { paths: ['/nonexistent/' + p.slice(0, 100)], timeZone: p.slice(0, 64) });
      await attempt('sources/configure', { id: ids.source, logFormat: p.slice(0, 1000) });
    }
    // Suggestions match what was typed literally: LIKE wildcards are not wildcards.
    expect(await handlers['query/suggest']({ field: 'verb', prefix: '%' })).toEqual([]);
    expect((await handlers['query/suggest']({ field: 'verb', prefix: '' })).length).toBeGreaterThan(0);
    // Strings stored in settings come back exactly.
    const stored = await handlers['settings/set']({ history: payloads.filter((p) => p.length <= 4000).slice(0, 100), savedSearches: [{ name: "'; DROP TABLE meta;--", kind: 'events', query: payloads[0]! }] });
    expect(await handlers['settings/get']()).toEqual(stored);
    expect(stored.savedSearches[0]!.name).toBe("'; DROP TABLE meta;--");

    // Both answers and refusals happened: the payloads reached the query code.
    expect(outcomes.filter((s) => s === 200).length).toBeGreaterThan(100);
    expect(outcomes.filter((s) => s === 400).length).toBeGreaterThan(20);
    // The configure calls re-read the xferlog from its start: same rows again.
    await handlers['sources/configure']({ id: ids.source, logFormat: null });
    const after = snapshot(readDb());
    expect(after.tables).toEqual(before.tables);
    expect(after.counts.slice(0, 4)).toEqual(before.counts.slice(0, 4));
    expect(after.fts).toBe(before.fts);
    expect((await handlers['query/page']({ kind: 'events', query: '', limit: 1000 })).rows.map((r) => r.raw)).toEqual(rowsBefore.rows.map((r) => r.raw));
    const check = openDatabase(databasePath, { readonly: true });
    try {
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
    } finally {
      check.close();
    }
  });
});

async function until(ok: () => boolean): Promise<void> {
  for (let i = 0; i < 500 && !ok(); i++) await new Promise((r) => setTimeout(r, 20));
  if (!ok()) throw new Error('timed out');
}
