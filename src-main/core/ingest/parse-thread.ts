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
import { ColumnRows, type RowColumns } from './row-columns.js';
import type { BatchRows } from '../store/batch-rows.js';

/** A batch of rows, parsed: what the indexer commits. */
export interface ParsedBatch {
  rows: BatchRows;
  /** Offset just past its last line. */
  end: number;
  progress: ParseProgress;
}

interface ParseThreadData {
  role: 'xferlens-parse';
  /** Batches it may parse ahead of the writer. */
  ahead: number;
}

/** What the thread is told once it is ready: where to go on from. */
interface Begin {
  file: string;
  read: ReadOptions;
  start: ParseStart;
}

type Message =
  | { ready: true }
  | { batch: RowColumns; end: number; progress: ParseProgress }
  | { error: { message: string; code?: string; name?: string } }
  | { done: true };

/**
 * Batches the thread parses ahead of the writer: one is enough for it to work while the writer
 * stores the last (it is the faster of the two), and each batch held costs memory.
 */
const AHEAD = 1;

/**
 * Batches parsed ahead of the writer across a run's small files (ParseAhead): each file's first
 * batch is small (a few hundred lines, see line-reader.ts), stored in less time than the next one
 * takes to parse, and with one batch ahead the writer waited for the thread (2.0 s of 300 daily files).
 */
const AHEAD_ACROSS_FILES = 4;

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
 * The parsed batches of `file`: parsed here until a thread takes over, which goes on from where the
 * last batch here left off as a later run goes on from a checkpoint. `mayStart()` (asked as each
 * batch is parsed, until it says yes; null: never a thread) says when the thread may start: the indexer's says so when
 * the run's other helper threads start, a second in (at once, the thread's start-up delayed the
 * first rows the app shows: Chromium, the server and the writer share the two cores then). Batches
 * are parsed here while the thread starts up (appending 100k lines to 10M, the writer waited
 * 450 ms for it), unless `waitForThread` (tests: a hand-over after a known batch). The thread is
 * told where to begin before that batch is yielded, so that it parses the next while the writer
 * stores this one. Both read one open descriptor: a file rotated meanwhile is read whole, as when
 * one thread read it.
 */
export async function* parseBatches(
  file: string,
  read: ReadOptions,
  start: ParseStart,
  mayStart: (() => boolean) | null,
  waitForThread = false,
): AsyncGenerator<ParsedBatch> {
  if (mayStart === null) return yield* parseHere(file, read, start);
  const handle = await fs.promises.open(file, 'r');
  const here = parseHere(file, { ...read, fd: handle.fd }, start);
  let thread: ParseThread | null | undefined; // null: it could not start
  try {
    let handedOver = false;
    for (;;) {
      const next = await here.next();
      if (next.done) return;
      const batch = next.value;
      if (!thread && mayStart()) {
        thread = ParseThread.start();
        if (waitForThread) await thread?.started;
      }
      if (thread?.ready) {
        const rest: ReadOptions = { ...read, start: batch.end, smallFirstBatch: false, fd: handle.fd };
        const { formatId, saved, lineNo } = batch.progress;
        thread.begin({ file, read: rest, start: { ...start, formatId, saved, lineNo } });
        handedOver = true;
      }
      yield batch;
      if (handedOver) break;
    }
    await here.return(undefined);
    yield* thread!.batches();
  } finally {
    await here.return(undefined); // its reads end before their file is closed
    await thread?.end(); // and the thread's
    await handle.close();
  }
}

/**
 * The batches parsed on this thread, as columns too (as the thread gives them): the writer then
 * makes each row when its turn comes, and looks each distinct string of a batch up once. Rows of a
 * whole batch made at once outlived the writer's bounded young generation (a folder of 300 daily
 * files of 3,000 EFT lines, alternated: the process's CPU 27.5–32.4 → 25.8–28.2 s).
 */
async function* parseHere(file: string, read: ReadOptions, start: ParseStart): AsyncGenerator<ParsedBatch> {
  const parser = new BatchParser(start);
  for await (const batch of readLineBatches(file, read)) {
    yield { rows: new ColumnRows(parser.parseColumns(batch)), end: batch.end, progress: parser.progress() };
  }
}

