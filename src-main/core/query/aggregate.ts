/**
 * Charts for a query: a timeline whose bucket width follows the range, top values and a weekday ×
 * hour heatmap. One GROUP BY at a base granularity (the bucket itself below an hour, else hours —
 * quarter hours in zones with such offsets) feeds both the timeline and the heatmap; buckets of a
 * day and more are folded in JavaScript at local midnights (and Mondays, month starts), DST included.
 */
import { timed, type Db } from '../store/db.js';
import { ROLLUP_COLUMNS, ROLLUP_DIMS, TOP_INDEX_MIN_COUNT, rollupCurrent, type RollupDim } from '../store/rollup.js';
import type { StringColumn } from '../store/strings.js';
import { zonedPartsToUtc, zoneOffsetMs } from '../time.js';
import type { QueryKind } from './columns.js';
import { compileQuery, type CompileOptions } from './page.js';
import { BYTES_SQL, FAILED_SQL, KIND_SPECS, rowsWhere, unionOfSides } from './to-sql.js';
import type { Aggregates, TimelineBucket, TopEntry } from './aggregate-types.js';

export type { Aggregates, TimelineBucket, TopEntry } from './aggregate-types.js';

export interface AggregateOptions extends CompileOptions {
  /** Most buckets wanted (default 300); the width is the smallest step that stays within it. */
  buckets?: number;
  /** Entries per top list (default 10). */
  top?: number;
  from?: number;
  to?: number;
}

const SECOND = 1000, MINUTE = 60 * SECOND, HOUR = 60 * MINUTE, DAY = 24 * HOUR, WEEK = 7 * DAY;

interface Step {
  ms: number;
  /** Calendar months per bucket (ms is then nominal). */
  months?: number;
  label: string;
}

const STEPS: readonly Step[] = [
  ...[1, 2, 5, 10, 15, 30].map((n) => ({ ms: n * SECOND, label: `${n} s` })),
  ...[1, 2, 5, 10, 15, 30].map((n) => ({ ms: n * MINUTE, label: `${n} min` })),
  ...[1, 2, 3, 6, 12].map((n) => ({ ms: n * HOUR, label: `${n} h` })),
  { ms: DAY, label: '1 day' },
  { ms: 2 * DAY, label: '2 days' },
  { ms: WEEK, label: '1 week' },
  ...[1, 3, 6, 12].map((n) => ({ ms: n * 30 * DAY, months: n, label: n === 12 ? '1 year' : `${n} month${n > 1 ? 's' : ''}` })),
];

/** The smallest step that covers `span` in at most `maxBuckets` buckets (the largest step beyond). */
export function chooseStep(span: number, maxBuckets: number): Step {
  return STEPS.find((s) => Math.ceil(span / s.ms) <= maxBuckets) ?? STEPS[STEPS.length - 1]!;
}

/** Local wall-clock arithmetic in one zone; offsets are memoised per day (they change at most twice a year). */
class Zone {
  private readonly days = new Map<number, number | null>();
  constructor(readonly name: string) {}

  offset(t: number): number {
    if (this.name === 'UTC') return 0;
    const day = Math.floor(t / DAY);
    let same = this.days.get(day);
    if (same === undefined) {
      const a = zoneOffsetMs(this.name, day * DAY), b = zoneOffsetMs(this.name, day * DAY + DAY - 1);
      same = a === b ? a : null;
      this.days.set(day, same);
    }
    return same ?? zoneOffsetMs(this.name, t);
  }

  /** Wall-clock ms (as if UTC) → instant. */
  toUtc(wall: number): number {
    if (this.name === 'UTC') return wall;
    const d = new Date(wall);
    return zonedPartsToUtc({ year: d.getUTCFullYear(), month: d.getUTCMonth() + 1, day: d.getUTCDate(), hour: d.getUTCHours(), minute: d.getUTCMinutes(), second: d.getUTCSeconds(), ms: d.getUTCMilliseconds() }, this.name)!;
  }
}

/** 1970-01-05 was a Monday: weeks start on Mondays. */
const MONDAY = 4 * DAY;

