/**
 * Insights computed on a thread of their own (insights-thread.ts starts it): a big database's take
 * seconds (10M EFT lines: about 4 s) that the thread asking for them (the desktop app's main
 * process, `serve`'s server, a report's other half) need not spend. Imports nothing from Electron.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Insight } from './insight-types.js';
import { computeInsights, type InsightOptions } from './insights.js';
import { openDatabase } from '../store/db.js';

export interface InsightsWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: 'xferlens-insights-worker';
  databasePath: string;
  /** The Electron build of better-sqlite3, as the index worker gets it. */
  nativeBinding?: string;
  options: InsightOptions;
}

export type FromInsightsWorker = { type: 'done'; insights: Insight[] } | { type: 'failed'; message: string };

function run(data: InsightsWorkerData): Insight[] {
  const db = openDatabase(data.databasePath, { readonly: true, ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
  try {
    return computeInsights(db, data.options);
  } finally {
    db.close();
  }
}

const data = workerData as InsightsWorkerData | undefined;
if (parentPort && data?.role === 'xferlens-insights-worker') {
  let message: FromInsightsWorker;
  try {
    message = { type: 'done', insights: run(data) };
  } catch (err) {
    message = { type: 'failed', message: (err as Error)?.message ?? String(err) };
  }
  parentPort.postMessage(message);
}
