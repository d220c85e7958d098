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
import { decodeOffsets, encodeOffsets, LINES_PER_BLOCK } from '../../src-main/core/store/line-blocks.js';
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
      const stored = encodeOffsets(offsets, lengths);
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

  it('refuse a stored form that ends early', () => {
    expect(() => decodeOffsets(Buffer.from([0x80]), [1], 1)).toThrow(/end early/);
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

const storedOffsets = (db = t.db) =>
  [...iterateRows(db, 'events', '', { sort: 'id', columns: ['source_path', 'line_no', 'byte_offset'] })].map((r) => `${path.basename(r.source_path as string)}:${r.line_no}:${r.byte_offset}`);

describe('offsets of indexed lines', () => {
  it('are where each line starts in its file, also in blocks that later runs complete, in UTF-16 and with mixed line ends', async () => {
    const mixed = path.join(t.dir, 'mixed.log');
    const line = (i: number) => `2026-01-01 00:${String(i % 60).padStart(2, '0')}:00 10.0.0.${i % 9} - user${i % 5} [${i}]sent /in/f${i}-é.txt - 226 ${i} - - - 21`;
    const head = ['#Software: x', '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port'];
    // Lines ending in LF and CRLF in turns; written in three parts, the first two ending inside a block.
    const part = (from: number, to: number) => Array.from({ length: to - from }, (_, k) => line(from + k) + (k % 3 === 0 ? '\r\n' : '\n')).join('');
    fs.writeFileSync(mixed, head.join('\r\n') + '\r\n' + part(0, 1500));
    await index([mixed]);
    fs.appendFileSync(mixed, part(1500, 2100));
    await index([mixed]);
    fs.appendFileSync(mixed, part(2100, 2110));
    await index([mixed]);

    const utf16 = path.join(t.dir, 'wide.log');
    const wideText = '\ufeff' + [...head, ...Array.from({ length: 1100 }, (_, i) => line(i))].join('\r\n') + '\r\n';
    fs.writeFileSync(utf16, Buffer.from(wideText, 'utf16le'));
    await index([utf16]);

    const want = [
      ...lineStarts(fs.readFileSync(mixed), Buffer.from('\n')).map((at, i) => `mixed.log:${i + 1}:${at}`),
      ...lineStarts(fs.readFileSync(utf16), Buffer.from('\n\0')).map((at, i) => `wide.log:${i + 1}:${i === 0 ? 2 : at}`),
    ];
    expect(storedOffsets()).toEqual(want);
    expect(want.length).toBe(2 + 2110 + 2 + 1100);
    // The rows hold no offset of their own.
    expect(t.db.prepare("SELECT name FROM pragma_table_info('events') WHERE name = 'byte_offset'").get()).toBeUndefined();
  });

  it('are moved from the rows into the blocks by the upgrade to schema 27, the same for every line', async () => {
    const log = path.join(t.dir, 'u_ex260101.log');
    const lines = ['#Fields: date time c-ip cs-username cs-method cs-uri-stem sc-status', ...Array.from({ length: 2500 }, (_, i) =>
      i % 400 === 7 ? `not a W3C line ${'€'.repeat(i % 5)}` : `2026-01-01 01:02:03 10.1.2.${i % 200} bob STOR /up/${i}.csv 226`)];
    fs.writeFileSync(log, lines.join('\r\n') + '\r\n');
    await index([log]);
    const want = storedOffsets();
    const file = t.file;
    t.db.close();
    const old = new Database(file);
    undoBlockOffsets(old);
    old.pragma('user_version = 26');
    // The old rows' own column is what the upgrade reads.
    expect(old.prepare('SELECT byte_offset FROM events WHERE line_no = 3').pluck().get()).toBe(Buffer.byteLength(lines[0]! + '\r\n' + lines[1]! + '\r\n'));
    old.close();
    t.db = openDatabase(file);
    expect(t.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(storedOffsets()).toEqual(want);
    expect(want).toHaveLength(2501);
  });
});
