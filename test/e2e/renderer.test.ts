/**
 * The built renderer (dist/renderer) in a real Chromium, under the app's CSP sent as a header:
 * desktop mode with a fake `window.xferlens` bridge (what the preload exposes), and browser mode
 * speaking the HTTP transport documented in src-main/api/contract.ts. Skipped, saying why, when no
 * Chromium is installed (`apt-get install chromium`, or CHROMIUM_PATH).
 */
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatInfos } from '../../src-main/api/handlers.js';
import { contentTypeOf } from '../../src-main/electron/app-protocol.js';
import { CONTENT_SECURITY_POLICY } from '../../src-main/electron/security.js';
import { REPO } from '../helpers.js';

const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && fs.existsSync(p));
const RENDERER = path.join(REPO, 'dist', 'renderer');
const skipReason = !CHROMIUM
  ? 'no Chromium installed (apt-get install chromium, or set CHROMIUM_PATH)'
  : !fs.existsSync(path.join(RENDERER, 'index.html'))
    ? 'dist/renderer is not built (npm run build)'
    : null;
if (skipReason) console.warn(`renderer e2e skipped: ${skipReason}`);

// Page-side functions below run in Chromium. The test program has no DOM types (src-main must not
// see them), so the little they use is declared here, for this file only.
interface PageGlobals {
  __violations: string[];
  __calls: { method: string; input: unknown }[];
  __emit: (event: string, payload: unknown) => void;
  xferlens?: unknown;
}
declare const window: PageGlobals;
declare const document: {
  body: unknown;
  addEventListener(type: 'securitypolicyviolation', listener: (e: { violatedDirective: string; blockedURI: string }) => void): void;
};
declare function getComputedStyle(element: unknown): { backgroundColor: string };

const EMPTY_STATS = { path: '/tmp/x.sqlite', sources: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, formats: {} };
const TOKEN = 'test-token-123';

interface Recorded {
  method: string;
  authorization: string | undefined;
  /** The X-Xferlens-Reply header: `envelope` asks for ApiReply answers. */
  reply: string | undefined;
  body: unknown;
}

/** Serves dist/renderer with the CSP header, and answers the HTTP API like `xferlens serve` would. */
function startServer(recorded: Recorded[]): Promise<http.Server> {
  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const headers = { 'Content-Security-Policy': CONTENT_SECURITY_POLICY, 'X-Content-Type-Options': 'nosniff' };
    if (url.pathname === '/api/events') {
      res.writeHead(200, { ...headers, 'Content-Type': 'text/event-stream' });
      return;
    }
    if (url.pathname.startsWith('/api/') && req.method === 'POST') {
      let body = '';
      req.on('data', (c: Buffer) => (body += c.toString()));
      req.on('end', () => {
        const method = url.pathname.slice('/api/'.length);
        const reply = req.headers['x-xferlens-reply'] as string | undefined;
        recorded.push({ method, authorization: req.headers.authorization, reply, body: JSON.parse(body) });
        const answers: Record<string, unknown> = { 'app/status': { state: 'ready' }, 'formats/list': formatInfos(), 'db/stats': EMPTY_STATS, 'sources/list': [], 'follow/status': { paused: false, paths: [] } };
        if (req.headers.authorization !== `Bearer ${TOKEN}`) {
          res.writeHead(401, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify({ error: 'bad token' }));
          return;
        }
        // As serve answers the page (X-Xferlens-Reply: envelope): 200 with the value or the error.
        const answer = method in answers ? { value: answers[method] } : { error: { error: `${method}: not in this test's answers` } };
        res.writeHead(200, { ...headers, 'Content-Type': 'application/json' }).end(JSON.stringify(reply === 'envelope' ? answer : (answer.value ?? answer.error)));
      });
      return;
    }
    const file = path.resolve(RENDERER, '.' + (url.pathname === '/' ? '/index.html' : url.pathname));
    if (!file.startsWith(RENDERER + path.sep) || !fs.existsSync(file)) {
      res.writeHead(404, headers).end();
      return;
    }
    res.writeHead(200, { ...headers, 'Content-Type': contentTypeOf(file) }).end(fs.readFileSync(file));
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

/** Runs in the page before its scripts: records CSP violations and errors. */
function watchPage(): void {
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(`${e.violatedDirective} ${e.blockedURI}`));
}

