/**
 * What the time charts need besides uPlot: tick labels that are distinct dates or times whatever the
 * span, whole-number steps for count axes, and the range where the data is dense (one old file must
 * not stretch the charts to twenty years of empty months).
 */
import { formatTs, type TimeDisplay } from './format.js';

/** Steps a count axis may use: whole numbers only (1, 2, 5, 10, 20, 25, 50, 100…). */
export const WHOLE_INCREMENTS: readonly number[] = (() => {
  const out: number[] = [];
  for (let p = 1; p <= 1e15; p *= 10) out.push(p, 2 * p, ...(p >= 10 ? [2.5 * p] : []), 5 * p);
  return out;
})();

const DAY_S = 86_400;

/** [start, end) of the `YYYY-MM-DD HH:MM:SS` form each tick step shows. */
function cut(stepS: number, spanS: number, crossesDays: boolean, crossesYears: boolean): [number, number] {
  if (stepS < 60) return crossesDays ? [5, 19] : [11, 19];
  if (stepS < DAY_S) return crossesDays ? [5, 16] : [11, 16];
  if (stepS < 28 * DAY_S) return crossesYears ? [0, 10] : [5, 10];
  if (stepS < 365 * DAY_S || spanS < 2 * 365 * DAY_S) return [0, 7];
  return [0, 4];
}

/**
 * Labels of time ticks (`splits` in epoch seconds, as uPlot gives them): as short as the step
 * allows, and never the same label twice (three days of 6-hour ticks read `11-24 06:00`, not
 * `11-24 11-24 11-24`).
 */
export function timeTickLabels(splits: readonly number[], display: TimeDisplay): string[] {
  const full = splits.map((s) => formatTs(s * 1000, display));
  if (full.length < 2) return full.map((f) => f.slice(0, 16));
  const stepS = splits[1]! - splits[0]!;
  const spanS = splits[splits.length - 1]! - splits[0]!;
  const crossesDays = full[0]!.slice(0, 10) !== full[full.length - 1]!.slice(0, 10);
  const crossesYears = full[0]!.slice(0, 4) !== full[full.length - 1]!.slice(0, 4);
  const [start, end] = cut(stepS, spanS, crossesDays, crossesYears);
  const labels = full.map((f) => f.slice(start, end));
  return new Set(labels).size === labels.length ? labels : full.map((f) => f.slice(0, stepS < 60 ? 19 : 16));
}

/** Share of the rows the dense range keeps; what lies outside it is "outliers". */
export const DENSE_SHARE = 0.99;

/**
 * The smallest run of buckets holding `share` of the counts, when it is much narrower than the
 * whole range (under a fifth): [from, to) in the buckets' times. Null when the data is spread out.
 */
export function denseRange(timeline: readonly { t: number; count: number }[], bucketMs: number, share = DENSE_SHARE): { from: number; to: number } | null {
  const total = timeline.reduce((n, b) => n + b.count, 0);
  if (!total || timeline.length < 10) return null;
  const need = total * share;
  let best: [number, number] | null = null;
  let sum = 0;
  let lo = 0;
  for (let hi = 0; hi < timeline.length; hi++) {
    sum += timeline[hi]!.count;
    while (sum - timeline[lo]!.count >= need) sum -= timeline[lo++]!.count;
    if (sum >= need && (!best || hi - lo < best[1] - best[0])) best = [lo, hi];
  }
  if (!best || (best[1] - best[0] + 1) * 5 > timeline.length) return null;
  const last = timeline[best[1]]!;
  const next = timeline[best[1] + 1]?.t ?? last.t + bucketMs;
  return { from: timeline[best[0]]!.t, to: next };
}
