/**
 * A seeded database for the query tests: events, sessions and transfers inserted directly (with
 * every edge the language must handle: NULLs, case variants, ties in every sort column, IPv4-mapped
 * and IPv6 addresses, Windows paths, FTS syntax inside lines), plus the same rows as plain objects
 * so that tests can filter them by brute force.
 */
import { rebuildRollup } from '../../src-main/core/store/rollup.js';
import type { Db } from '../../src-main/core/store/db.js';
import { fieldsSql } from '../../src-main/core/store/full-text.js';
import { LineBlockBuilder } from '../../src-main/core/store/line-blocks.js';
import { eventFlags, loginCode, opCode, outcomeCode, type EventOp, type Outcome } from '../../src-main/core/store/op-codes.js';
import { SESSION_STRING_COLUMNS, SESSION_STRING_DIMS, StringInterner, TRANSFER_STRING_COLUMNS, TRANSFER_STRING_DIMS } from '../../src-main/core/store/strings.js';
import { storeSessionSpans } from '../../src-main/core/store/schema.js';
import { storeLineSpans } from '../../src-main/core/store/line-spans.js';
import { SessionKeyHeads, splitConnKey } from '../../src-main/core/store/session-keys.js';

export const T0 = Date.UTC(2026, 0, 5, 0, 0, 0); // a Monday

/** Deterministic pseudo-random numbers (mulberry32). */
export function rng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export interface EventFixture {
  id: number;
  source_id: number;
  line_no: number;
  ts: number | null;
  kind: number;
  server: string | null;
  client_ip: string | null;
  user: string | null;
  protocol: string | null;
  verb: string | null;
  path: string | null;
  status: string | null;
  bytes: number | null;
  message: string | null;
  session_id: number | null;
  op: string | null;
  outcome: string | null;
  raw: string;
}

export interface SessionFixture {
  id: number;
  conn_key: string;
  server: string | null;
  format: string | null;
  source_id: number;
  start_ts: number | null;
  end_ts: number | null;
  client_ip: string | null;
  user: string | null;
  protocol: string | null;
  login: string;
  login_code: string | null;
  uploads: number;
  downloads: number;
  deletes: number;
  renames: number;
  failures: number;
  bytes_up: number;
  bytes_down: number;
  open: number;
}

export interface TransferFixture {
  id: number;
  session_id: number | null;
  ts: number | null;
  server: string | null;
  user: string | null;
  client_ip: string | null;
  protocol: string | null;
  op: string;
  path: string | null;
  path_to: string | null;
  bytes: number | null;
  status: string;
  code: string | null;
  source_id: number;
}

export const SOURCES = [
  { id: 1, path: '/var/log/eft/ex260105.log', format: 'w3c' },
  { id: 2, path: '/var/log/proftpd/proftpd.log', format: 'proftpd-system' },
];

const pick = <T>(r: () => number, a: readonly T[]): T => a[Math.floor(r() * a.length)]!;

export const USERS = ['alice', 'Alice', 'bob', 'carol', 'john smith', null] as const;
export const IPS = ['10.0.0.5', '10.1.2.3', '10.200.0.9', '192.168.1.10', '::ffff:10.0.0.7', '2001:db8::1', '2001:db9::5', null] as const;
export const PATHS = ['/in/report.csv', '/in/Report 2026.CSV', '/out/data.bin', '/in/sub/x.txt', '/inbox/y.csv', 'C:\\logs\\a.txt', '/a b/c.csv', null] as const;
const VERBS = ['stor', 'retr', 'pass', 'dele', 'user', null] as const;
const CODES = ['226', '550', '530', '331', '200', '451', 'success', null] as const;
const OPS = ['upload', 'download', 'delete', 'rename', 'login', null] as const;
const OUTCOMES = ['success', 'failed', 'incomplete', null] as const;
const MESSAGES = ['Transfer complete', 'Login failed', 'NEAR(x, y) OR AND "quoted"', "'; DROP TABLE events;--", 'partnership INV_2026-01 ok', 'arrow -> here', null] as const;

