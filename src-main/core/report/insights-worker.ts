/**
 * Some of a report's insights, computed on the second core while the calling thread reads the rest
 * of the report (make.ts): the insights are the largest part of a big report (10M EFT lines: 3.9
 * of its 6.1 s) and read nothing the rest needs. Imports nothing from Electron.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Insight } from '../analysis/insight-types.js';
import type { InsightId } from '../analysis/insights.js';
import { openDatabase } from '../store/db.js';
import { periodInsights } from './report.js';

export interface InsightsWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: 'xferlens-insights-worker';
  databasePath: string;
  /** The Electron build of better-sqlite3, as the index worker gets it. */
  nativeBinding?: string;
  /** The report's period (reportPeriod). */
  from: number;
  to: number;
  /** The insights to read. */
  ids: InsightId[];
}

export type FromInsightsWorker = { type: 'done'; insights: Insight[] } | { type: 'failed'; message: string };

function run(data: InsightsWorkerData): Insight[] {
  const db = openDatabase(data.databasePath, { readonly: true, ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
  try {
    return periodInsights(db, { from: data.from, to: data.to }, data.ids);
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
