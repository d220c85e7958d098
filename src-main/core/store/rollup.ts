/**
 * Pre-aggregated events (schema migration 3): counts per minute (rows, bytes, failures) and per
 * value of the columns the chart's top lists show. Charting every event then reads a few thousand
 * rollup rows, and a top list walks the count index, instead of grouping millions of events
 * (src-main/core/query/aggregate.ts).
 *
 * The writer adds each batch in the batch's transaction. Whatever removes or changes events in
 * place (a source forgotten or read again, the analysis rebuilt, a bulk load that adds rows without
 * it) marks the rollup stale; it is rebuilt with the analysis, after a bulk load, or at the next
 * open, and charts group the rows themselves while it is stale.
 */
import { BYTES_SQL, FAILED_SQL } from './row-sql.js';
import { STRING_DIMS } from './strings.js';
import type { Db } from './db.js';
import { readMeta, writeMeta } from './meta.js';
import { withSortCache } from './sort-cache.js';

const DIRTY_KEY = 'rollup_dirty';

/** The columns of event_values.dim, in the order of their numbers. */
export const ROLLUP_DIMS = ['user', 'client_ip', 'path', 'status'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

/** The events whose rows are summarised, by id range; `e` is their alias. */
const BATCH = 'e.id >= @first AND e.id < @end';

const minutesSql = (where: string) => `INSERT INTO event_minutes (minute, events, bytes, failures)
  SELECT CAST(e.ts AS INTEGER) / 60000, count(*), total(${BYTES_SQL.events}), count(*) FILTER (WHERE ${FAILED_SQL.events})
  FROM events e WHERE ${where} AND e.ts IS NOT NULL GROUP BY 1
  ON CONFLICT (minute) DO UPDATE SET events = events + excluded.events, bytes = bytes + excluded.bytes,
    failures = failures + excluded.failures`;

// The top lists count rows whose value is neither NULL nor empty, with or without a time, by string
// id (one id per exact spelling, as grouping the text did); readers name the ids. The empty string
// is looked up on the strings' NOCASE index (a plain `= ''` read every path of the dim: 100 ms per
// batch at 1M lines). A batch reads its rows by id range (NOT INDEXED: else the planner walked the
// whole path index for its order, 650k entries for 10k rows); a rebuild groups along each index.
const valuesSql = (where: string, batch: boolean) => `INSERT INTO event_values (dim, value_id, events)
  SELECT dim, value_id, n FROM (${ROLLUP_DIMS.map(
    (col, dim) => `SELECT ${dim} AS dim, e.${col}_id AS value_id, count(*) AS n FROM events e${batch ? ' NOT INDEXED' : ''}
      WHERE ${where} AND e.${col}_id IS NOT NULL AND e.${col}_id NOT IN (SELECT id FROM strings WHERE dim = ${STRING_DIMS[col]} AND value = '' COLLATE NOCASE)
      GROUP BY 2`,
  ).join(' UNION ALL ')}) WHERE true
  ON CONFLICT (dim, value_id) DO UPDATE SET events = events + excluded.events`;

export class RollupWriter {
  private readonly addMinutes;
  private readonly addValues;

  constructor(db: Db) {
    this.addMinutes = db.prepare(minutesSql(BATCH));
    this.addValues = db.prepare(valuesSql(BATCH, true));
  }

  /** Adds the events with ids from `first` up to (not including) `end`; call in their transaction. */
  add(first: number, end: number): void {
    if (end <= first) return;
    this.addMinutes.run({ first, end });
    this.addValues.run({ first, end });
  }
}

/** Minutes a bulk load's tally spans at most (2 years: 16 MB); a wider load groups its rows instead. */
const TALLY_MAX_MINUTES = 2 * 366 * 24 * 60;

/**
 * A bulk load's counts per minute, tallied as its rows are stored (the writer passes each row's
 * time, bytes and whether it failed, as BYTES_SQL and FAILED_SQL count them), so that at its end
 * only the values are grouped, each along its new index. 1M EFT lines: rebuilding the rollup took
 * 1.5 s, the minutes 0.64 s of it. Typed arrays indexed by minute, off the heap: live objects
 * in the heap let the whole heap grow before a full GC (a first version's maps per minute and per
 * client IP came with a 10M-line load peaking at 350 MB).
 */
export class MinuteTally {
  private first = 0;
  private events = new Uint32Array(0);
  private failures = new Uint32Array(0);
  private bytes = new Float64Array(0);
  /** Rows counted: the tally is written only if the events are exactly these. */
  private rows = 0;
  /** Rows counted that may not be stored (a batch rolled back), rows removed since, or too wide a span. */
  private invalid = false;

  /** A batch rolled back after its rows were counted, or rows were removed: the tally is not to be written. */
  invalidate(): void {
    this.invalid = true;
  }

  add(ts: number | null, bytes: number | null, failed: boolean): void {
    this.rows++;
    if (ts === null || this.invalid) return;
    const minute = Math.trunc(ts / 60000);
    let i = minute - this.first;
    if (i < 0 || i >= this.events.length) {
      if (!this.cover(minute)) return;
      i = minute - this.first;
    }
    this.events[i]!++;
    if (bytes) this.bytes[i]! += bytes;
    if (failed) this.failures[i]!++;
  }

  /** Widens the arrays to hold `minute` (doubling, so that a log read in order grows them rarely). */
  private cover(minute: number): boolean {
    const used = this.events.length > 0;
    const lo = used ? Math.min(this.first, minute) : minute;
    const hi = used ? Math.max(this.first + this.events.length - 1, minute) : minute;
    if (hi - lo + 1 > TALLY_MAX_MINUTES) {
      this.invalidate();
      return false;
    }
    const size = Math.min(TALLY_MAX_MINUTES, Math.max(hi - lo + 1, 2 * this.events.length, 1024));
    // The room goes where the log is heading: below for an earlier minute, above otherwise.
    const first = used && minute < this.first ? hi - size + 1 : lo;
    const move = <T extends Uint32Array | Float64Array>(old: T, make: (n: number) => T): T => {
      const grown = make(size);
      if (used) grown.set(old, this.first - first);
      return grown;
    };
    this.events = move(this.events, (n) => new Uint32Array(n));
    this.failures = move(this.failures, (n) => new Uint32Array(n));
    this.bytes = move(this.bytes, (n) => new Float64Array(n));
    this.first = first;
    return true;
  }

  /**
   * Writes the rollup after the load's indexes are built. False, writing nothing, when the events
   * are not the rows counted (another process added some, or a file was read again meanwhile): the
   * caller rebuilds it from the rows then.
   */
  write(db: Db): boolean {
    if (this.invalid) return false;
    const stored = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    if (stored !== this.rows) return false;
    rebuildRollup(db, () => {
      const insert = db.prepare('INSERT INTO event_minutes (minute, events, bytes, failures) VALUES (?, ?, ?, ?)');
      for (let i = 0; i < this.events.length; i++) {
        if (this.events[i]) insert.run(this.first + i, this.events[i], this.bytes[i], this.failures[i]);
      }
    });
    return true;
  }
}

/**
 * Recomputes the whole rollup from the events (in the caller's transaction, when there is one);
 * `writeMinutes` fills event_minutes instead of grouping the rows (a bulk load's MinuteTally).
 */
export function rebuildRollup(db: Db, writeMinutes = () => void db.exec(minutesSql('true'))): void {
  withSortCache(db, () =>
    db.transaction(() => {
      db.exec('DELETE FROM event_minutes; DELETE FROM event_values;');
      writeMinutes();
      db.exec(valuesSql('true', false));
      writeMeta(db, DIRTY_KEY, '0');
    })(),
  );
}

/** Until the next rebuild, the rollup is not to be read. */
export function markRollupStale(db: Db): void {
  writeMeta(db, DIRTY_KEY, '1');
}

/** Whether the rollup holds what the events hold (else charts group the rows themselves). */
export function rollupCurrent(db: Db): boolean {
  // No key: a database from before the rollup, read before a writer added it.
  return readMeta(db, DIRTY_KEY) === '0';
}

/** Rebuilds the rollup if a migration or a run that was killed left it stale. */
export function ensureRollup(db: Db): void {
  if (!rollupCurrent(db)) rebuildRollup(db);
}
