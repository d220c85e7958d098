/**
 * The live insight of follow mode: after each batch of followed lines, the failed-login bursts
 * (computeInsights, over the last stretch of the data the batch wrote) that are news: a burst
 * already reported, or already in the data when following began, is not reported again while it
 * goes on.
 */
import type { Db } from '../store/db.js';
import { computeInsights, type Insight, type InsightOptions } from './insights.js';

/** How far back from a batch's newest line bursts are looked for, at least. */
const LOOKBACK_MS = 60 * 60_000;

export class LiveBurstWatch {
  /** By subject (client IP): the data time up to which its bursts are known. */
  private readonly knownUntil = new Map<string, number>();
  private readonly newestOf;

  constructor(
    private readonly db: Db,
    private readonly thresholds: Pick<InsightOptions, 'burstFailures' | 'burstMinutes'> = {},
  ) {
    this.newestOf = db.prepare('SELECT max(last_ts) AS newest FROM sources WHERE path IN (SELECT value FROM json_each(?))');
  }

  /**
   * Looks at the bursts up to the newest line of `files` (just written). Returns the insight with
   * only the bursts not known before, or null when there is none; `baseline` learns them silently
   * (what the files held when following began).
   */
  check(files: readonly string[], opts: { baseline?: boolean } = {}): Insight | null {
    const { newest } = this.newestOf.get(JSON.stringify(files)) as { newest: number | null };
    if (newest === null) return null;
    const window = Math.max(LOOKBACK_MS, 3 * (this.thresholds.burstMinutes ?? 10) * 60_000);
    const [bursts] = computeInsights(this.db, { ...this.thresholds, from: newest - window, to: newest, top: 100, ids: ['failed-login-bursts'] });
    if (!bursts) return null;
    const fresh = bursts.findings.filter((f) => {
      const known = this.knownUntil.get(f.subject ?? f.label);
      // A burst that began by the time last looked at is the same one, going on.
      return known === undefined || (f.ts ?? newest) > known;
    });
    for (const f of bursts.findings) {
      const key = f.subject ?? f.label;
      this.knownUntil.set(key, Math.max(newest, this.knownUntil.get(key) ?? newest));
    }
    return fresh.length && !opts.baseline ? { ...bursts, findings: fresh } : null;
  }
}
