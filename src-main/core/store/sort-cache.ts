import type { Db } from './db.js';

/** KiB of page cache while a big sort runs (the connection's usual cache is 16 or 64 MiB). */
const SORT_CACHE_KIB = 2_048;

/**
 * Runs a big sort (building indexes, the rollup) with a small page cache. SQLite's sorter keeps up
 * to the cache's size of rows in memory besides the cache itself, so the usual 64 MiB nearly doubled
 * the writer's peak at the end of a first index (3M events, in isolation: +127 MB → +11 MB above the
 * process's 118 MB). Smaller sorted runs, merged from temporary files, are also faster on this
 * machine: the 15 deferred indexes of 1M lines took 4.4–5.8 s of CPU with 2 MiB against 6.1–6.8 s
 * with 16 MiB and 6.8–7.3 s with 64 MiB (three runs each, interleaved); the rollup the same.
 */
export function withSortCache<T>(db: Db, run: () => T): T {
  const before = db.pragma('cache_size', { simple: true }) as number;
  db.pragma(`cache_size = -${SORT_CACHE_KIB}`);
  try {
    return run();
  } finally {
    db.pragma(`cache_size = ${before}`);
  }
}
