/**
 * Reconstructs sessions and transfers while events are indexed, inside the writer's transaction, so
 * a batch's events, their links and the sessions/transfers they change commit together.
 *
 * Sessions: a line with a connection key (EFT `[N]` + client IP + server, a ProFTPD/vsftpd pid, an
 * IIS x-session, a FileZilla session number) joins the latest session of that key when it falls in
 * that session's time span (±SLACK_MS) or the session is still open; a key seen again after its
 * session ended, after a long silence (keys that restart with the service), or with a new
 * connection start opens a new session. Lines with no key (xferlog, ExtendedLogs without `%P`, the
 * EFT client log) join a session only when exactly one session of that client IP (and user, when
 * both are known) spans their time.
 *
 * Transfers: one real operation is often written to several logs (ProFTPD's TransferLog, each
 * ExtendedLog, the SFTPLog). A record joins an existing transfer with the same operation, user and
 * client IP (when known on both), the same file name (compared case-insensitively, with spaces and
 * control characters as `_` because xferlog rewrites them), compatible byte counts and protocol, no
 * conflicting session, within MATCH_WINDOW_MS (plus a second for logs with one-second timestamps),
 * and only when the transfer has no record from the same log yet (one log never records one
 * operation twice). The closest such transfer in time wins.
 */
import path from 'node:path';
import { indexExists, type Db } from '../store/db.js';
import { readMeta, writeMeta } from '../store/meta.js';
import type { EventFields } from '../formats/types.js';
import { loginReasonCode } from '../explain/proftpd-messages.js';
import { storePlainTransfersAsRows } from '../store/plain-transfers.js';
import { matchKey, matchName } from '../store/match-key.js';
import { endReasonCode, loginCode, opCode, outcomeCode } from '../store/op-codes.js';
import { connKeySql, SESSION_KEY_IS, SessionKeyHeads, splitConnKey } from '../store/session-keys.js';
import type { IdRange } from '../store/line-spans.js';
import type { TransferCounter } from '../store/rollup.js';
import { namedStringsSql, SESSION_STRING_COLUMNS, type StringInterner } from '../store/strings.js';
import { classify, strongerProtocol, type Activity, type EndReason, type EventOp, type Outcome, type TransferOp } from './activity.js';

/** How far outside a session's known span a line of another log may fall and still belong to it. */
export const SLACK_MS = 2000;
/** How far apart two logs' records of one transfer may be. */
export const MATCH_WINDOW_MS = 2000;
/** The farthest a record joins a transfer from its time: the window, widened for whole-second times on both sides. */
const RECORD_REACH_MS = MATCH_WINDOW_MS + 2000;
/** Keys that restart with the service (EFT `[N]`) start a new session after this much silence. */
export const REUSED_KEY_IDLE_MS = 2 * 3600_000;
/** Clocks of one server's logs agree; a keyless line's time may miss its session's span by this much. */
const KEYLESS_SLACK_MS = 500;
/** Keyless lines look for sessions that started at most this long before them. */
const KEYLESS_LOOKBACK_MS = 12 * 3600_000;
/**
 * meta key: the time span (`lo,hi`) of the sessions written since transfers without a session were
 * last tried against them ('' none; absent: unknown, so all are tried). A transfer that no session
 * fitted can only be fitted by a session that changed since, so each run tries only those near the
 * span (a 100k-transfer xferlog older than its session log: 1.2 s per run, and per followed batch).
 */
const RELINK_SPAN_KEY = 'relink_span';
/** Transfers without a session read at a time by relinkTransfers. */
const RELINK_PAGE = 10_000;
/**
 * Sessions kept in memory beyond this many are forgotten after a flush (everything about them is in
 * the database): the closed ones first, then the open ones that were seen the longest ago.
 */
const CACHE_LIMIT = 2_000;

export interface EventLinks {
  sessionId: number | null;
  transferId: number | null;
  /** The event is its transfer (store/plain-transfers.ts): the transfer has no row of its own. */
  plainTransfer: boolean;
  op: EventOp | null;
  outcome: Outcome | null;
}

interface SourceCounts {
  commands: number;
  failures: number;
  failedLogins: number;
}

interface SessionState {
  id: number;
  connKey: string;
  /** The format of the log that opened it. */
  format: string;
  /** The log that opened it. */
  sourceId: number;
  server: string | null;
  start: number;
  end: number;
  clientIp: string | null;
  clientPort: number | null;
  user: string | null;
  protocol: string | null;
  login: 'success' | 'failed' | 'none';
  loginReason: string | null;
  loginCode: string | null;
  uploads: number;
  downloads: number;
  deletes: number;
  renames: number;
  bytesUp: number;
  bytesDown: number;
  events: number;
  endReason: EndReason | null;
  open: boolean;
  /** Per source: commands, failures and failed logins each log saw; the session counts the largest. */
  perSource: Record<string, SourceCounts>;
  /**
   * Per source, the first and last id of the events it linked to the session: `session:N` reads
   * those id ranges instead of an index on events.session_id (schema 24). Stored in the row's
   * first_event_id and last_event_id for the log that opened it, in `pending` for others.
   */
  spans: Record<string, IdRange>;
  renameFrom: string | null;
  awaiting: { activity: Activity; fields: EventFields } | null;
  dirty: boolean;
  /** Whether its row exists: a new session is inserted by the next flush, not when it opens. */
  stored: boolean;
}

interface TransferRow {
  id: number;
  session_id: number | null;
  ts: number | null;
  user: string | null;
  client_ip: string | null;
  protocol: string | null;
  op: TransferOp;
  path: string | null;
  path_to: string | null;
  bytes: number | null;
  duration_ms: number | null;
  status: Outcome;
  code: string | null;
  record_sources: string;
  event_id: number | null;
  records: number;
}

