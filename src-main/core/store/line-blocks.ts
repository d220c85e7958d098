/**
 * Each line's exact text, stored once: consecutive lines of a source in blocks of LINES_PER_BLOCK,
 * deflated (schema 5). Log lines repeat their dates, users, paths and codes, so a block of 1,024
 * EFT lines deflates to about 0.14 of its size (1M lines: 114 MB of text → 16 MB, 0.65 s at level 4;
 * level 6 saves 1.6 MB more for twice the time, blocks of 4,096 save 0.6 MB but cost 16× as much to
 * read one line).
 *
 * A block's rowid is its address: (source id << 32) + block number, block k holding lines
 * k·1024+1 … (k+1)·1024 (line numbers start at 1). A statement reads a line through the SQL functions
 * registered here (`lineSql`): the block's blob is handed to JavaScript only when the connection's
 * cache does not hold it, so a page or an export decompresses each block once. `gen` changes whenever
 * a block is written (the last block of a source grows as lines are appended), which tells a cached
 * copy from the current one.
 *
 * A block also holds where each of its lines starts in its file (`offsets`, schema 27; before, a
 * column of every event: 4.9 MB of 1M EFT lines). A line mostly starts where the one before ended,
 * plus its newline, so what is stored is the first line's offset and, per line, how far it is from
 * that (0 in a UTF-8 file with LF, 1 with CRLF), as runs of equal values: a few bytes a block.
 */
import zlib from 'node:zlib';
import { byteLengthsOf, lineRunOf, type LineRun } from './batch-rows.js';
import type { Db } from './db.js';
import { deflateBlock, type DeflateThread } from './deflate-thread.js';

export const LINES_PER_BLOCK = 1024;
const BLOCK_SHIFT = 10; // log2(LINES_PER_BLOCK)
const SOURCE_SHIFT = 2 ** 32;

/** The rowid of the block holding a source's line. */
export const blockId = (sourceId: number, lineNo: number): number => sourceId * SOURCE_SHIFT + Math.floor((lineNo - 1) / LINES_PER_BLOCK);

/** The FROM and WHERE that find the block of the row aliased `alias` (which has source_id and line_no). */
const blockOfRow = (alias: string, schema: string) =>
  `FROM ${schema}.line_blocks b WHERE b.id = (${alias}.source_id << 32) + ((${alias}.line_no - 1) >> ${BLOCK_SHIFT})`;

/**
 * SQL for the text of the line of the row aliased `alias` (which has source_id and line_no): a
 * scalar subquery, so it costs nothing unless selected. `schema` names an attached database.
 */
export function lineSql(alias: string, schema = 'main'): string {
  // coalesce stops at its first value: a cached block's line costs one call, and its blob is not read.
  return `(SELECT coalesce(xl_cached_line(b.id, b.gen, ${alias}.line_no), xl_line(b.id, b.gen, b.data, ${alias}.line_no))
    ${blockOfRow(alias, schema)})`;
}

/**
 * The same line as its UTF-8 bytes (a blob), for the full-text index, which reads a blob's bytes as
 * the text they encode: the line becomes no JavaScript string on the way, and SQLite takes it as it
 * is (1M EFT lines read as the index reads them: 1.17–1.29 → 0.93–0.95 s of CPU; the index the
 * same, term by term). That holds because a block's bytes are always valid UTF-8 (blocks are made
 * from JavaScript strings, LineBlockWriter): raw bytes of a file in another encoding could split
 * into other words than their decoded text, by which a line is removed from the index again.
 */
export function lineBytesSql(alias: string, schema = 'main'): string {
  return `(SELECT coalesce(xl_cached_line_bytes(b.id, b.gen, ${alias}.line_no), xl_line_bytes(b.id, b.gen, b.data, ${alias}.line_no))
    ${blockOfRow(alias, schema)})`;
}

