/**
 * Electron's security checklist (https://www.electronjs.org/docs/latest/tutorial/security), item
 * by item, checked without Electron: the pure policy of src-main/electron/security.ts, its wiring
 * on fake webContents/session/ipcMain objects that record what was registered, the compiled
 * preload run in a sandbox-like VM, the app protocol, the page and the packaging config.
 */
import fs from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';
import type { IpcMain, IpcMainInvokeEvent, Protocol, Session, WebContents } from 'electron';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import type { ApiHandlers } from '../../src-main/api/handlers.js';
import { QuerySyntaxError } from '../../src-main/core/query/errors.js';
import { APP_SCHEME_PRIVILEGES, resolveAppFile, serveAppProtocol } from '../../src-main/electron/app-protocol.js';
import { createEventSender, registerIpc } from '../../src-main/electron/ipc.js';
import {
  CONTENT_SECURITY_POLICY,
  META_CONTENT_SECURITY_POLICY,
  hardenApp,
  hardenSession,
  hardenWebContents,
  isExternalUrlAllowed,
  isNavigationAllowed,
  isPermissionAllowed,
  isRequestAllowed,
  RENDERER_URL,
  SECURE_WEB_PREFERENCES,
  UntrustedSenderError,
  webPreferences,
} from '../../src-main/electron/security.js';
import { mainWindowOptions, DEFAULT_WINDOW_STATE } from '../../src-main/electron/window-state.js';
import { REPO, tempDir } from '../helpers.js';

type Listener = (...args: any[]) => unknown;

/** A webContents that records its listeners and window-open handler. */
function fakeContents(url = RENDERER_URL) {
  const listeners = new Map<string, Listener[]>();
  let openHandler: Listener | null = null;
  const sent: [string, unknown][] = [];
  const contents = {
    on(event: string, listener: Listener) {
      listeners.set(event, [...(listeners.get(event) ?? []), listener]);
      return contents;
    },
    setWindowOpenHandler(handler: Listener) {
      openHandler = handler;
    },
    getURL: () => url,
    isDestroyed: () => false,
    send: (channel: string, payload: unknown) => sent.push([channel, payload]),
  };
  /** Emits like Electron: returns whether a listener called preventDefault. */
  const emit = (event: string, ...args: unknown[]) => {
    let prevented = false;
    const e = { preventDefault: () => (prevented = true) };
    for (const l of listeners.get(event) ?? []) l(e, ...args);
    return prevented;
  };
  return { contents: contents as unknown as WebContents, emit, openHandler: () => openHandler, listeners, sent };
}

function hardenedContents(url?: string) {
  const opened: string[] = [];
  const fake = fakeContents(url);
  hardenWebContents(fake.contents, async (u) => void opened.push(u));
  return { ...fake, opened };
}

/** A session recording the handlers it receives. */
function fakeSession() {
  const h: Record<string, Listener> = {};
  const session = {
    setPermissionRequestHandler: (f: Listener) => (h.permissionRequest = f),
    setPermissionCheckHandler: (f: Listener) => (h.permissionCheck = f),
    setDevicePermissionHandler: (f: Listener) => (h.devicePermission = f),
    webRequest: {
      onBeforeRequest: (f: Listener) => (h.beforeRequest = f),
      onHeadersReceived: (f: Listener) => (h.headersReceived = f),
    },
  };
  hardenSession(session as unknown as Session);
  const answer = <T>(name: string, ...args: unknown[]): T => {
    let result: unknown;
    h[name]!(...args, (r: unknown) => (result = r));
    return result as T;
  };
  return { h, answer };
}

function cspDirectives(csp: string): Map<string, string[]> {
  return new Map(csp.split(';').map((d) => d.trim().split(/\s+/)).map(([name, ...values]) => [name!, values]));
}

const metaCsp = (html: string) => /<meta\s+http-equiv="Content-Security-Policy"\s+content="([^"]*)"/i.exec(html)?.[1];

const PERMISSIONS = ['media', 'geolocation', 'notifications', 'clipboard-read', 'clipboard-sanitized-write', 'openExternal', 'fullscreen', 'midi', 'hid', 'serial', 'usb', 'display-capture', 'unknown'];

