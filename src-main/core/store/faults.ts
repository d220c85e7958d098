/**
 * What went wrong with a database file, in words a user can act on. SQLite's own messages name
 * neither the file nor the way out ("disk I/O error", "attempt to write a readonly database"), and
 * several faults share one code (a full disk and a permission problem both end as SQLITE_CANTOPEN
 * when the -shm file cannot be made), so the file and its volume are looked at too. A file is
 * called damaged or "not an xferlens database" only when its own bytes say so (inspectDatabaseFile),
 * never because a write failed.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';

export type DatabaseErrorCode =
  | 'NEWER_SCHEMA'
  | 'NOT_A_DATABASE'
  | 'DAMAGED'
  | 'CANNOT_OPEN'
  /** Nothing indexed yet: no file, or one whose writer has not created the tables. */
  | 'NO_INDEX'
  | 'BUSY'
  /** No space left on the database's volume. */
  | 'DISK_FULL'
  /** The file or its folder may not be written by this user. */
  | 'NO_PERMISSION'
  /** A read-only file system, or a database opened read-only (`--read-only`) asked to write. */
  | 'READ_ONLY'
  /** The operating system reported an input/output error. */
  | 'IO_ERROR';

/**
 * A database problem the user can act on. Only NOT_A_DATABASE, DAMAGED and NEWER_SCHEMA are about
 * the file itself (the way out is a new database built from the logs, see store/recover.ts); the
 * others are about where it lives and leave it as it was.
 */
export class DatabaseError extends Error {
  constructor(
    message: string,
    readonly code: DatabaseErrorCode,
    /** The database file. */
    readonly file = '',
  ) {
    super(message);
  }
}

/** Whether `xferlens rebuild` (a new database from the logs) is the way out of this error. */
export function needsRebuild(err: DatabaseError): boolean {
  return err.code === 'NOT_A_DATABASE' || err.code === 'DAMAGED';
}

export const sqliteCode = (err: unknown): string => (err instanceof Database.SqliteError ? err.code : '');

/** The 16 bytes every SQLite 3 database file starts with. */
const SQLITE_HEADER = Buffer.from('SQLite format 3\0', 'latin1');

/**
 * What the file's own bytes say: 'missing', 'empty' (a new database), 'sqlite' (an SQLite header)
 * or 'foreign' (anything else). Unreadable files answer 'unreadable' with the reason.
 */
export function inspectDatabaseFile(file: string): { kind: 'missing' | 'empty' | 'sqlite' | 'foreign' } | { kind: 'unreadable'; code: string } {
  let fd: number;
  try {
    fd = fs.openSync(file, 'r');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code ?? '';
    return code === 'ENOENT' ? { kind: 'missing' } : { kind: 'unreadable', code };
  }
  try {
    const head = Buffer.alloc(SQLITE_HEADER.length);
    const n = fs.readSync(fd, head, 0, head.length, 0);
    if (n === 0) return { kind: 'empty' };
    return { kind: n === head.length && head.equals(SQLITE_HEADER) ? 'sqlite' : 'foreign' };
  } catch (err) {
    return { kind: 'unreadable', code: (err as NodeJS.ErrnoException).code ?? '' };
  } finally {
    fs.closeSync(fd);
  }
}

/** The mount point holding `file` (the top folder on the same device), for "free space on …". */
export function volumeOf(file: string): string {
  let dir = path.dirname(path.resolve(file));
  try {
    const dev = fs.statSync(dir).dev;
    for (let up = path.dirname(dir); up !== dir && fs.statSync(up).dev === dev; up = path.dirname(dir)) dir = up;
  } catch {
    // a folder above cannot be looked at: the last one that could is named
  }
  return dir;
}

/** Bytes free for this user on the volume of `file`, or null when the system does not say. */
export function freeBytes(file: string): number | null {
  try {
    const s = fs.statfsSync(path.dirname(path.resolve(file)));
    return s.bavail * s.bsize;
  } catch {
    return null;
  }
}

/** Below this, a failed write is put down to a full disk (SQLite needs a few pages to commit). */
const NEARLY_FULL_BYTES = 1 << 20;

/** Why this process may not write `file` (or create it and its -wal/-shm next to it): an errno code, or null when it may. */
export function writeRefusal(file: string): 'EROFS' | 'EACCES' | null {
  const check = (p: string): 'EROFS' | 'EACCES' | null => {
    try {
      fs.accessSync(p, fs.constants.W_OK);
      return null;
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return code === 'EROFS' ? 'EROFS' : code === 'ENOENT' ? null : 'EACCES';
    }
  };
  return check(file) ?? check(path.dirname(path.resolve(file)));
}

/** Any failure of the database file or where it lives (as opposed to a bad query or a bug). */
export function isStorageFailure(err: unknown): boolean {
  return /^SQLITE_(CORRUPT|NOTADB|FULL|IOERR|READONLY|BUSY|LOCKED|CANTOPEN|PERM)/.test(sqliteCode(err));
}

export interface FaultContext {
  /** Lines this run committed before the fault (a disk-full message says they are kept). */
  linesKept?: number;
  /** How long SQLite waited for another writer, in seconds (for the "busy" message). */
  busySeconds?: number;
  /** The work tries again by itself (a job in the app or `serve`, a follower): no need to run it again. */
  retrying?: boolean;
}