/** SQL for the byte offset in its file of the line of the row aliased `alias`, as lineSql. */
export function lineOffsetSql(alias: string, schema = 'main'): string {
  // A JavaScript number comes back to SQLite as a REAL: cast, as the column was an INTEGER.
  return `(SELECT CAST(coalesce(xl_cached_line_offset(b.id, b.gen, ${alias}.line_no),
    xl_line_offset(b.id, b.gen, b.data, b.offsets, ${alias}.line_no)) AS INTEGER) ${blockOfRow(alias, schema)})`;
}

export function decompressLines(data: Uint8Array): string[] {
  return zlib.inflateRawSync(data).toString('utf8').split('\n');
}

/** Decompressed blocks a connection keeps (about 110 KB of text each for W3C lines). */
const CACHED_BLOCKS = 32;

/**
 * A decompressed block as bytes, its lines cut out one at a time as they are asked for: a page of
 * rows scattered over many blocks read one line of each, and splitting each block into its 1,024
 * strings made most of the page's time garbage collection (10M EFT lines, 70 rows of
 * `code:550 ip:…`: 81 ms, 36 % of it GC).
 */
interface CachedBlock {
  gen: number;
  text: Buffer;
  /** Where each line starts, and one past the last line's end (filled on first use). */
  starts: Uint32Array | null;
  /** Each line's byte offset in its file (filled on first use). */
  offsets: Float64Array | null;
}

const NEWLINE = 0x0a;

function lineStarts(block: CachedBlock): Uint32Array {
  if (!block.starts) {
    const starts = new Uint32Array(LINES_PER_BLOCK + 1);
    let n = 0;
    for (let at = 0; n < LINES_PER_BLOCK; ) {
      starts[n++] = at;
      const end = block.text.indexOf(NEWLINE, at);
      if (end < 0) break;
      at = end + 1;
    }
    starts.fill(block.text.length + 1, n);
    block.starts = starts;
  }
  return block.starts;
}

function lineOf(block: CachedBlock, index: number): string | null {
  const starts = lineStarts(block);
  const from = starts[index]!, to = starts[index + 1]!;
  return from > block.text.length ? null : block.text.toString('utf8', from, to - 1);
}

/** The line's bytes, a view of the block's (SQLite copies a function's blob), as lineOf. */
function lineBytesOf(block: CachedBlock, index: number): Buffer | null {
  const starts = lineStarts(block);
  const from = starts[index]!, to = starts[index + 1]!;
  return from > block.text.length ? null : block.text.subarray(from, to - 1);
}

function pushVarint(out: number[], n: number): void {
  for (; n >= 128; n = Math.floor(n / 128)) out.push((n % 128) + 128);
  out.push(n);
}

// Offsets reach past 2^32 (a file of several GB): arithmetic, not 32-bit operators.
const zigzag = (n: number) => (n >= 0 ? n * 2 : -n * 2 - 1);
const unzigzag = (n: number) => (n % 2 === 0 ? n / 2 : -(n + 1) / 2);

/**
 * The stored form of a block's offsets: the first, then runs of (residual, count), a residual being
 * how far a line starts from where the line before it ended plus one byte. `byteLengths[i]` is the
 * UTF-8 length of line i as the block holds it.
 */
export function encodeOffsets(offsets: ArrayLike<number>, byteLengths: ArrayLike<number>): Buffer {
  if (offsets.length !== byteLengths.length) throw new Error(`${offsets.length} offsets for ${byteLengths.length} lines`);
  for (let i = 0; i < offsets.length; i++) {
    if (!Number.isSafeInteger(offsets[i]) || offsets[i]! < 0) throw new Error(`line ${i} of a block has no valid offset (${offsets[i]})`);
  }
  const out: number[] = [];
  pushVarint(out, offsets[0] ?? 0);
  let residual = NaN, run = 0;
  const endRun = () => {
    if (run === 0) return;
    pushVarint(out, zigzag(residual));
    pushVarint(out, run);
  };
  for (let i = 1; i < offsets.length; i++) {
    const r = offsets[i]! - offsets[i - 1]! - byteLengths[i - 1]! - 1;
    if (r === residual) {
      run++;
    } else {
      endRun();
      residual = r;
      run = 1;
    }
  }
  endRun();
  return Buffer.from(out);
}

