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
import { indexPaths, type IndexProgress, type IndexSummary } from '../core/ingest/indexer.js';
import { openDatabase, type Db } from '../core/store/db.js';
import { removeSource, resetSource, writeMeta } from '../core/store/source-admin.js';
import type { FollowBatchInfo, IndexRequest } from '../api/contract.js';

export interface IndexWorkerData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: typeof WORKER_ROLE;
  databasePath: string;
  /** better-sqlite3 built for this runtime's ABI (Electron), when not the one in node_modules. */
  nativeBinding?: string;
}

export const WORKER_ROLE = 'xferlens-index-worker';

/** New options for one source, read again from its start (`sources/configure`). */
export interface ConfigureRequest {
  sourceId: number;
  timeZone?: string;
  logFormat?: string | null;
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
  | { type: 'follow-pause'; jobId: string; paused: boolean };

export type FromWorker =
  | { type: 'ready' }
  | { type: 'fatal'; message: string }
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

type QueuedJob = Extract<ToWorker, { type: 'index' | 'configure' | 'remove' }>;

/** What one followed path found so far. */
interface Found {
  files: Set<string>;
  error: string | null;
}

function serve(port: NonNullable<typeof parentPort>, data: IndexWorkerData): void {
  const post = (message: FromWorker) => port.postMessage(message);
  let db: Db;
  try {
    db = openDatabase(data.databasePath, data.nativeBinding ? { nativeBinding: data.nativeBinding } : {});
  } catch (err) {
    post({ type: 'fatal', message: (err as Error).message });
    return;
  }
  const queue: QueuedJob[] = [];
  let running: { jobId: string; controller: AbortController } | null = null;
  /** The tail of the writes in progress: jobs and follow batches take turns (see FollowOptions.exclusive). */
  let writing: Promise<unknown> = Promise.resolve();
  const exclusive = <T>(run: () => Promise<T>): Promise<T> => {
    const result = writing.then(run);
    writing = result.then(() => undefined, () => undefined);
    return result;
  };

  const index = async (jobId: string, paths: readonly string[], request: Omit<IndexRequest, 'paths'>, signal: AbortSignal): Promise<IndexSummary> =>
    indexPaths(db, paths, {
      ...(request.timeZone ? { timeZone: request.timeZone } : {}),
      ...(request.logFormats ? { logFormats: request.logFormats } : {}),
      signal,
      onProgress: (progress) => post({ type: 'progress', jobId, progress }),
    });

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
      post({ type: 'failed', jobId: job.jobId, message: (err as Error).message });
    } finally {
      running = null;
    }
    return next();
  };

  // --- follow mode -------------------------------------------------------------------------------
  const followers = new Map<string, { follower: Follower; found: Found }>();
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
    found.error = null;
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
      const found: Found = { files: new Set(), error: null };
      const current = () => followers.get(input)?.found === found;
      // Its first batch comes later (follow starts it asynchronously), once it is in the map.
      const follower = follow(db, [input], {
        ...(request.timeZone ? { timeZone: request.timeZone } : {}),
        ...(request.logFormats ? { logFormats: request.logFormats } : {}),
        exclusive,
        onBatch: (batch) => current() && onBatch(input, found, batch),
        onError: (e) => {
          if (!current()) return;
          found.error = e.path === input ? e.reason : `${e.path}: ${e.reason}`;
          postState(null);
        },
      });
      followers.set(input, { follower, found });
      if (followPaused) follower.pause();
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

  const answerFollow = (message: Extract<ToWorker, { type: 'follow' | 'unfollow' | 'follow-pause' }>) => {
    try {
      if (message.type === 'follow') startFollowing(message.request);
      else if (message.type === 'unfollow') stopFollowing(message.paths);
      else {
        followPaused = message.paused;
        for (const { follower } of followers.values()) {
          if (followPaused) follower.pause();
          else follower.resume();
        }
      }
      postState(message.jobId);
    } catch (err) {
      post({ type: 'failed', jobId: message.jobId, message: (err as Error).message });
    }
  };

  port.on('message', (message: ToWorker) => {
    switch (message.type) {
      case 'follow':
      case 'unfollow':
      case 'follow-pause':
        answerFollow(message);
        return;
      case 'meta':
        try {
          writeMeta(db, message.key, message.value);
          post({ type: 'stored', jobId: message.jobId });
        } catch (err) {
          post({ type: 'failed', jobId: message.jobId, message: (err as Error).message });
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
}

// Only when loaded as a worker: the client imports this module's types, never its code.
if (parentPort && (workerData as Partial<IndexWorkerData> | null)?.role === WORKER_ROLE) {
  serve(parentPort, workerData as IndexWorkerData);
}
