/**
 * Property tests (fast-check, seeded) over every format parser and the whole indexing pipeline:
 * hostile lines never escape as an exception, every line is one row, and the raw text round-trips
 * byte for byte. Set FC_SEED (and FC_SCALE) to explore other inputs; a failure prints the seed and
 * path that reproduce it.
 */
import { isUtf8 } from 'node:buffer';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../src-main/core/formats/registry.js';
import type { EventFields, ParseContext } from '../../src-main/core/formats/types.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { readLineBatches, MAX_LINE_BYTES } from '../../src-main/core/ingest/line-reader.js';
import { DETECT_SAMPLE_LINES } from '../../src-main/core/ingest/detect.js';
import type { Encoding } from '../../src-main/core/ingest/encoding.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { tempDir } from '../helpers.js';
import { lineOffsetSql, lineSql } from '../../src-main/core/store/line-blocks.js';

/** FC_SCALE multiplies the number of runs (for a longer search than the suite's). */
const runs = (n: number) => Math.round(n * Number(process.env.FC_SCALE ?? 1));
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 7_2026), numRuns: runs(60) });

const ctx: ParseContext = { timeZone: 'Europe/Paris', fileMtimeMs: Date.UTC(2026, 10, 23) };

// ---------------------------------------------------------------------------------------------------
// Hostile lines

const SAMPLE_LINES = FORMATS.flatMap((f) => f.samples.map((s) => s.line));
const W3C_FIELDS = ['date', 'time', 'c-ip', 'c-port', 'cs-username', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'sc-status',
  'sc-bytes', 'cs-bytes', 's-name', 's-port', 'time-taken', 'x-session', 'x-unknown', 'cs(User-Agent)', '', 'date', 'sc-status'];
const HUGE = ['99999999999999999999999', '-1', '1e309', 'NaN', '-0', '0x7fffffff', '18446744073709551616', '4294967296', '9007199254740993'];
const BAD_DATES = ['9999-12-31 23:59:59', '0000-00-00 00:00:00', '2026-13-45 25:61:61', '275760-09-14', '1969-12-31 23:59:60',
  '[31/Feb/2026:24:00:00 +9999]', 'Feb 30 99:99:99', '2026/0/0 0:0:0', '2026-02-29T00:00:00.000Z'];

/** A line with no LF (parsers never see one). */
const noLf = (s: string) => s.replace(/\n/g, ' ');

const junk = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.constantFrom('\0', '\r', '\t', '"', '[', ']', '(', ')', ';', ',', ' - ', '%', '\\', '\u00e9', '\ufffd', '\ud83d\ude00', '\ud800'),
  fc.constantFrom(...HUGE),
  fc.constantFrom(...BAD_DATES),
);

/** A sample line of some format, cut, spliced with junk, its numbers made huge, its dates impossible. */
const mutatedSample = fc
  .tuple(
    fc.constantFrom(...SAMPLE_LINES),
    fc.array(fc.tuple(fc.constantFrom('cut', 'insert', 'replace', 'numbers', 'dates', 'separators'), fc.nat(), junk), { maxLength: 4 }),
  )
  .map(([line, edits]) => {
    for (const [op, at, text] of edits) {
      const i = line.length ? at % line.length : 0;
      if (op === 'cut') line = line.slice(0, i);
      else if (op === 'insert') line = line.slice(0, i) + text + line.slice(i);
      else if (op === 'replace') line = line.slice(0, i) + text + line.slice(i + text.length);
      else if (op === 'numbers') line = line.replace(/\d+/g, (m, off: number) => (off % 3 === at % 3 ? HUGE[at % HUGE.length]! : m));
      else if (op === 'dates') line = line.replace(/\d{4}-\d\d-\d\d \d\d:\d\d:\d\d|\d\d\/\w{3}\/\d{4}:\d\d:\d\d:\d\d/, BAD_DATES[at % BAD_DATES.length]!);
      else line = line.replace(/ /g, [' ', '\t', ';', ',', '  ', ''][at % 6]!);
    }
    return noLf(line);
  });