interface TransferRecord {
  op: TransferOp;
  ts: number | null;
  lowRes: boolean;
  user: string | null;
  clientIp: string | null;
  protocol: string | null;
  path: string | null;
  pathQuality: number;
  pathTo: string | null;
  bytes: number | null;
  durationMs: number | null;
  status: Outcome;
  code: string | null;
  sessionId: number | null;
}

const SEVERITY: Record<Outcome, number> = { success: 0, incomplete: 1, failed: 2 };
const protocolFamily = (p: string | null) => (!p ? null : /^(sftp|scp|ssh2?)$/i.test(p) ? 'ssh' : /^ftps?$/i.test(p) ? 'ftp' : /^https?$/i.test(p) ? 'http' : p.toLowerCase());
const sameText = (a: string | null, b: string | null) => a === null || b === null || a.toLowerCase() === b.toLowerCase();
/** Logs with whole-second timestamps (the line's time is somewhere in that second). */
const isLowRes = (ts: number | null) => ts !== null && ts % 1000 === 0;

/** A stored transfer as TransferRow: its strings named. */
const TRANSFER_ROW = `SELECT t.id, t.session_id, t.ts, ${namedStringsSql('t', ['user', 'client_ip', 'protocol', 'path', 'path_to'])},
  t.op, t.bytes, t.duration_ms, t.status, t.code, t.record_sources, t.event_id, t.records FROM transfers t`;

/**
 * What a session's row does not say, as JSON (sessions.pending), or NULL when the row says it all:
 * one log's counts (the row's commands, failures and failed logins) and no command waiting. Most
 * sessions are such (1M EFT lines: 9.2 MB of JSON for 93k sessions).
 */
function pendingState(s: SessionState): string | null {
  const sources = Object.keys(s.perSource);
  const ownCountsOnly = sources.length === 0 || (sources.length === 1 && sources[0] === String(s.sourceId));
  const ownSpanOnly = Object.keys(s.spans).every((k) => k === String(s.sourceId));
  if (ownCountsOnly && ownSpanOnly && s.renameFrom === null && s.awaiting === null) return null;
  return JSON.stringify({ perSource: s.perSource, renameFrom: s.renameFrom, awaiting: s.awaiting, spans: s.spans });
}

/** What a flush writes of a session, in the order of sessionState's values. */
const SESSION_STATE = `server_id, start_ts, end_ts, client_ip_id, client_port, user_id, protocol_id, login_state, login_reason, login_code, commands,
  uploads, downloads, deletes, renames, failures, failed_logins, bytes_up, bytes_down, events, end_code, open, pending, first_event_id, last_event_id`;

/** A stored session with its strings named (schema 31 holds their ids), as fromRow reads it. */
const SESSION_ROW = `SELECT s.*, ${connKeySql('s')} AS conn_key, ${namedStringsSql('s', SESSION_STRING_COLUMNS)}
  FROM sessions s`;
const placeholders = (columns: string) => columns.split(',').map(() => '?').join(', ');

/** A session's row as flush writes it (SESSION_STATE), its counts the largest any one log saw, its strings by id. */
function sessionState(s: SessionState, str: StringInterner): unknown[] {
  let commands = 0, failures = 0, failedLogins = 0;
  for (const c of Object.values(s.perSource)) {
    if (c.commands > commands) commands = c.commands;
    if (c.failures > failures) failures = c.failures;
    if (c.failedLogins > failedLogins) failedLogins = c.failedLogins;
  }
  return [str.id('server', s.server), s.start, s.end, str.id('client_ip', s.clientIp), s.clientPort, str.id('user', s.user),
    str.id('protocol', s.protocol), loginCode(s.login), s.loginReason, s.loginCode, commands,
    s.uploads, s.downloads, s.deletes, s.renames, failures, failedLogins, s.bytesUp, s.bytesDown, s.events,
    s.open ? null : endReasonCode(s.endReason ?? 'unknown'), s.open ? 1 : 0, pendingState(s), ...(s.spans[s.sourceId] ?? [null, null])];
}

/** Counts event `id` of log `sourceId` in the span of the session's events in that log. */
function widenSpan(s: SessionState, sourceId: number, id: number): void {
  const span = s.spans[sourceId];
  if (!span) s.spans[sourceId] = [id, id];
  else if (id < span[0]) span[0] = id;
  else if (id > span[1]) span[1] = id;
  s.dirty = true;
}

export class Analyzer {
  private readonly byKey = new Map<string, SessionState>();
  private readonly byId = new Map<number, SessionState>();
  private sourceId = 0;
  private format = '';
  private sourceServer = '';
  /** RNFR of lines with no session (no connection key), per source, user and client. */
  private readonly keylessRenameFrom = new Map<string, string>();
  /** Whether another log has lines in this batch's time span (else no transfer can match). */
  private othersOverlap = true;
  /**
   * Whether transfers_match is known to exist (see ensureMatchIndex): until it does, transfers are
   * stored with match key 0 (a 52-bit key is 8 bytes of each row, and 0 none).
   */
  private matchIndexed = false;
  private readonly db: Db;
  /** Whether the previous line of this source was a W3C header (a header block is one event). */
  private previousWasHeader = false;
  /**
   * Whether a transfer whose values are all its event's is stored as that event (see
   * store/plain-transfers.ts). Tests turn it off to compare the two ways of storing them.
   */
  static plainTransfers = true;
  /**
   * SQL on events naming the plain transfers that ensureMatchIndex may turn into rows: all of them,
   * except in a rebuild, where the events not analysed yet still hold their old marks.
   */
  plainScope: (() => string) | null = null;
  /** Where each transfer created or changed is counted for the rollup (store/rollup.ts), or nowhere (a rebuild counts the rows after). */
  transferCounter: TransferCounter | null = null;
  /** The id the current line's event is stored under (a transfer it creates points at it). */
  private eventId: number | null = null;
  private readonly stmt;
  /** The ids of connection keys' heads (store/session-keys.ts). */
  private readonly keyHeads: SessionKeyHeads;
  /** The id the next new session takes (its row is written by the flush), or null: not known yet. */
  private nextSessionId: number | null = null;
  /** Sessions opened since the last flush or storeNewSessions: cached, their rows not written. */
  private unstored = 0;
  /** The span of the sessions written since it was last added to RELINK_SPAN_KEY. */
  private changedSpan: { lo: number; hi: number } | null = null;

