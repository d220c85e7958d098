/**
 * The result columns of each query kind: what a row holds, how to show it, and what can be sorted.
 * Pure data (no SQL, no Node imports) so that the UI and the CLI can both read it. Names are the
 * database column (snake_case) or, for `format`, `source_path` and `explanation`, computed.
 */

import type { ColumnDef, ColumnType, QueryKind, SortOrder } from './column-types.js';

export type { ColumnDef, ColumnType, QueryKind, SortOrder } from './column-types.js';

export const QUERY_KINDS: readonly QueryKind[] = ['events', 'sessions', 'transfers'];

const col = (name: string, label: string, type: ColumnType, sortable = true): ColumnDef => ({ name, label, type, sortable });

const EVENT_COLUMNS: readonly ColumnDef[] = [
  col('id', 'ID', 'int'),
  col('ts', 'Time', 'time'),
  col('kind', 'Kind', 'text'),
  col('server', 'Server', 'text'),
  col('client_ip', 'Client IP', 'text'),
  col('client_port', 'Client port', 'int'),
  col('server_port', 'Server port', 'int'),
  col('user', 'User', 'text'),
  col('protocol', 'Protocol', 'text'),
  col('session_key', 'Session key', 'text'),
  col('session_id', 'Session', 'int'),
  col('transfer_id', 'Transfer', 'int'),
  col('verb', 'Command', 'text'),
  col('op', 'Operation', 'text'),
  col('path', 'Path', 'text'),
  col('status', 'Code', 'text'),
  col('outcome', 'Outcome', 'text'),
  col('bytes', 'Bytes', 'bytes'),
  col('duration_ms', 'Duration', 'duration'),
  col('message', 'Message', 'text'),
  col('explanation', 'Explanation', 'text', false),
  col('pid', 'PID', 'int'),
  col('extra', 'Extra', 'text', false),
  col('raw', 'Raw line', 'text', false),
  col('format', 'Format', 'text'),
  col('source_id', 'Source ID', 'int'),
  col('source_path', 'Source', 'text'),
  col('line_no', 'Line', 'int'),
  // Read from its line block row by row (schema 27); within a file it is the order of `line_no`.
  col('byte_offset', 'Byte offset', 'int', false),
];

const SESSION_COLUMNS: readonly ColumnDef[] = [
  col('id', 'ID', 'int'),
  col('start_ts', 'Start', 'time'),
  col('end_ts', 'End', 'time'),
  col('duration_ms', 'Duration', 'duration'),
  col('server', 'Server', 'text'),
  col('client_ip', 'Client IP', 'text'),
  col('client_port', 'Client port', 'int'),
  col('user', 'User', 'text'),
  col('protocol', 'Protocol', 'text'),
  col('login', 'Login', 'text'),
  col('login_reason', 'Login reason', 'text'),
  col('login_code', 'Login code', 'text'),
  col('explanation', 'Explanation', 'text', false),
  col('commands', 'Commands', 'int'),
  col('uploads', 'Uploads', 'int'),
  col('downloads', 'Downloads', 'int'),
  col('deletes', 'Deletes', 'int'),
  col('renames', 'Renames', 'int'),
  col('failures', 'Failed operations', 'int'),
  col('failed_logins', 'Failed logins', 'int'),
  col('bytes_up', 'Bytes up', 'bytes'),
  col('bytes_down', 'Bytes down', 'bytes'),
  col('events', 'Events', 'int'),
  col('end_reason', 'End', 'text'),
  col('open', 'Open', 'int'),
  col('conn_key', 'Connection key', 'text'),
  col('format', 'Format', 'text'),
  col('source_id', 'Source ID', 'int'),
  col('source_path', 'Source', 'text'),
];

const TRANSFER_COLUMNS: readonly ColumnDef[] = [
  col('id', 'ID', 'int'),
  col('ts', 'Time', 'time'),
  col('session_id', 'Session', 'int'),
  col('server', 'Server', 'text'),
  col('user', 'User', 'text'),
  col('client_ip', 'Client IP', 'text'),
  col('protocol', 'Protocol', 'text'),
  col('op', 'Operation', 'text'),
  col('path', 'Path', 'text'),
  col('path_to', 'Renamed to', 'text'),
  col('bytes', 'Bytes', 'bytes'),
  col('duration_ms', 'Duration', 'duration'),
  col('rate_bps', 'Rate (B/s)', 'int'),
  col('status', 'Status', 'text'),
  col('code', 'Code', 'text'),
  col('explanation', 'Explanation', 'text', false),
  col('records', 'Records', 'int'),
  col('event_id', 'Event', 'int'),
  col('format', 'Format', 'text'),
  col('source_id', 'Source ID', 'int'),
  col('source_path', 'Source', 'text'),
];

export const COLUMNS: Readonly<Record<QueryKind, readonly ColumnDef[]>> = {
  events: EVENT_COLUMNS,
  sessions: SESSION_COLUMNS,
  transfers: TRANSFER_COLUMNS,
};

/** Columns shown when the user has not chosen any. */
export const DEFAULT_VISIBLE: Readonly<Record<QueryKind, readonly string[]>> = {
  events: ['ts', 'client_ip', 'user', 'verb', 'path', 'status', 'bytes', 'explanation'],
  sessions: ['start_ts', 'user', 'client_ip', 'protocol', 'login', 'failed_logins', 'uploads', 'downloads', 'failures', 'bytes_up', 'bytes_down', 'duration_ms', 'end_reason'],
  transfers: ['ts', 'user', 'client_ip', 'op', 'path', 'bytes', 'duration_ms', 'status', 'code', 'explanation'],
};

/** The time column of each kind: `after:`/`before:`, timelines and the default sort use it. */
export const TIME_COLUMN: Readonly<Record<QueryKind, string>> = { events: 'ts', sessions: 'start_ts', transfers: 'ts' };

/**
 * Default order: events read like a log (oldest first); sessions and transfers are looked up
 * newest first.
 */
export const DEFAULT_SORT: Readonly<Record<QueryKind, { sort: string; order: SortOrder }>> = {
  events: { sort: 'ts', order: 'asc' },
  sessions: { sort: 'start_ts', order: 'desc' },
  transfers: { sort: 'ts', order: 'desc' },
};

export function columnDef(kind: QueryKind, name: string): ColumnDef | undefined {
  return COLUMNS[kind].find((c) => c.name === name);
}

export function sortableColumns(kind: QueryKind): string[] {
  return COLUMNS[kind].filter((c) => c.sortable).map((c) => c.name);
}
