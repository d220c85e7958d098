import Database from 'better-sqlite3';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { attachFullText, bindFullText, FULL_TEXT_NO_SIZES_SCHEMA, FULL_TEXT_SUFFIX, syncFullText } from './full-text.js';
import { ensureLineFunctions } from './line-blocks.js';
import { ensureFieldFunctions } from './field-tokens.js';
import { ensureRollup } from './rollup.js';
import { withSortCache } from './sort-cache.js';
import { userDataDir } from '../paths.js';
import { DEFERRED_INDEXES, MIGRATIONS, SCHEMA_VERSION } from './schema.js';
import { STRING_INDEX } from './strings.js';
import { DatabaseError, describeStorageFault, inspectDatabaseFile, sqliteCode, writeRefusal, type DatabaseErrorCode, type FaultContext } from './faults.js';

/**
 * A checkpoint (copy to the database file + fsync) every 64 MB of WAL instead of SQLite's 4 MB, on
 * every connection that writes (the writer's, the full-text thread's): a batch of a 512 KiB log
 * chunk dirties MBs, so the default checkpointed after nearly every batch (measured: 3.3 s → 1.4 s
 * of commit time per 200k lines).
 */
export const WAL_AUTOCHECKPOINT_PAGES = 16384;

export type Db = Database.Database;

export { DatabaseError, isStorageFailure, type DatabaseErrorCode } from './faults.js';

/** The file is damaged or not a database at all (SQLite says so when it reads the page). */
export function isDamage(err: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB)/.test(sqliteCode(err));
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

/**
 * A storage fault (full disk, permission, read-only, I/O error, lock, damage) met while using an
 * open database, as the DatabaseError the user sees; other errors unchanged. An error that wraps
 * one (`cause`, e.g. an index run stopped by it) is judged by what it wraps.
 */
export function asDatabaseError(err: unknown, file: string, context: Omit<FaultContext, 'busySeconds'> = {}): unknown {
  if (err instanceof DatabaseError) return err;
  const inner = !(err instanceof Database.SqliteError) && err instanceof Error && err.cause instanceof Database.SqliteError ? err.cause : err;
  return describeStorageFault(inner, file, { ...context, busySeconds: busyTimeoutMs() / 1000 }) ?? err;
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
  if (opts.readonly) return openReadOnly(file, opts);
  if (file !== ':memory:') createPrivately(file);
  return prepare(connect(file, file, opts), file, opts);
}

/**
 * For commands that only read: the database as a writer would open it (brought up to date, created
 * if missing) when this user can write it, else read-only. `readOnly` forces read-only (the
 * `--read-only` option). Whether the result is read-only: `db.readonly`.
 */
export function openForReading(file: string, opts: Omit<OpenOptions, 'readonly'> & { readOnly?: boolean } = {}): Db {
  const { readOnly, ...rest } = opts;
  if (readOnly || (fs.existsSync(file) && writeRefusal(file))) return openDatabase(file, { ...rest, readonly: true });
  try {
    return openDatabase(file, rest);
  } catch (err) {
    // Only what kept it from being written (not damage, not a newer schema) is worth a read-only try.
    if (!(err instanceof DatabaseError && WRITE_FAULTS.has(err.code) && fs.existsSync(file))) throw err;
    try {
      return openDatabase(file, { ...rest, readonly: true });
    } catch {
      throw err; // e.g. a full disk in the middle of an upgrade: the first fault is the one to fix
    }
  }
}

/** Faults that keep a database from being written but may leave it readable. */
const WRITE_FAULTS: ReadonlySet<DatabaseErrorCode> = new Set(['READ_ONLY', 'NO_PERMISSION', 'DISK_FULL', 'CANNOT_OPEN', 'IO_ERROR']);

/**
 * A new database folder and file readable by this user only (0700, 0600): indexed logs hold user
 * names, IPs and paths. SQLite gives the -wal and -shm files the database file's permissions.
 * An existing database (and -wal, -shm) left readable by others by an older xferlens, and the
 * per-user data folder it made, are tightened the same way (see tightenOld). (On Windows the
 * per-user data folder is private already and modes are ignored.)
 */
function createPrivately(file: string): void {
  const folder = path.dirname(path.resolve(file));
  fs.mkdirSync(folder, { recursive: true, mode: 0o700 });
  try {
    fs.closeSync(fs.openSync(file, 'wx', 0o600)); // an empty file is an empty SQLite database
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'EEXIST') return; // not creatable (read-only folder, full disk): SQLite's own attempt says why
    if (process.platform === 'win32') return;
    for (const f of [file, file + '-wal', file + '-shm']) tightenOld(f, 0o600);
    if (folder === path.resolve(userDataDir())) tightenOld(folder, 0o700);
  }
}

