/**
 * Deflates line blocks on a thread of its own during a big run, while the writer's thread analyses
 * and inserts the same batch's rows: compressing was 0.8 s of the writer's 21 s on 1M EFT lines, on
 * the thread that bounds the run, while the other core was idle half the time. The writer's
 * transaction is synchronous, so it waits for the blocks with Atomics.wait and takes them with
 * receiveMessageOnPort, without returning to the event loop. Imports nothing from Electron.
 */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { MessageChannel, receiveMessageOnPort, Worker, workerData, type MessagePort } from 'node:worker_threads';
import zlib from 'node:zlib';
import { yieldToWriter } from './helper-priority.js';

/** zlib's level for line blocks: 4 (see line-blocks.ts). */
export const DEFLATE_LEVEL = 4;

export const deflateBlock = (text: string): Buffer => deflateBytes(Buffer.from(text, 'utf8'));
const deflateBytes = (bytes: Uint8Array): Buffer => zlib.deflateRawSync(bytes, { level: DEFLATE_LEVEL });

/**
 * Whether `bytes` spans its whole ArrayBuffer, which can then be transferred: a small Buffer is a
 * slice of its thread's shared pool, which must stay on that thread.
 */
const ownsItsBuffer = (bytes: Uint8Array) => bytes.byteOffset === 0 && bytes.byteLength === bytes.buffer.byteLength;

interface DeflateThreadData {
  role: 'xferlens-deflate';
  port: MessagePort;
  /** Int32 0: results posted so far (the writer waits on it). */
  posted: SharedArrayBuffer;
}

interface Job {
  seq: number;
  /** The block's text as UTF-8: bytes move to the thread without a copy, where a string is cloned into its heap. */
  bytes: Uint8Array;
}

interface Done {
  seq: number;
  data: Uint8Array;
}

/**
 * How long the writer waits for one block before it deflates the block itself: the thread died (its
 * exit cannot be seen while the writer's transaction runs) or is starved. A block takes it 1–2 ms.
 */
const WAIT_MS = 2_000;

const THREAD = new URL('./deflate-thread.js', import.meta.url);

export class DeflateThread {
  /** Blocks this process took from deflate threads (what tests check the thread by). */
  static taken = 0;
  private seq = 0;
  /** The thread stopped, or gave no block for WAIT_MS: the caller deflates from then on. */
  private broken = false;
  private readonly posted: Int32Array;

  private constructor(
    private readonly worker: Worker,
    private readonly port: MessagePort,
    shared: SharedArrayBuffer,
  ) {
    this.posted = new Int32Array(shared);
    worker.on('error', () => (this.broken = true));
    worker.on('exit', () => (this.broken = true));
    worker.unref();
    port.unref();
  }

  /** A thread, or undefined where none can run (the TypeScript sources in unit tests have no compiled script). */
  static start(): DeflateThread | undefined {
    if (THREAD.protocol !== 'file:' || !fs.existsSync(fileURLToPath(THREAD))) return undefined;
    const { port1, port2 } = new MessageChannel();
    const shared = new SharedArrayBuffer(4);
    const data: DeflateThreadData = { role: 'xferlens-deflate', port: port2, posted: shared };
    const worker = new Worker(THREAD, { workerData: data, transferList: [port2], resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 16 } });
    return new DeflateThread(worker, port1, shared);
  }

  /** Starts deflating `text`; `take` with the number returned gives the block. */
  submit(text: string): number {
    const seq = ++this.seq;
    if (!this.broken) {
      const bytes = Buffer.from(text, 'utf8');
      const job: Job = { seq, bytes };
      this.port.postMessage(job, ownsItsBuffer(bytes) ? [bytes.buffer as ArrayBuffer] : []);
    }
    return seq;
  }

  /**
   * The deflated block of job `seq` (`text` again, in case the thread cannot give it). Results come
   * in order; any older one left by a rolled-back batch is passed over.
   */
  take(seq: number, text: string): Buffer {
    while (!this.broken) {
      const seen = Atomics.load(this.posted, 0);
      const m = receiveMessageOnPort(this.port) as { message: Done } | undefined;
      if (m) {
        const { data } = m.message;
        if (m.message.seq === seq) {
          DeflateThread.taken++;
          return Buffer.from(data.buffer, data.byteOffset, data.byteLength);
        }
        if (m.message.seq > seq) break; // cannot happen: results are in order
        continue;
      }
      if (Atomics.wait(this.posted, 0, seen, WAIT_MS) === 'timed-out' && Atomics.load(this.posted, 0) === seen) this.broken = true;
    }
    return deflateBlock(text);
  }

  stop(): void {
    this.broken = true;
    this.port.close();
    void this.worker.terminate();
  }
}

const data = workerData as DeflateThreadData | undefined;
if (data?.role === 'xferlens-deflate') {
  yieldToWriter();
  const { port } = data;
  const posted = new Int32Array(data.posted);
  port.on('message', (job: Job) => {
    const out = deflateBytes(job.bytes);
    const done: Done = { seq: job.seq, data: out };
    // Both buffers go to the writer's thread, whose frequent collections free them: this thread
    // allocates almost nothing else, so its own would wait for 64 MB of dead buffers (+40 MB of
    // peak RSS on 1M lines). The input arrived as a buffer of its own.
    const transfer = [job.bytes.buffer as ArrayBuffer];
    if (ownsItsBuffer(out)) transfer.push(out.buffer as ArrayBuffer);
    port.postMessage(done, transfer);
    Atomics.add(posted, 0, 1);
    Atomics.notify(posted, 0);
  });
}