/** Bucket boundaries of one step in one zone. */
function bucketer(step: Step, zone: Zone) {
  const floorWall = (wall: number): number => {
    if (step.months) {
      const d = new Date(wall);
      const m = d.getUTCFullYear() * 12 + d.getUTCMonth();
      const start = m - (m % step.months);
      return Date.UTC(Math.floor(start / 12), start % 12, 1);
    }
    if (step.ms === WEEK) return Math.floor((wall - MONDAY) / WEEK) * WEEK + MONDAY;
    return Math.floor(wall / step.ms) * step.ms;
  };
  const addWall = (wall: number): number => {
    if (!step.months) return wall + step.ms;
    const d = new Date(wall);
    return Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + step.months, 1);
  };
  // Below a day, buckets are fixed lengths of absolute time aligned on the zone's offset at the time.
  return {
    floor: (t: number): number => zone.toUtc(floorWall(t + zone.offset(t))),
    next: (start: number): number => {
      const n = zone.toUtc(addWall(floorWall(start + zone.offset(start))));
      return n > start ? n : start + (step.months ? DAY : step.ms);
    },
  };
}

/** Whether the zone's offset is a whole number of hours over the range (else quarter-hour base groups). */
function wholeHours(zone: Zone, from: number, to: number): boolean {
  for (let t = from; ; t = Math.min(t + 30 * DAY, to)) {
    if (zone.offset(t) % HOUR !== 0) return false;
    if (t >= to) return true;
  }
}

/** The first and last times of the rows `where` selects, or null when none has a time. */
function timeEnds(db: Db, kind: QueryKind, where: string, params: Record<string, unknown>): { first: number; last: number } | null {
  const spec = KIND_SPECS[kind];
  const time = spec.time;
  // ORDER BY … LIMIT 1 reads one end of the time index when nothing filters (min()/max() with a WHERE
  // would scan); with two sides, one end of each, merged.
  const sides = unionOfSides(spec, (side) => `SELECT ${time} AS t FROM ${side.from()} WHERE ${where} AND ${time} IS NOT NULL`);
  const end = (dir: string) => (db.prepare(`${sides} ORDER BY t ${dir} LIMIT 1`).get(params) as { t: number } | undefined)?.t;
  const first = end('ASC');
  return first === undefined ? null : { first, last: end('DESC')! };
}

/** When the rows of a query begin and end (UTC ms), or null when none has a time. */
export function timeSpan(db: Db, kind: QueryKind, query: string, opts: CompileOptions = {}): { first: number; last: number } | null {
  const q = compileQuery(db, kind, query, opts);
  return timeEnds(db, kind, `(${q.where.sql})`, q.where.params);
}

