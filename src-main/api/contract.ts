/**
 * The one API between the UI and the back end. Every transport carries exactly this: Electron IPC
 * (preload → `ipcMain.handle`), HTTP in browser mode (`xferlens serve`), direct calls in tests.
 *
 * This file is types only and imports nothing: the renderer imports it with `import type`, so it
 * must stay free of Node and Electron types. Payloads are plain JSON (no Date, Map, Buffer).
 *
 * Methods are named `'area/action'`. Adding one: a line in `ApiMethods`, its handler in
 * `handlers.ts` (the compiler then refuses to build until both agree).
 *
 * HTTP transport (browser mode): `POST /api/<area>/<action>` with the input as the JSON body
 * (`null` when the method takes none) and `Authorization: Bearer <token>`; the answer is the output
 * as JSON, or `{"error": "..."}` with a 4xx/5xx status. Events arrive as server-sent events from
 * `GET /api/events?token=<token>` (`event:` = the event name, `data:` = its payload as JSON). The
 * token is the one printed in the URL by `xferlens serve` (`http://127.0.0.1:PORT/#token=...`).
 */

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
  indexedAt: number | null;
}

export interface DatabaseStatsInfo {
  /** The database file. */
  path: string;
  sources: number;
  lines: number;
  events: number;
  directives: number;
  unparsed: number;
  bytes: number;
  /** Number of sources per format id (`unknown` when none was recognised). */
  formats: Record<string, number>;
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
export interface IndexResult {
  jobId: string;
  /** True when the run was cancelled: what was committed before stays indexed. */
  cancelled: boolean;
  files: number;
  lines: number;
  events: number;
  directives: number;
  unparsed: number;
  bytes: number;
  ms: number;
  formats: Record<string, number>;
  errors: { path: string; reason: string }[];
}

export interface IndexProgressInfo {
  jobId: string;
  /** The file being read. */
  file: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
}

/** Every method: its input (`void`: none) and its output. */
export interface ApiMethods {
  // formats
  'formats/list': { input: void; output: FormatInfo[] };
  // sources
  'sources/list': { input: void; output: SourceInfo[] };
  // index: runs in the writer worker; resolves when the run ends (events report its progress)
  'index/open': { input: IndexRequest; output: IndexResult };
  'index/cancel': { input: { jobId: string }; output: { cancelled: boolean } };
  // db
  'db/stats': { input: void; output: DatabaseStatsInfo };
  // query, explain, export: added here when those modules land
}

/** Events pushed from the back end to the UI. */
export interface ApiEvents {
  /** An index run began (from the UI, the File menu, the command line or a second launch). */
  'index/started': { jobId: string; paths: string[] };
  'index/progress': IndexProgressInfo;
  /** An index run ended: its result, or the reason it failed. */
  'index/finished': IndexResult | { jobId: string; error: string };
  /** A menu command whose work happens in the UI. */
  'app/command': { command: AppCommand };
}

/** Menu commands handled by the UI (Export… needs the current filter, which only the UI knows). */
export type AppCommand = 'export';

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
