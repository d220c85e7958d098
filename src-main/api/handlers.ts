/**
 * The handlers of every API method, shared by the transports (Electron IPC, `xferlens serve`,
 * tests). Each input is checked by its validator (inputs.ts) before the handler sees it; reads go
 * to the host's read connection, writes to the writer worker, long reads (export) to a connection
 * of their own.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { explainCode, explainText } from '../core/explain/index.js';
import { plainExplanation, rowExplanations } from '../core/explain/row.js';
import type { ExportThreads } from '../core/export/halves.js';
import { prepareExport } from '../core/export/query-export.js';
import { writeReport, type MakeReportOptions } from '../core/report/make.js';
import type { PdfPrinter } from '../core/report/pdf.js';
import { checkReportRequest } from '../core/report/report.js';
import type { ReportRequest as BuiltReportRequest } from '../core/report/report-types.js';
import { FORMATS } from '../core/formats/registry.js';
import { tryReadProftpdConf } from '../core/ingest/proftpd-conf.js';
import type { IndexProgress, IndexSummary } from '../core/ingest/indexer.js';
import { computeInsights } from '../core/analysis/insights.js';
import { INSIGHTS_THREAD_MIN_EVENTS, insightsInThread, insightsThreadAvailable } from '../core/analysis/insights-thread.js';
import { aggregate, countRows, queryHints, timeSpan, queryPage, rowsById, type QueryKind } from '../core/query/index.js';
import { suggestValues } from '../core/query/suggest.js';
import { asDatabaseError, type Db } from '../core/store/db.js';
import { lineSql } from '../core/store/line-blocks.js';
import { sourceLinesFrom } from '../core/store/line-spans.js';
import { readMeta } from '../core/store/meta.js';
import { databaseStats, listSources } from '../core/store/stats.js';
import type { SourceRow } from '../core/store/writer.js';
import { VERSION } from '../core/version.js';
import type { ConfigureRequest, FollowNotice, FollowState } from '../worker/index-worker.js';
import type {
  ApiEventName,
  ApiEvents,
  ApiInput,
  ApiMethod,
  ApiOutput,
  AppStatus,
  Explanation,
  FollowStatus,
  FormatInfo,
  IndexRequest,
  IndexResult,
  ReportOptions,
  Row,
  Settings,
  SourceInfo,
} from './contract.js';
import { ApiError } from './errors.js';
import { INPUTS, MAX_FOLLOWED, SETTINGS_FIELDS } from './inputs.js';
import { querySchema } from './query-schema.js';
import { object, validate } from './validate.js';

export interface IndexOutcome {
  summary: IndexSummary;
  cancelled: boolean;
}

/** The single writer of the database (the writer worker, or in-process in a test). */
export interface Writer {
  /** Runs an index job after the ones before it. */
  run(jobId: string, request: IndexRequest, onProgress: (p: IndexProgress) => void): Promise<IndexOutcome>;
  /** Stores a source's new options and indexes it again from its start (`missing`: no such source). */
  configure(jobId: string, request: ConfigureRequest, onProgress: (p: IndexProgress) => void): Promise<IndexOutcome & { missing: boolean }>;
  /** Forgets a source's rows and the source; false when there was none. */
  removeSource(sourceId: number): Promise<boolean>;
  setMeta(key: string, value: string): Promise<void>;
  /** Stops a running or queued job; false when the job is unknown or already over. */
  cancel(jobId: string): boolean;
  /** Follows the request's paths (follow mode); resolves at once with what is followed. */
  follow(request: IndexRequest): Promise<FollowState>;
  /** Stops following these paths (as given to `follow`), or all (null). */
  unfollow(paths: string[] | null): Promise<FollowState>;
  setFollowPaused(paused: boolean): Promise<FollowState>;
  /**
   * Follows again what was followed when the database was last used, paused if it was (the writer
   * remembers every change of what is followed). Hosts call it once at start.
   */
  resumeFollowing(): Promise<FollowState>;
  /** What is followed, as the writer last said. */
  followState(): FollowState;
  /** Follow batches, changes and live insights; returns the function that stops listening. */
  onFollow(listener: (notice: FollowNotice) => void): () => void;
}

