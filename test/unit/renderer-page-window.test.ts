/**
 * The result table's window of keyset pages (src-renderer/page-window.ts) over the real query
 * module: scrolling either way through more rows than the window keeps returns every row once, in
 * order; the window never holds more than its maximum; a jump cursor (src-renderer/seek.ts) starts
 * at the right row in both orders.
 */
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Page, QueryKind, SortOrder } from '../../src-main/api/contract.js';
import { queryPage } from '../../src-main/core/query/index.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { PageWindow, type FetchArgs } from '../../src-renderer/page-window.js';
import { cursorAt } from '../../src-renderer/seek.js';
import { tempDir } from '../helpers.js';
import { loadFixture, makeFixture, T0 } from './query-fixture.js';

let db: Db;
const fx = makeFixture(5, 1500);
beforeAll(() => {
  db = openDatabase(path.join(tempDir(), 'q.sqlite'));
  loadFixture(db, fx);
});
afterAll(() => db?.close());

function fetcher(kind: QueryKind, query: string, sort: string, order: SortOrder, limit: number, calls: FetchArgs[] = []) {
  return async (args: FetchArgs): Promise<Page> => {
    calls.push(args);
    return queryPage(db, { kind, query, sort, order, limit, ...args }) as Page;
  };
}

const ids = (w: PageWindow) => w.rows.map((r) => r.id as number);

