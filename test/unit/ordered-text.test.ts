/**
 * A frequent term's first page read file by file (query/ordered-text.ts) is exactly the page of
 * sorting every match: files out of time order by a few seconds, files covering the same hours,
 * files indexed side by side (their ids interleaved), lines without a time, both directions. The
 * files' disorder (schema 4) is kept by the writer through appends and re-reads, and a migrated
 * database computes the same.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { MAX_FILES_READ_ONE_BY_ONE, orderedTextKeys } from '../../src-main/core/query/ordered-text.js';
import { queryPage } from '../../src-main/core/query/page.js';
import { openDatabase } from '../../src-main/core/store/db.js';
import { fieldToken } from '../../src-main/core/store/field-tokens.js';
import { tempDatabasePerTest } from '../temp-db.js';
import { undoLeanStore } from '../schema-downgrade.js';

const HEADER = ['#Software: EFT', '#Version: 1.0', '#Fields: date time c-ip cs-username cs-method cs-uri-stem sc-status'];
const BASE = Date.UTC(2026, 0, 5, 8, 0, 0);

/** One W3C line at `ms` after BASE; every third line names the frequent word. */
function line(ms: number, n: number): string {
  const iso = new Date(BASE + ms).toISOString();
  const user = n % 3 === 0 ? 'partner_acme' : `user${n % 7}`;
  return `${iso.slice(0, 10)} ${iso.slice(11, 19)} 10.0.${n % 5}.${n % 200} ${user} [${n}]stor /in/file${n}.csv 226`;
}

/** The frequent word, as a full-text match on the lines. */
const ACME = { table: 'events_fts', expr: '"partner_acme"' } as const;
/** The same rows as its user's postings list (user:partner_acme). */
const acmeUser = () => ({
  table: 'events_fields',
  expr: fieldToken('user', t.db.prepare("SELECT id FROM strings WHERE dim = 0 AND value = 'partner_acme'").pluck().get() as number),
}) as const;

const t = tempDatabasePerTest();
const index = (paths: string[]) => indexPaths(t.db, paths, { timeZone: 'UTC' });
const write = (file: string, lines: string[]) => fs.writeFileSync(path.join(t.dir, file), lines.map((l) => l + '\r\n').join(''));
const append = (file: string, lines: string[]) => fs.appendFileSync(path.join(t.dir, file), lines.map((l) => l + '\r\n').join(''));

/** Every matching row with a time, sorted: what the page must show. */
function expected(order: 'asc' | 'desc', need: number): { v: number; i: number }[] {
  const rows = t.db
    .prepare("SELECT e.ts AS v, e.id AS i FROM events e WHERE e.ts IS NOT NULL AND e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH '\"partner_acme\"')")
    .all() as { v: number; i: number }[];
  rows.sort(order === 'asc' ? (a, b) => a.v - b.v || a.i - b.i : (a, b) => b.v - a.v || b.i - a.i);
  return rows.slice(0, need);
}

/** Times in seconds: a file written in order except where a line's time is `back` seconds early. */
const times = (count: number, start: number, step: number, back: (n: number) => number) =>
  Array.from({ length: count }, (_, n) => (start + n * step - back(n)) * 1000);

