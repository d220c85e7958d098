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
// batch at 1M lines). A batch reads its rows by id range; a rebuild tallies them (ValueTally).
const valuesSql = (where: string) => `INSERT INTO event_values (dim, value_id, events)
  SELECT dim, value_id, n FROM (${ROLLUP_DIMS.map(
    (col, dim) => `SELECT ${dim} AS dim, e.${col}_id AS value_id, count(*) AS n FROM events e NOT INDEXED
      WHERE ${where} AND e.${col}_id IS NOT NULL AND e.${col}_id NOT IN (SELECT id FROM strings WHERE dim = ${STRING_DIMS[col]} AND value = '' COLLATE NOCASE)
      GROUP BY 2`,
  ).join(' UNION ALL ')}) WHERE true
  ON CONFLICT (dim, value_id) DO UPDATE SET events = events + excluded.events`;

export class RollupWriter {
  private readonly addMinutes;
  private readonly addValues;

  constructor(db: Db) {
    this.addMinutes = db.prepare(minutesSql(BATCH));
    this.addValues = db.prepare(valuesSql(BATCH));
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
 * A bulk load's counts per minute and per value, tallied as its rows are stored (the writer passes
 * each row's time, bytes, whether it failed, as BYTES_SQL and FAILED_SQL count them, and its values'
 * string ids), so that at its end nothing is grouped. 1M EFT lines: rebuilding the rollup took
 * 1.5 s, the minutes 0.64 s of it. Typed arrays indexed by minute, off the heap: live objects
 * in the heap let the whole heap grow before a full GC (a first version's maps per minute and per
 * client IP came with a 10M-line load peaking at 350 MB).
 */
export class RollupTally {
  private first = 0;
  private events = new Uint32Array(0);
  private failures = new Uint32Array(0);
  private bytes = new Float64Array(0);
  /** The rows' counts per user, client IP, path and code. */
  readonly values = new ValueTally();
  /** Rows counted: the tally is written only if the events are exactly these. */
  private rows = 0;
  /** Rows counted that may not be stored (a batch rolled back), rows removed since, or too wide a span. */
  private invalid = false;

  /** A batch rolled back after its rows were counted, or rows were removed: the tally is not to be written. */
  invalidate(): void {
    this.invalid = true;
  }

  /** A row: its time, bytes, whether it failed, and its user, client IP, path and code as string ids. */
  add(ts: number | null, bytes: number | null, failed: boolean, user: number | null, clientIp: number | null, path: number | null, status: number | null): void {
    this.rows++;
    this.values.add(user);
    this.values.add(clientIp);
    this.values.add(path);
    this.values.add(status);
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
    }, this.values);
    return true;
  }
}

/**
 * Rows per string id of the rollup's columns, tallied in a typed array indexed by the id (string ids
 * are unique across dims, so one array serves the four columns): the rows' counts per user, client
 * IP, path and code without grouping them, which needed an index on each (issue 12: those of users,
 * IPs and codes went for events_fields; grouping 1M rows without an index took 0.7–1.2 s a column).
 */
export class ValueTally {
  private counts = new Uint32Array(1024);

  add(id: number | null): void {
    if (id === null) return;
    if (id >= this.counts.length) {
      const grown = new Uint32Array(Math.max(id + 1, this.counts.length * 2));
      grown.set(this.counts);
      this.counts = grown;
    }
    this.counts[id]!++;
  }

  /** Counts the rows stored (a rollup rebuilt outside a bulk load). */
  static ofEvents(db: Db): ValueTally {
    const tally = new ValueTally();
    const columns = ROLLUP_DIMS.map((c) => `${c}_id`).join(', ');
    for (const ids of db.prepare(`SELECT ${columns} FROM events`).raw().iterate() as IterableIterator<(number | null)[]>) {
      for (const id of ids) tally.add(id);
    }
    return tally;
  }

  /** Writes event_values: each counted value that is not the empty string, under its column's dim. */
  write(db: Db): void {
    // One statement over the strings, the counts read through a function: a statement run per value
    // took 0.95 s for the 366k values of 1M EFT lines, this 0.57 s (most of it the top-list index).
    const counts = this.counts;
    db.function('xl_tally', { deterministic: true }, (id: unknown) => (typeof id === 'number' && id < counts.length ? counts[id]! : 0));
    const rollupDim = `CASE dim ${ROLLUP_DIMS.map((c, i) => `WHEN ${STRING_DIMS[c]} THEN ${i}`).join(' ')} END`;
    db.exec(`INSERT INTO event_values (dim, value_id, events)
      SELECT ${rollupDim}, id, n FROM (SELECT dim, id, xl_tally(id) AS n FROM strings NOT INDEXED
        WHERE dim IN (${ROLLUP_DIMS.map((c) => STRING_DIMS[c]).join(', ')}) AND value <> '') WHERE n > 0`);
  }
}

/**
 * Recomputes the whole rollup from the events (in the caller's transaction, when there is one);
 * `writeMinutes` fills event_minutes instead of grouping the rows, and `values` are the rows' counts
 * per value (a bulk load's tallies).
 */
export function rebuildRollup(db: Db, writeMinutes = () => void db.exec(minutesSql('true')), values?: ValueTally): void {
  withSortCache(db, () =>
    db.transaction(() => {
      db.exec('DELETE FROM event_minutes; DELETE FROM event_values;');
      writeMinutes();
      (values ?? ValueTally.ofEvents(db)).write(db);
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
