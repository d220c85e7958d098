/**
 * Parsing on a thread of its own (ingest/parse-thread.ts): a big file's batches are read and parsed
 * on a second thread and cross to the writer as columns (ingest/row-columns.ts). What the new design
 * can get wrong: a field lost or changed on the way, a batch continued from the wrong line or byte,
 * a header line's time given later, strings given once per batch mapped to the wrong ids, a file
 * rotated between the first batch (parsed here) and the rest, a stop in the middle.
 */
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { EVENTS_WIDE, TRANSFERS_WIDE } from '../event-rows.js';
import { REPO, tempDir } from '../helpers.js';
import { FORMATS } from '../../src-main/core/formats/registry.js';
import { BatchParser } from '../../src-main/core/ingest/batch-parser.js';
import { ColumnRows, ColumnsBuilder, fromColumns, toColumns } from '../../src-main/core/ingest/row-columns.js';
import { batchOf, type BatchRows } from '../../src-main/core/store/batch-rows.js';
import type { LineBatch } from '../../src-main/core/ingest/line-reader.js';
import type { IndexOptions } from '../../src-main/core/ingest/indexer.js';
import type { Db } from '../../src-main/core/store/db.js';

// The thread runs only from compiled JavaScript (`npm test` builds first).
const dist = (p: string) => path.join(REPO, 'dist', 'src-main', 'core', p);
const built = {
  db: () => import(dist('store/db.js')) as Promise<typeof import('../../src-main/core/store/db.js')>,
  indexer: () => import(dist('ingest/indexer.js')) as Promise<typeof import('../../src-main/core/ingest/indexer.js')>,
  thread: () => import(dist('ingest/parse-thread.js')) as Promise<typeof import('../../src-main/core/ingest/parse-thread.js')>,
};

const lineBatch = (lines: string[], truncated = new Map<number, number>()): LineBatch => {
  const offsets: number[] = [];
  let at = 0;
  for (const l of lines) {
    offsets.push(at);
    at += Buffer.byteLength(l) + 1;
  }
  return { lines, offsets, end: at, fallbackLines: 0, truncated };
};

/** A line of the file (read as Latin-1) as the reader gives it: UTF-8, else Windows-1252 (the same for these bytes). */
const asRead = (latin1: string): string => {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.from(latin1, 'latin1'));
  } catch {
    return latin1;
  }
};

/** What crosses to the writer: the columns as a message clones them. */
const crossed = <T>(value: T): T => structuredClone(value);

describe('rows as columns', () => {
  it.each(FORMATS.map((f) => [f.id, f] as const))('%s: its samples come back as they were parsed', (_, format) => {
    const lines = [
      ...format.samples.map((s) => s.line),
      '', // a blank line (a directive)
      'not a line of any format 2026-03-01 12:00:00', // unparsed, dated
      'x'.repeat(40), // cut at its limit below: unparsed, with its full length
    ];
    const batch = lineBatch(lines, new Map([[lines.length - 1, 5000]]));
    const start = { file: 'sample.log', formatId: format.id, namedFormatId: null, ctx: { timeZone: 'Europe/Berlin', fileMtimeMs: Date.UTC(2026, 5, 1) }, saved: { parser: undefined }, lineNo: 7 };
    const rows = new BatchParser(start).parse(batch);
    expect(rows.some((r) => r.kind === 0)).toBe(true); // the samples parsed
    const columns = toColumns(rows);
    const back = fromColumns(crossed(columns));
    expect(back.rows).toEqual(rows);
    // The same, built row by row while parsing (header lines' times are given later there).
    const builder = new ColumnsBuilder(batch.lines.length);
    new BatchParser(start).parseInto(batch, builder);
    expect(fromColumns(builder.finish()).rows).toEqual(rows);
  });

  it('gives each distinct string once, and rows that share a value share the string', () => {
    const start = { file: 'u_ex.log', formatId: null, namedFormatId: null, ctx: { timeZone: 'UTC', fileMtimeMs: 0 }, saved: { parser: undefined }, lineNo: 0 };
    const w3c = FORMATS.find((f) => f.id === 'w3c')!;
    const lines = w3c.samples.map((s) => s.line);
    const rows = new BatchParser(start).parse(lineBatch([...lines, ...lines]));
    const { rows: back, strings } = fromColumns(toColumns(rows));
    expect(new Set(strings.values).size).toBe(strings.values.length);
    const users = back.filter((r) => r.fields.user !== undefined);
    expect(users.length).toBeGreaterThan(2);
    const half = back.length / 2;
    for (let i = 0; i < half; i++) for (const key of ['user', 'clientIp', 'path', 'verb'] as const) {
      if (back[i]!.fields[key] !== undefined) expect(Object.is(back[i]!.fields[key], back[i + half]!.fields[key])).toBe(true);
    }
    // refs name the strings the rows hold, field by field, in the writer's order
    expect(strings.refs.length).toBe(back.length * 9);
  });

  it('a header line dated by a later line gets that time in the columns too', () => {
    const start = { file: 'u_ex.log', formatId: null, namedFormatId: null, ctx: { timeZone: 'UTC', fileMtimeMs: 0 }, saved: { parser: undefined }, lineNo: 0 };
    const lines = ['#Software: Microsoft Internet Information Services 10.0', '#Version: 1.0', '#Fields: date time s-ip cs-method cs-uri-stem sc-status', '2026-02-03 04:05:06 10.0.0.1 GET /a 200'];
    const builder = new ColumnsBuilder(lines.length);
    new BatchParser(start).parseInto(lineBatch(lines), builder);
    const { rows } = fromColumns(builder.finish());
    expect(rows.map((r) => r.ts)).toEqual(lines.map(() => Date.UTC(2026, 1, 3, 4, 5, 6)));
  });
});

