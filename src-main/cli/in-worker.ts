/**
 * Runs a CLI invocation again in a worker thread of this process, whose young generation is
 * bounded (INDEXING_YOUNG_GENERATION_MB): V8 sizes the main thread's only from the command line
 * that starts node, and a first index spends its memory there (1M EFT lines: peak RSS 250–258 →
 * 223–227 MB). The worker runs main.js as this thread would have; its output goes to this
 * process's, and its exit code is the run's.
 */
import { Worker } from 'node:worker_threads';
import { INDEXING_YOUNG_GENERATION_MB } from '../core/ingest/heap-growth.js';

const ROLE = 'xferlens-cli';

interface CliWorkerData {
  role: typeof ROLE;
  /** The width of the caller's stderr when it is a terminal (the progress bar's), else null. */
  stderrColumns: number | null;
}

export function runInWorker(argv: string[]): Promise<number> {
  const data: CliWorkerData = { role: ROLE, stderrColumns: process.stderr.isTTY ? process.stderr.columns || 80 : null };
  const worker = new Worker(new URL('./main.js', import.meta.url), {
    argv,
    workerData: data,
    resourceLimits: { maxYoungGenerationSizeMb: INDEXING_YOUNG_GENERATION_MB },
  });
  return new Promise((resolve) => {
    // An exception main.js did not catch: 'exit' follows with code 1.
    worker.on('error', (err) => process.stderr.write(`xferlens: ${err.stack ?? String(err)}\n`));
    worker.on('exit', resolve);
  });
}

/**
 * In such a worker: its stderr is a pipe to the caller's, which says whether it is a terminal (so
 * that the progress bar shows as it would on the main thread). Nothing in any other thread.
 */
export function takeCallersTerminal(workerData: unknown): void {
  const data = workerData as Partial<CliWorkerData> | null;
  if (data?.role === ROLE && data.stderrColumns) Object.assign(process.stderr, { isTTY: true, columns: data.stderrColumns });
}