/** #Fields headers with unknown, empty and duplicate names. */
const fieldsHeader = fc
  .array(fc.oneof(fc.constantFrom(...W3C_FIELDS), fc.string({ maxLength: 8 })), { maxLength: 16 })
  .map((names) => noLf(`#Fields: ${names.join(' ')}`));

const hostileLine = fc.oneof(
  { weight: 5, arbitrary: mutatedSample },
  { weight: 2, arbitrary: fc.constantFrom(...SAMPLE_LINES) },
  { weight: 1, arbitrary: fieldsHeader },
  { weight: 2, arbitrary: fc.string({ unit: 'binary', maxLength: 120 }).map(noLf) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 200 }).map(noLf) },
);

const NUMERIC_FIELDS = ['ts', 'clientPort', 'serverPort', 'bytes', 'durationMs', 'pid'] as const;
const STRING_FIELDS = ['server', 'clientIp', 'user', 'protocol', 'sessionKey', 'verb', 'path', 'status', 'message'] as const;

/** What the store needs of parsed fields: finite numbers, strings where strings go, plain extras. */
function assertStorable(fields: EventFields): void {
  for (const k of NUMERIC_FIELDS) {
    const v = fields[k];
    if (v !== undefined && !Number.isFinite(v)) throw new Error(`${k} is ${v}`);
  }
  for (const k of STRING_FIELDS) {
    const v = fields[k];
    if (v !== undefined && typeof v !== 'string') throw new Error(`${k} is ${typeof v}`);
  }
  for (const [k, v] of Object.entries(fields.extra ?? {})) {
    if (!['string', 'number', 'boolean'].includes(typeof v) || (typeof v === 'number' && !Number.isFinite(v))) throw new Error(`extra.${k} is ${String(v)}`);
  }
}

