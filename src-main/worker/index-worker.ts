/**
 * The writer: a worker thread that owns the database's write connection, so neither the Electron
 * main process nor `xferlens serve` blocks on parsing or SQLite. Jobs that read files or rewrite
 * many rows (index, configure, remove) run one after the other; a settings write is done at once
 * (each batch of an index run is its own synchronous transaction, so it lands between two).
 * Followed paths (follow mode) are indexed here too, each batch between two jobs, and after each
 * batch the live failed-login bursts are looked for.
 * It talks only by messages (see `ToWorker` / `FromWorker`) and imports nothing from Electron.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Insight } from '../core/analysis/insights.js';
import { LiveBurstWatch } from '../core/analysis/live-insights.js';
import { follow, type FollowBatch, type Follower } from '../core/ingest/follow.js';
import { addSummary, IndexStoppedError, indexPaths, type IndexProgress, type IndexSummary } from '../core/ingest/indexer.js';
import { describeInputError } from '../core/ingest/inputs.js';
import { localTimeZone } from '../core/time.js';
import { tryReadProftpdConf, type ProftpdConf } from '../core/ingest/proftpd-conf.js';
import { asDatabaseError, DatabaseError, openDatabase, type DatabaseErrorCode, type Db } from '../core/store/db.js';
import { readMeta, writeMeta } from '../core/store/meta.js';
import { removeSource, resetSource, type SourceChange } from '../core/store/source-admin.js';
import type { FollowBatchInfo, IndexRequest, UpgradeProgress } from '../api/contract.js';
import { INPUTS } from '../api/inputs.js';
import { validate } from '../api/validate.js';

export interface IndexWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: typeof WORKER_ROLE;
  databasePath: string;
  /** better-sqlite3 built for this runtime's ABI (Electron), when not the one in node_modules. */
  nativeBinding?: string;
  /**
   * The proftpd.conf files without one of their own are read with (`serve --proftpd-conf`, else the
   * system's), read again by each job so that edits to it count.
   */
  proftpdConf?: string;
}

export const WORKER_ROLE = 'xferlens-index-worker';

/**
 * The meta key under which the worker remembers what is followed (a RememberedFollowing), so that
 * the app and `serve` follow it again after a restart ('follow-restore'). Only the worker writes it,
 * from its own follow state: no API method can put a path there (settings live under another key).
 */
export const FOLLOWED_META_KEY = 'followed';

interface RememberedFollowing {
  paused: boolean;
  /** One request per followed path, with the options (time zone, LogFormats) it was followed with. */
  requests: IndexRequest[];
}

/** New options for one source, read again from its start (`sources/configure`). */
export interface ConfigureRequest extends SourceChange {
  sourceId: number;
}

/** What is followed (the worker sends it after every change; the host keeps the latest). */
export interface FollowState {
  /** Every follower is paused: changes are noticed, indexed once resumed. */
  paused: boolean;
  inputs: FollowedInput[];
}

export interface FollowedInput {
  /** As given to follow (a file, a folder or a pattern). */
  path: string;
  /** The files indexed through it so far. */
  files: string[];
  /** The last problem with it; cleared by its next batch. */
  error: string | null;
}

/** Batches, changes of what is followed, and new live insights, as the host relays them. */
export type FollowNotice =
  | { type: 'batch'; batch: FollowBatchInfo }
  | { type: 'state'; state: FollowState }
  | { type: 'insight'; insight: Insight };

export type ToWorker =
  | { type: 'index'; jobId: string; request: IndexRequest }
  | { type: 'configure'; jobId: string; request: ConfigureRequest }
  | { type: 'remove'; jobId: string; sourceId: number }
  | { type: 'meta'; jobId: string; key: string; value: string }
  | { type: 'cancel'; jobId: string }
  /** Follows the request's paths (those already followed stay as they are). */
  | { type: 'follow'; jobId: string; request: IndexRequest }
  /** Stops following these paths (as given to follow), or all of them (null). */
  | { type: 'unfollow'; jobId: string; paths: string[] | null }
  | { type: 'follow-pause'; jobId: string; paused: boolean }
  /** Follows again what was followed when the database was last used (paused if it was). */
  | { type: 'follow-restore'; jobId: string };

