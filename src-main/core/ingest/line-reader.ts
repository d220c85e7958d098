import fs from 'node:fs';
import { isAscii } from 'node:buffer';
import { Readable } from 'node:stream';
import zlib from 'node:zlib';
import { DETECT_SAMPLE_LINES } from './detect.js';
import { decodeLine8, decodeUtf16, type Encoding } from './encoding.js';

/**
 * Streams a file's complete lines in batches, from a byte offset, with each line's offset. Memory
 * stays flat: one chunk plus the current partial line. Newlines are LF (a CR before it is dropped);
 * a last line without LF is left for the next run, as the server may still be writing it, except in
 * a compressed file, which is complete by definition. A CR that is not before a LF is part of the
 * line's text (CR alone does not end a line). A line longer than MAX_LINE_BYTES keeps only its
 * first MAX_LINE_BYTES bytes (cut at a character boundary) and is listed in `truncated`, so one
 * runaway line (a binary blob, a file without LF) cannot exhaust memory.
 */

/** Longest line stored whole, in bytes of the file (without CR/LF). */
export const MAX_LINE_BYTES = 1 << 20;

export interface LineBatch {
  /** Decoded text of each line, without CR/LF. */
  lines: string[];
  /** Byte offset of each line's first byte (in the decompressed stream for .gz). */
  offsets: number[];
  /** Offset just past the last line of this batch: where the next run continues. */
  end: number;
  /** Lines whose bytes were not valid UTF-8 and were read as Windows-1252. */
  fallbackLines: number;
  /** Lines cut at MAX_LINE_BYTES: index in `lines` → the line's full length in bytes (without CR/LF). */
  truncated: Map<number, number>;
}

export interface ReadOptions {
  encoding: Encoding;
  /** Where to start; for a fresh read this is the BOM length. */
  start: number;
  gzip: boolean;
  chunkSize?: number;
  /** The first batch is at most FIRST_BATCH_BYTES (default true; see there). */
  smallFirstBatch?: boolean;
  /** Default MAX_LINE_BYTES (smaller in tests). */
  maxLineBytes?: number;
  /** A final line without LF is returned too (a compressed file, which is complete). */
  flushLast?: boolean;
  /**
   * A descriptor of the file, open for reading, to read instead of opening the path again (a file
   * rotated meanwhile is read whole all the same); the caller closes it.
   */
  fd?: number;
}

/**
 * Bytes read (and committed) at a time. A batch's rows live until its commit, so most outlive a
 * young-generation GC and fill the old one until a full GC: 1M EFT lines, peak RSS 274–287 MB with
 * 1 MiB, 230–241 MB with 512 KiB at the same speed (21.4 s twice against 21.6–23.0 s), 217–219 MB
 * with 256 KiB but 5–15 % slower (more commits).
 */
const DEFAULT_CHUNK = 512 << 10;
/**
 * The first batch of a read ends after the lines detecting the format looks at (DETECT_SAMPLE_LINES
 * that are not blank), within this many bytes: a big file's first lines are then stored, and shown
 * while the rest is read, after parsing ~200 lines instead of a whole chunk's ~5,000. It ended at
 * 64 KiB (~600 EFT lines): in the app, whose window draws on the same two cores meanwhile, the
 * first rows of 1M EFT lines showed later (medians of 25 runs, alternated: 515 ms, 447 ms now).
 * Blank here is spaces, tabs and CR only, where detection also trims other white space: a file
 * starting with such lines gives detection a few lines fewer.
 */
const FIRST_BATCH_BYTES = 64 << 10;