describe('every format parser on hostile lines', () => {
  for (const format of FORMATS) {
    it(`${format.id}: detect, createParser and parse never throw; what they return can be stored`, () => {
      fc.assert(
        fc.property(fc.array(hostileLine, { minLength: 1, maxLength: 30 }), fc.nat(30), (lines, restartAt) => {
          const score = format.detect(lines, ctx);
          expect(score >= 0 && score <= 1).toBe(true);
          let parser = format.createParser(ctx);
          lines.forEach((line, i) => {
            if (i === restartAt) {
              // A later run continues from the state stored in the database (JSON).
              parser = format.createParser(ctx, JSON.parse(JSON.stringify(parser.state() ?? null)));
            }
            const parsed = parser.parse(line);
            if (parsed) {
              expect(['event', 'directive']).toContain(parsed.kind);
              assertStorable(parsed.fields);
            }
          });
          parser.detail?.();
        }),
      );
    });
  }

  it('a line of about 1 MB (the longest stored whole) is parsed by every format in reasonable time', () => {
    // Catastrophic regex backtracking would hang here (vitest's timeout fails the test).
    const shapes = ['a '.repeat(MAX_LINE_BYTES / 2 - 1), '"'.repeat(MAX_LINE_BYTES - 1), `${SAMPLE_LINES[20]} ${'x;'.repeat(MAX_LINE_BYTES / 2 - 200)}`,
      `2026-11-23 19:14:25,347 ${'[' .repeat(MAX_LINE_BYTES - 30)}`];
    for (const format of FORMATS) {
      for (const line of shapes) {
        format.detect([line], ctx);
        const parsed = format.createParser(ctx).parse(line);
        if (parsed) assertStorable(parsed.fields);
      }
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// The whole pipeline: bytes on disk → rows

/** Windows-1252 in reverse, for the byte-for-byte check of lines that were not UTF-8. */
const WIN1252 = new TextDecoder('windows-1252');
const WIN1252_BYTE = new Map<string, number>(Array.from({ length: 256 }, (_, b) => [WIN1252.decode(Uint8Array.of(b)), b] as [string, number]));
function encode1252(text: string): Buffer {
  return Buffer.from(Array.from(text, (ch) => {
    const b = WIN1252_BYTE.get(ch);
    if (b === undefined) throw new Error(`U+${ch.codePointAt(0)!.toString(16)} is not Windows-1252`);
    return b;
  }));
}

/** The complete lines of 8-bit file bytes (after `start`), as docs/cli.md defines them. */
function expectedLines(bytes: Buffer, start = 0): { offset: number; bytes: Buffer }[] {
  const out: { offset: number; bytes: Buffer }[] = [];
  let pos = start;
  for (;;) {
    const nl = bytes.indexOf(0x0a, pos);
    if (nl < 0) return out;
    const end = nl > pos && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    out.push({ offset: pos, bytes: bytes.subarray(pos, end) });
    pos = nl + 1;
  }
}

const lineBytes = fc.oneof(
  { weight: 4, arbitrary: hostileLine.map((l) => Buffer.from(l, 'utf8')) },
  { weight: 2, arbitrary: hostileLine.map((l) => Buffer.from(l.replace(/[^\u0000-\u00ff]/g, '?'), 'latin1')) }, // ANSI
  { weight: 2, arbitrary: fc.uint8Array({ maxLength: 80 }).map((a) => Buffer.from(a.map((b) => (b === 0x0a ? 0x20 : b)))) },
  { weight: 1, arbitrary: fc.constant(Buffer.alloc(0)) },
);
const eol = fc.constantFrom('\n', '\r\n', '\r\n', '\r', '\r\r\n');

/** File bytes: lines in mixed encodings, any line ends (CR alone is not one), maybe a last line without LF. */
const fileBytes = fc
  .tuple(fc.array(fc.tuple(lineBytes, eol), { minLength: 1, maxLength: 60 }), lineBytes)
  .map(([lines, tail]) => {
    const buf = Buffer.concat([...lines.flatMap(([l, e]) => [l, Buffer.from(e)]), tail]);
    // Keep the file text: no NUL in the first 4 KB (binary) and no byte-order mark. NULs further on
    // are tested by `nulAfterHead`.
    for (let i = 0; i < Math.min(buf.length, 4096); i++) if (buf[i] === 0) buf[i] = 0x20;
    return buf[0] === 0xef || buf[0] === 0xff || buf[0] === 0xfe ? Buffer.concat([Buffer.from('x'), buf]) : buf;
  });

interface StoredRow { line_no: number; byte_offset: number; kind: number; raw: string; extra: string | null }

describe('indexing hostile files', () => {
  let dir: string;
  let n = 0;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  async function indexFresh(file: string): Promise<{ db: Db; rows: StoredRow[]; lines: number; errors: unknown[] }> {
    const db = openDatabase(path.join(dir, `db-${++n}.sqlite`));
    const s = await indexPaths(db, [file], { timeZone: 'UTC' });
    const rows = db.prepare(`SELECT line_no, ${lineOffsetSql('events')} AS byte_offset, kind, ${lineSql('events')} AS raw, extra FROM events ORDER BY line_no`).all() as StoredRow[];
    return { db, rows, lines: s.lines, errors: s.errors };
  }

  /** Every complete line is one row whose raw text is its bytes, decoded, and encodes back to them. */
  function expectRoundTrip(rows: StoredRow[], bytes: Buffer): void {
    const lines = expectedLines(bytes);
    expect(rows.map((r) => r.line_no)).toEqual(lines.map((_, i) => i + 1));
    rows.forEach((r, i) => {
      const line = lines[i]!;
      expect(r.byte_offset).toBe(line.offset);
      expect([0, 1, 2]).toContain(r.kind);
      const utf8 = isUtf8(line.bytes);
      expect(r.raw).toBe(utf8 ? line.bytes.toString('utf8') : WIN1252.decode(line.bytes));
      expect((utf8 ? Buffer.from(r.raw, 'utf8') : encode1252(r.raw)).equals(line.bytes)).toBe(true);
    });
  }

  it('every complete line is one row, raw text round-trips, nothing throws; in one run or in two', async () => {
    await fc.assert(
      fc.asyncProperty(fileBytes, fc.nat(), async (bytes, splitAt) => {
        const file = path.join(dir, `f-${++n}.log`);
        fs.writeFileSync(file, bytes);
        const once = await indexFresh(file);
        try {
          expect(once.errors).toEqual([]);
          expect(once.lines).toBe(once.rows.length);
          expectRoundTrip(once.rows, bytes);
        } finally {
          once.db.close();
        }
        // Written in two goes (the second part appended later, maybe mid-line or mid-character),
        // indexed after each: the same lines, each once.
        const cut = splitAt % (bytes.length + 1);
        const grown = path.join(dir, `g-${++n}.log`);
        fs.writeFileSync(grown, bytes.subarray(0, cut));
        const twice = await indexFresh(grown);
        try {
          fs.appendFileSync(grown, bytes.subarray(cut));
          const second = await indexPaths(twice.db, [grown], { timeZone: 'UTC' });
          expect(second.errors).toEqual([]);
          const rows = twice.db.prepare(`SELECT line_no, ${lineOffsetSql('events')} AS byte_offset, kind, ${lineSql('events')} AS raw, extra FROM events ORDER BY line_no`).all() as StoredRow[];
          expectRoundTrip(rows, bytes);
        } finally {
          twice.db.close();
        }
      }),
      { numRuns: runs(40) },
    );
  });

  it('NUL bytes after the first 4 KB are kept in the line', async () => {
    const head = Buffer.from('#Version: 1.0\r\n' + 'x'.repeat(5000) + '\r\n');
    const bytes = Buffer.concat([head, Buffer.from('a\0b\r\n\0\0\0\r\n\0')]);
    const file = path.join(dir, 'nul.log');
    fs.writeFileSync(file, bytes);
    const { db, rows } = await indexFresh(file);
    db.close();
    expect(rows.map((r) => r.raw)).toEqual(['#Version: 1.0', 'x'.repeat(5000), 'a\0b', '\0\0\0']);
    expectRoundTrip(rows, bytes);
  });

  it('CR without LF does not end a line: it stays in the raw text (only the CR of CRLF is dropped)', async () => {
    const file = path.join(dir, 'cr.log');
    const bytes = Buffer.from('one\rtwo\r\nthree\r\r\n\rfour\n\r\n\rfive\rsix');
    fs.writeFileSync(file, bytes);
    const { db, rows } = await indexFresh(file);
    expect(rows.map((r) => r.raw)).toEqual(['one\rtwo', 'three\r', '\rfour', '']);
    // `five\rsix` has no LF: like any last line without LF, it waits for the writer to end it.
    fs.appendFileSync(file, '\n');
    await indexPaths(db, [file], { timeZone: 'UTC' });
    expect((db.prepare(`SELECT ${lineSql('events')} AS raw FROM events WHERE line_no = 5`).get() as { raw: string }).raw).toBe('\rfive\rsix');
    db.close();
  });

  it('UTF-16 files: every line is one row and its text round-trips', async () => {
    const text = fc.string({ unit: 'grapheme', maxLength: 40 }).map(noLf);
    await fc.assert(
      fc.asyncProperty(fc.array(fc.tuple(text, eol), { minLength: 1, maxLength: 30 }), fc.boolean(), async (lines, bigEndian) => {
        const content = lines.map(([l, e]) => l + e).join('');
        const le = Buffer.from('\ufeff' + content, 'utf16le');
        const file = path.join(dir, `u16-${++n}.log`);
        fs.writeFileSync(file, bigEndian ? Buffer.from(le).swap16() : le);
        const { db, rows } = await indexFresh(file);
        db.close();
        const expected = content.split('\n').slice(0, -1).map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
        expect(rows.map((r) => r.raw)).toEqual(expected);
      }),
      { numRuns: runs(25) },
    );
  });
});

// ---------------------------------------------------------------------------------------------------
// The line reader with small chunks and a small line limit: cuts at every possible place

/** The reader's contract for one line longer than the limit: a prefix cut at a character boundary. */
function cutLine(bytes: Buffer, max: number, encoding: Encoding): string {
  if (encoding === 'utf-16le' || encoding === 'utf-16be') {
    let cut = max & ~1;
    const hi = encoding === 'utf-16le' ? bytes[cut - 1] : bytes[cut - 2];
    if (cut >= 2 && hi !== undefined && hi >= 0xd8 && hi <= 0xdb) cut -= 2;
    return new TextDecoder(encoding).decode(bytes.subarray(0, cut));
  }
  let cut = max;
  for (let back = 0; back < 3 && cut > 0 && (bytes[cut]! & 0xc0) === 0x80; back++) cut--;
  const head = bytes.subarray(0, cut);
  return isUtf8(head) ? head.toString('utf8') : WIN1252.decode(head);
}

describe('readLineBatches', () => {
  let dir: string;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('cuts lines longer than the limit at a character boundary, wherever chunks end, and keeps their length', async () => {
    let n = 0;
    const line = fc.oneof(
      fc.string({ unit: 'grapheme', maxLength: 30 }).map((s) => noLf(s)),
      fc.string({ unit: 'grapheme-ascii', maxLength: 60 }).map((s) => noLf(s)),
      fc.constantFrom('\r', '\r\r', 'é\r', '\ud83d\ude00\ud83d\ude00'),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { maxLength: 12 }), line,
        fc.constantFrom<Encoding>('utf-8', 'utf-16le', 'utf-16be'), fc.boolean(),
        fc.integer({ min: 1, max: 24 }), fc.integer({ min: 1, max: 40 }),
        async (lines, tail, encoding, gzip, chunkSize, maxLineBytes) => {
          const enc = (s: string) => {
            if (encoding === 'utf-8') return Buffer.from(s, 'utf8');
            const le = Buffer.from(s, 'utf16le');
            return encoding === 'utf-16le' ? le : Buffer.from(le).swap16();
          };
          const all = [...lines.map(([l, e]) => ({ text: l, bytes: enc(l), eol: e })), { text: tail, bytes: enc(tail), eol: '' }];
          const data = Buffer.concat(all.flatMap((l) => [l.bytes, enc(l.eol)]));
          const file = path.join(dir, `r-${++n}`);
          fs.writeFileSync(file, gzip ? zlib.gzipSync(data) : data);
          const got: { text: string; offset: number; truncated?: number }[] = [];
          let end = 0;
          // zlib wants chunks of 64 bytes or more (its output chunks still end anywhere).
          const chunks = gzip ? chunkSize + 63 : chunkSize;
          for await (const b of readLineBatches(file, { encoding, start: 0, gzip, chunkSize: chunks, maxLineBytes, flushLast: gzip })) {
            b.lines.forEach((text, i) => got.push({ text, offset: b.offsets[i]!, ...(b.truncated.has(i) ? { truncated: b.truncated.get(i)! } : {}) }));
            end = b.end;
          }
          // A last line without LF comes out only of a compressed (complete) file.
          const complete = gzip && tail !== '' ? all : all.slice(0, -1);
          let offset = 0;
          const expected = complete.map((l) => {
            // One CR before the line's end is dropped (the end of a compressed file counts as LF).
            const withoutCr = l.eol !== '\r\n' && l.text.endsWith('\r') ? l.text.slice(0, -1) : l.text;
            const bytes = enc(withoutCr);
            const row = { text: bytes.length > maxLineBytes ? cutLine(bytes, maxLineBytes, encoding) : withoutCr, offset, ...(bytes.length > maxLineBytes ? { truncated: bytes.length } : {}) };
            offset += l.bytes.length + enc(l.eol).length;
            return row;
          });
          expect(got).toEqual(expected);
          if (got.length) expect(end).toBe(offset);
        },
      ),
      { numRuns: runs(300) },
    );
  });

  it('gives the first lines of a big file in a small first batch, then every other line once, in order', async () => {
    const file = path.join(dir, 'big.log');
    // Blank lines among the first (detection does not count them), then lines of growing length.
    const lines = Array.from({ length: 40_000 }, (_, i) => (i % 10 === 3 ? (i % 20 === 3 ? '' : ' \t') : `line ${i} ${'x'.repeat(i % 50)}`));
    const notBlank = (ls: string[]) => ls.filter((l) => l.trim() !== '').length;
    fs.writeFileSync(file, lines.join('\r\n') + '\r\n');
    const utf16 = path.join(dir, 'big16.log');
    fs.writeFileSync(utf16, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(lines.join('\r\n') + '\r\n', 'utf16le')]));
    const long = path.join(dir, 'long.log');
    const longLines = Array.from({ length: 2_000 }, (_, i) => `long ${i} ${'y'.repeat(900)}`);
    fs.writeFileSync(long, longLines.join('\n') + '\n');
    for (const [input, encoding, start, want] of [[file, 'utf-8', 0, lines], [file + '.gz', 'utf-8', 0, lines], [utf16, 'utf-16le', 2, lines], [long, 'utf-8', 0, longLines]] as const) {
      const gzip = input.endsWith('.gz');
      if (gzip) fs.writeFileSync(input, zlib.gzipSync(fs.readFileSync(file)));
      const batches = [];
      for await (const b of readLineBatches(input, { encoding, start, gzip })) batches.push(b);
      expect(batches.length, input).toBeGreaterThan(2);
      // The first batch holds the lines detection looks at, within the first 64 KiB: those lines are
      // stored (and shown) at once.
      expect(batches[0]!.end).toBeLessThanOrEqual(64 << 10);
      // Long lines: as many as end within 64 KiB.
      const within = longLines.reduce((a, l) => (a.bytes + l.length + 1 <= 64 << 10 ? { bytes: a.bytes + l.length + 1, n: a.n + 1 } : a), { bytes: 0, n: 0 }).n;
      expect(notBlank(batches[0]!.lines), input).toBe(want === longLines ? within : DETECT_SAMPLE_LINES);
      expect(batches.flatMap((b) => b.lines)).toEqual(want);
      expect(batches[batches.length - 1]!.end).toBe(gzip ? fs.statSync(file).size : fs.statSync(input).size);
    }
  });
});

// ---------------------------------------------------------------------------------------------------
// Lines over the limit, through the indexer

describe('a line of 10 MB', () => {
  let dir: string;
  let db: Db;
  beforeAll(() => {
    dir = tempDir();
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const W3C_HEAD = ['#Software: CuteLogger', '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port'];
  const EVENT = '2010-04-08 20:07:16 192.168.241.1 - test [1]created /Test+File+1.txt - 226 - 54 - 22';

  it('is stored cut to its first 1 MB (at a character boundary), unparsed, marked with its full length; the next lines are parsed', async () => {
    const file = path.join(dir, 'long.log');
    // 'é' is two bytes: the 1 MB cut falls inside a character unless it backs off.
    const long = 'x' + 'é'.repeat(5 << 20);
    fs.writeFileSync(file, [...W3C_HEAD, EVENT, long, EVENT].join('\r\n') + '\r\n');
    db = openDatabase(path.join(dir, 'a.sqlite'));
    const s = await indexPaths(db, [file], { timeZone: 'UTC' });
    expect(s).toMatchObject({ lines: 5, events: 2, unparsed: 1, errors: [] });
    const rows = db.prepare(`SELECT line_no, ${lineOffsetSql('events')} AS byte_offset, kind, extra, ${lineSql('events')} AS raw FROM events ORDER BY line_no`).all() as StoredRow[];
    const cut = rows[3]!;
    expect(cut.kind).toBe(2);
    expect(JSON.parse(cut.extra!)).toEqual({ truncated: Buffer.byteLength(long) });
    expect(Buffer.byteLength(cut.raw)).toBe(MAX_LINE_BYTES - 1); // 'x' + whole 'é's
    expect(long.startsWith(cut.raw)).toBe(true);
    expect(rows[4]).toMatchObject({ line_no: 5, kind: 0, raw: EVENT, byte_offset: fs.statSync(file).size - EVENT.length - 2 });
    // Read as UTF-8, not as Windows-1252 because of a split character.
    expect(db.prepare('SELECT encoding FROM sources').get()).toEqual({ encoding: 'utf-8' });
    expect((await indexPaths(db, [file], { timeZone: 'UTC' })).lines).toBe(0);
    db.close();
  });

  it('a line of exactly the limit is whole; one byte more is cut', async () => {
    const file = path.join(dir, 'edge.log');
    const exact = 'a'.repeat(MAX_LINE_BYTES);
    fs.writeFileSync(file, `${exact}\n${exact}b\n`);
    db = openDatabase(path.join(dir, 'b.sqlite'));
    await indexPaths(db, [file], { timeZone: 'UTC' });
    const rows = db.prepare(`SELECT length(${lineSql('events')}) AS len, extra FROM events ORDER BY line_no`).all();
    db.close();
    expect(rows).toEqual([{ len: MAX_LINE_BYTES, extra: null }, { len: MAX_LINE_BYTES, extra: JSON.stringify({ truncated: MAX_LINE_BYTES + 1 }) }]);
  });

  it('still being written (no LF yet), it waits; ended later, it is stored once', async () => {
    const file = path.join(dir, 'growing.log');
    fs.writeFileSync(file, [...W3C_HEAD, EVENT].join('\n') + '\n' + 'y'.repeat(10 << 20));
    db = openDatabase(path.join(dir, 'c.sqlite'));
    expect((await indexPaths(db, [file], { timeZone: 'UTC' })).lines).toBe(3);
    fs.appendFileSync(file, 'y\r\n' + EVENT + '\n');
    expect((await indexPaths(db, [file], { timeZone: 'UTC' })).lines).toBe(2);
    const rows = db.prepare(`SELECT line_no, kind, extra, length(${lineSql('events')}) AS len FROM events WHERE line_no > 3 ORDER BY line_no`).all();
    db.close();
    expect(rows).toEqual([
      { line_no: 4, kind: 2, extra: JSON.stringify({ truncated: (10 << 20) + 1 }), len: MAX_LINE_BYTES },
      { line_no: 5, kind: 0, extra: null, len: EVENT.length },
    ]);
  });

  it('in UTF-16 and in a .gz whose last line has no LF', async () => {
    const u16 = path.join(dir, 'long16.log');
    fs.writeFileSync(u16, Buffer.from('\ufeff' + [...W3C_HEAD, 'z'.repeat(3 << 20), EVENT].join('\r\n') + '\r\n', 'utf16le'));
    const gz = path.join(dir, 'long.log.gz');
    fs.writeFileSync(gz, zlib.gzipSync([...W3C_HEAD, EVENT, 'q'.repeat(3 << 20)].join('\n')));
    db = openDatabase(path.join(dir, 'd.sqlite'));
    const s = await indexPaths(db, [u16, gz], { timeZone: 'UTC' });
    expect(s).toMatchObject({ lines: 8, events: 2, unparsed: 2, errors: [] });
    const cut = db.prepare(`SELECT s.path, e.extra, length(${lineSql('e')}) AS len FROM events e JOIN sources s ON s.id = e.source_id WHERE e.kind = 2 ORDER BY s.path`).all();
    db.close();
    expect(cut).toEqual([
      { path: gz, extra: JSON.stringify({ truncated: 3 << 20 }), len: MAX_LINE_BYTES },
      { path: u16, extra: JSON.stringify({ truncated: 6 << 20 }), len: MAX_LINE_BYTES / 2 },
    ]);
  });
});
