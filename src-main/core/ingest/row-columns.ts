/**
 * A batch of parsed rows as columns, to cross from the parsing thread to the writer's (see
 * parse-thread.ts). Rows cloned as objects cost the receiver about as much as parsing them; typed
 * arrays are copied at memcpy speed. Each distinct string of the batch crosses once and every
 * row naming it gets that one string object, so the writer's string ids are found by hashes the
 * string already carries after its first lookup.
 */
import type { EventFields } from '../formats/types.js';
import { ROW_STRING_FIELDS, type BatchStrings } from '../store/row-strings.js';
import type { BatchRows } from '../store/batch-rows.js';
import type { EventRow } from '../store/writer.js';

/** The fields held as strings, in the order of RowColumns.refs (the writer's). */
const STRING_FIELDS = ROW_STRING_FIELDS.map(([field]) => field);
/** The order toColumns writes them in. */
const WRITTEN = ['server', 'clientIp', 'user', 'protocol', 'sessionKey', 'verb', 'path', 'status', 'message'];
if (WRITTEN.join() !== STRING_FIELDS.join()) throw new Error(`row-columns writes ${WRITTEN.join()}, the writer reads ${STRING_FIELDS.join()}`);
/** The fields held as numbers, in the order of RowColumns.numbers (NaN: absent). */
const NUMBER_FIELDS = ['clientPort', 'serverPort', 'bytes', 'durationMs', 'pid'] as const;

type StringField = (typeof ROW_STRING_FIELDS)[number][0];
type NumberField = (typeof NUMBER_FIELDS)[number];
/** Fails to compile when EventFields gains a field that no list above carries. */
type Covered = StringField | NumberField | 'ts' | 'tsLocal' | 'extra';
type EveryFieldCrosses = [Exclude<keyof EventFields, Covered>] extends [never] ? true : never;
const everyFieldCrosses: EveryFieldCrosses = true;
void everyFieldCrosses;

/** Bits of `flags`: fields.tsLocal is given, and is true. */
const TS_LOCAL_GIVEN = 1;
const TS_LOCAL = 2;

export interface RowColumns {
  count: number;
  firstLineNo: number;
  kinds: Uint8Array;
  flags: Uint8Array;
  /** The row's time (EventRow.ts) and the one its line gave (fields.ts); NaN: none. */
  rowTs: Float64Array;
  fieldTs: Float64Array;
  offsets: Float64Array;
  /** Per row, STRING_FIELDS.length indexes into `strings` (-1: absent). */
  refs: Int32Array;
  strings: string[];
  /** Per row, NUMBER_FIELDS.length values (NaN: absent). */
  numbers: Float64Array;
  /** The rows' format-specific fields, by row index (few rows have any). */
  extras: [number, Record<string, string | number | boolean>][];
  /** The lines, joined by LF (which no line holds). */
  text: string;
}

/** `rows` (consecutive lines) as columns. */
export function toColumns(rows: readonly EventRow[]): RowColumns {
  const builder = new ColumnsBuilder(rows.length);
  rows.forEach((row, i) => builder.add(i, row));
  return builder.finish();
}

/** Columns filled row by row (a RowSink of BatchParser.parseInto): the rows need not outlive their turn. */
export class ColumnsBuilder {
  private readonly c: RowColumns;
  private readonly indexOf = new Map<string, number>();
  private readonly lines: string[];

  constructor(count: number) {
    this.c = {
      count,
      firstLineNo: 0,
      kinds: new Uint8Array(count),
      flags: new Uint8Array(count),
      rowTs: new Float64Array(count),
      fieldTs: new Float64Array(count),
      offsets: new Float64Array(count),
      refs: new Int32Array(count * STRING_FIELDS.length),
      strings: [],
      numbers: new Float64Array(count * NUMBER_FIELDS.length),
      extras: [],
      text: '',
    };
    this.lines = new Array<string>(count);
  }

  private ref(value: string | undefined): number {
    if (value === undefined) return -1;
    let at = this.indexOf.get(value);
    if (at === undefined) {
      at = this.c.strings.push(value) - 1;
      this.indexOf.set(value, at);
    }
    return at;
  }

  add(i: number, r: EventRow): void {
    const { c } = this;
    if (i === 0) c.firstLineNo = r.lineNo;
    else if (r.lineNo !== c.firstLineNo + i) throw new Error(`row ${i} is line ${r.lineNo}, not ${c.firstLineNo + i}`);
    const f = r.fields;
    c.kinds[i] = r.kind;
    c.flags[i] = f.tsLocal === undefined ? 0 : TS_LOCAL_GIVEN | (f.tsLocal ? TS_LOCAL : 0);
    c.rowTs[i] = r.ts ?? NaN;
    c.fieldTs[i] = f.ts ?? NaN;
    c.offsets[i] = r.offset;
    // Field by field (named loads: a loop over the names was a third slower), in STRING_FIELDS' order.
    const { refs, numbers } = c;
    const s = i * STRING_FIELDS.length;
    refs[s] = this.ref(f.server);
    refs[s + 1] = this.ref(f.clientIp);
    refs[s + 2] = this.ref(f.user);
    refs[s + 3] = this.ref(f.protocol);
    refs[s + 4] = this.ref(f.sessionKey);
    refs[s + 5] = this.ref(f.verb);
    refs[s + 6] = this.ref(f.path);
    refs[s + 7] = this.ref(f.status);
    refs[s + 8] = this.ref(f.message);
    const n = i * NUMBER_FIELDS.length;
    numbers[n] = f.clientPort ?? NaN;
    numbers[n + 1] = f.serverPort ?? NaN;
    numbers[n + 2] = f.bytes ?? NaN;
    numbers[n + 3] = f.durationMs ?? NaN;
    numbers[n + 4] = f.pid ?? NaN;
    if (f.extra) c.extras.push([i, f.extra]);
    this.lines[i] = r.raw;
  }