/** Byte chunks of the (decompressed) file starting at `start`. */
async function* chunks(file: string, opts: ReadOptions): AsyncGenerator<Buffer> {
  const size = opts.chunkSize ?? DEFAULT_CHUNK;
  // Read-only, shared: the server keeps writing the file while we read it.
  const own = opts.fd === undefined ? await fs.promises.open(file, 'r') : undefined;
  const { fd } = opts;
  const readAt: ReadAt = own
    ? async (buf, position) => (await own.read(buf, 0, buf.length, position)).bytesRead
    : (buf, position) => new Promise((resolve, reject) => fs.read(fd!, buf, 0, buf.length, position, (err, n) => (err ? reject(err) : resolve(n))));
  try {
    if (!opts.gzip) return yield* fileChunks(readAt, opts.start, size);
    // A .gz stream cannot seek: decompress from the start and skip to `start`.
    let pos = 0;
    const source = Readable.from(fileChunks(readAt, 0, size), { objectMode: false });
    const gunzip = zlib.createGunzip({ chunkSize: size });
    // A read error (a network share dropping) reaches the reader, as the file's error: piped, it
    // was thrown on its own, uncaught.
    source.on('error', (err) => gunzip.destroy(err));
    try {
      for await (const chunk of source.pipe(gunzip) as AsyncIterable<Buffer>) {
        const chunkEnd = pos + chunk.length;
        if (chunkEnd > opts.start) yield pos < opts.start ? chunk.subarray(opts.start - pos) : chunk;
        pos = chunkEnd;
      }
    } finally {
      source.destroy(); // its reads stop when the reader stops early
      gunzip.destroy();
    }
  } finally {
    await own?.close();
  }
}

/** Reads into `buf` the file's bytes at `position`; gives how many it read (0 at its end). */
type ReadAt = (buf: Buffer, position: number) => Promise<number>;

/** The file's bytes from `position` on, read where they are (a descriptor's own position is not used). */
async function* fileChunks(readAt: ReadAt, position: number, size: number): AsyncGenerator<Buffer> {
  for (;;) {
    const buf = Buffer.allocUnsafe(size);
    const bytesRead = await readAt(buf, position);
    if (bytesRead === 0) return;
    position += bytesRead;
    yield buf.subarray(0, bytesRead);
  }
}

/** The chunks with the first one split where the first batch ends (see FIRST_BATCH_BYTES). */
async function* smallFirst(source: AsyncIterable<Buffer>, encoding: Encoding): AsyncGenerator<Buffer> {
  let first = true;
  for await (const chunk of source) {
    const end = first ? firstBatchEnd(chunk, encoding) : chunk.length;
    if (end < chunk.length) {
      yield chunk.subarray(0, end);
      yield chunk.subarray(end);
    } else {
      yield chunk;
    }
    first = false;
  }
}

/** Where the first batch ends in the first chunk: after its DETECT_SAMPLE_LINES-th line that is not blank, or FIRST_BATCH_BYTES. */
function firstBatchEnd(chunk: Buffer, encoding: Encoding): number {
  const unit = unitBytes(encoding);
  const limit = Math.min(chunk.length, FIRST_BATCH_BYTES);
  let lines = 0;
  let blank = true;
  for (let i = 0; i + unit <= limit; i += unit) {
    if (isUnit(chunk, i, 0x0a, encoding)) {
      if (!blank && ++lines === DETECT_SAMPLE_LINES) return i + unit;
      blank = true;
    } else if (blank && !isUnit(chunk, i, 0x20, encoding) && !isUnit(chunk, i, 0x09, encoding) && !isUnit(chunk, i, 0x0d, encoding)) {
      blank = false;
    }
  }
  return limit;
}

const isUtf16 = (encoding: Encoding): encoding is 'utf-16le' | 'utf-16be' => encoding === 'utf-16le' || encoding === 'utf-16be';

/** Bytes of the line feed (and of a CR) in this encoding. */
const unitBytes = (encoding: Encoding) => (isUtf16(encoding) ? 2 : 1);

/** Whether the code unit at byte `i` of `buf` is `char` (an ASCII control character). */
function isUnit(buf: Buffer, i: number, char: number, encoding: Encoding): boolean {
  if (encoding === 'utf-16le') return buf[i] === char && buf[i + 1] === 0;
  if (encoding === 'utf-16be') return buf[i] === 0 && buf[i + 1] === char;
  return buf[i] === char;
}

/** Index just past the last newline in `buf` (0 when there is none). */
function completeLength(buf: Buffer, encoding: Encoding): number {
  if (isUtf16(encoding)) {
    for (let i = (buf.length & ~1) - 2; i >= 0; i -= 2) if (isUnit(buf, i, 0x0a, encoding)) return i + 2;
    return 0;
  }
  const lf = buf.lastIndexOf(0x0a);
  return lf + 1;
}

