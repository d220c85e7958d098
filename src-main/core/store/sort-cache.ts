import type { Db } from './db.js';

/** KiB of page cache while a big sort runs (the connection's usual cache is 64 MiB). */
const SORT_CACHE_KIB = 16_384;

/**
 * Runs a big sort (building indexes, the rollup) with a small page cache. SQLite's sorter keeps up
 * to the cache's size of rows in memory besides the cache itself, so the usual 64 MiB nearly doubled
 * the writer's peak at the end of a first index (3M events, in isolation: +127 MB → +11 MB above the
 * process's 118 MB, at the same speed: the sorted runs go to temporary files either way).
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
