/**
 * NDJSON export in the Elastic Common Schema (ECS 8): one JSON document per line, nested objects
 * (`{"source":{"ip":…}}`, not dotted keys), fields without an ECS home under `xferlens.*`, absent
 * values left out. The output can go straight into Elasticsearch or OpenSearch (`_bulk`, Filebeat;
 * see docs/export.md), where a `logs-*-*` data stream maps ECS fields by itself.
 */
import { isIP } from 'node:net';
import type { QueryKind } from '../query/columns.js';
import { isoUtc } from './iso-time.js';
import { writeLines, type ExportResult, type ExportRunOptions, type ExportTarget } from './output.js';

export const ECS_VERSION = '8.11.0';

type Row = Record<string, unknown>;
type Doc = Record<string, unknown>;

/** The query columns each kind's documents are built from (pass them to iterateRows). */
export const NDJSON_COLUMNS: Readonly<Record<QueryKind, readonly string[]>> = {
  events: [
    'id', 'ts', 'kind', 'server', 'client_ip', 'client_port', 'server_port', 'user', 'protocol', 'session_key',
    'session_id', 'transfer_id', 'verb', 'op', 'path', 'status', 'outcome', 'bytes', 'duration_ms', 'message',
    'explanation', 'pid', 'extra', 'raw', 'format', 'source_path', 'line_no', 'byte_offset',
  ],
  sessions: [
    'id', 'start_ts', 'end_ts', 'duration_ms', 'server', 'client_ip', 'client_port', 'user', 'protocol', 'login',
    'login_reason', 'login_code', 'explanation', 'commands', 'uploads', 'downloads', 'deletes', 'renames',
    'failures', 'bytes_up', 'bytes_down', 'events', 'end_reason', 'open', 'conn_key', 'format', 'source_path',
  ],
  transfers: [
    'id', 'ts', 'session_id', 'server', 'user', 'client_ip', 'protocol', 'op', 'path', 'path_to', 'bytes',
    'duration_ms', 'rate_bps', 'status', 'code', 'explanation', 'records', 'event_id', 'format', 'source_path',
  ],
};

const dottedPaths = new Map<string, string[]>();

/** Sets `doc.a.b.c = value` for the path "a.b.c", creating parents; null, undefined and '' are left out. */
function put(doc: Doc, path: string, value: unknown): void {
  if (value === null || value === undefined || value === '') return;
  let keys = dottedPaths.get(path);
  if (!keys) dottedPaths.set(path, (keys = path.split('.')));
  let node = doc;
  for (let i = 0; i < keys.length - 1; i++) node = (node[keys[i]!] ??= {}) as Doc;
  node[keys[keys.length - 1]!] = value;
}

/** Copies row columns under one parent, same names (`xferlens.session.uploads` = row.uploads). */
function putColumns(doc: Doc, parent: string, row: Row, columns: readonly string[]): void {
  for (const column of columns) put(doc, `${parent}.${column}`, row[column]);
}

const time = (value: unknown) => (typeof value === 'number' ? isoUtc(value) : undefined);
const text = (value: unknown) => (value === null || value === undefined ? undefined : String(value));
/** ECS durations are nanoseconds; the database keeps milliseconds. */
const nanos = (ms: unknown) => (typeof ms === 'number' ? ms * 1_000_000 : undefined);

/** ECS categorisation of an operation (event.category / event.type allowed values). */
const OPERATION_CATEGORIES: Readonly<Record<string, { category: string[]; type: string[] }>> = {
  upload: { category: ['file'], type: ['creation'] },
  download: { category: ['file'], type: ['access'] },
  delete: { category: ['file'], type: ['deletion'] },
  rmdir: { category: ['file'], type: ['deletion'] },
  mkdir: { category: ['file'], type: ['creation'] },
  rename: { category: ['file'], type: ['change'] },
  login: { category: ['authentication'], type: ['start'] },
  logout: { category: ['authentication'], type: ['end'] },
  connect: { category: ['network'], type: ['connection', 'start'] },
};

