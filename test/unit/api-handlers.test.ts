/**
 * The API handlers over the real writer worker (the built dist/src-main/worker/index-worker.js,
 * in a Node worker thread exactly as Electron's main process runs it): formats, indexing with
 * progress events, sources, stats, input validation and cancellation, and follow mode on logs this
 * file appends to (batches, pause/resume, live failed-login bursts).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents } from '../../src-main/api/contract.js';
import { createHandlers, relayFollowEvents, type ApiHandlers } from '../../src-main/api/handlers.js';
import { FORMATS } from '../../src-main/core/formats/registry.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { readMeta } from '../../src-main/core/store/meta.js';
import { FOLLOWED_META_KEY, type FromWorker, type IndexWorkerData, type ToWorker } from '../../src-main/worker/index-worker.js';
import { cliJson, EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';
import { indexedLineCount } from '../full-text-lag.js';

type ClientModule = typeof import('../../src-main/worker/index-worker-client.js');
const WORKER = path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker.js');

/**
 * An EFT W3C log of about `mb` MiB: the sample's event lines repeated, on another day than the
 * sample itself (so no other source overlaps it in time and transfer matching stays out of it).
 */
function bigLog(file: string, mb: number): void {
  const otherDay = (l: string) => l.replaceAll('2010-04-08', '2011-05-09');
  const header = EFT_W3C_SAMPLE.slice(0, 4).map(otherDay);
  const body = EFT_W3C_SAMPLE.slice(4).map(otherDay);
  const lines: string[] = [...header];
  let size = 0;
  for (let i = 0; size < mb * 1024 * 1024; i++) {
    const line = body[i % body.length]!;
    lines.push(line);
    size += line.length + 2;
  }
  writeLines(file, lines);
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
async function until(what: string, ok: () => boolean | Promise<boolean>, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await ok())) {
    if (Date.now() > deadline) throw new Error(`timed out after ${ms} ms waiting for ${what}`);
    await sleep(20);
  }
}

describe('API handlers with the writer worker', () => {
  const dir = tempDir();
  const databasePath = path.join(dir, 'index.sqlite');
  const logs = path.join(dir, 'logs');
  const events: { event: ApiEventName; payload: unknown }[] = [];
  let client: InstanceType<ClientModule['IndexWorkerClient']>;
  let reader: Db | null = null;
  let handlers: ApiHandlers;

  beforeAll(async () => {
    fs.mkdirSync(logs);
    writeLines(path.join(logs, 'ex100408.log'), EFT_W3C_SAMPLE);
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    client = new IndexWorkerClient({ databasePath });
    await client.start(); // creates and migrates the database
    handlers = createHandlers({
      mode: 'desktop',
      databasePath,
      readDb: () => (reader ??= openDatabase(databasePath, { readonly: true })),
      openReadDb: () => openDatabase(databasePath, { readonly: true }),
      writer: client,
      emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void events.push({ event, payload }),
      canOpenPaths: true,
    });
  });

  afterAll(async () => {
    reader?.close();
    await client?.stop();
  });

  it('formats/list is the format registry', async () => {
    const formats = await handlers['formats/list']();
    expect(formats.map((f) => f.id)).toEqual(FORMATS.map((f) => f.id));
    expect(formats.every((f) => f.label && f.timestamp && f.extracts)).toBe(true);
  });

  it('db/stats and sources/list answer on an empty database', async () => {
    expect(await handlers['db/stats']()).toEqual({ path: databasePath, sources: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, formats: {} });
    expect(await handlers['sources/list']()).toEqual([]);
  });

  it('index/open indexes in the worker what the CLI indexes, with started/progress/finished events', async () => {
    events.length = 0;
    const result = await handlers['index/open']({ paths: [logs] });
    const cli = cliJson(['index', '--db', path.join(dir, 'cli.sqlite'), logs]);
    const { jobId, cancelled, ms: _ms, ...counts } = result;
    const { ms: _cliMs, ...cliCounts } = cli as typeof result;
    expect(counts).toEqual(cliCounts);
    expect(cancelled).toBe(false);
    expect(counts).toMatchObject({ files: 1, lines: 11, events: 7, directives: 4, unparsed: 0, formats: { w3c: 1 }, errors: [] });

    expect(events[0]).toEqual({ event: 'index/started', payload: { jobId, paths: [logs] } });
    expect(events.at(-2)).toEqual({ event: 'index/finished', payload: result });
    expect(events.at(-1)).toEqual({ event: 'sources/changed', payload: { reason: 'index' } });
    const progress = events.filter((e) => e.event === 'index/progress').map((e) => e.payload as ApiEvents['index/progress']);
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((p) => p.jobId === jobId && p.file.endsWith('ex100408.log') && p.bytesTotal === fs.statSync(path.join(logs, 'ex100408.log')).size)).toBe(true);

    const [source] = await handlers['sources/list']();
    expect(source).toMatchObject({ path: path.join(logs, 'ex100408.log'), format: 'w3c', lines: 11, events: 7, directives: 4, unparsed: 0 });
    expect(await handlers['db/stats']()).toMatchObject({ sources: 1, lines: 11, events: 7, formats: { w3c: 1 } });
  });

  it('index/open reports unreadable inputs in the result, like the CLI', async () => {
    const missing = path.join(dir, 'no-such-file.log');
    const result = await handlers['index/open']({ paths: [missing] });
    expect(result.files).toBe(0);
    expect(result.errors.map((e) => e.path)).toEqual([missing]);
  });

  it('refuses malformed input from the UI', async () => {
    const open = handlers['index/open'] as (input: unknown) => Promise<unknown>;
    for (const bad of [undefined, null, {}, { paths: [] }, { paths: [''] }, { paths: [42] }, { paths: 'x' }, { paths: ['/x'], timeZone: 5 }, { paths: ['/x'], logFormats: [{ name: 'a' }] }]) {
      await expect(open(bad), JSON.stringify(bad)).rejects.toThrow(/index\/open/);
    }
    const cancel = handlers['index/cancel'] as (input: unknown) => Promise<unknown>;
    await expect(cancel({})).rejects.toThrow(/jobId/);
    expect(await handlers['index/cancel']({ jobId: 'unknown' })).toEqual({ cancelled: false });
  });

  it('index/cancel stops a running job; what was committed stays, and a later run completes it', async () => {
    const big = path.join(dir, 'big');
    fs.mkdirSync(big);
    bigLog(path.join(big, 'ex200101.log'), 6);
    events.length = 0;
    const running = handlers['index/open']({ paths: [big] });
    // Cancel as soon as the job reports progress (its first batch is committed by then).
    const cancel = await new Promise<{ cancelled: boolean }>((resolve, reject) => {
      const check = setInterval(() => {
        const p = events.find((e) => e.event === 'index/progress');
        if (!p) return;
        clearInterval(check);
        handlers['index/cancel']({ jobId: (p.payload as ApiEvents['index/progress']).jobId }).then(resolve, reject);
      }, 5);
    });
    expect(cancel).toEqual({ cancelled: true });
    const result = await running;
    expect(result.cancelled).toBe(true);
    const totalLines = fs.readFileSync(path.join(big, 'ex200101.log'), 'latin1').split('\r\n').length - 1;
    const again = await handlers['index/open']({ paths: [big] });
    expect(again.cancelled).toBe(false);
    const [source] = (await handlers['sources/list']()).filter((s) => s.path.startsWith(big));
    expect(source?.lines).toBe(totalLines);
    expect(result.lines + again.lines).toBe(totalLines);
  });

  it('a cancel that arrives before the worker has the job settles it without running it', async () => {
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    const fresh = new IndexWorkerClient({ databasePath: path.join(dir, 'fresh.sqlite') });
    const job = fresh.run('early', { paths: [logs] }, () => undefined);
    expect(fresh.cancel('early')).toBe(true);
    await expect(job).resolves.toMatchObject({ cancelled: true, summary: { files: 0, lines: 0 } });
    await fresh.stop();
  });
});