  /** `strings` gives transfers the ids of their strings (the writer's interner, shared with the events). */
  constructor(db: Db, private readonly strings: StringInterner) {
    this.db = db;
    this.keyHeads = new SessionKeyHeads(db);
    this.stmt = {
      // One statement per changed session per batch (positional: named parameters bind slower):
      // a new session's row is written whole by the flush after it opened.
      insertSession: db.prepare(`INSERT INTO sessions (id, conn_head_id, conn_tail, format, source_id, ${SESSION_STATE})
        VALUES (?, ?, ?, ?, ?, ${placeholders(SESSION_STATE)})`),
      updateSession: db.prepare(`UPDATE sessions SET (${SESSION_STATE}) = (${placeholders(SESSION_STATE)}) WHERE id = ?`),
      maxSessionId: db.prepare('SELECT coalesce(max(id), 0) FROM sessions').pluck(),
      latestByKey: db.prepare(`${SESSION_ROW} WHERE ${SESSION_KEY_IS} ORDER BY start_ts DESC LIMIT 1`),
      coveringByKey: db.prepare(`${SESSION_ROW} WHERE ${SESSION_KEY_IS} AND start_ts <= ? AND coalesce(end_ts, start_ts) >= ? ORDER BY start_ts DESC LIMIT 1`),
      byId: db.prepare(`${SESSION_ROW} WHERE s.id = ?`),
      otherSourceNear: db.prepare('SELECT 1 FROM sources WHERE id != ? AND events > 0 AND first_ts <= ? AND last_ts >= ? LIMIT 1'),
      openW3c: db.prepare(`${SESSION_ROW} WHERE open = 1 AND format = 'w3c'`),
      // The latest sessions of the client only: one partner IP may open thousands a day.
      keylessCandidates: db.prepare('SELECT id FROM sessions WHERE client_ip_id = ? AND start_ts BETWEEN ? AND ? ORDER BY start_ts DESC LIMIT 64'),
      // Busy servers write many transfers a second: the name narrows the candidates to a handful.
      transferCandidates: db.prepare(`${TRANSFER_ROW} WHERE t.match_key = ? AND t.ts BETWEEN ? AND ? AND t.record_sources NOT LIKE ?`),
      transferCandidatesAnyName: db.prepare(`${TRANSFER_ROW} WHERE t.op = ? AND t.ts BETWEEN ? AND ? AND t.record_sources NOT LIKE ?`),
      // A transfer takes its first record's event's id (schema 17).
      insertTransfer: db.prepare(`INSERT INTO transfers (session_id, ts, server_id, user_id, client_ip_id, protocol_id, op_code, path_id, path_to_id, bytes,
        duration_ms, status_code, code, source_id, record_sources, match_key, id) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`),
      updateTransfer: db.prepare(`UPDATE transfers SET session_id = @session_id, ts = @ts, user_id = @user_id, client_ip_id = @client_ip_id,
        protocol_id = @protocol_id, path_id = @path_id, path_to_id = @path_to_id, bytes = @bytes, duration_ms = @duration_ms, status_code = @status,
        code = @code, records = records + 1, record_sources = @record_sources WHERE id = @id`),
      transferSession: db.prepare('SELECT session_id FROM transfers WHERE id = ?'),
      anySession: db.prepare('SELECT 1 FROM sessions LIMIT 1'),
      // Along the time index, a page at a time: the work is that of the span, not of every transfer
      // without a session (their partial index, walked whole for a span of one session: 107 ms).
      unlinkedTransfers: db.prepare(`SELECT ts, id FROM transfers INDEXED BY transfers_ts
        WHERE ts BETWEEN @lo AND @hi AND (ts, id) > (@ts, @id) AND session_id IS NULL AND client_ip_id IS NOT NULL
        ORDER BY ts, id LIMIT ${RELINK_PAGE}`).raw(),
      transferById: db.prepare(`${TRANSFER_ROW} WHERE t.id = ?`),
      setTransferSession: db.prepare('UPDATE transfers SET session_id = ? WHERE id = ?'),
      // A transfer's records are within a matching window of its time (see findTransfer; each merge
      // may move it by one window): found on the time index, which every first index builds anyway.
      setEventsSession: db.prepare(`UPDATE events SET session_id = @session WHERE ts BETWEEN @ts - (@records + 1) * ${RECORD_REACH_MS}
        AND @ts + (@records + 1) * ${RECORD_REACH_MS} AND transfer_id = @transfer AND session_id IS NULL RETURNING id, source_id`).raw(),
    };
  }

  /**
   * Call before the rows of one source's batch. `span` is the batch's time range: when no other log
   * has lines near it, no other log can hold a record of its transfers and matching is skipped.
   */
  beginBatch(sourceId: number, format: string | null, sourcePath: string, span?: { min: number; max: number }): void {
    this.previousWasHeader = false;
    this.nextSessionId = null;
    this.sourceId = sourceId;
    this.format = format ?? '';
    // Logs of one server usually share a folder: it names the server for keys that need one.
    this.sourceServer = path.dirname(sourcePath);
    this.nextSpan(span);
  }

