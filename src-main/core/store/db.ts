import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { ensureLineFunctions } from './line-blocks.js';
import { ensureRollup } from './rollup.js';
import { withSortCache } from './sort-cache.js';
import { DEFERRED_INDEXES, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/**
 * A database problem the user can act on (wrong file, newer app, damaged file, another process
 * writing). Apart from CANNOT_OPEN and BUSY, the way out is a new database built from the logs (see
 * store/recover.ts).
 */
export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly code: 'NEWER_SCHEMA' | 'NOT_A_DATABASE' | 'DAMAGED' | 'CANNOT_OPEN' | 'BUSY',
    /** The database file. */
    readonly file = '',
  ) {
    super(message);
  }
}

const sqliteCode = (err: unknown): string => (err instanceof Database.SqliteError ? err.code : '');

/** The file is damaged or not a database at all (SQLite says so when it reads the page). */
export function isDamage(err: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode(err));
}

/**
 * A failure of the database file itself, not of what was being stored: damage, a full disk, an
 * I/O error, a lock. Indexing stops on it rather than blaming the log file being read.
 */
export function isStorageFailure(err: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB|FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|PERM)/.test(sqliteCode(err));
}

/** Another connection held the write lock for longer than busyTimeoutMs(). */
export function isBusy(err: unknown): boolean {
  return /^SQLITE_(BUSY|LOCKED)/.test(sqliteCode(err));
}

/**
 * How long a connection waits for another one's write (SQLite's busy timeout) before giving up: 30 s
 * unless XFERLENS_BUSY_TIMEOUT_MS says otherwise. A batch commits in about a second, but the end of a
 * first index builds indexes for tens of seconds.
 */
export function busyTimeoutMs(): number {
  const ms = process.env.XFERLENS_BUSY_TIMEOUT_MS ? Number(process.env.XFERLENS_BUSY_TIMEOUT_MS) : NaN;
  // better-sqlite3 refuses more than a 32-bit millisecond count (about 24 days).
  return Number.isSafeInteger(ms) && ms >= 0 ? Math.min(ms, 2 ** 31 - 1) : 30_000;
}

/** Damage or a lock met while using an open database, as the DatabaseError the user sees; other errors unchanged. */
export function asDatabaseError(err: unknown, file: string): unknown {
  if (isBusy(err)) {
    return new DatabaseError(
      `${file} is busy: another xferlens process (the app, \`xferlens serve\` or another command) has been writing to it for over ` +
        `${busyTimeoutMs() / 1000} s. Nothing was lost: run this again when it has finished.`,
      'BUSY', file,
    );
  }
  if (!isDamage(err)) return err;
  return new DatabaseError(`${file} is damaged (${(err as Error).message})`, 'DAMAGED', file);
}

/** Queries slower than this are logged (Signal-Desktop style), to catch a missing index early. */
export const SLOW_QUERY_MS = 200;

/**
 * Opens (creating if needed) the index database and brings its schema up to date. A database
 * written by a newer xferlens is refused before anything is written to it.
 */
export interface OpenOptions {
  readonly?: boolean;
  nativeBinding?: string;
  /**
   * Told before each schema migration an older database needs (`step` from 1 to `steps`) and once
   * more when they are done (`step` = `steps` + 1): rewriting a big database takes minutes.
   */
  onMigrate?: (p: { from: number; to: number; step: number; steps: number }) => void;
}