describe('index worker protocol', () => {
  it('runs jobs one after the other; a queued job can be cancelled before it starts', async () => {
    const dir = tempDir();
    writeLines(path.join(dir, 'ex100408.log'), EFT_W3C_SAMPLE);
    const data: IndexWorkerData = { role: 'xferlens-index-worker', databasePath: path.join(dir, 'index.sqlite') };
    const worker = new Worker(WORKER, { workerData: data });
    const received: FromWorker[] = [];
    const ended = new Promise<void>((resolve) =>
      worker.on('message', (m: FromWorker) => {
        received.push(m);
        if (m.type === 'ready') {
          // All three in one go: B is still queued behind A when its cancel arrives.
          const send = (m: ToWorker) => worker.postMessage(m);
          send({ type: 'index', jobId: 'A', request: { paths: [dir] } });
          send({ type: 'index', jobId: 'B', request: { paths: [dir] } });
          send({ type: 'cancel', jobId: 'B' });
        }
        if (m.type === 'done' && m.jobId === 'A') resolve();
      }),
    );
    await ended;
    await worker.terminate();
    const done = received.filter((m): m is Extract<FromWorker, { type: 'done' }> => m.type === 'done');
    expect(done.map((d) => [d.jobId, d.cancelled, d.summary.files])).toEqual([
      ['B', true, 0],
      ['A', false, 1],
    ]);
  });

  it('reports a database it cannot open instead of starting', async () => {
    const dir = tempDir();
    const notADb = path.join(dir, 'not.sqlite');
    fs.writeFileSync(notADb, 'this is not an SQLite file, just text that is long enough to be read as a header');
    const data: IndexWorkerData = { role: 'xferlens-index-worker', databasePath: notADb };
    const worker = new Worker(WORKER, { workerData: data });
    const first = await new Promise<FromWorker>((resolve) => worker.once('message', resolve));
    await worker.terminate();
    expect(first.type).toBe('fatal');
    expect((first as { message: string }).message).toMatch(/not an xferlens database|not a database/);
  });

  it('says the database is busy when another process keeps writing past the wait', async () => {
    const dir = tempDir();
    writeLines(path.join(dir, 'ex100408.log'), EFT_W3C_SAMPLE);
    const databasePath = path.join(dir, 'index.sqlite');
    process.env.XFERLENS_BUSY_TIMEOUT_MS = '200'; // the worker's env is a copy taken at its start
    const worker = new Worker(WORKER, { workerData: { role: 'xferlens-index-worker', databasePath } satisfies IndexWorkerData });
    delete process.env.XFERLENS_BUSY_TIMEOUT_MS;
    const other = new Database(databasePath);
    const settled = new Promise<FromWorker>((resolve) =>
      worker.on('message', (m: FromWorker) => {
        if (m.type === 'ready') {
          other.exec('BEGIN IMMEDIATE');
          worker.postMessage({ type: 'index', jobId: 'A', request: { paths: [dir] } } satisfies ToWorker);
        }
        if (m.type === 'failed' || m.type === 'done') resolve(m);
      }),
    );
    const m = await settled;
    other.exec('ROLLBACK');
    other.close();
    await worker.terminate();
    expect(m).toEqual({ type: 'failed', jobId: 'A', message: expect.stringMatching(/^\S+index\.sqlite is busy: another xferlens process .* Nothing was lost/) });
  });
});