  /**
   * The lines analysed next (of the current source) span `span`, or an unknown range: whether
   * another log has lines near it decides whether their transfers are looked for in other logs.
   */
  nextSpan(span?: { min: number; max: number }): void {
    // Lines without a time (no span) have no record to match (findTransfer needs a time): taking
    // them for an overlap built transfers_match, which makes every plain transfer a row for good.
    this.othersOverlap = !!span && !!this.stmt.otherSourceNear.get(this.sourceId, span.max + MATCH_WINDOW_MS + 2000, span.min - MATCH_WINDOW_MS - 2000);
    if (this.othersOverlap) this.ensureMatchIndex();
    else if (!this.matchIndexed) this.matchIndexed = indexExists(this.db, 'transfers_match'); // another process may have built it
  }

  /**
   * Classifies one parsed line, updating its session and transfer; returns the event's links.
   * `eventId` is the id the line's event is (or will be) stored under.
   */
  analyse(ts: number | null, fields: EventFields, eventId: number | null): EventLinks {
    this.eventId = eventId;
    this.previousWasHeader = false;
    const a = classify(this.format, fields, this.sourceServer);
    let session = a.connKey ? this.sessionForKey(a, ts, fields) : this.sessionWithoutKey(ts, fields);
    let op: EventOp | null = a.op ?? null;
    let outcome: Outcome | null = a.outcome ?? null;
    let transferId: number | null = null;
    let plainTransfer = false;

    if (session) {
      this.touch(session, ts, fields);
      const counts = (session.perSource[this.sourceId] ??= { commands: 0, failures: 0, failedLogins: 0 });
      if (a.command) counts.commands++;
      if (a.renameFrom !== undefined) session.renameFrom = a.renameFrom;
      if (a.awaitsReply) session.awaiting = { activity: a, fields };
      if (a.reply && session.awaiting) {
        // FileZilla: the reply decides the waiting command's outcome; the reply line carries the record.
        const waiting = session.awaiting;
        session.awaiting = null;
        const status = /^[13]/.test(fields.status ?? '') ? null : fields.status;
        if (status !== null || waiting.activity.renameFrom !== undefined) {
          const merged: Activity = { ...waiting.activity, ...(a.outcome ? { outcome: a.outcome } : {}) };
          delete merged.awaitsReply;
          if (merged.renameFrom !== undefined && a.outcome !== 'failed') session.renameFrom = merged.renameFrom;
          if (merged.op) {
            op = merged.op;
            outcome = merged.outcome ?? null;
            const replyFields = { ...waiting.fields, status: fields.status, path: fields.path ?? waiting.fields.path };
            if (merged.op === 'login') this.applyLogin(session, merged, replyFields);
            else if (merged.transfer) ({ id: transferId, plain: plainTransfer } = this.record(merged, ts, replyFields, session, fields));
          }
        }
        if (session.awaiting === null && a.outcome === 'failed') counts.failures++;
      } else if (op === 'login') {
        this.applyLogin(session, a, fields);
        if (outcome === 'failed') counts.failedLogins++;
      } else if (outcome === 'failed') {
        counts.failures++;
      }
      if (a.end) this.end(session, a.end);
    } else if (a.renameFrom !== undefined) {
      this.keylessRenameFrom.set(this.keylessKey(fields), a.renameFrom);
    }
    if (a.transfer && op && op !== 'login' && op !== 'logout' && op !== 'connect' && !a.awaitsReply) {
      ({ id: transferId, plain: plainTransfer } = this.record(a, ts, fields, session, fields));
      if (session === null) {
        // A keyless record of a transfer whose session is known: the line joins that session.
        const sid = this.transferSession(transferId);
        if (sid !== null) session = this.sessionById(sid);
        if (session) {
          session.events++;
          session.dirty = true;
        }
      }
    }
    if (session && eventId !== null) widenSpan(session, this.sourceId, eventId);
    return { sessionId: session?.id ?? null, transferId, plainTransfer, op, outcome };
  }

  /**
   * A header line. W3C servers (EFT, IIS) write a new header block when the service starts: after
   * data lines it means a restart, which ends every connection of that log's folder (and EFT then
   * numbers connections from 1 again).
   */
  directive(raw: string, lineNo: number): void {
    const header = raw.startsWith('#');
    if (header && this.format === 'w3c' && lineNo > 1 && !this.previousWasHeader && /^#(Software|Version|Date):/.test(raw)) {
      const prefix = `w3c|${this.sourceServer}|`;
      const ofThisLog = (s: SessionState) => s.connKey.startsWith(prefix) || this.sourceId in s.perSource;
      for (const s of this.byId.values()) if (s.open && ofThisLog(s)) this.end(s, 'unknown');
      for (const row of this.stmt.openW3c.all() as Record<string, unknown>[]) {
        if (this.byId.has(row.id as number)) continue;
        const s = this.fromRow(row);
        if (ofThisLog(s)) this.end(this.cache(s, false), 'unknown');
      }
    }
    if (header) this.previousWasHeader = true;
  }

  /** Whether relinkTransfers has anything to try: sessions written since it last ran, or not known. */
  relinkPending(): boolean {
    return this.changedSpan !== null || this.unstored > 0 || this.pendingSpan() !== null;
  }

  /**
   * Transfers recorded only by logs without a connection key, before the sessions around them were
   * known (another log indexed later named their users): linked now where one session fits.
   */
  relinkTransfers(): { tried: number; linked: number } {
    this.storeNewSessions();
    this.storeChangedSpan();
    const pending = this.pendingSpan();
    let tried = 0, linked = 0;
    if (pending !== null && this.stmt.anySession.get()) {
      const { lo, hi } = pending ?? { lo: Number.MIN_SAFE_INTEGER, hi: Number.MAX_SAFE_INTEGER };
      // A transfer at ts fits a session only within its start (less a second's slack) and its end.
      const range = { lo: lo - KEYLESS_SLACK_MS - 1000, hi: hi + KEYLESS_SLACK_MS };
      let after: [number, number] = [Number.MIN_SAFE_INTEGER, 0];
      for (;;) {
        const page = this.stmt.unlinkedTransfers.all({ ...range, ts: after[0], id: after[1] }) as [number, number][];
        if (!page.length) break;
        after = page[page.length - 1]!;
        tried += page.length;
        for (const [, id] of page) if (this.relink(this.stmt.transferById.get(id) as TransferRow)) linked++;
      }
    }
    this.flush();
    // Linking changed the sessions' counts, not their spans (which the flush noted): nothing new can fit.
    if (this.pendingSpan() !== null) writeMeta(this.db, RELINK_SPAN_KEY, '');
    return { tried, linked };
  }

