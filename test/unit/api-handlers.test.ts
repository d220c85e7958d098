/**
 * The API handlers over the real writer worker (the built dist/src-main/electron/index-worker.js,
 * in a Node worker thread exactly as Electron's main process runs it): formats, indexing with
 * progress events, sources, stats, input validation and cancellation.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { Worker } from 'node:worker_threads';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEventName, ApiEvents } from '../../src-main/api/contract.js';
import { createHandlers, type ApiHandlers } from '../../src-main/api/handlers.js';
import { FORMATS } from '../../src-main/core/formats/registry.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import type { FromWorker, IndexWorkerData, ToWorker } from '../../src-main/electron/index-worker.js';
import { cliJson, EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';

type ClientModule = typeof import('../../src-main/electron/index-worker-client.js');
const WORKER = path.join(REPO, 'dist', 'src-main', 'electron', 'index-worker.js');

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
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'electron', 'index-worker-client.js')).href)) as ClientModule;
    client = new IndexWorkerClient({ databasePath });
    await client.start(); // creates and migrates the database
    handlers = createHandlers({
      databasePath,
      readDb: () => (reader ??= openDatabase(databasePath, { readonly: true })),
      indexer: client,
      emit: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void events.push({ event, payload }),
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
    expect(events.at(-1)).toEqual({ event: 'index/finished', payload: result });
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
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'electron', 'index-worker-client.js')).href)) as ClientModule;
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
});
