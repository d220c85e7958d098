/**
 * The one API between the UI and the back end. Every transport carries exactly this: Electron IPC
 * (preload → `ipcMain.handle`), HTTP in browser mode (`xferlens serve`), direct calls in tests.
 *
 * This file is types only: the renderer imports it with `import type`, so it must stay free of Node
 * and Electron types. Shapes the core answers with (columns, aggregates, explanations, insights,
 * index summaries, database totals) are declared once, in the core's type-only modules
 * (`*-types.ts` and explain/types.ts: no run-time code, no Node types), and re-exported or extended
 * here; this file imports nothing else. Payloads are plain JSON (no Date, Map, Buffer); times are
 * UTC epoch milliseconds.
 *
 * Methods are named `'area/action'`. Adding one: a line in `ApiMethods`, its handler in
 * `handlers.ts` and its input validator in `validate.ts` (the compiler refuses to build until all
 * agree). Every input is validated at the boundary: unknown fields, wrong types, out-of-range
 * numbers and over-long strings are refused with a message such as
 * `query/page: limit must be an integer 1..1000`.
 *
 * Errors: a call that fails rejects with an Error whose message is for people. A search-language
 * mistake also carries `column` (1-based position in the query): see `ApiErrorBody`. Over IPC the
 * preload passes `{error, column?}` through; over HTTP it is the body of the 4xx answer.
 *
 * HTTP transport (browser mode): `POST /api/<area>/<action>` with the input as the JSON body
 * (`null` when the method takes none) and `Authorization: Bearer <token>`; the answer is the output
 * as JSON (200), or an `ApiErrorBody` with a 4xx/5xx status (400 bad input or query, 401 no or
 * wrong token, 403 refused in this mode, 404 unknown method or row, 405 wrong HTTP method, 413 body
 * over 4 MiB, 415 not JSON, 421 a Host header that is not this server, 500 failure). With the
 * header `X-Xferlens-Reply: envelope` (the page sends it) a method's answer, and a ticket's, is an
 * `ApiReply` with status 200 whatever the outcome; only a failure of the request itself (401, 404
 * unknown method, 405, 413, 415, 421) keeps its status. Events arrive as server-sent events from
 * `GET /api/events?token=<token>` (`event:` = the event name, `data:` = its payload as JSON). The
 * token is the one printed in the URL by `xferlens serve` (`http://127.0.0.1:PORT/#token=...`). Browser mode has no save dialog, so instead of
 * `export/start` (which writes a file on the server) it offers a download: `POST /api/export/ticket`
 * (with the token) and the body `{"kind":"events","query":"…","format":"csv"|"ndjson"[,"columns":"a,b"]
 * [,"excel":"1"][,"neutralise":"0"][,"timeZone":"Europe/Paris"]}` (see `ExportDownloadParams`)
 * answers `{"url":"/api/export/download?ticket=…"}`; that URL, opened once within a minute and
 * without the token, answers the file as an attachment (Content-Disposition) streamed as it is written.
 */
import type { Insight, InsightFinding, InsightSeverity, InsightThresholds } from '../core/analysis/insight-types.js';
import type { Explanation, Severity } from '../core/explain/types.js';
import type { IndexProgress, IndexSummary } from '../core/ingest/index-types.js';
import type { Aggregates, TimelineBucket, TopEntry } from '../core/query/aggregate-types.js';
import type { ColumnDef, ColumnType, QueryKind, SortOrder } from '../core/query/column-types.js';
import type { PaperSize, ReportFormat, ReportProgress } from '../core/report/report-types.js';
import type { QueryHint } from '../core/query/hint-types.js';
import type { DatabaseStats } from '../core/store/stats-types.js';

/** One log format xferlens reads (from the format registry). */
export interface FormatInfo {
  id: string;
  label: string;
  /** How the format writes time, in words. */
  timestamp: string;
  /** What is extracted from each line, in words. */
  extracts: string;
}