/** Native dialogs (desktop only). */
export interface Dialogs {
  open(opts: { folders: boolean }): Promise<string[]>;
  /** The chosen path, or null when cancelled. */
  save(opts: { defaultName: string; format: 'csv' | 'ndjson' | 'html' | 'pdf' }): Promise<string | null>;
}

/** What the handlers need from their host (Electron main, `xferlens serve`, a test). */
export interface ApiBackend {
  mode: 'desktop' | 'browser';
  databasePath: string;
  /** The shared connection for reads (WAL lets it read while the writer commits). */
  readDb(): Db;
  /** A new read-only connection for a long read (an export); the caller closes it. */
  openReadDb(): Db;
  writer: Writer;
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
  /** Whether `index/open` may read paths given by the UI (browser mode: loopback or --allow-open). */
  canOpenPaths: boolean;
  /** Why the database is read-only here (the writer refuses every write), or null/absent when it is not. */
  readOnly?: string | null;
  /** The proftpd.conf the writer reads files with when they have none of their own, or null/absent. */
  proftpdConf?: string | null;
  /**
   * Native dialogs: with them `export/start` writes only to a path `dialog/save` returned; without
   * them (browser mode) `export/start` is refused and the download route is the way.
   */
  dialogs?: Dialogs;
  /** Lets a big CSV export share its work with a worker thread (see export/halves.ts); absent: one thread. */
  exportThreads?: ExportThreads;
  /** Prints PDF reports (Electron's printToPDF, or an installed Chromium); absent: HTML reports only. */
  printPdf?: PdfPrinter;
  /** Why there is no `printPdf` (said by `app/info` and by a refused PDF report). */
  pdfUnavailable?: string;
  /**
   * Whether the writer has opened (and, for an older database, upgraded) the database; absent:
   * ready. Until it is, every method but `app/status` is refused (see refuseUntilReady).
   */
  status?: () => AppStatus;
}

export type ApiHandler<M extends ApiMethod> = (input: ApiInput<M>) => Promise<ApiOutput<M>>;
/** One handler per method: a method missing here, or one the contract lacks, does not compile. */
export type ApiHandlers = { [M in ApiMethod]: ApiHandler<M> };

/** Progress events are sent at most this often per job (a new file is reported at once). */
const PROGRESS_INTERVAL_MS = 100;
/** Events of one session sent by `sessions/get` (a timeline longer than this is cut). */
const SESSION_EVENTS = 5000;
const SETTINGS_KEY = 'ui_settings';

export const DEFAULT_SETTINGS: Readonly<Settings> = { timeDisplay: 'local', theme: 'system', savedSearches: [], history: [], notifications: true, notifyLiveInsights: false };

const READY: AppStatus = { state: 'ready' };

/**
 * Refuses a call (503) while the writer opens or upgrades the database: a reader opening a database
 * of an older schema would upgrade it too, beside the writer, and its tables are not there yet.
 */
export function refuseUntilReady(status: AppStatus, method: string): void {
  if (status.state === 'ready') return;
  const doing = status.state === 'starting' ? 'being opened'
    : `being upgraded from schema ${status.from} to ${status.to} (${status.step > status.steps ? 'finishing' : `step ${status.step} of ${status.steps}`})`;
  throw new ApiError(`${method}: the database is ${doing}; try again when it is done (app/status says when)`, { status: 503 });
}

export function formatInfos(): FormatInfo[] {
  return FORMATS.map(({ id, label, timestamp, extracts }) => ({ id, label, timestamp, extracts }));
}

function sourceOptions(s: SourceRow): { timeZone?: string; logFormats?: { format: string }[]; proftpdConf?: string } {
  try {
    return s.options ? (JSON.parse(s.options) as ReturnType<typeof sourceOptions>) : {};
  } catch {
    return {};
  }
}

/** Whether a file is followed: named itself, inside a followed folder, or found by a followed path. */
function followOf(state: FollowState, file: string): Pick<SourceInfo, 'following' | 'followPaused'> {
  const following = state.inputs.some(
    (input) => input.path === file || file.startsWith(input.path.endsWith(path.sep) ? input.path : input.path + path.sep) || input.files.includes(file),
  );
  return { following, followPaused: following && state.paused };
}