/** Index of the first newline in `buf` (which starts at a character boundary), or -1. */
function firstNewline(buf: Buffer, encoding: Encoding): number {
  if (!isUtf16(encoding)) return buf.indexOf(0x0a);
  for (let i = 0; i + 1 < buf.length; i += 2) if (isUnit(buf, i, 0x0a, encoding)) return i;
  return -1;
}

/**
 * Adds a line longer than the limit: `head` is (at least) its first `maxLine` bytes, `length` its
 * full length. The cut backs off to a character boundary so that the kept text decodes as the
 * line would have (a split UTF-8 sequence would otherwise turn the line into Windows-1252).
 */
function pushTruncated(out: LineBatch, head: Buffer, offset: number, length: number, encoding: Encoding, maxLine: number): void {
  let cut = Math.min(maxLine, head.length);
  if (isUtf16(encoding)) {
    cut &= ~1;
    const hi = encoding === 'utf-16le' ? head[cut - 1]! : head[cut - 2]!;
    if (cut >= 2 && hi >= 0xd8 && hi <= 0xdb) cut -= 2; // a high surrogate without its pair
    out.lines.push(decodeUtf16(head.subarray(0, cut), encoding));
  } else {
    for (let back = 0; back < 3 && cut > 0 && (head[cut]! & 0xc0) === 0x80; back++) cut--;
    const { text, fallback } = decodeLine8(head.subarray(0, cut));
    out.lines.push(text);
    if (fallback) out.fallbackLines++;
  }
  out.truncated.set(out.lines.length - 1, length);
  out.offsets.push(offset);
}

/** Splits a block of complete lines (ending with LF) starting at file offset `base`. */
function splitBlock(block: Buffer, base: number, encoding: Encoding, out: LineBatch, maxLine: number): void {
  if (isUtf16(encoding)) {
    const text = decodeUtf16(block, encoding);
    let pos = 0;
    for (;;) {
      const nl = text.indexOf('\n', pos);
      if (nl < 0) break;
      const end = text.charCodeAt(nl - 1) === 13 && nl > pos ? nl - 1 : nl;
      if ((end - pos) * 2 > maxLine) {
        pushTruncated(out, block.subarray(pos * 2, pos * 2 + maxLine), base + pos * 2, (end - pos) * 2, encoding, maxLine);
      } else {
        out.offsets.push(base + pos * 2);
        out.lines.push(text.slice(pos, end));
      }
      pos = nl + 1;
    }
    return;
  }
  if (isAscii(block)) {
    // The common case: one byte per character. Each line is decoded on its own: a slice of one
    // string of the whole block would keep all of it (1 MiB) alive for as long as any value parsed
    // from the line is remembered (sessions, string ids), which took a 1M-line index from 250 to
    // 370 MB.
    let pos = 0;
    for (;;) {
      const nl = block.indexOf(0x0a, pos);
      if (nl < 0) break;
      const end = nl > pos && block[nl - 1] === 0x0d ? nl - 1 : nl;
      if (end - pos > maxLine) {
        pushTruncated(out, block.subarray(pos, pos + maxLine), base + pos, end - pos, encoding, maxLine);
      } else {
        out.offsets.push(base + pos);
        out.lines.push(block.toString('latin1', pos, end));
      }
      pos = nl + 1;
    }
    return;
  }
  let pos = 0;
  for (;;) {
    const nl = block.indexOf(0x0a, pos);
    if (nl < 0) break;
    const endNoCr = nl > pos && block[nl - 1] === 0x0d ? nl - 1 : nl;
    if (endNoCr - pos > maxLine) {
      pushTruncated(out, block.subarray(pos, pos + maxLine + 1), base + pos, endNoCr - pos, encoding, maxLine);
    } else {
      const { text, fallback } = decodeLine8(block.subarray(pos, endNoCr));
      out.offsets.push(base + pos);
      out.lines.push(text);
      if (fallback) out.fallbackLines++;
    }
    pos = nl + 1;
  }
}