describe('the table window', () => {
  it('scrolls down and back up through every row once, in order, holding at most maxRows', async () => {
    const all = queryPage(db, { kind: 'events', query: '', sort: 'ts', order: 'asc', limit: 10_000 }).rows.map((r) => r.id as number);
    const w = new PageWindow(fetcher('events', '', 'ts', 'asc', 100), 300);
    const first = await w.loadFirst();
    expect(first.replaced).toBe(true);
    expect(w.total).toBe(fx.events.length);
    const seen = [...ids(w)];
    let dropped = 0;
    while (!w.atEnd) {
      const before = ids(w);
      const change = await w.extend('next');
      dropped += change.droppedHead;
      expect(w.rows.length).toBeLessThanOrEqual(300);
      const after = ids(w);
      // The rows kept are the end of what was there, then the new page.
      expect(after.slice(0, before.length - change.droppedHead)).toEqual(before.slice(change.droppedHead));
      seen.push(...after.slice(before.length - change.droppedHead));
    }
    expect(dropped).toBeGreaterThan(0);
    expect(seen).toEqual(all);
    // And back to the start through the dropped pages.
    while (!w.atStart) {
      const change = await w.extend('prev');
      expect(change.prepended).toBeGreaterThan(0);
      expect(w.rows.length).toBeLessThanOrEqual(300);
      expect(ids(w)).toEqual(all.slice(all.indexOf(ids(w)[0]!), all.indexOf(ids(w)[0]!) + w.rows.length));
    }
    expect(ids(w)[0]).toBe(all[0]);
  });

  it('asks once per side however often the view asks while a page is loading', async () => {
    const calls: FetchArgs[] = [];
    const w = new PageWindow(fetcher('transfers', '', 'ts', 'desc', 20, calls));
    await w.loadFirst();
    await Promise.all([w.extend('next'), w.extend('next'), w.extend('next')]);
    expect(calls.filter((c) => c.cursor !== null)).toHaveLength(1);
    expect(w.rows).toHaveLength(40);
  });

  it('loadLast shows the last rows; a new search drops answers to the old one', async () => {
    const all = queryPage(db, { kind: 'sessions', query: '', sort: 'start_ts', order: 'desc', limit: 1000 }).rows.map((r) => r.id);
    const w = new PageWindow(fetcher('sessions', '', 'start_ts', 'desc', 7));
    await w.loadFirst();
    const last = await w.loadLast();
    expect(ids(w)).toEqual(all.slice(-ids(w).length));
    expect(last.focusIndex).toBe(w.rows.length - 1);
    expect(w.atEnd).toBe(true);
    let release!: () => void;
    const slow = new PageWindow(async (args) => {
      if (args.cursor === null && args.direction === 'next' && !release) await new Promise<void>((r) => (release = r));
      return queryPage(db, { kind: 'events', query: '', limit: 5, ...args }) as Page;
    });
    const stale = slow.loadFirst();
    await new Promise((r) => setTimeout(r, 10));
    await slow.loadLast();
    release();
    expect((await stale).replaced).toBe(false);
    expect(slow.atEnd).toBe(true);
  });

  it('jump cursors start at the first row at or after a time (ascending) or at or before it (descending)', async () => {
    const at = T0 + 5 * 86_400_000 + 37 * 60_000; // a minute that many rows share
    const asc = new PageWindow(fetcher('events', '', 'ts', 'asc', 50));
    await asc.jumpTo(cursorAt('ts', 'asc', at));
    const expectedAsc = fx.events.filter((e) => e.ts !== null && e.ts >= at).sort((a, b) => a.ts! - b.ts! || a.id - b.id)[0]!;
    expect(asc.rows[0]!.id).toBe(expectedAsc.id);
    // Nothing between the row before it and it: going back shows the rows just before the time.
    await asc.extend('prev');
    const i = asc.rows.findIndex((r) => r.id === expectedAsc.id);
    expect(i).toBeGreaterThan(0);
    expect(asc.rows[i - 1]!.ts as number).toBeLessThan(at);

    const desc = new PageWindow(fetcher('transfers', '', 'ts', 'desc', 50));
    await desc.jumpTo(cursorAt('ts', 'desc', at));
    const expectedDesc = fx.transfers.filter((t) => t.ts !== null && t.ts <= at).sort((a, b) => b.ts! - a.ts! || b.id - a.id)[0]!;
    expect(desc.rows[0]!.id).toBe(expectedDesc.id);
  });

  it('refresh reloads a lone first page, and the last page of a window at the end', async () => {
    // "New rows": the query a page is fetched with stands in for a database that grew.
    let session = 3;
    const fetchPage = async (args: FetchArgs) => queryPage(db, { kind: 'events', query: `session:${session}`, limit: 20, ...args }) as Page;
    const w = new PageWindow(fetchPage);
    await w.loadFirst();
    session = 4;
    await w.refresh();
    const four = fx.events.filter((e) => e.session_id === 4).length;
    expect(four).toBeGreaterThan(20);
    expect(w.rows.map((r) => r.session_id)).toEqual(Array(20).fill(4));

    const all = queryPage(db, { kind: 'events', query: '', limit: 10_000 }).rows.map((r) => r.id);
    const grown = new PageWindow(async (args) => queryPage(db, { kind: 'events', query: '', limit: 400, ...args }) as Page);
    await grown.loadFirst();
    while (!grown.atEnd) await grown.extend('next');
    const before = ids(grown);
    await grown.refresh();
    expect(ids(grown)).toEqual(before); // same rows: reloading the last page changes nothing
    expect(ids(grown).at(-1)).toBe(all.at(-1));
  });

  it('refresh of the last rows (End) while lines arrive: the rows that left the top are reported, so the view stays put', async () => {
    // A log that grows: rows 1..n, keyset cursors on the id.
    let n = 50;
    const fetchPage = async ({ cursor, direction }: FetchArgs): Promise<Page> => {
      const all = Array.from({ length: n }, (_, i) => ({ id: i + 1 }));
      const at = cursor === null ? null : Number(cursor);
      const rows = direction === 'next' ? all.filter((r) => at === null || r.id > at).slice(0, 20) : all.filter((r) => at === null || r.id < at).slice(-20);
      return { rows, total: null, prevCursor: rows[0] && rows[0].id > 1 ? String(rows[0].id) : null, nextCursor: rows.length && rows.at(-1)!.id < n ? String(rows.at(-1)!.id) : null };
    };
    const w = new PageWindow(fetchPage);
    await w.loadLast();
    expect(ids(w)).toEqual(Array.from({ length: 20 }, (_, i) => 31 + i));
    n = 55;
    expect(await w.refresh()).toMatchObject({ droppedHead: 5, prepended: 0, replaced: false });
    expect(ids(w)).toEqual(Array.from({ length: 20 }, (_, i) => 36 + i));
    expect(w.atEnd).toBe(true);
    // Nothing new: nothing moves.
    expect(await w.refresh()).toMatchObject({ droppedHead: 0 });
    // More new rows than a page: every row shown before is gone.
    n = 200;
    expect(await w.refresh()).toMatchObject({ droppedHead: 20 });
    expect(ids(w)[0]).toBe(181);
  });
});
