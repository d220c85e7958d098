/**
 * The second half of a CSV export sorted by time (see halves.ts), read and formatted on the second
 * core while the calling thread does the first half: it writes its rows, without a header, to a
 * file of its own that the caller appends after its rows. Imports nothing from Electron.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { openDatabase } from '../store/db.js';
import { prepareExport, type QueryExportRequest } from './query-export.js';

export interface ExportWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: 'xferlens-export-worker';
  databasePath: string;
  /** The Electron build of better-sqlite3, as the index worker gets it. */
  nativeBinding?: string;
  request: QueryExportRequest;
  /** The time the halves split at (timeSplitPoint). */
  at: number;
  /** Where the rows go (written as FILE.partial, renamed once complete). */
  file: string;
}

export type FromExportWorker =
  | { type: 'progress'; rows: number }
  | { type: 'done'; rows: number; bytes: number }
  | { type: 'failed'; message: string };

async function run(data: ExportWorkerData, post: (m: FromExportWorker) => void): Promise<void> {
  const db = openDatabase(data.databasePath, { readonly: true, ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
  try {
    const prepared = prepareExport(db, data.request, { half: { at: data.at, part: 2 } });
    const result = await prepared.write(data.file, { onProgress: (rows) => post({ type: 'progress', rows }) });
    post({ type: 'done', rows: result.rows, bytes: result.bytes });
  } finally {
    db.close();
  }
}

const data = workerData as ExportWorkerData | undefined;
if (parentPort && data?.role === 'xferlens-export-worker') {
  const port = parentPort;
  const post = (m: FromExportWorker) => port.postMessage(m);
  run(data, post).catch((err: unknown) => post({ type: 'failed', message: (err as Error)?.message ?? String(err) }));
}
