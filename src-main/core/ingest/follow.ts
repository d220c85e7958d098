/**
 * Live follow (tail -f for transfer logs): watches files and folders while servers write them and
 * indexes each change incrementally with indexPaths, which continues every file from its
 * checkpoint, leaves an incomplete last line for later and recognises renamed (rotated) files.
 *
 * Changes are noticed by fs.watch on the folders involved (a file's own watch would lose it at a
 * rename) and by a cheap size/mtime poll, which is the safety net for network shares and other file
 * systems that deliver no events. Files are only ever opened read-only, never locked.
 *
 * What gets indexed: files named explicitly, always; files found in a followed folder or glob only
 * when they are already in the database or their content is a known format, so unrelated files
 * (notes, exports, compressed archives made by logrotate of lines already indexed) are not stored
 * as unparsed lines. A file no format recognises is looked at again while it grows, up to
 * DETECT_BYTES.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { NamedLogFormat } from '../formats/types.js';
import { asDatabaseError, type Db } from '../store/db.js';
import { assertTimeZone, localTimeZone } from '../time.js';
import { confLogFor, type ProftpdConf } from './proftpd-conf.js';
import { detectFormat } from './detect.js';
import { sniffEncoding } from './encoding.js';
import { indexPaths, ownFiles, type IndexSummary } from './indexer.js';
import { describeFsError, expandInputs, type InputError } from './inputs.js';
import { readLineBatches } from './line-reader.js';

/** A file in a followed folder that no format recognises within this many bytes is left alone. */
const DETECT_BYTES = 64 << 10;
/** Watch events arrive in bursts (one per write): they are gathered this long into one scan. */
const DEBOUNCE_MS = 25;
const DEFAULT_POLL_MS = 400;

export interface FollowOptions {
  /** As for indexPaths. */
  timeZone?: string;
  logFormats?: readonly NamedLogFormat[];
  proftpdConf?: ProftpdConf;
  /** Size/mtime poll interval (default 400 ms). */
  pollMs?: number;
  /** Use fs.watch besides the poll (default true; false = poll only, as on a network share). */
  watch?: boolean;
  /** Start paused: nothing is read, not even what the inputs hold now, until resume(). */
  paused?: boolean;
  onBatch?: (batch: FollowBatch) => void;
  /** A problem with one input or with the database; following goes on (and retries). */
  onError?: (error: InputError) => void;
  /**
   * Runs each indexing step when no other writer of this connection is busy (the writer worker's
   * job queue, other followers): two indexPaths calls on one file at once would both continue it
   * from the same checkpoint. Default: at once.
   */
  exclusive?: <T>(run: () => Promise<T>) => Promise<T>;
}

export interface FollowBatch {
  summary: IndexSummary;
  /** The files that had changed (some may have had no complete new line yet). */
  files: string[];
  /** The first batch: what the inputs held when following began. */
  initial: boolean;
  /** When the batch's first change was noticed and when its lines were committed (ms since epoch). */
  noticedAt: number;
  committedAt: number;
}

export interface Follower {
  readonly paused: boolean;
  /** Changes are noticed but not indexed until resume(). */
  pause(): void;
  resume(): void;
  /** Stops watching; resolves once the batch being indexed is committed. */
  stop(): Promise<void>;
  /** Resolves when the first batch (everything the inputs held at the start) is committed (at once when started paused). */
  readonly ready: Promise<void>;
}

interface FileState {
  size: bigint;
  mtimeNs: bigint;
  dev: bigint;
  ino: bigint;
}

const sameState = (a: FileState, b: FileState) => a.size === b.size && a.mtimeNs === b.mtimeNs && a.dev === b.dev && a.ino === b.ino;

type Verdict = 'index' | 'wait' | 'never';

