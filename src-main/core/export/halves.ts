/**
 * A big CSV export sorted by time, read and formatted by two threads: the calling thread writes the
 * rows before the middle time, an export worker (export-worker.ts) the rest into a temporary file,
 * which is then copied after them. On one thread the floor is better-sqlite3 turning values into
 * JavaScript (about 2.5 s of CPU per 1M rows) plus the formatting; the halves run on both cores.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { ExportWorkerData, FromExportWorker } from './export-worker.js';
import type { TailPart } from './output.js';

const WORKER = new URL('./export-worker.js', import.meta.url);

export interface ExportThreads {
  /** The Electron build of better-sqlite3 (see electron/launch.ts), for the worker's connection. */
  nativeBinding?: string;
  /** Tables with fewer rows are exported by one thread (starting a worker costs about 0.1 s). */
  minRows?: number;
}

export const DEFAULT_MIN_ROWS_FOR_HALVES = 200_000;

/** The worker is compiled JavaScript: run from TypeScript sources (the unit tests), exports use one thread. */
export function exportWorkerAvailable(): boolean {
  return WORKER.protocol === 'file:' && fs.existsSync(fileURLToPath(WORKER));
}

export interface SecondHalf {
  /** The worker's file and row count, once it has written them all. */
  tail(): Promise<TailPart>;
  /** Rows the worker has written so far. */
  rows(): number;
  /** Stops the worker if it still runs and removes its file. */
  dispose(): Promise<void>;
}

export async function startSecondHalf(data: Omit<ExportWorkerData, 'role' | 'file'>, signal?: AbortSignal): Promise<SecondHalf> {
  // A private folder: the rows are log data.
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'xferlens-export-'));
  const file = path.join(dir, 'second-half.csv');
  const workerData: ExportWorkerData = { role: 'xferlens-export-worker', ...data, file };
  // Its rows are short-lived: a small young generation keeps the worker's memory down (1M rows:
  // peak RSS increase 86 → 79 MB) at the same speed.
  let worker: Worker;
  try {
    worker = new Worker(WORKER, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 8 } });
  } catch (err) {
    await fs.promises.rm(dir, { recursive: true, force: true });
    throw err;
  }
  let rows = 0;
  const done = new Promise<TailPart>((resolve, reject) => {
    worker.on('message', (m: FromExportWorker) => {
      if (m.type === 'progress') rows = m.rows;
      else if (m.type === 'done') resolve({ file, rows: (rows = m.rows) });
      else reject(new Error(m.message));
    });
    worker.on('error', reject);
    worker.on('exit', (code) => reject(new Error(`the export worker stopped (exit code ${code})`)));
  });
  done.catch(() => undefined); // the caller may stop before asking for it
  return {
    tail() {
      if (!signal) return done;
      signal.throwIfAborted();
      return new Promise<TailPart>((resolve, reject) => {
        const onAbort = () => reject(signal.reason);
        signal.addEventListener('abort', onAbort, { once: true });
        done.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
      });
    },
    rows: () => rows,
    async dispose() {
      await worker.terminate();
      await fs.promises.rm(dir, { recursive: true, force: true });
    },
  };
}
