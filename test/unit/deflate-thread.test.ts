/**
 * The deflate thread (store/deflate-thread.ts): a big run's line blocks are compressed on a thread
 * of their own while the writer stores the rows, and come back whole, in order, to a synchronous
 * transaction.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { REPO, tempDir } from '../helpers.js';
import { lineSql } from '../../src-main/core/store/line-blocks.js';

// The thread runs only from compiled JavaScript (`npm test` builds first).
const dist = (p: string) => path.join(REPO, 'dist', 'src-main', 'core', p);
const built = {
  thread: () => import(dist('store/deflate-thread.js')) as Promise<typeof import('../../src-main/core/store/deflate-thread.js')>,
  db: () => import(dist('store/db.js')) as Promise<typeof import('../../src-main/core/store/db.js')>,
  indexer: () => import(dist('ingest/indexer.js')) as Promise<typeof import('../../src-main/core/ingest/indexer.js')>,
};

const inflate = (data: Buffer) => zlib.inflateRawSync(data).toString('utf8');

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the deflate thread', () => {
  it('gives back each block deflated, in order, to a caller that never yields to the event loop', async () => {
    const { DeflateThread } = await built.thread();
    const thread = DeflateThread.start();
    expect(thread).toBeDefined();
    try {
      const texts = Array.from({ length: 40 }, (_, i) => Array.from({ length: 1024 }, (_, j) => `2026-01-01 00:00:${j % 60} line ${i}.${j} ✓ partner_${i % 7}`).join('\n'));
      const before = DeflateThread.taken;
      const jobs = texts.map((t) => thread!.submit(t));
      const blocks = jobs.map((job, i) => thread!.take(job, texts[i]!));
      expect(blocks.map(inflate)).toEqual(texts);
      expect(DeflateThread.taken - before).toBe(texts.length); // every one came from the thread
      // A batch rolled back before it took its blocks: the next batch's are not mistaken for them.
      thread!.submit(texts[0]!);
      thread!.submit(texts[1]!);
      const next = thread!.submit(texts[2]!);
      expect(inflate(thread!.take(next, texts[2]!))).toBe(texts[2]);
    } finally {
      thread!.stop();
    }
  });

  it('a stopped thread leaves the caller to deflate: the block is still right', async () => {
    const { DeflateThread } = await built.thread();
    const thread = DeflateThread.start()!;
    const text = 'one\ntwo\nthree';
    const job = thread.submit(text);
    expect(inflate(thread.take(job, text))).toBe(text);
    thread.stop();
    const after = thread.submit(text);
    expect(inflate(thread.take(after, text))).toBe(text);
  });

  it('a thread that died between a block given and taken: the caller deflates it, after a short wait', async () => {
    const { DeflateThread } = await built.thread();
    const thread = DeflateThread.start()!;
    const text = 'qqq\n'.repeat(3000);
    const job = thread.submit(text);
    await (thread as unknown as { worker: { terminate(): Promise<number> } }).worker.terminate();
    const t0 = performance.now();
    expect(inflate(thread.take(job, text))).toBe(text);
    expect(performance.now() - t0).toBeLessThan(5_000);
    thread.stop();
  });

  it('a big run stores every line exactly, its blocks deflated on the thread', async () => {
    const { DeflateThread } = await built.thread();
    const { openDatabase } = await built.db();
    const { indexPaths } = await built.indexer();
    const log = path.join(dir, 'u_ex260102.log');
    await generateEftW3c(log, { lines: 20_000, seed: 9 });
    const db = openDatabase(path.join(dir, 'big.sqlite'));
    try {
      const before = DeflateThread.taken;
      await indexPaths(db, [log], { timeZone: 'UTC', bulkLoadBytes: 1, helperThreadsAfterMs: 0 });
      expect(DeflateThread.taken - before).toBeGreaterThanOrEqual(20);
      const stored = db.prepare(`SELECT ${lineSql('e')} FROM events e ORDER BY e.id`).pluck().all();
      expect(stored).toEqual(fs.readFileSync(log, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/));
    } finally {
      db.close();
    }
  });
});