/** Runs in the page before its scripts: a bridge shaped like the preload's, backed by fixtures. */
function installFakeBridge(formats: unknown): void {
  type Listener = (payload: unknown) => void;
  const listeners: Record<string, Listener[]> = {};
  const calls: { method: string; input: unknown }[] = [];
  const answers: Record<string, unknown> = {
    'formats/list': formats,
    'db/stats': { path: '/tmp/x.sqlite', sources: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, formats: {} },
    'sources/list': [],
    'index/cancel': { cancelled: true },
    'app/status': { state: 'ready' },
    'app/info': { mode: 'desktop', version: '0.0.0', databasePath: '/tmp/x.sqlite', canOpenPaths: true, canExportToFile: true, nativeDialogs: true, readOnly: null, proftpdConf: null },
    'settings/get': { timeDisplay: 'utc', theme: 'system', savedSearches: [], history: [], notifications: false, notifyLiveInsights: false },
    'follow/status': { paused: false, paths: [] },
    'query/page': { rows: [], nextCursor: null, prevCursor: null, total: 0 },
    'query/count': { total: 0 },
    'query/hints': [],
    'query/span': null,
  };
  window.__calls = calls;
  window.__emit = (event, payload) => (listeners[event] ?? []).forEach((l) => l(payload));
  window.xferlens = {
    call: (method: string, input: unknown) => {
      calls.push({ method, input });
      // index/open resolves when the run ends; this one never ends by itself, but for /srv/live.
      if (method === 'index/open' && (input as { paths: string[] }).paths[0] === '/srv/live') {
        return Promise.resolve({ jobId: 'job-2', cancelled: false, files: 1, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, ms: 1, formats: {}, errors: [] });
      }
      if (method === 'follow/start') return Promise.resolve({ paused: false, paths: [{ path: '/srv/live', files: 1, error: null }] });
      return method === 'index/open' ? new Promise(() => undefined) : Promise.resolve(answers[method]);
    },
    subscribe: (event: string, listener: Listener) => {
      (listeners[event] ??= []).push(listener);
      return () => undefined;
    },
    pathForFile: () => '',
  };
}

