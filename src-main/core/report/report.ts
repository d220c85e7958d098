/**
 * A report of one search over one period (docs/reports.md): its figures, activity over time, top
 * values, failed logins and transfers explained, the transfers themselves and the insights that fired.
 * Everything comes through the query layer with the search language: each figure carries the query
 * that counts it, so `xferlens search`/`transfers` with that query gives the same number (without a
 * search, the rollup's sums of the same rows: store/rollup.ts, minuteSums). Reads are bounded:
 * counts and groups run on the indexes (and the rollup for the chart and the figures without a
 * search), lists are LIMITed, so a report over millions of rows is read in seconds and its size
 * stays small.
 */
import { computeInsights, type InsightId } from '../analysis/insights.js';
import { rowExplanations } from '../explain/row.js';
import { formatShort } from '../explain/index.js';
import { aggregate, countRows, groupRows, queryPage, QuerySyntaxError, timeSpan, type QueryKind } from '../query/index.js';
import type { Insight } from '../analysis/insight-types.js';
import { compileQuery } from '../query/page.js';
import type { Db } from '../store/db.js';
import { minuteSums } from '../store/rollup.js';
import { listSources } from '../store/stats.js';
import { VERSION } from '../version.js';
import type {
  FailedLoginGroup, FailedTransferGroup, NotApplicable, ReportData, ReportFigure, ReportProgress, ReportRequest, ReportSource, ReportTransfer,
} from './report-types.js';

export type * from './report-types.js';

export const DEFAULT_TITLE = 'Transfer report';
export const DEFAULT_MAX_TRANSFERS = 1000;
export const MAX_TRANSFERS = 10_000;
/** Rows of the other lists at most (failed-login and failed-transfer groups, files, servers). */
const MAX_GROUPS = 50;
const MAX_SOURCES = 100;

const iso = (ms: number) => new Date(ms).toISOString();

/** Terms of the search language side by side (all must match); '' for none. */
export function allOf(...terms: string[]): string {
  return terms.map((t) => t.trim()).filter(Boolean).join(' ');
}

/** The search with the report's range: `(QUERY) after:FROM before:TO`, times exact to the millisecond. */
export function scopeQuery(req: Pick<ReportRequest, 'query' | 'from' | 'to'>): string {
  const q = req.query.trim();
  return allOf(q && `(${q})`, req.from !== undefined ? `after:${iso(req.from)}` : '', req.to !== undefined ? `before:${iso(req.to)}` : '');
}