/** The offsets of a block's `count` lines from their stored form (encodeOffsets). */
export function decodeOffsets(data: Uint8Array, byteLengths: ArrayLike<number>, count: number): Float64Array {
  const offsets = new Float64Array(count);
  let at = 0;
  const varint = () => {
    let n = 0;
    for (let scale = 1; ; scale *= 128) {
      const byte = data[at++];
      if (byte === undefined) throw new Error('line block offsets end early');
      n += (byte % 128) * scale;
      if (byte < 128) return n;
    }
  };
  offsets[0] = varint();
  for (let i = 1; i < count; ) {
    const residual = unzigzag(varint());
    for (let run = varint(); run > 0 && i < count; run--, i++) offsets[i] = offsets[i - 1]! + byteLengths[i - 1]! + 1 + residual;
  }
  return offsets;
}

/** The UTF-8 lengths of a cached block's lines. */
function blockByteLengths(block: CachedBlock): Uint32Array {
  const starts = lineStarts(block);
  const lengths = new Uint32Array(LINES_PER_BLOCK);
  for (let i = 0; i < LINES_PER_BLOCK; i++) lengths[i] = starts[i + 1]! - starts[i]! - 1;
  return lengths;
}

const lineCount = (block: CachedBlock) => lineStarts(block).findIndex((at) => at > block.text.length);

const withLineFunctions = new WeakSet<Db>();

/**
 * Registers the functions `lineSql` and `lineOffsetSql` call; every connection gets them when it
 * is opened. A connection that reads lines in order (the full-text thread) needs only a few blocks
 * cached.
 */
export function ensureLineFunctions(db: Db, cachedBlocks = CACHED_BLOCKS): void {
  if (withLineFunctions.has(db)) return;
  // Insertion order is recency: a hit moves the block to the end, the first is the oldest.
  const cache = new Map<number, CachedBlock>();
  // The block asked for last: rows read in line order ask for one block 1,024 times in a row.
  let lastId = NaN;
  let last: CachedBlock | undefined;
  /** The block if cached, made the most recent. */
  const cached = (id: number, gen: number) => {
    if (id === lastId && last!.gen === gen) return last;
    const hit = cache.get(id);
    if (hit === undefined || hit.gen !== gen) return undefined;
    cache.delete(id);
    cache.set(id, hit);
    lastId = id;
    last = hit;
    return hit;
  };
  /** The block, from the cache or inflated from `data` (null: not cached, and no data given). */
  const blockOf = (id: number, gen: number, data: unknown): CachedBlock | null => {
    const hit = cached(id, gen);
    if (hit) return hit;
    if (!(data instanceof Uint8Array)) return null;
    const block: CachedBlock = { gen, text: zlib.inflateRawSync(data), starts: null, offsets: null };
    cache.delete(id); // an older copy
    if (cache.size >= cachedBlocks) cache.delete(cache.keys().next().value!);
    cache.set(id, block);
    lastId = id;
    last = block;
    return block;
  };
  const lineIndex = (lineNo: unknown) => (Number(lineNo) - 1) % LINES_PER_BLOCK;
  /** The block's offsets, decoded on first use (null: the block holds none). */
  const offsetsOf = (block: CachedBlock, stored: unknown) => {
    if (!block.offsets && stored instanceof Uint8Array) block.offsets = decodeOffsets(stored, blockByteLengths(block), lineCount(block));
    return block.offsets;
  };
  // The cached_ functions answer from the cache (null: not there); the others are given the blobs.
  const lineFunctions = (name: string, read: (block: CachedBlock, index: number) => string | Buffer | null) => {
    db.function(`xl_cached_${name}`, { deterministic: false }, (id: unknown, gen: unknown, lineNo: unknown) => {
      const block = cached(Number(id), Number(gen));
      return block && lineNo !== null ? read(block, lineIndex(lineNo)) : null;
    });
    db.function(`xl_${name}`, { deterministic: false }, (id: unknown, gen: unknown, data: unknown, lineNo: unknown) => {
      if (id === null || lineNo === null) return null;
      const block = blockOf(Number(id), Number(gen), data);
      return block && read(block, lineIndex(lineNo));
    });
  };
  lineFunctions('line', lineOf);
  lineFunctions('line_bytes', lineBytesOf);
  db.function('xl_cached_line_offset', { deterministic: false }, (id: unknown, gen: unknown, lineNo: unknown) => {
    const offsets = cached(Number(id), Number(gen))?.offsets;
    return offsets && lineNo !== null ? (offsets[lineIndex(lineNo)] ?? null) : null;
  });
  db.function('xl_line_offset', { deterministic: false }, (id: unknown, gen: unknown, data: unknown, stored: unknown, lineNo: unknown) => {
    if (id === null || lineNo === null) return null;
    const block = blockOf(Number(id), Number(gen), data);
    return (block && offsetsOf(block, stored)?.[lineIndex(lineNo)]) ?? null;
  });
  withLineFunctions.add(db);
}