/**
 * Gives `mode` to a file or folder of this user that still has the mode an older xferlens gave it
 * (0644/0664 files, 0755/0775 folders: the system's default under the usual umasks). A mode the
 * owner chose (0640 to share with a group, say) is theirs; a failure leaves it as it was.
 */
function tightenOld(p: string, mode: 0o600 | 0o700): void {
  try {
    const stat = fs.statSync(p);
    const old = mode === 0o600 ? [0o644, 0o664] : [0o755, 0o775];
    if (stat.uid === process.getuid?.() && old.includes(stat.mode & 0o777)) fs.chmodSync(p, mode);
  } catch {
    // missing (no -wal yet), or not ours to change
  }
}

/** The Electron build of better-sqlite3 a connection was opened with (for its threads' connections). */
const nativeBindings = new WeakMap<Db, string>();

export function nativeBindingOf(db: Db): string | undefined {
  return nativeBindings.get(db);
}

/** A connection to `path` (the database file or a private copy of it); faults are described for `file`. */
function connect(connectPath: string, file: string, opts: OpenOptions): Db {
  try {
    const db = new Database(connectPath, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      timeout: busyTimeoutMs(),
      // The Electron app passes its own-ABI build (node_modules keeps Node's; see docs/app.md, "Desktop app").
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    });
    if (opts.nativeBinding) nativeBindings.set(db, opts.nativeBinding);
    return db;
  } catch (err) {
    if (opts.readonly && !fs.existsSync(file)) throw new DatabaseError(`${file} does not exist: index some logs first (xferlens index PATH...)`, 'NO_INDEX', file);
    throw describeStorageFault(err, file) ?? new DatabaseError(`cannot open database ${file}: ${(err as Error).message}`, 'CANNOT_OPEN', file);
  }
}

/** Connections that read a private copy of their database (see openReadOnly). */
const copies = new WeakSet<Db>();

/** Whether `db` reads a copy of its file made when it was opened (it does not see later changes). */
export function readsACopy(db: Db): boolean {
  return copies.has(db);
}

/**
 * Read-only, WAL included. SQLite reads a WAL database only with its -shm file, which it must be
 * able to create when it is missing (after a clean close it is): in a read-only folder, on a
 * read-only medium or on a full disk it cannot, and better-sqlite3 offers no URI for SQLite's
 * `immutable` mode. Then the database (and its -wal) is copied to a private temporary folder and
 * the copy is read; the copy goes when the process exits.
 */
function openReadOnly(file: string, opts: OpenOptions): Db {
  try {
    return prepare(connect(file, file, opts), file, opts);
  } catch (err) {
    if (!(err instanceof DatabaseError && WRITE_FAULTS.has(err.code) && inspectDatabaseFile(file).kind === 'sqlite')) throw err;
    let copy: string;
    try {
      copy = privateCopy(file);
    } catch (copyErr) {
      throw new DatabaseError(`${err.message.replace(/\.$/, '')}; reading it needs a copy in ${os.tmpdir()}, which failed (${(copyErr as Error).message})`, err.code, file);
    }
    const db = prepare(connect(copy, file, opts), file, opts, copy);
    copies.add(db);
    return db;
  }
}

const copyFolders: string[] = [];

