/** The meta table: one value per key (settings, followed paths, the analysis' and rollup's state). */
import type { Db } from './db.js';
import { preparedOnce } from './prepared.js';

/** Writes one key of the meta table. */
export function writeMeta(db: Db, key: string, value: string): void {
  preparedOnce(db, 'INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)').run(key, value);
}

/** Reads one key of the meta table (undefined when absent). */
export function readMeta(db: Db, key: string): string | undefined {
  return (preparedOnce(db, 'SELECT value FROM meta WHERE key = ?').get(key) as { value: string | null } | undefined)?.value ?? undefined;
}