export function makeFixture(seed = 7, nEvents = 400) {
  const r = rng(seed);
  const events: EventFixture[] = [];
  for (let i = 1; i <= nEvents; i++) {
    const kind = r() < 0.9 ? 0 : r() < 0.5 ? 1 : 2;
    // Minutes only, so that many rows share a time (ties), and a few rows have none.
    const ts = kind === 0 || r() < 0.5 ? T0 + Math.floor(r() * 14 * 24 * 60) * 60_000 : null;
    const e: EventFixture = {
      id: i, source_id: r() < 0.6 ? 1 : 2, line_no: i, ts, kind,
      server: pick(r, ['ftp1', 'FTP2', null]), client_ip: pick(r, IPS), user: pick(r, USERS),
      protocol: pick(r, ['ftp', 'SFTP', null]), verb: pick(r, VERBS), path: pick(r, PATHS), status: pick(r, CODES),
      bytes: r() < 0.3 ? null : Math.floor(r() ** 3 * 50 * 1024 * 1024), message: pick(r, MESSAGES),
      session_id: r() < 0.2 ? null : 1 + Math.floor(r() * 30), op: pick(r, OPS), outcome: pick(r, OUTCOMES), raw: '',
    };
    e.raw = kind === 1
      ? `#Fields: date time c-ip ${i}`
      : [ts === null ? '-' : new Date(ts).toISOString(), e.client_ip ?? '-', e.user ?? '-', e.verb ?? '-', e.path ?? '-', e.status ?? '-', e.bytes ?? '-', e.message ?? ''].join(' ');
    events.push(e);
  }
  const sessions: SessionFixture[] = [];
  for (let i = 1; i <= 30; i++) {
    const start = r() < 0.9 ? T0 + Math.floor(r() * 14 * 24) * 3_600_000 : null;
    sessions.push({
      id: i, conn_key: `k${i}`, server: pick(r, ['ftp1', 'ftp2']), format: pick(r, ['w3c', 'proftpd-system']),
      source_id: r() < 0.5 ? 1 : 2, start_ts: start, end_ts: start === null ? null : start + Math.floor(r() * 600_000),
      client_ip: pick(r, IPS), user: pick(r, USERS), protocol: pick(r, ['ftp', 'sftp']),
      login: pick(r, ['success', 'failed', 'none']), login_code: pick(r, ['230', '530', null]),
      uploads: Math.floor(r() * 3), downloads: Math.floor(r() * 3), deletes: r() < 0.2 ? 1 : 0, renames: r() < 0.2 ? 1 : 0,
      failures: r() < 0.3 ? 1 + Math.floor(r() * 2) : 0, bytes_up: Math.floor(r() * 1e6), bytes_down: Math.floor(r() * 1e6), open: r() < 0.2 ? 1 : 0,
    });
  }
  const transfers: TransferFixture[] = [];
  for (let i = 1; i <= 120; i++) {
    const op = pick(r, ['upload', 'download', 'delete', 'rename', 'mkdir'] as const);
    const session = r() < 0.9 ? 1 + Math.floor(r() * 30) : null;
    transfers.push({
      id: i, session_id: session, ts: r() < 0.95 ? T0 + Math.floor(r() * 14 * 24 * 60) * 60_000 : null,
      server: pick(r, ['ftp1', 'ftp2']), user: pick(r, USERS), client_ip: pick(r, IPS), protocol: pick(r, ['ftp', 'sftp']),
      op, path: pick(r, PATHS), path_to: op === 'rename' ? '/renamed/z.csv' : null,
      bytes: op === 'upload' || op === 'download' ? Math.floor(r() ** 2 * 20 * 1024 * 1024) : null,
      status: pick(r, ['success', 'failed', 'incomplete']), code: pick(r, ['226', '550', '451', null]), source_id: r() < 0.5 ? 1 : 2,
    });
  }
  return { events, sessions, transfers };
}

export type Fixture = ReturnType<typeof makeFixture>;

