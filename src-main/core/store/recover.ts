/**
 * A new database in place of one that is damaged, foreign or from a newer xferlens. The logs are
 * the source of truth: the old file is moved aside (never deleted, in case it is someone else's)
 * and the files it had indexed are indexed again, each with the zone, LogFormats and proftpd.conf it had.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import type { NamedLogFormat } from '../formats/types.js';
import { addSummary, indexPaths, type IndexOptions, type IndexSummary } from '../ingest/indexer.js';
import { assertTimeZone } from '../time.js';
import { openDatabase } from './db.js';
import { FULL_TEXT_FILES } from './full-text.js';

/** A file the old database had indexed, with the options it was indexed with. */
export interface RememberedSource {
  path: string;
  timeZone?: string;
  logFormats?: NamedLogFormat[];
  /** Its own proftpd.conf (a path), when it was given one. */
  proftpdConf?: string;
}

/** Files SQLite and the full-text index keep next to a database; they belong to it and move with it. */
const SIDECARS = ['-wal', '-shm', '-journal', ...FULL_TEXT_FILES];

/**
 * The files the database at `file` had indexed, read as best one can from a damaged file, or null
 * when they cannot be read (not a database, no sources table, the table itself damaged).
 */
export function readRememberedSources(file: string): RememberedSource[] | null {
  let db: Database.Database | undefined;
  try {
    db = new Database(file, { readonly: true, fileMustExist: true });
    const rows = db.prepare('SELECT path, options FROM sources ORDER BY id').all() as { path: unknown; options: unknown }[];
    return rows.filter((r): r is { path: string; options: unknown } => typeof r.path === 'string').map((r) => {
      let options: { timeZone?: unknown; logFormats?: unknown; proftpdConf?: unknown } = {};
      try {
        if (typeof r.options === 'string') options = JSON.parse(r.options) ?? {};
      } catch {
        // Options unreadable: the file is indexed again with the defaults.
      }
      return {
        path: r.path,
        ...(typeof options.timeZone === 'string' && isTimeZone(options.timeZone) ? { timeZone: options.timeZone } : {}),
        ...(Array.isArray(options.logFormats) ? { logFormats: options.logFormats as NamedLogFormat[] } : {}),
        ...(typeof options.proftpdConf === 'string' ? { proftpdConf: options.proftpdConf } : {}),
      };
    });
  } catch {
    return null;
  } finally {
    try {
      db?.close();
    } catch {
      // nothing more to do with a file that cannot even be closed
    }
  }
}

function isTimeZone(zone: string): boolean {
  try {
    assertTimeZone(zone);
    return true;
  } catch {
    return false;
  }
}

/** A file name safe on every platform (no `:`), e.g. 20260131T080005Z. */
function stamp(now: Date): string {
  return now.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
}

/**
 * Renames the database and its sidecar files to `FILE.broken-<time>` (a new name if that exists).
 * Returns the new name of the database file.
 */
export function moveDatabaseAside(file: string, now = new Date()): string {
  let aside = `${file}.broken-${stamp(now)}`;
  for (let n = 2; [aside, ...SIDECARS.map((s) => aside + s)].some((f) => fs.existsSync(f)); n++) aside = `${file}.broken-${stamp(now)}-${n}`;
  // Sidecars first: a -wal left next to a new database of the same name would be replayed into it.
  for (const suffix of SIDECARS) {
    if (fs.existsSync(file + suffix)) fs.renameSync(file + suffix, aside + suffix);
  }
  fs.renameSync(file, aside);
  return aside;
}

export interface RebuildResult {
  /** Where the old database now is. */
  movedTo: string;
  /** The files it had indexed, or null when they could not be read from it. */
  remembered: RememberedSource[] | null;
  /** What indexing them again did (all zero when there was nothing to index). */
  summary: IndexSummary;
}

/**
 * Moves the database at `file` aside, creates a new one and indexes the remembered files again.
 * Files that are gone since are reported in `summary.errors`.
 */
export async function rebuildDatabase(file: string, opts: Pick<IndexOptions, 'onProgress' | 'signal'> = {}): Promise<RebuildResult> {
  const remembered = readRememberedSources(file);
  const movedTo = moveDatabaseAside(file);
  const db = openDatabase(file);
  const summary: IndexSummary = { files: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, ms: 0, formats: {}, errors: [] };
  try {
    // One run per set of options, so that each file keeps its zone, LogFormats and proftpd.conf.
    const groups = new Map<string, RememberedSource[]>();
    for (const s of remembered ?? []) {
      const key = JSON.stringify([s.timeZone ?? null, s.logFormats ?? null, s.proftpdConf ?? null]);
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
    for (const sources of groups.values()) {
      const { timeZone, logFormats, proftpdConf } = sources[0]!;
      const part = await indexPaths(db, sources.map((s) => s.path), {
        ...opts,
        ...(timeZone ? { timeZone } : {}),
        ...(logFormats ? { logFormats } : {}),
        ...(proftpdConf ? { ownProftpdConf: proftpdConf } : {}),
      });
      addSummary(summary, part);
    }
  } finally {
    db.close();
  }
  return { movedTo, remembered, summary };
}
