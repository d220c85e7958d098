/**
 * A line's byte offset in its file is kept in its line block (store/line-blocks.ts, schema 27): the
 * first line's offset, then how far each line starts from where the one before ended, as runs. What
 * could go wrong: line ends other than LF, characters of several bytes, encodings other than UTF-8,
 * a block completed by a later run, offsets past 2^32, and the upgrade from the rows' column.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { iterateRows } from '../../src-main/core/query/index.js';
import { openDatabase } from '../../src-main/core/store/db.js';
import { decodeOffsets, encodeOffsets, lineOffsetSql, LINES_PER_BLOCK } from '../../src-main/core/store/line-blocks.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { undoBlockOffsets } from '../schema-downgrade.js';
import { tempDatabasePerTest } from '../temp-db.js';

const t = tempDatabasePerTest();
const index = (paths: string[]) => indexPaths(t.db, paths, { timeZone: 'UTC' });

describe('offsets as a block stores them', () => {
  it('come back as given: line ends of one or two bytes, long and empty lines, offsets past 2^32, lines shorter in the file', () => {
    const lines = ['', 'ab', 'é€😀', 'x'.repeat(300), '', '', 'tail'];
    const lengths = lines.map((l) => Buffer.byteLength(l));
    const cases: number[][] = [
      [0],
      [5_000_000_000],
      // LF, then CRLF, then a gap (lines cut), then a line shorter in its file than in UTF-8 (Latin-1).
      [0, 1, 5, 16, 318, 319, 320],
      [7, 8, 12, 22, 400, 402, 404],
      [2 ** 33, 2 ** 33 + 1, 2 ** 33 + 4, 2 ** 33 + 8, 2 ** 33 + 309, 2 ** 33 + 310, 2 ** 33 + 311],
    ];
    for (const offsets of cases) {
      const stored = encodeOffsets(offsets, lengths.slice(0, offsets.length));
      expect(Array.from(decodeOffsets(stored, lengths, offsets.length))).toEqual(offsets);
    }
  });

  it('take a few bytes for a block of lines that follow each other', () => {
    const lines = Array.from({ length: LINES_PER_BLOCK }, (_, i) => `line ${i} ${'é'.repeat(i % 7)}`);
    const lengths = lines.map((l) => Buffer.byteLength(l));
    const offsets = [123_456];
    for (let i = 1; i < lines.length; i++) offsets.push(offsets[i - 1]! + lengths[i - 1]! + 2); // CRLF
    const stored = encodeOffsets(offsets, lengths);
    expect(stored.length).toBeLessThan(8);
    expect(Array.from(decodeOffsets(stored, lengths, offsets.length))).toEqual(offsets);
  });

  it('refuse a stored form that ends early, and offsets that are not one whole number per line', () => {
    expect(() => decodeOffsets(Buffer.from([0x80]), [1], 1)).toThrow(/end early/);
    expect(() => encodeOffsets([0, 5], [4])).toThrow(/2 offsets for 1 lines/);
    expect(() => encodeOffsets([0, NaN], [4, 4])).toThrow(/line 1 of a block has no valid offset/);
    expect(() => encodeOffsets([-1], [4])).toThrow(/no valid offset/);
  });
});

/** Where each line of `bytes` starts, lines ending with `newline` (the last may lack it). */
function lineStarts(bytes: Buffer, newline: Buffer): number[] {
  const starts: number[] = [];
  for (let at = 0; at < bytes.length; ) {
    starts.push(at);
    const end = bytes.indexOf(newline, at);
    if (end < 0) break;
    at = end + newline.length;
  }
  return starts;
}

/** Each row's file, line and offset, by file and line (files grown side by side interleave their ids). */
const storedOffsets = (db = t.db) =>
  [...iterateRows(db, 'events', '', { sort: 'id', columns: ['source_path', 'line_no', 'byte_offset'] })]
    .sort((a, b) => String(a.source_path).localeCompare(String(b.source_path)) || (a.line_no as number) - (b.line_no as number))
    .map((r) => `${path.basename(r.source_path as string)}:${r.line_no}:${r.byte_offset}`);

