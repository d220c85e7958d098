/**
 * Browser mode's HTTP server (`xferlens serve`): the built renderer and the API of contract.ts over
 * HTTP, for one person on this machine (see the contract's doc comment for the routes).
 *
 * - Static files: exactly the files of the renderer folder, read at start into a map keyed by URL
 *   path; anything else is 404 (no directory listing, no path from the URL reaches the disk).
 * - Every /api route needs the token (`Authorization: Bearer`, or `?token=` for the event stream,
 *   which a browser opens without headers), compared in constant time; 401 without. A download URL
 *   carries no token (it would stay in the browser's download history for as long as the server
 *   runs): `POST /api/export/ticket`, with the token, answers a URL with a one-time ticket valid for
 *   DOWNLOAD_TICKET_MS.
 * - The Host header must name this server (an IP literal, localhost, or the name it was started
 *   with): a page on another domain that re-points its name at 127.0.0.1 (DNS rebinding) is refused.
 * - JSON only, bodies up to MAX_BODY_BYTES, no CORS headers (other origins cannot read answers).
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import type { ApiEventName, ApiEvents, ApiMethod, ExportDownloadParams, ExportTicket, ReplyHeader, ReportDownloadParams } from '../../api/contract.js';
import { ApiError, errorReply, isOwnFailure, replyOf } from '../../api/errors.js';
import { reportJob, type ApiBackend, type ApiHandlers } from '../../api/handlers.js';
import { MAX_QUERY, REPORT_OPTIONS } from '../../api/inputs.js';
import { arrayOf, object, oneOf, optional, string, timeZone, validate } from '../../api/validate.js';
import { QUERY_KINDS } from '../../core/query/columns.js';
import type { ExportThreads } from '../../core/export/halves.js';
import { prepareExport, type QueryExportRequest } from '../../core/export/query-export.js';
import { makeReport } from '../../core/report/make.js';
import { asDatabaseError, type Db } from '../../core/store/db.js';
import { contentTypeOf } from '../../electron/app-protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../electron/security.js';

/** Larger than any valid input (settings with every saved search and history entry at their maximum). */
export const MAX_BODY_BYTES = 4 * 1024 * 1024;
/** With `envelope`, a method's outcome is answered as an ApiReply with status 200 (see the contract). */
const REPLY_HEADER: Lowercase<ReplyHeader> = 'x-xferlens-reply';
/** Comment lines keep idle event streams open through proxies and tell the server a client left. */
const HEARTBEAT_MS = 20_000;

export interface ApiServerOptions {
  handlers: ApiHandlers;
  token: string;
  /** The renderer build (dist/renderer). */
  rendererDir: string;
  /** The address the server is bound to, as given (`127.0.0.1`, `0.0.0.0`, `::1`, a name). */
  host: string;
  /** A read-only connection of its own for one download; closed by the server. */
  openReadDb(): Db;
  /** The database file, named in the message of a storage fault met by a download. */
  databasePath: string;
  /** Lets a big CSV download share its work with a worker thread (see export/halves.ts). */
  exportThreads?: ExportThreads;
  /** Prints PDF reports (the handlers' backend has the same); absent: HTML reports only. */
  printPdf?: ApiBackend['printPdf'];
  pdfUnavailable?: string;
}

export interface ApiServer {
  server: http.Server;
  /** Sends an event to every open event stream. */
  broadcast<E extends ApiEventName>(event: E, payload: ApiEvents[E]): void;
  /** Closes the event streams and the server. */
  close(): Promise<void>;
}

interface StaticFile {
  body: Buffer;
  type: string;
  immutable: boolean;
}

/** Every file of the renderer build by URL path; `/` is index.html. Read once, at start. */
export function staticFiles(root: string): Map<string, StaticFile> {
  const files = new Map<string, StaticFile>();
  const walk = (dir: string, prefix: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
      // Only plain names: a file the URL parser would rewrite could never be asked for anyway.
      if (!/^[\w.-]+$/.test(entry.name) || entry.name.startsWith('.')) continue;
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(full, `${prefix}${entry.name}/`);
      else if (entry.isFile() && !entry.name.endsWith('.map')) {
        files.set(`${prefix}${entry.name}`, { body: fs.readFileSync(full), type: contentTypeOf(entry.name), immutable: prefix.startsWith('/assets/') });
      }
    }
  };
  walk(root, '/');
  const index = files.get('/index.html');
  if (!index) throw new Error(`the renderer is not built (no ${path.join(root, 'index.html')}): run \`npm run build\``);
  files.set('/', index);
  return files;
}

const sha256 = (s: string) => createHash('sha256').update(s).digest();

