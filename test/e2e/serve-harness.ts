/**
 * For browser tests against the real thing: `xferlens serve` (the built CLI) on a fresh database,
 * and Debian's Chromium driven by playwright-core. Screenshots go to test-results/screenshots/
 * (gitignored) for people to look at.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { CLI, REPO } from '../helpers.js';

export const CHROMIUM = [process.env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].find((p): p is string => !!p && fs.existsSync(p));

/** Why browser tests against `serve` cannot run here, or null. */
export const serveSkipReason: string | null = !CHROMIUM
  ? 'no Chromium installed (apt-get install chromium, or set CHROMIUM_PATH)'
  : !fs.existsSync(path.join(REPO, 'dist', 'renderer', 'index.html')) || !fs.existsSync(path.join(REPO, 'dist', 'src-main', 'cli', 'commands', 'serve.js'))
    ? 'the app is not built (npm run build)'
    : null;

export const SCREENSHOTS = path.join(REPO, 'test-results', 'screenshots');

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM!, args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking'] });
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: path.join(SCREENSHOTS, `${name}.png`) });
}

export interface Served {
  /** The address `serve` printed, token included (`http://127.0.0.1:PORT/#token=…`). */
  url: string;
  origin: string;
  token: string;
  /** Calls the HTTP API as the page does. */
  call<T = unknown>(method: string, input?: unknown): Promise<T>;
  /** What it wrote on stderr so far. */
  stderr(): string;
  stop(): Promise<void>;
}

/** Starts `xferlens serve --port 0` on `db` and waits for the address it prints. */
export async function startServe(db: string, extraArgs: string[] = [], opts: { env?: NodeJS.ProcessEnv } = {}): Promise<Served> {
  // No system proftpd.conf unless a test gives one: the fixtures read the same on every machine.
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--db', db, '--port', '0', ...extraArgs], {
    cwd: REPO,
    env: { ...process.env, XFERLENS_PROFTPD_CONF: '', ...opts.env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
  const url = await new Promise<string>((resolve, reject) => {
    let out = '';
    const timer = setTimeout(() => reject(new Error(`serve printed no address in 20 s; stderr: ${stderr}`)), 20_000);
    child.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = /^(http:\/\/\S+#token=\S+)\n/.exec(out);
      if (line) {
        clearTimeout(timer);
        resolve(line[1]!);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`serve exited with ${code}: ${stderr}`));
    });
  });
  const parsed = new URL(url);
  const token = new URLSearchParams(parsed.hash.slice(1)).get('token')!;
  const origin = parsed.origin;
  return {
    url,
    origin,
    token,
    async call<T>(method: string, input: unknown = null): Promise<T> {
      const res = await fetch(`${origin}/api/${method}`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
        body: JSON.stringify(input),
      });
      const body = (await res.json()) as T & { error?: string };
      if (!res.ok) throw new Error(`${method}: ${res.status} ${body.error}`);
      return body;
    },
    stderr: () => stderr,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