  /** The span stored in RELINK_SPAN_KEY: null when nothing is pending, undefined when not known (all). */
  private pendingSpan(): { lo: number; hi: number } | null | undefined {
    const stored = readMeta(this.db, RELINK_SPAN_KEY);
    if (stored === undefined) return undefined;
    if (stored === '') return null;
    const [lo, hi] = stored.split(',').map(Number) as [number, number];
    return { lo, hi };
  }

  /** Links a transfer without a session to the one around it, if one fits. */
  private relink(t: TransferRow): boolean {
    if (t.ts === null || !t.client_ip) return false;
    const s = this.sessionWithoutKey(t.ts, { clientIp: t.client_ip, ...(t.user ? { user: t.user } : {}) });
    if (!s) return false;
    this.stmt.setTransferSession.run(s.id, t.id);
    const linked = this.stmt.setEventsSession.all({ session: s.id, transfer: t.id, ts: t.ts, records: t.records }) as [number, number][];
    s.events += linked.length;
    for (const [id, sourceId] of linked) widenSpan(s, sourceId, id);
    this.countTransfer(s, t.op, t.status, t.bytes);
    return true;
  }

  /** Adds the span of the sessions written since to RELINK_SPAN_KEY (in the writer's transaction). */
  private storeChangedSpan(): void {
    const span = this.changedSpan;
    if (!span) return;
    this.changedSpan = null;
    const stored = this.pendingSpan();
    if (stored === undefined) return; // unknown: every unlinked transfer is tried anyway
    const { lo, hi } = stored ?? span;
    writeMeta(this.db, RELINK_SPAN_KEY, `${Math.min(lo, span.lo)},${Math.max(hi, span.hi)}`);
  }

  /** Writes changed sessions; call at the end of each batch, inside its transaction. */
  flush(): void {
    for (const s of this.byId.values()) if (s.dirty) this.writeSession(s);
    this.unstored = 0;
    this.storeChangedSpan();
    if (this.byId.size > CACHE_LIMIT) this.forget();
  }

  private writeSession(s: SessionState): void {
    if (s.stored) this.stmt.updateSession.run(...sessionState(s, this.strings), s.id);
    else {
      const { head, tail } = splitConnKey(s.connKey);
      this.stmt.insertSession.run(s.id, this.keyHeads.id(head, true), tail, s.format, s.sourceId, ...sessionState(s, this.strings));
    }
    s.stored = true;
    s.dirty = false;
    const span = this.changedSpan;
    if (!span) this.changedSpan = { lo: s.start, hi: s.end };
    else {
      if (s.start < span.lo) span.lo = s.start;
      if (s.end > span.hi) span.hi = s.end;
    }
  }

  /** Before SQL that reads sessions: the ones opened since the last flush get their rows. */
  private storeNewSessions(): void {
    if (this.unstored === 0) return;
    for (const s of this.byId.values()) if (!s.stored) this.writeSession(s);
    this.unstored = 0;
  }

  /** Forgets cached state (after a failed transaction the database is the truth again). */
  reset(): void {
    this.byKey.clear();
    this.byId.clear();
    this.keyHeads.forget();
    this.nextSessionId = null;
    this.unstored = 0;
    this.changedSpan = null; // its sessions were rolled back
    this.matchIndexed = false; // a rolled-back batch may have created it
  }

  /**
   * Records are looked for in other logs only when another log's lines overlap in time: one log, or
   * daily logs read one after another, never need the index that finds them (1M EFT lines: 17.6 MB
   * and an index entry per transfer), so it is built by the first batch that does.
   */
  private ensureMatchIndex(): void {
    if (this.matchIndexed) return;
    if (!indexExists(this.db, 'transfers_match')) {
      // Records are matched against rows: the plain transfers become rows first (store/plain-transfers.ts).
      storePlainTransfersAsRows(this.db, this.plainScope?.() ?? '1');
      // The transfers stored without it have no key yet: theirs, from the path they were stored
      // with (no record joins a transfer before the index exists, so none has changed it).
      this.db.function('xl_path_match_key', { deterministic: true }, (op: unknown, path: unknown) =>
        matchKey(String(op), matchName(typeof path === 'string' ? path : null)),
      );
      this.db.exec(`UPDATE transfers SET match_key = xl_path_match_key(op, (SELECT value FROM strings WHERE id = path_id)) WHERE match_key = 0;
        CREATE INDEX transfers_match ON transfers(match_key, ts);`);
    }
    this.matchIndexed = true;
  }

  /**
   * Called right after a flush, when no session is dirty. Open sessions are forgotten too: a log
   * whose connections never end (no QUIT, as in most EFT daily files) kept every one of them
   * (300 daily files: 21k sessions, the heap's live size growing from 13 to 65 MB).
   */
  private forget(): void {
    const drop = (s: SessionState) => {
      this.byId.delete(s.id);
      if (this.byKey.get(s.connKey) === s) this.byKey.delete(s.connKey);
    };
    for (const s of this.byId.values()) if (!s.open) drop(s);
    if (this.byId.size <= CACHE_LIMIT) return;
    // Down to half the limit, so that this sort runs once per CACHE_LIMIT / 2 new sessions at most.
    const open = [...this.byId.values()].sort((a, b) => a.end - b.end);
    for (const s of open.slice(0, open.length - CACHE_LIMIT / 2)) drop(s);
  }

