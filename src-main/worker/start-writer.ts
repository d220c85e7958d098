/**
 * The writer of a host (the desktop app, `xferlens serve`): the index worker when the database can
 * be written, else a writer that refuses every write in one clear line, so that a read-only
 * database (a copy from a colleague, a read-only share, a backup, `--read-only`, a full disk) can
 * still be read.
 */
import fs from 'node:fs';
import type { UpgradeProgress } from '../api/contract.js';
import type { IndexOutcome, Writer } from '../api/handlers.js';
import { ApiError } from '../api/errors.js';
import { openDatabase } from '../core/store/db.js';
import { DatabaseError, readOnlyRefusal, volumeOf, writeRefusal } from '../core/store/faults.js';
import type { FollowState } from './index-worker.js';
import { IndexWorkerClient } from './index-worker-client.js';

export interface HostWriter extends Writer {
  stop(): Promise<void>;
}

export interface StartedWriter {
  writer: HostWriter;
  /** Why the database is read-only here (one line), or null when it is written as usual. */
  readOnly: string | null;
}

/**
 * Starts the index worker, or answers a read-only writer when the database cannot or must not be written.
 * `onMigrate` is told each step of upgrading a database of an older schema (minutes for a big one) before it resolves.
 */
export async function startWriter(opts: {
  databasePath: string;
  nativeBinding?: string;
  readOnly?: boolean;
  proftpdConf?: string | null;
  onMigrate?: (progress: UpgradeProgress) => void;
}): Promise<StartedWriter> {
  const file = opts.databasePath;
  if (opts.readOnly) return readOnly(file, 'it was opened read-only (--read-only)');
  const refusal = fs.existsSync(file) ? writeRefusal(file) : null;
  const elsewhere = 'to index, use a database you can write (--db)';
  if (refusal) return readOnly(file, refusal === 'EROFS' ? 'its file system is mounted read-only' : 'this user may not write it or its folder', elsewhere);
  const worker = new IndexWorkerClient({
    databasePath: file,
    ...(opts.nativeBinding ? { nativeBinding: opts.nativeBinding } : {}),
    ...(opts.proftpdConf ? { proftpdConf: opts.proftpdConf } : {}),
    ...(opts.onMigrate ? { onMigrate: opts.onMigrate } : {}),
  });
  try {
    await worker.start(); // creates and migrates the database
  } catch (err) {
    await worker.stop();
    if (err instanceof DatabaseError && (err.code === 'READ_ONLY' || err.code === 'NO_PERMISSION') && fs.existsSync(file)) return readOnly(file, err.message);
    // A full disk: every view can still be read (from a private copy if need be), only not written.
    if (err instanceof DatabaseError && err.code === 'DISK_FULL' && readable(file, opts.nativeBinding)) {
      return readOnly(file, `its disk is full (${volumeOf(file)})`, `free space on ${volumeOf(file)}, then start xferlens again to index`);
    }
    throw err;
  }
  return { writer: worker, readOnly: null };
}

/** Whether the database can be opened for reading (it may need an upgrade only a writer can make). */
function readable(file: string, nativeBinding: string | undefined): boolean {
  try {
    openDatabase(file, { readonly: true, ...(nativeBinding ? { nativeBinding } : {}) }).close();
    return true;
  } catch {
    return false;
  }
}

function readOnly(file: string, why: string, wayOut?: string): StartedWriter {
  return { writer: new ReadOnlyWriter(file, why, wayOut), readOnly: `${file} is read-only: ${why}${wayOut ? `; ${wayOut}` : ''}` };
}

const NOT_FOLLOWING: FollowState = { paused: false, inputs: [] };

/** Refuses what writes (index, follow, remove, settings) with a 409 naming the file and why; reads go on. */
export class ReadOnlyWriter implements HostWriter {
  constructor(
    private readonly file: string,
    private readonly why: string,
    /** What to do to write it, when not leaving out `--read-only`. */
    private readonly wayOut?: string,
  ) {}

  run(): Promise<IndexOutcome> {
    return Promise.reject(this.refusalOf('index'));
  }
  configure(): Promise<IndexOutcome & { missing: boolean }> {
    return Promise.reject(this.refusalOf('index again'));
  }
  removeSource(): Promise<boolean> {
    return Promise.reject(this.refusalOf('remove a source'));
  }
  setMeta(): Promise<void> {
    return Promise.reject(this.refusalOf('save settings'));
  }
  cancel(): boolean {
    return false;
  }
  follow(): Promise<FollowState> {
    return Promise.reject(this.refusalOf('follow'));
  }
  /** Nothing is followed: stopping is done. */
  unfollow(): Promise<FollowState> {
    return Promise.resolve(NOT_FOLLOWING);
  }
  setFollowPaused(): Promise<FollowState> {
    return Promise.resolve(NOT_FOLLOWING);
  }
  /** What was followed cannot be followed now (it would be written): nothing is. */
  resumeFollowing(): Promise<FollowState> {
    return Promise.resolve(NOT_FOLLOWING);
  }
  followState(): FollowState {
    return NOT_FOLLOWING;
  }
  onFollow(): () => void {
    return () => undefined;
  }
  async stop(): Promise<void> {}

  private refusalOf(action: string): ApiError {
    return new ApiError(readOnlyRefusal(this.file, action, this.why, this.wayOut).message, { status: 409 });
  }
}
