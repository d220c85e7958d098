/**
 * Reads and parses a big file on a thread of its own, a batch ahead of the writer, which then only
 * analyses and stores. The writer's thread bounds a first index: on 1M EFT lines it was busy the
 * whole run (parsing 1.7 s of its 19 s, string lookups 2.7 s, much of them hashing each line's
 * fresh strings), while the second core, running the full-text and deflate threads, was idle 40 %
 * of it. Batches cross as columns, each distinct string once (row-columns.ts). Imports nothing from
 * Electron.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker, workerData, parentPort } from 'node:worker_threads';
import { BatchParser, type ParseProgress, type ParseStart } from './batch-parser.js';
import { readLineBatches, type ReadOptions } from './line-reader.js';
import { ColumnsBuilder, fromColumns, type RowColumns } from './row-columns.js';
import type { BatchStrings } from '../store/row-strings.js';
import type { EventRow } from '../store/writer.js';

/** A batch of rows, parsed: what the indexer commits. */
export interface ParsedBatch {
  rows: EventRow[];
  /** Offset just past its last line. */
  end: number;
  progress: ParseProgress;
  /** The rows' strings, each once (from the thread). */
  strings?: BatchStrings;
}

interface ParseThreadData {
  role: 'xferlens-parse';
  file: string;
  read: ReadOptions;
  start: ParseStart;
}

type Message =
  | { batch: RowColumns; end: number; progress: ParseProgress }
  | { error: { message: string; code?: string; name?: string } }
  | { done: true };

/**
 * Batches the thread parses ahead of the writer: one is enough for it to work while the writer
 * stores the last (it is the faster of the two), and each batch held costs memory.
 */
const AHEAD = 1;

/**
 * The thread's young generation, in MB: its rows die as soon as they are columns, and a small one
 * keeps the process's peak RSS down (1M EFT lines: 2 MB 242 MB, 4 MB 249–258 MB, as fast).
 */
const YOUNG_GENERATION_MB = 2;
/** Its old generation: a batch and the parser's state (a line is at most MAX_LINE_BYTES). */
const OLD_GENERATION_MB = 64;

const THREAD = new URL('./parse-thread.js', import.meta.url);

/** Batches that came from parsing threads in this process (what tests check the thread by). */
export const threadBatches = { count: 0 };

/** Whether a thread can run here (the TypeScript sources in unit tests have no compiled script). */
export const parseThreadAvailable = (): boolean => THREAD.protocol === 'file:' && fs.existsSync(fileURLToPath(THREAD));

/**
 * The parsed batches of `file`: parsed here until `handOver()` says (asked after each batch; null:
 * never), the rest on a thread, which goes on from where the last batch here left off as a later
 * run goes on from a checkpoint. The indexer hands over when the run's other helper threads start,
 * a second in: at once, the thread's start-up delayed the first rows the app shows (Chromium, the
 * server and the writer share the two cores then). Both read one open descriptor: a file rotated
 * meanwhile is read whole, as when one thread read it.
 */
export async function* parseBatches(file: string, read: ReadOptions, start: ParseStart, handOver: (() => boolean) | null): AsyncGenerator<ParsedBatch> {
  if (handOver === null) return yield* parseHere(file, read, start);
  const handle = await fs.promises.open(file, 'r');
  const here = parseHere(file, { ...read, fd: handle.fd }, start);
  try {
    let last: ParsedBatch | undefined;
    for (;;) {
      const next = await here.next();
      if (next.done) return;
      yield (last = next.value);
      if (handOver()) break;
    }
    await here.return(undefined);
    const { end, progress } = last;
    const rest: ReadOptions = { ...read, start: end, smallFirstBatch: false, fd: handle.fd };
    yield* parseOnThread(file, rest, { ...start, formatId: progress.formatId, saved: progress.saved, lineNo: progress.lineNo });
  } finally {
    await here.return(undefined); // its reads end before their file is closed
    await handle.close();
  }
}