  // --- sessions -------------------------------------------------------------------------------

  /** A stored session of connection key `key` as `read` finds it, given the key's tail and head id (none when its head was never stored). */
  private storedByKey(key: string, read: (tail: string, head: number | null) => unknown): Record<string, unknown> | undefined {
    const { head, tail } = splitConnKey(key);
    const headId = this.keyHeads.id(head, false);
    return headId === undefined ? undefined : (read(tail, headId) as Record<string, unknown> | undefined);
  }

  private sessionForKey(a: Activity, ts: number | null, f: EventFields): SessionState {
    const key = a.connKey!;
    let s: SessionState | undefined = this.byKey.get(key);
    if (!s) {
      const row = this.storedByKey(key, (tail, head) => this.stmt.latestByKey.get(tail, head));
      if (row) s = this.cache(this.fromRow(row));
    }
    if (s && ts !== null) {
      const within = ts >= s.start - SLACK_MS && ts <= s.end + SLACK_MS;
      if (s.open) {
        const silentTooLong = a.keyReused && ts - s.end > REUSED_KEY_IDLE_MS;
        const restarted = a.starts && ts > s.end + SLACK_MS && s.events > 0;
        if (silentTooLong || restarted) {
          this.end(s, 'unknown');
          s = undefined;
        }
      } else if (!within) {
        // An older file indexed after a newer one: its line may belong to an earlier session of the key.
        let earlier: Record<string, unknown> | undefined;
        if (ts < s.start) {
          this.storeNewSessions();
          earlier = this.storedByKey(key, (tail, head) => this.stmt.coveringByKey.get(tail, head, ts + SLACK_MS, ts - SLACK_MS));
        }
        s = earlier ? this.byId.get(earlier.id as number) ?? this.cache(this.fromRow(earlier), false) : undefined;
      }
    }
    return s ?? this.createSession(key, ts, f);
  }

  private sessionWithoutKey(ts: number | null, f: EventFields): SessionState | null {
    if (!f.clientIp || ts === null) return null;
    const hi = ts + (isLowRes(ts) ? 999 : 0);
    this.storeNewSessions();
    const ids = this.stmt.keylessCandidates.all(this.strings.id('client_ip', f.clientIp), ts - KEYLESS_LOOKBACK_MS, hi + KEYLESS_SLACK_MS) as { id: number }[];
    let found: SessionState | null = null;
    for (const { id } of ids) {
      const s = this.sessionById(id);
      // The line's time (its whole second, for second-resolution logs) must meet the session's span.
      const slack = hi === ts ? KEYLESS_SLACK_MS : 0;
      if (!s || hi < s.start - slack || ts > s.end + slack) continue;
      if (f.user && s.user && f.user.toLowerCase() !== s.user.toLowerCase()) continue;
      // A user's command or transfer cannot belong to a connection whose login failed.
      if (f.user && s.login === 'failed') continue;
      if (found) return null; // ambiguous: leave the line unlinked
      found = s;
    }
    // A session whose user is not known yet could be anyone's: only a user-confirmed match links.
    if (found && f.user && !found.user) return null;
    return found;
  }

  private sessionById(id: number): SessionState | null {
    const cached = this.byId.get(id);
    if (cached) return cached;
    const row = this.stmt.byId.get(id) as Record<string, unknown> | undefined;
    return row ? this.cache(this.fromRow(row), false) : null;
  }

  private createSession(key: string, ts: number | null, f: EventFields): SessionState {
    const t = ts ?? 0;
    // Given here, as SQLite would (after the largest): the events of the batch point at it at once.
    this.nextSessionId ??= (this.stmt.maxSessionId.get() as number) + 1;
    const id = this.nextSessionId++;
    this.unstored++;
    const s: SessionState = {
      id, connKey: key, format: this.format, sourceId: this.sourceId, server: f.server ?? null, start: t, end: t, clientIp: f.clientIp ?? null,
      clientPort: f.clientPort ?? null, user: null, protocol: null, login: 'none', loginReason: null, loginCode: null, uploads: 0, downloads: 0,
      deletes: 0, renames: 0, bytesUp: 0, bytesDown: 0, events: 0, endReason: null, open: true, perSource: {}, spans: {}, renameFrom: null,
      awaiting: null, dirty: true, stored: false,
    };
    return this.cache(s);
  }

  private cache(s: SessionState, asLatest = true): SessionState {
    this.byId.set(s.id, s);
    if (asLatest) this.byKey.set(s.connKey, s);
    return s;
  }

  private fromRow(r: Record<string, unknown>): SessionState {
    const sourceId = r.source_id as number;
    const pending: Partial<SessionState> = r.pending
      ? (JSON.parse(r.pending as string) as Partial<SessionState>)
      : { perSource: { [sourceId]: { commands: r.commands as number, failures: r.failures as number, failedLogins: r.failed_logins as number } } };
    return {
      id: r.id as number, connKey: r.conn_key as string, format: r.format as string, sourceId, server: r.server as string | null,
      start: r.start_ts as number, end: r.end_ts as number, clientIp: r.client_ip as string | null, clientPort: r.client_port as number | null,
      user: r.user as string | null, protocol: r.protocol as string | null, login: r.login as SessionState['login'],
      loginReason: r.login_reason as string | null, loginCode: r.login_code as string | null,
      uploads: r.uploads as number, downloads: r.downloads as number, deletes: r.deletes as number, renames: r.renames as number,
      bytesUp: r.bytes_up as number, bytesDown: r.bytes_down as number, events: r.events as number,
      endReason: r.end_reason as EndReason | null, open: r.open === 1,
      perSource: pending.perSource ?? {}, renameFrom: pending.renameFrom ?? null, awaiting: pending.awaiting ?? null, dirty: false, stored: true,
      spans: { ...(r.first_event_id != null ? { [sourceId]: [r.first_event_id as number, r.last_event_id as number] } : {}), ...pending.spans },
    };
  }

