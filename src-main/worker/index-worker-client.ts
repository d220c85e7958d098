import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { IndexRequest, UpgradeProgress } from '../api/contract.js';
import type { IndexOutcome, Writer } from '../api/handlers.js';
import { INDEXING_YOUNG_GENERATION_MB } from '../core/ingest/heap-growth.js';
import type { IndexProgress } from '../core/ingest/indexer.js';
import { DatabaseError } from '../core/store/faults.js';
import { emptySummary, type ConfigureRequest, type FollowNotice, type FollowState, type FromWorker, type IndexWorkerData, type ToWorker } from './index-worker.js';

type Settled = Extract<FromWorker, { type: 'done' | 'removed' | 'stored' | 'following' }>;

const NOT_FOLLOWING: FollowState = { paused: false, inputs: [] };

interface PendingJob {
  onProgress?: (p: IndexProgress) => void;
  resolve: (message: Settled) => void;
  reject: (err: Error) => void;
  /** What the job ends with when cancelled before the worker has it. */
  cancelled: Settled;
  /** Whether the worker has the job (false while it starts). */
  sent: boolean;
}

/** After a crash while following, a new worker follows again: at most this often in a minute (then a crash loop stops). */
const REFOLLOWS_PER_MINUTE = 3;

/**
 * The host's side of the writer worker (Electron main, `xferlens serve`): sends jobs, relays
 * progress, settles each job's promise. The worker starts on first use; if it dies, its jobs fail
 * and the next job starts a new one. If it was following, a new worker follows the remembered paths
 * again a second later (the lines written meanwhile are read then: nothing is lost).
 */
export class IndexWorkerClient implements Writer {
  private worker: Worker | null = null;
  private ready: Promise<void> | null = null;
  private readonly jobs = new Map<string, PendingJob>();
  private following: FollowState = NOT_FOLLOWING;
  private readonly followListeners = new Set<(notice: FollowNotice) => void>();
  /** When followers were last restarted after a crash (see REFOLLOWS_PER_MINUTE). */
  private refollows: number[] = [];
  private stopped = false;

  constructor(
    private readonly options: Omit<IndexWorkerData, 'role'> & {
      /** Told each step of upgrading a database of an older schema, as the worker opens it (see FromWorker 'migrate'). */
      onMigrate?: (progress: UpgradeProgress) => void;
    },
    private readonly script: URL = new URL('./index-worker.js', import.meta.url),
  ) {}

  /** Starts the worker (which opens and migrates the database); resolves once it is ready. */
  start(): Promise<void> {
    this.stopped = false;
    if (this.ready) return this.ready;
    const { onMigrate, ...options } = this.options;
    const workerData: IndexWorkerData = { role: 'xferlens-index-worker', ...options };
    const worker = new Worker(this.script, { workerData, resourceLimits: { maxYoungGenerationSizeMb: INDEXING_YOUNG_GENERATION_MB } });
    this.worker = worker;
    this.ready = new Promise<void>((resolve, reject) => {
      worker.on('message', (message: FromWorker) => {
        switch (message.type) {
          case 'migrate':
            onMigrate?.(message.progress);
            break;
          case 'ready':
            resolve();
            break;
          case 'fatal':
            reject(message.code ? new DatabaseError(message.message, message.code, this.options.databasePath) : new Error(message.message));
            break;
          case 'progress':
            this.jobs.get(message.jobId)?.onProgress?.(message.progress);
            break;
          case 'done':
          case 'removed':
          case 'stored':
            this.settle(message.jobId)?.resolve(message);
            break;
          case 'following':
            this.following = message.state;
            if (message.jobId !== null) this.settle(message.jobId)?.resolve(message);
            this.notify({ type: 'state', state: message.state });
            break;
          case 'follow-batch':
            this.notify({ type: 'batch', batch: message.batch });
            break;
          case 'live-insight':
            this.notify({ type: 'insight', insight: message.insight });
            break;
          case 'failed':
            this.settle(message.jobId)?.reject(new Error(message.message));
            break;
        }
      });
      const died = (reason: string) => {
        reject(new Error(reason));
        const crashed = this.worker === worker; // not stopped by stop()
        if (crashed) {
          this.worker = null;
          this.ready = null;
        }
        for (const id of [...this.jobs.keys()]) this.settle(id)?.reject(new Error(reason));
        // Its followers died with it.
        if (this.following.inputs.length) {
          this.following = NOT_FOLLOWING;
          this.notify({ type: 'state', state: NOT_FOLLOWING });
          if (crashed) this.followAgainAfterCrash();
        }
      };
      worker.on('error', (err) => died(`the index worker failed: ${err.message}`));
      worker.on('exit', (code) => died(`the index worker stopped (exit code ${code})`));
    });
    // A failed start is reported to whoever awaits it; keep it from being an unhandled rejection.
    this.ready.catch(() => undefined);
    return this.ready;
  }