/** One indexed file. Times are UTC epoch milliseconds. */
export interface SourceInfo {
  id: number;
  path: string;
  format: string | null;
  /** A note on choices the parser made (e.g. "LogFormat auth", "dates read as day/month/year"). */
  formatDetail: string | null;
  encoding: string | null;
  compression: string | null;
  size: number;
  bytesIndexed: number;
  lines: number;
  events: number;
  directives: number;
  unparsed: number;
  firstTs: number | null;
  lastTs: number | null;
  /** IANA zone used for local timestamps, when the format writes local time. */
  timeZone: string | null;
  /** The ProFTPD LogFormat given for this file (sources/configure or the CLI's --logformat), if any. */
  logFormat: string | null;
  /**
   * The proftpd.conf given for this file (sources/configure), if any: read at each index run of it
   * instead of the host's (`AppInfo.proftpdConf`).
   */
  proftpdConf: string | null;
  indexedAt: number | null;
  /** Whether it is followed (`follow/start` on it, on its folder, or on a pattern that found it). */
  following: boolean;
  /** Followed, and following is paused (`follow/pause`). */
  followPaused: boolean;
}

/** The database's totals, without the CLI's `files` (the same as `sources`). */
export interface DatabaseStatsInfo extends Omit<DatabaseStats, 'files'> {
  /** The database file. */
  path: string;
}

export interface IndexRequest {
  /** Files, folders (recursive) and glob patterns, as on the command line. */
  paths: string[];
  /** IANA zone for formats that log local time (see the CLI's `--tz`). */
  timeZone?: string;
  /** ProFTPD LogFormats supplied by the admin (the CLI's `--logformat NAME=FORMAT`). */
  logFormats?: { name: string; format: string }[];
}

/** What one index run did (the CLI's `index --json`), plus its job id. */
export interface IndexResult extends IndexSummary {
  jobId: string;
  /** True when the run was cancelled: what was committed before stays indexed. */
  cancelled: boolean;
}

export interface IndexProgressInfo extends IndexProgress {
  jobId: string;
}

// ---------------------------------------------------------------------------------------------------
// Follow mode (tail -f: new lines indexed as servers write them; see docs/app.md)

export interface FollowedPathInfo {
  /** The file, folder or pattern, as given to `follow/start`. */
  path: string;
  /** Files indexed through it so far (a folder's or a pattern's, once found). */
  files: number;
  /** The last problem with it (missing, unreadable…): following goes on and retries. */
  error: string | null;
}

export interface FollowStatus {
  /** Following is paused (`follow/pause`): changes are indexed on `follow/resume`. */
  paused: boolean;
  paths: FollowedPathInfo[];
}

/** New lines of a followed path, committed (sessions and transfers are updated with them). */
export interface FollowBatchInfo {
  /** The followed path, as given to `follow/start`. */
  path: string;
  /** The files that had changed. */
  files: string[];
  lines: number;
  events: number;
  unparsed: number;
  bytes: number;
  /** When the first change was noticed and when the lines were committed (UTC ms). */
  noticedAt: number;
  committedAt: number;
}

// ---------------------------------------------------------------------------------------------------
// Queries (the search language; see docs/search.md)

export type { QueryKind, SortOrder, ColumnType, ColumnDef };

/** A result row: column names of `ColumnDef.name` (snake_case), values as stored (times in UTC ms). */
export type Row = Record<string, string | number | null>;

export interface PageRequest {
  kind: QueryKind;
  /** The search (≤ 4000 characters); '' = every row. */
  query: string;
  /** A sortable column of the kind (default: its time column). */
  sort?: string;
  /** Default: newest first for sessions and transfers, oldest first for events. */
  order?: SortOrder;
  /** Rows per page, 1..1000 (default 200). */
  limit?: number;
  /** From a previous page of the same query and sort (≤ 4096 characters); null/absent = first page. */
  cursor?: string | null;
  /** 'next' (default): rows after the cursor; 'prev': rows before it (still in sort order). */
  direction?: 'next' | 'prev';
  /** Whether to count the total (default: on the first page only). */
  count?: boolean;
  /** IANA zone for ISO dates without an offset in the query (default UTC). */
  timeZone?: string;
}

export interface Page {
  rows: Row[];
  nextCursor: string | null;
  prevCursor: string | null;
  /** Exact number of matching rows, or null when not counted. */
  total: number | null;
}

export interface CountRequest {
  kind: QueryKind;
  query: string;
  timeZone?: string;
}

export interface AggregateRequest {
  kind: QueryKind;
  query: string;
  /** Most timeline buckets, 10..1000 (default 300). */
  buckets?: number;
  /** Entries per top list, 1..100 (default 10). */
  top?: number;
  /** Range to chart (UTC ms, `to` exclusive); default: that of the matching rows. */
  from?: number;
  to?: number;
  /** Zone for day buckets, the heatmap and ISO dates in the query (default UTC). */
  timeZone?: string;
}