/** What the offsets of `files` should be: where each line starts in its bytes, in storedOffsets' shape. */
function offsetsInFiles(files: string[], newline: Buffer = Buffer.from('\n'), first = 0): string[] {
  return files.flatMap((f) => lineStarts(fs.readFileSync(f), newline).map((at, i) => `${path.basename(f)}:${i + 1}:${i === 0 ? first : at}`));
}

const FIELDS = '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port';
const w3cLine = (i: number) => `2026-01-01 00:${String(i % 60).padStart(2, '0')}:00 10.0.0.${i % 9} - user${i % 5} [${i}]sent /in/f${i}-é.txt - 226 ${i} - - - 21`;
/** Lines ending in LF and CRLF in turns. */
const mixedLines = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => w3cLine(from + k) + (k % 3 === 0 ? '\r\n' : '\n')).join('');

describe('offsets of indexed lines', () => {
  it('are where each line starts in its file, read again after later runs complete a block, in UTF-16 and with mixed line ends', async () => {
    const mixed = path.join(t.dir, 'mixed.log');
    // Written in three parts, the first two ending inside a block; read after each run on the same
    // connection (which caches the block the next run rewrites).
    fs.writeFileSync(mixed, `#Software: x\r\n${FIELDS}\r\n${mixedLines(0, 1500)}`);
    await index([mixed]);
    expect(storedOffsets()).toEqual(offsetsInFiles([mixed]));
    fs.appendFileSync(mixed, mixedLines(1500, 2100));
    await index([mixed]);
    expect(storedOffsets()).toEqual(offsetsInFiles([mixed]));
    fs.appendFileSync(mixed, mixedLines(2100, 2110));
    await index([mixed]);
    expect(storedOffsets()).toEqual(offsetsInFiles([mixed]));

    const utf16 = path.join(t.dir, 'wide.log');
    const wideText = '\ufeff' + ['#Software: x', FIELDS, ...Array.from({ length: 1100 }, (_, i) => w3cLine(i))].join('\r\n') + '\r\n';
    fs.writeFileSync(utf16, Buffer.from(wideText, 'utf16le'));
    await index([utf16]);
    const want = [...offsetsInFiles([mixed]), ...offsetsInFiles([utf16], Buffer.from('\n\0'), 2)];
    expect(storedOffsets()).toEqual(want);
    expect(want.length).toBe(2 + 2110 + 2 + 1100);
    // The rows hold no offset of their own, and an offset reads as an integer, as the column did.
    expect(t.db.prepare("SELECT name FROM pragma_table_info('events') WHERE name = 'byte_offset'").get()).toBeUndefined();
    expect(t.db.prepare(`SELECT typeof(${lineOffsetSql('e')}) FROM events e WHERE e.line_no = 5`).pluck().all()).toEqual(['integer', 'integer']);
  });

  it('are moved from the rows into the blocks by the upgrade to schema 27: files grown side by side, a row gone', async () => {
    // Two files grown in turns: their rows' ids interleave, and each run continues a block of each.
    const logs = ['u_ex260101.log', 'u_ex260102.log'].map((name) => path.join(t.dir, name));
    for (const log of logs) fs.writeFileSync(log, `${FIELDS}\r\nnot a W3C line €\r\n`);
    for (let round = 0; round < 4; round++) {
      for (const [k, log] of logs.entries()) fs.appendFileSync(log, mixedLines(round * 700 + k, round * 700 + k + 650));
      await index(logs);
    }
    const want = offsetsInFiles(logs);
    expect(storedOffsets()).toEqual(want);
    const file = t.file;
    t.db.close();
    const old = new Database(file);
    undoBlockOffsets(old);
    old.pragma('user_version = 26');
    // The rows' own column is what the upgrade reads; a line whose row is gone keeps its neighbours right.
    expect(old.prepare('SELECT byte_offset FROM events WHERE line_no = 3 ORDER BY id').pluck().all()).toEqual(logs.map(() => FIELDS.length + 2 + Buffer.byteLength('not a W3C line €') + 2));
    expect(old.prepare('DELETE FROM events WHERE source_id = 1 AND line_no = 1000').run().changes).toBe(1);
    old.close();
    t.db = openDatabase(file);
    expect(t.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(storedOffsets()).toEqual(want.filter((o) => o !== want.find((w) => w.startsWith('u_ex260101.log:1000:'))));
    expect(want).toHaveLength(2 * (2 + 4 * 650));
  });
});
