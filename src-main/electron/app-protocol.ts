/**
 * `app://xferlens/...`: serves the built renderer (dist/renderer) to the window. A custom, standard
 * and secure scheme instead of file:// (Electron checklist item 18): the page gets a real origin
 * for CSP `'self'` and ES modules, and can read nothing outside the renderer folder.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { CustomScheme, Protocol } from 'electron';
import { APP_HOST, APP_SCHEME, withSecurityHeaders } from './security.js';

/** Registered before `app.ready`. Deliberately without bypassCSP, service workers or extensions. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = {
  scheme: APP_SCHEME,
  privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true },
};

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.map': 'application/json',
};

export function contentTypeOf(file: string): string {
  return CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
}

/**
 * The file under `root` an app URL names, or null when the URL is not ours or would leave `root`
 * (`..`, encoded separators, NUL). `/` is index.html.
 */
export function resolveAppFile(url: string, root: string): string | null {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return null;
  }
  if (u.protocol !== `${APP_SCHEME}:` || u.host !== APP_HOST) return null;
  let pathname: string;
  try {
    pathname = decodeURIComponent(u.pathname);
  } catch {
    return null;
  }
  if (pathname.includes('\0') || pathname.includes('\\')) return null;
  if (pathname === '/' || pathname === '') pathname = '/index.html';
  const base = path.resolve(root);
  const file = path.resolve(base, '.' + pathname);
  return file.startsWith(base + path.sep) ? file : null;
}

/** Answers `app://` requests from the renderer folder, with the CSP on every response. */
export function serveAppProtocol(protocol: Pick<Protocol, 'handle'>, root: string): void {
  protocol.handle(APP_SCHEME, async (request) => {
    const file = resolveAppFile(request.url, root);
    const notFound = () => new Response('not found', { status: 404, headers: flatten(withSecurityHeaders({ 'Content-Type': 'text/plain' })) });
    if (!file) return notFound();
    try {
      const body = await fs.promises.readFile(file);
      return new Response(body, { status: 200, headers: flatten(withSecurityHeaders({ 'Content-Type': contentTypeOf(file) })) });
    } catch {
      return notFound();
    }
  });
}

function flatten(headers: Record<string, string[]>): Record<string, string> {
  return Object.fromEntries(Object.entries(headers).map(([k, v]) => [k, v.join(', ')]));
}
