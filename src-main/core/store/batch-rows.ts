/**
 * A batch of rows and its lines as the writer takes them. A leaf module, as row-strings.ts is: the
 * parsing thread (ingest/row-columns.ts, ingest/parse-thread.ts) loads these two of the store only.
 */
import type { BatchStrings } from './row-strings.js';
import type { EventRow } from './writer.js';

/**
 * Consecutive lines as LineBlockWriter stores them, a block's share at a time: lines given as
 * strings (lineRunOf), or a parsed batch's text, never split into lines (ingest/row-columns.ts).
 */
export interface LineRun {
  readonly count: number;
  /** Lines `from` to `to` (exclusive) joined by LF. */
  joined(from: number, to: number): string;
  /** Their UTF-8 lengths. */
  byteLengths(from: number, to: number): number[];
  /** Where each starts in its file. */
  offsets(from: number, to: number): number[];
}

/**
 * A batch's rows as the writer's commitBatch reads them, consecutive lines from `firstLineNo`: each
 * row made when its turn comes (a batch parsed on another thread, ingest/row-columns.ts). Rows of a
 * whole batch made at once outlived the writer's young generation and were copied into the old one.
 */
export interface BatchRows extends LineRun {
  readonly firstLineNo: number;
  /** Row i's time (EventRow.ts), without making the row. */
  ts(i: number): number | undefined;
  row(i: number): EventRow;
  /** The rows' strings, each once, when the batch was parsed into columns (the writer looks each up once). */
  readonly strings?: BatchStrings;
}

/** UTF-8 lengths of lines given as strings (as a block will hold them). */
export const byteLengthsOf = (lines: readonly string[]): number[] => lines.map((l) => Buffer.byteLength(l, 'utf8'));

export const lineRunOf = (lines: readonly string[], offsets: readonly number[]): LineRun => ({
  count: lines.length,
  joined: (from, to) => lines.slice(from, to).join('\n'),
  byteLengths: (from, to) => byteLengthsOf(lines.slice(from, to)),
  offsets: (from, to) => offsets.slice(from, to),
});

/** `rows`, consecutive lines, as BatchRows. */
export function batchOf(rows: readonly EventRow[]): BatchRows {
  return {
    ...lineRunOf(rows.map((r) => r.raw), rows.map((r) => r.offset)),
    firstLineNo: rows[0]?.lineNo ?? 0,
    ts: (i) => rows[i]!.ts,
    row: (i) => rows[i]!,
  };
}