describe('API handlers: details, suggestions, settings, export, source changes', () => {
  const dir = tempDir();
  const databasePath = path.join(dir, 'index.sqlite');
  const fixtures = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');
  const events: { event: ApiEventName; payload: unknown }[] = [];
  let client: InstanceType<ClientModule['IndexWorkerClient']>;
  let reader: Db | null = null;
  const readDb = () => (reader ??= openDatabase(databasePath, { readonly: true }));
  let handlers: ApiHandlers;
  let browser: ApiHandlers;

  beforeAll(async () => {
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    client = new IndexWorkerClient({ databasePath });
    await client.start();
    const backend = {
      databasePath,
      readDb,
      openReadDb: () => openDatabase(databasePath, { readonly: true }),
      writer: client,
      emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void events.push({ event, payload }),
    };
    handlers = createHandlers({ ...backend, mode: 'desktop', canOpenPaths: true, dialogs: { open: async () => [fixtures], save: async ({ defaultName }) => path.join(dir, defaultName) } });
    browser = createHandlers({ ...backend, mode: 'browser', canOpenPaths: false });
    await handlers['index/open']({ paths: [fixtures] });
  });

  afterAll(async () => {
    reader?.close();
    await client?.stop();
  });

  it('app/info tells the UI what the host offers', async () => {
    expect(await handlers['app/info']()).toMatchObject({ mode: 'desktop', databasePath, canOpenPaths: true, canExportToFile: true, nativeDialogs: true });
    expect(await browser['app/info']()).toMatchObject({ mode: 'browser', canOpenPaths: false, canExportToFile: false, nativeDialogs: false });
  });

  it('query/page, count and aggregate answer like the query module', async () => {
    const page = await handlers['query/page']({ kind: 'transfers', query: 'user:alice status:failed' });
    expect(page.rows.map((r) => r.path).sort()).toEqual(['/sftp/nope.bin', 'missing.txt']);
    expect(page.total).toBe(2);
    expect(await handlers['query/count']({ kind: 'transfers', query: 'user:alice status:failed' })).toEqual({ total: 2 });
    const charts = await handlers['query/aggregate']({ kind: 'sessions', query: '', top: 3 });
    expect(charts.total).toBe(8);
    // bob: 4 sessions (two with a wrong password), alice 2.
    expect(charts.top.users.slice(0, 2)).toEqual([{ value: 'bob', count: 4 }, { value: 'alice', count: 2 }]);
  });

  it('query/schema lists every field and the columns of each kind', async () => {
    const schema = await handlers['query/schema']();
    expect(schema.fields.map((f) => f.name)).toContain('user');
    expect(schema.fields.find((f) => f.name === 'verb')?.kinds).toEqual(['events']);
    expect(schema.fields.find((f) => f.name === 'proto')?.aliases).toEqual(['protocol']);
    expect(schema.fields.find((f) => f.name === 'status')?.values).toEqual(['success', 'failed', 'incomplete']);
    expect(schema.columns.transfers.find((c) => c.name === 'bytes')).toEqual({ name: 'bytes', label: 'Bytes', type: 'bytes', sortable: true });
    expect(schema.defaultSort.sessions).toEqual({ sort: 'start_ts', order: 'desc' });
  });

  it('query/suggest completes values by prefix, most frequent first', async () => {
    const users = await handlers['query/suggest']({ field: 'user', prefix: '', kind: 'sessions' });
    expect(users.slice(0, 2)).toEqual(['bob', 'alice']);
    expect(await handlers['query/suggest']({ field: 'user', prefix: 'AL', kind: 'sessions' })).toEqual(['alice']);
    expect(await handlers['query/suggest']({ field: 'path', prefix: '/sftp/no', kind: 'transfers' })).toEqual(['/sftp/nope.bin']);
    expect(await handlers['query/suggest']({ field: 'verb', prefix: 'STO' })).toEqual(['stor']);
    expect(await handlers['query/suggest']({ field: 'format', prefix: 'proftpd-e' })).toEqual(['proftpd-extended']);
    await expect(handlers['query/suggest']({ field: 'verb', prefix: '', kind: 'sessions' })).rejects.toThrow(/verb values exist for events only/);
  });

  it('events/context: the line, its neighbours in its file and the explanation of its code', async () => {
    const [failed] = (await handlers['query/page']({ kind: 'events', query: 'code:550 format:xferlog OR (code:550 source:ext-default)', limit: 1 })).rows;
    const id = failed!.id as number;
    const context = await handlers['events/context']({ id, before: 2, after: 2 });
    expect(context.event.id).toBe(id);
    expect(context.source.path).toBe(failed!.source_path);
    expect(context.lines.map((l) => l.lineNo)).toEqual([-2, -1, 0, 1, 2].map((d) => (failed!.line_no as number) + d).filter((n) => n >= 1));
    expect(context.lines.find((l) => l.id === id)?.raw).toBe(failed!.raw);
    expect(context.explanations[0]).toMatchObject({ code: '550', table: 'ftp' });
    await expect(handlers['events/context']({ id: 99_999_999 })).rejects.toMatchObject({ status: 404 });
  });

  it("sessions/get: a session's timeline, transfers and explanations", async () => {
    const [failed] = (await handlers['query/page']({ kind: 'transfers', query: 'file:nope.bin', limit: 1 })).rows;
    const [session] = (await handlers['query/page']({ kind: 'sessions', query: `session:${failed!.session_id}`, limit: 1 })).rows;
    const detail = await handlers['sessions/get']({ id: session!.id as number });
    expect(detail.session.id).toBe(session!.id);
    expect(detail.events.length).toBe(session!.events);
    expect(detail.events.every((e) => e.session_id === session!.id)).toBe(true);
    const times = detail.events.map((e) => e.ts as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(detail.transfers.map((t) => t.path)).toContain('/sftp/nope.bin');
    expect(detail.eventsTruncated).toBe(false);
    expect(detail.explanations['2']?.[0]).toMatchObject({ table: 'sftp', name: 'SSH_FX_NO_SUCH_FILE' });
  });

  it('explain/lookup: a code with its context, else the text', async () => {
    expect((await handlers['explain/lookup']({ code: '2', protocol: 'sftp' }))[0]).toMatchObject({ table: 'sftp', name: 'SSH_FX_NO_SUCH_FILE' });
    expect((await handlers['explain/lookup']({ text: 'connection reset by peer (WSAECONNRESET)' })).map((x) => x.table)).toContain('winsock');
  });

  it('insights/list: the same findings as the insights module', async () => {
    const insights = await handlers['insights/list']({ attackIps: 2 });
    expect(insights.map((i) => i.id)).toEqual(expect.arrayContaining(['failed-login-bursts', 'repeated-failures']));
    expect(insights.every((i) => i.findings.every((f) => typeof f.query === 'string'))).toBe(true);
  });

  it('settings: defaults, then what was set, stored in the database', async () => {
    expect(await handlers['settings/get']()).toEqual({ timeDisplay: 'local', theme: 'system', savedSearches: [], history: [], notifications: true, notifyLiveInsights: false });
    const set = await handlers['settings/set']({ theme: 'dark', savedSearches: [{ name: 'failed uploads', kind: 'transfers', query: 'dir:upload status:failed' }] });
    expect(set).toMatchObject({ theme: 'dark', timeDisplay: 'local' });
    expect(await handlers['settings/get']()).toEqual(set);
    const stored = readDb().prepare("SELECT value FROM meta WHERE key = 'ui_settings'").get() as { value: string };
    expect(JSON.parse(stored.value)).toEqual(set);
  });

  it('export/start writes only to a path chosen in the save dialog, with progress and end events', async () => {
    const unchosen = path.join(dir, 'elsewhere.csv');
    await expect(handlers['export/start']({ kind: 'transfers', query: '', format: 'csv', path: unchosen })).rejects.toMatchObject({ status: 403 });
    const { path: chosen } = await handlers['dialog/save']({ defaultName: 'failed.csv', format: 'csv' });
    await expect(handlers['export/start']({ kind: 'transfers', query: 'usr:x', format: 'csv', path: chosen! })).rejects.toMatchObject({ column: 1 });
    events.length = 0;
    const { jobId } = await handlers['export/start']({ kind: 'transfers', query: 'status:failed', columns: ['user', 'path', 'code'], format: 'csv', path: chosen! });
    for (let i = 0; i < 500 && !events.some((e) => e.event === 'export/finished'); i++) await new Promise((r) => setTimeout(r, 10));
    expect(events.find((e) => e.event === 'export/finished')?.payload).toMatchObject({ jobId, path: chosen, rows: 2 });
    expect(events.filter((e) => e.event === 'export/progress').at(-1)?.payload).toEqual({ jobId, rows: 2, total: 2 });
    const lines = fs.readFileSync(chosen!, 'utf8').trim().split('\n');
    expect(lines.sort()).toEqual(['alice,/sftp/nope.bin,2', 'alice,missing.txt,550', 'user,path,code']);
    // The dialog's answer is good for one export only.
    await expect(handlers['export/start']({ kind: 'transfers', query: '', format: 'csv', path: chosen! })).rejects.toMatchObject({ status: 403 });
    expect(await handlers['export/cancel']({ jobId })).toEqual({ cancelled: false });
  });

  it('browser mode refuses server-side file writes, native dialogs and (off loopback) opening paths', async () => {
    await expect(browser['export/start']({ kind: 'events', query: '', format: 'csv', path: path.join(dir, 'x.csv') })).rejects.toThrow(/download/);
    await expect(browser['dialog/save']({ defaultName: 'x.csv', format: 'csv' })).rejects.toMatchObject({ status: 403 });
    await expect(browser['index/open']({ paths: [fixtures] })).rejects.toMatchObject({ status: 403 });
    expect(fs.existsSync(path.join(dir, 'x.csv'))).toBe(false);
  });

  it('sources/configure reads a file again with new options; sources/remove forgets it, and sessions follow', async () => {
    const source = (await handlers['sources/list']()).find((s) => s.path.endsWith('ext-custom.log'))!;
    const customFormat = '%{iso8601} %a %P %{protocol} %u %m "%J" %s %b %{transfer-status} %R "%f" %T';
    events.length = 0;
    // None of the built-in LogFormats reads this file: its lines are kept unparsed.
    expect(source).toMatchObject({ events: 0, unparsed: source.lines, logFormat: null });
    const result = await handlers['sources/configure']({ id: source.id, logFormat: customFormat, timeZone: 'UTC' });
    expect(result).toMatchObject({ files: 1, lines: source.lines, cancelled: false });
    expect(events.map((e) => e.event).filter((e) => e !== 'index/progress')).toEqual(['index/started', 'index/finished', 'sources/changed']);
    const utc = (await handlers['sources/list']()).find((s) => s.id === source.id)!;
    expect(utc).toMatchObject({ lines: source.lines, logFormat: customFormat, timeZone: 'UTC', format: 'proftpd-extended', unparsed: 0 });
    expect(utc.events).toBeGreaterThan(0);
    // %{iso8601} is local time: read as Tokyo time (UTC+9) the same lines are 9 hours earlier. The LogFormat is kept.
    await handlers['sources/configure']({ id: source.id, timeZone: 'Asia/Tokyo' });
    const again = (await handlers['sources/list']()).find((s) => s.id === source.id)!;
    expect(again).toMatchObject({ lines: source.lines, events: utc.events, logFormat: customFormat, timeZone: 'Asia/Tokyo' });
    expect(again.firstTs).toBe(utc.firstTs! - 9 * 3_600_000);
    await expect(handlers['sources/configure']({ id: 99_999 })).rejects.toMatchObject({ status: 404 });

    const sessionsBefore = (await handlers['query/count']({ kind: 'sessions', query: '' })).total;
    const eventsBefore = (await handlers['db/stats']()).events;
    expect(await handlers['sources/remove']({ id: source.id })).toEqual({ removed: true });
    expect(events.at(-1)).toEqual({ event: 'sources/changed', payload: { reason: 'remove' } });
    expect((await handlers['sources/list']()).some((s) => s.id === source.id)).toBe(false);
    expect((await handlers['db/stats']()).events).toBe(eventsBefore - again.events);
    const db = readDb();
    expect((db.prepare('SELECT count(*) AS n FROM events WHERE source_id = ?').get(source.id) as { n: number }).n).toBe(0);
    expect(indexedLineCount(db)).toBe((db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
    expect((db.prepare('SELECT count(*) AS n FROM sessions WHERE source_id = ?').get(source.id) as { n: number }).n).toBe(0);
    expect((await handlers['query/count']({ kind: 'sessions', query: '' })).total).toBeLessThanOrEqual(sessionsBefore);
    expect(await handlers['sources/remove']({ id: source.id })).toEqual({ removed: false });
  });
});

describe('API handlers: follow mode', () => {
  const dir = tempDir('xferlens-follow-api-');
  const databasePath = path.join(dir, 'index.sqlite');
  const logs = path.join(dir, 'logs');
  const log = path.join(logs, 'u_ex260401.log');
  const other = path.join(dir, 'other', 'u_ex260402.log');
  const events: { event: ApiEventName; payload: any }[] = [];
  let client: InstanceType<ClientModule['IndexWorkerClient']>;
  let reader: Db | null = null;
  let handlers: ApiHandlers;
  let browser: ApiHandlers;
  let stopRelay: () => void;
  let second = 0;

  const HEADER = ['#Software: Globalscape EFT Server', '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port'];
  /** Lines one second apart from 2026-04-01 10:00:00 on. */
  const stamp = () => new Date(Date.UTC(2026, 3, 1, 10, 0, 0) + 1000 * second++).toISOString().replace('T', ' ').slice(0, 19);
  /** A session that logs in and uploads a file. */
  const upload = (session: number, file: string) => [
    `${stamp()} 198.51.100.4 - alice [${session}]user alice - 331 - - - 21`,
    `${stamp()} 198.51.100.4 - alice [${session}]pass ******* - 230 - - - 21`,
    `${stamp()} 198.51.100.4 - alice [${session}]created /in/${file} - 226 - 100 - 21`,
  ];
  /** `n` failed logins from one IP, one second apart. */
  const failedLogins = (ip: string, n: number, firstSession: number) =>
    Array.from({ length: n }, (_, i) => [
      `${stamp()} ${ip} - mallory [${firstSession + i}]user mallory - 331 - - - 21`,
      `${stamp()} ${ip} - mallory [${firstSession + i}]pass ******* - 530 - - - 21`,
    ]).flat();
  const append = (file: string, lines: string[]) => fs.appendFileSync(file, lines.map((l) => l + '\r\n').join(''));
  /** Matching rows (events: log events, not the W3C header lines). */
  const count = async (kind: 'events' | 'sessions' | 'transfers', query = kind === 'events' ? 'kind:event' : '') => (await handlers['query/count']({ kind, query })).total;
  beforeAll(async () => {
    fs.mkdirSync(logs);
    fs.mkdirSync(path.dirname(other));
    writeLines(log, [...HEADER, ...upload(1, 'a.txt')]);
    writeLines(other, HEADER);
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    client = new IndexWorkerClient({ databasePath });
    await client.start();
    const backend = {
      databasePath,
      readDb: () => (reader ??= openDatabase(databasePath, { readonly: true })),
      openReadDb: () => openDatabase(databasePath, { readonly: true }),
      writer: client,
      emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void events.push({ event, payload }),
    };
    handlers = createHandlers({ ...backend, mode: 'desktop', canOpenPaths: true });
    browser = createHandlers({ ...backend, mode: 'browser', canOpenPaths: false });
    stopRelay = relayFollowEvents(backend);
  });

  afterAll(async () => {
    stopRelay?.();
    reader?.close();
    await client?.stop();
  });

  it('follow/start indexes a folder, then every line appended to it, with sessions and transfers', async () => {
    expect(await handlers['follow/status']()).toEqual({ paused: false, paths: [] });
    expect(await handlers['follow/start']({ paths: [logs] })).toEqual({ paused: false, paths: [{ path: logs, files: 0, error: null }] });
    await until('the first batch', () => events.some((e) => e.event === 'follow/changed' && e.payload.paths[0]?.files === 1));
    expect(await handlers['follow/status']()).toEqual({ paused: false, paths: [{ path: logs, files: 1, error: null }] });
    const [source] = await handlers['sources/list']();
    expect(source).toMatchObject({ path: log, events: 3, following: true, followPaused: false });
    expect(await count('transfers')).toBe(1);

    events.length = 0;
    const written = Date.now();
    append(log, upload(2, 'b.txt'));
    await until('the new lines', async () => (await count('events')) === 6);
    const latency = Date.now() - written;
    // The batch's event is relayed on its own channel: it may arrive just after its rows are readable.
    await until('the batch event', () => events.some((e) => e.event === 'follow/batch'));
    const batch = events.find((e) => e.event === 'follow/batch')!.payload as ApiEvents['follow/batch'];
    expect(batch).toMatchObject({ path: logs, files: [log], lines: 3, events: 3, unparsed: 0 });
    expect(batch.committedAt).toBeGreaterThanOrEqual(batch.noticedAt);
    expect(await count('sessions')).toBe(2);
    expect(await count('transfers', 'path:/in/b.txt')).toBe(1);
    // An incomplete last line waits for its end.
    const [line] = upload(3, 'c.txt');
    fs.appendFileSync(log, line!.slice(0, 20));
    await sleep(1000);
    expect(await count('events')).toBe(6);
    fs.appendFileSync(log, line!.slice(20) + '\r\n');
    await until('the completed line', async () => (await count('events')) === 7);
    console.log(`follow: appended lines searchable after ${latency} ms`);
  });

  it('index/open of a followed file while lines arrive: the job and the follower take turns, every line once', async () => {
    const before = await count('events');
    const opens: Promise<unknown>[] = [];
    for (let i = 0; i < 20; i++) {
      append(log, upload(1000 + i, `turn-${i}.txt`));
      opens.push(handlers['index/open']({ paths: [log] }));
      await sleep(i % 3 === 0 ? 0 : 30);
    }
    await Promise.all(opens);
    await until('every appended line', async () => (await count('events')) >= before + 60);
    await sleep(500);
    expect(await count('events')).toBe(before + 60);
    expect(await count('transfers', 'path:/in/turn-*')).toBe(20);
  });

  it('a new file in a followed folder is picked up; another path can be followed beside it', async () => {
    const next = path.join(logs, 'u_ex260402.log');
    writeLines(next, [...HEADER, ...upload(4, 'd.txt')]);
    await until('the new daily file', async () => (await handlers['sources/list']()).some((s) => s.path === next && s.events === 3 && s.following));
    await handlers['follow/start']({ paths: [other, logs] }); // the folder already is: left as it is
    await until('the second path', () => events.some((e) => e.event === 'follow/changed' && e.payload.paths.length === 2 && e.payload.paths[1].files === 1));
    expect((await handlers['follow/status']()).paths.map((p) => [p.path, p.files])).toEqual([[logs, 2], [other, 1]]);
  });

  it('follow/pause stops indexing until follow/resume, which catches up', async () => {
    expect(await handlers['follow/pause']()).toMatchObject({ paused: true });
    expect((await handlers['sources/list']()).filter((s) => s.following).every((s) => s.followPaused)).toBe(true);
    const before = await count('events');
    append(log, upload(5, 'e.txt'));
    append(other, upload(6, 'f.txt'));
    await sleep(1500);
    expect(await count('events')).toBe(before);
    expect(await handlers['follow/resume']()).toMatchObject({ paused: false });
    await until('the lines written while paused', async () => (await count('events')) === before + 6);
    expect(await count('transfers', 'path:/in/e.txt OR path:/in/f.txt')).toBe(2);
  });

  it('a new failed-login burst is sent as insights/live when asked for, once per burst', async () => {
    const live = () => events.filter((e) => e.event === 'insights/live').map((e) => e.payload as ApiEvents['insights/live']);
    events.length = 0;
    // Off (the default): the burst is indexed, and known from then on, but not sent.
    append(log, failedLogins('203.0.113.1', 6, 100));
    await until('the first burst', async () => (await count('events', 'ip:203.0.113.1 status:failed')) === 6);
    // Its insight follows its batch's report from the worker, and may still be on its way (it was
    // then sent, the setting turned on meanwhile: one run in four): the next batch's report comes after it.
    const reported = () => events.filter((e) => e.event === 'follow/batch').length;
    const before = reported();
    append(log, upload(9, 'burst-after.txt'));
    await until('the next batch', () => reported() > before);
    expect(live()).toEqual([]);

    await handlers['settings/set']({ notifyLiveInsights: true });
    append(other, failedLogins('203.0.113.2', 6, 200));
    await until('the live insight', () => live().length === 1);
    expect(live()[0]).toMatchObject({ id: 'failed-login-bursts', title: 'Failed-login bursts', severity: 'critical' });
    expect(live()[0]!.findings).toEqual([expect.objectContaining({ subject: '203.0.113.2', count: 6, kind: 'events' })]);
    expect(await count('events', live()[0]!.findings[0]!.query)).toBe(6);

    // The same bursts going on, and an unrelated batch: nothing new to say.
    append(other, failedLogins('203.0.113.2', 3, 300));
    append(log, [...failedLogins('203.0.113.1', 2, 400), ...upload(7, 'g.txt')]);
    await until('those lines', async () => (await count('events', 'ip:203.0.113.2 status:failed')) === 9 && (await count('transfers', 'path:/in/g.txt')) === 1);
    await sleep(500);
    expect(live()).toHaveLength(1);
    // Another IP: news again.
    append(log, failedLogins('203.0.113.3', 5, 500));
    await until('the second live insight', () => live().length === 2);
    expect(live()[1]!.findings.map((f) => f.subject)).toEqual(['203.0.113.3']);
    await handlers['settings/set']({ notifyLiveInsights: false });
  });

  it('browser mode off loopback refuses to follow paths; pause, resume and stop are allowed', async () => {
    await expect(browser['follow/start']({ paths: [logs] })).rejects.toMatchObject({ status: 403 });
    expect(await browser['follow/status']()).toMatchObject({ paths: [{ path: logs }, { path: other }] });
  });

  it('removing a followed file stops following it; follow/stop stops the rest, and what was indexed stays', async () => {
    const otherSource = (await handlers['sources/list']()).find((s) => s.path === other)!;
    expect(await handlers['sources/remove']({ id: otherSource.id })).toEqual({ removed: true });
    expect((await handlers['follow/status']()).paths.map((p) => p.path)).toEqual([logs]);
    const indexed = await count('events');
    expect(await handlers['follow/stop']({})).toEqual({ paused: false, paths: [] });
    expect((await handlers['sources/list']()).some((s) => s.following)).toBe(false);
    append(log, upload(8, 'h.txt'));
    await sleep(1500);
    expect(await count('events')).toBe(indexed);
    // Stopping what is not followed is not an error.
    expect(await handlers['follow/stop']({ paths: [other] })).toEqual({ paused: false, paths: [] });
  });
});

describe('API handlers: what is followed is followed again after a restart', () => {
  const dir = tempDir('xferlens-follow-again-');
  const databasePath = path.join(dir, 'index.sqlite');
  const logs = path.join(dir, 'logs');
  const log = path.join(logs, 'ex100408.log');
  /** A folder that does not exist yet when following starts. */
  const later = path.join(dir, 'later');
  /** One more event line of the sample's session (the sample has 7 events). */
  let appended = 0;
  const appendEvent = (file: string) => fs.appendFileSync(file, `2010-04-08 20:11:${String(appended++).padStart(2, '0')} 192.168.241.1 - test [1]sent /Test+File+3.txt - 226 - 54 - 22\r\n`);

  /** The writer worker and the handlers on the database, started as the app and `serve` start them. */
  async function openHost() {
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    const client = new IndexWorkerClient({ databasePath });
    await client.start();
    let reader: Db | null = null;
    const handlers = createHandlers({
      mode: 'desktop',
      databasePath,
      readDb: () => (reader ??= openDatabase(databasePath, { readonly: true })),
      openReadDb: () => openDatabase(databasePath, { readonly: true }),
      writer: client,
      emit: () => undefined,
      canOpenPaths: true,
    });
    const resumed = await client.resumeFollowing();
    const events = async () => (await handlers['query/count']({ kind: 'events', query: 'kind:event' })).total;
    const close = async () => {
      reader?.close();
      await client.stop();
    };
    return { handlers, resumed, events, close, client };
  }
  let host: Awaited<ReturnType<typeof openHost>> | null = null;
  const restart = async () => {
    await host?.close();
    host = await openHost();
    return host;
  };

  beforeAll(() => {
    fs.mkdirSync(logs);
    writeLines(log, EFT_W3C_SAMPLE);
  });

  afterAll(async () => {
    await host?.close();
  });

  it('follows the remembered paths again, with their options; a missing one is reported, and picked up when it appears', async () => {
    let { handlers, resumed, events } = await restart();
    expect(resumed).toEqual({ paused: false, inputs: [] });
    await handlers['follow/start']({ paths: [logs, later], timeZone: 'Europe/Berlin' });
    await until('the folder to be indexed', async () => (await events()) === 7);

    ({ handlers, resumed, events } = await restart());
    expect(resumed.inputs.map((i) => i.path)).toEqual([logs, later]);
    // Remembered with the options they were followed with.
    const db = openDatabase(databasePath, { readonly: true });
    try {
      expect(JSON.parse(readMeta(db, FOLLOWED_META_KEY)!)).toEqual({ paused: false, requests: [{ paths: [logs], timeZone: 'Europe/Berlin' }, { paths: [later], timeZone: 'Europe/Berlin' }] });
    } finally {
      db.close();
    }
    await until('the missing folder to be reported', async () => (await handlers['follow/status']()).paths[1]?.error === 'no such file or directory');
    appendEvent(log);
    await until('the line appended after the restart', async () => (await events()) === 8);
    // The missing folder's error stays until it appears (the first, empty batch does not clear it).
    expect((await handlers['follow/status']()).paths).toEqual([{ path: logs, files: 1, error: null }, { path: later, files: 0, error: 'no such file or directory' }]);

    fs.mkdirSync(later);
    writeLines(path.join(later, 'ex100409.log'), EFT_W3C_SAMPLE.map((l) => l.replaceAll('2010-04-08', '2010-04-09')));
    await until('the folder that appeared', async () => (await events()) === 15);
    // The status follows the batch (the worker tells it after the commit that the database shows).
    await until('its status', async () => (await handlers['follow/status']()).paths[1]?.error === null);
    expect((await handlers['follow/status']()).paths[1]).toEqual({ path: later, files: 1, error: null });
  });

  it('a paused follow stays paused after a restart, and catches up on resume', async () => {
    let { handlers, resumed, events } = host!;
    await handlers['follow/pause']();
    ({ handlers, resumed, events } = await restart());
    expect(resumed).toMatchObject({ paused: true, inputs: [{ path: logs }, { path: later }] });
    const before = await events();
    appendEvent(log);
    await sleep(1500);
    expect(await events()).toBe(before);
    expect(await handlers['follow/resume']()).toMatchObject({ paused: false });
    await until('the line written while paused', async () => (await events()) === before + 1);

    ({ handlers, resumed } = await restart());
    expect(resumed.paused).toBe(false);
  });

  it('a worker that crashes while following is replaced, and the new one follows again from where it stopped', async () => {
    const { handlers, events, client } = host!;
    expect((await handlers['follow/status']()).paths.map((p) => p.path)).toEqual([logs, later]);
    const before = await events();
    // A crash (as a native fault would end it): the client did not ask for it.
    await (client as unknown as { worker: Worker }).worker.terminate();
    expect(await handlers['follow/status']()).toEqual({ paused: false, paths: [] });
    appendEvent(log);
    await until('following again', async () => (await handlers['follow/status']()).paths.length === 2);
    await until('the line written while no worker ran', async () => (await events()) === before + 1);
    appendEvent(log);
    await until('the next line', async () => (await events()) === before + 2);
  });

  it('a removed followed file and "Stop following all" are forgotten', async () => {
    let { handlers, resumed, events } = host!;
    const other = path.join(dir, 'ex100410.log');
    writeLines(other, EFT_W3C_SAMPLE.map((l) => l.replaceAll('2010-04-08', '2010-04-10')));
    await handlers['follow/start']({ paths: [other] });
    await until('the file to be indexed', async () => (await handlers['sources/list']()).some((s) => s.path === other && s.events === 7));
    const source = (await handlers['sources/list']()).find((s) => s.path === other)!;
    expect(await handlers['sources/remove']({ id: source.id })).toEqual({ removed: true });

    ({ handlers, resumed, events } = await restart());
    expect(resumed.inputs.map((i) => i.path)).toEqual([logs, later]);
    expect(await handlers['follow/stop']({})).toEqual({ paused: false, paths: [] });

    ({ handlers, resumed, events } = await restart());
    expect(resumed).toEqual({ paused: false, inputs: [] });
    expect(await handlers['follow/status']()).toEqual({ paused: false, paths: [] });
    const before = await events();
    appendEvent(log);
    await sleep(1500);
    expect(await events()).toBe(before);
  });
});

describe("API handlers: a source's own proftpd.conf, and the host's", () => {
  const dir = tempDir('xferlens-conf-api-');
  const logs = path.join(dir, 'logs');
  const custom = path.join(logs, 'access.log');
  const conf = path.join(dir, 'proftpd.conf');
  const FIXTURE_LOGS = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');
  const scenario = JSON.parse(fs.readFileSync(path.join(REPO, 'test', 'fixtures', 'proftpd', 'scenario.json'), 'utf8')) as { log_formats: Record<string, { format: string }> };
  const CUSTOM = scenario.log_formats['ext-custom.log']!.format;
  /** The fixture's custom ExtendedLog: its first lines now, the rest appended by a test. */
  const lines = fs.readFileSync(path.join(FIXTURE_LOGS, 'ext-custom.log'), 'utf8').split('\n').filter((l) => l !== '');
  const clients: { stop(): Promise<void> }[] = [];
  const readers: Db[] = [];

  beforeAll(() => {
    fs.mkdirSync(logs);
    writeLines(custom, lines.slice(0, 100));
    // A conf naming the log under a name no detection knows, with a LogFormat no built-in matches.
    fs.writeFileSync(conf, `LogFormat custom "${CUSTOM.replace(/"/g, '\\"')}"\n<IfModule mod_sftp.c>\n  ExtendedLog ${custom} ALL custom\n</IfModule>\n`);
  });
  afterAll(async () => {
    for (const r of readers) r.close();
    for (const c of clients) await c.stop();
  });

  async function host(name: string, proftpdConf?: string) {
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    const databasePath = path.join(dir, `${name}.sqlite`);
    const client = new IndexWorkerClient({ databasePath, ...(proftpdConf ? { proftpdConf } : {}) });
    clients.push(client);
    await client.start();
    let reader: Db | null = null;
    const backend = {
      mode: 'desktop' as const,
      databasePath,
      readDb: () => reader ?? (readers.push((reader = openDatabase(databasePath, { readonly: true }))), reader),
      openReadDb: () => openDatabase(databasePath, { readonly: true }),
      writer: client,
      emit: () => undefined,
      canOpenPaths: true,
      proftpdConf: proftpdConf ?? null,
    };
    return { handlers: createHandlers(backend), browser: createHandlers({ ...backend, mode: 'browser', canOpenPaths: false }) };
  }

  it('sources/configure sets it: the file is read with its LogFormat, appended lines too; null clears it', async () => {
    const { handlers, browser } = await host('own');
    await handlers['index/open']({ paths: [custom], timeZone: 'UTC' });
    const [before] = await handlers['sources/list']();
    expect(before).toMatchObject({ path: custom, events: 0, unparsed: 100, proftpdConf: null });

    // Refused before anything is read again: off loopback, and a conf that cannot be read.
    await expect(browser['sources/configure']({ id: before!.id, proftpdConf: conf })).rejects.toMatchObject({ status: 403 });
    const missing = path.join(dir, 'nope.conf');
    await expect(handlers['sources/configure']({ id: before!.id, proftpdConf: missing })).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(new RegExp(`^sources/configure: cannot read ProFTPD configuration ${missing}: ENOENT`)),
    });
    await expect((handlers['sources/configure'] as (i: unknown) => Promise<unknown>)({ id: before!.id, proftpdConf: 'proftpd.conf' })).rejects.toThrow(/proftpdConf must be an absolute path/);
    // A file that is not a proftpd.conf (here the log itself) names nothing to read with.
    await expect(handlers['sources/configure']({ id: before!.id, proftpdConf: custom })).rejects.toMatchObject({
      status: 400,
      message: `sources/configure: ${custom} names no LogFormat and no log (ExtendedLog, TransferLog, SystemLog, SFTPLog, TLSLog): is it a proftpd.conf?`,
    });
    expect((await handlers['sources/list']())[0]).toEqual(before);

    const result = await handlers['sources/configure']({ id: before!.id, proftpdConf: conf });
    expect(result).toMatchObject({ files: 1, lines: 100, unparsed: 0, errors: [] });
    const [configured] = await handlers['sources/list']();
    expect(configured).toMatchObject({ proftpdConf: conf, format: 'proftpd-extended', formatDetail: 'LogFormat custom', events: 100, unparsed: 0, timeZone: 'UTC', logFormat: null });
    // The LogFormat read is the conf's, field by field: `… alice STOR "report.csv" 226 1000 success …`.
    const { rows } = await handlers['query/page']({ kind: 'events', query: 'verb:stor', limit: 1 });
    expect(rows[0]).toMatchObject({ user: 'alice', path: 'report.csv', status: '226', bytes: 1000, ts: Date.UTC(2026, 10, 23, 19, 14, 25, 503) });

    // Later runs read it again with the file's own conf (here an append, as a follow would).
    fs.appendFileSync(custom, lines.slice(100).map((l) => l + '\n').join(''));
    const appended = await handlers['index/open']({ paths: [custom] });
    expect(appended).toMatchObject({ lines: lines.length - 100, unparsed: 0, errors: [] });

    // A conf that went away meanwhile is said, and the file is still indexed (read from its start, without it).
    const moved = path.join(dir, 'moved.conf');
    fs.renameSync(conf, moved);
    try {
      const without = await handlers['sources/configure']({ id: before!.id, timeZone: 'UTC' });
      expect(without.errors).toEqual([{ path: conf, reason: `cannot read ProFTPD configuration ${conf}: ENOENT: no such file or directory, open '${conf}'; the files configured with it were indexed without it` }]);
      expect(without).toMatchObject({ files: 1, lines: lines.length });
    } finally {
      fs.renameSync(moved, conf);
    }

    await handlers['sources/configure']({ id: before!.id, proftpdConf: null });
    expect((await handlers['sources/list']())[0]).toMatchObject({ proftpdConf: null, events: 0, unparsed: lines.length });
  });

  it("the host's conf (serve --proftpd-conf, the system's) reads files without one of their own; app/info names it", async () => {
    const { handlers } = await host('host', conf);
    expect(await handlers['app/info']()).toMatchObject({ proftpdConf: conf });
    const result = await handlers['index/open']({ paths: [custom], timeZone: 'UTC' });
    expect(result).toMatchObject({ files: 1, lines: lines.length, unparsed: 0, errors: [] });
    expect((await handlers['sources/list']())[0]).toMatchObject({ proftpdConf: null, formatDetail: 'LogFormat custom' });
    // A host conf that cannot be read is said in the result; indexing goes on without it.
    const broken = await host('broken', path.join(dir, 'gone.conf'));
    const r = await broken.handlers['index/open']({ paths: [custom], timeZone: 'UTC' });
    expect(r.errors).toEqual([{ path: path.join(dir, 'gone.conf'), reason: expect.stringMatching(/^cannot read ProFTPD configuration .*gone\.conf: ENOENT.*; indexing without it$/) }]);
    expect(r).toMatchObject({ files: 1, unparsed: lines.length });
  });
});
