/** How result columns are shown: widths, and which values a click turns into a search filter. */
import type { ColumnDef, QueryKind, Row } from '../src-main/api/contract.js';

/** Column → the search field that selects rows with its value (click-to-filter). */
const FILTER_FIELDS: Record<QueryKind, Record<string, string>> = {
  events: {
    user: 'user', client_ip: 'ip', status: 'code', path: 'path', verb: 'verb', protocol: 'proto', server: 'server',
    op: 'dir', outcome: 'status', format: 'format', session_id: 'session', kind: 'kind',
  },
  sessions: { user: 'user', client_ip: 'ip', protocol: 'proto', server: 'server', login_code: 'code', format: 'format', id: 'session' },
  transfers: {
    user: 'user', client_ip: 'ip', protocol: 'proto', server: 'server', op: 'dir', path: 'path', status: 'status',
    code: 'code', session_id: 'session', format: 'format',
  },
};

export function filterFieldOf(kind: QueryKind, column: string): string | null {
  return FILTER_FIELDS[kind][column] ?? null;
}

const WIDE: Record<string, number> = { path: 320, path_to: 240, explanation: 320, message: 320, raw: 480, source_path: 260, extra: 240 };
const BY_TYPE: Record<ColumnDef['type'], number> = { time: 178, int: 80, bytes: 84, duration: 90, text: 130 };

export function defaultWidth(column: ColumnDef): number {
  return WIDE[column.name] ?? (column.name === 'client_ip' ? 130 : BY_TYPE[column.type]);
}

export const MIN_WIDTH = 48;

/** Whether a row records a failure (for its colour): the outcome, status or login as each kind has it. */
export function rowFailed(kind: QueryKind, row: Row): boolean {
  if (kind === 'events') return row.outcome === 'failed';
  if (kind === 'transfers') return row.status === 'failed';
  return row.login === 'failed' || Number(row.failures ?? 0) > 0;
}

/** Singular/plural nouns of each kind, for counts. */
export const NOUN: Record<QueryKind, [string, string]> = {
  events: ['event', 'events'],
  sessions: ['session', 'sessions'],
  transfers: ['transfer', 'transfers'],
};