describe.skipIf(skipReason !== null)('renderer in Chromium', () => {
  let browser: Browser;
  let server: http.Server;
  let origin: string;
  const recorded: Recorded[] = [];

  beforeAll(async () => {
    server = await startServer(recorded);
    origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    browser = await chromium.launch({
      executablePath: CHROMIUM!,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'],
    });
  });

  afterAll(async () => {
    await browser?.close();
    server?.closeAllConnections();
    await new Promise((resolve) => server?.close(resolve));
  });

  async function openPage(opts: { bridge: boolean; hash?: string; colorScheme?: 'light' | 'dark' }): Promise<{ page: Page; errors: string[] }> {
    const context = await browser.newContext({ colorScheme: opts.colorScheme ?? 'light' });
    const page = await context.newPage();
    const errors: string[] = [];
    page.on('pageerror', (err) => errors.push(err.message));
    await page.addInitScript(watchPage);
    if (opts.bridge) await page.addInitScript(installFakeBridge, formatInfos());
    await page.goto(`${origin}/${opts.hash ?? ''}`);
    return { page, errors };
  }

  it('desktop mode: the empty state says what to do and lists every supported format, under the CSP', async () => {
    const { page, errors } = await openPage({ bridge: true });
    const empty = page.getByTestId('empty-state');
    await empty.waitFor();
    expect(await empty.getByRole('heading', { level: 2 }).textContent()).toBe('No logs indexed yet');
    const text = (await empty.textContent()) ?? '';
    expect(text).toContain('Open Files…');
    expect(text).toContain('Open Folder…');
    expect(text).toContain('drop log files onto this window');
    const items = page.getByTestId('formats').locator('li');
    await expect.poll(() => items.count()).toBe(formatInfos().length);
    for (const f of formatInfos()) expect(await page.getByTestId('formats').textContent()).toContain(f.label);
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('desktop mode: a typed path is indexed, progress shows, and Cancel cancels that job', async () => {
    const { page, errors } = await openPage({ bridge: true });
    await page.getByLabel('Log file or folder').fill('/var/log/proftpd');
    await page.getByRole('button', { name: 'Index', exact: true }).click();
    await page.evaluate(() => {
      const emit = window.__emit;
      emit('index/started', { jobId: 'job-1', paths: ['/var/log/proftpd'] });
      emit('index/progress', { jobId: 'job-1', file: '/var/log/proftpd/xferlog', filesDone: 0, filesTotal: 2, bytesDone: 50, bytesTotal: 200 });
    });
    const job = page.getByRole('region', { name: 'Indexing' });
    await job.waitFor();
    expect(await job.textContent()).toContain('/var/log/proftpd/xferlog');
    expect(await job.textContent()).toContain('file 1 of 2, 25 %');
    await job.getByRole('button', { name: 'Cancel' }).click();
    const calls = async () => page.evaluate(() => window.__calls);
    await expect.poll(async () => (await calls()).map((c) => c.method)).toContain('index/cancel');
    const all = await calls();
    expect(all.find((c) => c.method === 'index/open')?.input).toEqual({ paths: ['/var/log/proftpd'] });
    expect(all.find((c) => c.method === 'index/cancel')?.input).toEqual({ jobId: 'job-1' });
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('desktop mode: "Index and follow" indexes the typed path, then follows it', async () => {
    const { page, errors } = await openPage({ bridge: true });
    await page.getByLabel('Log file or folder').fill('/srv/live');
    await page.getByRole('button', { name: 'Index and follow' }).click();
    const calls = async () => (await page.evaluate(() => window.__calls)).filter((c) => c.method === 'index/open' || c.method === 'follow/start');
    await expect.poll(calls).toEqual([
      { method: 'index/open', input: { paths: ['/srv/live'] } },
      { method: 'follow/start', input: { paths: ['/srv/live'] } },
    ]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('browser mode: calls the HTTP API with the token from the URL, then removes it from the address bar', async () => {
    recorded.length = 0;
    const { page, errors } = await openPage({ bridge: false, hash: `#token=${TOKEN}` });
    await page.getByTestId('empty-state').waitFor();
    expect(await page.getByTestId('empty-state').textContent()).toContain('xferlens serve');
    await expect.poll(() => page.getByTestId('formats').locator('li').count()).toBe(formatInfos().length);
    expect(new URL(page.url()).hash).toBe('');
    expect(recorded.map((r) => r.method).sort()).toEqual(['app/info', 'app/status', 'db/stats', 'follow/status', 'formats/list', 'query/schema', 'settings/get', 'sources/list']);
    expect(recorded.every((r) => r.authorization === `Bearer ${TOKEN}` && r.reply === 'envelope' && r.body === null)).toBe(true);
    expect(await page.evaluate(() => window.__violations)).toEqual([]);
    expect(errors).toEqual([]);
    await page.context().close();
  });

  it('browser mode without a token says where to find it', async () => {
    const { page } = await openPage({ bridge: false });
    const alert = page.getByRole('alert');
    await alert.waitFor();
    expect(await alert.textContent()).toContain('xferlens serve');
    await page.context().close();
  });

  it('follows the OS theme: light and dark backgrounds differ', async () => {
    const background = async (colorScheme: 'light' | 'dark') => {
      const { page } = await openPage({ bridge: true, colorScheme });
      await page.getByTestId('empty-state').waitFor();
      const bg = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
      await page.context().close();
      return bg;
    };
    expect(await background('light')).toBe('rgb(247, 248, 250)');
    expect(await background('dark')).toBe('rgb(22, 24, 29)');
  });
});