export type FromWorker =
  /**
   * Opening a database of an older schema: before each step of its upgrade, and once more when the
   * steps are done (`step` = `steps` + 1). 'ready' (or 'fatal') follows.
   */
  | { type: 'migrate'; progress: UpgradeProgress }
  | { type: 'ready' }
  /** The database could not be opened; `code` says why when it is a DatabaseError (the host decides on it, e.g. read-only). */
  | { type: 'fatal'; message: string; code?: DatabaseErrorCode }
  | { type: 'progress'; jobId: string; progress: IndexProgress }
  /** An index or configure job ended (`missing`: configure found no such source). */
  | { type: 'done'; jobId: string; summary: IndexSummary; cancelled: boolean; missing?: true }
  | { type: 'removed'; jobId: string; removed: boolean }
  | { type: 'stored'; jobId: string }
  | { type: 'failed'; jobId: string; message: string }
  /** What is followed: the answer to a follow message (jobId), or a change of its own (null). */
  | { type: 'following'; jobId: string | null; state: FollowState }
  | { type: 'follow-batch'; batch: FollowBatchInfo }
  | { type: 'live-insight'; insight: Insight };

/** The summary of a job cancelled before it read anything. */
export function emptySummary(): IndexSummary {
  return { files: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, ms: 0, formats: {}, errors: [] };
}

/** How often a job stopped by a full disk tries again (XFERLENS_FULL_DISK_RETRY_MS for tests). */
function fullDiskRetryMs(): number {
  const ms = Number(process.env.XFERLENS_FULL_DISK_RETRY_MS);
  return Number.isSafeInteger(ms) && ms > 0 ? ms : 2000;
}

/** Resolves after fullDiskRetryMs(), or at once when the job is cancelled. */
function untilRetry(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, fullDiskRetryMs());
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done);
  });
}

type QueuedJob = Extract<ToWorker, { type: 'index' | 'configure' | 'remove' }>;

/** What one followed path found so far. */
interface Found {
  files: Set<string>;
  error: string | null;
}

