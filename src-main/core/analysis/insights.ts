/**
 * Insights: the questions admins ask first ("are we being brute-forced?", "who logs in from a new
 * place?", "what keeps failing?"), answered from sessions, transfers and login events. Every finding
 * carries a query in the search language, so the browse view can open exactly the rows behind it.
 */
import { formatBytes } from '../units.js';
import type { Db } from '../store/db.js';
import { timed } from '../store/db.js';
import type { Insight, InsightFinding, InsightThresholds } from './insight-types.js';
import { everyTransfer } from '../store/plain-transfers.js';
import { minutesByLargestTransfer, minuteTimes, rollupCurrent } from '../store/rollup.js';
import { stringSql } from '../store/strings.js';

export type { Insight, InsightFinding, InsightSeverity, InsightThresholds } from './insight-types.js';

export interface InsightOptions extends InsightThresholds {
  /** Only these insights, by id (default: all); the live check after each followed batch needs one. */
  ids?: readonly InsightId[];
}

export const INSIGHT_IDS = ['failed-login-bursts', 'attacked-accounts', 'new-clients', 'largest-transfers', 'repeated-failures', 'never-logged-in'] as const;
export type InsightId = (typeof INSIGHT_IDS)[number];

const iso = (ms: number) => new Date(ms).toISOString().replace(/\.000Z$/, 'Z');
/** Quotes a value for the search language when it has spaces, quotes or parentheses. */
export function queryValue(v: string): string {
  return /^[^\s"()]+$/.test(v) && !/^(OR|AND|NOT)$/i.test(v) ? v : `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}
const timeTerms = (from: number, to: number) => `after:${iso(from)} before:${iso(to + 1000)}`;

/**
 * Failed login attempts, one per attempt even when several logs record it: records of the same
 * client IP from different logs within a second (two for whole-second logs), with compatible user
 * and session, are one attempt.
 */
function failedAttempts(db: Db, from: number, to: number): { ts: number; ip: string; user: string | null }[] {
  const rows = db
    .prepare(`SELECT e.ts, coalesce(${stringSql('e', 'client_ip')}, ${stringSql('s', 'client_ip')}) AS ip,
      coalesce(${stringSql('e', 'user')}, ${stringSql('s', 'user')}) AS user, e.session_id, e.source_id
      FROM events e LEFT JOIN sessions s ON s.id = e.session_id
      WHERE e.op = 'login' AND e.outcome = 'failed' AND e.ts BETWEEN ? AND ? ORDER BY e.ts`)
    .all(from, to) as { ts: number; ip: string | null; user: string | null; session_id: number | null; source_id: number }[];
  type Attempt = { ts: number; ip: string; user: string | null; session: number | null; sources: Set<number> };
  const recent = new Map<string, Attempt[]>();
  const out: Attempt[] = [];
  for (const r of rows) {
    if (!r.ip) continue;
    const window = 1000 + (r.ts % 1000 === 0 ? 999 : 0);
    const list = recent.get(r.ip) ?? recent.set(r.ip, []).get(r.ip)!;
    while (list.length && r.ts - list[0]!.ts > 2000) list.shift();
    const same = list.find(
      (k) => r.ts - k.ts <= window && !k.sources.has(r.source_id) &&
        (!k.user || !r.user || k.user.toLowerCase() === r.user.toLowerCase()) &&
        (k.session === null || r.session_id === null || k.session === r.session_id),
    );
    if (same) {
      same.sources.add(r.source_id);
      same.user ??= r.user;
      same.session ??= r.session_id;
      continue;
    }
    const a: Attempt = { ts: r.ts, ip: r.ip, user: r.user, session: r.session_id, sources: new Set([r.source_id]) };
    list.push(a);
    out.push(a);
  }
  return out;
}

export function computeInsights(db: Db, opts: InsightOptions = {}): Insight[] {
  return timed('insights', () => {
    const range = db.prepare('SELECT min(first_ts) AS lo, max(last_ts) AS hi FROM sources').get() as { lo: number | null; hi: number | null };
    const from = opts.from ?? range.lo ?? 0;
    const to = opts.to ?? range.hi ?? Date.now();
    const top = opts.top ?? 10;
    const burstN = opts.burstFailures ?? 5, burstMin = opts.burstMinutes ?? 10;
    const attackIps = opts.attackIps ?? 3, repeated = opts.repeatedFailures ?? 3, newDays = opts.newClientDays ?? 7;
    let attempts: ReturnType<typeof failedAttempts> | undefined;
    const failed = () => (attempts ??= failedAttempts(db, from, to));
    const make: Record<InsightId, () => Insight> = {
      'failed-login-bursts': () => failedLoginBursts(failed(), burstN, burstMin * 60_000, top),
      'attacked-accounts': () => attackedAccounts(failed(), attackIps, from, to, top),
      'new-clients': () => newClients(db, from, to, newDays, top),
      'largest-transfers': () => largestTransfers(db, from, to, top),
      'repeated-failures': () => repeatedFailuresOf(db, from, to, repeated, top),
      'never-logged-in': () => neverLoggedIn(db, from, to, top),
    };
    return INSIGHT_IDS.filter((id) => !opts.ids || opts.ids.includes(id)).map((id) => make[id]());
  });
}

function failedLoginBursts(attempts: { ts: number; ip: string; user: string | null }[], n: number, windowMs: number, top: number): Insight {
  const byIp = new Map<string, { ts: number; user: string | null }[]>();
  for (const a of attempts) (byIp.get(a.ip) ?? byIp.set(a.ip, []).get(a.ip)!).push(a);
  const findings: InsightFinding[] = [];
  for (const [ip, list] of byIp) {
    // Sliding window; overlapping windows of one IP merge into one burst.
    let i = 0;
    let burst: { start: number; end: number; count: number; users: Set<string> } | null = null;
    const flush = () => {
      if (!burst) return;
      const minutes = Math.max(1, Math.round((burst.end - burst.start) / 60_000));
      const users = [...burst.users].slice(0, 5).join(', ');
      findings.push({
        label: `${ip}: ${burst.count} failed logins in ${minutes} min${users ? ` (${users})` : ''}`,
        count: burst.count, kind: 'events', ts: burst.start, subject: ip,
        query: `ip:${queryValue(ip)} dir:login status:failed ${timeTerms(burst.start, burst.end)}`,
      });
      burst = null;
    };
    for (let j = 0; j < list.length; j++) {
      while (list[j]!.ts - list[i]!.ts > windowMs) i++;
      if (j - i + 1 >= n) {
        if (burst && list[i]!.ts <= burst.end) {
          burst.end = list[j]!.ts;
          burst.count = burst.count + 1;
        } else {
          flush();
          burst = { start: list[i]!.ts, end: list[j]!.ts, count: j - i + 1, users: new Set() };
          for (let k = i; k < j; k++) if (list[k]!.user) burst.users.add(list[k]!.user!);
        }
        if (list[j]!.user) burst.users.add(list[j]!.user!);
      }
    }
    flush();
  }
  findings.sort((a, b) => b.count - a.count);
  return {
    id: 'failed-login-bursts', title: 'Failed-login bursts', severity: findings.length ? 'critical' : 'info',
    description: `At least ${n} failed logins from one client IP within ${windowMs / 60_000} minutes.`,
    findings: findings.slice(0, top),
  };
}

function attackedAccounts(attempts: { ts: number; ip: string; user: string | null }[], minIps: number, from: number, to: number, top: number): Insight {
  const byUser = new Map<string, { ips: Set<string>; count: number }>();
  for (const a of attempts) {
    if (!a.user) continue;
    const key = a.user;
    const u = byUser.get(key) ?? byUser.set(key, { ips: new Set(), count: 0 }).get(key)!;
    u.ips.add(a.ip);
    u.count++;
  }
  const findings = [...byUser]
    .filter(([, u]) => u.ips.size >= minIps)
    .sort((a, b) => b[1].ips.size - a[1].ips.size || b[1].count - a[1].count)
    .slice(0, top)
    .map(([user, u]): InsightFinding => ({
      label: `${user}: ${u.count} failed logins from ${u.ips.size} IPs`,
      count: u.ips.size, kind: 'events',
      query: `user:${queryValue(user)} dir:login status:failed ${timeTerms(from, to)}`,
    }));
  return {
    id: 'attacked-accounts', title: 'Accounts attacked from many IPs', severity: findings.length ? 'warning' : 'info',
    description: `Accounts with failed logins from at least ${minIps} different client IPs.`, findings,
  };
}

function newClients(db: Db, from: number, to: number, days: number, top: number): Insight {
  const since = Math.max(from, to - days * 86_400_000);
  // A user's IPs with their first successful session; "new" = first seen recently while the user
  // already had sessions from somewhere else before. The sessions are read in the table's order and
  // grouped apart: walked on sessions_user (sorted already) each was a read at random (10M EFT lines,
  // 932k sessions: 3.1–3.6 s against 2.0–2.3 s; the same at 1M). They are grouped by their strings'
  // ids (schema 31), then the users' spellings are named and grouped without case.
  const rows = db
    .prepare(`WITH pairs AS (
        SELECT user_id, client_ip_id, min(start_ts) AS first_ts, count(*) AS sessions FROM sessions NOT INDEXED
        WHERE login = 'success' AND user_id IS NOT NULL AND client_ip_id IS NOT NULL AND start_ts <= ?
        GROUP BY user_id, client_ip_id),
      firsts AS (
        SELECT ${stringSql('p', 'user')} AS user, ${stringSql('p', 'client_ip')} AS client_ip, min(first_ts) AS first_ts, sum(sessions) AS sessions
        FROM pairs p GROUP BY 1 COLLATE NOCASE, p.client_ip_id)
      SELECT f.user, f.client_ip, f.first_ts, f.sessions FROM firsts f
      WHERE f.first_ts >= ? AND EXISTS (SELECT 1 FROM firsts o WHERE o.user = f.user COLLATE NOCASE AND o.first_ts < ?)
      ORDER BY f.first_ts DESC, f.user, f.client_ip LIMIT ?`)
    .all(to, since, since, top) as { user: string; client_ip: string; first_ts: number; sessions: number }[];
  return {
    id: 'new-clients', title: 'Clients seen for the first time', severity: rows.length ? 'warning' : 'info',
    description: `Users who logged in from a client IP first seen in the last ${days} days of the data, after earlier logins from other IPs.`,
    findings: rows.map((r) => ({
      label: `${r.user} from ${r.client_ip} (first ${iso(r.first_ts)}, ${r.sessions} session${r.sessions === 1 ? '' : 's'})`,
      count: r.sessions, kind: 'sessions', ts: r.first_ts,
      query: `user:${queryValue(r.user)} ip:${queryValue(r.client_ip)}`,
    })),
  };
}

function largestTransfers(db: Db, from: number, to: number, top: number): Insight {
  const rows = db.transaction(() => largestTransferRows(db, from, to, top))();
  return {
    id: 'largest-transfers', title: 'Largest transfers', severity: 'info', countUnit: 'bytes',
    description: 'The biggest uploads and downloads in the range.',
    findings: rows.map((r) => ({
      label: `${r.op} ${r.path ?? '?'} by ${r.user ?? '?'}: ${formatBytes(r.bytes)}`,
      count: r.bytes, kind: 'transfers', ts: r.ts,
      query: `dir:${r.op}${r.path ? ` path:${queryValue(r.path)}` : ''}${r.user ? ` user:${queryValue(r.user)}` : ''}`,
    })),
  };
}

interface LargeTransfer {
  id: number;
  ts: number;
  op: string;
  user: string | null;
  path: string | null;
  bytes: number;
}

/** Minutes of the rollup read one by one for the largest transfers at most; past them every transfer is read. */
const LARGEST_MINUTES_READ = 1000;

/**
 * The `top` largest transfers from `from` to `to` that moved bytes and did not fail (the largest
 * first, then the latest). Each minute of the rollup holds the most bytes one of its transfers moved:
 * the minutes are read from the largest down until the next cannot hold one as large as the last of
 * the top, so that reading every transfer is left to a stale rollup or a range of many alike (10M EFT
 * lines: 4.0 → 0.3 s). Call in a read transaction (the rollup and the rows of one snapshot).
 */
function largestTransferRows(db: Db, from: number, to: number, top: number): LargeTransfer[] {
  const select = (where: string) => `SELECT id, ts, op, ${stringSql('t', 'user')} AS user, ${stringSql('t', 'path')} AS path, bytes
    FROM ${everyTransfer(`t.bytes > 0 AND t.status != 'failed' AND ${where}`)} t`;
  const everyOne = () => db.prepare(`${select('t.ts BETWEEN @from AND @to')} ORDER BY bytes DESC, ts DESC, id LIMIT @top`).all({ from, to, top }) as LargeTransfer[];
  if (top < 1) return [];
  if (!rollupCurrent(db)) return everyOne();
  const inMinute = db.prepare(select('t.ts BETWEEN @lo AND @hi'));
  const found: LargeTransfer[] = [];
  const minutes = minutesByLargestTransfer(db, from, to);
  for (let i = 0; i < minutes.length; i++) {
    if (found.length >= top && minutes[i]!.maxBytes < found[top - 1]!.bytes) break;
    if (i === LARGEST_MINUTES_READ) return everyOne();
    const [lo, hi] = minuteTimes(minutes[i]!.minute);
    found.push(...(inMinute.all({ lo: Math.max(lo, from), hi: Math.min(hi, to) }) as LargeTransfer[]));
    found.sort((a, b) => b.bytes - a.bytes || b.ts - a.ts || a.id - b.id);
    found.length = Math.min(found.length, top);
  }
  return found;
}

function repeatedFailuresOf(db: Db, from: number, to: number, min: number, top: number): Insight {
  const rows = db
    .prepare(`SELECT op, ${stringSql('t', 'path')} AS path, count(*) AS n, count(DISTINCT user_id) AS users, min(ts) AS first, max(ts) AS last
      FROM ${everyTransfer("t.status = 'failed' AND t.path_id IS NOT NULL AND t.ts BETWEEN @from AND @to")} t
      GROUP BY op, path_id HAVING n >= @min ORDER BY n DESC, last DESC, op, path_id LIMIT @top`)
    .all({ from, to, min, top }) as { op: string; path: string; n: number; users: number; first: number; last: number }[];
  return {
    id: 'repeated-failures', title: 'Transfers failing again and again', severity: rows.length ? 'warning' : 'info',
    description: `The same operation on the same path failed at least ${min} times.`,
    findings: rows.map((r) => ({
      label: `${r.op} ${r.path}: failed ${r.n} times (${r.users} user${r.users === 1 ? '' : 's'})`,
      count: r.n, kind: 'transfers', ts: r.last,
      query: `dir:${r.op} path:${queryValue(r.path)} status:failed`,
    })),
  };
}

function neverLoggedIn(db: Db, from: number, to: number, top: number): Insight {
  const rows = db
    .prepare(`SELECT ${stringSql('s', 'client_ip')} AS client_ip, count(*) AS n, sum(login = 'failed') AS failed, min(start_ts) AS first FROM sessions s
      WHERE login != 'success' AND client_ip_id IS NOT NULL AND start_ts BETWEEN ? AND ? GROUP BY client_ip_id ORDER BY n DESC, first LIMIT ?`)
    .all(from, to, top) as { client_ip: string; n: number; failed: number; first: number }[];
  return {
    id: 'never-logged-in', title: 'Sessions that never logged in', severity: rows.length ? 'warning' : 'info',
    description: 'Connections that ended without a successful login (failed passwords, scanners, health checks), by client IP.',
    findings: rows.map((r) => ({
      label: `${r.client_ip}: ${r.n} session${r.n === 1 ? '' : 's'} without login (${r.failed} with failed logins)`,
      count: r.n, kind: 'sessions', ts: r.first,
      query: `ip:${queryValue(r.client_ip)} -status:success`,
    })),
  };
}
