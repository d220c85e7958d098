/**
 * Indexing while the UI queries (test/bench/load.ts): every query succeeds and the index completes
 * with every line. The 1 M-line figures, alone and under queries: test/bench/load-probe.ts.
 */
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { indexUnderLoad, LOAD_QUERIES } from '../bench/load.js';
import { tempDir } from '../helpers.js';

const LINES = 300_000;

describe('indexing while the UI queries', () => {
  let dir: string;
  let log: string;
  beforeAll(async () => {
    dir = tempDir();
    log = path.join(dir, 'u_ex260101.log');
    await generateEftW3c(log, { lines: LINES, seed: 11 });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`${LINES.toLocaleString('en')} lines: every concurrent query succeeds and the index completes`, async () => {
    const dbFile = path.join(dir, 'load.sqlite');
    const r = await indexUnderLoad(dbFile, [log], { queries: true });
    console.log(`load: indexed ${LINES.toLocaleString('en')} lines in ${r.indexMs} ms (${r.linesPerSecond.toLocaleString('en')} lines/s) ` +
      `while running ${r.queries} queries: ${JSON.stringify(r.byQuery)}`);
    expect(r.failures).toEqual([]);
    expect(r.exitCode).toBe(0);
    expect(r.summary).toMatchObject({ lines: LINES, errors: [] });
    // Every kind of query ran, several times, while the index was being written.
    expect(Object.keys(r.byQuery).sort()).toEqual(LOAD_QUERIES.map((q) => q.name).sort());
    expect(r.queries).toBeGreaterThanOrEqual(3 * LOAD_QUERIES.length);
    const db = new Database(dbFile, { readonly: true });
    expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: LINES });
    db.close();
  }, 300_000);
});