describe('a batch of columns as the writer reads it', () => {
  /** What the writer takes of a batch, row by row and as the lines its blocks store. */
  const taken = (b: BatchRows) => ({
    firstLineNo: b.firstLineNo,
    rows: Array.from({ length: b.count }, (_, i) => b.row(i)),
    ts: Array.from({ length: b.count }, (_, i) => b.ts(i)),
    lines: b.joined(0, b.count),
    middle: b.joined(1, b.count - 1),
    none: b.joined(b.count, b.count),
    byteLengths: b.byteLengths(0, b.count),
    offsets: b.offsets(0, b.count),
  });

  it('gives the rows, their lines, UTF-8 lengths and offsets that the rows themselves give, without splitting the text', () => {
    const start = { file: 'u_ex.log', formatId: null, namedFormatId: null, ctx: { timeZone: 'UTC', fileMtimeMs: 0 }, saved: { parser: undefined }, lineNo: 41 };
    const w3c = FORMATS.find((f) => f.id === 'w3c')!;
    const ascii = w3c.samples.map((s) => s.line);
    // Lines of several UTF-8 lengths per character, a blank line and an unparsed one among them.
    const mixed = [...ascii, '', '2026-03-02 00:00:01 10.1.1.1 - café [9]user x - 331 - - - 21', '日本語のパス /データ/ファイル.csv', '🙂 emoji line'];
    for (const lines of [ascii, mixed, ascii.slice(0, 1)]) {
      const rows = new BatchParser(start).parse(lineBatch(lines));
      const columns = new ColumnRows(crossed(toColumns(rows)));
      expect(taken(columns)).toEqual(taken(batchOf(rows)));
      expect(columns.byteLengths(0, columns.count)).toEqual(lines.map((l) => Buffer.byteLength(l)));
    }
    const none = new ColumnRows(toColumns([]));
    expect(none.count).toBe(0);
    expect(taken(none)).toEqual(taken(batchOf([])));
  });

  it('refuses a batch whose text has more or fewer lines than rows', () => {
    const start = { file: 'u_ex.log', formatId: null, namedFormatId: null, ctx: { timeZone: 'UTC', fileMtimeMs: 0 }, saved: { parser: undefined }, lineNo: 0 };
    const lines = FORMATS.find((f) => f.id === 'w3c')!.samples.map((s) => s.line);
    const columns = toColumns(new BatchParser(start).parse(lineBatch(lines)));
    expect(() => new ColumnRows({ ...columns, text: `${columns.text}\nextra` })).toThrow(`a batch of ${lines.length} rows came with ${lines.length + 1} lines`);
    expect(() => new ColumnRows({ ...columns, text: lines.slice(1).join('\n') })).toThrow(`a batch of ${lines.length} rows came with ${lines.length - 1} lines`);
    expect(() => new ColumnRows({ ...toColumns([]), text: 'x' })).toThrow('a batch of 0 rows came with 1 lines');
  });
});

