/**
 * What a report holds and how one is asked for (report.ts builds it, html.ts renders it). Types
 * only, importing only types: the API contract re-exports them, and the renderer type-checks them
 * without Node types.
 */
import type { Insight } from '../analysis/insight-types.js';
import type { TimelineBucket, TopEntry } from '../query/aggregate-types.js';
import type { QueryKind } from '../query/column-types.js';
import type { Explanation } from '../explain/types.js';

export type ReportFormat = 'html' | 'pdf';
export type PaperSize = 'a4' | 'letter';

export interface ReportRequest {
  /** The search (the search language); '' = everything. */
  query: string;
  /** Only rows at or after / strictly before these times (UTC ms); default: the whole data. */
  from?: number;
  to?: number;
  /** IANA zone of the dates shown and of dates in the query without an offset. */
  timeZone: string;
  /** The report's title (default "Transfer report"). */
  title?: string;
  /** Transfers listed at most, 1..10000 (default 1000); the rest are counted and named by an export command. */
  maxTransfers?: number;
}

/** One number of the summary, with the query (and kind) that counts it: what the search language returns. */
export interface ReportFigure {
  id: 'events' | 'sessions' | 'logins-ok' | 'logins-failed' | 'uploads' | 'downloads' | 'failed-transfers' | 'failed-events';
  label: string;
  kind: QueryKind;
  query: string;
  /** Null when the search does not apply to this kind (e.g. `verb:` for sessions). */
  count: number | null;
  /** Bytes moved, for uploads and downloads. */
  bytes?: number;
}

export interface ReportSource {
  path: string;
  format: string | null;
  firstTs: number | null;
  lastTs: number | null;
  lines: number;
  timeZone: string | null;
}

export interface FailedLoginGroup {
  clientIp: string | null;
  user: string | null;
  count: number;
  first: number | null;
  last: number | null;
  /** Why, in a few words each ("530 Not logged in", "Incorrect password"). */
  reasons: string[];
}

export interface FailedTransferGroup {
  code: string | null;
  op: string | null;
  protocol: string | null;
  count: number;
  explanations: Explanation[];
}

export interface ReportTransfer {
  ts: number | null;
  user: string | null;
  clientIp: string | null;
  op: string | null;
  path: string | null;
  pathTo: string | null;
  bytes: number | null;
  durationMs: number | null;
  status: string | null;
  code: string | null;
}

/** A section that cannot be made for this search (its fields do not apply to the rows it lists). */
export interface NotApplicable {
  notApplicable: string;
}

export interface ReportData {
  title: string;
  /** UTC ms. */
  generatedAt: number;
  version: string;
  timeZone: string;
  /** The search as given, and with the report's range added (what every number below counts). */
  query: string;
  scopeQuery: string;
  period: { from: number | null; to: number | null };
  sources: { list: ReportSource[]; total: number };
  servers: TopEntry[];
  figures: ReportFigure[];
  activity: { bucketLabel: string; timeline: TimelineBucket[]; total: number; failures: number } | NotApplicable;
  top: { users: TopEntry[]; ips: TopEntry[]; paths: TopEntry[] } | NotApplicable;
  failedLogins: { query: string; groups: FailedLoginGroup[]; totalGroups: number } | NotApplicable;
  failedTransfers: { query: string; groups: FailedTransferGroup[]; totalGroups: number } | NotApplicable;
  transfers: { query: string; rows: ReportTransfer[]; total: number; exportCommand: string } | NotApplicable;
  /** Insights with findings over the report's period (all logs: insights do not take a search). */
  insights: Insight[];
}

export interface ReportProgress {
  /** Sections done, of `steps`. */
  step: number;
  steps: number;
  label: string;
}