/**
 * A parsing thread: started at once, told where to begin once it is ready. A thread that cannot
 * start is never ready, or not made (the file is parsed here); one that dies before its first
 * batch leaves the rest to this thread.
 */
class ParseThread {
  static start(ahead = AHEAD): ParseThread | null {
    try {
      return new ParseThread(ahead);
    } catch {
      return null; // no thread (its resource limits refused, say): parsed here
    }
  }

  private readonly worker: Worker;
  /** Its messages but `ready` (which the listener takes). */
  private readonly queue: Exclude<Message, { ready: true }>[] = [];
  private wake: (() => void) | undefined;
  private failure: unknown;
  private beginning: Begin | undefined;
  private isEnded = false;
  ready = false;
  /** Settles when the thread is ready or has failed. */
  readonly started: Promise<void>;

  private constructor(ahead: number) {
    const data: ParseThreadData = { role: 'xferlens-parse', ahead };
    this.worker = new Worker(THREAD, { workerData: data, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, maxOldGenerationSizeMb: OLD_GENERATION_MB } });
    let started!: () => void;
    this.started = new Promise<void>((resolve) => (started = resolve));
    const arrived = () => {
      this.wake?.();
      this.wake = undefined;
    };
    const failed = (err: unknown) => {
      this.failure ??= err;
      started();
      arrived();
    };
    this.worker.on('message', (m: Message) => {
      if ('ready' in m) {
        this.ready = this.failure === undefined;
        started();
        return;
      }
      this.queue.push(m);
      arrived();
    });
    this.worker.on('messageerror', failed);
    this.worker.on('error', failed);
    this.worker.on('exit', (code) => failed(new Error(`the thread reading the file stopped (exit code ${code})`)));
  }

  begin(b: Begin): void {
    this.beginning = b;
    this.worker.postMessage(b);
  }

  /**
   * The batches it parses of the file begun last (`b`: of one begun before it, ParseAhead). Leaving
   * the loop early (a stop, an error) ends the thread, as does the file's end unless `keep` (it
   * then goes on with the next file begun). A read error arrives as the error the reading raised
   * (its code kept). A thread that fails before its first batch leaves the file to this thread.
   */
  async *batches(b = this.beginning!, keep = false): AsyncGenerator<ParsedBatch> {
    let received = false;
    let finished = false;
    try {
      for (;;) {
        const m = this.queue.shift();
        if (!m) {
          if (this.failure) {
            if (received) throw this.failure;
            break; // parsed here instead, below
          }
          await new Promise<void>((resolve) => (this.wake = resolve));
          continue;
        }
        received = true;
        if ('done' in m) {
          finished = true;
          return;
        }
        if ('error' in m) {
          finished = true;
          throw Object.assign(new Error(m.error.message), m.error);
        }
        this.worker.postMessage('next');
        threadBatches.count++;
        yield { rows: new ColumnRows(m.batch), end: m.end, progress: m.progress };
      }
    } finally {
      if (!keep || !finished) await this.end(); // before the file it reads is closed
    }
    yield* parseHere(b.file, b.read, b.start);
  }

  /** Whether it has been ended (or has failed): it parses nothing more. */
  get ended(): boolean {
    return this.isEnded || this.failure !== undefined;
  }

  async end(): Promise<void> {
    this.isEnded = true;
    this.worker.removeAllListeners();
    this.worker.on('error', () => {}); // a late error of a thread being ended is of no interest
    await this.worker.terminate();
  }
}

/**
 * Parses a run's next file on one thread while the writer stores the one before: a folder of daily
 * logs, each too small for a thread of its own, was parsed on the writer's thread, whose time
 * bounds the run (300 daily files of 3,000 EFT lines: parsing 2.7 s of its 21.9 s, and much of its
 * collector's 3.3 s). The thread goes from file to file, in the order they are begun; the writer
 * takes a file's batches by the key it was begun with (what it would parse it with), and one it
 * does not ask for next (its plan differed: another process indexed it meanwhile, say) ends the
 * thread, its batches unused; another starts for the files after it.
 */
