import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { EVENT_INDEXES, MIGRATIONS, SCHEMA_VERSION } from './schema.js';

export type Db = Database.Database;

/** A database problem the user can act on (wrong file, newer app, damaged file). */
export class DatabaseError extends Error {
  constructor(message: string, readonly code: 'NEWER_SCHEMA' | 'NOT_A_DATABASE' | 'CANNOT_OPEN') {
    super(message);
  }
}

/** Queries slower than this are logged (Signal-Desktop style), to catch a missing index early. */
export const SLOW_QUERY_MS = 200;

/**
 * Opens (creating if needed) the index database and brings its schema up to date. A database
 * written by a newer xferlens is refused before anything is written to it.
 */
export function openDatabase(file: string, opts: { readonly?: boolean; nativeBinding?: string } = {}): Db {
  if (file !== ':memory:') fs.mkdirSync(path.dirname(path.resolve(file)), { recursive: true });
  let db: Db;
  try {
    db = new Database(file, {
      readonly: opts.readonly ?? false,
      fileMustExist: opts.readonly ?? false,
      // The Electron app passes its own-ABI build (node_modules keeps Node's; see README "Desktop app").
      ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    });
  } catch (err) {
    throw new DatabaseError(`cannot open database ${file}: ${(err as Error).message}`, 'CANNOT_OPEN');
  }
  try {
    let version: number;
    try {
      version = db.pragma('user_version', { simple: true }) as number;
      // Reading the schema proves the file is a database before we write anything.
      db.prepare('SELECT count(*) FROM sqlite_schema').get();
    } catch (err) {
      throw new DatabaseError(
        `${file} is not an xferlens database (${(err as Error).message}); move it away or choose another file with --db, then index again: the logs are the source of truth`,
        'NOT_A_DATABASE',
      );
    }
    if (version > SCHEMA_VERSION) {
      throw new DatabaseError(
        `${file} was written by a newer xferlens (schema ${version}; this version knows up to ${SCHEMA_VERSION}). It was not changed: use a newer xferlens or another --db file.`,
        'NEWER_SCHEMA',
      );
    }
    if (version === 0 && !opts.readonly) {
      const tables = db.prepare("SELECT count(*) AS n FROM sqlite_schema WHERE name NOT LIKE 'sqlite_%'").get() as { n: number };
      if (tables.n > 0) {
        throw new DatabaseError(`${file} is an SQLite database of another program; it was not changed. Choose another file with --db.`, 'NOT_A_DATABASE');
      }
    }
    if (!opts.readonly) {
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = NORMAL');
      db.pragma('foreign_keys = ON');
      migrate(db, version);
      ensureIndexes(db);
    }
    db.pragma('cache_size = -65536');
    db.pragma('temp_store = MEMORY');
    return db;
  } catch (err) {
    db.close();
    throw err;
  }
}

function migrate(db: Db, from: number): void {
  for (let v = from; v < SCHEMA_VERSION; v++) {
    db.transaction(() => {
      db.exec(MIGRATIONS[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
}

/** Creates any event index that is missing (after a bulk load that was killed before its end). */
export function ensureIndexes(db: Db): void {
  for (const sql of EVENT_INDEXES) db.exec(sql);
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