describe('first page of a frequent term, file by file', () => {
  it('equals sorting every match, whatever the files, their overlap and their order in the index', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ start: fc.integer({ min: 0, max: 600 }), step: fc.integer({ min: 0, max: 5 }), count: fc.integer({ min: 1, max: 400 }), jitter: fc.integer({ min: 0, max: 30 }) }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 1, max: 250 }),
        fc.integer({ min: 1, max: 1e9 }),
        async (files, need, seed) => {
          t.renew();
          let n = seed % 1000;
          // Each file written in two halves, indexed alternately: the files' ids interleave.
          const halves = files.map((f, k) => {
            const ts = times(f.count, f.start, f.step, (i) => ((i * 7919 + seed) % 11 === 0 ? f.jitter : 0));
            const lines = ts.map((ms) => line(ms, n++));
            const cut = Math.floor(lines.length / 2);
            return { name: `u_ex${k}.log`, first: [...HEADER, ...lines.slice(0, cut)], second: lines.slice(cut) };
          });
          for (const h of halves) write(h.name, h.first);
          await index(halves.map((h) => path.join(t.dir, h.name)));
          for (const h of halves) append(h.name, h.second);
          await index(halves.map((h) => path.join(t.dir, h.name)));
          for (const order of ['asc', 'desc'] as const) {
            expect(orderedTextKeys(t.db, ACME, order, need)).toEqual(expected(order, need));
            expect(orderedTextKeys(t.db, acmeUser(), order, need)).toEqual(expected(order, need));
          }
        },
      ),
      { numRuns: 40 },
    );
  });

  it('the page and the next ones: the same rows as the plan that sorts every match, both ways', async () => {
    // Two files over the same hours, one with lines 20 s early (16 s behind the line before), one line without a time.
    write('u_ex1.log', [...HEADER, ...times(900, 0, 4, (i) => (i % 13 === 0 ? 20 : 0)).map((ms, i) => line(ms, i))]);
    write('u_ex2.log', [...HEADER, ...times(900, 1, 4, () => 0).map((ms, i) => line(ms, 1000 + i)), 'garbage that is no line partner_acme']);
    await index([path.join(t.dir, 'u_ex1.log'), path.join(t.dir, 'u_ex2.log')]);
    expect(t.db.prepare('SELECT path, ts_disorder_ms FROM sources ORDER BY id').all().map((r: any) => r.ts_disorder_ms)).toEqual([16_000, 0]);

    const ids = (rows: Record<string, unknown>[]) => rows.map((r) => r.id);
    for (const direction of ['next', 'prev'] as const) {
      const first = queryPage(t.db, { kind: 'events', query: 'partner_acme', limit: 50, direction });
      // Every match in page order (rows without a time: first ascending; the `prev` page is the last).
      const all = t.db
        .prepare("SELECT e.id FROM events e WHERE e.id IN (SELECT rowid FROM events_fts WHERE events_fts MATCH '\"partner_acme\"') ORDER BY e.ts IS NOT NULL, e.ts, e.id")
        .all()
        .map((r: any) => r.id);
      const want = direction === 'next' ? all.slice(0, 50) : all.slice(-50);
      expect(ids(first.rows)).toEqual(want);
      expect(first.total).toBe(all.length);
      // The next page (or the one before the last) continues exactly after it.
      const cursor = direction === 'next' ? first.nextCursor : first.prevCursor;
      const second = queryPage(t.db, { kind: 'events', query: 'partner_acme', limit: 50, direction, cursor: cursor! });
      expect(ids(second.rows)).toEqual(direction === 'next' ? all.slice(50, 100) : all.slice(-100, -50));
    }
  });

  it('leaves many files (a folder of daily logs) to the time index: one query per file would cost more', async () => {
    const files = Array.from({ length: MAX_FILES_READ_ONE_BY_ONE + 1 }, (_, k) => `u_ex${k}.log`);
    files.forEach((f, k) => write(f, [...HEADER, ...times(90, k * 400, 4, () => 0).map((ms, i) => line(ms, k * 100 + i))]));
    await index(files.map((f) => path.join(t.dir, f)));
    expect(orderedTextKeys(t.db, ACME, 'asc', 10)).toBeNull();
    const page = queryPage(t.db, { kind: 'events', query: 'partner_acme', limit: 10 });
    expect(page.rows.map((r) => r.id)).toEqual(expected('asc', 10).map((k) => k.i));
  });

  it('keeps each file\'s disorder through appends and re-reads; a migrated database computes the same', async () => {
    write('u_ex1.log', [...HEADER, ...times(100, 0, 2, () => 0).map((ms, i) => line(ms, i))]);
    await index([path.join(t.dir, 'u_ex1.log')]);
    const disorder = () => t.db.prepare('SELECT ts_seen_max AS max, ts_disorder_ms AS back FROM sources').get();
    expect(disorder()).toEqual({ max: BASE + 198_000, back: 0 });
    // An appended line 50 s behind the latest.
    append('u_ex1.log', [line(148_000, 500), line(300_000, 501)]);
    await index([path.join(t.dir, 'u_ex1.log')]);
    expect(disorder()).toEqual({ max: BASE + 300_000, back: 50_000 });
    // Truncated and rewritten in order: read again, its disorder starts again.
    write('u_ex1.log', [...HEADER, ...times(10, 0, 1, () => 0).map((ms, i) => line(ms, i))]);
    await index([path.join(t.dir, 'u_ex1.log')]);
    expect(disorder()).toEqual({ max: BASE + 9_000, back: 0 });
    append('u_ex1.log', [line(2_000, 600)]);
    await index([path.join(t.dir, 'u_ex1.log')]);
    expect(disorder()).toEqual({ max: BASE + 9_000, back: 7_000 });

    // A database of schema 3: the migration finds the same from the rows.
    const file = path.join(t.dir, 'index.sqlite');
    undoLeanStore(t.db); // schemas 5 to 9
    t.db.exec('ALTER TABLE sources DROP COLUMN ts_seen_max; ALTER TABLE sources DROP COLUMN ts_disorder_ms');
    t.db.pragma('user_version = 3');
    t.db.close();
    // A reader before any writer of this version: the file is brought up to date first.
    const reader = openDatabase(file, { readonly: true });
    try {
      expect(orderedTextKeys(reader, ACME, 'asc', 5)).toHaveLength(5);
      expect(queryPage(reader, { kind: 'events', query: 'partner_acme', limit: 5 }).rows).toHaveLength(5);
    } finally {
      reader.close();
    }
    t.db = openDatabase(file);
    expect(disorder()).toEqual({ max: BASE + 9_000, back: 7_000 });
    // A file of unknown order (rows some other way than this writer): not read file by file.
    t.db.exec('UPDATE sources SET ts_disorder_ms = NULL');
    expect(orderedTextKeys(t.db, ACME, 'asc', 5)).toBeNull();
    append('u_ex1.log', [line(20_000, 601)]);
    await index([path.join(t.dir, 'u_ex1.log')]);
    expect(disorder()).toEqual({ max: BASE + 20_000, back: null });
  });
});
