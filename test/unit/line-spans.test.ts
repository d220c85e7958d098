/**
 * A file's rows are found in the id ranges its lines were stored under (store/line-spans.ts, schema
 * 25): files indexed together, one after another, or growing side by side (their spans
 * interleaved), then one removed. `source:` and `format:` read those ranges and must find exactly
 * the rows that testing each row's source finds; their counts come from the sources' counters.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { countRows, iterateRows } from '../../src-main/core/query/index.js';
import { compileQuery } from '../../src-main/core/query/page.js';
import { compileWhere, KIND_SPECS, rowsWhere } from '../../src-main/core/query/to-sql.js';
import { sourcesIdRanges } from '../../src-main/core/store/line-spans.js';
import { removeSource } from '../../src-main/core/store/source-admin.js';
import { REPO } from '../helpers.js';
import { expectLineSpansInStep } from '../spans.js';
import { tempDatabasePerTest } from '../temp-db.js';

const PROFTPD_LOGS = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');

const t = tempDatabasePerTest();
const index = (paths: string[]) => indexPaths(t.db, paths, { timeZone: 'UTC' });

async function w3cLines(name: string, lines: number, seed: number): Promise<string[]> {
  const file = path.join(t.dir, `${name}.gen`);
  await generateEftW3c(file, { lines, seed, startMs: Date.UTC(2026, 0, seed) });
  return fs.readFileSync(file, 'utf8').split('\r\n').filter(Boolean);
}

const QUERIES = ['source:u_ex260101', 'source:u_ex26*', 'format:w3c', 'format:proftpd*', '-source:u_ex260102', 'source:u_ex260101 OR user:alice',
  'format:w3c dir:upload', 'source:nothing-like-it', 'source:xferlog'];

/** The ids `query` finds, and those it finds when each row's source is tested (no ranges listed). */
function idsBothWays(kind: 'events' | 'transfers', query: string): [number[], number[]] {
  const found = [...iterateRows(t.db, kind, query, { columns: ['id'] })].map((r) => r.id as number).sort((a, b) => a - b);
  const { node, whereOptions } = compileQuery(t.db, kind, query);
  const where = compileWhere(kind, node, { ...whereOptions, sourceRanges: undefined });
  const spec = KIND_SPECS[kind];
  const tested = t.db.prepare(`SELECT ${spec.id} FROM ${rowsWhere(spec, where.sql)} AND 1`).pluck().all(where.params) as number[];
  return [found, tested.sort((a, b) => a - b)];
}

function expectFoundByRanges(): void {
  expectLineSpansInStep(t.db);
  for (const query of QUERIES) {
    for (const kind of ['events', 'transfers'] as const) {
      const [found, tested] = idsBothWays(kind, query);
      expect(found, `${kind} ${query}`).toEqual(tested);
      expect(countRows(t.db, kind, query), `${kind} ${query}`).toBe(tested.length);
    }
  }
}

describe("a file's rows by the id spans of its lines", () => {
  it('files indexed together, then growing side by side, then one removed: every filter on files finds the rows it should', async () => {
    const [a, b, c] = await Promise.all([w3cLines('a', 3_000, 1), w3cLines('b', 3_000, 2), w3cLines('c', 1_500, 3)]);
    const file = (name: string) => path.join(t.dir, name);
    fs.writeFileSync(file('u_ex260101.log'), a.slice(0, 1_000).join('\r\n') + '\r\n');
    fs.writeFileSync(file('u_ex260102.log'), b.slice(0, 1_000).join('\r\n') + '\r\n');
    fs.writeFileSync(file('u_ex260103.log'), c.join('\r\n') + '\r\n');
    await index([file('u_ex260101.log'), file('u_ex260102.log'), file('u_ex260103.log'), PROFTPD_LOGS]);
    expectFoundByRanges();
    // Both grow and are read in turns: their spans interleave, each run's batch extending none.
    for (let k = 1; k < 4; k++) {
      fs.appendFileSync(file('u_ex260101.log'), a.slice(k * 500 + 500, k * 500 + 1_000).join('\r\n') + '\r\n');
      fs.appendFileSync(file('u_ex260102.log'), b.slice(k * 500 + 500, k * 500 + 1_000).join('\r\n') + '\r\n');
      await index([file('u_ex260101.log')]);
      await index([file('u_ex260102.log')]);
    }
    const sourceId = (name: string) => t.db.prepare('SELECT id FROM sources WHERE path = ?').pluck().get(file(name)) as number;
    expect(sourcesIdRanges(t.db, [sourceId('u_ex260101.log')])!.length).toBe(4);
    // Two files read one after the other are one range.
    expect(sourcesIdRanges(t.db, [sourceId('u_ex260102.log'), sourceId('u_ex260103.log')])!.length).toBe(4);
    expectFoundByRanges();
    // Past the most ranges listed, each row's source is tested: the same rows.
    expect(sourcesIdRanges(t.db, [sourceId('u_ex260101.log')], 3)).toBeNull();
    expect(removeSource(t.db, sourceId('u_ex260102.log'))).toBe(true);
    expect(t.db.prepare('SELECT count(*) FROM line_spans WHERE source_id NOT IN (SELECT id FROM sources)').pluck().get()).toBe(0);
    expectFoundByRanges();
  }, 60_000);
});