export type { Aggregates, TimelineBucket, TopEntry, QueryHint };

/** One `field:` of the search language, for autocomplete and help. */
export interface FieldInfo {
  name: string;
  /** Other spellings accepted (`protocol` for `proto`). */
  aliases: string[];
  description: string;
  /** The kinds it applies to (elsewhere it is an error). */
  kinds: QueryKind[];
  examples: string[];
  /** Fixed values, when the field has them (`status:` → success, failed, incomplete). */
  values?: string[];
}

export interface QuerySchema {
  fields: FieldInfo[];
  columns: Record<QueryKind, ColumnDef[]>;
  /** Columns shown when the user has not chosen. */
  defaultColumns: Record<QueryKind, string[]>;
  /** Default sort of each kind. */
  defaultSort: Record<QueryKind, { sort: string; order: SortOrder }>;
}

/** Fields `query/suggest` completes. */
export type SuggestField = 'user' | 'ip' | 'verb' | 'code' | 'proto' | 'server' | 'format' | 'path';

export interface SuggestRequest {
  field: SuggestField;
  /** What was typed so far (≤ 200 characters); matched case-insensitively at the start. */
  prefix: string;
  /** Where to look (default events; `verb` exists in events only). */
  kind?: QueryKind;
  /** 1..50 (default 10). */
  limit?: number;
}

// ---------------------------------------------------------------------------------------------------
// Details, explanations, insights

export type { Explanation, Severity };

export type EventLineKind = 'event' | 'directive' | 'unparsed';

export interface EventContextRequest {
  id: number;
  /** Lines of the same file before and after it, 0..200 (default 20 each). */
  before?: number;
  after?: number;
}

export interface EventContext {
  /** The event as `query/page` returns events (every column). */
  event: Row;
  source: SourceInfo;
  /** Its neighbours in its file, in line order, the event itself included. */
  lines: { id: number; lineNo: number; raw: string; kind: EventLineKind }[];
  explanations: Explanation[];
}

export interface SessionDetail {
  /** The session as `query/page` returns sessions. */
  session: Row;
  /** Every event linked to it in time order (at most 5000: see `eventsTruncated`). */
  events: Row[];
  eventsTruncated: boolean;
  transfers: Row[];
  /** Explanations of the codes seen in the session, by code. */
  explanations: Record<string, Explanation[]>;
}

export interface ExplainRequest {
  /** A code as logged (`550`, `10054`, `SSH_FX_NO_SUCH_FILE`); one of code or text is required. */
  code?: string;
  /** A message to look up (`No such file`, a ProFTPD log message). */
  text?: string;
  /** The row's protocol (ftp, sftp, http…) or a table id (eft, winsock, strerror…). */
  protocol?: string;
  /** The row's format id (eft-client decides what small numbers mean). */
  format?: string;
  /** The command the code answered (decides FTP vs HTTP for three-digit codes). */
  verb?: string;
}

export type { Insight, InsightFinding, InsightSeverity };

/** Thresholds of the insights (defaults as `xferlens insights`; ranges in each field's comment). */
export type InsightsRequest = InsightThresholds;

// ---------------------------------------------------------------------------------------------------
// Export

export type ExportFormat = 'csv' | 'ndjson';

export interface ExportRequest {
  kind: QueryKind;
  query: string;
  /** CSV columns in order (default: the kind's default columns); NDJSON always has every field. */
  columns?: string[];
  format: ExportFormat;
  /** CSV for Excel: UTF-8 BOM and CRLF. */
  excel?: boolean;
  /** Neutralise formula-like CSV cells (default true). */
  neutralise?: boolean;
  /** CSV as the table shows it: column labels, times in `timeZone` named in the header. */
  asShown?: boolean;
  /** Absolute path of the file to write (desktop: from `dialog/save`). Refused in browser mode. */
  path: string;
  timeZone?: string;
}