/** Constant-time token check (hashing first makes the lengths equal). */
export function tokenMatches(given: string | null | undefined, token: string): boolean {
  return typeof given === 'string' && timingSafeEqual(sha256(given), sha256(token));
}

export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/** Whether a Host header names this server: its port, and an IP literal, localhost or its own name. */
export function hostAllowed(header: string | undefined, bound: { host: string; port: number }): boolean {
  if (!header) return false;
  let url: URL;
  try {
    url = new URL(`http://${header}`);
  } catch {
    return false;
  }
  if (url.username || url.password || url.pathname !== '/' || url.search || url.hash) return false;
  if (Number(url.port || 80) !== bound.port) return false;
  const name = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const boundName = bound.host.replace(/^\[|\]$/g, '').toLowerCase();
  if (name === boundName || name === 'localhost') return true;
  if (isLoopbackHost(bound.host)) return isLoopbackHost(name);
  // Reachable from the network: the machine's addresses and names, never another domain's.
  return net.isIP(name) !== 0 || name === os.hostname().toLowerCase();
}

const SECURITY_HEADERS = {
  'X-Content-Type-Options': 'nosniff',
  'Referrer-Policy': 'no-referrer',
  'X-Frame-Options': 'DENY',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};
/** API answers are data, never a document. */
const API_HEADERS = { ...SECURITY_HEADERS, 'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'", 'Cache-Control': 'no-store' };

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body ?? null);
  res.writeHead(status, { ...API_HEADERS, 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

const sendError = (res: http.ServerResponse, status: number, error: string) => sendJson(res, status, { error });

/** Reads a JSON body up to the limit (null when empty). */
async function readJson(req: http.IncomingMessage): Promise<unknown> {
  const declared = Number(req.headers['content-length'] ?? 0);
  if (declared > MAX_BODY_BYTES) throw new ApiError(`request body larger than ${MAX_BODY_BYTES} bytes`, { status: 413 });
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_BODY_BYTES) throw new ApiError(`request body larger than ${MAX_BODY_BYTES} bytes`, { status: 413 });
    chunks.push(chunk);
  }
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text.trim()) return null;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new ApiError('the request body is not valid JSON', { status: 400 });
  }
}

/** How long a download ticket may wait for its one download. */
export const DOWNLOAD_TICKET_MS = 60_000;
/** Tickets waiting at once at most (a page asks for one per download). */
const MAX_TICKETS = 100;

const DOWNLOAD_PARAMS = object({
  kind: oneOf(QUERY_KINDS),
  query: optional(string({ max: MAX_QUERY })),
  format: optional(oneOf(['csv', 'ndjson'] as const)),
  columns: optional(string({ max: 64 * 65 })),
  excel: optional(oneOf(['0', '1'] as const)),
  neutralise: optional(oneOf(['0', '1'] as const)),
  asShown: optional(oneOf(['0', '1'] as const)),
  fileName: optional(string({ max: 120, pattern: /^[A-Za-z0-9_@-][A-Za-z0-9._@-]*\.(csv|ndjson)$/, patternText: 'a file name of ASCII letters, digits and ._@- ending .csv or .ndjson' })),
  timeZone: optional(timeZone),
});
const COLUMN_LIST = arrayOf(string({ min: 1, max: 64 }), { min: 1, max: 64 });

/** The export a ticket request asks for (the same checks as `export/start`), and the file's name. */
export function downloadRequest(body: unknown): QueryExportRequest & { fileName?: string } {
  const p: ExportDownloadParams = validate('export/ticket', DOWNLOAD_PARAMS, body);
  const columns = p.columns ? validate('export/ticket', COLUMN_LIST, p.columns.split(',').map((c) => c.trim())) : undefined;
  return {
    kind: p.kind,
    query: p.query ?? '',
    format: p.format ?? 'csv',
    ...(columns ? { columns } : {}),
    excel: p.excel === '1',
    neutralise: p.neutralise !== '0',
    ...(p.asShown === '1' ? { asShown: true } : {}),
    ...(p.fileName ? { fileName: p.fileName } : {}),
    ...(p.timeZone ? { timeZone: p.timeZone } : {}),
  };
}

const REPORT_PARAMS = object(REPORT_OPTIONS);

/** What a download ticket was issued for: an export, or a report. */
type Download = { type: 'export'; request: QueryExportRequest & { fileName?: string } } | { type: 'report'; params: ReportDownloadParams };