export function loadFixture(db: Db, f: Fixture): void {
  db.transaction(() => {
    for (const s of SOURCES) {
      const rows = f.events.filter((e) => e.source_id === s.id);
      const n = (kind: number) => rows.filter((e) => e.kind === kind).length;
      db.prepare('INSERT INTO sources (id, path, format, added_at, events, directives, unparsed) VALUES (?, ?, ?, 0, ?, ?, ?)').run(s.id, s.path, s.format, n(0), n(1), n(2));
    }
    const strings = new StringInterner(db);
    for (const e of f.events) {
      const ids = Object.fromEntries((['server', 'client_ip', 'user', 'protocol', 'verb', 'path', 'status', 'message'] as const).map((c) => [`${c}_id`, strings.id(c, e[c])]));
      db.prepare(`INSERT INTO events (id, source_id, line_no, ts, server_id, client_ip_id, user_id, protocol_id, verb_id, path_id,
        status_id, bytes, message_id, session_id, flags) VALUES (@id, @source_id, @line_no, @ts, @server_id, @client_ip_id, @user_id,
        @protocol_id, @verb_id, @path_id, @status_id, @bytes, @message_id, @session_id, @flags)`)
        .run({ ...e, ...ids, flags: eventFlags(e.kind, opCode(e.op as EventOp | null), outcomeCode(e.outcome as Outcome | null), false, false) });
      db.prepare('INSERT INTO events_fts (rowid, text) VALUES (?, ?)').run(e.id, e.raw);
    }
    db.exec(`INSERT INTO events_fields (rowid, fields) SELECT e.id, ${fieldsSql('e')} FROM events e`);
    db.exec('UPDATE lines_indexed SET through = (SELECT max(id) FROM events)');
    const blocks = new LineBlockBuilder(db);
    for (const e of [...f.events].sort((a, b) => a.source_id - b.source_id || a.line_no - b.line_no)) blocks.add(e.source_id, e.line_no, e.raw);
    blocks.finish();
    const keyHeads = new SessionKeyHeads(db);
    for (const s of f.sessions) {
      const ids = Object.fromEntries(SESSION_STRING_COLUMNS.map((c) => [`${c}_id`, strings.id(SESSION_STRING_DIMS[c], s[c])]));
      const { head, tail } = splitConnKey(s.conn_key);
      db.prepare(`INSERT INTO sessions (id, conn_head_id, conn_tail, server_id, format, source_id, start_ts, end_ts, client_ip_id, user_id, protocol_id,
        login_state, login_code, uploads, downloads, deletes, renames, failures, bytes_up, bytes_down, open) VALUES (@id, @conn_head_id, @conn_tail,
        @server_id, @format, @source_id, @start_ts, @end_ts, @client_ip_id, @user_id, @protocol_id, @login_state, @login_code, @uploads, @downloads,
        @deletes, @renames, @failures, @bytes_up, @bytes_down, @open)`)
        .run({ ...s, ...ids, conn_head_id: keyHeads.id(head, true), conn_tail: tail, login_state: loginCode(s.login as Parameters<typeof loginCode>[0]) });
    }
    storeSessionSpans(db);
    storeLineSpans(db);
    for (const t of f.transfers) {
      const ids = Object.fromEntries(TRANSFER_STRING_COLUMNS.map((c) => [`${c}_id`, strings.id(TRANSFER_STRING_DIMS[c], t[c])]));
      db.prepare(`INSERT INTO transfers (id, session_id, ts, server_id, user_id, client_ip_id, protocol_id, op_code, path_id, path_to_id, bytes, status_code, code, source_id)
        VALUES (@id, @session_id, @ts, @server_id, @user_id, @client_ip_id, @protocol_id, @op_code, @path_id, @path_to_id, @bytes, @status_code, @code, @source_id)`)
        .run({ ...t, ...ids, op_code: opCode(t.op as EventOp), status_code: outcomeCode(t.status as Outcome) });
    }
    // The rows were written around the writer: so is their rollup.
    rebuildRollup(db);
  })();
}