  run(jobId: string, request: IndexRequest, onProgress: (p: IndexProgress) => void): Promise<IndexOutcome> {
    return this.submit({ type: 'index', jobId, request }, onProgress).then(asOutcome);
  }

  configure(jobId: string, request: ConfigureRequest, onProgress: (p: IndexProgress) => void): Promise<IndexOutcome & { missing: boolean }> {
    return this.submit({ type: 'configure', jobId, request }, onProgress).then((m) => ({ ...asOutcome(m), missing: m.type === 'done' && !!m.missing }));
  }

  async removeSource(sourceId: number): Promise<boolean> {
    const m = await this.submit({ type: 'remove', jobId: randomUUID(), sourceId });
    return m.type === 'removed' && m.removed;
  }

  async setMeta(key: string, value: string): Promise<void> {
    await this.submit({ type: 'meta', jobId: randomUUID(), key, value });
  }

  follow(request: IndexRequest): Promise<FollowState> {
    return this.submit({ type: 'follow', jobId: randomUUID(), request }).then(asFollowState);
  }

  unfollow(paths: string[] | null): Promise<FollowState> {
    return this.submit({ type: 'unfollow', jobId: randomUUID(), paths }).then(asFollowState);
  }

  setFollowPaused(paused: boolean): Promise<FollowState> {
    return this.submit({ type: 'follow-pause', jobId: randomUUID(), paused }).then(asFollowState);
  }

  resumeFollowing(): Promise<FollowState> {
    return this.submit({ type: 'follow-restore', jobId: randomUUID() }).then(asFollowState);
  }

  followState(): FollowState {
    return this.following;
  }

  onFollow(listener: (notice: FollowNotice) => void): () => void {
    this.followListeners.add(listener);
    return () => void this.followListeners.delete(listener);
  }

  cancel(jobId: string): boolean {
    const job = this.jobs.get(jobId);
    if (!job) return false;
    if (job.sent) this.send({ type: 'cancel', jobId });
    else this.settle(jobId)?.resolve(job.cancelled);
    return true;
  }

  private followAgainAfterCrash(): void {
    const now = Date.now();
    this.refollows = this.refollows.filter((t) => now - t < 60_000);
    if (this.refollows.length >= REFOLLOWS_PER_MINUTE) return;
    this.refollows.push(now);
    // A stop() or a follow/start meanwhile wins; a failed restart leaves it stopped (the next job starts a worker).
    setTimeout(() => {
      if (!this.stopped && !this.following.inputs.length) this.resumeFollowing().catch(() => undefined);
    }, 1000).unref();
  }

  /** Stops the worker (its connection is closed; committed batches stay). */
  async stop(): Promise<void> {
    this.stopped = true;
    const worker = this.worker;
    this.worker = null;
    this.ready = null;
    if (worker) await worker.terminate();
  }

  private submit(message: Exclude<ToWorker, { type: 'cancel' }>, onProgress?: (p: IndexProgress) => void): Promise<Settled> {
    const { jobId } = message;
    const cancelled: Settled =
      message.type === 'remove' ? { type: 'removed', jobId, removed: false }
      : message.type === 'meta' ? { type: 'stored', jobId }
      : message.type === 'follow' || message.type === 'unfollow' || message.type === 'follow-pause' || message.type === 'follow-restore' ? { type: 'following', jobId, state: this.following }
      : { type: 'done', jobId, summary: emptySummary(), cancelled: true };
    return new Promise((resolve, reject) => {
      // Known at once, so a cancel that arrives while the worker is still starting is not lost.
      this.jobs.set(jobId, { ...(onProgress ? { onProgress } : {}), resolve, reject, cancelled, sent: false });
      this.start().then(
        () => {
          const job = this.jobs.get(jobId);
          if (!job) return; // cancelled meanwhile
          job.sent = true;
          this.send(message);
        },
        (err: Error) => this.settle(jobId)?.reject(err),
      );
    });
  }

  private notify(notice: FollowNotice): void {
    for (const listener of this.followListeners) listener(notice);
  }

  private send(message: ToWorker): void {
    this.worker?.postMessage(message);
  }

  private settle(jobId: string): PendingJob | undefined {
    const job = this.jobs.get(jobId);
    this.jobs.delete(jobId);
    return job;
  }
}

function asFollowState(m: Settled): FollowState {
  if (m.type !== 'following') throw new Error(`the index worker answered ${m.type} to a follow message`);
  return m.state;
}

function asOutcome(m: Settled): IndexOutcome {
  if (m.type !== 'done') throw new Error(`the index worker answered ${m.type} to an index job`);
  return { summary: m.summary, cancelled: m.cancelled };
}
