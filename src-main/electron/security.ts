/**
 * Security policy of the desktop app, following Electron's security checklist
 * (https://www.electronjs.org/docs/latest/tutorial/security). The policy is pure data and pure
 * functions (URLs and permission names in, decisions out); the wiring functions below only attach
 * it to Electron objects passed in. Nothing here imports Electron at run time, so
 * `test/unit/electron-security.test.ts` checks every item without a window.
 */
import type { App, IpcMainInvokeEvent, Session, Shell, WebContents, WebPreferences } from 'electron';

/** The renderer is served from this origin by a custom protocol (see app-protocol.ts), never file://. */
export const APP_SCHEME = 'app';
export const APP_HOST = 'xferlens';
export const APP_ORIGIN = `${APP_SCHEME}://${APP_HOST}`;
export const RENDERER_URL = `${APP_ORIGIN}/index.html`;

/**
 * No remote content, no inline scripts or styles, no eval, no plugins, no framing, no forms.
 * Sent as a response header by the app protocol and the session, and (see below) as a `<meta>` in index.html.
 */
export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

/**
 * The policy as index.html's `<meta>` carries it: without frame-ancestors, which browsers ignore in
 * a meta tag and warn about on the console (the response header carries it).
 */
export const META_CONTENT_SECURITY_POLICY = CONTENT_SECURITY_POLICY.replace(/; frame-ancestors [^;]*/, '');

/** Web preferences of every window (the preload path is added by `webPreferences`). */
export const SECURE_WEB_PREFERENCES = {
  contextIsolation: true,
  sandbox: true,
  nodeIntegration: false,
  nodeIntegrationInWorker: false,
  nodeIntegrationInSubFrames: false,
  webSecurity: true,
  allowRunningInsecureContent: false,
  experimentalFeatures: false,
  webviewTag: false,
  navigateOnDragDrop: false,
  safeDialogs: true,
  spellcheck: false,
  // A middle click must not open new windows (electronegativity AUXCLICK_JS_CHECK).
  disableBlinkFeatures: 'Auxclick',
} as const satisfies WebPreferences;

export function webPreferences(preload: string): WebPreferences {
  return { ...SECURE_WEB_PREFERENCES, preload };
}

function parseUrl(url: string): URL | null {
  try {
    return new URL(url);
  } catch {
    return null;
  }
}

/** True for URLs of the app's own origin (`app://xferlens/...`). */
export function isAppUrl(url: string | undefined | null): boolean {
  const u = url ? parseUrl(url) : null;
  return !!u && u.protocol === `${APP_SCHEME}:` && u.host === APP_HOST && !u.username && !u.password;
}

/** Origins the app may hand to the system browser (help and project pages). Exact https origins. */
export const EXTERNAL_ORIGINS: readonly string[] = ['https://github.com', 'https://www.proftpd.org', 'https://www.electronjs.org'];

/** `shell.openExternal` only for https URLs of the allowlisted origins (never file:, smb:, custom schemes). */
export function isExternalUrlAllowed(url: string): boolean {
  const u = parseUrl(url);
  return !!u && u.protocol === 'https:' && !u.username && !u.password && EXTERNAL_ORIGINS.includes(u.origin);
}

/** The UI is one page: in-app navigation stays in the app origin; anything else is refused. */
export function isNavigationAllowed(url: string): boolean {
  return isAppUrl(url);
}

/** No web permission is granted (camera, notifications, clipboard read, geolocation, ...). */
export function isPermissionAllowed(_permission: string): boolean {
  return false;
}

/** Schemes the renderer may load from: its own origin, inline images, blobs it made, DevTools. */
const LOADABLE_SCHEMES = new Set([`${APP_SCHEME}:`, 'data:', 'blob:', 'devtools:']);

/** Network-level backstop for "no remote content": http(s), ws(s), file: and the rest are cancelled. */
export function isRequestAllowed(url: string): boolean {
  const u = parseUrl(url);
  if (!u || !LOADABLE_SCHEMES.has(u.protocol)) return false;
  return u.protocol !== `${APP_SCHEME}:` || isAppUrl(url);
}

/** IPC is answered only for the app's own page (not a navigated-away, framed or foreign frame). */
export function isTrustedSenderUrl(frameUrl: string | undefined | null): boolean {
  return isAppUrl(frameUrl);
}

export class UntrustedSenderError extends Error {
  constructor(url: string | undefined) {
    super(`refused IPC from ${url ?? 'an unknown frame'}`);
  }
}

/** Throws unless the IPC message comes from the app's own page. */
export function assertTrustedSender(event: Pick<IpcMainInvokeEvent, 'senderFrame'>): void {
  const url = event.senderFrame?.url;
  if (!isTrustedSenderUrl(url)) throw new UntrustedSenderError(url);
}

/** Response headers with our CSP (replacing any other CSP header, whatever its case). */
export function withSecurityHeaders(headers: Record<string, string[] | string> | undefined): Record<string, string[]> {
  const out: Record<string, string[]> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    const lower = name.toLowerCase();
    if (lower === 'content-security-policy' || lower === 'x-content-type-options') continue;
    out[name] = Array.isArray(value) ? value : [value];
  }
  out['Content-Security-Policy'] = [CONTENT_SECURITY_POLICY];
  out['X-Content-Type-Options'] = ['nosniff'];
  return out;
}

type OpenExternal = Shell['openExternal'];

/** Opens a URL in the system browser when the allowlist permits it; says whether it did. */
export function openExternalIfAllowed(url: string, openExternal: OpenExternal): boolean {
  if (!isExternalUrlAllowed(url)) return false;
  void openExternal(url).catch(() => undefined);
  return true;
}

// ---- wiring: attaches the policy above to Electron objects ----

/** Navigation, redirects, new windows and <webview> for one webContents (any: windows, DevTools). */
export function hardenWebContents(contents: WebContents, openExternal: OpenExternal): void {
  const guard = (event: { preventDefault(): void }, url: string) => {
    if (isNavigationAllowed(url)) return;
    event.preventDefault();
    openExternalIfAllowed(url, openExternal);
  };
  contents.on('will-navigate', (event, url) => guard(event, url));
  contents.on('will-redirect', (event, url) => guard(event, url));
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(url, openExternal);
    return { action: 'deny' };
  });
}

/** Permissions, CSP header and remote requests for a session. */
export function hardenSession(session: Session): void {
  session.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)));
  session.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => callback({ cancel: !isRequestAllowed(details.url) }));
  session.webRequest.onHeadersReceived((details, callback) => callback({ responseHeaders: withSecurityHeaders(details.responseHeaders) }));
}

/** Hardens every webContents the app ever creates, including ones we did not create ourselves. */
export function hardenApp(app: Pick<App, 'on'>, openExternal: OpenExternal): void {
  app.on('web-contents-created', (_event, contents) => hardenWebContents(contents, openExternal));
}
