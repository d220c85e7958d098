/**
 * What `aggregate` (aggregate.ts) answers: the charts of a query. Types only, importing nothing:
 * the API contract re-exports them, and the renderer type-checks them without Node types.
 */

export interface TimelineBucket {
  /** Bucket start, UTC epoch ms. */
  t: number;
  count: number;
  bytes: number;
  failures: number;
}

export interface TopEntry {
  value: string;
  count: number;
}

export interface Aggregates {
  /** The range charted (UTC ms, `to` exclusive): the request's, else that of the matching rows; null when none has a time. */
  from: number | null;
  to: number | null;
  /** Nominal bucket width (months count as 30 days; their `t` are real month starts). */
  bucketMs: number;
  /** e.g. "5 min", "1 day", "1 month". */
  bucketLabel: string;
  /** Every bucket from `from` to `to`, empty ones included. */
  timeline: TimelineBucket[];
  /** Sums of the timeline: matching rows that have a time within the range. */
  total: number;
  bytes: number;
  failures: number;
  /** Most frequent values among the matching rows (within from/to when given). Sessions have no paths. */
  top: { users: TopEntry[]; ips: TopEntry[]; paths: TopEntry[]; codes: TopEntry[] };
  /** heatmap[day][hour]: rows per weekday (0 = Monday … 6 = Sunday) and hour of day in the zone. */
  heatmap: number[][];
}
