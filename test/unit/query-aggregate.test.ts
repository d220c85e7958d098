import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { aggregate, countRows, type Aggregates } from '../../src-main/core/query/index.js';
import { chooseStep } from '../../src-main/core/query/aggregate.js';
import { rebuildRollup } from '../../src-main/core/store/rollup.js';
import { tempDir } from '../helpers.js';
import { loadFixture, makeFixture, T0 } from './query-fixture.js';

const HOUR = 3_600_000, DAY = 24 * HOUR;
let dir: string;
let db: Db;
const fx = makeFixture(11, 600);

beforeAll(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'agg.sqlite'));
  loadFixture(db, fx);
});
afterAll(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);

/** Timeline and heatmap computed by hand from the rows (UTC). */
function bruteForce(rows: { ts: number | null; bytes: number | null; failed: boolean }[], a: Aggregates) {
  const timed = rows.filter((r) => r.ts !== null && r.ts >= a.from! && r.ts < a.to!);
  const timeline = a.timeline.map((b, i) => {
    const end = a.timeline[i + 1]?.t ?? a.to!;
    const inside = timed.filter((r) => r.ts! >= b.t && r.ts! < end);
    return { t: b.t, count: inside.length, bytes: sum(inside.map((r) => r.bytes ?? 0)), failures: inside.filter((r) => r.failed).length };
  });
  const heatmap = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
  for (const r of timed) {
    const d = new Date(r.ts!);
    heatmap[(d.getUTCDay() + 6) % 7]![d.getUTCHours()]!++;
  }
  return { timeline, heatmap, total: timed.length };
}

describe('aggregate', () => {
  it('chooses a bucket width from the range, aiming at 100–300 buckets', () => {
    expect(chooseStep(DAY, 300).label).toBe('5 min');
    expect(chooseStep(7 * DAY, 300).label).toBe('1 h');
    expect(chooseStep(30 * DAY, 300).label).toBe('3 h');
    expect(chooseStep(365 * DAY, 300).label).toBe('2 days');
    expect(chooseStep(4 * 365 * DAY, 300).label).toBe('1 week');
    expect(chooseStep(10 * 365 * DAY, 300).label).toBe('1 month');
    expect(chooseStep(60_000, 300).label).toBe('1 s');
    expect(chooseStep(HOUR, 300).label).toBe('15 s');
  });

  it('events: timeline, totals and heatmap equal a brute-force count; sums equal the query count', () => {
    const a = aggregate(db, 'events', '');
    const rows = fx.events.map((e) => ({ ts: e.ts, bytes: e.bytes, failed: e.outcome === 'failed' }));
    const want = bruteForce(rows, a);
    expect(a.bucketLabel).toBe('2 h');
    expect(a.timeline.length).toBeGreaterThanOrEqual(100);
    expect(a.timeline.length).toBeLessThanOrEqual(300);
    expect(a.timeline).toEqual(want.timeline);
    expect(a.heatmap).toEqual(want.heatmap);
    expect(a.total).toBe(fx.events.filter((e) => e.ts !== null).length);
    expect(a.total).toBe(sum(a.timeline.map((b) => b.count)));
    expect(a.total).toBe(countRows(db, 'events', `after:${new Date(a.from!).toISOString()}`));
    expect(a.bytes).toBe(sum(fx.events.filter((e) => e.ts !== null).map((e) => e.bytes ?? 0)));
    expect(a.failures).toBe(fx.events.filter((e) => e.ts !== null && e.outcome === 'failed').length);
    expect(a.failures).toBe(sum(a.timeline.map((b) => b.failures)));
    expect(sum(a.heatmap.flat())).toBe(a.total);
  });

  it('follows the query and an explicit range; top lists equal a brute-force count', () => {
    const from = T0 + 2 * DAY + 30 * 60_000, to = T0 + 5 * DAY;
    const a = aggregate(db, 'events', 'failed OR bytes:>1MB', { from, to, top: 3 });
    const match = (e: (typeof fx.events)[number]) => e.outcome === 'failed' || (e.bytes !== null && e.bytes > 1024 * 1024);
    const inRange = fx.events.filter((e) => match(e) && e.ts !== null && e.ts >= from && e.ts < to);
    expect([a.from, a.to]).toEqual([from, to]);
    expect(a.total).toBe(inRange.length);
    expect(sum(a.timeline.map((b) => b.count))).toBe(inRange.length);
    expect(a.timeline[0]!.t).toBeLessThanOrEqual(from);
    expect(a.timeline[a.timeline.length - 1]!.t).toBeLessThan(to);
    const top = (values: (string | null)[], fold: (v: string) => string = (v) => v) => {
      const counts = new Map<string, number>();
      for (const v of values) if (v) counts.set(fold(v), (counts.get(fold(v)) ?? 0) + 1);
      return [...counts].sort((x, y) => y[1] - x[1] || (x[0] < y[0] ? -1 : 1)).slice(0, 3).map(([value, count]) => ({ value, count }));
    };
    expect(a.top.users.map((u) => ({ value: u.value.toLowerCase(), count: u.count }))).toEqual(top(inRange.map((e) => e.user), (v) => v.toLowerCase()));
    expect(a.top.ips).toEqual(top(inRange.map((e) => e.client_ip)));
    expect(a.top.paths).toEqual(top(inRange.map((e) => e.path)));
    expect(a.top.codes).toEqual(top(inRange.map((e) => e.status)));
  });

  it('sessions and transfers: failures by the status:failed rule, bytes both ways, no paths for sessions', () => {
    const s = aggregate(db, 'sessions', '');
    const timedSessions = fx.sessions.filter((x) => x.start_ts !== null);
    expect(s.total).toBe(timedSessions.length);
    expect(s.failures).toBe(timedSessions.filter((x) => x.login === 'failed' || x.failures > 0).length);
    expect(s.bytes).toBe(sum(timedSessions.map((x) => x.bytes_up + x.bytes_down)));
    expect(s.top.paths).toEqual([]);
    expect(s.top.codes.map((c) => c.value).sort()).toEqual([...new Set(fx.sessions.map((x) => x.login_code).filter((c) => c !== null))].sort());
    const t = aggregate(db, 'transfers', 'dir:upload');
    const uploads = fx.transfers.filter((x) => x.op === 'upload' && x.ts !== null);
    expect([t.total, t.bytes, t.failures]).toEqual([uploads.length, sum(uploads.map((x) => x.bytes ?? 0)), uploads.filter((x) => x.status === 'failed').length]);
  });

  it('returns empty charts for a query without rows', () => {
    const a = aggregate(db, 'events', 'user:nobody');
    expect(a).toMatchObject({ from: null, to: null, timeline: [], total: 0, top: { users: [], ips: [], paths: [], codes: [] } });
    expect(sum(a.heatmap.flat())).toBe(0);
  });
});