/** xferlens outcomes (success, failed, incomplete) as ECS event.outcome (success, failure, unknown). */
function ecsOutcome(outcome: unknown, hasOperation: boolean): string | undefined {
  if (outcome === 'success') return 'success';
  if (outcome === 'failed' || outcome === 'incomplete' || outcome === 'failure') return 'failure';
  return hasOperation ? 'unknown' : undefined;
}

function putOperation(doc: Doc, op: unknown): void {
  const categories = typeof op === 'string' ? OPERATION_CATEGORIES[op] : undefined;
  if (categories) {
    put(doc, 'event.category', categories.category);
    put(doc, 'event.type', categories.type);
  }
}

/** source.ip must be an IP address for Elasticsearch's `ip` type; a host name goes to source.domain. */
function putClient(doc: Doc, address: unknown, port: unknown): void {
  const value = text(address);
  if (value) {
    put(doc, 'source.address', value);
    put(doc, isIP(value) ? 'source.ip' : 'source.domain', value);
  }
  put(doc, 'source.port', port);
}

/** A path on the file server, or a URL path for the HTTP(S) access of servers such as EFT. */
function putPath(doc: Doc, path: unknown, protocol: unknown): void {
  const isWeb = typeof protocol === 'string' && /^https?$/i.test(protocol);
  put(doc, isWeb ? 'url.path' : 'file.path', text(path));
}

/** Bytes moved; a completed upload or download also tells the file's size. */
function putBytes(doc: Doc, bytes: unknown, op: unknown, outcome: unknown): void {
  put(doc, 'network.bytes', bytes);
  if ((op === 'upload' || op === 'download') && outcome === 'success') put(doc, 'file.size', bytes);
}

/** A new document: its time and ECS version first, as people read them. */
function startDocument(timestamp: unknown): Doc {
  const doc: Doc = {};
  put(doc, '@timestamp', time(timestamp));
  put(doc, 'ecs.version', ECS_VERSION);
  return doc;
}

function putCommon(doc: Doc, row: Row): void {
  put(doc, 'user.name', text(row.user));
  put(doc, 'network.protocol', text(row.protocol)?.toLowerCase());
  put(doc, 'host.name', text(row.server));
  put(doc, 'log.file.path', text(row.source_path));
  put(doc, 'xferlens.format', text(row.format));
  put(doc, 'xferlens.explanation', text(row.explanation));
}

const LINE_KINDS = ['event', 'directive', 'unparsed'];

export function eventDocument(row: Row): Doc {
  const doc = startDocument(row.ts);
  const lineKind = typeof row.kind === 'number' ? LINE_KINDS[row.kind] : text(row.kind);
  // An unparsed line is kept whole, but ECS marks records whose fields could not be read this way.
  put(doc, 'event.kind', lineKind === 'unparsed' ? 'pipeline_error' : 'event');
  putOperation(doc, row.op);
  put(doc, 'event.action', text(row.op ?? row.verb)?.toLowerCase());
  put(doc, 'event.outcome', ecsOutcome(row.outcome, row.op !== null && row.op !== undefined));
  put(doc, 'event.code', text(row.status));
  put(doc, 'event.duration', nanos(row.duration_ms));
  put(doc, 'event.id', text(row.id));
  put(doc, 'event.original', text(row.raw));
  put(doc, 'message', text(row.message) || text(row.raw));
  putClient(doc, row.client_ip, row.client_port);
  put(doc, 'destination.port', row.server_port);
  putPath(doc, row.path, row.protocol);
  putBytes(doc, row.bytes, row.op, row.outcome);
  put(doc, 'process.pid', row.pid);
  put(doc, 'log.offset', row.byte_offset);
  putCommon(doc, row);
  put(doc, 'xferlens.line_kind', lineKind);
  put(doc, 'xferlens.line_no', row.line_no);
  put(doc, 'xferlens.command', text(row.verb));
  put(doc, 'xferlens.session_key', text(row.session_key));
  put(doc, 'xferlens.session.id', row.session_id);
  put(doc, 'xferlens.transfer.id', row.transfer_id);
  // Kept as JSON text: its keys differ per format, and mixed types would make Elasticsearch reject documents.
  put(doc, 'xferlens.extra', typeof row.extra === 'string' ? row.extra : row.extra ? JSON.stringify(row.extra) : undefined);
  return doc;
}