export function followStatus(state: FollowState): FollowStatus {
  return { paused: state.paused, paths: state.inputs.map((i) => ({ path: i.path, files: i.files.length, error: i.error })) };
}

/** A source as the API shows it, but for follow mode (which only the app's writer knows): the CLI's `sources`. */
export type IndexedSource = Omit<SourceInfo, 'following' | 'followPaused'>;

export function toSourceInfo(s: SourceRow, follow: FollowState): SourceInfo {
  return { ...indexedSource(s), ...followOf(follow, s.path) };
}

export function indexedSource(s: SourceRow): IndexedSource {
  const options = sourceOptions(s);
  return {
    id: s.id,
    path: s.path,
    format: s.format,
    formatDetail: s.format_detail,
    encoding: s.encoding,
    compression: s.compression,
    size: s.size,
    bytesIndexed: s.bytes_indexed,
    lines: s.lines_indexed,
    events: s.events,
    directives: s.directives,
    unparsed: s.unparsed,
    firstTs: s.first_ts,
    lastTs: s.last_ts,
    timeZone: options.timeZone ?? null,
    logFormat: options.logFormats?.[0]?.format ?? null,
    proftpdConf: typeof options.proftpdConf === 'string' ? options.proftpdConf : null,
    indexedAt: s.indexed_at,
  };
}

/** Reads settings as stored; a field that is missing or damaged takes its default. */
function storedSettings(db: Db): Settings {
  let stored: Record<string, unknown> = {};
  try {
    const parsed = JSON.parse(readMeta(db, SETTINGS_KEY) ?? '{}') as unknown;
    if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) stored = parsed as Record<string, unknown>;
  } catch {
    // unreadable: defaults
  }
  const settings: Settings = { ...DEFAULT_SETTINGS };
  for (const key of Object.keys(SETTINGS_FIELDS) as (keyof typeof SETTINGS_FIELDS)[]) {
    if (!Object.hasOwn(stored, key)) continue;
    try {
      Object.assign(settings, validate('settings', object({ [key]: SETTINGS_FIELDS[key] }), { [key]: stored[key] }));
    } catch {
      // keep the default
    }
  }
  return settings;
}

/**
 * Relays what the writer's followers report as API events: batches, changes of what is followed,
 * and live insights when the user asked for them (the `notifyLiveInsights` setting). A host calls it
 * once (not per handler set); returns the function that stops relaying.
 */
export function relayFollowEvents(backend: Pick<ApiBackend, 'writer' | 'emit' | 'readDb'>): () => void {
  return backend.writer.onFollow((notice) => {
    switch (notice.type) {
      case 'batch':
        backend.emit('follow/batch', notice.batch);
        return;
      case 'state':
        backend.emit('follow/changed', followStatus(notice.state));
        return;
      case 'insight':
        if (storedSettings(backend.readDb()).notifyLiveInsights) backend.emit('insights/live', notice.insight);
        return;
    }
  });
}

function noPdfReason(backend: Pick<ApiBackend, 'pdfUnavailable'>): string {
  return backend.pdfUnavailable ?? 'PDF reports cannot be printed here: make an HTML report and print it from the browser';
}

/**
 * A report's request and how to make it, from the API's options (`report/start`, browser mode's
 * report ticket): a PDF without a printer, or a start after the end, is refused (400) here.
 */
export function reportJob(backend: Pick<ApiBackend, 'printPdf' | 'pdfUnavailable' | 'exportThreads'>, options: ReportOptions, method: string): { request: BuiltReportRequest; make: Omit<MakeReportOptions, 'signal' | 'onProgress'> } {
  const { format, paper, timeZone, ...rest } = options;
  if (rest.from !== undefined && rest.to !== undefined && rest.from >= rest.to) throw new ApiError(`${method}: from must be before to`, { status: 400 });
  if (format === 'pdf' && !backend.printPdf) throw new ApiError(`${method}: ${noPdfReason(backend)}`, { status: 400 });
  return {
    request: { ...rest, timeZone: timeZone ?? 'UTC' },
    make: {
      format, ...(paper ? { paper } : {}), ...(backend.printPdf ? { printer: backend.printPdf } : {}),
      // The insights' worker opens the database with the build the export's does (see report/make.ts).
      ...(backend.exportThreads?.nativeBinding ? { threads: { nativeBinding: backend.exportThreads.nativeBinding } } : {}),
    },
  };
}

