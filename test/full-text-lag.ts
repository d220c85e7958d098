/**
 * The full-text index as a run still indexing, or one that stopped, leaves it (store/full-text.ts):
 * its last lines in neither of its tables yet.
 */
import type { Db } from '../src-main/core/store/db.js';
import { fieldsSql } from '../src-main/core/store/full-text.js';
import { lineSql } from '../src-main/core/store/line-blocks.js';

/** Takes the lines above `keep` out of the index, which holds every line now, and says so. */
export function unindexLinesAbove(db: Db, keep: number): void {
  db.transaction(() => {
    db.prepare(`INSERT INTO events_fts (events_fts, rowid, text) SELECT 'delete', e.id, coalesce(${lineSql('e')}, '') FROM events e WHERE e.id > ?`).run(keep);
    db.prepare(`INSERT INTO events_fields (events_fields, rowid, fields) SELECT 'delete', e.id, ${fieldsSql('e')} FROM events e WHERE e.id > ?`).run(keep);
    db.prepare('UPDATE lines_indexed SET through = ?').run(keep);
  })();
}

/** How many rows the index holds words of (it keeps no sizes per row to count, schema 22). */
export function indexedLineCount(db: Db): number {
  db.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.events_fts_rows USING fts5vocab(fts, events_fts, 'instance')");
  return db.prepare('SELECT count(DISTINCT doc) FROM temp.events_fts_rows').pluck().get() as number;
}