export function openDatabase(file: string, opts: OpenOptions = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      timeout: busyTimeoutMs(),
      // The Electron app passes its own-ABI build (node_modules keeps Node's; see README "Desktop app").
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    });
  } catch (err) {
    throw new DatabaseError(`cannot open database ${file}: ${(err as Error).message}`, 'CANNOT_OPEN', file);
  }
  try {
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
      // Reading the schema proves the file is a database before we write anything.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (err) {
      if (sqliteCode(err).startsWith('SQLITE_CORRUPT')) throw asDatabaseError(err, file);
      throw new DatabaseError(`${file} is not an xferlens database (${(err as Error).message})`, 'NOT_A_DATABASE', file);
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(
        `${file} was written by a newer xferlens (schema ${version}; this version knows up to ${SCHEMA_VERSION}). It was not changed: use a newer xferlens or another database file.`,
        'NEWER_SCHEMA', file,
      );
    }
    if (version === 0) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number };
      if (tables.n > 0) throw new DatabaseError(`${file} is an SQLite database of another program; it was not changed`, 'NOT_A_DATABASE', file);
      // Reading needs the tables that only a writer creates.
      if (opts.readonly) throw new DatabaseError(`${file} holds no xferlens index yet: index some logs first (xferlens index PATH...)`, 'CANNOT_OPEN', file);
    }
    if (opts.readonly && version < SCHEMA_VERSION) {
      // Written by an older xferlens and not migrated yet: a reader needs today's tables, so the
      // file is brought up to date first (as a writer opening it would), then read.
      db.close();
      upgradeForReading(file, version, opts);
      return openDatabase(file, opts);
    }
    ensureLineFunctions(db);
    // 32 MiB for the writer (64 MiB kept a first index of a folder of 300 daily logs 60 MB above
    // the 300 MB it must stay under, at the same speed); readers keep more for repeated queries.
    db.pragma(opts.readonly ? 'cache_size = -65536' : 'cache_size = -32768');
    // Readers sort and group in memory (result pages, charts). The writer's big sorts (building the
    // indexes after a bulk load, rebuilding the rollup) spill to temporary files instead: in memory
    // they took the peak RSS of a 10M-line first index to 895 MB.
    db.pragma(opts.readonly ? 'temp_store = MEMORY' : 'temp_store = FILE');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      // A checkpoint (copy to the database file + fsync) every 64 MB of WAL instead of SQLite's 4 MB:
      // a batch of a 1 MiB log chunk dirties several MB, so the default checkpointed after nearly
      // every batch (measured: 3.3 s → 1.4 s of commit time per 200k lines).
      db.pragma('wal_autocheckpoint = 16384');
      // After the migrations: one that rebuilds a table must not delete its rows row by row first.
      migrate(db, version, opts.onMigrate);
      db.pragma('foreign_keys = ON');
      ensureIndexes(db);
      ensureRollup(db);
    }
    return db;
  } catch (err) {
    db.close();
    throw asDatabaseError(err, file);
  }
}

function upgradeForReading(file: string, version: number, opts: OpenOptions): void {
  let writer: Db;
  try {
    writer = openDatabase(file, { ...opts, readonly: false });
  } catch (err) {
    if (err instanceof DatabaseError && err.code !== 'CANNOT_OPEN') throw err;
    throw new DatabaseError(
      `${file} was written by an older xferlens (schema ${version}) and cannot be upgraded here (${(err as Error).message}): open it once where it can be written to`,
      'CANNOT_OPEN', file,
    );
  }
  writer.close();
}

function migrate(db: Db, from: number, onMigrate?: OpenOptions['onMigrate']): void {
  // A new database is created by the same steps: only an existing one is "upgraded".
  const report = from > 0 ? onMigrate : undefined;
  const steps = SCHEMA_VERSION - from;
  for (let v = from; v < SCHEMA_VERSION; v++) {
    report?.({ from, to: SCHEMA_VERSION, step: v - from + 1, steps });
    db.transaction(() => {
      const step = MIGRATIONS[v]!;
      if (typeof step === 'string') db.exec(step);
      else step(db);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  // Steps that rebuild a table leave its old pages free: the file would stay as big as before.
  if (steps > 0 && from > 0) compactIfMostlyFree(db);
  if (steps > 0) report?.({ from, to: SCHEMA_VERSION, step: steps + 1, steps });
}

/** Gives free pages back to the file system when they are over a fifth of the file (VACUUM). */
function compactIfMostlyFree(db: Db): void {
  const free = db.pragma('freelist_count', { simple: true }) as number;
  const pages = db.pragma('page_count', { simple: true }) as number;
  if (free > pages / 5) {
    db.exec('VACUUM');
    db.pragma('wal_checkpoint(TRUNCATE)');
  }
}

/** Creates any event index that is missing (after a bulk load that was killed before its end). */
export function ensureIndexes(db: Db): void {
  withSortCache(db, () => {
    for (const sql of DEFERRED_INDEXES) db.exec(sql);
  });
}

/** Whether an index exists: a first bulk load drops the secondary ones until its end, so never name one that is missing. */
export function indexExists(db: Db, name: string): boolean {
  return !!db.prepare("SELECT 1 FROM sqlite_schema WHERE type = 'index' AND name = ?").get(name);
}

/** Runs a read and logs it to stderr when slow. */
export function timed<T>(label: string, run: () => T): T {
  const t0 = performance.now();
  try {
    return run();
  } finally {
    const ms = performance.now() - t0;
    if (ms > SLOW_QUERY_MS && process.env.XFERLENS_QUIET_SLOW !== '1') {
      process.stderr.write(`xferlens: slow query ${label}: ${ms.toFixed(0)} ms\n`);
    }
  }
}
