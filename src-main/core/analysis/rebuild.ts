/**
 * Sessions and transfers are built incrementally while indexing. They are rebuilt from the stored
 * events when that cannot be done row by row: a file was re-indexed from the start (its old lines
 * may be joined with other files' lines), the matching rules changed (ANALYSIS_VERSION), or the
 * database predates them.
 */
import { EventKind, type EventFields } from '../formats/types.js';
import { Analyzer } from './analyzer.js';
import { lineSql } from '../store/line-blocks.js';
import { sourcesIdRanges } from '../store/line-spans.js';
import { STRING_COLUMNS, StringInterner, type StringColumn } from '../store/strings.js';
import { indexExists, type Db } from '../store/db.js';
import { deferredIndexSql, SESSION_INDEX_NAMES } from '../store/schema.js';
import { withSortCache } from '../store/sort-cache.js';
import { writeMeta } from '../store/meta.js';
import { eventFlags, opCode, outcomeCode } from '../store/op-codes.js';
import { rebuildRollup } from '../store/rollup.js';

/** Bump when classification or matching rules change: databases rebuild their sessions once. */
export const ANALYSIS_VERSION = '2';

const PAGE = 5000;

export function markAnalysisDirty(db: Db): void {
  writeMeta(db, 'analysis_dirty', '1');
}

/** True when sessions and transfers must be rebuilt before they can be trusted. */
export function analysisNeedsRebuild(db: Db): boolean {
  const meta = new Map(
    (db.prepare("SELECT key, value FROM meta WHERE key IN ('analysis_dirty', 'analysis_version')").all() as { key: string; value: string }[]).map((r) => [r.key, r.value]),
  );
  if (meta.get('analysis_dirty') === '1') return true;
  if (meta.get('analysis_version') === ANALYSIS_VERSION) return false;
  // An empty database simply starts at this version.
  if (!db.prepare('SELECT 1 FROM events LIMIT 1').get()) {
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('analysis_version', ?)").run(ANALYSIS_VERSION);
    return false;
  }
  return true;
}

type StringIds = { [C in StringColumn as `${C}_id`]: number | null };

interface StoredEvent extends StringIds {
  id: number;
  kind: number;
  session_id: number | null;
  transfer_id: number | null;
  plain_transfer: number;
  op_code: number | null;
  outcome_code: number | null;
  header: string | null;
  line_no: number;
  ts: number | null;
  client_port: number | null;
  server_port: number | null;
  bytes: number | null;
  duration_ms: number | null;
  pid: number | null;
  extra: string | null;
  ts_local: number | null;
}

/** The columns a rebuild reads of each event, in StoredEvent's names. */
const STORED_COLUMNS = [
  'id', 'kind', 'session_id', 'transfer_id', 'plain_transfer', 'op_code', 'outcome_code', 'header', 'line_no', 'ts', ...STRING_COLUMNS.map((c) => `${c}_id` as const),
  'client_port', 'server_port', 'bytes', 'duration_ms', 'pid', 'extra', 'ts_local',
] as const satisfies readonly (keyof StoredEvent)[];

/** Where each column is in a row read as an array. */
const AT = Object.fromEntries(STORED_COLUMNS.map((c, i) => [c, i])) as Record<(typeof STORED_COLUMNS)[number], number>;

/**
 * Rows read as arrays and made objects here, in one literal (one shape for every row):
 * better-sqlite3 builds each row object property by property, which for these 24 columns took
 * 12 s per 1M rows against 2.1 s as arrays.
 */
function storedEvent(r: unknown[]): StoredEvent {
  const v = <T>(i: number) => r[i] as T;
  return {
    id: v(AT.id), kind: v(AT.kind), session_id: v(AT.session_id), transfer_id: v(AT.transfer_id), plain_transfer: v(AT.plain_transfer), op_code: v(AT.op_code),
    outcome_code: v(AT.outcome_code), header: v(AT.header), line_no: v(AT.line_no), ts: v(AT.ts),
    user_id: v(AT.user_id), client_ip_id: v(AT.client_ip_id), path_id: v(AT.path_id), status_id: v(AT.status_id),
    verb_id: v(AT.verb_id), message_id: v(AT.message_id), server_id: v(AT.server_id), protocol_id: v(AT.protocol_id),
    session_key_id: v(AT.session_key_id), client_port: v(AT.client_port), server_port: v(AT.server_port), bytes: v(AT.bytes),
    duration_ms: v(AT.duration_ms), pid: v(AT.pid), extra: v(AT.extra), ts_local: v(AT.ts_local),
  };
}

/** The event's fields as its parser gave them; `strings` names its string ids (and learns them). */
function fieldsOf(e: StoredEvent, strings: StringInterner): EventFields {
  const f: EventFields = {};
  const text = (c: StringColumn) => strings.valueOfId(c, e[`${c}_id`]);
  const server = text('server'), clientIp = text('client_ip'), user = text('user'), protocol = text('protocol');
  const sessionKey = text('session_key'), verb = text('verb'), path = text('path'), status = text('status'), message = text('message');
  if (e.ts !== null) f.ts = e.ts;
  if (server !== null) f.server = server;
  if (clientIp !== null) f.clientIp = clientIp;
  if (e.client_port !== null) f.clientPort = e.client_port;
  if (e.server_port !== null) f.serverPort = e.server_port;
  if (user !== null) f.user = user;
  if (protocol !== null) f.protocol = protocol;
  if (sessionKey !== null) f.sessionKey = sessionKey;
  if (verb !== null) f.verb = verb;
  if (path !== null) f.path = path;
  if (status !== null) f.status = status;
  if (e.bytes !== null) f.bytes = e.bytes;
  if (e.duration_ms !== null) f.durationMs = e.duration_ms;
  if (message !== null) f.message = message;
  if (e.pid !== null) f.pid = e.pid;
  if (e.extra !== null) f.extra = JSON.parse(e.extra) as EventFields['extra'];
  return f;
}

