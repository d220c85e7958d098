/**
 * PDF from a report's HTML, printed by Chromium: the CLI and browser mode drive an installed
 * Chromium (or Chrome, Edge) through playwright-core; the desktop app prints with Electron's own
 * (electron/print-pdf.ts). Paper is A4 or Letter; margins, page numbers and repeated table headers
 * come from the document's print style, so a PDF and the HTML printed from a browser look alike.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { PaperSize } from './report-types.js';

/** Prints a report's HTML to PDF bytes. */
export type PdfPrinter = (html: string, opts: { paper: PaperSize }) => Promise<Buffer>;

/** No Chromium to print with: the message says what to install or set. */
export class NoChromiumError extends Error {
  constructor(detail: string) {
    super(`a PDF report needs Chromium, Google Chrome or Microsoft Edge, ${detail}: install one (Debian/Ubuntu: apt-get install chromium) or name its program in XFERLENS_CHROMIUM; or make the report with --format html and print it from a browser`);
  }
}

const PROGRAMS = ['chromium', 'chromium-browser', 'google-chrome', 'google-chrome-stable', 'microsoft-edge', 'msedge', 'chrome'];

function fixedPlaces(env: NodeJS.ProcessEnv): string[] {
  if (process.platform === 'darwin') {
    return ['Chromium', 'Google Chrome', 'Microsoft Edge'].map((n) => `/Applications/${n}.app/Contents/MacOS/${n}`);
  }
  if (process.platform === 'win32') {
    const roots = [env.PROGRAMFILES, env['PROGRAMFILES(X86)'], env.LOCALAPPDATA].filter((r): r is string => !!r);
    return roots.flatMap((r) => [path.join(r, 'Google', 'Chrome', 'Application', 'chrome.exe'), path.join(r, 'Microsoft', 'Edge', 'Application', 'msedge.exe'), path.join(r, 'Chromium', 'Application', 'chrome.exe')]);
  }
  return [];
}

const isFile = (p: string) => {
  try {
    return fs.statSync(p).isFile();
  } catch {
    return false;
  }
};

/** The Chromium to print with: XFERLENS_CHROMIUM, else one on the PATH or in its usual place; null when none. */
export function findChromium(env: NodeJS.ProcessEnv = process.env): string | null {
  const named = env.XFERLENS_CHROMIUM;
  if (named) return isFile(named) ? named : null;
  const exe = process.platform === 'win32' ? '.exe' : '';
  for (const dir of (env.PATH ?? '').split(path.delimiter).filter(Boolean)) {
    for (const program of PROGRAMS) if (isFile(path.join(dir, program + exe))) return path.join(dir, program + exe);
  }
  return fixedPlaces(env).find(isFile) ?? null;
}

/**
 * A printer driving Chromium headless through playwright-core: JavaScript off, offline, every
 * request refused (the document needs none), one browser per report.
 */
export function chromiumPrinter(env: NodeJS.ProcessEnv = process.env): PdfPrinter {
  return async (html, { paper }) => {
    const executablePath = findChromium(env);
    if (!executablePath) throw new NoChromiumError(env.XFERLENS_CHROMIUM ? `but XFERLENS_CHROMIUM names no file (${env.XFERLENS_CHROMIUM})` : 'and none was found');
    let playwright: typeof import('playwright-core');
    try {
      playwright = await import('playwright-core');
    } catch {
      throw new NoChromiumError('driven by the playwright-core package, which is not installed (npm install playwright-core)');
    }
    // Chromium refuses its sandbox to root (containers, CI): without it, as its own docs say to.
    const rootless = typeof process.getuid === 'function' && process.getuid() === 0;
    const browser = await playwright.chromium.launch({
      executablePath,
      args: ['--disable-gpu', '--disable-background-networking', '--disable-extensions', ...(rootless ? ['--no-sandbox'] : [])],
    }).catch((err: unknown) => {
      throw new NoChromiumError(`but ${executablePath} did not start (${(err as Error).message.split('\n')[0]})`);
    });
    try {
      const context = await browser.newContext({ javaScriptEnabled: false, offline: true });
      const page = await context.newPage();
      await page.route('**/*', (route) => route.abort());
      await page.setContent(html, { waitUntil: 'load' });
      return await page.pdf({ format: paper === 'letter' ? 'Letter' : 'A4', printBackground: true, tagged: true, outline: true });
    } finally {
      await browser.close();
    }
  };
}

/** A temporary folder of this user's for a document on its way to a printer; removed by the callback's end. */
export async function withPrivateTempDir<T>(use: (dir: string) => Promise<T>): Promise<T> {
  const dir = await fs.promises.mkdtemp(path.join(os.tmpdir(), 'xferlens-report-'));
  try {
    return await use(dir);
  } finally {
    await fs.promises.rm(dir, { recursive: true, force: true });
  }
}
