import { randomUUID } from 'node:crypto';
import { FORMATS } from '../core/formats/registry.js';
import type { IndexProgress, IndexSummary } from '../core/ingest/indexer.js';
import type { Db } from '../core/store/db.js';
import { databaseStats, listSources } from '../core/store/stats.js';
import type { SourceRow } from '../core/store/writer.js';
import type {
  ApiEventName,
  ApiEvents,
  ApiInput,
  ApiMethod,
  ApiOutput,
  FormatInfo,
  IndexRequest,
  IndexResult,
  SourceInfo,
} from './contract.js';

/** Runs index jobs one after the other against the database (the writer worker, or in-process). */
export interface IndexRunner {
  run(jobId: string, request: IndexRequest, onProgress: (p: IndexProgress) => void): Promise<{ summary: IndexSummary; cancelled: boolean }>;
  /** Stops a running or queued job; false when the job is unknown or already over. */
  cancel(jobId: string): boolean;
}

/** What the handlers need from their host (Electron main, `xferlens serve`, a test). */
export interface ApiBackend {
  databasePath: string;
  /** A connection for reads (WAL lets it read while the writer commits). */
  readDb(): Db;
  indexer: IndexRunner;
  emit<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
}

export type ApiHandler<M extends ApiMethod> = (input: ApiInput<M>) => Promise<ApiOutput<M>>;
/** One handler per method: a method missing here, or one the contract lacks, does not compile. */
export type ApiHandlers = { [M in ApiMethod]: ApiHandler<M> };

/** Progress events are sent at most this often per job (a new file is reported at once). */
const PROGRESS_INTERVAL_MS = 100;

export function formatInfos(): FormatInfo[] {
  return FORMATS.map(({ id, label, timestamp, extracts }) => ({ id, label, timestamp, extracts }));
}

export function toSourceInfo(s: SourceRow): SourceInfo {
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
    timeZone: s.options ? (JSON.parse(s.options) as { timeZone?: string }).timeZone ?? null : null,
    indexedAt: s.indexed_at,
  };
}

/** Rejects what a compromised or buggy UI could send: the handlers trust their input's shape. */
function validIndexRequest(input: unknown): IndexRequest {
  const r = input as Partial<IndexRequest> | null;
  if (!r || typeof r !== 'object' || !Array.isArray(r.paths) || !r.paths.length || !r.paths.every((p) => typeof p === 'string' && p.length > 0)) {
    throw new Error('index/open needs {paths: [at least one path]}');
  }
  if (r.timeZone !== undefined && typeof r.timeZone !== 'string') throw new Error('index/open: timeZone must be a string');
  if (r.logFormats !== undefined && !(Array.isArray(r.logFormats) && r.logFormats.every((f) => typeof f?.name === 'string' && typeof f?.format === 'string'))) {
    throw new Error('index/open: logFormats must be [{name, format}]');
  }
  return { paths: [...r.paths], ...(r.timeZone ? { timeZone: r.timeZone } : {}), ...(r.logFormats ? { logFormats: r.logFormats } : {}) };
}

export function createHandlers(backend: ApiBackend): ApiHandlers {
  return {
    'formats/list': async () => formatInfos(),

    'sources/list': async () => listSources(backend.readDb()).map(toSourceInfo),

    'db/stats': async () => {
      const { sources, lines, events, directives, unparsed, bytes, formats } = databaseStats(backend.readDb());
      return { path: backend.databasePath, sources, lines, events, directives, unparsed, bytes, formats };
    },

    'index/open': async (input) => {
      const request = validIndexRequest(input);
      const jobId = randomUUID();
      backend.emit('index/started', { jobId, paths: request.paths });
      let lastSent = 0;
      let lastFile = '';
      const onProgress = (p: IndexProgress) => {
        const now = Date.now();
        if (p.file === lastFile && now - lastSent < PROGRESS_INTERVAL_MS) return;
        lastSent = now;
        lastFile = p.file;
        backend.emit('index/progress', { jobId, ...p });
      };
      try {
        const { summary, cancelled } = await backend.indexer.run(jobId, request, onProgress);
        const result: IndexResult = { jobId, cancelled, ...summary };
        backend.emit('index/finished', result);
        return result;
      } catch (err) {
        backend.emit('index/finished', { jobId, error: (err as Error).message });
        throw err;
      }
    },

    'index/cancel': async (input) => {
      if (typeof input?.jobId !== 'string') throw new Error('index/cancel needs {jobId}');
      return { cancelled: backend.indexer.cancel(input.jobId) };
    },
  };
}
