/**
 * Changes to sources other than indexing: forgetting a file, and preparing one to be read again
 * from its start with other options. Both run on the write connection (the writer worker).
 */
import { markAnalysisDirty, rebuildAnalysis } from '../analysis/rebuild.js';
import type { NamedLogFormat } from '../formats/types.js';
import type { Db } from './db.js';
import { listDeletedLines, removeDeletedLines } from './full-text.js';
import { deleteSourceBlocks } from './line-blocks.js';
import { deleteSourceEvents } from './line-spans.js';
import { markRollupStale } from './rollup.js';

/** The name under which a LogFormat given for one file is stored (the CLI's `--logformat NAME=`). */
export const CONFIGURED_LOGFORMAT = 'configured';

interface SourceOptions {
  timeZone?: string;
  logFormats?: NamedLogFormat[];
  /** The file's own proftpd.conf (a path), read by each index run of it. */
  proftpdConf?: string;
}

/** What `sources/configure` changes: undefined keeps what is stored, null drops it. */
export interface SourceChange {
  timeZone?: string;
  logFormat?: string | null;
  proftpdConf?: string | null;
}

/**
 * Deletes the rows of `sourceId` and lists their lines for the full-text index; call in a
 * transaction, and removeDeletedLines after it. The analysis and the rollup are rebuilt afterwards.
 */
export function deleteSourceRows(db: Db, sourceId: number): void {
  // Sessions and transfers may join this file's lines with other files': rebuilt afterwards.
  markAnalysisDirty(db);
  listDeletedLines(db, sourceId);
  deleteSourceEvents(db, sourceId);
  deleteSourceBlocks(db, sourceId);
  db.prepare('UPDATE sources SET ts_seen_max = NULL, ts_disorder_ms = NULL WHERE id = ?').run(sourceId);
  markRollupStale(db);
}

/**
 * Forgets a source: its rows, their full-text entries and the source itself in one transaction,
 * then sessions and transfers are rebuilt from what remains. False when there is no such source.
 */
export function removeSource(db: Db, sourceId: number): boolean {
  const removed = db.transaction(() => {
    if (!db.prepare('SELECT 1 FROM sources WHERE id = ?').get(sourceId)) return false;
    deleteSourceRows(db, sourceId);
    db.prepare('DELETE FROM sources WHERE id = ?').run(sourceId);
    return true;
  })();
  if (removed) {
    removeDeletedLines(db);
    rebuildAnalysis(db);
  }
  return removed;
}

/**
 * Stores new options for a source and empties it, so that the next index run reads the file from
 * its start with them (`indexPaths` keeps a source's stored zone, LogFormats and proftpd.conf).
 * `timeZone` undefined keeps the stored zone; `logFormat` and `proftpdConf` undefined keep what is
 * stored, null drops it. Returns the file's path, or null when there is no such source.
 */
export function resetSource(db: Db, sourceId: number, change: SourceChange): string | null {
  const path = db.transaction(() => {
    const row = db.prepare('SELECT path, options FROM sources WHERE id = ?').get(sourceId) as { path: string; options: string | null } | undefined;
    if (!row) return null;
    let saved: SourceOptions = {};
    try {
      saved = row.options ? (JSON.parse(row.options) as SourceOptions) : {};
    } catch {
      // Damaged options are replaced by the new ones.
    }
    const options: SourceOptions = { ...saved };
    if (change.timeZone !== undefined) options.timeZone = change.timeZone;
    if (change.logFormat === null) delete options.logFormats;
    else if (change.logFormat !== undefined) options.logFormats = [{ name: CONFIGURED_LOGFORMAT, format: change.logFormat }];
    if (change.proftpdConf === null) delete options.proftpdConf;
    else if (change.proftpdConf !== undefined) options.proftpdConf = change.proftpdConf;
    deleteSourceRows(db, sourceId);
    db.prepare(`UPDATE sources SET options = ?, bytes_indexed = 0, lines_indexed = 0, parser_state = NULL, format = NULL,
      format_detail = NULL, events = 0, directives = 0, unparsed = 0, first_ts = NULL, last_ts = NULL WHERE id = ?`).run(JSON.stringify(options), sourceId);
    return row.path;
  })();
  removeDeletedLines(db);
  return path;
}
