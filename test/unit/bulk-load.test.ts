/**
 * A bulk load (store/writer.ts, beginBulkLoad) drops the secondary indexes and builds them at its
 * end. Into a database that holds rows already it is chosen when the run reads at least a quarter of
 * what is stored: the result must be exactly that of the same run keeping its indexes.
 */
import { ALL_TRANSFERS } from '../event-rows.js';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { countRows } from '../../src-main/core/query/index.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { DEFERRED_INDEX_NAMES } from '../../src-main/core/store/schema.js';
import { Analyzer } from '../../src-main/core/analysis/analyzer.js';
import { StringInterner } from '../../src-main/core/store/strings.js';
import { tempDir } from '../helpers.js';

const opened: Db[] = [];
afterEach(() => {
  for (const db of opened.splice(0)) db.close();
});

/** Every row of what the run stores, in a stable order. */
function contents(db: Db) {
  const all = (sql: string) => db.prepare(sql).all();
  return {
    events: all('SELECT * FROM events ORDER BY id'),
    sessions: all('SELECT * FROM sessions ORDER BY id'),
    transfers: all(`SELECT * FROM ${ALL_TRANSFERS} ORDER BY id`),
    strings: all('SELECT * FROM strings ORDER BY id'),
    minutes: all('SELECT * FROM event_minutes ORDER BY minute'),
    values: all('SELECT * FROM event_values ORDER BY dim, value_id'),
    indexes: all("SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name"),
    searches: ['partner*', 'user:partner_nordbank', 'status:failed', 'dir:upload'].map((q) => countRows(db, 'events', q)),
  };
}

describe('a bulk load into a database that holds rows', () => {
  const dir = tempDir();
  const log = async (name: string, lines: number, seed: number) => {
    const file = path.join(dir, name);
    await generateEftW3c(file, { lines, seed, startMs: Date.UTC(2026, 0, seed) });
    return file;
  };

  /** Indexes `first`, then `second` with the given bulk threshold; says which indexes each batch of the second run saw. */
  async function run(name: string, first: string, second: string, bulkLoadBytes: number) {
    const db = openDatabase(path.join(dir, `${name}.sqlite`));
    opened.push(db);
    await indexPaths(db, [first], { timeZone: 'UTC' });
    const seen: number[] = [];
    const indexCount = db.prepare(`SELECT count(*) FROM sqlite_schema WHERE type = 'index' AND name IN (${DEFERRED_INDEX_NAMES.map(() => '?').join(', ')})`).pluck();
    await indexPaths(db, [second], { timeZone: 'UTC', bulkLoadBytes, batchBytes: 256 << 10, onBatch: () => seen.push(indexCount.get(...DEFERRED_INDEX_NAMES) as number) });
    return { db, seen };
  }

  it('reading a quarter or more of what is stored: the indexes go during the run and come back; the rows equal a run that kept them', async () => {
    const first = await log('u_ex260101.log', 4000, 1);
    const second = await log('u_ex260102.log', 12_000, 2);
    const bulk = await run('bulk', first, second, 1 << 20);
    const kept = await run('kept', first, second, 1 << 30);
    expect(bulk.seen.length).toBeGreaterThan(1);
    expect(bulk.seen.every((n) => n === 0)).toBe(true);
    expect(kept.seen.every((n) => n === DEFERRED_INDEX_NAMES.length)).toBe(true);
    expect(contents(bulk.db)).toEqual(contents(kept.db));
  });

  it('reading less than a quarter of what is stored keeps the indexes', async () => {
    const first = await log('u_ex260103.log', 12_000, 3);
    const second = await log('u_ex260104.log', 2000, 4);
    const { seen } = await run('small', first, second, 1 << 10);
    expect(seen.length).toBeGreaterThan(0);
    expect(seen.every((n) => n === DEFERRED_INDEX_NAMES.length)).toBe(true);
  });
});

describe('while a bulk load has dropped its indexes', () => {
  it('no statement the analysis runs per line reads a whole table', () => {
    const db = openDatabase(path.join(tempDir(), 'plans.sqlite'));
    opened.push(db);
    for (const name of DEFERRED_INDEX_NAMES) db.exec(`DROP INDEX ${name}`);
    // Built by the first batch whose logs overlap, before any record of another log is looked for.
    db.exec('CREATE INDEX transfers_match ON transfers(match_key, ts)');
    const analyzer = new Analyzer(db, new StringInterner(db));
    // Its prepared statements, by name (private: this test reads them as the analysis runs them).
    const statements = (analyzer as unknown as { stmt: Record<string, { source: string }> }).stmt;
    // relinkTransfers' statements run once a run has ended, its indexes back; anySession stops at one row.
    const afterTheLoad = new Set(['setEventsSession', 'unlinkedTransfers', 'anySession']);
    const scans: string[] = [];
    for (const [name, { source }] of Object.entries(statements)) {
      if (afterTheLoad.has(name)) continue;
      const sql = source.replace(/\?|@\w+/g, '0');
      for (const { detail } of db.prepare(`EXPLAIN QUERY PLAN ${sql}`).all() as { detail: string }[]) {
        if (/^SCAN (t|transfers|e|events|sessions)\b/.test(detail)) scans.push(`${name}: ${detail}`);
      }
    }
    expect(Object.keys(statements).length).toBeGreaterThan(10);
    expect(scans).toEqual([]);
  });
});