/** The batches parsed on this thread. */
async function* parseHere(file: string, read: ReadOptions, start: ParseStart): AsyncGenerator<ParsedBatch> {
  const parser = new BatchParser(start);
  for await (const batch of readLineBatches(file, read)) {
    const rows = parser.parse(batch);
    yield { rows, end: batch.end, progress: parser.progress() };
  }
}

/**
 * The batches parsed on a thread. Leaving the loop early (a stop, an error) ends the thread. A read
 * error arrives as the error the reading raised (its code kept). A thread that cannot start (or
 * dies before its first batch) leaves the file to this thread.
 */
async function* parseOnThread(file: string, read: ReadOptions, start: ParseStart): AsyncGenerator<ParsedBatch> {
  const data: ParseThreadData = { role: 'xferlens-parse', file, read, start };
  const worker = new Worker(THREAD, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB } });
  const queue: Message[] = [];
  let wake: (() => void) | undefined;
  let failure: unknown;
  const arrived = () => {
    wake?.();
    wake = undefined;
  };
  const failed = (err: unknown) => {
    failure ??= err;
    arrived();
  };
  worker.on('message', (m: Message) => {
    queue.push(m);
    arrived();
  });
  worker.on('messageerror', failed);
  worker.on('error', failed);
  worker.on('exit', (code) => failed(new Error(`the thread reading the file stopped (exit code ${code})`)));
  let received = false;
  try {
    for (;;) {
      const m = queue.shift();
      if (!m) {
        if (failure) {
          if (received) throw failure;
          break; // parsed here instead, below
        }
        await new Promise<void>((resolve) => (wake = resolve));
        continue;
      }
      received = true;
      if ('done' in m) return;
      if ('error' in m) throw Object.assign(new Error(m.error.message), m.error);
      worker.postMessage('next');
      threadBatches.count++;
      yield { ...fromColumns(m.batch), end: m.end, progress: m.progress };
    }
  } finally {
    worker.removeAllListeners();
    worker.on('error', () => {}); // a late error of a thread being ended is of no interest
    await worker.terminate(); // before the file it reads is closed
  }
  yield* parseHere(file, read, start);
}

const data = workerData as ParseThreadData | undefined;
if (parentPort && data?.role === 'xferlens-parse') {
  const port = parentPort;
  let credits = AHEAD;
  let resume: (() => void) | undefined;
  port.on('message', () => {
    credits++;
    resume?.();
    resume = undefined;
  });
  const run = async () => {
    const parser = new BatchParser(data.start);
    const batches = readLineBatches(data.file, data.read);
    for (;;) {
      // A batch is read only once the writer has taken the one before: one batch ahead, no more.
      while (credits === 0) await new Promise<void>((r) => (resume = r));
      const next = await batches.next();
      if (next.done) break;
      const lines = next.value;
      // Each row becomes columns as soon as it is parsed: rows kept for the whole batch outlived
      // the small young generation (1M lines through this thread alone: 5.7 → 4.2 s).
      const builder = new ColumnsBuilder(lines.lines.length);
      parser.parseInto(lines, builder);
      const batch = builder.finish();
      credits--;
      const m: Message = { batch, end: lines.end, progress: parser.progress() };
      // Copied, not transferred: a moved buffer is freed by the writer's thread into this thread's
      // malloc arena, and a 10M-line first index peaked at 337 and 342 MB in two runs of four
      // (271–277 MB in the others); copied (a few hundred KB a batch), 271 and 275 MB.
      port.postMessage(m);
    }
    port.postMessage({ done: true } satisfies Message);
  };
  run().then(
    () => port.close(),
    (err: unknown) => {
      const e = err as NodeJS.ErrnoException;
      const m: Message = { error: { message: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}), ...(e?.name ? { name: e.name } : {}) } };
      port.postMessage(m);
      port.close();
    },
  );
}