/** The body of `POST /api/export/ticket` (browser mode), as strings. */
export interface ExportDownloadParams {
  kind: QueryKind;
  query?: string;
  format?: ExportFormat;
  /** Comma-separated column names. */
  columns?: string;
  /** '1' for Excel CSV. */
  excel?: '1' | '0';
  /** '0' to keep formula-like cells as they are. */
  neutralise?: '1' | '0';
  /** '1': as the table shows it (column labels, times in `timeZone`). */
  asShown?: '1' | '0';
  /** The downloaded file's name (ASCII letters, digits, `._@-`, ending .csv or .ndjson); default xferlens-KIND-TIME. */
  fileName?: string;
  timeZone?: string;
}

/** The answer of `POST /api/export/ticket`: the download's URL, good for one download within a minute. */
export interface ExportTicket {
  url: string;
}

export interface ExportProgressInfo {
  jobId: string;
  rows: number;
  /** Matching rows, when counted. */
  total: number | null;
}

export type ExportFinishedInfo =
  | { jobId: string; rows: number; bytes: number; path: string }
  | { jobId: string; error: string }
  | { jobId: string; cancelled: true };

// ---------------------------------------------------------------------------------------------------
// Reports (docs/reports.md): one HTML file, or PDF printed by Chromium

export type { ReportFormat, PaperSize };

/** A report of a search: what `xferlens report` takes. */
export interface ReportOptions {
  /** The search (≤ 4000 characters); '' = everything. */
  query: string;
  /** Only rows at or after / strictly before these times (UTC ms); the query's own after:/before: apply too. */
  from?: number;
  to?: number;
  /** Zone of the times shown and of dates in the query without an offset (default UTC). */
  timeZone?: string;
  /** ≤ 200 characters (default "Transfer report"). */
  title?: string;
  format: ReportFormat;
  /** PDF paper (default a4). */
  paper?: PaperSize;
  /** Transfers listed at most, 1..10000 (default 1000). */
  maxTransfers?: number;
}

export interface ReportRequest extends ReportOptions {
  /** Absolute path of the file to write (desktop: from `dialog/save`). Refused in browser mode. */
  path: string;
}

/**
 * The body of `POST /api/report/ticket` (browser mode): the report's options as JSON; the answer
 * is an `ExportTicket` whose URL downloads the report (HTML, or PDF printed by the server's Chromium).
 */
export type ReportDownloadParams = ReportOptions;

export interface ReportProgressInfo extends ReportProgress {
  jobId: string;
}

export type ReportFinishedInfo =
  | { jobId: string; bytes: number; path: string }
  | { jobId: string; error: string }
  | { jobId: string; cancelled: true };

// ---------------------------------------------------------------------------------------------------
// Sources, settings, host

export interface SourceConfigureRequest {
  id: number;
  /** IANA zone of the file's local times. */
  timeZone?: string;
  /** A ProFTPD LogFormat (≤ 1000 characters) for an ExtendedLog file; null clears the one given before. */
  logFormat?: string | null;
  /**
   * The absolute path of the proftpd.conf that names this file (its LogFormats, and which log it is),
   * read at each index run of it; null clears it (the host's is used again). It must be readable.
   * Like `index/open`, refused in browser mode unless the server opens paths (403).
   */
  proftpdConf?: string | null;
}

export interface SavedSearch {
  /** 1..100 characters. */
  name: string;
  kind: QueryKind;
  /** ≤ 4000 characters. */
  query: string;
}

export interface Settings {
  timeDisplay: 'utc' | 'local';
  theme: 'system' | 'light' | 'dark';
  /** At most 200. */
  savedSearches: SavedSearch[];
  /** Recent searches, newest first: at most 100, each ≤ 4000 characters. */
  history: string[];
  /** Notify when a long index run or export ends. */
  notifications: boolean;
  /** Notify of a new failed-login burst in followed logs ('insights/live'); default off. */
  notifyLiveInsights: boolean;
}

/** What the host can do (the UI hides what is not offered). */
export interface AppInfo {
  mode: 'desktop' | 'browser';
  version: string;
  /** The database file. */
  databasePath: string;
  /** Whether `index/open` accepts paths (browser mode: on loopback, or with --allow-open). */
  canOpenPaths: boolean;
  /** Whether `export/start` writes files (desktop); otherwise use the download route. */
  canExportToFile: boolean;
  /** Whether `dialog/open` and `dialog/save` show native dialogs (desktop). */
  nativeDialogs: boolean;
  /** Why PDF reports cannot be made here (no Chromium to print with), or null when they can. */
  pdfUnavailable: string | null;
  /**
   * Why the database is read-only here (a read-only file, folder or medium, or `--read-only`), or
   * null. Reading works; indexing, following, removing and saving settings are refused.
   */
  readOnly: string | null;
  /**
   * The proftpd.conf files are read with when they have none of their own (`serve --proftpd-conf`,
   * else `$XFERLENS_PROFTPD_CONF`, else /etc/proftpd/proftpd.conf when it exists), or null.
   */
  proftpdConf: string | null;
}