/**
 * `offsets` with each unknown one (NaN) where the line before it ended plus a newline (the first
 * line's: 0): a line no row holds (never given to LineBlockBuilder, or in a block stored without
 * offsets) is never read, but every line of a block has an offset.
 */
export function followingOffsets(offsets: ArrayLike<number>, byteLengths: ArrayLike<number>): number[] {
  const out = Array.from(offsets);
  for (let i = 0; i < out.length; i++) if (Number.isNaN(out[i])) out[i] = i === 0 ? 0 : out[i - 1]! + byteLengths[i - 1]! + 1;
  return out;
}

/**
 * Writes lines into blocks, inside the caller's transaction. Lines arrive in order; a batch that
 * starts inside a block (the previous batch ended mid-block) completes that block. `offsets`
 * 'text only' writes no offsets (migration 5, before line_blocks had them).
 */
export class LineBlockWriter {
  private readonly read;
  private readonly write;
  private nextGen = Math.floor(Math.random() * 2 ** 40);
  private deflater: DeflateThread | undefined;

  constructor(db: Db, private readonly withOffsets: 'offsets' | 'text only' = 'offsets') {
    this.read = db.prepare(`SELECT data, ${withOffsets === 'offsets' ? 'offsets' : 'NULL AS offsets'} FROM line_blocks WHERE id = ?`);
    this.write = withOffsets === 'offsets'
      ? db.prepare('INSERT OR REPLACE INTO line_blocks (id, gen, data, offsets) VALUES (?, ?, ?, ?)')
      : db.prepare('INSERT OR REPLACE INTO line_blocks (id, gen, data) VALUES (?, ?, ?)');
  }

  /** Blocks are deflated on `thread` from now on (none: on the caller's thread). */
  deflateOn(thread: DeflateThread | undefined): void {
    this.deflater = thread;
  }

  /** Stores `lines`, the first being line `firstLineNo` of the source (the ones before it are stored). */
  append(sourceId: number, firstLineNo: number, lines: readonly string[], offsets: readonly number[]): void {
    this.store(this.prepare(sourceId, firstLineNo, lineRunOf(lines, offsets)));
  }