function privateCopy(file: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferlens-read-')); // 0700
  if (!copyFolders.length) process.once('exit', () => copyFolders.forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
  copyFolders.push(dir);
  const copy = path.join(dir, path.basename(file));
  // The -wal first: copied after the database, it could hold commits the copied pages predate and
  // miss. The full-text index is copied too (it is only read up to the database's rows).
  const files = ['-wal', '', `${FULL_TEXT_SUFFIX}-wal`, FULL_TEXT_SUFFIX];
  for (const f of files) {
    try {
      if (fs.existsSync(file + f)) fs.copyFileSync(file + f, copy + f);
    } catch (err) {
      // Without its full-text index (e.g. private to its owner) the database is read all the same.
      if (!f.startsWith(FULL_TEXT_SUFFIX)) throw err;
    }
  }
  for (const f of files) if (fs.existsSync(copy + f)) fs.chmodSync(copy + f, 0o600);
  return copy;
}

/**
 * Checks what the file is, and for a writer brings it up to date; closes it on failure. `dataPath`
 * is where the connection reads (a private copy of `file`, see openReadOnly).
 */
function prepare(db: Db, file: string, opts: OpenOptions, dataPath = file): Db {
  try {
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
      // Reading the schema proves the file is a database before we write anything.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (err) {
      // A fault of where it lives (full disk, permissions) is not one of the file; damage is
      // confirmed by its header (see faults.ts).
      throw describeStorageFault(err, file) ?? new DatabaseError(`${file} is not an xferlens database (${(err as Error).message})`, 'NOT_A_DATABASE', file);
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
      if (opts.readonly) throw new DatabaseError(`${file} holds no xferlens index yet: index some logs first (xferlens index PATH...)`, 'NO_INDEX', file);
    }
    if (opts.readonly && version < SCHEMA_VERSION) {
      // Written by an older xferlens and not migrated yet: a reader needs today's tables, so the
      // file is brought up to date first (as a writer opening it would), then read.
      db.close();
      upgradeForReading(file, version, opts);
      return openDatabase(file, opts);
    }
    ensureLineFunctions(db);
    ensureFieldFunctions(db);
    // Before the migrations: those of schemas before 12 name the index in the database's own file,
    // which SQLite looks in first.
    attachFullText(db, dataPath, opts.readonly ?? false);
    // 16 MiB for the writer, which shares its process with the full-text thread (1M lines: peak RSS
    // 305–309 MB with 32 MiB, 284–298 MB with 16 MiB, at the same speed; 64 MiB once kept a folder of
    // 300 daily logs 60 MB above the 300 MB it must stay under); readers keep more for repeated queries.
    db.pragma(opts.readonly ? 'cache_size = -65536' : 'cache_size = -16384');
    // Readers sort and group in memory (result pages, charts). The writer's big sorts (building the
    // indexes after a bulk load, rebuilding the rollup) spill to temporary files instead: in memory
    // they took the peak RSS of a 10M-line first index to 895 MB.
    db.pragma(opts.readonly ? 'temp_store = MEMORY' : 'temp_store = FILE');
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
      // After the migrations: one that rebuilds a table must not delete its rows row by row first.
      migrate(db, version, opts.onMigrate);
      // Its own transactions, after the database's (schema 29 fills events_fields again here): a
      // commit is atomic in one WAL file, not across two.
      bindFullText(db, version > 0 && version < FULL_TEXT_NO_SIZES_SCHEMA);
      if (version > 0 && version < SCHEMA_VERSION) opts.onMigrate?.({ from: version, to: SCHEMA_VERSION, step: SCHEMA_VERSION - version + 1, steps: SCHEMA_VERSION - version });
      db.pragma('foreign_keys = ON');
      ensureIndexes(db);
      ensureRollup(db);
      // Upgraded to schema 12 (every line goes into the index's own file now) or 22 (the index is
      // built again without sizes per row): the lines are added, so that the database is searched
      // as before. (Lines a stopped run left out are added by the next index run.)
      if (version > 0 && version < FULL_TEXT_NO_SIZES_SCHEMA) {
        syncFullText(db);
        // The old index's pages that the new one did not take (1M EFT lines: 83 → 71 MB).
        compactIfMostlyFree(db, 'fts', 1 / 20);
      }
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
    // What is wrong with the file itself, or a full disk, is said as it is; a file this user may
    // not write (read-only, permissions) cannot be upgraded, which is what the reader needs to hear.
    if (err instanceof DatabaseError && !['CANNOT_OPEN', 'READ_ONLY', 'NO_PERMISSION'].includes(err.code)) throw err;
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
  // Each step under the write lock, re-reading the version there: another process (a reader that
  // upgrades what it opened, see upgradeForReading) may have taken the same steps meanwhile.
  const runStep = (v: number) => {
    if (db.pragma('user_version', { simple: true }) !== v) return;
    const step = MIGRATIONS[v]!;
    if (typeof step === 'string') db.exec(step);
    else step(db);
    db.pragma(`user_version = ${v + 1}`);
  };
  if (from === 0) {
    // A new database appears whole, its full-text index bound: a reader never sees half a schema
    // (it would try to upgrade it) nor an index that is not yet its own (it would search none).
    db.transaction(() => {
      for (let v = 0; v < SCHEMA_VERSION; v++) runStep(v);
      bindFullText(db);
    }).immediate();
  } else {
    for (let v = from; v < SCHEMA_VERSION; v++) {
      report?.({ from, to: SCHEMA_VERSION, step: v - from + 1, steps });
      db.transaction(runStep).immediate(v);
    }
  }
  // Steps that rebuild a table leave its old pages free: the file would stay as big as before.
  // (The caller says the upgrade is done once the full-text index is bound.)
  if (steps > 0 && from > 0) compactIfMostlyFree(db);
}

/** Gives free pages back to the file system when they are over `share` of the file (VACUUM), of the database or its attached `schema`. */
function compactIfMostlyFree(db: Db, schema = 'main', share = 1 / 5): void {
  const free = db.pragma(`${schema}.freelist_count`, { simple: true }) as number;
  const pages = db.pragma(`${schema}.page_count`, { simple: true }) as number;
  if (free > pages * share) {
    db.exec(`VACUUM ${schema}`);
    db.pragma(`${schema}.wal_checkpoint(TRUNCATE)`);
  }
}

/** Creates any event, transfer or string index that is missing (after a bulk load that was killed before its end). */
export function ensureIndexes(db: Db): void {
  withSortCache(db, () => {
    for (const sql of [...DEFERRED_INDEXES, STRING_INDEX]) db.exec(sql);
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
