/**
 * The search language described for the UI (autocomplete, help, column pickers): the fields of
 * core/query/fields.ts with what they match in each kind (docs/search.md says the same)
 * and the columns of core/query/columns.ts.
 */
import { COLUMNS, DEFAULT_SORT, DEFAULT_VISIBLE, QUERY_KINDS, type QueryKind } from '../core/query/columns.js';
import { EVENT_KINDS, EXAMPLES, FIELD_ALIASES, FIELD_NAMES, OPS, OUTCOMES, type FieldName } from '../core/query/fields.js';
import type { FieldInfo, QuerySchema } from './contract.js';

const ALL = QUERY_KINDS;
const EVENTS_ONLY: readonly QueryKind[] = ['events'];

const FIELD_DOCS: Readonly<Record<FieldName, { description: string; kinds: readonly QueryKind[]; more?: string[]; values?: readonly string[] }>> = {
  user: { description: 'User name; * and ? are wildcards.', kinds: ALL, more: ['user:svc_*'] },
  ip: { description: 'Client IP: exact, with wildcards, or a CIDR range (IPv4 and IPv6).', kinds: ALL, more: ['ip:10.0.0.5', 'ip:2001:db8::/32'] },
  path: { description: 'Path as a glob over the whole path; without wildcards the path or anything under it. Sessions: those with a transfer of such a path.', kinds: ALL, more: ['path:/in'] },
  file: { description: 'Base name (after the last / or \\). Sessions: those with such a transfer.', kinds: ALL, more: ['file:*.pdf'] },
  verb: { description: 'The command as logged (STOR, RETR, PASS…).', kinds: EVENTS_ONLY },
  code: { description: 'Reply or result code; 5xx or 55x for a class. Sessions: the login reply code.', kinds: ALL, more: ['code:550'] },
  status: { description: 'Outcome. Sessions: failed = login or any operation failed; incomplete = still open or a transfer was cut.', kinds: ALL, values: OUTCOMES },
  dir: { description: 'Operation. Sessions: those with at least one such operation (login, logout and connect are for events).', kinds: ALL, values: OPS },
  proto: { description: 'Protocol (ftp, ftps, sftp, http…).', kinds: ALL },
  server: { description: 'Server name.', kinds: ALL },
  session: { description: 'Session number.', kinds: ALL },
  format: { description: 'Log format id of the file (see the supported formats).', kinds: ALL },
  source: { description: "The file's path: a substring, or a glob with wildcards.", kinds: ALL, more: ['source:proftpd'] },
  bytes: { description: 'Size: >, >=, <, <=, A..B; units B, KB, MB, GB, TB (1024-based). Sessions: bytes up + down.', kinds: ALL, more: ['bytes:1MB..10MB'] },
  after: { description: 'At or after a time: ISO date/time, relative (30m, 24h, 7d), today, yesterday, now.', kinds: ALL, more: ['after:2026-01-31T08:00'] },
  before: { description: 'Strictly before a time (same forms as after:).', kinds: ALL, more: ['before:today'] },
  kind: { description: 'Line kind: event, directive (# header) or unparsed.', kinds: EVENTS_ONLY, values: EVENT_KINDS },
};

export function fieldInfos(): FieldInfo[] {
  return FIELD_NAMES.map((name) => {
    const doc = FIELD_DOCS[name];
    return {
      name,
      aliases: Object.entries(FIELD_ALIASES).filter(([, to]) => to === name).map(([alias]) => alias),
      description: doc.description,
      kinds: [...doc.kinds],
      examples: [EXAMPLES[name], ...(doc.more ?? [])],
      ...(doc.values ? { values: [...doc.values] } : {}),
    };
  });
}

export function querySchema(): QuerySchema {
  const perKind = <T>(f: (kind: QueryKind) => T) => Object.fromEntries(QUERY_KINDS.map((k) => [k, f(k)])) as Record<QueryKind, T>;
  return {
    fields: fieldInfos(),
    columns: perKind((k) => COLUMNS[k].map((c) => ({ ...c }))),
    defaultColumns: perKind((k) => [...DEFAULT_VISIBLE[k]]),
    defaultSort: perKind((k) => ({ ...DEFAULT_SORT[k] })),
  };
}
