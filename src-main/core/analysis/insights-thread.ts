/**
 * Insights read on a thread of their own (insights-worker.ts), for callers that must not spend
 * seconds on them: the API (the desktop app's main process, `serve`'s server) and a big report,
 * which reads its other parts meanwhile.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from '../store/db.js';
import type { Insight } from './insight-types.js';
import type { FromInsightsWorker, InsightsWorkerData } from './insights-worker.js';
import type { InsightOptions } from './insights.js';

const WORKER = new URL('./insights-worker.js', import.meta.url);

/**
 * Events in a database from which its insights are read by a worker: starting one (a thread,
 * modules, a connection) costs about 0.1 s (a report of one user's day at 1M EFT lines 140 → 280 ms).
 */
export const INSIGHTS_THREAD_MIN_EVENTS = 500_000;

/**
 * Whether `db`'s insights can be read by a worker: it is compiled JavaScript (run from TypeScript
 * sources, the unit tests read them on the calling thread) and needs the database's file.
 */
export function insightsThreadAvailable(db: Db): boolean {
  return WORKER.protocol === 'file:' && fs.existsSync(fileURLToPath(WORKER)) && fs.existsSync(db.name);
}

/** The insights a worker reads from `db`'s file; stop() ends it (once it has answered, or at once when abandoned). */
export function insightsInThread(db: Db, options: InsightOptions, opts: { nativeBinding?: string; signal?: AbortSignal } = {}): { insights: Promise<Insight[]>; stop(): Promise<void> } {
  const { signal } = opts;
  signal?.throwIfAborted();
  const workerData: InsightsWorkerData = { role: 'xferlens-insights-worker', databasePath: db.name, options, ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}) };
  const worker = new Worker(WORKER, { workerData });
  let onAbort = () => {};
  const insights = new Promise<Insight[]>((resolve, reject) => {
    worker.on('message', (m: FromInsightsWorker) => (m.type === 'done' ? resolve(m.insights) : reject(new Error(m.message))));
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the insights worker stopped (exit code ${code})`)));
    onAbort = () => reject(signal!.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
  insights.catch(() => undefined); // the caller may fail before asking for them
  return {
    insights,
    stop: async () => {
      signal?.removeEventListener('abort', onAbort);
      await worker.terminate();
    },
  };
}
