/**
 * Property tests (fast-check, seeded) over the search language: any string either runs or is
 * refused with a QuerySyntaxError pointing inside it; no input reaches SQLite as an SQL or FTS5
 * syntax error. Set FC_SEED (and FC_SCALE) to explore other inputs.
 */
import fs from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { aggregate, countRows, queryPage, QuerySyntaxError, sortableColumns, type QueryKind } from '../../src-main/core/query/index.js';
import { FIELD_ALIASES, FIELD_NAMES } from '../../src-main/core/query/fields.js';
import { MAX_NESTING, MAX_TERMS } from '../../src-main/core/query/parser.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { tempDir } from '../helpers.js';
import { loadFixture, makeFixture, T0 } from './query-fixture.js';

/** FC_SCALE multiplies the number of runs (for a longer search than the suite's). */
const runs = (n: number) => Math.round(n * Number(process.env.FC_SCALE ?? 1));
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 7_2026), numRuns: runs(150) });

const KINDS: QueryKind[] = ['events', 'sessions', 'transfers'];
const opts = { now: T0 + 7 * 86_400_000, timeZone: 'Europe/Paris' };

/** Pieces people (and attackers) type: fields, values of every shape, operators, FTS5 and SQL syntax. */
const piece = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...FIELD_NAMES, ...Object.keys(FIELD_ALIASES), 'usr', 'x', 'C', 'http', 'fe80').map((f) => `${f}:`) },
  {
    weight: 4,
    arbitrary: fc.constantFrom(
      'alice', 'al*', '*', '?', '**', 'a?c', '10.0.0.5', '10.0.*', '10.0.0.0/8', '10.0.0.0/33', '::ffff:10.0.0.5', '2001:db8::/32', 'fe80::1%eth0',
      '::', '/in/*.csv', 'C:\\logs\\a.txt', '5xx', '55x', '5', '999999999999999999999', '-1', '>10MB', '<=1.5k', '1MB..10MB', '..', '..5', '5..',
      '>', '>=', '1e309', 'NaN', 'Infinity', '24h', '7d', '0s', '99999999999w', '2026-01-31', '2026-02-30', '2026-13-01T25:61', '9999-12-31T23:59:59Z',
      '+02:00', 'today', 'yesterday', 'now', 'failed', 'success', 'incomplete', 'upload', 'event', 'unparsed', 'w3c', '42', '0x10', '',
    ),
  },
  { weight: 3, arbitrary: fc.constantFrom(' ', ' ', '  ', '\t', '(', ')', '"', '\\"', '\\', '-', '--', '->', 'OR', 'AND', 'NOT', 'or', 'not') },
  { weight: 2, arbitrary: fc.constantFrom("'", '%', '_', ';', '--', '/*', '*/', '\0', 'NEAR(', '^', '+', '{', '}', ':', '[', ']', ',', '`', 'é', 'Ǆ', '\ud83d\ude00', '\ud800', '\u00a0', '\u200b') },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 12 }) },
  { weight: 1, arbitrary: fc.string({ unit: 'grapheme-ascii', maxLength: 12 }) },
);
const query = fc.oneof(
  { weight: 5, arbitrary: fc.array(piece, { maxLength: 14 }).map((p) => p.join('')) },
  { weight: 1, arbitrary: fc.string({ unit: 'binary', maxLength: 60 }) },
);

/** Runs `run`; a refusal must be a QuerySyntaxError whose column lies within the query (or just after it). */
function refusedOrRun(q: string, run: () => void): 'ran' | 'refused' {
  try {
    run();
    return 'ran';
  } catch (err) {
    if (!(err instanceof QuerySyntaxError)) throw new Error(`query ${JSON.stringify(q)}: ${(err as Error).stack ?? String(err)}`);
    expect(err.column, JSON.stringify(q)).toBeGreaterThanOrEqual(1);
    expect(err.column, JSON.stringify(q)).toBeLessThanOrEqual(q.length + 1);
    return 'refused';
  }
}

describe('the search language on any input', () => {
  let dir: string;
  let full: Db;
  let empty: Db;
  beforeAll(() => {
    dir = tempDir();
    full = openDatabase(path.join(dir, 'full.sqlite'));
    loadFixture(full, makeFixture());
    empty = openDatabase(path.join(dir, 'empty.sqlite'));
  });
  afterAll(() => {
    full.close();
    empty.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('runs (page, next page, count) or is refused with a column inside the query, on every kind', () => {
    const outcomes = { ran: 0, refused: 0 };
    fc.assert(
      fc.property(query, fc.constantFrom(...KINDS), fc.nat(), fc.boolean(), (q, kind, sortPick, desc) => {
        const sorts = sortableColumns(kind);
        const sort = sorts[sortPick % sorts.length]!;
        const outcome = refusedOrRun(q, () => {
          for (const db of [full, empty]) {
            const page = queryPage(db, { kind, query: q, sort, order: desc ? 'desc' : 'asc', limit: 7 }, opts);
            if (page.nextCursor) queryPage(db, { kind, query: q, sort, order: desc ? 'desc' : 'asc', limit: 7, cursor: page.nextCursor }, opts);
            expect(countRows(db, kind, q, opts)).toBe(page.total);
          }
        });
        outcomes[outcome]++;
      }),
    );
    // Both paths were exercised (the generator is not all errors, nor all harmless words).
    expect(outcomes.ran).toBeGreaterThan(20);
    expect(outcomes.refused).toBeGreaterThan(20);
  });

  it('aggregates (timeline, top lists, heatmap) run for any query that parses', () => {
    fc.assert(
      fc.property(query, fc.constantFrom(...KINDS), (q, kind) => {
        refusedOrRun(q, () => aggregate(full, kind, q, opts));
      }),
      { numRuns: runs(60) },
    );
  });

  it('the largest query allowed (most terms, deepest nesting) runs; one term or level more is refused', () => {
    const terms = (n: number, sep: string) => Array.from({ length: n }, (_, i) => ['user:u' + i, 'bytes:>' + i, 'ip:10.0.0.0/' + (8 + (i % 24)), 'after:' + i + 'h', 'w' + i][i % 5]).join(sep);
    const nest = (depth: number, inner: string) => 'NOT ('.repeat(depth / 2) + inner + ')'.repeat(depth / 2);
    for (const kind of KINDS) {
      const fieldsOnly = (n: number, sep: string) => terms(n, sep).replace(/ w\d+/g, ' user:x').replace(/^w\d+/, 'user:x');
      const usable = kind === 'events' ? terms : fieldsOnly;
      for (const sep of [' ', ' OR ', ' AND -']) {
        expect(() => countRows(full, kind, nest(MAX_NESTING - 2, usable(MAX_TERMS, sep)), opts)).not.toThrow();
        expect(() => countRows(full, kind, usable(MAX_TERMS + 1, sep), opts)).toThrow(/too many terms \(at most 256\) at column/);
      }
      expect(() => queryPage(full, { kind, query: nest(MAX_NESTING, 'user:a'), limit: 3 }, opts)).not.toThrow();
      expect(() => countRows(full, kind, nest(MAX_NESTING + 2, 'user:a'), opts)).toThrow(/too deeply nested/);
    }
  });

  it('a very long query (100k characters) is answered or refused, not a crash', () => {
    const long = Array.from({ length: 5000 }, (_, i) => (i % 2 ? 'OR' : `user:u${i}`)).join(' ').slice(0, 100_000);
    for (const q of [long, '('.repeat(10_000), '"'.repeat(100_001), 'a '.repeat(50_000)]) {
      for (const kind of KINDS) refusedOrRun(q, () => countRows(full, kind, q, opts));
    }
  });
});
