/**
 * What `computeInsights` (insights.ts) answers. Types only, importing only types: the API contract
 * re-exports them, and the renderer type-checks them without Node types.
 */
import type { QueryKind } from '../query/column-types.js';

/** Thresholds of the insights (defaults as `xferlens insights`); in brackets, what the API accepts. */
export interface InsightThresholds {
  /** Only data at or after this time (UTC ms); default: everything. */
  from?: number;
  /** Only data at or before this time (UTC ms); default: everything. */
  to?: number;
  /** Failed-login burst: at least this many failures from one IP … (2..1000) */
  burstFailures?: number;
  /** … within this many minutes. (1..1440) */
  burstMinutes?: number;
  /** An account is "attacked" when failed logins come from at least this many IPs. (2..1000) */
  attackIps?: number;
  /** A path "fails repeatedly" after this many failed transfers. (2..1000) */
  repeatedFailures?: number;
  /** A client is "new" for a user when first seen in this many days before the end of the data. (1..3650) */
  newClientDays?: number;
  /** Findings per insight at most. (1..100) */
  top?: number;
}

export type InsightSeverity = 'info' | 'warning' | 'critical';

export interface InsightFinding {
  /** One line a person reads: "203.0.113.7: 12 failed logins in 4 min (admin, root)". */
  label: string;
  count: number;
  /** The search-language query that shows the rows behind this finding (open it in `kind`). */
  query: string;
  kind: QueryKind;
  ts?: number;
  /** The one value the finding is about, when it has one (a burst's client IP). */
  subject?: string;
}

export interface Insight {
  id: string;
  title: string;
  severity: InsightSeverity;
  /** What was looked for, with the thresholds used. */
  description: string;
  findings: InsightFinding[];
  /** What the findings' counts are when not a number of rows: bytes (the largest transfers). */
  countUnit?: 'bytes';
}
