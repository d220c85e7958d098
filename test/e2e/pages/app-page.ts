/**
 * The xferlens window as a user sees it: the search bar with its result count, the view tabs and
 * the status bar. Views have their own page objects (grid-page.ts, …).
 */
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { GridPage, type Kind } from './grid-page.js';

/** Runs in the page before its scripts: records CSP violations, dialogs and an XSS marker. */
const WATCH_PAGE = `
  window.__violations = [];
  document.addEventListener('securitypolicyviolation', (e) => window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));
`;

/** Runs in the page before its scripts: notifications allowed, and recorded instead of shown. */
const ALLOW_NOTIFICATIONS = `
  window.__notifications = [];
  window.Notification = class {
    static permission = 'granted';
    static requestPermission = async () => 'granted';
    constructor(title, options) { window.__notifications.push({ title, body: options && options.body }); }
  };
`;

export type ViewName = 'Events' | 'Sessions' | 'Transfers' | 'Charts' | 'Insights' | 'Sources';

export class AppPage {
  /** Uncaught errors of the page and dialogs it tried to open (alert(), confirm()…). */
  readonly errors: string[] = [];
  readonly dialogs: string[] = [];
  /** Errors and warnings the browser console showed, and resources the page asked for in vain. */
  readonly console: string[] = [];

  private constructor(readonly page: Page) {
    page.on('pageerror', (err) => this.errors.push(err.message));
    page.on('console', (msg) => {
      if (msg.type() === 'error' || msg.type() === 'warning') this.console.push(`${msg.type()}: ${msg.text()} (${new URL(msg.location().url || 'about:blank').pathname})`);
    });
    page.on('response', (res) => {
      if (res.status() === 404) this.console.push(`404: ${new URL(res.url()).pathname}`);
    });
    page.on('dialog', (dialog) => {
      this.dialogs.push(`${dialog.type()}: ${dialog.message()}`);
      void dialog.dismiss();
    });
  }

  /** `allowNotifications`: the page may notify, and its notifications are recorded (`notifications()`). */
  static async open(browser: Browser, url: string, opts: { colorScheme?: 'light' | 'dark'; allowNotifications?: boolean } = {}): Promise<AppPage> {
    const context: BrowserContext = await browser.newContext({ viewport: { width: 1400, height: 860 }, colorScheme: opts.colorScheme ?? 'light', acceptDownloads: true });
    const page = await context.newPage();
    await page.addInitScript(WATCH_PAGE);
    if (opts.allowNotifications) await page.addInitScript(ALLOW_NOTIFICATIONS);
    const app = new AppPage(page);
    await page.goto(url);
    return app;
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }

  get searchBox(): Locator {
    return this.page.getByRole('combobox', { name: 'Search' });
  }

  get queryError(): Locator {
    return this.page.getByTestId('query-error');
  }

  get emptyState(): Locator {
    return this.page.getByTestId('empty-state');
  }

  /** Runs a search (as typed, then Enter). */
  async search(query: string): Promise<void> {
    await this.searchBox.fill(query);
    await this.searchBox.press('Enter');
  }

  async query(): Promise<string> {
    return this.searchBox.inputValue();
  }

  /** The result count shown next to the search, or null while counting or after an error. */
  async resultCount(): Promise<number | null> {
    const text = (await this.page.getByTestId('result-count').textContent()) ?? '';
    const m = /^\s*([\d,.\s  ]+)\s+(events?|sessions?|transfers?)\b/.exec(text);
    return m ? Number(m[1]!.replace(/\D/g, '')) : null;
  }

  /** Waits until the shown count is `expected` (counts arrive asynchronously). */
  async waitForCount(expected: number | ((n: number) => boolean), timeout = 10_000): Promise<number> {
    const ok = typeof expected === 'number' ? (n: number) => n === expected : expected;
    const deadline = Date.now() + timeout;
    let last: number | null = null;
    while (Date.now() < deadline) {
      last = await this.resultCount();
      if (last !== null && ok(last)) return last;
      await this.page.waitForTimeout(50);
    }
    throw new Error(`result count stayed ${last}`);
  }

  /** The status bar's follow indicator ("Following: 1 path…", "Following paused: …"). */
  get followStatus(): Locator {
    return this.page.getByTestId('follow-status');
  }

  /** The status bar's global Pause / Resume of following. */
  async toggleFollowPause(): Promise<void> {
    await this.followStatus.getByRole('button').click();
  }

  async tab(name: ViewName): Promise<void> {
    await this.page.getByRole('tab', { name }).click();
    await this.page.getByTestId(`view-${name.toLowerCase()}`).waitFor();
  }

  grid(kind: Kind): GridPage {
    return new GridPage(this.page, kind);
  }

  /** Notifications shown, in a page opened with `allowNotifications`. */
  notifications(): Promise<{ title: string; body: string }[]> {
    return this.page.evaluate('window.__notifications') as Promise<{ title: string; body: string }[]>;
  }

  /** The in-page notice of a live insight (when the browser may not notify). */
  get liveInsight(): Locator {
    return this.page.getByTestId('live-insight');
  }

  /** CSP violations seen since the page loaded. */
  violations(): Promise<string[]> {
    return this.page.evaluate('window.__violations') as Promise<string[]>;
  }
}