export function createHandlers(backend: ApiBackend): ApiHandlers {
  const exports = new Map<string, AbortController>();
  /** Paths the user chose in `dialog/save` and has not exported to yet. */
  const chosenSavePaths = new Set<string>();

  /**
   * Progress events of one index job, throttled; never the first with committed lines (the page
   * shows the first rows on it: throttled, it waited for the next batch).
   */
  const progressEmitter = (jobId: string) => {
    let lastSent = 0;
    let lastFile = '';
    let lastBytes = 0;
    return (p: IndexProgress) => {
      const now = Date.now();
      const firstRows = lastBytes === 0 && p.bytesDone > 0;
      if (!firstRows && p.file === lastFile && now - lastSent < PROGRESS_INTERVAL_MS) return;
      lastSent = now;
      lastFile = p.file;
      lastBytes = p.bytesDone;
      backend.emit('index/progress', { jobId, ...p });
    };
  };

  /** Runs an index-like job with started/progress/finished events and 'sources/changed' after it. */
  const indexJob = async (paths: string[], reason: 'index' | 'configure', run: (jobId: string, onProgress: (p: IndexProgress) => void) => Promise<IndexOutcome>): Promise<IndexResult> => {
    const jobId = randomUUID();
    backend.emit('index/started', { jobId, paths });
    try {
      const { summary, cancelled } = await run(jobId, progressEmitter(jobId));
      const result: IndexResult = { jobId, cancelled, ...summary };
      backend.emit('index/finished', result);
      return result;
    } catch (err) {
      backend.emit('index/finished', { jobId, error: (err as Error).message });
      throw err;
    } finally {
      backend.emit('sources/changed', { reason });
    }
  };

  /**
   * Runs an export or report off the call, on its connection `db` (closed at the end): `run` emits
   * its progress and end; a failure or a cancellation (`export/cancel`, `report/cancel`) is told by
   * the `finished` event. Answers the job id.
   */
  const startJob = (db: Db, finished: 'export/finished' | 'report/finished', run: (jobId: string, signal: AbortSignal) => Promise<void>): string => {
    const jobId = randomUUID();
    const controller = new AbortController();
    exports.set(jobId, controller);
    void (async () => {
      try {
        await run(jobId, controller.signal);
      } catch (err) {
        backend.emit(finished, controller.signal.aborted ? { jobId, cancelled: true } : { jobId, error: (err as Error).message });
      } finally {
        exports.delete(jobId);
        db.close();
      }
    })();
    return jobId;
  };

  /** Stops an export or report job; false when it is unknown or over. */
  const cancelJob = (jobId: string) => {
    const controller = exports.get(jobId);
    if (!controller || controller.signal.aborted) return { cancelled: false };
    controller.abort(new Error('cancelled'));
    return { cancelled: true };
  };

  const sourceById = (id: number): SourceRow | undefined => backend.readDb().prepare('SELECT * FROM sources WHERE id = ?').get(id) as SourceRow | undefined;

  const handlers: ApiHandlers = {
    'app/info': async () => ({
      mode: backend.mode,
      version: VERSION,
      databasePath: backend.databasePath,
      canOpenPaths: backend.canOpenPaths,
      canExportToFile: !!backend.dialogs,
      nativeDialogs: !!backend.dialogs,
      pdfUnavailable: backend.printPdf ? null : noPdfReason(backend),
      readOnly: backend.readOnly ?? null,
      proftpdConf: backend.proftpdConf ?? null,
    }),

    'app/status': async () => backend.status?.() ?? READY,

    'formats/list': async () => formatInfos(),

    'sources/list': async () => {
      const follow = backend.writer.followState();
      return listSources(backend.readDb()).map((s) => toSourceInfo(s, follow));
    },

    'sources/remove': async ({ id }) => {
      // A file followed by its own name would come back with its next line: it is no longer followed.
      const file = sourceById(id)?.path;
      if (file && backend.writer.followState().inputs.some((i) => i.path === file)) await backend.writer.unfollow([file]);
      const removed = await backend.writer.removeSource(id);
      if (removed) backend.emit('sources/changed', { reason: 'remove' });
      return { removed };
    },

    'sources/configure': async ({ id, timeZone, logFormat, proftpdConf }) => {
      const source = sourceById(id);
      if (!source) throw new ApiError(`sources/configure: no source ${id}`, { status: 404 });
      if (proftpdConf) {
        // A file of this machine named by the page: as for index/open, only where the page may name paths.
        if (!backend.canOpenPaths) {
          throw new ApiError('sources/configure: this server does not read files named by the browser (restart `xferlens serve` with --allow-open, or give --proftpd-conf on its command line)', { status: 403 });
        }
        const read = tryReadProftpdConf(proftpdConf);
        if (!read.conf) throw new ApiError(`sources/configure: ${read.error}`, { status: 400 });
        if (!read.conf.logFormats.length && !read.conf.logs.length) {
          throw new ApiError(`sources/configure: ${proftpdConf} names no LogFormat and no log (ExtendedLog, TransferLog, SystemLog, SFTPLog, TLSLog): is it a proftpd.conf?`, { status: 400 });
        }
      }
      const request: ConfigureRequest = {
        sourceId: id,
        ...(timeZone !== undefined ? { timeZone } : {}),
        ...(logFormat !== undefined ? { logFormat } : {}),
        ...(proftpdConf !== undefined ? { proftpdConf } : {}),
      };
      return indexJob([source.path], 'configure', async (jobId, onProgress) => {
        const outcome = await backend.writer.configure(jobId, request, onProgress);
        if (outcome.missing) throw new ApiError(`sources/configure: no source ${id}`, { status: 404 });
        return outcome;
      });
    },

    'db/stats': async () => {
      const { sources, lines, events, directives, unparsed, bytes, formats } = databaseStats(backend.readDb());
      return { path: backend.databasePath, sources, lines, events, directives, unparsed, bytes, formats };
    },

    'index/open': async (request) => {
      if (!backend.canOpenPaths) {
        throw new ApiError('index/open: this server does not open paths sent by the browser (it listens beyond this machine; restart `xferlens serve` with --allow-open, or give the paths on its command line)', { status: 403 });
      }
      return indexJob(request.paths, 'index', (jobId, onProgress) => backend.writer.run(jobId, request, onProgress));
    },

    'index/cancel': async ({ jobId }) => ({ cancelled: backend.writer.cancel(jobId) }),

    'follow/start': async (request) => {
      if (!backend.canOpenPaths) {
        throw new ApiError('follow/start: this server does not open paths sent by the browser (restart `xferlens serve` with --allow-open, or give the paths on its command line with --follow)', { status: 403 });
      }
      const followed = new Set(backend.writer.followState().inputs.map((i) => i.path));
      const total = new Set([...followed, ...request.paths]).size;
      if (total > MAX_FOLLOWED) throw new ApiError(`follow/start: at most ${MAX_FOLLOWED} paths can be followed at once (${followed.size} are)`, { status: 400 });
      return followStatus(await backend.writer.follow(request));
    },

    'follow/stop': async ({ paths }) => followStatus(await backend.writer.unfollow(paths ?? null)),

    'follow/pause': async () => followStatus(await backend.writer.setFollowPaused(true)),

    'follow/resume': async () => followStatus(await backend.writer.setFollowPaused(false)),

    'follow/status': async () => followStatus(backend.writer.followState()),

    'query/page': async ({ timeZone, ...req }) => {
      const page = queryPage(backend.readDb(), { ...req, limit: req.limit ?? 200 }, { timeZone: timeZone ?? 'UTC' });
      return { ...page, rows: page.rows as Row[] };
    },

    'query/count': async ({ kind, query, timeZone }) => ({ total: countRows(backend.readDb(), kind, query, { timeZone: timeZone ?? 'UTC' }) }),
    'query/span': async ({ kind, query, timeZone }) => timeSpan(backend.readDb(), kind, query, { timeZone: timeZone ?? 'UTC' }),
    'query/hints': async ({ kind, query, timeZone, total }) => queryHints(backend.readDb(), kind, query, total, { timeZone: timeZone ?? 'UTC' }),

    'query/aggregate': async ({ kind, query, timeZone, ...opts }) => {
      if (opts.from !== undefined && opts.to !== undefined && opts.from >= opts.to) throw new ApiError('query/aggregate: from must be before to', { status: 400 });
      return aggregate(backend.readDb(), kind, query, { ...opts, timeZone: timeZone ?? 'UTC' });
    },

    'query/schema': async () => querySchema(),

    'query/suggest': async ({ field, prefix, kind, limit }) => {
      const k = kind ?? 'events';
      if (field === 'verb' && k !== 'events') throw new ApiError('query/suggest: verb values exist for events only', { status: 400 });
      return suggestValues(backend.readDb(), k, field, prefix, limit ?? 10);
    },

    'events/context': async ({ id, before, after }) => {
      const db = backend.readDb();
      const [event] = rowsById(db, 'events', [id]) as Row[];
      if (!event) throw new ApiError(`events/context: no event ${id}`, { status: 404 });
      const sourceId = event.source_id as number, lineNo = event.line_no as number;
      const source = sourceById(sourceId);
      if (!source) throw new ApiError(`events/context: the source of event ${id} was removed`, { status: 404 });
      const lines = (db.prepare(`SELECT e.id, e.line_no AS lineNo, ${lineSql('e')} AS raw, e.kind FROM ${sourceLinesFrom('e')} ORDER BY e.line_no`)
        .all({ source: sourceId, from: lineNo - (before ?? 20), to: lineNo + (after ?? 20) }) as { id: number; lineNo: number; raw: string; kind: number }[])
        .map((l) => ({ ...l, kind: (['event', 'directive', 'unparsed'] as const)[l.kind] ?? 'unparsed' }));
      return { event, source: toSourceInfo(source, backend.writer.followState()), lines, explanations: rowExplanations('events', event) };
    },

    'sessions/get': async ({ id }) => {
      const db = backend.readDb();
      const [session] = rowsById(db, 'sessions', [id]) as Row[];
      if (!session) throw new ApiError(`sessions/get: no session ${id}`, { status: 404 });
      // `session:N` selects exactly the rows linked to session N (N is a validated integer).
      const linked = `session:${id}`;
      const events = queryPage(db, { kind: 'events', query: linked, sort: 'ts', order: 'asc', limit: SESSION_EVENTS, count: false });
      const transfers = queryPage(db, { kind: 'transfers', query: linked, sort: 'ts', order: 'asc', limit: 1000, count: false });
      // Codes come from log lines: no prototype, so a code like `__proto__` is just a key.
      const explanations = Object.create(null) as Record<string, Explanation[]>;
      const explainOnce = (kind: QueryKind, row: Row, code: unknown) => {
        if (typeof code !== 'string' || Object.hasOwn(explanations, code)) return;
        explanations[code] = rowExplanations(kind, row);
      };
      explainOnce('sessions', session, session.login_code);
      for (const e of events.rows as Row[]) explainOnce('events', e, e.status);
      for (const t of transfers.rows as Row[]) explainOnce('transfers', t, t.code);
      return { session, events: events.rows as Row[], eventsTruncated: events.nextCursor !== null, transfers: transfers.rows as Row[], explanations };
    },

    'explain/lookup': async ({ code, text, protocol, format, verb }) => {
      const opts = { ...(protocol ? { protocol } : {}), ...(format ? { format } : {}), ...(verb ? { verb } : {}) };
      const found = code ? explainCode(code, opts) : [];
      return (found.length || !text ? found : explainText(text)).map(plainExplanation);
    },

    'insights/list': async (opts) => {
      const db = backend.readDb();
      // Seconds on a big database (10M EFT lines: about 4 s): read by a worker, this thread (the
      // desktop app's main process, the server) answering other calls meanwhile.
      if (countRows(db, 'events', '') < INSIGHTS_THREAD_MIN_EVENTS || !insightsThreadAvailable(db)) return computeInsights(db, opts);
      const thread = insightsInThread(db, opts, backend.exportThreads?.nativeBinding ? { nativeBinding: backend.exportThreads.nativeBinding } : {});
      try {
        return await thread.insights;
      } finally {
        await thread.stop();
      }
    },

    'export/start': async ({ path: file, ...req }) => {
      if (!backend.dialogs) {
        throw new ApiError('export/start: browser mode does not write files on the server; download the export instead (POST /api/export/ticket, then GET the URL it answers)', { status: 403 });
      }
      if (!chosenSavePaths.has(file)) throw new ApiError('export/start: the path must be one chosen in the save dialog (dialog/save)', { status: 403 });
      const db = backend.openReadDb();
      let prepared;
      try {
        prepared = prepareExport(db, req, backend.exportThreads ? { threads: backend.exportThreads } : {});
      } catch (err) {
        db.close();
        throw err;
      }
      chosenSavePaths.delete(file);
      // Counted now so progress can show a fraction; the rows stream afterwards, off this call.
      let total: number | null = null;
      try {
        total = countRows(db, req.kind, req.query, { timeZone: req.timeZone ?? 'UTC' });
      } catch {
        total = null;
      }
      const jobId = startJob(db, 'export/finished', async (id, signal) => {
        const result = await prepared.write(file, { signal, onProgress: (rows) => backend.emit('export/progress', { jobId: id, rows, total }) });
        backend.emit('export/finished', { jobId: id, rows: result.rows, bytes: result.bytes, path: file });
      });
      return { jobId };
    },

    'export/cancel': async ({ jobId }) => cancelJob(jobId),

    'report/start': async ({ path: file, ...options }) => {
      if (!backend.dialogs) {
        throw new ApiError('report/start: browser mode does not write files on the server; download the report instead (POST /api/report/ticket, then GET the URL it answers)', { status: 403 });
      }
      if (!chosenSavePaths.has(file)) throw new ApiError('report/start: the path must be one chosen in the save dialog (dialog/save)', { status: 403 });
      const { request, make } = reportJob(backend, options, 'report/start');
      const db = backend.openReadDb();
      try {
        // A mistake in the search is this call's error (with its column), not a failed job.
        checkReportRequest(db, request);
      } catch (err) {
        db.close();
        throw err;
      }
      chosenSavePaths.delete(file);
      const jobId = startJob(db, 'report/finished', async (id, signal) => {
        // The answer (the job id) goes out before the reading starts.
        await new Promise((resolve) => setImmediate(resolve));
        const { bytes } = await writeReport(db, request, file, { ...make, signal, onProgress: (p) => backend.emit('report/progress', { jobId: id, ...p }) });
        backend.emit('report/finished', { jobId: id, bytes, path: file });
      });
      return { jobId };
    },

    'report/cancel': async ({ jobId }) => cancelJob(jobId),

    'settings/get': async () => storedSettings(backend.readDb()),

    'settings/set': async (change) => {
      const settings = { ...storedSettings(backend.readDb()), ...change };
      await backend.writer.setMeta(SETTINGS_KEY, JSON.stringify(settings));
      return settings;
    },

    'dialog/open': async ({ folders }) => {
      if (!backend.dialogs) throw new ApiError('dialog/open: no native dialogs in browser mode; type the paths instead', { status: 403 });
      return { paths: await backend.dialogs.open({ folders: folders ?? false }) };
    },

    'dialog/save': async (opts) => {
      if (!backend.dialogs) throw new ApiError('dialog/save: no native dialogs in browser mode; use the download instead', { status: 403 });
      const chosen = await backend.dialogs.save(opts);
      if (chosen) chosenSavePaths.add(chosen);
      return { path: chosen };
    },
  };

  // Every method checks its input first: no handler runs on input the contract does not allow.
  const checked = {} as Record<ApiMethod, (input: unknown) => Promise<unknown>>;
  for (const method of Object.keys(handlers) as ApiMethod[]) {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    const check = INPUTS[method];
    checked[method] = async (input: unknown) => {
      const valid = validate<unknown>(method, check, input);
      if (method !== 'app/status') refuseUntilReady(backend.status?.() ?? READY, method);
      try {
        return await handler(valid);
      } catch (err) {
        // A full disk, a lock, an I/O error met by a read: said for the database, in one line.
        throw asDatabaseError(err, backend.databasePath);
      }
    };
  }
  return checked as ApiHandlers;
}