export function follow(db: Db, inputs: readonly string[], opts: FollowOptions = {}): Follower {
  if (opts.timeZone) assertTimeZone(opts.timeZone);
  const own = ownFiles(db);
  const ownNames = new Set([...own].map((p) => path.basename(p)));
  const knownSource = db.prepare('SELECT 1 FROM sources WHERE path = ? OR (dev = ? AND ino = ?) LIMIT 1');

  /** Files being followed, as last handed to the indexer. */
  const followed = new Map<string, FileState>();
  /** Folder files no format recognised yet: the size they were looked at with. */
  const undetected = new Map<string, bigint>();
  /** Folder files left alone for good (archives, binary, no format within DETECT_BYTES), unless replaced. */
  const ignored = new Map<string, FileState>();
  /** Older versions of explicitly named files, found under another name after a rotation. */
  const rotated = new Set<string>();
  /** Problems already reported (path + reason), so that a poll does not repeat them. */
  const reported = new Set<string>();

  const abort = new AbortController();
  let stopped = false, paused = opts.paused ?? false, initial = true;
  let running: Promise<void> | null = null, again = false;
  let noticedAt: number | null = null;
  let debounce: NodeJS.Timeout | null = null;

  const report = (errors: readonly InputError[]) => {
    for (const e of errors) {
      const key = `${e.path}\0${e.reason}`;
      if (reported.has(key)) continue;
      reported.add(key);
      opts.onError?.(e);
    }
  };

  async function stateOf(file: string): Promise<FileState | null> {
    try {
      const st = await fs.promises.stat(file, { bigint: true });
      return st.isFile() ? { size: st.size, mtimeNs: st.mtimeNs, dev: st.dev, ino: st.ino } : null;
    } catch {
      return null; // gone between listing and stat: the next scan will tell
    }
  }

  /** Whether a file found in a folder is to be indexed (see the module comment). */
  async function verdict(file: string, st: FileState): Promise<Verdict> {
    if (knownSource.get(file, String(st.dev), String(st.ino))) return 'index';
    if (undetected.get(file) === st.size) return 'wait';
    const head = Buffer.alloc(DETECT_BYTES);
    let bytes: number;
    const fd = await fs.promises.open(file, 'r');
    try {
      bytes = (await fd.read(head, 0, DETECT_BYTES, 0)).bytesRead;
    } finally {
      await fd.close();
    }
    // A compressed file is a finished archive (often of lines already indexed), not a live log.
    if (head[0] === 0x1f && head[1] === 0x8b) return 'never';
    const sniffed = sniffEncoding(head.subarray(0, bytes));
    if ('binary' in sniffed) return 'never';
    const lines: string[] = [];
    for await (const batch of readLineBatches(file, { encoding: sniffed.encoding, start: sniffed.bomLength, gzip: false, chunkSize: DETECT_BYTES })) {
      lines.push(...batch.lines);
      break;
    }
    const ctx = { timeZone: opts.timeZone ?? localTimeZone(), fileMtimeMs: Number(st.mtimeNs / 1_000_000n), logFormats: opts.logFormats };
    if (opts.proftpdConf && confLogFor(opts.proftpdConf, file)) return 'index';
    if (detectFormat(lines, file, undefined, ctx)) return 'index';
    undetected.set(file, st.size);
    return bytes >= DETECT_BYTES ? 'never' : 'wait';
  }

  /** Another name in the same folder for a file identity (where a rotation moved it). */
  async function findRenamed(file: string, old: FileState): Promise<string | null> {
    const dir = path.dirname(file);
    let names: string[];
    try {
      names = await fs.promises.readdir(dir);
    } catch {
      return null;
    }
    for (const name of names) {
      const candidate = path.join(dir, name);
      if (candidate === file) continue;
      const st = await stateOf(candidate);
      if (st && st.dev === old.dev && st.ino === old.ino) return candidate;
    }
    return null;
  }

  /** The files that changed since they were last indexed, with their new states. */
  async function scan(): Promise<Map<string, FileState>> {
    const explicit = new Set<string>();
    for (const input of inputs) {
      try {
        if (fs.statSync(input).isFile()) explicit.add(path.resolve(input));
      } catch {
        // missing or a pattern: expandInputs says which
      }
    }
    const { files, errors } = await expandInputs(inputs);
    // A followed folder may be empty until the server writes its first file.
    report(errors.filter((e) => e.reason !== 'folder holds no files'));
    const listed = new Set([...files, ...rotated].filter((f) => !own.has(path.resolve(f))));
    const changed = new Map<string, FileState>();
    for (const file of listed) {
      const st = await stateOf(file);
      if (!st) {
        rotated.delete(file);
        continue;
      }
      const skipped = ignored.get(file);
      if (skipped && skipped.dev === st.dev && skipped.ino === st.ino && st.size >= skipped.size) continue;
      ignored.delete(file);
      const before = followed.get(file);
      if (before && sameState(before, st)) continue;
      if (before && (before.ino !== st.ino || before.dev !== st.dev)) {
        // Replaced (rotated): the old file's last lines are read under its new name first, in the
        // same indexPaths call, which continues it from its checkpoint.
        const renamed = await findRenamed(file, before);
        if (renamed && !listed.has(renamed)) {
          rotated.add(renamed);
          const renamedState = await stateOf(renamed);
          if (renamedState) changed.set(renamed, renamedState);
        }
      }
      if (!before && !explicit.has(file) && !rotated.has(file)) {
        let v: Verdict;
        try {
          v = await verdict(file, st);
        } catch (err) {
          report([{ path: file, reason: describeFsError(err) }]);
          continue;
        }
        if (v === 'wait') continue;
        if (v === 'never') {
          ignored.set(file, st);
          undetected.delete(file);
          continue;
        }
        undetected.delete(file);
      }
      changed.set(file, st);
    }
    for (const file of followed.keys()) if (!listed.has(file)) followed.delete(file);
    for (const file of undetected.keys()) if (!listed.has(file)) undetected.delete(file);
    for (const file of ignored.keys()) if (!listed.has(file)) ignored.delete(file);
    return changed;
  }

  async function cycle(): Promise<void> {
    const at = noticedAt ?? Date.now();
    noticedAt = null;
    const changed = await scan();
    const first = initial;
    initial = false;
    if (!changed.size && !first) return;
    let summary: IndexSummary;
    const exclusive = opts.exclusive ?? (<T>(run: () => Promise<T>) => run());
    try {
      summary = await exclusive(() => indexPaths(db, [...changed.keys()], {
        timeZone: opts.timeZone, logFormats: opts.logFormats, proftpdConf: opts.proftpdConf, signal: abort.signal, expected: changed,
      }));
    } catch (err) {
      // Typically the database is busy or full: nothing of the batch is marked done, so it is retried
      // at the next poll, and the lines come in by themselves once there is space again.
      report([{ path: db.name, reason: (asDatabaseError(err, db.name, { retrying: true }) as Error).message }]);
      return;
    }
    // A file renamed away (rotated, maybe already replaced) or deleted between the scan and its
    // reading is not an error: the next scan finds it under its new name, or no more. What was known
    // of it stays, so that a new file at its path is seen as a rotation and the old one's last
    // lines are read under its new name.
    const gone = new Set<string>();
    for (const e of summary.errors) {
      const seen = changed.get(e.path);
      const now = seen && (await stateOf(e.path));
      if (seen && (!now || now.ino !== seen.ino || now.dev !== seen.dev)) gone.add(e.path);
    }
    const failed = new Set(summary.errors.map((e) => e.path));
    for (const [file, st] of changed) {
      if (gone.has(file)) continue;
      if (failed.has(file)) followed.delete(file);
      else followed.set(file, st);
    }
    report(summary.errors.filter((e) => !gone.has(e.path)));
    if (summary.lines > 0 || first) {
      opts.onBatch?.({ summary, files: [...changed.keys()], initial: first, noticedAt: at, committedAt: Date.now() });
    }
  }

  function trigger(): void {
    if (stopped || paused) return;
    noticedAt ??= Date.now();
    if (running) {
      again = true;
      return;
    }
    running = cycle()
      .catch((err: unknown) => report([{ path: inputs.join(', '), reason: (err as Error).message }]))
      .finally(() => {
        running = null;
        if (again) {
          again = false;
          trigger();
        }
      });
  }

  const onWatchEvent = (_event: string, name: string | Buffer | null) => {
    if (name && ownNames.has(path.basename(String(name)))) return; // our own database's writes
    noticedAt ??= Date.now();
    debounce ??= setTimeout(() => {
      debounce = null;
      trigger();
    }, DEBOUNCE_MS);
  };

  const watchers: fs.FSWatcher[] = [];
  if (opts.watch ?? true) {
    const dirs = new Map<string, boolean>();
    for (const input of inputs) {
      try {
        const st = fs.statSync(input);
        // Recursive watching is native on Windows and macOS; elsewhere subfolders rely on the poll.
        if (st.isDirectory()) dirs.set(path.resolve(input), process.platform === 'win32' || process.platform === 'darwin');
        else if (st.isFile() && !dirs.has(path.dirname(path.resolve(input)))) dirs.set(path.dirname(path.resolve(input)), false);
      } catch {
        // patterns and missing inputs are polled
      }
    }
    for (const [dir, recursive] of dirs) {
      try {
        const w = fs.watch(dir, { recursive }, onWatchEvent);
        w.on('error', () => w.close()); // the poll carries on alone
        watchers.push(w);
      } catch {
        // no watch on this file system (or out of watches): the poll carries on alone
      }
    }
  }

  const poll = setInterval(trigger, opts.pollMs ?? DEFAULT_POLL_MS);
  trigger();
  const firstRun = running as Promise<void> | null;

  return {
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      trigger();
    },
    async stop() {
      stopped = true;
      clearInterval(poll);
      if (debounce) clearTimeout(debounce);
      for (const w of watchers) w.close();
      abort.abort(); // indexPaths stops after the batch it is committing
      while (running) await running;
    },
    ready: firstRun ?? Promise.resolve(),
  };
}
