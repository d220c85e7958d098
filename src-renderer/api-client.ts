/**
 * The UI's one way to the back end, behind the contract type: the desktop bridge (`window.xferlens`,
 * Electron IPC) when there is one, otherwise HTTP to `xferlens serve` (browser mode). Only types
 * come from src-main.
 */
import type { ApiEventName, ApiEvents, ApiReply, DesktopBridge, ExportDownloadParams, ExportTicket, ReplyHeader, ReportDownloadParams, XferlensApi } from '../src-main/api/contract.js';

export interface ApiClient extends XferlensApi {
  mode: 'desktop' | 'browser';
  /** The path of a dropped file; null where the page cannot know it (browser mode). */
  pathForFile: ((file: File) => string) | null;
  /**
   * Browser mode: a one-time address of `GET /api/export/download` for these parameters (valid for
   * one download within a minute, without the session token in it); null on the desktop.
   */
  exportDownloadUrl: ((params: ExportDownloadParams) => Promise<string>) | null;
  /** Browser mode: the same for a report (`GET /api/report/download`, made by the server); null on the desktop. */
  reportDownloadUrl: ((params: ReportDownloadParams) => Promise<string>) | null;
}

/** A failed call: the back end's message, and for a search-language mistake its 1-based column. */
export class ApiError extends Error {
  constructor(
    message: string,
    readonly column: number | null = null,
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Electron prefixes errors thrown by handlers; the UI shows the handler's own message. */
const IPC_ERROR_PREFIX = /^Error invoking remote method '[^']*': (?:\w*Error: )?/;

/** The column of a query mistake: given by the transport, else read from "… at column N". */
function columnOf(err: unknown, message: string): number | null {
  const given = (err as { column?: unknown } | null)?.column;
  if (typeof given === 'number' && Number.isInteger(given) && given > 0) return given;
  const m = / at column (\d+)\b/.exec(message);
  return m ? Number(m[1]) : null;
}

export function desktopClient(bridge: DesktopBridge): ApiClient {
  return {
    mode: 'desktop',
    async call(method, ...args) {
      try {
        return await bridge.call(method, ...args);
      } catch (err) {
        const message = String((err as Error)?.message ?? (err as { error?: unknown })?.error ?? err).replace(IPC_ERROR_PREFIX, '');
        throw new ApiError(message, columnOf(err, message));
      }
    },
    subscribe: (event, listener) => bridge.subscribe(event, listener),
    pathForFile: (file) => bridge.pathForFile(file),
    exportDownloadUrl: null,
    reportDownloadUrl: null,
  };
}

/** The access token `xferlens serve` puts in the URL's fragment (`#token=...`). */
export function tokenFromHash(hash: string): string | null {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') || null;
}

export const NO_TOKEN_MESSAGE = 'No access token: open the address that `xferlens serve` printed (it ends with #token=…).';

/** Asks `serve` to answer a refused call as an ApiReply with status 200, not as a 4xx (see the contract). */
const REPLY_HEADER: ReplyHeader = 'X-Xferlens-Reply';

export function httpClient(token: string | null): ApiClient {
  let events: EventSource | null = null;
  /**
   * POSTs JSON to an /api route with the token in the header; answers the value or throws its error.
   * A refusal (a mistake in the search, a read-only database…) comes as a 200 carrying the error, so
   * the browser's console does not list it as a failed request: the page shows it.
   */
  const post = async (route: string, input: unknown): Promise<unknown> => {
    if (!token) throw new ApiError(NO_TOKEN_MESSAGE);
    const response = await fetch(`/api/${route}`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}`, [REPLY_HEADER]: 'envelope' },
      body: JSON.stringify(input ?? null),
    });
    const body = (await response.json().catch(() => null)) as ApiReply<unknown> | { error?: unknown } | null;
    const error = body && typeof body === 'object' && 'error' in body ? body.error : undefined;
    if (response.ok && body && typeof body === 'object' && 'value' in body) return body.value;
    // The error of an ApiReply ({error: {error, column}}), or of the request itself ({error}).
    const inner = error && typeof error === 'object' ? error : body;
    const text = (inner as { error?: unknown } | null)?.error;
    const message = typeof text === 'string' ? text : `${route} failed (HTTP ${response.status})`;
    throw new ApiError(message, columnOf(inner, message));
  };
  return {
    mode: 'browser',
    async call(method, ...args) {
      return (await post(method, args[0])) as never;
    },
    subscribe<E extends ApiEventName>(event: E, listener: (payload: ApiEvents[E]) => void) {
      if (!token) return () => undefined;
      events ??= new EventSource(`/api/events?token=${encodeURIComponent(token)}`);
      const source = events;
      const relay = (e: MessageEvent<string>) => listener(JSON.parse(e.data) as ApiEvents[E]);
      source.addEventListener(event, relay);
      return () => source.removeEventListener(event, relay);
    },
    pathForFile: null,
    async exportDownloadUrl(params) {
      const body: Record<string, string> = {};
      for (const [key, value] of Object.entries(params)) if (value !== undefined && value !== '') body[key] = String(value);
      return ((await post('export/ticket', body)) as ExportTicket).url;
    },
    async reportDownloadUrl(params) {
      return ((await post('report/ticket', params)) as ExportTicket).url;
    },
  };
}

const TOKEN_KEY = 'xferlens-token';

/**
 * Browser mode keeps the token for this tab only (a reload still works) and removes it from the
 * address bar, so it does not end up in history, bookmarks or screenshots.
 */
function takeToken(): string | null {
  const token = tokenFromHash(location.hash);
  if (token) {
    sessionStorage.setItem(TOKEN_KEY, token);
    history.replaceState(null, '', location.pathname + location.search);
    return token;
  }
  return sessionStorage.getItem(TOKEN_KEY);
}

export function connect(): ApiClient {
  const bridge = (window as Window & { xferlens?: DesktopBridge }).xferlens;
  return bridge ? desktopClient(bridge) : httpClient(takeToken());
}