export function createApiServer(opts: ApiServerOptions): ApiServer {
  const files = staticFiles(opts.rendererDir);
  const streams = new Set<http.ServerResponse>();
  const methods = new Set(Object.keys(opts.handlers));
  let boundPort = 0;

  const authorised = (req: http.IncomingMessage, url: URL, allowQueryToken: boolean): boolean => {
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7) : null;
    return tokenMatches(bearer ?? (allowQueryToken ? url.searchParams.get('token') : null), opts.token);
  };

  const serveStatic = (req: http.IncomingMessage, res: http.ServerResponse, url: URL) => {
    const file = files.get(url.pathname);
    if (!file) return sendError(res, 404, 'not found');
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.setHeader('Allow', 'GET, HEAD');
      return sendError(res, 405, 'method not allowed');
    }
    res.writeHead(200, {
      ...SECURITY_HEADERS,
      'Content-Security-Policy': CONTENT_SECURITY_POLICY,
      'Content-Type': file.type,
      'Content-Length': file.body.length,
      // Asset names carry a content hash; index.html names the current ones.
      'Cache-Control': file.immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
    });
    res.end(req.method === 'HEAD' ? undefined : file.body);
  };

  const openEvents = (req: http.IncomingMessage, res: http.ServerResponse) => {
    res.writeHead(200, { ...API_HEADERS, 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(': xferlens events\nretry: 2000\n\n');
    streams.add(res);
    const heartbeat = setInterval(() => res.write(': ping\n\n'), HEARTBEAT_MS);
    const done = () => {
      clearInterval(heartbeat);
      streams.delete(res);
    };
    req.on('close', done);
    res.on('close', done);
  };

  /** Download tickets: one download each, within DOWNLOAD_TICKET_MS of being issued. */
  const tickets = new Map<string, { download: Download; expires: number }>();
  const issueTicket = (body: unknown, route: 'export/ticket' | 'report/ticket'): ExportTicket => {
    let download: Download;
    if (route === 'export/ticket') {
      download = { type: 'export', request: downloadRequest(body) };
    } else {
      const params: ReportDownloadParams = validate(route, REPORT_PARAMS, body);
      reportJob(opts, params, route); // refuses a PDF without a printer, a range the wrong way round
      download = { type: 'report', params };
    }
    const now = Date.now();
    for (const [id, t] of tickets) if (t.expires <= now) tickets.delete(id);
    if (tickets.size >= MAX_TICKETS) throw new ApiError(`at most ${MAX_TICKETS} downloads can wait at once: start them, or wait a minute`, { status: 429 });
    const ticket = randomBytes(32).toString('base64url');
    tickets.set(ticket, { download, expires: now + DOWNLOAD_TICKET_MS });
    return { url: `/api/${download.type}/download?ticket=${ticket}` };
  };
  /** The download a ticket was issued for; the ticket is used up. */
  const redeemTicket = (url: URL, type: Download['type']): Download | null => {
    const ticket = url.searchParams.get('ticket');
    if (!ticket || [...url.searchParams.keys()].length !== 1) return null;
    const found = tickets.get(ticket);
    tickets.delete(ticket);
    return found && found.expires > Date.now() && found.download.type === type ? found.download : null;
  };

  /**
   * Answers a download made on a read connection of its own (closed afterwards): a failure before
   * the headers is a JSON error, after them a cut connection; the browser giving up (or the person
   * cancelling the download) aborts `produce`.
   */
  const serveDownload = async (res: http.ServerResponse, produce: (db: Db, signal: AbortSignal) => Promise<void>) => {
    const controller = new AbortController();
    res.on('close', () => {
      if (!res.writableFinished) controller.abort(new Error('download cancelled'));
    });
    let db: Db | null = null;
    try {
      db = opts.openReadDb();
      await produce(db, controller.signal);
    } catch (err) {
      if (!res.headersSent) {
        const { status, body } = errorReply(asDatabaseError(err, opts.databasePath));
        sendJson(res, status, body);
      } else {
        res.destroy();
      }
    } finally {
      db?.close();
    }
  };
  const stamp = () => new Date().toISOString().replace(/[:.]/g, '-').slice(0, 19);

  /** An export, streamed as it is written. */
  const download = (res: http.ServerResponse, { fileName, ...request }: QueryExportRequest & { fileName?: string }) =>
    serveDownload(res, async (db, signal) => {
      // Compiled before any header goes out, so a mistake in the query is a JSON error.
      const prepared = prepareExport(db, request, opts.exportThreads ? { threads: opts.exportThreads } : {});
      res.writeHead(200, {
        ...API_HEADERS,
        'Content-Type': request.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
        // The page names the file after what it holds (a checked name: see DOWNLOAD_PARAMS).
        'Content-Disposition': `attachment; filename="${fileName ?? `xferlens-${request.kind}-${stamp()}.${request.format}`}"`,
      });
      await prepared.write(res, { signal });
      res.end();
    });

  /** A report: HTML, or PDF printed by the server's Chromium; made before any header goes out. */
  const reportDownload = (res: http.ServerResponse, params: ReportDownloadParams) =>
    serveDownload(res, async (db, signal) => {
      const { request, make } = reportJob(opts, params, 'report/download');
      const { document } = await makeReport(db, request, { ...make, signal });
      const body = typeof document === 'string' ? Buffer.from(document, 'utf8') : document;
      res.writeHead(200, {
        ...API_HEADERS,
        'Content-Type': make.format === 'pdf' ? 'application/pdf' : 'text/html; charset=utf-8',
        'Content-Length': body.length,
        'Content-Disposition': `attachment; filename="xferlens-report-${stamp()}.${make.format}"`,
      });
      res.end(body);
    });

  /** A POST of JSON to a method or the ticket route: its answer, or (asked for) its ApiReply. */
  const callMethod = async (req: http.IncomingMessage, res: http.ServerResponse, route: string, run: (input: unknown) => Promise<unknown>) => {
    if (req.method !== 'POST') {
      res.setHeader('Allow', 'POST');
      return sendError(res, 405, `${route} takes POST`);
    }
    const type = req.headers['content-type'] ?? '';
    if (!/^application\/json\s*(;|$)/i.test(type)) return sendError(res, 415, 'the body must be JSON (Content-Type: application/json)');
    const input = await readJson(req);
    if (req.headers[REPLY_HEADER] !== 'envelope') return sendJson(res, 200, await run(input));
    sendJson(res, 200, await replyOf(() => run(input), (err) => logFailure(req, err)));
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    if (!hostAllowed(req.headers.host, { host: opts.host, port: boundPort })) return sendError(res, 421, 'this server does not answer for that Host');
    let url: URL;
    try {
      url = new URL(req.url ?? '/', 'http://xferlens.invalid');
    } catch {
      return sendError(res, 400, 'bad request');
    }
    if (url.pathname !== '/api' && !url.pathname.startsWith('/api/')) return serveStatic(req, res, url);

    const route = url.pathname.slice('/api/'.length);
    if (route === 'export/download' || route === 'report/download') {
      // The ticket is the credential (see DOWNLOAD_TICKET_MS): the URL stays in the browser's history.
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        return sendError(res, 405, `${route} takes GET`);
      }
      const type = route === 'export/download' ? 'export' : 'report';
      const found = redeemTicket(url, type);
      if (!found) return sendError(res, 401, `this download link was used already or is over a minute old (or has no ticket): start the ${type} again from the page`);
      return found.type === 'export' ? download(res, found.request) : reportDownload(res, found.params);
    }
    const streamed = route === 'events';
    if (!authorised(req, url, streamed && req.method === 'GET')) {
      res.setHeader('WWW-Authenticate', 'Bearer');
      return sendError(res, 401, 'missing or wrong token: open the address `xferlens serve` printed');
    }
    if (streamed) {
      if (req.method !== 'GET') {
        res.setHeader('Allow', 'GET');
        return sendError(res, 405, `${route} takes GET`);
      }
      return openEvents(req, res);
    }
    if (route === 'export/ticket' || route === 'report/ticket') return callMethod(req, res, route, async (body) => issueTicket(body, route));
    if (!methods.has(route)) return sendError(res, 404, `unknown method ${route.slice(0, 100)}`);
    return callMethod(req, res, route, opts.handlers[route as ApiMethod] as (input: unknown) => Promise<unknown>);
  };

  const logFailure = (req: http.IncomingMessage, err: unknown) =>
    process.stderr.write(`xferlens: ${req.method} ${req.url?.split('?')[0]} failed: ${(err as Error)?.stack ?? String(err)}\n`);

  const server = http.createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      const { status, body } = errorReply(err);
      if (isOwnFailure(err, status)) logFailure(req, err);
      if (!res.headersSent) sendJson(res, status, body);
      else res.destroy();
    });
  });
  server.on('listening', () => {
    const address = server.address();
    boundPort = typeof address === 'object' && address ? address.port : 0;
  });
  // Slow or idle clients cannot hold connections forever (event streams have their heartbeat).
  server.headersTimeout = 30_000;

  return {
    server,
    broadcast(event, payload) {
      const frame = `event: ${event}\ndata: ${JSON.stringify(payload)}\n\n`;
      for (const res of streams) res.write(frame);
    },
    close() {
      for (const res of streams) res.end();
      streams.clear();
      return new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
    },
  };
}