  setTs(i: number, ts: number): void {
    this.c.rowTs[i] = ts;
  }

  finish(): RowColumns {
    this.c.text = this.lines.join('\n');
    return this.c;
  }
}

/**
 * A batch's columns as the writer reads them (BatchRows): each row made when it is asked for, the
 * lines' text cut from the batch's without splitting it into lines (1M EFT lines: 190 MB less for
 * the writer to allocate, split and joined again into blocks).
 */
export class ColumnRows implements BatchRows {
  readonly count: number;
  readonly firstLineNo: number;
  /** The rows' strings as the writer takes them, once per batch. */
  readonly strings: BatchStrings;
  /** Where line i starts in the text; starts[count] is one past the text's end. */
  private readonly starts: Uint32Array;
  /** Whether the text is ASCII (its lines' UTF-8 lengths are their lengths). */
  private readonly ascii: boolean;
  private readonly extras: Map<number, Record<string, string | number | boolean>>;

  constructor(private readonly c: RowColumns) {
    this.count = c.count;
    this.firstLineNo = c.firstLineNo;
    this.strings = { refs: c.refs, values: c.strings };
    this.extras = new Map(c.extras);
    const starts = new Uint32Array(c.count + 1);
    let lines = 0;
    if (c.count) {
      for (let at = 0; ; lines++) {
        starts[lines] = at;
        const end = c.text.indexOf('\n', at);
        if (end < 0 || lines === c.count) break;
        at = end + 1;
      }
      lines++;
    } else if (c.text !== '') lines = 1;
    if (lines !== c.count) throw new Error(`a batch of ${c.count} rows came with ${lines} lines`);
    starts[c.count] = c.text.length + 1;
    this.starts = starts;
    this.ascii = Buffer.byteLength(c.text, 'utf8') === c.text.length;
  }

  ts(i: number): number | undefined {
    const ts = this.c.rowTs[i]!;
    return Number.isNaN(ts) ? undefined : ts;
  }

  row(i: number): EventRow {
    const { c } = this;
    const fields: EventFields = {};
    const fieldTs = c.fieldTs[i]!;
    if (!Number.isNaN(fieldTs)) fields.ts = fieldTs;
    if (c.flags[i]! & TS_LOCAL_GIVEN) fields.tsLocal = (c.flags[i]! & TS_LOCAL) !== 0;
    for (let k = 0; k < STRING_FIELDS.length; k++) {
      const ref = c.refs[i * STRING_FIELDS.length + k]!;
      if (ref >= 0) fields[STRING_FIELDS[k]!] = c.strings[ref]!;
    }
    for (let k = 0; k < NUMBER_FIELDS.length; k++) {
      const value = c.numbers[i * NUMBER_FIELDS.length + k]!;
      if (!Number.isNaN(value)) fields[NUMBER_FIELDS[k]!] = value;
    }
    const extra = this.extras.get(i);
    if (extra) fields.extra = extra;
    return { lineNo: c.firstLineNo + i, offset: c.offsets[i]!, kind: c.kinds[i] as EventRow['kind'], ts: this.ts(i), fields, raw: this.joined(i, i + 1) };
  }

  joined(from: number, to: number): string {
    return from < to ? this.c.text.substring(this.starts[from]!, this.starts[to]! - 1) : '';
  }

  byteLengths(from: number, to: number): number[] {
    const lengths = new Array<number>(to - from);
    for (let i = from; i < to; i++) {
      lengths[i - from] = this.ascii ? this.starts[i + 1]! - this.starts[i]! - 1 : Buffer.byteLength(this.joined(i, i + 1), 'utf8');
    }
    return lengths;
  }

  offsets(from: number, to: number): number[] {
    // A loop: Array.from of a typed array went through its iterator (81 MB allocated per 1M lines).
    const offsets = new Array<number>(to - from);
    for (let i = from; i < to; i++) offsets[i - from] = this.c.offsets[i]!;
    return offsets;
  }
}

/**
 * The rows `toColumns` was given (fields absent there are absent here), and their strings as the
 * writer takes them once per batch.
 */
export function fromColumns(c: RowColumns): { rows: EventRow[]; strings: BatchStrings } {
  const columns = new ColumnRows(c);
  return { rows: Array.from({ length: c.count }, (_, i) => columns.row(i)), strings: columns.strings };
}