describe('aggregate in a time zone', () => {
  let zdb: Db;
  beforeAll(() => {
    zdb = openDatabase(path.join(dir, 'zone.sqlite'));
    zdb.prepare("INSERT INTO sources (id, path, format, added_at) VALUES (1, '/x.log', 'w3c', 0)").run();
    const insert = zdb.prepare('INSERT INTO events (id, source_id, line_no, ts, flags) VALUES (?, 1, ?, ?, 0)');
    // One event every hour of March 2026 (UTC): New York moves to summer time on 8 March.
    const start = Date.UTC(2026, 2, 1);
    for (let i = 0; i < 31 * 24; i++) insert.run(i + 1, i + 1, start + i * HOUR);
    rebuildRollup(zdb); // rows written around the writer: their rollup too
  });
  afterAll(() => zdb.close());

  it('day buckets start at local midnight, DST included (the short day has 23 hours)', () => {
    const a = aggregate(zdb, 'events', '', { timeZone: 'America/New_York', buckets: 40 });
    expect(a.bucketLabel).toBe('1 day');
    const hourOf = (t: number) => Number(new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', hour: 'numeric', hourCycle: 'h23' }).format(t));
    for (const b of a.timeline) expect(hourOf(b.t)).toBe(0);
    const march8 = a.timeline.find((b) => new Intl.DateTimeFormat('en-CA', { timeZone: 'America/New_York' }).format(b.t) === '2026-03-08')!;
    expect(march8.count).toBe(23);
    expect(a.total).toBe(31 * 24);
    // Heatmap in local hours: 31 days × 24 hours, every local hour of the day gets events.
    expect(sum(a.heatmap.flat())).toBe(31 * 24);
    const parts = new Intl.DateTimeFormat('en-US', { timeZone: 'America/New_York', weekday: 'short', hour: 'numeric', hourCycle: 'h23' });
    const want = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    for (let i = 0; i < 31 * 24; i++) {
      const p = parts.formatToParts(Date.UTC(2026, 2, 1) + i * HOUR);
      const day = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun'].indexOf(p.find((x) => x.type === 'weekday')!.value);
      want[day]![Number(p.find((x) => x.type === 'hour')!.value)]!++;
    }
    expect(a.heatmap).toEqual(want);
    expect(a.heatmap[6]![2]).toBe(4); // Sundays 1, 15, 22, 29 at 02:00: on the 8th, 02:00 does not exist
  });

  it('month buckets start on the first of each month', () => {
    const insert = zdb.prepare('INSERT INTO events (id, source_id, line_no, ts, flags) VALUES (?, 1, ?, ?, 0)');
    insert.run(100_000, 100_000, Date.UTC(2016, 0, 1));
    rebuildRollup(zdb);
    const a = aggregate(zdb, 'events', '', { timeZone: 'UTC' });
    expect(a.bucketLabel).toBe('1 month');
    expect(a.timeline[0]!.t).toBe(Date.UTC(2016, 0, 1));
    expect(a.timeline[1]!.t).toBe(Date.UTC(2016, 1, 1));
    expect(a.timeline.every((b) => new Date(b.t).getUTCDate() === 1 && b.t % DAY === 0)).toBe(true);
    expect(a.timeline.find((b) => b.t === Date.UTC(2026, 2, 1))!.count).toBe(31 * 24);
    expect(a.total).toBe(31 * 24 + 1);
  });
});
