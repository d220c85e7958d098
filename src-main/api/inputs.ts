/**
 * The input check of every method (see validate.ts). The map's type makes the compiler refuse a
 * method without a check, or a check whose output is not the method's input.
 */
import { QUERY_KINDS } from '../core/query/columns.js';
import { SUGGEST_FIELDS } from '../core/query/suggest.js';
import { MAX_TRANSFERS } from '../core/report/report.js';
import type { ApiInput, ApiMethod } from './contract.js';
import {
  absolutePath, arrayOf, boolean, epochMs, id, integer, none, nullable, object, oneOf, optional, string, timeZone, type Check,
} from './validate.js';

/** Longest search accepted (the UI's search box and saved searches). */
export const MAX_QUERY = 4000;
const MAX_LOGFORMAT = 1000;
/** Paths followed at once, at most (each has its poll and its watches). */
export const MAX_FOLLOWED = 100;

const kind = oneOf(QUERY_KINDS);
const query = string({ max: MAX_QUERY });
const jobId = string({ min: 1, max: 100 });
const exportFormat = oneOf(['csv', 'ndjson'] as const);
const reportFormat = oneOf(['html', 'pdf'] as const);
/** Longest report title. */
export const MAX_TITLE = 200;

/** A report's options (`report/start`, and the body of browser mode's `POST /api/report/ticket`). */
export const REPORT_OPTIONS = {
  query,
  from: optional(epochMs),
  to: optional(epochMs),
  timeZone: optional(timeZone),
  title: optional(string({ max: MAX_TITLE })),
  format: reportFormat,
  paper: optional(oneOf(['a4', 'letter'] as const)),
  maxTransfers: optional(integer(1, MAX_TRANSFERS)),
};
/** ProFTPD LogFormats: a bounded number of `%` directives keeps the regex they compile to small. */
const logFormat = string({ min: 1, max: MAX_LOGFORMAT, pattern: /^(?:[^%]*%){0,64}[^%]*$/, patternText: 'a LogFormat with at most 64 % directives' });
const columnName = string({ min: 1, max: 64 });

/** What index/open and follow/start read: paths (files, folders, globs) and how to read them. */
const indexRequest = (maxPaths: number) =>
  object({
    paths: arrayOf(absolutePath, { min: 1, max: maxPaths }),
    timeZone: optional(timeZone),
    logFormats: optional(arrayOf(object({ name: string({ min: 1, max: 100, pattern: /^[\w.-]+$/, patternText: 'letters, digits, _ . -' }), format: logFormat }), { max: 50 })),
  });

export const SETTINGS_FIELDS = {
  timeDisplay: optional(oneOf(['utc', 'local'] as const)),
  theme: optional(oneOf(['system', 'light', 'dark'] as const)),
  savedSearches: optional(arrayOf(object({ name: string({ min: 1, max: 100 }), kind, query }), { max: 200 })),
  history: optional(arrayOf(query, { max: 100 })),
  notifications: optional(boolean),
  notifyLiveInsights: optional(boolean),
};

export const INPUTS: { [M in ApiMethod]: Check<ApiInput<M>> } = {
  'app/info': none,
  'app/status': none,
  'formats/list': none,
  'sources/list': none,
  'sources/remove': object({ id }),
  'sources/configure': object({ id, timeZone: optional(timeZone), logFormat: optional(nullable(logFormat)), proftpdConf: optional(nullable(absolutePath)) }),
  'index/open': indexRequest(1000),
  'index/cancel': object({ jobId }),
  'follow/start': indexRequest(MAX_FOLLOWED),
  'follow/stop': object({ paths: optional(arrayOf(absolutePath, { min: 1, max: MAX_FOLLOWED })) }),
  'follow/pause': none,
  'follow/resume': none,
  'follow/status': none,
  'db/stats': none,
  'query/page': object({
    kind,
    query,
    sort: optional(columnName),
    order: optional(oneOf(['asc', 'desc'] as const)),
    limit: optional(integer(1, 1000)),
    cursor: optional(nullable(string({ max: 4096 }))),
    direction: optional(oneOf(['next', 'prev'] as const)),
    count: optional(boolean),
    timeZone: optional(timeZone),
  }),
  'query/count': object({ kind, query, timeZone: optional(timeZone) }),
  'query/span': object({ kind, query, timeZone: optional(timeZone) }),
  'query/hints': object({ kind, query, timeZone: optional(timeZone), total: integer(0, Number.MAX_SAFE_INTEGER) }),
  'query/aggregate': object({
    kind,
    query,
    buckets: optional(integer(10, 1000)),
    top: optional(integer(1, 100)),
    from: optional(epochMs),
    to: optional(epochMs),
    timeZone: optional(timeZone),
  }),
  'query/schema': none,
  'query/suggest': object({ field: oneOf(SUGGEST_FIELDS), prefix: string({ max: 200 }), kind: optional(kind), limit: optional(integer(1, 50)) }),
  'events/context': object({ id, before: optional(integer(0, 200)), after: optional(integer(0, 200)) }),
  'sessions/get': object({ id }),
  'explain/lookup': object(
    {
      code: optional(string({ min: 1, max: 100 })),
      text: optional(string({ min: 1, max: MAX_QUERY })),
      protocol: optional(string({ min: 1, max: 32 })),
      format: optional(string({ min: 1, max: 64 })),
      verb: optional(string({ min: 1, max: 32 })),
    },
    { atLeastOneOf: ['code', 'text'] },
  ),
  'insights/list': object({
    from: optional(epochMs),
    to: optional(epochMs),
    burstFailures: optional(integer(2, 1000)),
    burstMinutes: optional(integer(1, 1440)),
    attackIps: optional(integer(2, 1000)),
    repeatedFailures: optional(integer(2, 1000)),
    newClientDays: optional(integer(1, 3650)),
    top: optional(integer(1, 100)),
  }),
  'export/start': object({
    kind,
    query,
    columns: optional(arrayOf(columnName, { min: 1, max: 64 })),
    format: exportFormat,
    excel: optional(boolean),
    neutralise: optional(boolean),
    asShown: optional(boolean),
    path: absolutePath,
    timeZone: optional(timeZone),
  }),
  'export/cancel': object({ jobId }),
  'report/start': object({ ...REPORT_OPTIONS, path: absolutePath }),
  'report/cancel': object({ jobId }),
  'settings/get': none,
  'settings/set': object(SETTINGS_FIELDS),
  'dialog/open': object({ folders: optional(boolean) }),
  'dialog/save': object({
    defaultName: string({ min: 1, max: 255, pattern: /^[^/\\:*?"<>|\x00-\x1f]+$/, patternText: 'a file name without a folder' }),
    format: oneOf(['csv', 'ndjson', 'html', 'pdf'] as const),
  }),
};
