import fs from 'node:fs';
import { isAscii } from 'node:buffer';
import zlib from 'node:zlib';
import { decodeLine8, decodeUtf16, type Encoding } from './encoding.js';

/**
 * Streams a file's complete lines in batches, from a byte offset, with each line's offset. Memory
 * stays flat: one chunk plus the current partial line. Newlines are LF (a CR before it is dropped);
 * a last line without LF is left for the next run, as the server may still be writing it, except in
 * a compressed file, which is complete by definition.
 */

export interface LineBatch {
  /** Decoded text of each line, without CR/LF. */
  lines: string[];
  /** Byte offset of each line's first byte (in the decompressed stream for .gz). */
  offsets: number[];
  /** Offset just past the last line of this batch: where the next run continues. */
  end: number;
  /** Lines whose bytes were not valid UTF-8 and were read as Windows-1252. */
  fallbackLines: number;
}

export interface ReadOptions {
  encoding: Encoding;
  /** Where to start; for a fresh read this is the BOM length. */
  start: number;
  gzip: boolean;
  chunkSize?: number;
}

const DEFAULT_CHUNK = 1 << 20;

/** Byte chunks of the (decompressed) file starting at `start`. */
async function* chunks(file: string, opts: ReadOptions): AsyncGenerator<Buffer> {
  const size = opts.chunkSize ?? DEFAULT_CHUNK;
  if (opts.gzip) {
    // A .gz stream cannot seek: decompress from the start and skip to `start`.
    let pos = 0;
    const stream = fs.createReadStream(file, { flags: 'r', highWaterMark: size }).pipe(zlib.createGunzip({ chunkSize: size }));
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      const chunkEnd = pos + chunk.length;
      if (chunkEnd > opts.start) yield pos < opts.start ? chunk.subarray(opts.start - pos) : chunk;
      pos = chunkEnd;
    }
    return;
  }
  // Read-only, shared: the server keeps writing the file while we read it.
  const fd = await fs.promises.open(file, 'r');
  try {
    let pos = opts.start;
    for (;;) {
      const buf = Buffer.allocUnsafe(size);
      const { bytesRead } = await fd.read(buf, 0, size, pos);
      if (bytesRead === 0) return;
      pos += bytesRead;
      yield buf.subarray(0, bytesRead);
    }
  } finally {
    await fd.close();
  }
}

/** Index just past the last newline in `buf` (0 when there is none). */
function completeLength(buf: Buffer, encoding: Encoding): number {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const lfLo = encoding === 'utf-16le' ? 0x0a : 0x00;
    const lfHi = encoding === 'utf-16le' ? 0x00 : 0x0a;
    for (let i = (buf.length & ~1) - 2; i >= 0; i -= 2) if (buf[i] === lfLo && buf[i + 1] === lfHi) return i + 2;
    return 0;
  }
  const lf = buf.lastIndexOf(0x0a);
  return lf + 1;
}

/** Splits a block of complete lines (ending with LF) starting at file offset `base`. */
function splitBlock(block: Buffer, base: number, encoding: Encoding, out: LineBatch): void {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    const text = decodeUtf16(block, encoding);
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      out.offsets.push(base + pos * 2);
      out.lines.push(text.charCodeAt(nl - 1) === 13 && nl > pos ? text.slice(pos, nl - 1) : text.slice(pos, nl));
      pos = nl + 1;
    }
    return;
  }
  if (isAscii(block)) {
    // The common case: one decode for the whole block, string offsets equal byte offsets.
    const text = block.toString('latin1');
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      out.offsets.push(base + pos);
      out.lines.push(text.charCodeAt(nl - 1) === 13 && nl > pos ? text.slice(pos, nl - 1) : text.slice(pos, nl));
      pos = nl + 1;
    }
    return;
  }
  let pos = 0;
  for (;;) {
    const nl = block.indexOf(0x0a, pos);
    if (nl < 0) break;
    const endNoCr = nl > pos && block[nl - 1] === 0x0d ? nl - 1 : nl;
    const { text, fallback } = decodeLine8(block.subarray(pos, endNoCr));
    out.offsets.push(base + pos);
    out.lines.push(text);
    if (fallback) out.fallbackLines++;
    pos = nl + 1;
  }
}

/**
 * Complete lines from `opts.start`, about one chunk per batch. With `flushLast`, a final line
 * without LF is also returned (used for compressed files).
 */
export async function* readLineBatches(file: string, opts: ReadOptions & { flushLast?: boolean }): AsyncGenerator<LineBatch> {
  let carry: Buffer | null = null;
  let carryStart = opts.start;
  for await (const chunk of chunks(file, opts)) {
    const buf: Buffer = carry ? Buffer.concat([carry, chunk]) : chunk;
    const complete = completeLength(buf, opts.encoding);
    if (complete === 0) {
      carry = buf;
      continue;
    }
    const batch: LineBatch = { lines: [], offsets: [], end: carryStart + complete, fallbackLines: 0 };
    splitBlock(buf.subarray(0, complete), carryStart, opts.encoding, batch);
    carry = complete < buf.length ? Buffer.from(buf.subarray(complete)) : null;
    carryStart += complete;
    yield batch;
  }
  if (opts.flushLast && carry && carry.length) {
    const nl = opts.encoding === 'utf-16be' ? Buffer.from([0, 0x0a]) : opts.encoding === 'utf-16le' ? Buffer.from([0x0a, 0]) : Buffer.from([0x0a]);
    const batch: LineBatch = { lines: [], offsets: [], end: carryStart + carry.length, fallbackLines: 0 };
    splitBlock(Buffer.concat([carry, nl]), carryStart, opts.encoding, batch);
    yield batch;
  }
}
