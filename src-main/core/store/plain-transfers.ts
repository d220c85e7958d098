/**
 * Plain transfers (schema 18). Most transfers are one record whose every value is its event's (1M
 * EFT lines: 602k of 667k; the others are renames, whose old name came with RNFR). Such a transfer
 * has no row of its own: its event is marked (`events.plain_transfer = 1`) and is read as the
 * transfer, under the same id (schema 17 gave a transfer its first record's event's id). The
 * `transfers` table holds the others: several logs' records of one operation, renames, values
 * filled in from the session, records without a session.
 *
 * Readers see both as one set of rows with the transfers' columns: PLAIN_TRANSFERS is the events
 * side with those columns, and `transfersFrom` the two sides as one FROM clause. A query that
 * should use each side's indexes writes its statement once per side (see query/to-sql.ts).
 *
 * Records of another log are matched against transfer rows only, so a plain transfer becomes a row
 * when another log's lines overlap (storePlainTransfersAsRows, called before transfers_match is
 * built): while that index exists no transfer is plain.
 */
import type { Db } from './db.js';
import { PLAIN_TRANSFER_FLAG } from './op-codes.js';

/** A transfer's rate from its bytes and duration (the transfers' generated column rate_bps). */
export const rateSql = (bytes: string, durationMs: string) => `CASE WHEN ${durationMs} > 0 AND ${bytes} IS NOT NULL THEN ${bytes} * 1000 / ${durationMs} END`;

/** The columns a transfer is read with, the same on both sides. */
export const TRANSFER_READ_COLUMNS = [
  'id', 'session_id', 'ts', 'server_id', 'user_id', 'client_ip_id', 'protocol_id', 'op_code', 'op', 'path_id', 'path_to_id', 'bytes',
  'duration_ms', 'rate_bps', 'status_code', 'status', 'code', 'source_id', 'event_id', 'records', 'record_sources', 'match_key',
] as const;

/** Each column of a plain transfer as its event holds it (op codes of transfers are the events' first ones). */
const FROM_EVENT: Record<(typeof TRANSFER_READ_COLUMNS)[number], string> = {
  id: 'id', session_id: 'session_id', ts: 'ts', server_id: 'server_id', user_id: 'user_id', client_ip_id: 'client_ip_id',
  protocol_id: 'protocol_id', op_code: 'op_code', op: 'op', path_id: 'path_id', path_to_id: 'NULL', bytes: 'bytes',
  duration_ms: 'duration_ms', rate_bps: rateSql('bytes', 'duration_ms'), status_code: 'outcome_code', status: 'outcome',
  code: '(SELECT value FROM strings WHERE id = status_id)', source_id: 'source_id', event_id: 'id', records: '1',
  record_sources: "',' || source_id || ','", match_key: '0',
};

/**
 * The plain transfers as a subquery with the transfers' columns (SQLite flattens it into the query
 * around it, so the events' indexes serve it); `indexedBy` names an index of events to walk.
 */
export function plainTransfers(indexedBy: string | null = null): string {
  const columns = TRANSFER_READ_COLUMNS.map((c) => (FROM_EVENT[c] === c ? c : `${FROM_EVENT[c]} AS ${c}`)).join(', ');
  return `(SELECT ${columns} FROM events${indexedBy ? ` INDEXED BY ${indexedBy}` : ''} WHERE plain_transfer = 1)`;
}

/**
 * The transfer rows and the plain transfers as one subquery (for statements that read them all or
 * group them), those meeting `where` (`plainWhere` on the plain ones, when it is written otherwise).
 */
export function everyTransfer(where = '1', alias = 't', plainWhere = where): string {
  const columns = TRANSFER_READ_COLUMNS.map((c) => `${alias}.${c}`).join(', ');
  return `(SELECT ${columns} FROM transfers ${alias} WHERE ${where} UNION ALL SELECT ${columns} FROM ${plainTransfers()} ${alias} WHERE ${plainWhere})`;
}

/**
 * Indexes of the plain transfers among the events. Their times and sessions are found on the
 * events' own indexes (schema 21 dropped their time index, 9.1 MB of 1M EFT lines: a page in time
 * order walks the events' and passes the lines that are no transfer), their users, client IPs,
 * codes and paths on the events' postings lists (events_fields: schema 20 dropped their two
 * indexes, 21.6 MB; schema 29 the events' path index). Their failures have their own, as the transfers do: SQLite, knowing no sizes, walked every
 * plain transfer rather than events_failed for them (`status:failed` counted in 413 ms at 1M EFT
 * lines and 2.6 s at 10M; 4.3 and 30 ms with it). Kept through bulk loads, as events_failed is.
 */
export const PLAIN_TRANSFER_INDEXES: readonly string[] = [
  "CREATE INDEX IF NOT EXISTS events_transfer_failed ON events(ts) WHERE plain_transfer = 1 AND outcome = 'failed'",
];

/** The time index the plain transfers are walked on (as transfers_ts): the events'. */
export const PLAIN_TRANSFER_TIME_INDEX = 'events_ts';

/**
 * Gives the plain transfers rows of their own (see the module's comment); `scope` (SQL on events)
 * limits it to some of them.
 */
export function storePlainTransfersAsRows(db: Db, scope = '1'): number {
  const columns = 'id, session_id, ts, server_id, user_id, client_ip_id, protocol_id, op_code, path_id, path_to_id, bytes, duration_ms, status_code, code, source_id, records, record_sources, match_key';
  const moved = db.prepare(`INSERT INTO transfers (${columns}) SELECT ${columns} FROM ${plainTransfers()} t WHERE t.id IN (SELECT id FROM events WHERE plain_transfer = 1 AND ${scope})`).run().changes;
  if (moved) db.exec(`UPDATE events SET flags = flags & ~${PLAIN_TRANSFER_FLAG} WHERE plain_transfer = 1 AND ${scope}`);
  return moved;
}

/**
 * SQL true for a transfer row `t` that is plain: one record, of a session, every value its event's
 * `e` (the rows schema 18 turns into marked events).
 */
export const PLAIN_ROW_SQL = `t.records = 1 AND t.match_key = 0 AND e.kind = 0 AND e.transfer_id = e.id AND t.session_id IS NOT NULL
  AND t.session_id = e.session_id AND t.ts IS e.ts AND t.server_id IS e.server_id AND t.user_id IS e.user_id
  AND t.client_ip_id IS e.client_ip_id AND t.protocol_id IS e.protocol_id AND t.op_code = e.op_code AND t.path_id IS e.path_id
  AND t.path_to_id IS NULL AND t.bytes IS e.bytes AND t.duration_ms IS e.duration_ms AND t.status_code = e.outcome_code
  AND t.code IS (SELECT value FROM strings WHERE id = e.status_id) AND t.source_id = e.source_id`;