/** A word for a POSIX shell: in single quotes, a quote inside as '\''. */
export function shellQuote(s: string): string {
  return /^[\w@%+=:,./-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`;
}

/**
 * Checks the report's search: a mistake (or a search that applies to no kind) throws its
 * QuerySyntaxError, pointed at in the search as typed. Answers why it does not apply to sessions or
 * transfers, where it does not (`verb:` means nothing for them): those sections are left out.
 */
export function checkReportRequest(db: Db, req: ReportRequest, qopts: { now?: number; timeZone?: string } = { timeZone: req.timeZone }): Map<QueryKind, string> {
  const scope = scopeQuery(req);
  // A mistake in the search is pointed at in the search as typed (the scope wraps it in parentheses).
  compileQuery(db, 'events', req.query, qopts);
  // Which kinds the search applies to: a field that does not apply to one is an error there only.
  const problems = new Map<QueryKind, string>();
  for (const kind of ['events', 'sessions', 'transfers'] as const) {
    try {
      compileQuery(db, kind, scope, qopts);
    } catch (err) {
      if (!(err instanceof QuerySyntaxError)) throw err;
      if (kind === 'events') throw err;
      problems.set(kind, err.message);
    }
  }
  return problems;
}

/** Sections, in the order they are made (progress counts them). */
const STEPS = ['figures', 'activity', 'failed logins', 'failed transfers', 'transfers', 'insights'] as const;
export const REPORT_STEPS = STEPS.length;

export interface BuildOptions {
  onProgress?(p: ReportProgress): void;
  /** "Now" for relative dates in the query and the report's date; default Date.now(). */
  now?: number;
  /** The insights are computed elsewhere (make.ts): left empty, and their step not told as done. */
  insightsElsewhere?: boolean;
}

/**
 * The report's period: its range, or where the events its search selects begin and end (the end
 * exclusive), null where there are none.
 */
export function reportPeriod(db: Db, req: ReportRequest, qopts: { now?: number; timeZone: string }): { from: number | null; to: number | null } {
  const span = req.from !== undefined && req.to !== undefined ? null : timeSpan(db, 'events', scopeQuery(req), qopts);
  return { from: req.from ?? span?.first ?? null, to: req.to ?? (span ? span.last + 1 : null) };
}

/** The insights that fired over a period (of every row: they take no search); `ids`: only these. */
export function periodInsights(db: Db, period: { from: number | null; to: number | null }, ids?: readonly InsightId[]): Insight[] {
  if (period.from === null || period.to === null) return [];
  return computeInsights(db, { from: period.from, to: period.to - 1, ...(ids ? { ids } : {}) }).filter((i) => i.findings.length);
}

/**
 * Reads everything the report shows. A search that does not apply to sessions or transfers (`verb:`
 * has no meaning for them) leaves their sections "not applicable"; a mistake throws its QuerySyntaxError.
 */
export function buildReport(db: Db, req: ReportRequest, opts: BuildOptions = {}): ReportData {
  const now = opts.now ?? Date.now();
  const maxTransfers = req.maxTransfers ?? DEFAULT_MAX_TRANSFERS;
  if (!Number.isInteger(maxTransfers) || maxTransfers < 1 || maxTransfers > MAX_TRANSFERS) {
    throw new RangeError(`maxTransfers must be a whole number from 1 to ${MAX_TRANSFERS} (got ${maxTransfers})`);
  }
  if (req.from !== undefined && req.to !== undefined && req.from >= req.to) throw new RangeError('the report\'s start must be before its end');
  const qopts = { now, timeZone: req.timeZone };
  const scope = scopeQuery(req);

  const problems = checkReportRequest(db, req, qopts);
  const applies = (kind: QueryKind) => !problems.has(kind);
  const na = (kind: QueryKind): NotApplicable => ({ notApplicable: `${problems.get(kind)!} (for ${kind})` });

  let step = 0;
  const progress = () => opts.onProgress?.({ step: ++step, steps: STEPS.length, label: STEPS[step] ?? 'done' });
  opts.onProgress?.({ step: 0, steps: STEPS.length, label: STEPS[0] });

  // Figures: counts of the search language (each figure carries its query).
  const counts = figureCounts(db, req, scope, qopts, applies('transfers'));
  const figures: ReportFigure[] = [];
  figures.push({ id: 'events', label: 'Log lines', kind: 'events', query: scope, count: countRows(db, 'events', scope, qopts) });
  figures.push({ id: 'sessions', label: 'Sessions', kind: 'sessions', query: scope, count: applies('sessions') ? countRows(db, 'sessions', scope, qopts) : null });
  figures.push({ id: 'logins-ok', label: 'Logins OK', kind: 'events', query: allOf(scope, 'dir:login status:success'), count: counts.loginsOk });
  figures.push({ id: 'logins-failed', label: 'Logins failed', kind: 'events', query: allOf(scope, 'dir:login status:failed'), count: counts.loginsFailed });
  figures.push({ id: 'uploads', label: 'Uploads', kind: 'transfers', query: allOf(scope, 'dir:upload'), ...counts.uploads });
  figures.push({ id: 'downloads', label: 'Downloads', kind: 'transfers', query: allOf(scope, 'dir:download'), ...counts.downloads });
  figures.push({ id: 'failed-transfers', label: 'Failed file operations', kind: 'transfers', query: allOf(scope, 'status:failed'), count: counts.failedTransfers });
  figures.push({ id: 'failed-events', label: 'Failed log lines', kind: 'events', query: allOf(scope, 'status:failed'), count: counts.failedEvents });

  const servers = groupRows(db, applies('sessions') ? 'sessions' : 'events', allOf(scope, 'server:*'), ['server'], { ...qopts, limit: 20 }).groups
    .map((g) => ({ value: String(g.values.server), count: g.count }));
  progress();

  // Activity and top values: the events' chart of the search (the rollup answers it when unfiltered).
  const chart = aggregate(db, 'events', scope, { ...qopts, buckets: 60, top: 10, ...(req.from !== undefined ? { from: req.from } : {}), ...(req.to !== undefined ? { to: req.to } : {}) });
  const period = reportPeriod(db, req, qopts);
  const sources = reportSources(db, period);
  progress();

  const failedLogins = failedLoginGroups(db, allOf(scope, 'dir:login status:failed'), qopts);
  progress();

  let failedTransfers: ReportData['failedTransfers'] = na('transfers');
  if (applies('transfers')) {
    const query = allOf(scope, 'status:failed');
    const g = groupRows(db, 'transfers', query, ['code', 'op', 'protocol', 'format'], { ...qopts, limit: MAX_GROUPS });
    failedTransfers = {
      query,
      totalGroups: g.totalGroups,
      groups: g.groups.map((x): FailedTransferGroup => ({
        code: str(x.values.code), op: str(x.values.op), protocol: str(x.values.protocol), count: x.count,
        explanations: rowExplanations('transfers', x.values).slice(0, 2),
      })),
    };
  }
  progress();

  let transfers: ReportData['transfers'] = na('transfers');
  if (applies('transfers')) {
    const page = queryPage(db, { kind: 'transfers', query: scope, sort: 'ts', order: 'asc', limit: maxTransfers, count: true }, qopts);
    transfers = {
      query: scope,
      total: page.total ?? page.rows.length,
      rows: page.rows.map((r): ReportTransfer => ({
        ts: num(r.ts), user: str(r.user), clientIp: str(r.client_ip), op: str(r.op), path: str(r.path), pathTo: str(r.path_to),
        bytes: num(r.bytes), durationMs: num(r.duration_ms), status: str(r.status), code: str(r.code),
      })),
      exportCommand: ['xferlens', 'export', '--kind', 'transfers', '--query', scope || "''", ...(req.timeZone !== 'UTC' ? ['--tz', req.timeZone] : []), '--out', 'transfers.csv']
        .map((w) => (w === "''" ? w : shellQuote(w))).join(' '),
    };
  }
  progress();

  const insights = opts.insightsElsewhere ? [] : periodInsights(db, period);
  if (!opts.insightsElsewhere) progress();

  return {
    title: req.title?.trim() || DEFAULT_TITLE,
    generatedAt: now,
    version: VERSION,
    timeZone: req.timeZone,
    query: req.query,
    scopeQuery: scope,
    period,
    sources,
    servers,
    figures,
    activity: { bucketLabel: chart.bucketLabel, timeline: chart.timeline, total: chart.total, failures: chart.failures },
    top: { users: chart.top.users, ips: chart.top.ips, paths: chart.top.paths },
    failedLogins,
    failedTransfers,
    transfers,
    insights,
  };
}

interface FigureCounts {
  loginsOk: number;
  loginsFailed: number;
  failedEvents: number;
  /** The transfers' (null where the search does not apply to them). */
  uploads: { count: number | null; bytes: number };
  downloads: { count: number | null; bytes: number };
  failedTransfers: number | null;
}

/**
 * The figures' counts. Of every row of whole minutes (no search) the rollup holds them (store/rollup.ts,
 * minuteSums: 10M EFT lines, 13 s → a few ms); otherwise events and transfers are grouped once each
 * by their operation and outcome, so that each count is one group (the rows its query selects).
 */
function figureCounts(db: Db, req: ReportRequest, scope: string, qopts: { now: number; timeZone: string }, transfersApply: boolean): FigureCounts {
  const sums = req.query.trim() ? null : minuteSums(db, req.from, req.to);
  if (sums) {
    const { events: e, transfers: t } = sums;
    return {
      loginsOk: e.logins_ok!, loginsFailed: e.logins_failed!, failedEvents: e.failures!,
      uploads: { count: t.uploads!, bytes: t.upload_bytes! }, downloads: { count: t.downloads!, bytes: t.download_bytes! }, failedTransfers: t.transfer_failures!,
    };
  }
  const eventGroups = groupRows(db, 'events', allOf(scope, '(dir:login OR status:failed)'), ['op', 'outcome'], { ...qopts, limit: 1000 }).groups;
  const eventsWhere = (op: string | null, outcome: string | null) =>
    eventGroups.filter((g) => (op === null || g.values.op === op) && (outcome === null || g.values.outcome === outcome)).reduce((n, g) => n + g.count, 0);
  const transferGroups = transfersApply ? groupRows(db, 'transfers', scope, ['op', 'status'], { ...qopts, limit: 1000 }).groups : null;
  const transfersWhere = (field: 'op' | 'status', value: string) => {
    const gs = transferGroups?.filter((g) => g.values[field] === value) ?? [];
    return { count: transferGroups ? gs.reduce((n, g) => n + g.count, 0) : null, bytes: gs.reduce((n, g) => n + g.bytes, 0) };
  };
  return {
    loginsOk: eventsWhere('login', 'success'), loginsFailed: eventsWhere('login', 'failed'), failedEvents: eventsWhere(null, 'failed'),
    uploads: transfersWhere('op', 'upload'), downloads: transfersWhere('op', 'download'), failedTransfers: transfersWhere('status', 'failed').count,
  };
}

const str = (v: unknown): string | null => (typeof v === 'string' ? v : typeof v === 'number' ? String(v) : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);

/** The indexed files whose time span meets the period (all of them when it is open). */
function reportSources(db: Db, period: { from: number | null; to: number | null }): ReportData['sources'] {
  const all = listSources(db).filter((s) =>
    period.from === null || period.to === null || s.first_ts === null || s.last_ts === null || (s.last_ts >= period.from && s.first_ts < period.to));
  const list = all.slice(0, MAX_SOURCES).map((s): ReportSource => {
    let timeZone: string | null = null;
    try {
      timeZone = (JSON.parse(s.options ?? '{}') as { timeZone?: string }).timeZone ?? null;
    } catch {
      // options unreadable: no zone shown
    }
    return { path: s.path, format: s.format, firstTs: s.first_ts, lastTs: s.last_ts, lines: s.lines_indexed, timeZone };
  });
  return { list, total: all.length };
}

/**
 * Failed logins by client IP and user (the largest groups), each with the reasons its lines give:
 * their codes and messages explained, read from the same rows grouped by what explains them.
 */
function failedLoginGroups(db: Db, query: string, qopts: { now: number; timeZone: string }): ReportData['failedLogins'] {
  const byWho = groupRows(db, 'events', query, ['client_ip', 'user'], { ...qopts, limit: MAX_GROUPS });
  const why = groupRows(db, 'events', query, ['client_ip', 'user', 'status', 'message', 'protocol', 'format', 'verb'], { ...qopts, limit: 2000 });
  const key = (ip: unknown, user: unknown) => `${String(ip)}\u0000${String(user)}`;
  const reasons = new Map<string, Set<string>>();
  for (const g of why.groups) {
    const k = key(g.values.client_ip, g.values.user);
    const set = reasons.get(k) ?? reasons.set(k, new Set()).get(k)!;
    const found = rowExplanations('events', g.values);
    const text = found.length ? found.map(formatShort) : [str(g.values.status), str(g.values.message)].filter((x): x is string => !!x);
    for (const t of text) if (set.size < 4) set.add(t);
  }
  return {
    query,
    totalGroups: byWho.totalGroups,
    groups: byWho.groups.map((g): FailedLoginGroup => ({
      clientIp: str(g.values.client_ip), user: str(g.values.user), count: g.count, first: g.first, last: g.last,
      reasons: [...(reasons.get(key(g.values.client_ip, g.values.user)) ?? [])],
    })),
  };
}