/** One step of upgrading a database written by an older xferlens (`step` = `steps` + 1: the steps are done, the indexes are being finished). */
export interface UpgradeProgress {
  /** The schema the database had and the one it is brought to. */
  from: number;
  to: number;
  /** 1..steps, then steps + 1 once every step is done. */
  step: number;
  steps: number;
}

/**
 * Whether the host can answer yet. The writer opens the database first, and upgrades one written by
 * an older xferlens (minutes for a big one); until `ready`, every method but `app/status` is refused
 * (503) and the UI shows this instead of the app.
 */
export type AppStatus = { state: 'starting' } | ({ state: 'upgrading' } & UpgradeProgress) | { state: 'ready' };

export interface OpenDialogRequest {
  /** Folders instead of files. */
  folders?: boolean;
}

export interface SaveDialogRequest {
  /** The file name proposed (≤ 255 characters, no folder). */
  defaultName: string;
  format: ExportFormat | ReportFormat;
}

/** What a failed call carries (IPC: thrown Error's fields; HTTP: the error answer's body). */
export interface ApiErrorBody {
  error: string;
  /** 1-based column of a search-language mistake in the query. */
  column?: number;
}

/**
 * A rejected call: `message` for people, `column` for a search mistake. Over IPC the preload
 * rejects with this plain object (Electron's context bridge would drop an Error's extra fields);
 * the UI's client turns it into an Error carrying `column`.
 */
export interface ApiCallError {
  name: 'ApiError';
  message: string;
  column?: number;
}

/**
 * A call's outcome as one value: what the Electron main process answers to an `ipcRenderer.invoke`
 * (the preload unwraps it), and what `xferlens serve` answers, always with status 200, to a request
 * carrying `X-Xferlens-Reply: envelope` (the page's client: a refused call is then no failed request
 * in the browser's console, and the page shows the error itself).
 */
export type ApiReply<T> = { value: T } | { error: ApiErrorBody };

/** The HTTP request header (with the value `envelope`) that asks for `ApiReply` answers. */
export type ReplyHeader = 'X-Xferlens-Reply';