/** Everything a query reads, by value (string ids may be given in another order). */
const contents = (db: Db) => ({
  events: db.prepare(`SELECT id, source_id, line_no, ts, server, client_ip, client_port, server_port, user, protocol, session_key, verb, path, status, bytes, message, session_id, transfer_id, flags, more, raw, byte_offset FROM ${EVENTS_WIDE} e ORDER BY id`).all(),
  sessions: db.prepare('SELECT * FROM sessions ORDER BY id').all(),
  transfers: db.prepare(`SELECT id, session_id, ts, server, user, client_ip, protocol, op_code, path, path_to, bytes, duration_ms, status_code, code, records FROM ${TRANSFERS_WIDE} t ORDER BY id`).all(),
  strings: db.prepare('SELECT dim, value FROM strings ORDER BY dim, value').all(),
  sources: db.prepare('SELECT path, size, bytes_indexed, lines_indexed, events, directives, unparsed, parser_state, format, format_detail, encoding, first_ts, last_ts FROM sources ORDER BY id').all(),
  minutes: db.prepare('SELECT * FROM event_minutes ORDER BY minute').all(),
  words: db.prepare("SELECT count(*) FROM events_fts WHERE events_fts MATCH 'partner*'").pluck().get(),
});

describe('a big file parsed on the thread', () => {
  let dir: string;
  let log: string;
  beforeAll(async () => {
    dir = tempDir();
    log = path.join(dir, 'u_ex260301.log');
    await generateEftW3c(log, { lines: 16_000, seed: 21 });
    // A line in Windows-1252 and a line of 70,000 characters are read on the thread too.
    fs.appendFileSync(log, Buffer.concat([Buffer.from('2026-03-02 00:00:01 10.1.1.1 - caf'), Buffer.from([0xe9]), Buffer.from(' [9]user x - 331 - - - 21\r\n')]));
    fs.appendFileSync(log, `#Note: ${'z'.repeat(70_000)}\r\n`);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));


  async function indexInto(name: string, files: string[], opts: IndexOptions) {
    const { openDatabase } = await built.db();
    const { indexPaths } = await built.indexer();
    const db = openDatabase(path.join(dir, name));
    // A run big enough for helper threads (the parsing thread starts with them), at once.
    const summary = await indexPaths(db, files, { timeZone: 'UTC', batchBytes: 256 << 10, bulkLoadBytes: 1, helperThreadsAfterMs: 0, waitForParseThread: true, ...opts });
    return { db, summary };
  }

  it('stores what parsing here stores, a .gz copy too', async () => {
    const { threadBatches } = await built.thread();
    const gz = path.join(dir, 'u_ex260228.log.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(log)));
    const here = await indexInto('here.sqlite', [log, gz], { parseThreadBytes: Infinity });
    const before = threadBatches.count;
    const threaded = await indexInto('thread.sqlite', [log, gz], { parseThreadBytes: 1 });
    try {
      expect(threaded.summary.errors).toEqual([]);
      expect(threadBatches.count - before).toBeGreaterThanOrEqual(7); // both files past their first batch (the second's not a small one)
      expect(threaded.summary.lines).toBe(here.summary.lines);
      expect(contents(threaded.db)).toEqual(contents(here.db));
    } finally {
      here.db.close();
      threaded.db.close();
    }
  });

  it('hands over to the thread after any batch here: the same rows, each line once', async () => {
    const { parseBatches, threadBatches } = await built.thread();
    const read = { encoding: 'utf-8' as const, start: 0, gzip: false, chunkSize: 256 << 10 };
    const start = { file: log, formatId: null, namedFormatId: null, ctx: { timeZone: 'UTC', fileMtimeMs: 0 }, saved: { parser: undefined }, lineNo: 0 };
    const all = async (handOverAfter: number | null, waitForThread = true, chunkSize = read.chunkSize, storeMs = 0) => {
      const rows = [];
      const ends = [];
      let here = 0;
      const before = threadBatches.count;
      const mayStart = handOverAfter === null ? null : () => ++here >= handOverAfter;
      for await (const batch of parseBatches(log, { ...read, chunkSize }, start, mayStart, waitForThread)) {
        for (let i = 0; i < batch.rows.count; i++) rows.push(batch.rows.row(i));
        ends.push(batch.end);
        if (storeMs) await new Promise((r) => setTimeout(r, storeMs)); // as the writer takes its time
      }
      return { rows, ends, fromThread: threadBatches.count - before };
    };
    const here = await all(null);
    expect(here.ends.length).toBeGreaterThan(4);
    for (const after of [1, 2, here.ends.length - 1]) {
      const handedOver = await all(after);
      expect(handedOver.fromThread).toBe(here.ends.length - after);
      // A header block split by a batch boundary may take its time otherwise (as on a resume);
      // this file's batches end where parsing here ends them.
      expect(handedOver.rows).toEqual(here.rows);
      expect(handedOver.ends.at(-1)).toBe(fs.statSync(log).size);
    }
    // Not waiting, batches are parsed here while the thread starts up; it takes over when ready:
    // every row once. A writer storing each of 100 small batches in 10 ms gives it a second.
    const unwaited = await all(1, false, 16 << 10, 10);
    expect(unwaited.rows).toEqual(here.rows);
    expect(unwaited.ends.at(-1)).toBe(fs.statSync(log).size);
    expect(unwaited.fromThread).toBeGreaterThan(0);
    expect(unwaited.fromThread).toBeLessThan(unwaited.ends.length - 1);
    // The file ends before the thread is ready: it is ended, every row parsed here.
    const ended = await all(1, false, 1 << 20);
    expect(ended.rows).toEqual(here.rows);
  });

  it('a file rotated after its first batch is read whole from the file it was', async () => {
    const { threadBatches } = await built.thread();
    const before = threadBatches.count;
    const copy = path.join(dir, 'u_ex260302.log');
    fs.copyFileSync(log, copy);
    let rotated = false;
    const { db, summary } = await indexInto('rotated.sqlite', [copy], {
      parseThreadBytes: 1,
      onBatch: () => {
        if (rotated) return;
        rotated = true;
        // The server rotates: the file gets another name, a new one takes its place.
        fs.renameSync(copy, `${copy}.1`);
        fs.writeFileSync(copy, '2026-03-03 00:00:00 10.9.9.9 - newfile [1]user newfile - 331 - - - 21\r\n');
      },
    });
    try {
      expect(rotated).toBe(true);
      expect(summary.errors).toEqual([]);
      expect(threadBatches.count).toBeGreaterThan(before);
      const want = fs.readFileSync(log, 'latin1').split('\r\n').slice(0, -1).map(asRead);
      const raws = db.prepare(`SELECT raw FROM ${EVENTS_WIDE} e ORDER BY id`).pluck().all() as string[];
      expect(raws).toEqual(want);
    } finally {
      db.close();
    }
  });

  it('an error on the thread is reported by name and reason, as when parsing here', async () => {
    // A compressed log damaged past its first batch: the thread's reading fails.
    const gz = path.join(dir, 'u_ex260227.log.gz');
    const bytes = zlib.gzipSync(fs.readFileSync(log));
    bytes.fill(0xff, Math.floor(bytes.length / 2), Math.floor(bytes.length / 2) + 64);
    fs.writeFileSync(gz, bytes);
    const { threadBatches } = await built.thread();
    const here = await indexInto('damaged-here.sqlite', [gz], { parseThreadBytes: Infinity });
    const before = threadBatches.count;
    const threaded = await indexInto('damaged-thread.sqlite', [gz], { parseThreadBytes: 1 });
    try {
      expect(here.summary.errors).toHaveLength(1);
      expect(here.summary.errors[0]!.reason).toMatch(/invalid|incorrect|unexpected/i);
      expect(threaded.summary.errors).toEqual(here.summary.errors);
      expect(threadBatches.count - before).toBeGreaterThan(0);
      expect(threaded.summary.lines).toBe(here.summary.lines);
    } finally {
      here.db.close();
      threaded.db.close();
    }
  });

  it('a run stopped while the thread reads ends it, and the next run continues exactly', async () => {
    const { threadBatches } = await built.thread();
    const before = threadBatches.count;
    const controller = new AbortController();
    let batches = 0;
    const first = await indexInto('stopped.sqlite', [log], {
      parseThreadBytes: 1,
      onBatch: () => {
        if (++batches === 4) controller.abort();
      },
      signal: controller.signal,
    });
    expect(threadBatches.count).toBeGreaterThan(before);
    const stoppedAt = first.db.prepare('SELECT lines_indexed FROM sources').pluck().get() as number;
    first.db.close();
    expect(stoppedAt).toBeGreaterThan(0);
    const expectedLines = fs.readFileSync(log, 'latin1').split('\r\n').length - 1;
    expect(stoppedAt).toBeLessThan(expectedLines);
    const again = await indexInto('stopped.sqlite', [log], { parseThreadBytes: 1 });
    const here = await indexInto('whole.sqlite', [log], { parseThreadBytes: Infinity });
    try {
      expect(contents(again.db).events).toEqual(contents(here.db).events);
    } finally {
      again.db.close();
      here.db.close();
    }
  });
});

describe("a run's next files parsed ahead on one thread", () => {
  let dir: string;
  let files: string[];
  beforeAll(async () => {
    dir = tempDir();
    files = [];
    for (let day = 1; day <= 6; day++) {
      const file = path.join(dir, `u_ex2603${String(day).padStart(2, '0')}.log`);
      await generateEftW3c(file, { lines: 1_500, seed: 40 + day, startMs: Date.UTC(2026, 2, day) });
      files.push(file);
    }
    // A compressed day, a day with a byte-order mark, a line in Windows-1252: read ahead as well.
    fs.writeFileSync(`${files[3]}.gz`, zlib.gzipSync(fs.readFileSync(files[3]!)));
    fs.rmSync(files[3]!);
    files[3] = `${files[3]}.gz`;
    fs.writeFileSync(files[4]!, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), fs.readFileSync(files[4]!)]));
    fs.appendFileSync(files[5]!, Buffer.concat([Buffer.from('2026-03-06 23:59:59 10.1.1.1 - caf'), Buffer.from([0xe9]), Buffer.from(' [9]user x - 331 - - - 21\r\n')]));
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));


  async function indexInto(name: string, opts: IndexOptions) {
    const { openDatabase } = await built.db();
    const { indexPaths } = await built.indexer();
    const db = openDatabase(path.join(dir, name));
    // Helper threads at once, waited for: every file after the first is begun on the thread.
    const summary = await indexPaths(db, files, { timeZone: 'UTC', bulkLoadBytes: 1, helperThreadsAfterMs: 0, waitForParseThread: true, ...opts });
    return { db, summary };
  }

  it('stores what parsing each file on the writer stores', async () => {
    const { threadBatches } = await built.thread();
    const here = await indexInto('here.sqlite', { parseAhead: false });
    const before = threadBatches.count;
    const batches = new Map<number, number>();
    const ahead = await indexInto('ahead.sqlite', { onBatch: (source) => batches.set(source, (batches.get(source) ?? 0) + 1) });
    try {
      // Only the run's first file starts with a small batch (its first lines shown at once).
      expect([...batches.values()]).toEqual([2, 1, 1, 1, 1, 1]);
      expect(threadBatches.count - before).toBeGreaterThanOrEqual(files.length - 1);
      expect(ahead.summary.errors).toEqual([]);
      expect(ahead.summary.lines).toBe(here.summary.lines);
      expect(contents(ahead.db)).toEqual(contents(here.db));
      expect((contents(ahead.db).sources as { encoding: string }[]).map((s) => s.encoding)).toContain('windows-1252');
    } finally {
      here.db.close();
      ahead.db.close();
    }
  });

  it('a file replaced after it was begun is parsed as it is at its turn, its batches begun before unused', async () => {
    const { threadBatches } = await built.thread();
    const original = fs.readFileSync(files[2]!);
    const replacement = path.join(dir, 'replacement.log');
    await generateEftW3c(replacement, { lines: 1_200, seed: 77, startMs: Date.UTC(2026, 2, 3) });
    // Read the same way (no byte-order mark, the same encoding): only its first bytes tell. It is
    // replaced while the second file is stored, once the thread has had the time to parse it.
    const replaceWhileSecondIsStored = (): IndexOptions['onBatch'] => {
      let done = false;
      return (sourceId) => {
        if (done || sourceId !== 2) return;
        done = true;
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 500);
        fs.writeFileSync(files[2]!, fs.readFileSync(replacement));
      };
    };
    try {
      const here = await indexInto('replaced-here.sqlite', { parseAhead: false, onBatch: replaceWhileSecondIsStored() });
      fs.writeFileSync(files[2]!, original);
      const before = threadBatches.count;
      const ahead = await indexInto('replaced-ahead.sqlite', { onBatch: replaceWhileSecondIsStored() });
      try {
        expect(threadBatches.count).toBeGreaterThan(before);
        expect(ahead.summary.errors).toEqual([]);
        expect(contents(ahead.db)).toEqual(contents(here.db));
        const third = ahead.db.prepare(`SELECT raw FROM ${EVENTS_WIDE} e WHERE source_id = 3 ORDER BY id`).pluck().all();
        expect(third).toEqual(fs.readFileSync(replacement, 'latin1').split('\r\n').slice(0, -1));
      } finally {
        here.db.close();
        ahead.db.close();
      }
    } finally {
      fs.writeFileSync(files[2]!, original);
    }
  });
});
