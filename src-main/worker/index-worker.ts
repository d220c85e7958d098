/**
 * The writer: a worker thread that owns the database's write connection, so neither the Electron
 * main process nor `xferlens serve` blocks on parsing or SQLite. Jobs that read files or rewrite
 * many rows (index, configure, remove) run one after the other; a settings write is done at once
 * (each batch of an index run is its own synchronous transaction, so it lands between two).
 * It talks only by messages (see `ToWorker` / `FromWorker`) and imports nothing from Electron.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { indexPaths, type IndexProgress, type IndexSummary } from '../core/ingest/indexer.js';
import { openDatabase, type Db } from '../core/store/db.js';
import { removeSource, resetSource, writeMeta } from '../core/store/source-admin.js';
import type { IndexRequest } from '../api/contract.js';

export interface IndexWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: typeof WORKER_ROLE;
  databasePath: string;
  /** better-sqlite3 built for this runtime's ABI (Electron), when not the one in node_modules. */
  nativeBinding?: string;
}

export const WORKER_ROLE = 'xferlens-index-worker';

/** New options for one source, read again from its start (`sources/configure`). */
export interface ConfigureRequest {
  sourceId: number;
  timeZone?: string;
  logFormat?: string | null;
}

export type ToWorker =
  | { type: 'index'; jobId: string; request: IndexRequest }
  | { type: 'configure'; jobId: string; request: ConfigureRequest }
  | { type: 'remove'; jobId: string; sourceId: number }
  | { type: 'meta'; jobId: string; key: string; value: string }
  | { type: 'cancel'; jobId: string };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
  | { type: 'progress'; jobId: string; progress: IndexProgress }
  /** An index or configure job ended (`missing`: configure found no such source). */
  | { type: 'done'; jobId: string; summary: IndexSummary; cancelled: boolean; missing?: true }
  | { type: 'removed'; jobId: string; removed: boolean }
  | { type: 'stored'; jobId: string }
  | { type: 'failed'; jobId: string; message: string };

/** The summary of a job cancelled before it read anything. */
export function emptySummary(): IndexSummary {
  return { files: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, ms: 0, formats: {}, errors: [] };
}

type QueuedJob = Exclude<ToWorker, { type: 'cancel' } | { type: 'meta' }>;

function serve(port: NonNullable<typeof parentPort>, data: IndexWorkerData): void {
  const post = (message: FromWorker) => port.postMessage(message);
  let db: Db;
  try {
    db = openDatabase(data.databasePath, data.nativeBinding ? { nativeBinding: data.nativeBinding } : {});
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message });
    return;
  }
  const queue: QueuedJob[] = [];
  let running: { jobId: string; controller: AbortController } | null = null;

  const index = async (jobId: string, paths: readonly string[], request: Omit<IndexRequest, 'paths'>, signal: AbortSignal): Promise<IndexSummary> =>
    indexPaths(db, paths, {
      ...(request.timeZone ? { timeZone: request.timeZone } : {}),
      ...(request.logFormats ? { logFormats: request.logFormats } : {}),
      signal,
      onProgress: (progress) => post({ type: 'progress', jobId, progress }),
    });

  const runJob = async (job: QueuedJob, signal: AbortSignal): Promise<void> => {
    switch (job.type) {
      case 'index': {
        const summary = await index(job.jobId, job.request.paths, job.request, signal);
        post({ type: 'done', jobId: job.jobId, summary, cancelled: signal.aborted });
        return;
      }
      case 'configure': {
        const { sourceId, ...change } = job.request;
        const file = resetSource(db, sourceId, change);
        if (file === null) {
          post({ type: 'done', jobId: job.jobId, summary: emptySummary(), cancelled: false, missing: true });
          return;
        }
        // The stored options now decide the zone and LogFormats (see resetSource).
        const summary = await index(job.jobId, [file], {}, signal);
        post({ type: 'done', jobId: job.jobId, summary, cancelled: signal.aborted });
        return;
      }
      case 'remove':
        post({ type: 'removed', jobId: job.jobId, removed: removeSource(db, job.sourceId) });
        return;
    }
  };

  const next = async (): Promise<void> => {
    if (running) return;
    const job = queue.shift();
    if (!job) return;
    running = { jobId: job.jobId, controller: new AbortController() };
    try {
      await runJob(job, running.controller.signal);
    } catch (err) {
      post({ type: 'failed', jobId: job.jobId, message: (err as Error).message });
    } finally {
      running = null;
    }
    return next();
  };

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'meta':
        try {
          writeMeta(db, message.key, message.value);
          post({ type: 'stored', jobId: message.jobId });
        } catch (err) {
          post({ type: 'failed', jobId: message.jobId, message: (err as Error).message });
        }
        return;
      case 'cancel': {
        if (running?.jobId === message.jobId) {
          running.controller.abort();
          return;
        }
        const at = queue.findIndex((j) => j.jobId === message.jobId);
        if (at < 0) return;
        const [job] = queue.splice(at, 1);
        post(job!.type === 'remove' ? { type: 'removed', jobId: message.jobId, removed: false } : { type: 'done', jobId: message.jobId, summary: emptySummary(), cancelled: true });
        return;
      }
      default:
        queue.push(message);
        void next();
    }
  });
  port.on('close', () => db.close());
  post({ type: 'ready' });
}

// Only when loaded as a worker: the client imports this module's types, never its code.
if (parentPort && (workerData as Partial<IndexWorkerData> | null)?.role === WORKER_ROLE) {
  serve(parentPort, workerData as IndexWorkerData);
}