/** Every method: its input (`void`: none) and its output. */
export interface ApiMethods {
  // app
  'app/info': { input: void; output: AppInfo };
  /** Answered at once, also while the database is opened or upgraded (when every other method is refused). */
  'app/status': { input: void; output: AppStatus };
  // formats
  'formats/list': { input: void; output: FormatInfo[] };
  // sources; each change is followed by the 'sources/changed' event
  'sources/list': { input: void; output: SourceInfo[] };
  /** Deletes the file's rows (not the file); sessions and transfers are rebuilt. */
  'sources/remove': { input: { id: number }; output: { removed: boolean } };
  /** Stores the options and indexes that file again from its start with them. */
  'sources/configure': { input: SourceConfigureRequest; output: IndexResult };
  // index: runs in the writer worker; resolves when the run ends (events report its progress)
  'index/open': { input: IndexRequest; output: IndexResult };
  'index/cancel': { input: { jobId: string }; output: { cancelled: boolean } };
  // follow: runs in the writer worker; answers at once, then each batch arrives as 'follow/batch'
  /**
   * Follows files, folders and patterns (new files in a followed folder once their content is a log
   * format); paths already followed stay as they are. Takes `index/open`'s options, and like it is
   * refused in browser mode unless the server opens paths (403). At most 100 paths at once.
   */
  'follow/start': { input: IndexRequest; output: FollowStatus };
  /** Stops following these paths (as given to `follow/start`), or every path; what was indexed stays. */
  'follow/stop': { input: { paths?: string[] }; output: FollowStatus };
  /** Pauses every follower: changes are noticed, and indexed on resume. */
  'follow/pause': { input: void; output: FollowStatus };
  'follow/resume': { input: void; output: FollowStatus };
  'follow/status': { input: void; output: FollowStatus };
  // db
  'db/stats': { input: void; output: DatabaseStatsInfo };
  // query
  'query/page': { input: PageRequest; output: Page };
  'query/count': { input: CountRequest; output: { total: number } };
  /** When a search finds few rows: rewrites that find more, or where its rows are past a time filter. */
  /** When the rows of a search begin and end (UTC ms), or null when none has a time. */
  'query/span': { input: CountRequest; output: { first: number; last: number } | null };
  'query/hints': { input: CountRequest & { total: number }; output: QueryHint[] };
  'query/aggregate': { input: AggregateRequest; output: Aggregates };
  'query/schema': { input: void; output: QuerySchema };
  /** Known values starting with `prefix`, most frequent first. */
  'query/suggest': { input: SuggestRequest; output: string[] };
  // details
  'events/context': { input: EventContextRequest; output: EventContext };
  'sessions/get': { input: { id: number }; output: SessionDetail };
  'explain/lookup': { input: ExplainRequest; output: Explanation[] };
  'insights/list': { input: InsightsRequest; output: Insight[] };
  // export: runs off the request path; progress and the end arrive as events
  'export/start': { input: ExportRequest; output: { jobId: string } };
  'export/cancel': { input: { jobId: string }; output: { cancelled: boolean } };
  // reports: desktop only (browser mode downloads them, see ReportDownloadParams); progress and the end arrive as events
  'report/start': { input: ReportRequest; output: { jobId: string } };
  'report/cancel': { input: { jobId: string }; output: { cancelled: boolean } };
  // settings (stored in the database)
  'settings/get': { input: void; output: Settings };
  /** Changes the fields given; answers the settings as stored. */
  'settings/set': { input: Partial<Settings>; output: Settings };
  // native dialogs (desktop only: browser mode rejects them, see AppInfo.nativeDialogs)
  'dialog/open': { input: OpenDialogRequest; output: { paths: string[] } };
  /** The chosen path, or null when the user cancelled. */
  'dialog/save': { input: SaveDialogRequest; output: { path: string | null } };
}

/** Events pushed from the back end to the UI. */
export interface ApiEvents {
  /** An index run began (from the UI, the File menu, the command line or a second launch). */
  'index/started': { jobId: string; paths: string[] };
  'index/progress': IndexProgressInfo;
  /** An index run ended: its result, or the reason it failed. */
  'index/finished': IndexResult | { jobId: string; error: string };
  'export/progress': ExportProgressInfo;
  'export/finished': ExportFinishedInfo;
  'report/progress': ReportProgressInfo;
  'report/finished': ReportFinishedInfo;
  /** Sources were added, re-indexed or removed: lists, counts and results may have changed. */
  'sources/changed': { reason: 'index' | 'remove' | 'configure' };
  /** New lines of a followed path were committed (counts, results and charts may have changed). */
  'follow/batch': FollowBatchInfo;
  /** What is followed changed (started, stopped, paused, resumed, new files found, a problem). */
  'follow/changed': FollowStatus;
  /** A failed-login burst that appeared in followed lines; sent only with `notifyLiveInsights` on. */
  'insights/live': Insight;
  /** A menu command whose work happens in the UI. */
  'app/command': { command: AppCommand };
}

/** Menu commands handled by the UI (Export… and Report… need the current filter, which only the UI knows). */
export type AppCommand = 'export' | 'report';

export type ApiMethod = keyof ApiMethods;
export type ApiInput<M extends ApiMethod> = ApiMethods[M]['input'];
export type ApiOutput<M extends ApiMethod> = ApiMethods[M]['output'];
/** Call arguments: none for methods without input. */
export type ApiArgs<M extends ApiMethod> = ApiInput<M> extends void ? [] : [input: ApiInput<M>];
export type ApiEventName = keyof ApiEvents;

/** What the UI talks to, whatever the transport (`window.xferlens` in the desktop app). */
export interface XferlensApi {
  call<M extends ApiMethod>(method: M, ...args: ApiArgs<M>): Promise<ApiOutput<M>>;
  /** Listens to an event; returns the function that stops listening. */
  subscribe<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void): () => void;
}

/** The desktop bridge (preload): the API plus what only the desktop can do. */
export interface DesktopBridge extends XferlensApi {
  /** The path of a file dropped onto the window (Electron hides it from web content). */
  pathForFile(file: Blob): string;
}
