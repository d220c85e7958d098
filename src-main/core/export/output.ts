/**
 * Where an export goes, shared by the CSV and NDJSON writers: rows become text in chunks of about
 * 64 KB, each chunk waits for the output to drain before the next is formatted (memory stays flat
 * whatever the row count), and a file is written as `FILE.partial`, renamed to FILE only once
 * complete, so a cancelled or failed export never leaves a truncated file behind.
 */
import fs from 'node:fs';
import { once } from 'node:events';
import { finished } from 'node:stream/promises';
import { setImmediate as nextTurn } from 'node:timers/promises';
import type { Writable } from 'node:stream';

/** A file path, or a stream that stays open afterwards (it belongs to the caller, e.g. stdout). */
export type ExportTarget = Writable | string;

export interface ExportRunOptions {
  /** Rows written so far: after each chunk (a few hundred rows) and once at the end. */
  onProgress?(rows: number): void;
  /** Aborting stops the export; the promise rejects with the signal's reason and a file target is not created. */
  signal?: AbortSignal;
}

/** Rows another thread wrote to a file of their own (see export/halves.ts): they follow this output's rows. */
export interface TailPart {
  file: string;
  rows: number;
}

export interface ExportResult {
  rows: number;
  /** Bytes written, BOM and header included. */
  bytes: number;
}

/** Large enough to make writes cheap, small enough that output and memory move in small steps. */
const CHUNK_CHARS = 64 * 1024;

interface Sink {
  /** Writes one chunk; resolves when the output can take more. Returns the bytes written. */
  write(text: string | Buffer): Promise<number>;
  /** Everything is written: flush and, for a file, move it into place. */
  commit(): Promise<void>;
  /** Something failed or was cancelled: drop what was written to a file. */
  discard(): Promise<void>;
}

/**
 * Writes `head` (BOM, header line) then `formatLine(row)` for each row, then the bytes of `tail`'s
 * file when there is one. Rows are pulled only as fast as the output drains, and the event loop gets
 * a turn after every chunk so that an abort (a Cancel button, Ctrl+C) is seen even while a
 * synchronous database cursor feeds the rows.
 */
export async function writeLines<Row>(
  rows: Iterable<Row>,
  out: ExportTarget,
  head: string,
  formatLine: (row: Row) => string,
  opts: ExportRunOptions & { tail?: () => Promise<TailPart> } = {},
): Promise<ExportResult> {
  const { signal, onProgress, tail } = opts;
  signal?.throwIfAborted();
  const sink = typeof out === 'string' ? await fileSink(out, signal) : streamSink(out, signal);
  let count = 0;
  let bytes = 0;
  try {
    let chunk = head;
    for (const row of rows) {
      chunk += formatLine(row);
      count++;
      if (chunk.length >= CHUNK_CHARS) {
        bytes += await sink.write(chunk);
        chunk = '';
        signal?.throwIfAborted();
        onProgress?.(count);
      }
    }
    if (chunk) bytes += await sink.write(chunk);
    if (tail) {
      const part = await tail();
      for await (const buffer of fs.createReadStream(part.file, { highWaterMark: 1 << 20, ...(signal ? { signal } : {}) })) {
        bytes += await sink.write(buffer as Buffer);
      }
      count += part.rows;
    }
    signal?.throwIfAborted();
    await sink.commit();
  } catch (err) {
    await sink.discard();
    // An abort seen inside `once(…, { signal })` arrives wrapped; callers get the signal's own reason.
    throw signal?.aborted ? signal.reason : err;
  }
  onProgress?.(count);
  return { rows: count, bytes };
}

function streamSink(stream: Writable, signal: AbortSignal | undefined): Sink & { stream: Writable } {
  let failure: unknown;
  const onError = (err: unknown) => (failure ??= err);
  stream.on('error', onError);
  const detach = () => stream.off('error', onError);
  return {
    stream,
    async write(text) {
      if (failure) throw failure;
      // A stream destroyed by an error (a full disk) says which before its 'error' event is emitted.
      if (stream.destroyed || stream.writableEnded) throw stream.errored ?? new Error('the export output was closed');
      const buffer = typeof text === 'string' ? Buffer.from(text, 'utf8') : text;
      if (!stream.write(buffer)) await once(stream, 'drain', { signal });
      else await nextTurn();
      return buffer.length;
    },
    async commit() {
      detach();
      if (failure) throw failure;
    },
    async discard() {
      detach();
    },
  };
}

async function fileSink(file: string, signal: AbortSignal | undefined): Promise<Sink> {
  const partial = file + '.partial';
  // 1 MiB lets the disk write one part while the next is formatted. Readable by this user only
  // (the rows are log data), as it stays once renamed.
  const stream = fs.createWriteStream(partial, { highWaterMark: 1 << 20, mode: 0o600 });
  await once(stream, 'open');
  const sink = streamSink(stream, signal);
  return {
    write: sink.write,
    async commit() {
      stream.end();
      await finished(stream);
      await sink.commit();
      await fs.promises.rename(partial, file);
    },
    async discard() {
      await sink.discard();
      stream.destroy();
      await finished(stream).catch(() => {});
      await fs.promises.rm(partial, { force: true });
    },
  };
}

/**
 * Writes one document made in memory (a report) the way exports are written: a file as
 * `FILE.partial`, renamed once complete (this user only), a stream left open for its owner.
 */
export async function writeDocument(out: ExportTarget, data: string | Buffer, signal?: AbortSignal): Promise<number> {
  signal?.throwIfAborted();
  const sink = typeof out === 'string' ? await fileSink(out, signal) : streamSink(out, signal);
  try {
    const bytes = await sink.write(data);
    signal?.throwIfAborted();
    await sink.commit();
    return bytes;
  } catch (err) {
    await sink.discard();
    throw signal?.aborted ? signal.reason : err;
  }
}