  private touch(s: SessionState, ts: number | null, f: EventFields): void {
    s.events++;
    s.dirty = true;
    if (ts !== null) {
      // A whole-second time inside the span's seconds adds nothing; otherwise it widens the span.
      const lowRes = isLowRes(ts);
      if (ts < s.start && !(lowRes && ts + 999 >= s.start)) s.start = ts;
      // A whole-second start (the first log read had no milliseconds) is refined by a precise time.
      else if (!lowRes && isLowRes(s.start) && ts > s.start && ts < s.start + 1000) s.start = ts;
      if (ts > s.end) s.end = ts;
    }
    s.server ??= f.server ?? null;
    s.clientIp ??= f.clientIp ?? null;
    s.clientPort ??= f.clientPort ?? null;
    if (s.user === null && f.user && f.user !== '-' && !/^(unknown|\(not logged in\))$/i.test(f.user)) s.user = f.user;
    s.protocol = strongerProtocol(s.protocol, f.protocol);
  }

  private applyLogin(s: SessionState, a: Activity, f: EventFields): void {
    if (f.user) s.user = s.login === 'success' ? s.user ?? f.user : f.user;
    if (a.outcome === 'success') {
      s.login = 'success';
      s.loginReason = null;
      if (f.status) s.loginCode = f.status;
    } else if (a.outcome === 'failed' && s.login !== 'success') {
      s.login = 'failed';
      // The most specific reason wins: a log's own words over a bare reply code; every log's
      // wording becomes one code (`Incorrect password` → `wrong_password`). A command line's
      // message is the client's argument (PASS's masked `*******`), never the server's reason:
      // its reply code (login_code) says why.
      const reason = a.reason ?? (s.loginReason || a.command ? undefined : f.message);
      if (reason) s.loginReason = loginReasonCode(reason) ?? reason;
      if (f.status) s.loginCode = f.status;
    }
  }

  private end(s: SessionState, reason: EndReason): void {
    // QUIT is the most specific ending; the server's "session closed" that follows it adds nothing.
    if (s.endReason !== 'quit' && !(s.endReason === 'timeout' && reason === 'disconnected')) s.endReason = reason;
    s.open = false;
    s.dirty = true;
  }

  // --- transfers ------------------------------------------------------------------------------

  /**
   * The transfer of a record: an existing one it joins, or a new one. `f` are the record's fields,
   * `own` those of the event being stored (a FileZilla reply line carries its command's record).
   */
  private record(a: Activity, ts: number | null, f: EventFields, session: SessionState | null, own: EventFields): { id: number; plain: boolean } {
    const op = a.op as TransferOp;
    let recordPath = a.serverPath ?? f.path ?? null;
    let pathTo = a.pathTo ?? null;
    if (op === 'rename' && a.pathTo !== undefined) {
      // RNTO carries the new name; the old one came with RNFR.
      if (session) {
        recordPath = session.renameFrom;
        session.renameFrom = null;
      } else {
        const key = this.keylessKey(f);
        recordPath = this.keylessRenameFrom.get(key) ?? null;
        this.keylessRenameFrom.delete(key);
      }
    } else if (op === 'rename' && !pathTo) {
      pathTo = typeof f.extra?.renameTo === 'string' ? f.extra.renameTo : null;
    }
    const rec: TransferRecord = {
      op, ts, lowRes: isLowRes(ts), user: f.user ?? session?.user ?? null, clientIp: f.clientIp ?? session?.clientIp ?? null,
      protocol: strongerProtocol(null, f.protocol) ?? session?.protocol ?? null,
      path: recordPath, pathQuality: a.serverPath ? 3 : recordPath?.startsWith('/') || /^[A-Za-z]:\\/.test(recordPath ?? '') ? (this.format === 'xferlog' ? 1 : 2) : 0,
      pathTo, bytes: f.bytes ?? null, durationMs: f.durationMs ?? null,
      status: a.outcome ?? 'success', code: f.status ?? null, sessionId: session?.id ?? null,
    };
    const match = this.findTransfer(rec);
    if (match) return { id: this.mergeTransfer(match, rec), plain: false };
    const server = f.server ?? session?.server ?? null;
    if (session) this.countTransfer(session, op, rec.status, rec.bytes);
    // Plain: one record (no other log is matched), of a session, every value the event's own.
    const plain = Analyzer.plainTransfers && this.eventId !== null && !this.matchIndexed && rec.sessionId !== null && (a.outcome ?? null) !== null &&
      rec.user === (own.user ?? null) && rec.clientIp === (own.clientIp ?? null) && rec.protocol === (own.protocol ?? null) &&
      server === (own.server ?? null) && rec.path === (own.path ?? null) && rec.pathTo === null && rec.bytes === (own.bytes ?? null) &&
      rec.durationMs === (own.durationMs ?? null) && rec.code === (own.status ?? null);
    this.tallyTransfer(1, rec.ts, rec.bytes, rec.op, rec.status, rec.user, rec.clientIp, rec.path, rec.code);
    if (plain) return { id: this.eventId!, plain: true };
    const str = this.strings;
    const id = Number(
      this.stmt.insertTransfer.run(rec.sessionId, rec.ts, str.id('server', server), str.id('user', rec.user),
        str.id('client_ip', rec.clientIp), str.id('protocol', rec.protocol), opCode(op), str.id('path', rec.path), str.id('path', rec.pathTo),
        rec.bytes, rec.durationMs, outcomeCode(rec.status), rec.code, this.sourceId, `,${this.sourceId},`, this.matchIndexed ? matchKey(op, matchName(rec.path)) : 0, this.eventId).lastInsertRowid,
    );
    return { id, plain: false };
  }