/**
 * Indexes on what a rebuild rewrites whole (every transfer, every session): dropped for it
 * and built again at its end, as a bulk load does. The ones its own lookups use stay (the sessions'
 * by key, client IP and openness, transfers_ts and transfers_match for records of other logs,
 * transfers_unlinked, events_ts).
 */
const REWRITTEN_INDEXES = ['transfers_user', 'transfers_ip', 'transfers_path', 'transfers_session', ...SESSION_INDEX_NAMES];

/** The links of a header or unparsed line: none. */
const NO_LINKS = { sessionId: null, transferId: null, plainTransfer: false, op: null, outcome: null } as const;

/** The time span of rows, or undefined when none has a time. */
function spanOf(rows: readonly { ts: number | null }[]): { min: number; max: number } | undefined {
  let min = Infinity, max = -Infinity;
  for (const r of rows) {
    if (r.ts === null) continue;
    if (r.ts < min) min = r.ts;
    if (r.ts > max) max = r.ts;
  }
  return min <= max ? { min, max } : undefined;
}

/** Recomputes every session, transfer and event link from the stored events, in one transaction. */
export function rebuildAnalysis(db: Db): { sessions: number; transfers: number; ms: number } {
  const t0 = performance.now();
  db.transaction(() => {
    const dropped = REWRITTEN_INDEXES.filter((name) => indexExists(db, name));
    for (const name of dropped) db.exec(`DROP INDEX ${name}`);
    // Only events (kind 0) have links. Each row keeps its own until the analysis gives it others: sessions
    // take their ids again from 1 in the same order and transfers their first records' events' ids,
    // so most lines keep theirs when little changed, and are not written.
    db.exec('DELETE FROM sessions; DELETE FROM transfers;');
    const strings = new StringInterner(db);
    const analyzer = new Analyzer(db, strings);
    // Header lines matter too (a W3C header block after data lines is a service restart), and any
    // row may hold links to put right. The strings are read as ids and named through the
    // interner, which then knows their ids too.
    const page = db.prepare(`SELECT ${STORED_COLUMNS.map((c) => (c === 'header' ? `CASE WHEN kind = ${EventKind.directive} THEN ${lineSql('events')} END AS header` : c)).join(', ')}
      FROM events WHERE id > @after AND id <= @hi AND source_id = @source ORDER BY id LIMIT ${PAGE}`).raw();
    const link = db.prepare('UPDATE events SET session_id = ?, transfer_id = ?, flags = ? WHERE id = ?');
    // Events keep their marks as plain transfers until analysed again: when records of other logs
    // make the plain transfers rows, only those of the events analysed so far (sources in order,
    // each line by line) are.
    let at = { source: 0, line: 0 };
    analyzer.plainScope = () => `(source_id < ${at.source} OR (source_id = ${at.source} AND line_no <= ${at.line}))`;
    for (const src of db.prepare('SELECT id, path, format FROM sources ORDER BY id').all() as { id: number; path: string; format: string | null }[]) {
      // A file's lines in order are its rows in id order, in the id ranges they were stored under
      // (files indexed side by side interleave theirs).
      at = { source: src.id, line: 0 };
      let first = true;
      for (const [lo, hi] of sourcesIdRanges(db, [src.id])!) for (let after = lo - 1; ; ) {
        const rows = (page.all({ after, hi, source: src.id }) as unknown[][]).map(storedEvent);
        if (!rows.length) break;
        // As while indexing: transfers are looked for in other logs only where those have lines.
        if (first) analyzer.beginBatch(src.id, src.format, src.path, spanOf(rows));
        else analyzer.nextSpan(spanOf(rows));
        first = false;
        for (const e of rows) {
          if (e.kind === EventKind.directive) analyzer.directive(e.header ?? '', e.line_no);
          const l = e.kind === EventKind.event ? analyzer.analyse(e.ts, fieldsOf(e, strings), e.id) : NO_LINKS;
          const op = opCode(l.op), outcome = outcomeCode(l.outcome), plain = l.plainTransfer ? 1 : 0;
          if (l.sessionId !== e.session_id || l.transferId !== e.transfer_id || plain !== e.plain_transfer || op !== e.op_code || outcome !== e.outcome_code) {
            link.run(l.sessionId, l.transferId, eventFlags(e.kind, op, outcome, plain === 1, e.ts_local === 1), e.id);
          }
          at.line = e.line_no;
        }
        after = rows[rows.length - 1]!.id;
        analyzer.flush();
      }
    }
    analyzer.relinkTransfers();
    withSortCache(db, () => {
      for (const name of dropped) db.exec(deferredIndexSql(name));
    });
    // Outcomes were set again: the failures per minute follow them.
    rebuildRollup(db);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('analysis_version', ?), ('analysis_dirty', '0')").run(ANALYSIS_VERSION);
  })();
  const count = (sql: string) => db.prepare(sql).pluck().get() as number;
  const transfers = count('SELECT count(*) FROM transfers') + count('SELECT count(*) FROM events WHERE plain_transfer = 1');
  return { sessions: count('SELECT count(*) FROM sessions'), transfers, ms: Math.round(performance.now() - t0) };
}
