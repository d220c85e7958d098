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
 */
import zlib from 'node:zlib';
import type { Db } from './db.js';
import { deflateBlock, type DeflateThread } from './deflate-thread.js';

export const LINES_PER_BLOCK = 1024;
const BLOCK_SHIFT = 10; // log2(LINES_PER_BLOCK)
const SOURCE_SHIFT = 2 ** 32;

/** The rowid of the block holding a source's line. */
export const blockId = (sourceId: number, lineNo: number): number => sourceId * SOURCE_SHIFT + Math.floor((lineNo - 1) / LINES_PER_BLOCK);

/**
 * SQL for the text of the line of the row aliased `alias` (which has source_id and line_no): a
 * scalar subquery, so it costs nothing unless selected. `schema` names an attached database.
 */
export function lineSql(alias: string, schema = 'main'): string {
  return `(SELECT xl_line(b.id, b.gen, CASE WHEN xl_line_block_cached(b.id, b.gen) THEN NULL ELSE b.data END, ${alias}.line_no)
    FROM ${schema}.line_blocks b WHERE b.id = (${alias}.source_id << 32) + ((${alias}.line_no - 1) >> ${BLOCK_SHIFT}))`;
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
}

const NEWLINE = 0x0a;

function lineOf(block: CachedBlock, index: number): string | null {
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
  const from = block.starts[index]!, to = block.starts[index + 1]!;
  return from > block.text.length ? null : block.text.toString('utf8', from, to - 1);
}

const withLineFunctions = new WeakSet<Db>();

/**
 * Registers the functions `lineSql` calls; every connection gets them when it is opened. A
 * connection that reads lines in order (the full-text thread) needs only a few blocks cached.
 */
export function ensureLineFunctions(db: Db, cachedBlocks = CACHED_BLOCKS): void {
  if (withLineFunctions.has(db)) return;
  // Insertion order is recency: a hit moves the block to the end, the first is the oldest.
  const cache = new Map<number, CachedBlock>();
  const cached = (id: number, gen: number) => {
    const hit = cache.get(id);
    return hit !== undefined && hit.gen === gen ? hit : undefined;
  };
  db.function('xl_line_block_cached', { deterministic: false }, (id: unknown, gen: unknown) =>
    cached(Number(id), Number(gen)) ? 1 : 0,
  );
  db.function('xl_line', { deterministic: false }, (id: unknown, gen: unknown, data: unknown, lineNo: unknown) => {
    if (id === null || lineNo === null) return null;
    const key = Number(id), g = Number(gen);
    let block = cached(key, g);
    if (block) {
      cache.delete(key);
    } else {
      if (!(data instanceof Uint8Array)) return null;
      block = { gen: g, text: zlib.inflateRawSync(data), starts: null };
      if (cache.size >= cachedBlocks) cache.delete(cache.keys().next().value!);
    }
    cache.set(key, block);
    return lineOf(block, (Number(lineNo) - 1) % LINES_PER_BLOCK);
  });
  withLineFunctions.add(db);
}

/**
 * Writes lines into blocks, inside the caller's transaction. Lines arrive in order; a batch that
 * starts inside a block (the previous batch ended mid-block) completes that block.
 */
export class LineBlockWriter {
  private readonly read;
  private readonly write;
  private nextGen = Math.floor(Math.random() * 2 ** 40);
  private deflater: DeflateThread | undefined;

  constructor(db: Db) {
    this.read = db.prepare('SELECT data FROM line_blocks WHERE id = ?').pluck();
    this.write = db.prepare('INSERT OR REPLACE INTO line_blocks (id, gen, data) VALUES (?, ?, ?)');
  }

  /** Blocks are deflated on `thread` from now on (none: on the caller's thread). */
  deflateOn(thread: DeflateThread | undefined): void {
    this.deflater = thread;
  }

  /** Stores `lines`, the first being line `firstLineNo` of the source (the ones before it are stored). */
  append(sourceId: number, firstLineNo: number, lines: readonly string[]): void {
    this.store(this.prepare(sourceId, firstLineNo, lines));
  }

  /**
   * The first half of append, in the same transaction as `store`: the blocks' text, handed to the
   * deflate thread (if any) to compress while the caller does other work.
   */
  prepare(sourceId: number, firstLineNo: number, lines: readonly string[]): PreparedBlock[] {
    const blocks: PreparedBlock[] = [];
    let i = 0;
    let lineNo = firstLineNo;
    while (i < lines.length) {
      const id = blockId(sourceId, lineNo);
      const offset = (lineNo - 1) % LINES_PER_BLOCK;
      const take = Math.min(LINES_PER_BLOCK - offset, lines.length - i);
      let blockLines = lines.slice(i, i + take);
      if (offset > 0) {
        const stored = this.read.get(id) as Buffer | undefined;
        const before = stored ? decompressLines(stored) : [];
        if (before.length !== offset) throw new Error(`line block ${id} holds ${before.length} lines where ${offset} were expected`);
        blockLines = before.concat(blockLines);
      }
      const text = blockLines.join('\n');
      blocks.push({ id, text, job: this.deflater?.submit(text) });
      i += take;
      lineNo += take;
    }
    return blocks;
  }

  /** Writes blocks that `prepare` gave. */
  store(blocks: readonly PreparedBlock[]): void {
    for (const b of blocks) {
      const data = b.job !== undefined && this.deflater ? this.deflater.take(b.job, b.text) : deflateBlock(b.text);
      this.write.run(b.id, this.nextGen++, data);
    }
  }
}

/** A block to write: its id, its text, and its job on the deflate thread (if it went there). */
export interface PreparedBlock {
  id: number;
  text: string;
  job: number | undefined;
}

/**
 * Builds blocks from lines given one by one in (source, line) order, whatever their numbers: a line
 * number never given is stored as an empty line, so that every line keeps its place. For lines that
 * were stored some other way (a migration, test fixtures); the indexer's lines go through
 * LineBlockWriter.
 */
export class LineBlockBuilder {
  private readonly writer: LineBlockWriter;
  private block: { sourceId: number; id: number; first: number; lines: string[] } | undefined;

  constructor(db: Db) {
    this.writer = new LineBlockWriter(db);
  }

  add(sourceId: number, lineNo: number, text: string): void {
    const id = blockId(sourceId, lineNo);
    if (this.block?.id !== id) {
      this.finish();
      this.block = { sourceId, id, first: lineNo - ((lineNo - 1) % LINES_PER_BLOCK), lines: [] };
    }
    const b = this.block!;
    while (b.first + b.lines.length < lineNo) b.lines.push('');
    b.lines.push(text);
  }

  /** Writes the block being filled. */
  finish(): void {
    if (this.block) this.writer.append(this.block.sourceId, this.block.first, this.block.lines);
    this.block = undefined;
  }
}

/** Removes a source's blocks (the source is emptied or forgotten); call in a transaction. */
export function deleteSourceBlocks(db: Db, sourceId: number): void {
  db.prepare('DELETE FROM line_blocks WHERE id >= ? AND id < ?').run(sourceId * SOURCE_SHIFT, (sourceId + 1) * SOURCE_SHIFT);
}
