/**
 * Sessions and transfers are built incrementally while indexing. They are rebuilt from the stored
 * events when that cannot be done row by row: a file was re-indexed from the start (its old lines
 * may be joined with other files' lines), the matching rules changed (ANALYSIS_VERSION), or the
 * database predates them.
 */
import type { Db } from '../store/db.js';
import type { EventFields } from '../formats/types.js';
import { Analyzer } from './analyzer.js';
import { lineSql } from '../store/line-blocks.js';
import { STRING_COLUMNS, StringInterner, stringSql } from '../store/strings.js';
import { writeMeta } from '../store/meta.js';
import { opCode, outcomeCode } from '../store/op-codes.js';
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

interface StoredEvent {
  id: number;
  kind: number;
  header: string | null;
  line_no: number;
  ts: number | null;
  server: string | null;
  client_ip: string | null;
  client_port: number | null;
  server_port: number | null;
  user: string | null;
  protocol: string | null;
  session_key: string | null;
  verb: string | null;
  path: string | null;
  status: string | null;
  bytes: number | null;
  duration_ms: number | null;
  message: string | null;
  pid: number | null;
  extra: string | null;
}

function fieldsOf(e: StoredEvent): EventFields {
  const f: EventFields = {};
  if (e.ts !== null) f.ts = e.ts;
  if (e.server !== null) f.server = e.server;
  if (e.client_ip !== null) f.clientIp = e.client_ip;
  if (e.client_port !== null) f.clientPort = e.client_port;
  if (e.server_port !== null) f.serverPort = e.server_port;
  if (e.user !== null) f.user = e.user;
  if (e.protocol !== null) f.protocol = e.protocol;
  if (e.session_key !== null) f.sessionKey = e.session_key;
  if (e.verb !== null) f.verb = e.verb;
  if (e.path !== null) f.path = e.path;
  if (e.status !== null) f.status = e.status;
  if (e.bytes !== null) f.bytes = e.bytes;
  if (e.duration_ms !== null) f.durationMs = e.duration_ms;
  if (e.message !== null) f.message = e.message;
  if (e.pid !== null) f.pid = e.pid;
  if (e.extra !== null) f.extra = JSON.parse(e.extra) as EventFields['extra'];
  return f;
}

/** Recomputes every session, transfer and event link from the stored events, in one transaction. */
export function rebuildAnalysis(db: Db): { sessions: number; transfers: number; ms: number } {
  const t0 = performance.now();
  db.transaction(() => {
    db.exec(`DELETE FROM sessions; DELETE FROM transfers;
      UPDATE events SET session_id = NULL, transfer_id = NULL, op_code = NULL, outcome_code = NULL
        WHERE session_id IS NOT NULL OR transfer_id IS NOT NULL OR op_code IS NOT NULL OR outcome_code IS NOT NULL;`);
    const analyzer = new Analyzer(db, new StringInterner(db));
    // Header lines matter too (a W3C header block after data lines is a service restart).
    const text = STRING_COLUMNS.map((c) => `${stringSql('events', c)} AS ${c}`).join(', ');
    const page = db.prepare(`SELECT id, kind, CASE WHEN kind = 1 THEN ${lineSql('events')} END AS header, line_no, ts, ${text}, client_port, server_port,
      bytes, duration_ms, pid, extra FROM events WHERE source_id = ? AND kind IN (0, 1) AND line_no > ? ORDER BY line_no LIMIT ${PAGE}`);
    const link = db.prepare('UPDATE events SET session_id = ?, transfer_id = ?, op_code = ?, outcome_code = ? WHERE id = ?');
    for (const src of db.prepare('SELECT id, path, format FROM sources ORDER BY id').all() as { id: number; path: string; format: string | null }[]) {
      analyzer.beginBatch(src.id, src.format, src.path);
      let after = 0;
      for (;;) {
        const rows = page.all(src.id, after) as StoredEvent[];
        if (!rows.length) break;
        for (const e of rows) {
          if (e.kind === 1) {
            analyzer.directive(e.header ?? '', e.line_no);
            continue;
          }
          const l = analyzer.analyse(e.ts, fieldsOf(e), e.id);
          if (l.sessionId !== null || l.transferId !== null || l.op !== null || l.outcome !== null) link.run(l.sessionId, l.transferId, opCode(l.op), outcomeCode(l.outcome), e.id);
        }
        after = rows[rows.length - 1]!.line_no;
        analyzer.flush();
      }
    }
    analyzer.relinkTransfers();
    // Outcomes were set again: the failures per minute follow them.
    rebuildRollup(db);
    db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('analysis_version', ?), ('analysis_dirty', '0')").run(ANALYSIS_VERSION);
  })();
  const count = (t: string) => (db.prepare(`SELECT count(*) AS n FROM ${t}`).get() as { n: number }).n;
  return { sessions: count('sessions'), transfers: count('transfers'), ms: Math.round(performance.now() - t0) };
}
