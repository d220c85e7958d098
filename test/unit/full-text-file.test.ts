/**
 * The full-text index in a file of its own (schema 12, store/full-text.ts): written by a second
 * thread in big runs, caught up after a stopped run, emptied of deleted rows, never mixed with
 * another database's.
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';
import { unindexLinesAbove } from '../full-text-lag.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { addMissingLines, fieldsSql, FULL_TEXT_FILES, FULL_TEXT_SUFFIX, removeDeletedLines, syncFullText } from '../../src-main/core/store/full-text.js';
import { fieldToken } from '../../src-main/core/store/field-tokens.js';
import { expectAsColumnFilter, listedFieldTokens, rowsFieldTokens } from '../field-lists.js';
import { lineSql } from '../../src-main/core/store/line-blocks.js';
import { deleteSourceRows, resetSource } from '../../src-main/core/store/source-admin.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { compileQuery } from '../../src-main/core/query/page.js';
import { countRows, iterateRows } from '../../src-main/core/query/index.js';

// The built modules: the full-text thread runs only from compiled JavaScript (`npm test` builds first).
const dist = (p: string) => path.join(REPO, 'dist', 'src-main', 'core', p);
const built = {
  db: () => import(dist('store/db.js')) as Promise<typeof import('../../src-main/core/store/db.js')>,
  indexer: () => import(dist('ingest/indexer.js')) as Promise<typeof import('../../src-main/core/ingest/indexer.js')>,
  fullText: () => import(dist('store/full-text.js')) as Promise<typeof import('../../src-main/core/store/full-text.js')>,
  deflate: () => import(dist('store/deflate-thread.js')) as Promise<typeof import('../../src-main/core/store/deflate-thread.js')>,
};

let dir: string;
let big: string;
beforeAll(async () => {
  dir = tempDir();
  big = path.join(dir, 'u_ex260101.log');
  await generateEftW3c(big, { lines: 30_000, seed: 3 });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Writes into `file` the big log's lines of each [from, to) slice, in order (a slice from 0 keeps its header). */
function writeBigLines(file: string, ...slices: [number, number][]): void {
  const text = fs.readFileSync(big, 'latin1').split('\r\n');
  fs.writeFileSync(file, slices.flatMap((s) => text.slice(...s)).join('\r\n') + '\r\n', 'latin1');
}

/** unicode61's tokens of a line, near enough for these logs: letters and digits, split on the rest. */
const tokens = (text: string) => text.toLowerCase().split(/[^\p{L}\p{N}]+/u);

/** Every line's id and text, as stored. */
function lines(db: Db): { id: number; text: string }[] {
  return db.prepare(`SELECT e.id, ${lineSql('e')} AS text FROM events e ORDER BY e.id`).all() as { id: number; text: string }[];
}