const SESSION_DETAILS = ['id', 'conn_key', 'login', 'end_reason', 'commands', 'uploads', 'downloads', 'deletes', 'renames', 'failures', 'events'];
const TRANSFER_DETAILS = ['id', 'status', 'rate_bps', 'records', 'event_id'];
const LOGIN_OUTCOMES: Readonly<Record<string, string>> = { success: 'success', failed: 'failure' };

export function sessionDocument(row: Row): Doc {
  const doc = startDocument(row.start_ts);
  const open = row.open === 1 || row.open === true;
  put(doc, 'event.kind', 'event');
  put(doc, 'event.category', ['session']);
  put(doc, 'event.type', [open ? 'start' : 'end']);
  put(doc, 'event.action', 'session');
  put(doc, 'event.outcome', LOGIN_OUTCOMES[String(row.login)] ?? 'unknown');
  put(doc, 'event.code', text(row.login_code));
  put(doc, 'event.reason', text(row.login_reason));
  put(doc, 'event.start', time(row.start_ts));
  put(doc, 'event.end', time(row.end_ts));
  put(doc, 'event.duration', nanos(row.duration_ms));
  putClient(doc, row.client_ip, row.client_port);
  // ECS: source.bytes are sent by the client (uploads), destination.bytes by the server (downloads).
  put(doc, 'source.bytes', row.bytes_up);
  put(doc, 'destination.bytes', row.bytes_down);
  if (typeof row.bytes_up === 'number' || typeof row.bytes_down === 'number') {
    put(doc, 'network.bytes', (Number(row.bytes_up) || 0) + (Number(row.bytes_down) || 0));
  }
  putCommon(doc, row);
  put(doc, 'xferlens.session.open', row.open === undefined || row.open === null ? undefined : open);
  putColumns(doc, 'xferlens.session', row, SESSION_DETAILS);
  return doc;
}

export function transferDocument(row: Row): Doc {
  const doc = startDocument(row.ts);
  put(doc, 'event.kind', 'event');
  putOperation(doc, row.op);
  put(doc, 'event.action', text(row.op));
  put(doc, 'event.outcome', ecsOutcome(row.status, true));
  put(doc, 'event.code', text(row.code));
  put(doc, 'event.duration', nanos(row.duration_ms));
  putClient(doc, row.client_ip, undefined);
  putPath(doc, row.path, row.protocol);
  put(doc, 'file.target_path', text(row.path_to));
  putBytes(doc, row.bytes, row.op, row.status);
  putCommon(doc, row);
  put(doc, 'xferlens.session.id', row.session_id);
  putColumns(doc, 'xferlens.transfer', row, TRANSFER_DETAILS);
  return doc;
}

export const ECS_DOCUMENT: Readonly<Record<QueryKind, (row: Row) => Doc>> = {
  events: eventDocument,
  sessions: sessionDocument,
  transfers: transferDocument,
};

export interface NdjsonOptions extends ExportRunOptions {
  kind: QueryKind;
}

/** Streams `rows` (with NDJSON_COLUMNS[kind]) as ECS NDJSON, LF-terminated, to a file or a stream. */
export async function writeNdjson(rows: Iterable<Row>, out: ExportTarget, opts: NdjsonOptions): Promise<ExportResult> {
  const toDocument = ECS_DOCUMENT[opts.kind];
  return writeLines(rows, out, '', (row) => JSON.stringify(toDocument(row)) + '\n', opts);
}