/**
 * The storage fault behind a SQLite error, as the DatabaseError the user sees, or null when the
 * error is not one (e.g. a constraint, a bad query). Damage and foreign files are confirmed by
 * looking at the file's header.
 */
export function describeStorageFault(err: unknown, file: string, context: FaultContext = {}): DatabaseError | null {
  const code = sqliteCode(err);
  if (!isStorageFailure(err)) return null;
  const message = (err as Error).message;
  if (/^SQLITE_(BUSY|LOCKED)/.test(code)) {
    return new DatabaseError(
      `${file} is busy: another xferlens process (the app, \`xferlens serve\` or another command) has been writing to it for over ` +
        `${context.busySeconds ?? 30} s. Nothing was lost: run this again when it has finished.`,
      'BUSY', file,
    );
  }
  if (/^SQLITE_(CORRUPT|NOTADB)/.test(code)) {
    const inspected = inspectDatabaseFile(file);
    if (inspected.kind === 'foreign') return new DatabaseError(`${file} is not an xferlens database (${message})`, 'NOT_A_DATABASE', file);
    if (inspected.kind === 'sqlite' || code.startsWith('SQLITE_CORRUPT')) return new DatabaseError(`${file} is damaged (${message})`, 'DAMAGED', file);
    // missing or unreadable now: say what SQLite said about where it is, not about its content
  }
  const free = freeBytes(file);
  const full = code.startsWith('SQLITE_FULL') || (free !== null && free < NEARLY_FULL_BYTES && /^SQLITE_(IOERR|CANTOPEN)/.test(code));
  if (full) {
    const volume = volumeOf(file);
    const kept = context.linesKept ? `the ${context.linesKept.toLocaleString('en-US')} lines indexed so far are kept` : 'nothing stored before was lost';
    const then = context.retrying ? 'indexing goes on by itself once there is space' : 'run again';
    return new DatabaseError(`${file}: the disk is full. Free space on ${volume} and ${then}: ${kept}.`, 'DISK_FULL', file);
  }
  const refusal = /^SQLITE_(READONLY|CANTOPEN|PERM|IOERR)/.test(code) ? writeRefusal(file) : null;
  if (refusal && !fs.existsSync(file)) {
    const folder = path.dirname(path.resolve(file));
    return new DatabaseError(
      `cannot create database ${file}: ${refusal === 'EROFS' ? 'its folder is on a read-only file system' : `this user may not write its folder ${folder}`}. Choose another file with --db.`,
      refusal === 'EROFS' ? 'READ_ONLY' : 'NO_PERMISSION', file,
    );
  }
  if (refusal === 'EROFS' || (code.startsWith('SQLITE_READONLY') && refusal === null)) {
    return new DatabaseError(
      `${file} is read-only (${refusal === 'EROFS' ? 'its file system is mounted read-only' : message}). Reading commands (stats, search, export…) still work on it; ` +
        'to index, copy it to a folder you can write and use --db, or make it writable.',
      'READ_ONLY', file,
    );
  }
  if (refusal === 'EACCES' || code.startsWith('SQLITE_PERM')) {
    return new DatabaseError(
      `${file}: permission denied (this user may not write the file or its folder ${path.dirname(path.resolve(file))}). ` +
        'Reading commands (stats, search, export…) still work on it; to index, fix its permissions or use another --db.',
      'NO_PERMISSION', file,
    );
  }
  if (code.startsWith('SQLITE_IOERR')) {
    return new DatabaseError(
      `${file}: the system reported an input/output error (${code}). The file was not judged damaged: check the disk or network share ` +
        '(the system log says more), then run again.',
      'IO_ERROR', file,
    );
  }
  if (code.startsWith('SQLITE_CANTOPEN')) return new DatabaseError(`cannot open database ${file}: ${message}`, 'CANNOT_OPEN', file);
  return null;
}

/**
 * A file-system error of the storage (not of a log being read) in one line naming the file (`err.path`,
 * else `fallbackPath`), or null
 * when `err` is not one: a full disk, a permission, a read-only file system, an I/O error.
 */
export function describeFileSystemFault(err: unknown, fallbackPath = ''): string | null {
  const e = err as NodeJS.ErrnoException;
  // A failed write on an open stream names no path: the caller knows it.
  const file = e?.path ?? fallbackPath;
  switch (e?.code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return `${file}: the disk is full. Free space on ${volumeOf(file)} and run again.`;
    case 'EACCES':
    case 'EPERM':
      return `${file}: permission denied: this user may not write it (or its folder).`;
    case 'EROFS':
      return `${file}: the file system is mounted read-only.`;
    case 'EIO':
      return `${file}: the system reported an input/output error; check the disk (the system log says more), then run again.`;
    default:
      return null;
  }
}

/**
 * A writing command (index, follow, remove, rebuild) asked to write a database opened read-only;
 * `wayOut` says what to do when the reason is not `--read-only`.
 */
export function readOnlyRefusal(file: string, action: string, why = 'it was opened read-only (--read-only)', wayOut = 'leave out --read-only or use a database you can write'): DatabaseError {
  return new DatabaseError(`${file}: cannot ${action}: ${why}. Reading (stats, search, export…) works; ${wayOut}.`, 'READ_ONLY', file);
}
