import type { Db } from './db.js';
import { timed } from './db.js';
import type { DatabaseStats } from './stats-types.js';
import type { SourceRow } from './writer.js';

export type { DatabaseStats } from './stats-types.js';

/** Totals for the whole database, from the per-source counters (no scan of events). */
export function databaseStats(db: Db): DatabaseStats {
  return timed('stats', () => {
    const t = db.prepare(`SELECT count(*) AS sources, coalesce(sum(lines_indexed), 0) AS lines,
      coalesce(sum(events), 0) AS events, coalesce(sum(directives), 0) AS directives,
      coalesce(sum(unparsed), 0) AS unparsed, coalesce(sum(bytes_indexed), 0) AS bytes FROM sources`).get() as Omit<DatabaseStats, 'files' | 'formats'>;
    const formats: Record<string, number> = {};
    for (const r of db.prepare('SELECT coalesce(format, \'unknown\') AS format, count(*) AS n FROM sources GROUP BY 1').all() as { format: string; n: number }[]) {
      formats[r.format] = r.n;
    }
    return { ...t, files: t.sources, formats };
  });
}

export function listSources(db: Db): SourceRow[] {
  return timed('sources', () => db.prepare('SELECT * FROM sources ORDER BY path').all() as SourceRow[]);
}