describe('Electron security checklist', () => {
  it('1. only secure content: the page comes from app://, and remote or file requests are cancelled', () => {
    expect(new URL(RENDERER_URL).protocol).toBe('app:');
    for (const url of ['http://example.com/x.js', 'https://cdn.example.com/lib.js', 'ws://127.0.0.1:9222/', 'file:///etc/passwd', 'ftp://host/x', 'app://other-host/index.html', 'not a url']) {
      expect(isRequestAllowed(url), url).toBe(false);
    }
    for (const url of [RENDERER_URL, 'app://xferlens/assets/index-abc.js', 'data:image/png;base64,AAAA', 'devtools://devtools/bundled/inspector.html']) {
      expect(isRequestAllowed(url), url).toBe(true);
    }
    const { answer } = fakeSession();
    expect(answer<{ cancel: boolean }>('beforeRequest', { url: 'https://cdn.example.com/lib.js' })).toEqual({ cancel: true });
    expect(answer<{ cancel: boolean }>('beforeRequest', { url: 'app://xferlens/assets/index.js' })).toEqual({ cancel: false });
  });

  it('2. no Node.js integration, in the page, its workers or its frames', () => {
    expect(SECURE_WEB_PREFERENCES.nodeIntegration).toBe(false);
    expect(SECURE_WEB_PREFERENCES.nodeIntegrationInWorker).toBe(false);
    expect(SECURE_WEB_PREFERENCES.nodeIntegrationInSubFrames).toBe(false);
    // The main window is created with exactly these preferences.
    const options = mainWindowOptions(DEFAULT_WINDOW_STATE, { preload: '/app/preload.cjs', backgroundColor: '#fff', title: 'xferlens' });
    expect(options.webPreferences).toEqual({ ...SECURE_WEB_PREFERENCES, preload: '/app/preload.cjs' });
  });

  it('3. context isolation is on', () => {
    expect(webPreferences('/p.cjs').contextIsolation).toBe(true);
  });

  it('4. the renderer is sandboxed', () => {
    expect(webPreferences('/p.cjs').sandbox).toBe(true);
  });

  it('5. every permission request and check is denied', () => {
    for (const p of PERMISSIONS) expect(isPermissionAllowed(p), p).toBe(false);
    const { h, answer } = fakeSession();
    for (const p of PERMISSIONS) {
      expect(answer<boolean>('permissionRequest', fakeContents().contents, p), p).toBe(false);
      expect(h.permissionCheck!(fakeContents().contents, p, 'app://xferlens', {}), p).toBe(false);
    }
    expect(h.devicePermission!({ deviceType: 'usb', origin: 'app://xferlens' })).toBe(false);
  });

  it('6. webSecurity stays on', () => {
    expect(webPreferences('/p.cjs').webSecurity).toBe(true);
  });

  it('7. a strict Content-Security-Policy: in the header of every response and in the page', () => {
    const d = cspDirectives(CONTENT_SECURITY_POLICY);
    expect(d.get('default-src')).toEqual(["'none'"]);
    expect(d.get('script-src')).toEqual(["'self'"]);
    expect(d.get('style-src')).toEqual(["'self'"]);
    expect(d.get('connect-src')).toEqual(["'self'"]);
    expect(d.get('img-src')).toEqual(["'self'", 'data:']);
    expect(d.get('base-uri')).toEqual(["'none'"]);
    expect(d.get('form-action')).toEqual(["'none'"]);
    expect(d.get('frame-ancestors')).toEqual(["'none'"]);
    expect(CONTENT_SECURITY_POLICY).not.toMatch(/unsafe-|https?:|\*/);

    // The session replaces a weaker CSP sent by anything else, whatever the header's case.
    const { answer } = fakeSession();
    const { responseHeaders } = answer<{ responseHeaders: Record<string, string[]> }>('headersReceived', {
      url: RENDERER_URL,
      responseHeaders: { 'content-security-policy': ['default-src *'], 'Content-Type': ['text/html'] },
    });
    const csp = Object.entries(responseHeaders).filter(([k]) => k.toLowerCase() === 'content-security-policy');
    expect(csp).toEqual([['Content-Security-Policy', [CONTENT_SECURITY_POLICY]]]);
    expect(responseHeaders['Content-Type']).toEqual(['text/html']);

    // The page carries the same policy but frame-ancestors (ignored in a meta, with a console
    // warning); the built page has no inline script or style.
    expect(META_CONTENT_SECURITY_POLICY).toBe(CONTENT_SECURITY_POLICY.replace("; frame-ancestors 'none'", ''));
    expect(metaCsp(fs.readFileSync(path.join(REPO, 'src-renderer', 'index.html'), 'utf8'))).toBe(META_CONTENT_SECURITY_POLICY);
    // (npm test builds first; dist/renderer is what the window loads.)
    const html = fs.readFileSync(path.join(REPO, 'dist', 'renderer', 'index.html'), 'utf8');
    expect(metaCsp(html)).toBe(META_CONTENT_SECURITY_POLICY);
    const scripts = [...html.matchAll(/<script\b[^>]*>/gi)].map(([tag]) => tag);
    expect(scripts.length).toBeGreaterThan(0);
    expect(scripts.every((tag) => /\bsrc="\.\/assets\/[^"]+\.js"/.test(tag))).toBe(true);
    expect(html).not.toMatch(/<script\b[^>]*>\s*[^<\s]/i); // no inline script body
    expect(html).not.toMatch(/<style\b|\sstyle="|\son\w+="/i);
  });

  it('8. no insecure content in a secure page', () => {
    expect(webPreferences('/p.cjs').allowRunningInsecureContent).toBe(false);
  });

  it('9. no experimental features', () => {
    expect(webPreferences('/p.cjs').experimentalFeatures).toBe(false);
  });

  it('10. enableBlinkFeatures is not used', () => {
    expect('enableBlinkFeatures' in webPreferences('/p.cjs')).toBe(false);
  });

  it('11. no <webview> (so no allowpopups): the tag is disabled', () => {
    expect(webPreferences('/p.cjs').webviewTag).toBe(false);
  });

  it('12. <webview> options cannot be smuggled in: every attach is refused', () => {
    const { emit } = hardenedContents();
    expect(emit('will-attach-webview', { preload: '/evil.js', nodeIntegration: true }, { src: 'https://evil.example' })).toBe(true);
  });

  it('13. navigation is limited to the app origin, also after redirects and drag-and-drop', () => {
    expect(webPreferences('/p.cjs').navigateOnDragDrop).toBe(false);
    const { emit, opened } = hardenedContents();
    for (const url of ['https://evil.example/', 'file:///etc/passwd', 'javascript:alert(1)', 'app://evil/index.html', 'http://127.0.0.1:8080/']) {
      expect(isNavigationAllowed(url), url).toBe(false);
      expect(emit('will-navigate', url), url).toBe(true);
      expect(emit('will-redirect', url), url).toBe(true);
    }
    expect(emit('will-navigate', RENDERER_URL)).toBe(false);
    // An allowlisted help link goes to the system browser instead of replacing the app.
    expect(emit('will-navigate', 'https://github.com/proftpd/proftpd')).toBe(true);
    expect(opened).toEqual(['https://github.com/proftpd/proftpd']);
  });

  it('14. no new windows: window.open and target=_blank are denied', () => {
    const { openHandler, opened } = hardenedContents();
    for (const url of ['https://evil.example/', RENDERER_URL, 'about:blank', 'https://github.com/x']) {
      expect(openHandler()!({ url }), url).toEqual({ action: 'deny' });
    }
    expect(opened).toEqual(['https://github.com/x']);
  });

  it('15. shell.openExternal only for https URLs of allowlisted origins', () => {
    expect(isExternalUrlAllowed('https://github.com/proftpd/proftpd/issues')).toBe(true);
    expect(isExternalUrlAllowed('https://www.proftpd.org/docs/')).toBe(true);
    for (const url of [
      'http://github.com/',
      'https://github.com.evil.example/',
      'https://evil.example/?https://github.com',
      'https://user:pw@github.com/',
      'file:///C:/Windows/System32/calc.exe',
      'smb://attacker/share/x.exe',
      'ms-msdt:/id PCWDiagnostic',
      'javascript:alert(1)',
      'app://xferlens/index.html',
      '',
    ]) {
      expect(isExternalUrlAllowed(url), url).toBe(false);
    }
  });

  it('16. a current Electron: the declared major is installed and not older than this checklist', () => {
    const pkg = JSON.parse(fs.readFileSync(path.join(REPO, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> };
    const declaredMajor = Number(/\d+/.exec(pkg.devDependencies.electron ?? '')?.[0]);
    const installed = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
    expect(declaredMajor).toBeGreaterThanOrEqual(45);
    expect(Number(installed.split('.')[0])).toBe(declaredMajor);
  });

  it('17. every IPC message is answered only for the app page; events go only to app pages', async () => {
    const registered = new Map<string, Listener>();
    const ipcMain = { handle: (channel: string, l: Listener) => registered.set(channel, l), removeHandler: (c: string) => registered.delete(c) };
    const handlers = {
      'formats/list': async () => [{ id: 'w3c' }],
      'query/page': async () => {
        throw new QuerySyntaxError('unknown field "usr"', 3);
      },
    } as unknown as ApiHandlers;
    const unregister = registerIpc(ipcMain as unknown as IpcMain, handlers);
    expect([...registered.keys()].sort()).toEqual(['formats/list', 'query/page']);
    const invoke = (url: string | null, channel = 'formats/list') => registered.get(channel)!({ senderFrame: url === null ? null : { url } } as unknown as IpcMainInvokeEvent, undefined);
    await expect(invoke(RENDERER_URL)).resolves.toEqual({ value: [{ id: 'w3c' }] });
    // A handler's failure is answered as data, so that the column of a search mistake survives IPC.
    await expect(invoke(RENDERER_URL, 'query/page')).resolves.toEqual({ error: { error: 'unknown field "usr" at column 3', column: 3 } });
    for (const url of ['https://evil.example/', 'file:///tmp/x.html', 'app://xferlens.evil/', 'app://evil/index.html', 'about:blank', null]) {
      await expect(invoke(url), String(url)).rejects.toBeInstanceOf(UntrustedSenderError);
    }
    unregister();
    expect(registered.size).toBe(0);

    const app = fakeContents(RENDERER_URL), foreign = fakeContents('https://evil.example/');
    createEventSender(() => [app.contents, foreign.contents])('index/progress', { jobId: 'j', file: 'f', filesDone: 0, filesTotal: 1, bytesDone: 1, bytesTotal: 2 });
    expect(app.sent.map(([c]) => c)).toEqual(['index/progress']);
    expect(foreign.sent).toEqual([]);
  });

  it('18. a custom app:// protocol instead of file://, serving only the renderer folder', async () => {
    expect(APP_SCHEME_PRIVILEGES.privileges).toMatchObject({ standard: true, secure: true });
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('bypassCSP');
    expect(APP_SCHEME_PRIVILEGES.privileges).not.toHaveProperty('allowServiceWorkers');
    const root = tempDir();
    fs.mkdirSync(path.join(root, 'assets'));
    fs.writeFileSync(path.join(root, 'index.html'), '<!doctype html><p>ok</p>');
    fs.writeFileSync(path.join(root, 'assets', 'a.js'), 'export {};');
    fs.writeFileSync(path.join(path.dirname(root), 'outside-secret.txt'), 'secret');
    expect(resolveAppFile('app://xferlens/', root)).toBe(path.join(root, 'index.html'));
    expect(resolveAppFile('app://xferlens/assets/a.js', root)).toBe(path.join(root, 'assets', 'a.js'));
    for (const url of [
      'app://xferlens/../outside-secret.txt',
      'app://xferlens/%2e%2e/outside-secret.txt',
      'app://xferlens/assets/..%2f..%2foutside-secret.txt',
      'app://xferlens/..%5coutside-secret.txt',
      'app://xferlens/index.html%00.js',
      'app://other/index.html',
      'file:///etc/passwd',
    ]) {
      const file = resolveAppFile(url, root);
      expect(file === null || file.startsWith(root + path.sep), url).toBe(true);
      expect(file === null ? null : fs.existsSync(file) && fs.readFileSync(file, 'utf8'), url).not.toBe('secret');
    }

    let handler: ((request: Request) => Promise<Response>) | undefined;
    serveAppProtocol({ handle: (_scheme: string, h: typeof handler) => (handler = h) } as unknown as Protocol, root);
    const page = await handler!(new Request('app://xferlens/index.html'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(page.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
    expect(page.headers.get('x-content-type-options')).toBe('nosniff');
    expect(await page.text()).toBe('<!doctype html><p>ok</p>');
    expect((await handler!(new Request('app://xferlens/assets/a.js'))).headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    const escape = await handler!(new Request('app://xferlens/..%2foutside-secret.txt'));
    expect(escape.status).toBe(404);
    expect(escape.headers.get('content-security-policy')).toBe(CONTENT_SECURITY_POLICY);
  });

  it('19. fuses: no running as Node, no NODE_OPTIONS or --inspect, app only from its checked asar', () => {
    const config = yaml.load(fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')) as { electronFuses: Record<string, boolean> };
    expect(config.electronFuses).toMatchObject({
      runAsNode: false,
      enableNodeOptionsEnvironmentVariable: false,
      enableNodeCliInspectArguments: false,
      onlyLoadAppFromAsar: true,
      enableEmbeddedAsarIntegrityValidation: true,
      grantFileProtocolExtraPrivileges: false,
      enableCookieEncryption: true,
    });
  });

  it('20. no Electron API reaches the page: the preload exposes only the contract, without event objects', async () => {
    const preload = path.join(REPO, 'dist', 'src-main', 'electron', 'preload.cjs');
    const exposed = new Map<string, Record<string, unknown>>();
    const on = new Map<string, Listener[]>();
    const invoked: unknown[][] = [];
    const electron = {
      contextBridge: { exposeInMainWorld: (key: string, api: Record<string, unknown>) => exposed.set(key, api) },
      ipcRenderer: {
        invoke: async (...args: unknown[]) => (invoked.push(args), args[0] === 'query/page' ? { error: { error: 'bad query at column 3', column: 3 } } : { value: 'answer' }),
        on: (channel: string, l: Listener) => on.set(channel, [...(on.get(channel) ?? []), l]),
        removeListener: (channel: string, l: Listener) => on.set(channel, (on.get(channel) ?? []).filter((x) => x !== l)),
      },
      webUtils: { getPathForFile: (f: { name: string }) => `/dropped/${f.name}` },
    };
    // A sandboxed preload's require knows only a few modules; ours must need nothing but electron.
    const sandboxRequire = (id: string) => {
      if (id === 'electron') return electron;
      throw new Error(`a sandboxed preload cannot require ${id}`);
    };
    const module = { exports: {} };
    vm.runInNewContext(`(function (exports, require, module) {${fs.readFileSync(preload, 'utf8')}\n})`, {})(module.exports, sandboxRequire, module);

    expect([...exposed.keys()]).toEqual(['xferlens']);
    const api = exposed.get('xferlens')! as {
      call: (m: string, input?: unknown) => Promise<unknown>;
      subscribe: (e: string, l: Listener) => () => void;
      pathForFile: (f: unknown) => string;
    };
    expect(Object.keys(api).sort()).toEqual(['call', 'pathForFile', 'subscribe']);

    await expect(api.call('index/open', { paths: ['/logs'] })).resolves.toBe('answer');
    expect(invoked).toEqual([['index/open', { paths: ['/logs'] }]]);
    // A failure reaches the page as a plain object (the context bridge keeps its fields, not an Error's).
    await expect(api.call('query/page', { kind: 'events', query: 'x' })).rejects.toEqual({ name: 'ApiError', message: 'bad query at column 3', column: 3 });

    const received: unknown[][] = [];
    const stop = api.subscribe('index/progress', (...args) => received.push(args));
    const senderEvent = { sender: { send() {} }, senderId: 1 };
    for (const l of on.get('index/progress') ?? []) l(senderEvent, { jobId: 'j' });
    expect(received).toEqual([[{ jobId: 'j' }]]); // the payload only, never the IpcRendererEvent
    stop();
    expect(on.get('index/progress')).toEqual([]);
    expect(() => api.subscribe('some-internal-channel', () => undefined)).toThrow(/unknown event/);
    expect(api.pathForFile({ name: 'ex260101.log' })).toBe('/dropped/ex260101.log');
  });

  it('hardens every webContents the app creates, not only its own window', () => {
    const listeners = new Map<string, Listener>();
    hardenApp({ on: (event: string, l: Listener) => listeners.set(event, l) } as never, async () => undefined);
    const created = fakeContents();
    listeners.get('web-contents-created')!({}, created.contents);
    expect(created.emit('will-navigate', 'https://evil.example/')).toBe(true);
    expect(created.openHandler()!({ url: 'https://evil.example/' })).toEqual({ action: 'deny' });
  });
});
