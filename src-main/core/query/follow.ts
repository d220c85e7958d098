/**
 * Following a query while logs are indexed (`xferlens search --follow`): matching events in the
 * order they were committed. Event ids only grow as lines are added (SQLite serialises writers and
 * gives each new row the next id), so "id greater than the last one seen" yields each new row
 * exactly once, whatever its time or file.
 */
import type { Db } from '../store/db.js';
import { compileQuery, rowsById, type CompileOptions } from './page.js';
import { KIND_SPECS } from './to-sql.js';

export interface FollowedRows {
  rows: Record<string, unknown>[];
  /** The id to continue after. */
  lastId: number;
}

function matchingIds(db: Db, query: string, where: 'after' | 'upTo', id: number, order: 'ASC' | 'DESC', limit: number, opts: CompileOptions): number[] {
  const q = compileQuery(db, 'events', query, opts);
  const spec = KIND_SPECS.events;
  const sql = `SELECT ${spec.id} AS id FROM ${spec.fromCount} WHERE (${q.where.sql}) AND ${spec.id} ${where === 'after' ? '>' : '<='} @__id ORDER BY ${spec.id} ${order} LIMIT @__limit`;
  return db.prepare(sql).pluck().all({ ...q.where.params, __id: id, __limit: limit }) as number[];
}

const maxEventId = (db: Db): number => (db.prepare('SELECT coalesce(max(id), 0) FROM events').pluck().get() as number);

/** The last `count` matching events (oldest first), and where following them starts. */
export function latestEvents(db: Db, query: string, count: number, opts: CompileOptions = {}): FollowedRows {
  return db.transaction(() => {
    const lastId = maxEventId(db);
    const ids = count > 0 ? matchingIds(db, query, 'upTo', lastId, 'DESC', count, opts).reverse() : [];
    return { rows: rowsById(db, 'events', ids), lastId };
  })();
}

/** Matching events committed after event `afterId` (at most `limit`, oldest first). */
export function eventsAfter(db: Db, query: string, afterId: number, limit: number, opts: CompileOptions = {}): FollowedRows {
  return db.transaction(() => {
    // Rows at the top were removed (a file re-indexed from its start): their ids will be reused.
    const from = Math.min(afterId, maxEventId(db));
    const ids = matchingIds(db, query, 'after', from, 'ASC', limit, opts);
    return { rows: rowsById(db, 'events', ids), lastId: ids.length ? ids[ids.length - 1]! : from };
  })();
}