/** What the index says for `term`, and what reading every line says. */
function matches(db: Db, term: string): { index: number[]; lines: number[] } {
  const index = (db.prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid').pluck().all(`"${term}"`) as number[]);
  return { index, lines: lines(db).filter((l) => tokens(l.text).includes(term)).map((l) => l.id) };
}

/**
 * Each row's line is in the index once, and nothing else is: the index holds under each row's id
 * as many words as its line has (a line added twice, twice as many; one removed, none).
 */
function expectEveryLineOnce(db: Db): void {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.text_instances USING fts5vocab(fts, events_fts, 'instance')");
  const indexed = new Map(db.prepare('SELECT doc, count(*) FROM temp.text_instances GROUP BY doc ORDER BY doc').raw().all() as [number, number][]);
  const words = new Map(lines(db).map((l) => [l.id, tokens(l.text).filter(Boolean).length] as const).filter(([, n]) => n > 0));
  expect(indexed).toEqual(words);
  // Up to the last row at least (rows deleted from the end leave it above).
  expect(db.prepare('SELECT through FROM fts.lines_indexed').pluck().get()).toBeGreaterThanOrEqual(db.prepare('SELECT max(id) FROM events').pluck().get() as number);
  expect(db.prepare('SELECT count(*) FROM fts_deleted').pluck().get()).toBe(0);
  db.exec("INSERT INTO fts.events_fts (events_fts) VALUES ('integrity-check')");
  expectFieldsExact(db);
}

/**
 * A database of two files cut from the big log (its first `keepLines` lines; its lines `gone`),
 * indexed in one run, the second file's rows then deleted: listed for removal from the index.
 */
async function withOneFileDeleted(name: string, keepLines: number, gone: [number, number]): Promise<Db> {
  const keepLog = path.join(dir, `${name}-keep.log`), goneLog = path.join(dir, `${name}-gone.log`);
  writeBigLines(keepLog, [0, keepLines]);
  writeBigLines(goneLog, [0, 4], gone);
  const db = openDatabase(path.join(dir, `${name}.sqlite`));
  await indexPaths(db, [keepLog, goneLog], { timeZone: 'UTC' });
  const goneId = db.prepare('SELECT id FROM sources WHERE path = ?').pluck().get(goneLog) as number;
  db.transaction(() => deleteSourceRows(db, goneId))();
  return db;
}

/**
 * events_fields holds each row (up to `through`) once, under the tokens of its user, client IP, code,
 * path and its path's folders, and no others.
 */
function expectFieldsExact(db: Db, through = Number.MAX_SAFE_INTEGER): void {
  expect(listedFieldTokens(db)).toEqual(rowsFieldTokens(db, through));
  // FTS5's own check of its structure (a row removed twice leaves a stray entry).
  db.exec("INSERT INTO fts.events_fields (events_fields) VALUES ('integrity-check')");
  // Which rows: those of the most frequent client IP, and of a rare one.
  const ips = db.prepare('SELECT client_ip_id FROM events WHERE client_ip_id IS NOT NULL GROUP BY 1 ORDER BY count(*) DESC, 1').pluck().all() as number[];
  for (const id of [ips[0], ips.at(-1)].filter((p) => p !== undefined)) {
    expect(db.prepare('SELECT rowid FROM fts.events_fields WHERE events_fields MATCH ? ORDER BY rowid').pluck().all(fieldToken('client_ip', id!)))
      .toEqual(db.prepare('SELECT id FROM events WHERE client_ip_id = ? AND id <= ? ORDER BY id').pluck().all(id, through));
  }
}

describe('the full-text index file', () => {
  it('a big run fills it from the second thread: every line once, each term where the lines have it; private like the database', async () => {
    const { openDatabase: open } = await built.db();
    const { indexPaths: index } = await built.indexer();
    const { FullTextThread } = await built.fullText();
    const file = path.join(dir, 'thread.sqlite');
    // The compiled thread exists (else this run would only test the caller's own catch-up).
    const probe = FullTextThread.start(':memory:', undefined);
    expect(probe).toBeUndefined(); // none for an in-memory database…
    const thread = FullTextThread.start(file, undefined);
    expect(thread).toBeDefined(); // …one for a file
    await thread!.stop();
    const db = open(file);
    try {
      const summary = await index(db, [big], { timeZone: 'UTC', bulkLoadBytes: 1 });
      expect(summary.lines).toBe(30_000);
      expect(fs.existsSync(file + FULL_TEXT_SUFFIX)).toBe(true);
      // The database's own file holds no full text any more.
      expect(db.prepare("SELECT count(*) FROM main.sqlite_schema WHERE name LIKE 'events_fts%'").pluck().get()).toBe(0);
      expectEveryLineOnce(db);
      const sample = lines(db)[20_000]!.text;
      const words = tokens(sample).filter((t) => /\p{L}/u.test(t)).slice(0, 4);
      for (const term of ['2026', ...words]) {
        const m = matches(db, term);
        expect(m.index.length, term).toBeGreaterThan(0);
        expect(m.index, term).toEqual(m.lines);
      }
      const mode = (f: string) => fs.statSync(f).mode & 0o777;
      expect(mode(file + FULL_TEXT_SUFFIX)).toBe(mode(file));
    } finally {
      db.close();
    }
  });

  it('a run of a few MB that is no bulk load (a new file into a database) is helped by the threads: every line stored and indexed once', async () => {
    const { openDatabase: open } = await built.db();
    const { indexPaths: index } = await built.indexer();
    const { DeflateThread } = await built.deflate();
    const first = path.join(dir, 'u_ex260201.log');
    const next = path.join(dir, 'u_ex260202.log');
    await generateEftW3c(first, { lines: 2_000, seed: 5 });
    await generateEftW3c(next, { lines: 45_000, seed: 6, startMs: Date.UTC(2026, 1, 2) });
    expect(fs.statSync(next).size).toBeGreaterThan(4 << 20); // over the helpers' threshold, under a bulk load's 16 MiB
    expect(fs.statSync(next).size).toBeLessThan(16 << 20);
    const db = open(path.join(dir, 'helped.sqlite'));
    try {
      await index(db, [first], { timeZone: 'UTC' });
      const before = DeflateThread.taken;
      await index(db, [next], { timeZone: 'UTC', helperThreadsAfterMs: 0 });
      expect(DeflateThread.taken - before).toBeGreaterThan(0); // the threads ran
      expectEveryLineOnce(db);
      const stored = db.prepare(`SELECT ${lineSql('e')} FROM events e WHERE e.source_id = 2 ORDER BY e.id`).pluck().all();
      expect(stored).toEqual(fs.readFileSync(next, 'utf8').replace(/\r?\n$/, '').split(/\r?\n/));
      const m = matches(db, '2026');
      expect(m.index).toEqual(m.lines);
    } finally {
      db.close();
    }
  });

  it('an append of a few MB to a file it knows has the threads from its start (a new file has them a second in): every line stored and indexed once', async () => {
    const { openDatabase: open } = await built.db();
    const { indexPaths: index } = await built.indexer();
    const { DeflateThread } = await built.deflate();
    const log = path.join(dir, 'u_ex260203.log');
    await generateEftW3c(log, { lines: 45_000, seed: 7, startMs: Date.UTC(2026, 1, 3) });
    const text = fs.readFileSync(log, 'latin1').split('\r\n');
    fs.writeFileSync(log, text.slice(0, 2_000).join('\r\n') + '\r\n', 'latin1');
    const db = open(path.join(dir, 'appended.sqlite'));
    try {
      await index(db, [log], { timeZone: 'UTC' });
      fs.appendFileSync(log, text.slice(2_000).join('\r\n'), 'latin1');
      expect(fs.statSync(log).size).toBeGreaterThan(4 << 20); // over the helpers' threshold
      const before = DeflateThread.taken;
      const t0 = performance.now();
      await index(db, [log], { timeZone: 'UTC' });
      // The run is over before the second at which a new file's threads start: they started at once.
      if (performance.now() - t0 < 900) expect(DeflateThread.taken - before).toBeGreaterThan(0);
      expectEveryLineOnce(db);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(text.filter(Boolean).length);
    } finally {
      db.close();
    }
  });

  it('a file read again from its start: its old lines leave the index, through the thread too', async () => {
    const { openDatabase: open } = await built.db();
    const { indexPaths: index } = await built.indexer();
    const file = path.join(dir, 'reread.sqlite');
    const log = path.join(dir, 'u_ex260102.log');
    fs.copyFileSync(big, log);
    const db = open(file);
    try {
      await index(db, [log], { timeZone: 'UTC', bulkLoadBytes: 1 });
      const before = matches(db, '2026').index;
      const lastOld = db.prepare('SELECT max(id) FROM events').pluck().get() as number;
      // Replaced by a shorter file of other days: read again from its start.
      await generateEftW3c(log, { lines: 12_000, seed: 9, startMs: Date.UTC(2027, 5, 1) });
      await index(db, [log], { timeZone: 'UTC', bulkLoadBytes: 1 });
      expectEveryLineOnce(db);
      expect(before.length).toBeGreaterThan(10_000);
      for (const term of ['2026', '2027']) {
        const m = matches(db, term);
        expect(m.index, term).toEqual(m.lines);
        expect(m.index.every((id) => id > lastOld), term).toBe(true);
      }
      expect(matches(db, '2027').index.length).toBeGreaterThan(10_000);
    } finally {
      db.close();
    }
  });
});

/**
 * How many segments each level of `table` holds, from FTS5's structure record (the row of id 10 of
 * its _data table: a 4-byte cookie, varints of the levels, the segments and the write counter, then
 * for each level those under merge, the segments, and each segment's id and first and last leaf).
 */
function segmentsPerLevel(db: Db, table: 'events_fts' | 'events_fields'): number[] {
  const record = db.prepare(`SELECT block FROM fts.${table}_data WHERE id = 10`).pluck().get() as Buffer;
  let at = 4;
  const varint = () => {
    let n = 0;
    for (let i = 0; i < 9; i++) {
      const byte = record[at++]!;
      if (i === 8) return n * 256 + byte;
      n = n * 128 + (byte & 0x7f);
      if (!(byte & 0x80)) break;
    }
    return n;
  };
  expect(record.readUInt32BE(4)).not.toBe(0xff000001); // the first version of the record, which this reads
  const levels = varint();
  varint(); // segments
  varint(); // write counter
  return Array.from({ length: levels }, () => {
    varint(); // under merge
    const segments = varint();
    for (let i = 0; i < segments * 3; i++) varint();
    return segments;
  });
}

/** FTS5's `automerge` of both tables. */
const automerge = (db: Db) =>
  ['events_fts', 'events_fields'].map((t) => db.prepare(`SELECT v FROM fts.${t}_config WHERE k = 'automerge'`).pluck().get());

describe('merging the index as it grows', () => {
  it('a bulk load merges as it goes; runs that add a little leave a level to merge at 64 segments: every line once, the levels bounded', async () => {
    const log = path.join(dir, 'u_ex260301.log');
    writeBigLines(log, [0, 3_000]);
    const db = openDatabase(path.join(dir, 'merging.sqlite'));
    try {
      await indexPaths(db, [log], { timeZone: 'UTC', bulkLoadBytes: 1 });
      expect(automerge(db)).toEqual([8, 8]);
      // Each run commits its lines to the index as one more segment of its first level.
      const before = segmentsPerLevel(db, 'events_fts');
      for (let run = 0; run < 70; run++) {
        fs.appendFileSync(log, fs.readFileSync(big, 'latin1').split('\r\n').slice(3_000 + run * 5, 3_005 + run * 5).join('\r\n') + '\r\n', 'latin1');
        await indexPaths(db, [log], { timeZone: 'UTC' });
        if (run === 0) expect(automerge(db)).toEqual([0, 0]);
        if (run === 10) expect(segmentsPerLevel(db, 'events_fts')[0]).toBe((before[0] ?? 0) + 11); // none merged as they came
      }
      for (const table of ['events_fts', 'events_fields'] as const) {
        const levels = segmentsPerLevel(db, table);
        expect(levels.every((n) => n < 64), `${table}: ${levels.join(' ')}`).toBe(true);
        expect(levels.reduce((a, b) => a + b), table).toBeLessThan(70);
      }
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(3_350);
      expectEveryLineOnce(db);
      for (const term of ['2026', tokens(lines(db).at(-1)!.text).filter((t) => /\p{L}/u.test(t))[0]!]) {
        const m = matches(db, term);
        expect(m.index, term).toEqual(m.lines);
      }
      // A bulk load into it merges as it goes again.
      const more = path.join(dir, 'u_ex260302.log');
      writeBigLines(more, [0, 4], [10_000, 20_000]);
      await indexPaths(db, [more], { timeZone: 'UTC', bulkLoadBytes: 1 });
      expect(automerge(db)).toEqual([8, 8]);
      expectEveryLineOnce(db);
    } finally {
      db.close();
    }
  });
});

describe('lines leaving the index', () => {
  it('most of it (emptied, the lines that stay added again) or less than half (removed one by one): each line once, each term where the lines have it', async () => {
    const file = path.join(dir, 'most.sqlite');
    const bigLog = path.join(dir, 'big-most.log');
    const smallLog = path.join(dir, 'small-most.log');
    fs.copyFileSync(big, bigLog);
    await generateEftW3c(smallLog, { lines: 5000, seed: 11, startMs: Date.UTC(2025, 2, 1) });
    const db = openDatabase(file);
    try {
      await indexPaths(db, [bigLog, smallLog], { timeZone: 'UTC' });
      const check = (terms: string[]) => {
        expectEveryLineOnce(db);
        for (const term of terms) {
          const m = matches(db, term);
          expect(m.index.length, term).toBeGreaterThan(0);
          expect(m.index, term).toEqual(m.lines);
        }
      };
      // The big file (6/7 of the lines) replaced: the index is emptied, the small file's lines come back.
      await generateEftW3c(bigLog, { lines: 20_000, seed: 12, startMs: Date.UTC(2027, 5, 1) });
      await indexPaths(db, [bigLog, smallLog], { timeZone: 'UTC' });
      check(['2025', '2026', '2027']);
      // Now the small file (1/5) replaced: its lines are removed one by one.
      await generateEftW3c(smallLog, { lines: 3000, seed: 13, startMs: Date.UTC(2028, 1, 1) });
      await indexPaths(db, [bigLog, smallLog], { timeZone: 'UTC' });
      check(['2026', '2027', '2028']);
      const gone = matches(db, '2025');
      expect(gone.index).toEqual(gone.lines); // the old small file's 5,000 had it, few of the new one
      expect(gone.lines.length).toBeLessThan(10);
    } finally {
      db.close();
    }
  });

  it('lines with accents and other scripts go in as their UTF-8 bytes: found by their folded words, removed by their text', async () => {
    const bigLog = path.join(dir, 'big-accents.log');
    const smallLog = path.join(dir, 'u_ex260302.log');
    fs.copyFileSync(big, bigLog);
    const header = EFT_W3C_SAMPLE.slice(0, 4);
    const accented = [
      '2026-03-02 10:00:00 192.168.241.1 - müller [1]created /Größe+Ü.txt - 226 - 54 - 22',
      '2026-03-02 10:00:01 192.168.241.1 - müller [1]sent /日本語/ファイル.csv - 226 54 - - 22',
      '2026-03-02 10:00:02 192.168.241.2 - josé [2]created /café/crème+brûlée.txt - 226 - 54 - 22',
    ];
    writeLines(smallLog, [...header, ...accented]);
    const db = openDatabase(path.join(dir, 'accents.sqlite'));
    try {
      await indexPaths(db, [bigLog, smallLog], { timeZone: 'UTC' });
      expectEveryLineOnce(db);
      const idsOf = (match: string) => db.prepare('SELECT rowid FROM events_fts WHERE events_fts MATCH ? ORDER BY rowid').pluck().all(match) as number[];
      const lineIds = (needle: string) => lines(db).filter((l) => l.text.includes(needle)).map((l) => l.id);
      // remove_diacritics 2 folds ü, é, è, û; ß and CJK stay as written.
      expect(idsOf('muller')).toEqual(lineIds('müller'));
      expect(idsOf('"größe"')).toEqual(lineIds('Größe'));
      expect(idsOf('"日本語"')).toEqual(lineIds('日本語'));
      expect(idsOf('jose AND creme AND brulee AND cafe')).toEqual(lineIds('josé'));
      expect(lineIds('müller')).toHaveLength(2);
      // The small file replaced (a fifth of the lines at most: removed one by one, by naming the words
      // of their text): tokens read from the bytes differently would leave strays, or damage the index.
      writeLines(smallLog, [...header, '2026-03-02 11:00:00 192.168.241.3 - ana [3]created /plain.txt - 226 - 54 - 22']);
      await indexPaths(db, [bigLog, smallLog], { timeZone: 'UTC' });
      expectEveryLineOnce(db);
      for (const word of ['muller', 'größe', 'jose', '日本語']) expect(idsOf(`"${word}"`), word).toEqual([]);
      expect(idsOf('plain')).toHaveLength(1);
    } finally {
      db.close();
    }
  });
});

describe('lines leaving the index and coming back', () => {
  it('the last file emptied and read again (new options), or replaced: its new rows take no id the index says it holds, every line is there once', async () => {
    const file = path.join(dir, 'last-again.sqlite');
    const firstLog = path.join(dir, 'first-again.log');
    const lastLog = path.join(dir, 'last-again.log');
    writeBigLines(firstLog, [0, 12_000]);
    await generateEftW3c(lastLog, { lines: 2000, seed: 21, startMs: Date.UTC(2025, 2, 1) });
    const db = openDatabase(file);
    try {
      await indexPaths(db, [firstLog, lastLog], { timeZone: 'UTC' });
      expectEveryLineOnce(db);
      const through = () => db.prepare('SELECT through FROM fts.lines_indexed').pluck().get() as number;
      for (const how of ['options', 'replaced', 'options']) {
        const held = through();
        // Its rows had the highest ids, which its new rows could take again: emptied by new options
        // (its lines leave the index before the next run reads it), or replaced by a shorter file.
        if (how === 'options') resetSource(db, 2, { timeZone: 'UTC' });
        else await generateEftW3c(lastLog, { lines: 1500, seed: 22, startMs: Date.UTC(2025, 2, 1) });
        await indexPaths(db, [firstLog, lastLog], { timeZone: 'UTC' });
        expect(db.prepare('SELECT min(id) FROM events WHERE source_id = 2').pluck().get()).toBeGreaterThan(held);
        expectEveryLineOnce(db);
      }
    } finally {
      db.close();
    }
  });
});

describe('events_fields answers the fields of events', () => {
  it('a user: over more strings than are listed reads each one\'s postings list: the rows and count of the column filter', async () => {
    const file = path.join(dir, 'many-users.sqlite');
    const log = path.join(dir, 'u_ex260102.log');
    // 120k lines: 335 users (more than the 250 listed), few enough for their lists to be read.
    await generateEftW3c(log, { lines: 120_000, seed: 3 });
    const db = openDatabase(file);
    try {
      await indexPaths(db, [log], { timeZone: 'UTC' });
      for (const query of ['user:*', 'user:* code:226', 'user:* OR ip:10.*']) {
        expect(compileQuery(db, 'events', query).where.sql, query).toMatch(/FROM strings s JOIN events_fields f/);
        expect(expectAsColumnFilter(db, query).length, query).toBeGreaterThan(500);
      }
    } finally {
      db.close();
    }
  });

  it('a path: finds the path itself and everything under it on one folder\'s list, a glob of many paths the rows under its folder: the rows and count of the column filter', async () => {
    const file = path.join(dir, 'folders.sqlite');
    const log = path.join(dir, 'u_ex260103.log');
    // 40k lines: thousands of paths under /inbound and /imports, a few hundred under /backup.
    await generateEftW3c(log, { lines: 40_000, seed: 5 });
    let db = openDatabase(file);
    try {
      await indexPaths(db, [log], { timeZone: 'UTC' });
      const under = (folder: string) => db.prepare("SELECT count(*) FROM strings WHERE dim = 2 AND value LIKE ? || '/%'").pluck().get(folder) as number;
      expect(under('/inbound')).toBeGreaterThan(1000);
      const some = db.prepare("SELECT s.value FROM events e JOIN strings s ON s.id = e.path_id WHERE s.value LIKE '/inbound/%/%' GROUP BY 1 ORDER BY count(*) DESC LIMIT 1").pluck().get() as string;
      const subfolder = some.slice(0, some.lastIndexOf('/'));
      const cases: [string, RegExp][] = [
        ['path:/inbound', /events_fields MATCH/], ['path:/INBOUND/', /events_fields MATCH/], [`path:${subfolder.toUpperCase()}`, /events_fields MATCH/],
        [`path:"${some}"`, /events_fields MATCH/], ['path:/inbound/*.xml', /events_fields MATCH .* AND .*LIKE/s], ['path:/in*', /LIKE/],
        ['path:/', /.*/], ['path:/inbound user:* code:2xx', /events_fields MATCH/], ['path:/inbound OR path:/backup', /events_fields MATCH/],
        ['-path:/inbound', /events_fields MATCH/], ['path:/nowhere', /events_fields MATCH/],
      ];
      for (const [query, plan] of cases) {
        expect(compileQuery(db, 'events', query).where.sql, query).toMatch(plan);
        const want = expectAsColumnFilter(db, query);
        if (!query.includes('nowhere')) expect(want.length, query).toBeGreaterThan(0);
      }
      // Sessions and transfers find their plain transfers' paths on the lists too: as a reader
      // without the index file finds them on the rows.
      const others = [['sessions', 'path:/inbound'], ['sessions', `path:${subfolder}`], ['sessions', 'path:/inbound/*.xml'], ['sessions', 'inbound'],
        ['sessions', 'file:*.pdf'], ['transfers', 'path:/inbound'], ['transfers', `path:${subfolder}`], ['transfers', 'path:/inbound/*.xml']] as const;
      const found = (d: Db) => others.map(([kind, query]) => ({ rows: [...iterateRows(d, kind, query, { sort: 'id', columns: ['id'] })].map((r) => r.id), count: countRows(d, kind, query) }));
      const onLists = found(db);
      db.close();
      fs.renameSync(file + FULL_TEXT_SUFFIX, file + '.away');
      const reader = openDatabase(file, { readonly: true });
      try {
        expect(compileQuery(reader, 'events', 'path:/inbound').whereOptions.fieldIndex).toBeNull();
        expect(found(reader)).toEqual(onLists);
      } finally {
        reader.close();
      }
      for (const f of onLists) expect(f.count).toBe(f.rows.length);
      expect(onLists.every((f) => f.count > 0)).toBe(true);
      fs.renameSync(file + '.away', file + FULL_TEXT_SUFFIX);
      db = openDatabase(file);
      // The lines the index does not hold yet are met by their column.
      const keep = (db.prepare('SELECT max(id) FROM events').pluck().get() as number) - 3000;
      unindexLinesAbove(db, keep);
      expect(expectAsColumnFilter(db, 'path:/inbound').filter((id) => id > keep).length).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});

describe('after a run that stopped', () => {
  it('lines committed but not indexed yet, and rows deleted but still indexed, are put right by the next run', async () => {
    const file = path.join(dir, 'stopped.sqlite');
    const log = path.join(dir, 'small.log');
    const other = path.join(dir, 'other.log');
    writeBigLines(log, [0, 3000]);
    writeBigLines(other, [0, 4], [5000, 7000]);
    let db = openDatabase(file);
    await indexPaths(db, [log, other], { timeZone: 'UTC' });
    expectEveryLineOnce(db);
    // As a process killed after its commits would leave it: the last lines not in the index yet,
    // and one file's rows deleted but their lines still in it (those it holds are listed, with their
    // text: not the 500 it does not hold, whose words it must not be told to remove).
    const keep = (db.prepare('SELECT max(id) FROM events').pluck().get() as number) - 500;
    unindexLinesAbove(db, keep);
    const otherId = db.prepare('SELECT id FROM sources WHERE path = ?').pluck().get(other) as number;
    const otherRows = db.prepare('SELECT count(*) FROM events WHERE source_id = ?').pluck().get(otherId) as number;
    db.transaction(() => deleteSourceRows(db, otherId))();
    db.prepare('UPDATE sources SET bytes_indexed = 0, lines_indexed = 0, parser_state = NULL WHERE id = ?').run(otherId);
    expect(otherRows).toBe(2004);
    expect(db.prepare('SELECT count(*) FROM fts_deleted WHERE text IS NOT NULL').pluck().get()).toBe(otherRows - 500);
    expect(db.prepare('SELECT max(id) FROM fts_deleted').pluck().get()).toBe(keep);
    db.close();
    // The next run (of anything) puts the index right, and the file's lines come back once.
    db = openDatabase(file);
    try {
      await indexPaths(db, [log, other], { timeZone: 'UTC' });
      expectEveryLineOnce(db);
      const m = matches(db, '2026');
      expect(m.index).toEqual(m.lines);
    } finally {
      db.close();
    }
  });

  it('an index file lost while lines wait to leave it, or emptied by a run stopped before its list was: built again exact', async () => {
    for (const how of ['file lost', 'emptied']) {
      const db = await withOneFileDeleted(`waiting-${how.replace(' ', '-')}`, 9000, [20_000, 22_000]);
      const file = db.name;
      // As a run stopped before removing them leaves it: 2,004 lines listed with their text.
      expect(db.prepare('SELECT count(*) FROM fts_deleted WHERE text IS NOT NULL').pluck().get()).toBe(2004);
      if (how === 'emptied') {
        // The index emptied (as for half of it or more) but the list's commit never came.
        db.exec("UPDATE fts_deleted SET text = NULL; INSERT INTO fts.events_fts (events_fts) VALUES ('delete-all');"
          + "INSERT INTO fts.events_fields (events_fields) VALUES ('delete-all'); UPDATE fts.lines_indexed SET through = 0");
      }
      db.close();
      if (how === 'file lost') for (const f of FULL_TEXT_FILES) fs.rmSync(file + f, { force: true });
      const again = openDatabase(file);
      try {
        // A new index file holds none of the lines listed: the list goes with the old file.
        if (how === 'file lost') expect(again.prepare('SELECT count(*) FROM fts_deleted').pluck().get()).toBe(0);
        // The next big run's thread fills the index anew, then the run brings it up to date (removes
        // the lines listed, adds what is missing): nothing the new index does not hold is named.
        addMissingLines(again);
        syncFullText(again);
        expectEveryLineOnce(again);
      } finally {
        again.close();
      }
    }
  });

  it('lines removed again (stopped after the index committed, before their list did) leave it exact', async () => {
    const db = await withOneFileDeleted('removed-twice', 9000, [20_000, 22_000]);
    try {
      const listed = db.prepare('SELECT id, fields, text FROM fts_deleted').all() as { id: number; fields: string; text: string }[];
      expect(listed.length).toBe(2004);
      expect(listed.filter((l) => l.text.startsWith('2026-')).length).toBe(2000);
      // A token per user, IP, code and path (a letter and an id), then one per folder (f and a hash in base 36).
      expect(listed.every((l) => /^([uicp]\d+( |$))*(f[0-9a-z]+( |$))*$/.test(l.fields))).toBe(true);
      expect(listed.some((l) => / f[0-9a-z]+/.test(l.fields))).toBe(true);
      expect(listed.filter((l) => l.fields !== '').length).toBe(2000);
      // Rows deleted but still in the index are not counted (a count on the index alone would).
      const user = db.prepare('SELECT u.value FROM events e JOIN strings u ON u.id = e.user_id GROUP BY 1 ORDER BY count(*) DESC LIMIT 1').pluck().get() as string;
      const direct = db.prepare('SELECT count(*) FROM events e JOIN strings u ON u.id = e.user_id WHERE u.value = ?').pluck().get(user) as number;
      expect(countRows(db, 'events', `user:"${user}"`)).toBe(direct);
      removeDeletedLines(db);
      // As if the list's commit had not happened: the same lines, removed again.
      const relist = db.prepare('INSERT INTO fts_deleted (id, fields, text) VALUES (@id, @fields, @text)');
      for (const l of listed) relist.run(l);
      removeDeletedLines(db);
      expectEveryLineOnce(db);
    } finally {
      db.close();
    }
  });

  it('removing lines waits for the index while another connection writes it (the full-text thread), then leaves it exact', async () => {
    const db = await withOneFileDeleted('busy', 8000, [8000, 9000]);
    try {
      // Another process holds the index's write lock for half a second, as the thread does while it adds lines.
      const holder = spawn(process.execPath, ['-e', `
        const Database = require(${JSON.stringify(createRequire(import.meta.url).resolve('better-sqlite3'))});
        const t = new Database(':memory:');
        t.prepare('ATTACH ? AS fts').run(${JSON.stringify(db.name + FULL_TEXT_SUFFIX)});
        t.exec('BEGIN');
        t.prepare('UPDATE fts.lines_indexed SET through = through').run();
        console.log('locked');
        setTimeout(() => t.exec('COMMIT'), 500);`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await new Promise<void>((resolve) => holder.stdout.once('data', () => resolve()));
      const t0 = performance.now();
      removeDeletedLines(db);
      expect(performance.now() - t0).toBeGreaterThan(300);
      await new Promise((resolve) => holder.on('exit', resolve));
      expectEveryLineOnce(db);
    } finally {
      db.close();
    }
  });

  it('an index file of an older shape (without events_fields, or with sizes per row) is built again: every line once', async () => {
    const log = path.join(dir, 'older-shape.log');
    writeBigLines(log, [0, 12_000]);
    const older = {
      'no events_fields': 'DROP TABLE fts.events_fields',
      // Schemas 12 to 21: contentless_delete, whose sizes per row a removal read.
      'sizes per row': `DROP TABLE fts.events_fts; CREATE VIRTUAL TABLE fts.events_fts USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
        INSERT INTO fts.events_fts (rowid, text) SELECT e.id, ${lineSql('e')} FROM events e`,
    };
    for (const [shape, sql] of Object.entries(older)) {
      const file = path.join(dir, `older-${shape.replaceAll(' ', '-')}.sqlite`);
      let db = openDatabase(file);
      await indexPaths(db, [log], { timeZone: 'UTC' });
      db.exec(sql);
      db.close();
      db = openDatabase(file);
      try {
        expect(db.prepare('SELECT through FROM fts.lines_indexed').pluck().get(), shape).toBe(0);
        expect(db.prepare("SELECT count(*) FROM fts.sqlite_schema WHERE name LIKE '%docsize'").pluck().get(), shape).toBe(0);
        // The next run adds every line to both tables.
        await indexPaths(db, [log], { timeZone: 'UTC' });
        expectEveryLineOnce(db);
      } finally {
        db.close();
      }
    }
  });

  it("an index file another database left at the same path is not this one's", async () => {
    const file = path.join(dir, 'again.sqlite');
    const first = path.join(dir, 'first.log');
    const second = path.join(dir, 'second.log');
    fs.writeFileSync(first, '#Version: 1.0\r\n#Fields: date time c-ip cs-username cs-method cs-uri-stem sc-status\r\n2026-01-01 10:00:00 10.0.0.1 alpha_only STOR /in/a.txt 226\r\n');
    fs.writeFileSync(second, '#Version: 1.0\r\n#Fields: date time c-ip cs-username cs-method cs-uri-stem sc-status\r\n2026-01-01 10:00:00 10.0.0.2 beta_only STOR /in/b.txt 226\r\n');
    let db = openDatabase(file);
    await indexPaths(db, [first], { timeZone: 'UTC' });
    db.close();
    // The database is deleted and made again; its index file stays behind.
    for (const f of ['', '-wal', '-shm']) fs.rmSync(file + f, { force: true });
    db = openDatabase(file);
    try {
      await indexPaths(db, [second], { timeZone: 'UTC' });
      expect(matches(db, 'alpha_only').index).toEqual([]);
      expect(matches(db, 'beta_only').index).toHaveLength(1);
      expectEveryLineOnce(db);
    } finally {
      db.close();
    }
    // A reader too.
    const reader = openDatabase(file, { readonly: true });
    try {
      expect(reader.prepare('SELECT count(*) FROM events_fts WHERE events_fts MATCH ?').pluck().get('"beta_only"')).toBe(1);
    } finally {
      reader.close();
    }
  });
});