export function aggregate(db: Db, kind: QueryKind, query: string, opts: AggregateOptions = {}): Aggregates {
  const q = compileQuery(db, kind, query, opts);
  const maxBuckets = opts.buckets ?? 300;
  const topN = opts.top ?? 10;
  if (!Number.isInteger(maxBuckets) || maxBuckets < 1 || maxBuckets > 10_000) throw new RangeError(`buckets must be a whole number from 1 to 10000 (got ${maxBuckets})`);
  if (!Number.isInteger(topN) || topN < 0 || topN > 1000) throw new RangeError(`top must be a whole number from 0 to 1000 (got ${topN})`);
  for (const [name, v] of [['from', opts.from], ['to', opts.to]] as const) {
    if (v !== undefined && !Number.isFinite(v)) throw new RangeError(`${name} must be epoch milliseconds`);
  }
  const zone = new Zone(opts.timeZone ?? 'UTC');
  const spec = KIND_SPECS[kind];
  const a = spec.alias;
  const time = spec.time;

  const inRange: string[] = [];
  const params: Record<string, unknown> = { ...q.where.params };
  if (opts.from !== undefined) {
    inRange.push(`${time} >= @aggFrom`);
    params.aggFrom = Math.floor(opts.from);
  }
  if (opts.to !== undefined) {
    inRange.push(`${time} < @aggTo`);
    params.aggTo = Math.ceil(opts.to);
  }
  const where = [`(${q.where.sql})`, ...inRange].join(' AND ');
  // With a filter, `+` leaves the choice of index to the filter: otherwise SQLite walks the time
  // (or grouped column's) index for the NOT NULL test and fetches every row to apply the filter.
  const unfiltered = q.node.type === 'all' && !inRange.length;
  const plus = unfiltered ? '' : '+';
  const timedWhere = `${where} AND ${plus}${time} IS NOT NULL`;

  // One read transaction: whether the rollup is current and what it holds are read from one snapshot.
  return timed(`aggregate ${kind} ${JSON.stringify(query)}`, db.transaction((): Aggregates => {
    let from = opts.from, to = opts.to;
    if (from === undefined || to === undefined) {
      const ends = timeEnds(db, kind, where, params);
      if (ends) {
        from ??= ends.first;
        to ??= ends.last + 1;
      }
    }
    // Every event or transfer, over all time: the rollup the writer keeps holds the answer (store/rollup.ts).
    const rolled = kind === 'sessions' ? null : ROLLUP_COLUMNS[kind];
    const fromRollup = rolled !== null && unfiltered && rollupCurrent(db);
    const top = fromRollup ? rollupTopLists(db, topN, rolled.count) : topLists(db, kind, rowsWhere(spec, where), params, topN, plus);
    const heatmap = Array.from({ length: 7 }, () => new Array<number>(24).fill(0));
    if (from === undefined || to === undefined || to <= from) {
      return { from: from ?? null, to: to ?? null, bucketMs: 0, bucketLabel: '', timeline: [], total: 0, bytes: 0, failures: 0, top, heatmap };
    }

    const step = chooseStep(to - from, maxBuckets);
    const base = step.ms < HOUR ? Math.min(step.ms, 15 * MINUTE) : wholeHours(zone, from, to) ? HOUR : 15 * MINUTE;
    const groups = (
      fromRollup && base % MINUTE === 0
        ? db.prepare(`SELECT minute * 60000 / @base AS k, sum(${rolled!.count}) AS n, total(${rolled!.bytes}) AS b, sum(${rolled!.failures}) AS f
            FROM event_minutes WHERE ${rolled!.count} > 0 GROUP BY k`).all({ base })
        : db.prepare(
            `SELECT ${time} / @base AS k, count(*) AS n, total(${BYTES_SQL[kind]}) AS b, count(*) FILTER (WHERE ${FAILED_SQL[kind]}) AS f
             FROM ${rowsWhere(spec, timedWhere)} GROUP BY k`,
          ).all({ ...params, base })
    ) as { k: number; n: number; b: number; f: number }[];

    const buckets = bucketer(step, zone);
    const timeline: TimelineBucket[] = [];
    const index = new Map<number, TimelineBucket>();
    // Bounded: a range beyond what the steps cover (years past Date's range) must not loop for ever.
    for (let t = buckets.floor(from); t < to && timeline.length <= 2 * maxBuckets + 366; t = buckets.next(t)) {
      const b = { t, count: 0, bytes: 0, failures: 0 };
      timeline.push(b);
      index.set(t, b);
    }
    let total = 0, bytes = 0, failures = 0;
    for (const g of groups) {
      const t = g.k * base;
      const b = index.get(buckets.floor(t));
      // A base group straddling `from` (when the range is the caller's) is charted in the first bucket.
      const target = b ?? (t < from ? timeline[0] : timeline[timeline.length - 1]);
      if (target) {
        target.count += g.n;
        target.bytes += g.b;
        target.failures += g.f;
      }
      total += g.n;
      bytes += g.b;
      failures += g.f;
      const local = new Date(t + zone.offset(t));
      heatmap[(local.getUTCDay() + 6) % 7]![local.getUTCHours()]! += g.n;
    }
    return { from, to, bucketMs: step.ms, bucketLabel: step.label, timeline, total, bytes, failures, top, heatmap };
  }));

  /** The top lists of every event (`count` events) or transfer (transfers) from the rollup: the same lists `topLists` gives. */
  function rollupTopLists(db: Db, n: number, count: 'events' | 'transfers'): Aggregates['top'] {
    const dim = (d: RollupDim) => ROLLUP_DIMS.indexOf(d);
    // A value only the other kind holds has a row with no count of this one.
    // Values met often are on the count index; the others are read only if those were too few.
    const list = (d: RollupDim): TopEntry[] => {
      if (n === 0) return [];
      const top = (counts: string, limit: number) => db.prepare(`SELECT s.value AS value, v.${count} AS count FROM event_values v
        JOIN strings s ON s.id = v.value_id WHERE v.dim = ? AND ${counts} ORDER BY v.${count} DESC, s.value LIMIT ?`).all(dim(d), limit) as TopEntry[];
      const often = top(`v.${count} >= ${TOP_INDEX_MIN_COUNT}`, n);
      return often.length < n ? often.concat(top(`v.${count} BETWEEN 1 AND ${TOP_INDEX_MIN_COUNT - 1}`, n - often.length)) : often;
    };
    // User names are grouped regardless of case (as the user: filter matches them); a server has few.
    const users = (): TopEntry[] =>
      n === 0
        ? []
        : (db.prepare(`SELECT min(s.value) AS value, sum(v.${count}) AS count FROM event_values v JOIN strings s ON s.id = v.value_id
            WHERE v.dim = ? AND v.${count} > 0 GROUP BY s.value COLLATE NOCASE ORDER BY count DESC, value COLLATE NOCASE LIMIT ?`).all(dim('user'), n) as TopEntry[]);
    return { users: users(), ips: list('client_ip'), paths: list('path'), codes: list('status') };
  }

  /** Without a filter, each list is one pass over its column's index; with one, the filter's rows are grouped (see `plus`). */
  /** `fromWhere`: the FROM text of the filter's rows, ending in a WHERE (see rowsWhere). */
  function topLists(db: Db, kind: QueryKind, fromWhere: string, params: Record<string, unknown>, n: number, plus: string): Aggregates['top'] {
    const list = (expr: string | null, collate = ''): TopEntry[] => {
      if (!expr || n === 0) return [];
      return db.prepare(
        // Case variants grouped together show their smallest spelling (the rollup shows the same).
        `SELECT ${collate ? `min(${expr})` : expr} AS value, count(*) AS count FROM ${fromWhere} AND ${plus}${expr} IS NOT NULL AND ${plus}${expr} <> ''
         GROUP BY ${plus}${expr}${collate} ORDER BY count DESC, value${collate} LIMIT @topN`,
      ).all({ ...params, topN: n }) as TopEntry[];
    };
    // Columns held as string ids: their rows are grouped by id, and the ids named afterwards.
    const idList = (column: StringColumn, collate = ''): TopEntry[] => {
      if (n === 0) return [];
      const named = `SELECT s.value AS value, g.count AS count FROM (SELECT ${plus}${a}.${column}_id AS k, count(*) AS count FROM ${fromWhere}
        AND ${plus}${a}.${column}_id IS NOT NULL GROUP BY 1) g JOIN strings s ON s.id = g.k WHERE s.value <> ''`;
      return db.prepare(
        collate
          ? `SELECT min(value) AS value, sum(count) AS count FROM (${named}) GROUP BY value${collate} ORDER BY count DESC, value${collate} LIMIT @topN`
          : `${named} ORDER BY count DESC, value LIMIT @topN`,
      ).all({ ...params, topN: n }) as TopEntry[];
    };
    if (kind === 'events') {
      return { users: idList('user', ' COLLATE NOCASE'), ips: idList('client_ip'), paths: idList('path'), codes: idList('status') };
    }
    if (kind === 'transfers') {
      return { users: idList('user', ' COLLATE NOCASE'), ips: idList('client_ip'), paths: idList('path'), codes: list('t.code') };
    }
    return { users: idList('user', ' COLLATE NOCASE'), ips: idList('client_ip'), paths: [], codes: list('s.login_code') };
  }
}
