/**
 * The writer: a worker thread that owns the database's write connection and runs index jobs one
 * after the other, so the Electron main process never blocks on parsing or SQLite. It talks only
 * by messages (see `ToWorker` / `FromWorker`) and imports nothing from Electron.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { indexPaths, type IndexProgress, type IndexSummary } from '../core/ingest/indexer.js';
import { openDatabase, type Db } from '../core/store/db.js';
import type { IndexRequest } from '../api/contract.js';

export interface IndexWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: typeof WORKER_ROLE;
  databasePath: string;
  /** better-sqlite3 built for this runtime's ABI (Electron), when not the one in node_modules. */
  nativeBinding?: string;
}

export const WORKER_ROLE = 'xferlens-index-worker';

export type ToWorker = { type: 'index'; jobId: string; request: IndexRequest } | { type: 'cancel'; jobId: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; jobId: string; progress: IndexProgress }
  | { type: 'done'; jobId: string; summary: IndexSummary; cancelled: boolean }
  | { type: 'failed'; jobId: string; message: string };

/** The summary of a job cancelled before it read anything. */
export function emptySummary(): IndexSummary {
  return { files: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, ms: 0, formats: {}, errors: [] };
}

function serve(port: NonNullable<typeof parentPort>, data: IndexWorkerData): void {
  const post = (message: FromWorker) => port.postMessage(message);
  let db: Db;
  try {
    db = openDatabase(data.databasePath, data.nativeBinding ? { nativeBinding: data.nativeBinding } : {});
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message });
    return;
  }
  const queue: { jobId: string; request: IndexRequest }[] = [];
  let running: { jobId: string; controller: AbortController } | null = null;

  const next = async (): Promise<void> => {
    if (running) return;
    const job = queue.shift();
    if (!job) return;
    running = { jobId: job.jobId, controller: new AbortController() };
    const { signal } = running.controller;
    try {
      const summary = await indexPaths(db, job.request.paths, {
        ...(job.request.timeZone ? { timeZone: job.request.timeZone } : {}),
        ...(job.request.logFormats ? { logFormats: job.request.logFormats } : {}),
        signal,
        onProgress: (progress) => post({ type: 'progress', jobId: job.jobId, progress }),
      });
      post({ type: 'done', jobId: job.jobId, summary, cancelled: signal.aborted });
    } catch (err) {
      post({ type: 'failed', jobId: job.jobId, message: (err as Error).message });
    } finally {
      running = null;
    }
    return next();
  };

  port.on('message', (message: ToWorker) => {
    if (message.type === 'index') {
      queue.push({ jobId: message.jobId, request: message.request });
      void next();
    } else if (message.type === 'cancel') {
      if (running?.jobId === message.jobId) {
        running.controller.abort();
      } else {
        const at = queue.findIndex((j) => j.jobId === message.jobId);
        if (at >= 0) {
          queue.splice(at, 1);
          post({ type: 'done', jobId: message.jobId, summary: emptySummary(), cancelled: true });
        }
      }
    }
  });
  port.on('close', () => db.close());
  post({ type: 'ready' });
}

// Only when loaded as a worker: the client imports this module's types, never its code.
if (parentPort && (workerData as Partial<IndexWorkerData> | null)?.role === WORKER_ROLE) {
  serve(parentPort, workerData as IndexWorkerData);
}
