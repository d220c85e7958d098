import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { COLUMNS, QUERY_KINDS } from '../../src-main/core/query/columns.js';
import { countRows, iterateRowArrays, iterateRows, queryPage, rowsById, type QueryKind } from '../../src-main/core/query/index.js';
import { compileQuery, explainPage } from '../../src-main/core/query/page.js';
import { parseQuery } from '../../src-main/core/query/parser.js';
import { compileWhere } from '../../src-main/core/query/to-sql.js';
import { REPO, tempDir } from '../helpers.js';
import { loadFixture, makeFixture } from './query-fixture.js';
import { lineSql } from '../../src-main/core/store/line-blocks.js';
import { EVENTS_WIDE } from '../event-rows.js';

let dir: string;
let db: Db;
const fx = makeFixture(3, 3000);

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'plans.sqlite'));
  loadFixture(db, fx);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

describe('query plans use the indexes for the common filters', () => {
  const cases: [QueryKind, string, RegExp][] = [
    ['events', '', /USING INDEX events_ts/],
    ['events', 'after:2026-01-06 before:2026-01-07', /USING INDEX events_ts \(ts>\? AND ts<\?\)/],
    // An events' user, IP or code: its rows from their postings lists (events_fields, schema 15).
    ['events', 'user:bob', /events_fields VIRTUAL TABLE INDEX 0:M/],
    // Two spellings (alice, Alice) in a sixth of the rows: the time index, asking the list row by row.
    ['events', 'user:alice', /events_fields VIRTUAL TABLE INDEX 0:M/],
    ['events', 'ip:10.0.0.5', /events_fields VIRTUAL TABLE INDEX 0:M/],
    ['events', 'ip:10.0.0.5 after:2026-01-10', /events_fields VIRTUAL TABLE INDEX 0:M/],
    ['events', 'ip:10.0.0.0/8', /events_fields VIRTUAL TABLE INDEX 0:M/],
    ['events', 'code:550', /events_fields VIRTUAL TABLE INDEX 0:M/],
    ['events', 'session:4', /SEARCH e USING INTEGER PRIMARY KEY \(rowid>\? AND rowid<\?\)/],
    ['events', 'complete', /events_fts VIRTUAL TABLE INDEX 0:M/],
    ['sessions', '', /USING INDEX sessions_start/],
    ['sessions', 'user:bob', /USING INDEX sessions_user \(user_id=\?/],
    ['sessions', 'ip:192.168.1.10', /USING INDEX sessions_ip \(client_ip_id=\?/],
    ['transfers', 'user:bob', /USING INDEX transfers_user \(user_id=\?/],
    ['transfers', 'ip:10.0.0.5', /USING INDEX transfers_(ip|ts)/],
    ['transfers', 'path:/in', /USING INDEX transfers_(path|ts)/],
    ['transfers', 'after:2026-01-10', /USING INDEX transfers_ts \(ts>\?\)/],
  ];
  it.each(cases)('%s: %s', (kind, query, want) => {
    const plan = explainPage(db, { kind, query });
    expect(plan.join('\n')).toMatch(want);
    // Never a scan of the whole table for these.
    expect(plan.some((l) => /^SCAN [est]\b(?! USING)/.test(l)), plan.join('\n')).toBe(false);
  });
});

describe("an events' users, IPs and codes combined", () => {
  it.each(['user:alice code:2xx', 'user:alice OR code:550', 'ip:10.0.0.0/8 code:2xx user:bob', '(user:bob OR user:carol) code:226'])(
    '%s: one MATCH on their postings lists, counted there, the rows a column filter finds',
    (query) => {
      const q = compileQuery(db, 'events', query);
      expect(q.where.soleMatch?.table).toBe('events_fields');
      const byColumns = compileWhere('events', q.node, { ...q.whereOptions, fieldIndex: null });
      expect(byColumns.sql).not.toMatch(/events_fields/);
      const want = (db.prepare(`SELECT count(*) FROM events e WHERE ${byColumns.sql}`).pluck().get(byColumns.params) as number);
      expect(want).toBeGreaterThan(0);
      expect(countRows(db, 'events', query)).toBe(want);
      expect([...iterateRows(db, 'events', query, { sort: 'id', columns: ['id'] })].length).toBe(want);
    },
  );
});

describe('the time-index walk chosen for frequent matches', () => {
  const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);
  const byTime = (a: { ts: number | null; id: number }, b: { ts: number | null; id: number }) =>
    a.ts === b.ts ? a.id - b.id : a.ts === null ? -1 : b.ts === null ? 1 : a.ts - b.ts;

  it.each([
    ['complete', (e: (typeof fx.events)[number]) => words(e.raw).includes('complete')],
    ['code:5xx', (e: (typeof fx.events)[number]) => /^5\d\d$/.test(e.status ?? '')],
    ['complete OR code:2xx', (e: (typeof fx.events)[number]) => words(e.raw).includes('complete') || /^2\d\d$/.test(e.status ?? '')],
  ])('%s: pages walk the time index, keep the plan in the cursor, and see every row once', (query, pred) => {
    expect(explainPage(db, { kind: 'events', query, limit: 50 }).join('\n')).toMatch(/USING INDEX events_ts/);
    const want = fx.events.filter(pred).sort(byTime).map((e) => e.id);
    const seen: number[] = [];
    let page = queryPage(db, { kind: 'events', query, limit: 50 });
    expect(page.total).toBe(want.length);
    for (;;) {
      seen.push(...page.rows.map((r) => r.id as number));
      if (!page.nextCursor) break;
      expect(JSON.parse(Buffer.from(page.nextCursor, 'base64url').toString()).p).toMatchObject({ x: 1 });
      page = queryPage(db, { kind: 'events', query, limit: 50, cursor: page.nextCursor });
    }
    expect(seen).toEqual(want);
  });

  it('asking FTS row by row finds the same rows as the match list', () => {
    for (const query of ['complete', 'transfer -login', 'complete OR partner*', 'report user:alice']) {
      const node = parseQuery(query, { now: 0, timeZone: 'UTC' });
      const count = (form: 'in' | 'probe') => {
        const w = compileWhere('events', node, { ftsForm: () => form });
        return (db.prepare(`SELECT count(*) AS n FROM events e WHERE ${w.sql}`).get(w.params) as { n: number }).n;
      };
      expect(count('probe'), query).toBe(count('in'));
      expect(count('in'), query).toBe(countRows(db, 'events', query));
    }
  });
});

describe('search on real ProFTPD logs', () => {
  let real: Db;
  beforeAll(async () => {
    real = openDatabase(path.join(dir, 'proftpd.sqlite'));
    const summary = await indexPaths(real, [path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs')], { timeZone: 'UTC' });
    expect(summary.errors).toEqual([]);
  });
  afterAll(() => real.close());

  const lines = () => real.prepare(`SELECT id, raw, user FROM ${EVENTS_WIDE} ORDER BY id`).all() as { id: number; raw: string; user: string | null }[];
  const words = (s: string) => s.toLowerCase().split(/[^\p{L}\p{N}]+/u).filter(Boolean);

  it.each([
    ['"Login successful"', (raw: string) => /login successful/i.test(raw)],
    ['"annual_report_2026.pdf"', (raw: string) => /annual.report.2026.pdf/i.test(raw)],
    ['report*', (raw: string) => words(raw).some((w) => w.startsWith('report'))],
    ['"127.0.0.1" -alice', (raw: string) => /127\.0\.0\.1/.test(raw) && !words(raw).includes('alice')],
    ['mallory OR bob', (raw: string) => words(raw).includes('mallory') || words(raw).includes('bob')],
  ])('%s matches exactly the lines that contain it', (query, pred) => {
    const want = lines().filter((l) => pred(l.raw)).map((l) => l.id);
    expect(want.length).toBeGreaterThan(0);
    const got = [...iterateRows(real, 'events', query, { sort: 'id', columns: ['id'] })].map((r) => r.id);
    expect(got).toEqual(want);
    expect(countRows(real, 'events', query)).toBe(want.length);
  });

  it('streams chosen columns in order, with explanations for coded rows', () => {
    const rows = [...iterateRows(real, 'events', 'code:530', { columns: ['status', 'explanation', 'ts'] })];
    expect(rows.length).toBeGreaterThan(0);
    for (const r of rows) {
      expect(Object.keys(r)).toEqual(['status', 'explanation', 'ts']);
      expect(r.status).toBe('530');
      expect(typeof r.explanation).toBe('string');
    }
    const times = rows.map((r) => r.ts as number);
    expect(times).toEqual([...times].sort((a, b) => a - b));
    expect(() => iterateRows(real, 'events', 'usr:x')).toThrow(/unknown field "usr"/);
    expect(() => iterateRows(real, 'events', '', { columns: ['nope'] })).toThrow(/unknown events column "nope"/);
  });

  it('streams every column as rows by id return them: arrays in column order, objects by name, sources by a plain join', () => {
    for (const kind of QUERY_KINDS) {
      const names = COLUMNS[kind].map((c) => c.name);
      const objects = [...iterateRows(real, kind, '', { sort: 'id', columns: names })];
      const arrays = [...iterateRowArrays(real, kind, '', { sort: 'id', columns: names })];
      const table = { events: 'events', sessions: 'sessions', transfers: 'transfers' }[kind];
      const joined = real.prepare(`SELECT s.path FROM ${table} x JOIN sources s ON s.id = x.source_id ORDER BY x.id`).pluck().all();
      expect(objects.length, kind).toBe(joined.length);
      expect(objects.length, kind).toBeGreaterThan(0);
      expect(objects.map((o) => o.source_path), kind).toEqual(joined);
      expect(arrays.map((a) => a.slice(0, names.length)), kind).toEqual(objects.map((o) => names.map((n) => o[n])));
      // One row per call: nothing remembered from other rows, so the stream's explanations are checked.
      for (const o of objects) expect(rowsById(real, kind, [o.id as number])[0], `${kind} ${String(o.id)}`).toEqual(o);
    }
    const explained = [...iterateRows(real, 'events', '', { columns: ['format', 'status', 'message', 'explanation'] })];
    // Both ways of explaining a line occur: by its code, and (ProFTPD's system log) by its message.
    expect(explained.some((r) => r.status !== null && typeof r.explanation === 'string')).toBe(true);
    expect(explained.some((r) => r.status === null && r.message !== null && typeof r.explanation === 'string')).toBe(true);
    expect(new Set(explained.map((r) => r.format)).size).toBeGreaterThan(1);
    // Asking for a column twice gives it twice.
    const [twice] = [...iterateRowArrays(real, 'events', 'kind:event', { columns: ['kind', 'explanation', 'kind', 'explanation'] })];
    expect(twice!.slice(0, 4)).toEqual([twice![0], twice![1], twice![0], twice![1]]);
    expect(twice![0]).toBe('event');
  });

  it('counts everything from the sources\' counters, equal to the rows', () => {
    expect(countRows(real, 'events', '')).toBe((real.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n);
  });

  it('a page of user:alice holds only alice, oldest first', () => {
    const page = queryPage(real, { kind: 'events', query: 'user:alice', limit: 20 });
    expect(page.rows.length).toBe(20);
    expect(page.rows.every((r) => String(r.user).toLowerCase() === 'alice')).toBe(true);
    expect(page.total).toBe(lines().filter((l) => l.user?.toLowerCase() === 'alice').length);
  });
});