  /**
   * The first half of append, in the same transaction as `store`: the blocks' text, handed to the
   * deflate thread (if any) to compress while the caller does other work. The run's first line is
   * line `firstLineNo` of the source.
   */
  prepare(sourceId: number, firstLineNo: number, run: LineRun): PreparedBlock[] {
    const blocks: PreparedBlock[] = [];
    let i = 0;
    let lineNo = firstLineNo;
    while (i < run.count) {
      const id = blockId(sourceId, lineNo);
      const offset = (lineNo - 1) % LINES_PER_BLOCK;
      const take = Math.min(LINES_PER_BLOCK - offset, run.count - i);
      let text = run.joined(i, i + take);
      let stored: { data: Buffer; offsets: Buffer | null } | undefined;
      let before: string[] = [];
      if (offset > 0) {
        stored = this.read.get(id) as typeof stored;
        before = stored ? decompressLines(stored.data) : [];
        if (before.length !== offset) throw new Error(`line block ${id} holds ${before.length} lines where ${offset} were expected`);
        text = `${before.join('\n')}\n${text}`;
      }
      let encoded: Buffer | null = null;
      if (this.withOffsets === 'offsets') {
        const lengths = byteLengthsOf(before).concat(run.byteLengths(i, i + take));
        // The lines before this batch's: their stored offsets, or where each follows the one before.
        const beforeOffsets = stored?.offsets ? Array.from(decodeOffsets(stored.offsets, lengths, offset)) : followingOffsets(new Array<number>(offset).fill(NaN), lengths);
        encoded = encodeOffsets(beforeOffsets.concat(run.offsets(i, i + take)), lengths);
      }
      blocks.push({ id, text, offsets: encoded, job: this.deflater?.submit(text) });
      i += take;
      lineNo += take;
    }
    return blocks;
  }

  /** Writes blocks that `prepare` gave. */
  store(blocks: readonly PreparedBlock[]): void {
    for (const b of blocks) {
      const data = b.job !== undefined && this.deflater ? this.deflater.take(b.job, b.text) : deflateBlock(b.text);
      if (this.withOffsets === 'offsets') this.write.run(b.id, this.nextGen++, data, b.offsets);
      else this.write.run(b.id, this.nextGen++, data);
    }
  }
}

/** A block to write: its id, its text, and its job on the deflate thread (if it went there). */
export interface PreparedBlock {
  id: number;
  text: string;
  /** Its lines' offsets as stored (encodeOffsets); null where blocks hold none. */
  offsets: Buffer | null;
  job: number | undefined;
}

/**
 * Builds blocks from lines given one by one in (source, line) order, whatever their numbers: a line
 * number never given is stored as an empty line, so that every line keeps its place. For lines that
 * were stored some other way (a migration, test fixtures); the indexer's lines go through
 * LineBlockWriter. A line given without its offset, or never given, starts where the one before it
 * ended (plus a newline).
 */
export class LineBlockBuilder {
  private readonly writer: LineBlockWriter;
  private block: { sourceId: number; id: number; first: number; lines: string[]; offsets: number[] } | undefined;

  constructor(db: Db, withOffsets: 'offsets' | 'text only' = 'offsets') {
    this.writer = new LineBlockWriter(db, withOffsets);
  }

  add(sourceId: number, lineNo: number, text: string, offset?: number): void {
    const id = blockId(sourceId, lineNo);
    if (this.block?.id !== id) {
      this.finish();
      this.block = { sourceId, id, first: lineNo - ((lineNo - 1) % LINES_PER_BLOCK), lines: [], offsets: [] };
    }
    const b = this.block!;
    // Unknown (NaN) until the block is written: each then follows the line before it.
    while (b.first + b.lines.length < lineNo) {
      b.offsets.push(NaN);
      b.lines.push('');
    }
    b.offsets.push(offset ?? NaN);
    b.lines.push(text);
  }

  /** Writes the block being filled. */
  finish(): void {
    if (this.block) {
      const { sourceId, first, lines, offsets } = this.block;
      this.writer.append(sourceId, first, lines, followingOffsets(offsets, byteLengthsOf(lines)));
    }
    this.block = undefined;
  }
}

/** Removes a source's blocks (the source is emptied or forgotten); call in a transaction. */
export function deleteSourceBlocks(db: Db, sourceId: number): void {
  db.prepare('DELETE FROM line_blocks WHERE id >= ? AND id < ?').run(sourceId * SOURCE_SHIFT, (sourceId + 1) * SOURCE_SHIFT);
}