/**
 * An incomplete line longer than the limit: its first bytes, its length so far, the odd byte of a
 * UTF-16 code unit split between chunks (a decompressed chunk can have any length), and whether its
 * last whole code unit is CR.
 */
interface LongLine {
  head: Buffer;
  bytes: number;
  tail: Buffer;
  endsWithCr: boolean;
}

/** The long line's state after `scanned` (its newest bytes, starting at a character boundary). */
function longLine(scanned: Buffer, length: number, head: Buffer, endedWithCr: boolean, encoding: Encoding): LongLine {
  const unit = unitBytes(encoding);
  const whole = scanned.length - (scanned.length % unit);
  const endsWithCr = whole >= unit ? isUnit(scanned, whole - unit, 0x0d, encoding) : endedWithCr;
  return { head, bytes: length, tail: Buffer.from(scanned.subarray(whole)), endsWithCr };
}

/**
 * Complete lines from `opts.start`, about one chunk per batch (the first batch smaller: see
 * FIRST_BATCH_BYTES). With `flushLast`, a final line without LF is also returned (used for
 * compressed files).
 */
export async function* readLineBatches(file: string, opts: ReadOptions): AsyncGenerator<LineBatch> {
  const { encoding } = opts;
  const maxLine = opts.maxLineBytes ?? MAX_LINE_BYTES;
  const unit = unitBytes(encoding);
  const newBatch = (): LineBatch => ({ lines: [], offsets: [], end: 0, fallbackLines: 0, truncated: new Map() });
  /** The incomplete line at carryStart (at most maxLine + CR bytes: see `long`). */
  let carry: Buffer | null = null;
  let carryStart = opts.start;
  let long: LongLine | null = null;
  for await (const chunk of opts.smallFirstBatch === false ? chunks(file, opts) : smallFirst(chunks(file, opts), encoding)) {
    const batch = newBatch();
    let buf: Buffer;
    if (long) {
      const { head, bytes, tail, endsWithCr } = long;
      const scan = tail.length ? Buffer.concat([tail, chunk]) : chunk;
      const nl = firstNewline(scan, encoding);
      if (nl < 0) {
        long = longLine(scan, bytes + chunk.length, head, endsWithCr, encoding);
        continue;
      }
      const lineBytes = bytes - tail.length + nl;
      const cr = nl >= unit ? isUnit(scan, nl - unit, 0x0d, encoding) : endsWithCr;
      pushTruncated(batch, head, carryStart, lineBytes - (cr ? unit : 0), encoding, maxLine);
      carryStart += lineBytes + unit;
      long = null;
      buf = scan.subarray(nl + unit);
    } else {
      buf = carry ? Buffer.concat([carry, chunk]) : chunk;
    }
    const complete = completeLength(buf, encoding);
    if (complete > 0) splitBlock(buf.subarray(0, complete), carryStart, encoding, batch, maxLine);
    carryStart += complete;
    const rest = buf.subarray(complete);
    carry = null;
    // Longer than the limit even if it ends with CR (which the LF to come would drop).
    if (rest.length - (rest.length % unit) > maxLine + unit) {
      long = longLine(rest, rest.length, Buffer.from(rest.subarray(0, maxLine + 1)), false, encoding);
    } else if (rest.length) {
      carry = Buffer.from(rest);
    }
    batch.end = carryStart;
    if (batch.lines.length) yield batch;
  }
  if (!opts.flushLast) return;
  const batch = newBatch();
  if (long) {
    const { head, bytes, endsWithCr } = long;
    pushTruncated(batch, head, carryStart, bytes - (endsWithCr ? unit : 0), encoding, maxLine);
    batch.end = carryStart + bytes;
  } else if (carry) {
    const nl = encoding === 'utf-16be' ? Buffer.from([0, 0x0a]) : encoding === 'utf-16le' ? Buffer.from([0x0a, 0]) : Buffer.from([0x0a]);
    // (A damaged UTF-16 file can end in half a code unit: padded, so that the LF stays aligned.)
    splitBlock(Buffer.concat([carry, Buffer.alloc(carry.length % unit), nl]), carryStart, encoding, batch, maxLine);
    batch.end = carryStart + carry.length;
  }
  if (batch.lines.length) yield batch;
}