function serve(port: NonNullable<typeof parentPort>, data: IndexWorkerData): void {
  const post = (message: FromWorker) => port.postMessage(message);
  /** What the host shows: a lock or damage met on the way is named as the database's (not the log's). */
  const reason = (err: unknown) => (asDatabaseError(err, data.databasePath, err instanceof IndexStoppedError ? { linesKept: err.summary.lines } : {}) as Error).message;
  let db: Db;
  try {
    db = openDatabase(data.databasePath, {
      ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}),
      // Posted while the upgrade runs (this thread is busy until it ends): the host shows each step.
      onMigrate: (progress: UpgradeProgress) => post({ type: 'migrate', progress }),
    });
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message, ...(err instanceof DatabaseError ? { code: err.code } : {}) });
    return;
  }
  /** The host's proftpd.conf as it is now, or why it cannot be read (indexing goes on without it). */
  const hostConf = (): { conf?: ProftpdConf; error?: string } => {
    if (!data.proftpdConf) return {};
    const read = tryReadProftpdConf(data.proftpdConf);
    return read.error ? { error: `${read.error}; indexing without it` } : read;
  };
  const queue: QueuedJob[] = [];
  let running: { jobId: string; controller: AbortController } | null = null;
  /** The tail of the writes in progress: jobs and follow batches take turns (see FollowOptions.exclusive). */
  let writing: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = writing.then(run);
    writing = result.then(() => undefined, () => undefined);
    return result;
  };

  /**
   * Runs an index job to its end. A full disk does not end it: the job says so (a `stalled`
   * progress), waits and runs again from where it stopped (what it committed is kept), until there
   * is space again or it is cancelled.
   */
  const index = async (jobId: string, paths: readonly string[], request: Omit<IndexRequest, 'paths'>, signal: AbortSignal): Promise<IndexSummary> => {
    const total = emptySummary();
    const conf = hostConf();
    if (conf.error) total.errors.push({ path: data.proftpdConf!, reason: conf.error });
    let last: IndexProgress = { file: '', filesDone: 0, filesTotal: paths.length, bytesDone: 0, bytesTotal: 0 };
    const run = () => indexPaths(db, paths, {
      ...(request.timeZone ? { timeZone: request.timeZone } : {}),
      ...(request.logFormats ? { logFormats: request.logFormats } : {}),
      ...(conf.conf ? { proftpdConf: conf.conf } : {}),
      signal,
      onProgress: (progress) => post({ type: 'progress', jobId, progress: (last = progress) }),
    });
    for (;;) {
      try {
        return addSummary(total, await run());
      } catch (err) {
        const fault = asDatabaseError(err, data.databasePath, { linesKept: total.lines + (err instanceof IndexStoppedError ? err.summary.lines : 0), retrying: true });
        if (!(err instanceof IndexStoppedError && fault instanceof DatabaseError && fault.code === 'DISK_FULL')) throw err;
        addSummary(total, err.summary);
        post({ type: 'progress', jobId, progress: { ...last, stalled: fault.message } });
        await untilRetry(signal);
        if (signal.aborted) return total;
      }
    }
  };

  const runJob = async (job: QueuedJob, signal: AbortSignal): Promise<void> => {
    switch (job.type) {
      case 'index': {
        const summary = await index(job.jobId, job.request.paths, job.request, signal);
        post({ type: 'done', jobId: job.jobId, summary, cancelled: signal.aborted });
        return;
      }
      case 'configure': {
        const { sourceId, ...change } = job.request;
        const file = resetSource(db, sourceId, change);
        if (file === null) {
          post({ type: 'done', jobId: job.jobId, summary: emptySummary(), cancelled: false, missing: true });
          return;
        }
        // The stored options now decide the zone and LogFormats (see resetSource).
        const summary = await index(job.jobId, [file], {}, signal);
        post({ type: 'done', jobId: job.jobId, summary, cancelled: signal.aborted });
        return;
      }
      case 'remove':
        post({ type: 'removed', jobId: job.jobId, removed: removeSource(db, job.sourceId) });
        return;
    }
  };

  const next = async (): Promise<void> => {
    if (running) return;
    const job = queue.shift();
    if (!job) return;
    const current = { jobId: job.jobId, controller: new AbortController() };
    running = current;
    try {
      await exclusive(() => runJob(job, current.controller.signal));
    } catch (err) {
      post({ type: 'failed', jobId: job.jobId, message: reason(err) });
    } finally {
      running = null;
    }
    return next();
  };

  // --- follow mode -------------------------------------------------------------------------------
  const followers = new Map<string, { follower: Follower; found: Found; request: IndexRequest }>();
  let followPaused = false;
  const liveBursts = new LiveBurstWatch(db);

  const followState = (): FollowState => ({
    paused: followPaused,
    inputs: [...followers].map(([path, { found }]) => ({ path, files: [...found.files], error: found.error })),
  });
  const postState = (jobId: string | null) => post({ type: 'following', jobId, state: followState() });

  const onBatch = (input: string, found: Found, batch: FollowBatch) => {
    const known = found.files.size;
    for (const file of batch.files) found.files.add(file);
    const hadError = found.error !== null;
    // Lines read show the path works (again); an empty first batch of a missing path does not.
    if (batch.summary.lines > 0) found.error = null;
    const s = batch.summary;
    if (s.lines > 0) {
      post({
        type: 'follow-batch',
        batch: { path: input, files: batch.files, lines: s.lines, events: s.events, unparsed: s.unparsed, bytes: s.bytes, noticedAt: batch.noticedAt, committedAt: batch.committedAt },
      });
    }
    try {
      // What the files held when following began is known already, not news.
      const insight = liveBursts.check(batch.files, { baseline: batch.initial });
      if (insight) post({ type: 'live-insight', insight });
    } catch (err) {
      found.error = `live insights: ${(err as Error).message}`;
    }
    if (found.files.size !== known || hadError || found.error !== null) postState(null);
  };

  const startFollowing = (request: IndexRequest) => {
    for (const input of new Set(request.paths)) {
      if (followers.has(input)) continue;
      const conf = hostConf();
      const found: Found = { files: new Set(), error: conf.error ?? null };
      const current = () => followers.get(input)?.found === found;
      const options = {
        ...(request.timeZone ? { timeZone: request.timeZone } : {}),
        ...(request.logFormats ? { logFormats: request.logFormats } : {}),
      };
      // Its first batch comes later (follow starts it asynchronously), once it is in the map.
      const follower = follow(db, [input], {
        ...options,
        ...(conf.conf ? { proftpdConf: conf.conf } : {}),
        paused: followPaused,
        exclusive,
        onBatch: (batch) => current() && onBatch(input, found, batch),
        onError: (e) => {
          if (!current()) return;
          found.error = e.path === input ? e.reason : describeInputError(e);
          postState(null);
        },
      });
      followers.set(input, { follower, found, request: { paths: [input], ...options } });
    }
  };

  const setPaused = (paused: boolean) => {
    followPaused = paused;
    for (const { follower } of followers.values()) {
      if (paused) follower.pause();
      else follower.resume();
    }
  };

  const remember = () => {
    const remembered: RememberedFollowing = { paused: followPaused, requests: [...followers.values()].map((f) => f.request) };
    writeMeta(db, FOLLOWED_META_KEY, JSON.stringify(remembered));
  };

  /**
   * Follows what was remembered. A path that is missing now is followed all the same (its error
   * says so, and it is picked up when it appears); an entry that is no longer valid is left out.
   */
  const restore = () => {
    let stored: Partial<RememberedFollowing> | null = null;
    try {
      stored = JSON.parse(readMeta(db, FOLLOWED_META_KEY) ?? 'null') as Partial<RememberedFollowing> | null;
    } catch {
      return; // damaged: nothing to follow
    }
    if (!stored || typeof stored !== 'object') return;
    setPaused(stored.paused === true);
    for (const entry of Array.isArray(stored.requests) ? stored.requests : []) {
      try {
        startFollowing(validate('follow-restore', INPUTS['follow/start'], entry));
      } catch {
        // e.g. a time zone this runtime no longer knows: the next change of what is followed forgets it
      }
    }
  };

  /**
   * Stops followers without waiting for them: at most the batch being committed still lands, and a
   * batch waiting for its turn behind a long index job finds itself cancelled when its turn comes.
   */
  const stopFollowing = (paths: readonly string[] | null) => {
    for (const p of paths ?? [...followers.keys()]) {
      void followers.get(p)?.follower.stop();
      followers.delete(p);
    }
  };

  const answerFollow = (message: Extract<ToWorker, { type: 'follow' | 'unfollow' | 'follow-pause' | 'follow-restore' }>) => {
    try {
      if (message.type === 'follow') startFollowing(message.request);
      else if (message.type === 'unfollow') stopFollowing(message.paths);
      else if (message.type === 'follow-restore') restore();
      else setPaused(message.paused);
    } catch (err) {
      post({ type: 'failed', jobId: message.jobId, message: reason(err) });
      return;
    }
    if (message.type !== 'follow-restore') {
      try {
        remember();
      } catch (err) {
        // Following did change: the host learns the state, and the caller that it is not remembered.
        postState(null);
        post({ type: 'failed', jobId: message.jobId, message: `following changed but could not be remembered for the next start: ${reason(err)}` });
        return;
      }
    }
    postState(message.jobId);
  };

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'follow':
      case 'unfollow':
      case 'follow-pause':
      case 'follow-restore':
        answerFollow(message);
        return;
      case 'meta':
        try {
          writeMeta(db, message.key, message.value);
          post({ type: 'stored', jobId: message.jobId });
        } catch (err) {
          post({ type: 'failed', jobId: message.jobId, message: reason(err) });
        }
        return;
      case 'cancel': {
        if (running?.jobId === message.jobId) {
          running.controller.abort();
          return;
        }
        const at = queue.findIndex((j) => j.jobId === message.jobId);
        if (at < 0) return;
        const [job] = queue.splice(at, 1);
        post(job!.type === 'remove' ? { type: 'removed', jobId: message.jobId, removed: false } : { type: 'done', jobId: message.jobId, summary: emptySummary(), cancelled: true });
        return;
      }
      default:
        queue.push(message);
        void next();
    }
  });
  port.on('close', () => db.close());
  post({ type: 'ready' });
  // ICU's time-zone data loads on its first use (~25 ms): now, while nothing waits, rather than in
  // the first index job, whose first rows the user is waiting for.
  setImmediate(localTimeZone);
}

// Only when loaded as a worker: the client imports this module's types, never its code.
if (parentPort && (workerData as Partial<IndexWorkerData> | null)?.role === WORKER_ROLE) {
  serve(parentPort, workerData as IndexWorkerData);
}
