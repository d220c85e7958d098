/**
 * Pre-aggregated events (schema migration 3): per source, counts per minute (rows, bytes, failures)
 * and per value of the columns the chart's top lists show. Charting every event then reads a few
 * thousand rollup rows instead of grouping millions of events (src-main/core/query/aggregate.ts).
 *
 * The rollup is kept in step with the events it summarises: added to in the writer's transaction of
 * each batch, forgotten with a source's rows, and rebuilt whenever events change in place (the
 * analysis rebuild sets outcomes again) or an older database gains the tables.
 */
import { BYTES_SQL, FAILED_SQL } from '../query/to-sql.js';
import type { Db } from './db.js';

/** The columns of event_values.dim, in the order of their numbers. */
export const ROLLUP_DIMS = ['user', 'client_ip', 'path', 'status'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

/** The events whose rows are summarised, by id range; `e` is their alias. */
const BATCH = 'e.id >= @first AND e.id < @end';

const minutesSql = (where: string) => `INSERT INTO event_minutes (source_id, minute, events, bytes, failures)
  SELECT e.source_id, e.ts / 60000, count(*), total(${BYTES_SQL.events}), count(*) FILTER (WHERE ${FAILED_SQL.events})
  FROM events e WHERE ${where} AND e.ts IS NOT NULL GROUP BY 1, 2
  ON CONFLICT (source_id, minute) DO UPDATE SET events = events + excluded.events, bytes = bytes + excluded.bytes,
    failures = failures + excluded.failures`;

// The top lists count rows whose value is neither NULL nor empty, with or without a time.
const valuesSql = (where: string) => `INSERT INTO event_values (source_id, dim, value, events)
  SELECT source_id, dim, value, n FROM (${ROLLUP_DIMS.map(
    (col, dim) => `SELECT e.source_id, ${dim} AS dim, e.${col} AS value, count(*) AS n FROM events e
      WHERE ${where} AND e.${col} IS NOT NULL AND e.${col} <> '' GROUP BY 1, 3`,
  ).join(' UNION ALL ')}) WHERE true
  ON CONFLICT (source_id, dim, value) DO UPDATE SET events = events + excluded.events`;

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

/** Drops a source's rollup (with its rows, in their transaction). */
export function forgetRollup(db: Db, sourceId: number): void {
  db.prepare('DELETE FROM event_minutes WHERE source_id = ?').run(sourceId);
  db.prepare('DELETE FROM event_values WHERE source_id = ?').run(sourceId);
}

/** Recomputes the whole rollup from the events (in the caller's transaction, when there is one). */
export function rebuildRollup(db: Db): void {
  db.transaction(() => {
    db.exec('DELETE FROM event_minutes; DELETE FROM event_values;');
    db.exec(minutesSql('true'));
    db.exec(valuesSql('true'));
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rollup_dirty', '0')").run();
  })();
}

/** Until the next rebuild, the rollup is not to be read (a bulk load adds rows without it). */
export function markRollupStale(db: Db): void {
  db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('rollup_dirty', '1')").run();
}

/** Whether the rollup holds what the events hold (else charts group the rows themselves). */
export function rollupCurrent(db: Db): boolean {
  return db.prepare("SELECT value FROM meta WHERE key = 'rollup_dirty'").pluck().get() !== '1';
}

/** Rebuilds the rollup if a migration or a bulk load that was killed left it behind its events. */
export function ensureRollup(db: Db): void {
  if (!rollupCurrent(db)) rebuildRollup(db);
}