  private findTransfer(rec: TransferRecord): TransferRow | null {
    if (rec.ts === null || !this.othersOverlap) return null;
    const window = MATCH_WINDOW_MS + (rec.lowRes ? 1000 : 0);
    const name = matchName(rec.path);
    const span = [rec.ts - window - 1000, rec.ts + window + 1000, `%,${this.sourceId},%`] as const;
    // A record that names no file (an ExtendedLog's %f is `-` when the file does not exist) is the
    // same operation as a record of it that does, whichever log comes first.
    const rows = (name
      ? [...this.stmt.transferCandidates.all(matchKey(rec.op, name), ...span), ...this.stmt.transferCandidates.all(matchKey(rec.op, ''), ...span)]
      : this.stmt.transferCandidatesAnyName.all(rec.op, ...span)) as TransferRow[];
    let best: TransferRow | null = null, bestGap = Infinity;
    for (const t of rows) {
      if (t.ts === null) continue;
      if ((!name || !t.path) && (t.status === 'success') !== (rec.status === 'success')) continue;
      const gap = Math.abs(t.ts - rec.ts);
      if (gap > window + (isLowRes(t.ts) ? 1000 : 0)) continue;
      if (!sameText(t.user, rec.user) || !sameText(t.client_ip, rec.clientIp)) continue;
      if (t.bytes && rec.bytes && t.bytes !== rec.bytes) continue;
      const fa = protocolFamily(t.protocol), fb = protocolFamily(rec.protocol);
      if (fa && fb && fa !== fb) continue;
      if (t.session_id !== null && rec.sessionId !== null && t.session_id !== rec.sessionId) continue;
      if (gap < bestGap) {
        best = t;
        bestGap = gap;
      }
    }
    return best;
  }

  private mergeTransfer(t: TransferRow, rec: TransferRecord): number {
    const hadSession = t.session_id;
    const hadBytes = t.bytes;
    const quality = t.path?.startsWith('/') || /^[A-Za-z]:\\/.test(t.path ?? '') ? 2 : 0;
    const merged = {
      ...t,
      session_id: t.session_id ?? rec.sessionId,
      // The more precise time wins (a record with milliseconds over one with whole seconds).
      ts: t.ts !== null && isLowRes(t.ts) && rec.ts !== null && !rec.lowRes ? rec.ts : t.ts,
      user: t.user ?? rec.user,
      client_ip: t.client_ip ?? rec.clientIp,
      protocol: strongerProtocol(t.protocol, rec.protocol ?? undefined),
      path: rec.path && rec.pathQuality > quality ? rec.path : t.path ?? rec.path,
      path_to: t.path_to ?? rec.pathTo,
      bytes: t.bytes ?? rec.bytes,
      duration_ms: t.duration_ms ?? rec.durationMs,
      // When logs disagree, the worse outcome is the one to see.
      status: SEVERITY[rec.status] > SEVERITY[t.status] ? rec.status : t.status,
      code: t.code !== null && /^\d+$/.test(t.code) ? t.code : rec.code ?? t.code,
      record_sources: `${t.record_sources}${this.sourceId},`,
    };
    this.tallyTransfer(-1, t.ts, t.bytes, t.op, t.status, t.user, t.client_ip, t.path, t.code);
    this.tallyTransfer(1, merged.ts, merged.bytes, merged.op, merged.status, merged.user, merged.client_ip, merged.path, merged.code);
    const str = this.strings;
    this.stmt.updateTransfer.run({
      id: merged.id, session_id: merged.session_id, ts: merged.ts, user_id: str.id('user', merged.user), client_ip_id: str.id('client_ip', merged.client_ip),
      protocol_id: str.id('protocol', merged.protocol), path_id: str.id('path', merged.path), path_to_id: str.id('path', merged.path_to),
      bytes: merged.bytes, duration_ms: merged.duration_ms, status: outcomeCode(merged.status), code: merged.code, record_sources: merged.record_sources,
    });
    const sid = merged.session_id;
    if (sid !== null) {
      const s = this.sessionById(sid);
      if (s) {
        if (hadSession === null) this.countTransfer(s, t.op, merged.status, merged.bytes);
        else if (hadBytes === null && merged.bytes !== null) this.countTransfer(s, t.op, merged.status, merged.bytes, true);
      }
    }
    return t.id;
  }

  /** Counts a transfer's figures in (1) or out (−1) of the rollup. */
  private tallyTransfer(n: 1 | -1, ts: number | null, bytes: number | null, op: TransferOp, status: Outcome, user: string | null, clientIp: string | null,
    path: string | null, code: string | null): void {
    if (!this.transferCounter) return;
    const str = this.strings;
    this.transferCounter.count(n, ts, bytes, status === 'failed', op, status, str.id('user', user), str.id('client_ip', clientIp), str.id('path', path), str.id('status', code));
  }

  private keylessKey(f: EventFields): string {
    return `${this.sourceId}|${f.user ?? ''}|${f.clientIp ?? ''}`;
  }

  private transferSession(id: number): number | null {
    const row = this.stmt.transferSession.get(id) as { session_id: number | null } | undefined;
    return row?.session_id ?? null;
  }

  /** A session counts the operations that happened (failed ones are in its failures). */
  private countTransfer(s: SessionState, op: TransferOp, status: Outcome, bytes: number | null, bytesOnly = false): void {
    if (status === 'failed') return;
    s.dirty = true;
    if (!bytesOnly) {
      if (op === 'upload') s.uploads++;
      else if (op === 'download') s.downloads++;
      else if (op === 'delete') s.deletes++;
      else if (op === 'rename') s.renames++;
    }
    if (bytes) {
      if (op === 'upload') s.bytesUp += bytes;
      else if (op === 'download') s.bytesDown += bytes;
    }
  }
}