export class ParseAhead {
  /** null: it could not start (files are parsed by the writer). */
  private thread: ParseThread | null | undefined;
  /** The files begun on the thread and not taken yet, in order, each with its plan's key. */
  private readonly begun: { file: string; key: string }[] = [];

  /**
   * `mayStart()`: whether the thread may start now (with the run's other helper threads);
   * `waitForThread`: files are begun once it has started, none parsed by the writer meanwhile (tests).
   */
  constructor(
    private readonly mayStart: () => boolean,
    private readonly waitForThread = false,
  ) {}

  /**
   * Whether a file begun now would be parsed on the thread: it is started when due (and waited for,
   * with `waitForThread`); until it is ready, files are parsed by the writer.
   */
  async accepting(): Promise<boolean> {
    if (this.thread === undefined && this.mayStart()) this.thread = ParseThread.start(AHEAD_ACROSS_FILES);
    if (this.waitForThread) await this.thread?.started;
    return !!this.thread?.ready && !this.thread.ended;
  }

  /** Begins parsing a file that the writer will ask for by `key`, if the thread is running. */
  async begin(key: string, b: Begin): Promise<void> {
    if (!(await this.accepting())) return;
    this.thread!.begin(b);
    this.begun.push({ file: b.file, key });
  }

  /**
   * The batches of the file `b` begun by `key`, or undefined when it was not (while the thread
   * started up) or by another plan: the caller parses it. A file begun by another plan, or begun
   * after files not taken (the writer had nothing to read of them), ends the thread: what it parses
   * would not be used. Another is started for the files after it.
   */
  take(key: string, b: Begin): AsyncGenerator<ParsedBatch> | undefined {
    const thread = this.thread;
    const at = this.begun.findIndex((f) => f.file === b.file);
    if (thread && !thread.ended && at === 0 && this.begun[0]!.key === key) {
      this.begun.shift();
      return thread.batches(b, true);
    }
    if (at >= 0 || thread?.ended) void this.drop(undefined);
    return undefined;
  }

  /** The run's end: the thread ends, and no other starts. */
  end(): Promise<void> {
    return this.drop(null);
  }

  /** Ends the thread and forgets what was begun on it; `next`: undefined lets another start, null not. */
  private async drop(next: undefined | null): Promise<void> {
    this.begun.length = 0;
    const ending = this.thread;
    this.thread = next;
    await ending?.end();
  }
}

const data = workerData as ParseThreadData | undefined;
if (parentPort && data?.role === 'xferlens-parse') {
  const port = parentPort;
  let credits = data.ahead;
  let resume: (() => void) | undefined;
  const run = async (b: Begin) => {
    const parser = new BatchParser(b.start);
    const batches = readLineBatches(b.file, b.read);
    for (;;) {
      // A batch is read only once the writer has taken enough of those before: `ahead` batches, no more.
      while (credits === 0) await new Promise<void>((r) => (resume = r));
      const next = await batches.next();
      if (next.done) break;
      const lines = next.value;
      const batch = parser.parseColumns(lines);
      credits--;
      const m: Message = { batch, end: lines.end, progress: parser.progress() };
      // Copied, not transferred: a moved buffer is freed by the writer's thread into this thread's
      // malloc arena, and a 10M-line first index peaked at 337 and 342 MB in two runs of four
      // (271–277 MB in the others); copied (a few hundred KB a batch), 271 and 275 MB.
      port.postMessage(m);
    }
    port.postMessage({ done: true } satisfies Message);
  };
  // Files are parsed one after another, in the order they were begun (a run's next files, ParseAhead).
  const files: Begin[] = [];
  const runFiles = async () => {
    for (let b = files[0]; b; files.shift(), b = files[0]) {
      await run(b).catch((err: unknown) => {
        const e = err as NodeJS.ErrnoException;
        port.postMessage({ error: { message: e?.message ?? String(err), ...(e?.code ? { code: e.code } : {}), ...(e?.name ? { name: e.name } : {}) } } satisfies Message);
      });
    }
  };
  port.on('message', (m: Begin | 'next') => {
    if (m !== 'next') {
      if (files.push(m) === 1) void runFiles();
      return;
    }
    credits++;
    resume?.();
    resume = undefined;
  });
  port.postMessage({ ready: true } satisfies Message);
}
