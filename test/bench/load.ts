/**
 * Indexing while the UI queries: `xferlens index` runs in a child process (as the app's writer
 * worker does) while this process runs the app's queries on its own read-only connection, in a
 * tight loop, until the index completes. Used by test/unit/load.test.ts and test/bench/load-probe.ts.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { aggregate, countRows, queryPage, type QueryKind } from '../../src-main/core/query/index.js';
import { DatabaseError, openDatabase, type Db } from '../../src-main/core/store/db.js';

/** The built CLI, from this file in test/bench or in dist/test/bench. */
function builtCli(): string {
  let root = path.dirname(fileURLToPath(import.meta.url));
  while (!fs.existsSync(path.join(root, 'package.json'))) root = path.dirname(root);
  return path.join(root, 'dist', 'src-main', 'cli', 'main.js');
}
const CLI = builtCli();

/** What the app asks while a user looks around: pages with totals, counts, charts. */
const NOW = Date.UTC(2026, 1, 1);
export const LOAD_QUERIES: readonly { name: string; run: (db: Db) => unknown }[] = [
  { name: 'page events', run: (db) => queryPage(db, { kind: 'events', query: '', limit: 100 }, { now: NOW }) },
  { name: 'page events user:', run: (db) => queryPage(db, { kind: 'events', query: 'user:a*', limit: 100 }, { now: NOW }) },
  { name: 'page events word', run: (db) => queryPage(db, { kind: 'events', query: 'report', limit: 100 }, { now: NOW }) },
  { name: 'page events failed', run: (db) => queryPage(db, { kind: 'events', query: 'failed', limit: 100, sort: 'ts', order: 'desc' }, { now: NOW }) },
  { name: 'page transfers upload >1MB', run: (db) => queryPage(db, { kind: 'transfers', query: 'dir:upload bytes:>1MB', limit: 100 }, { now: NOW }) },
  { name: 'page sessions', run: (db) => queryPage(db, { kind: 'sessions', query: '', limit: 100 }, { now: NOW }) },
  { name: 'count events ip:', run: (db) => countRows(db, 'events', 'ip:10.0.0.0/8', { now: NOW }) },
  { name: 'count transfers', run: (db) => countRows(db, 'transfers', 'status:failed', { now: NOW }) },
  ...(['events', 'transfers', 'sessions'] as QueryKind[]).map((kind) => ({ name: `aggregate ${kind}`, run: (db: Db) => aggregate(db, kind, '', { now: NOW }) })),
];

export interface QueryStats {
  n: number;
  medianMs: number;
  maxMs: number;
}

export interface LoadResult {
  /** Exit code of the index process and its --json summary. */
  exitCode: number | null;
  summary: { lines: number; ms: number; errors: unknown[] } | null;
  /** Wall time of the index process, ms. */
  indexMs: number;
  linesPerSecond: number;
  queries: number;
  failures: { name: string; error: string }[];
  byQuery: Record<string, QueryStats>;
}

const tick = () => new Promise((resolve) => setImmediate(resolve));

/** Opens the database read-only once the writer has committed its first rows (queries of an empty index say little). */
async function openWhenReady(dbFile: string, done: () => boolean): Promise<Db | null> {
  let db: Db | null = null;
  while (!done()) {
    try {
      db ??= openDatabase(dbFile, { readonly: true });
      if (db.prepare('SELECT 1 FROM events LIMIT 1').get()) return db;
    } catch (err) {
      if (!(err instanceof DatabaseError)) throw err;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  db?.close();
  return null;
}

/** Indexes `inputs` into `dbFile` (new) in a child process; with `queries`, queries it until the index completes. */
export async function indexUnderLoad(dbFile: string, inputs: string[], opts: { queries: boolean }): Promise<LoadResult> {
  const t0 = performance.now();
  const child = spawn(process.execPath, [CLI, 'index', '--db', dbFile, '--json', ...inputs], {
    stdio: ['ignore', 'pipe', 'inherit'],
    env: { ...process.env, XFERLENS_QUIET_SLOW: '1' },
  });
  let stdout = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  let exited = false;
  let indexMs = 0;
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => {
    exited = true;
    indexMs = performance.now() - t0;
    resolve(code);
  }));
  const times = new Map<string, number[]>();
  const failures: LoadResult['failures'] = [];
  let queries = 0;
  const quiet = process.env.XFERLENS_QUIET_SLOW;
  process.env.XFERLENS_QUIET_SLOW = '1'; // slow queries are expected here: they are measured, not logged
  if (opts.queries) {
    const db = await openWhenReady(dbFile, () => exited);
    try {
      for (let i = 0; db && !exited; i++) {
        const q = LOAD_QUERIES[i % LOAD_QUERIES.length]!;
        const q0 = performance.now();
        try {
          q.run(db);
        } catch (err) {
          failures.push({ name: q.name, error: (err as Error).message });
        }
        times.set(q.name, [...(times.get(q.name) ?? []), performance.now() - q0]);
        queries++;
        await tick(); // lets the child's exit be seen
      }
    } finally {
      db?.close();
    }
  }
  if (quiet === undefined) delete process.env.XFERLENS_QUIET_SLOW;
  else process.env.XFERLENS_QUIET_SLOW = quiet;
  const exitCode = await exit;
  const summary = exitCode === 0 ? (JSON.parse(stdout) as LoadResult['summary']) : null;
  const byQuery: Record<string, QueryStats> = {};
  for (const [name, ms] of times) {
    ms.sort((a, b) => a - b);
    byQuery[name] = { n: ms.length, medianMs: Math.round(ms[ms.length >> 1]!), maxMs: Math.round(ms.at(-1)!) };
  }
  return { exitCode, summary, indexMs: Math.round(indexMs), linesPerSecond: Math.round(((summary?.lines ?? 0) * 1000) / indexMs), queries, failures, byQuery };
}
