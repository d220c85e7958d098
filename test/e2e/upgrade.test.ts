/**
 * `xferlens serve` on a database written by an older release (test/fixtures/db/schema4.sqlite):
 * it answers at once, prints the CLI's upgrade lines, and the page shows the upgrade's step until
 * the writer is ready, then the app, which finds every old line. The upgrade is held at its first
 * step without any timing: this test holds the database's write lock (the writer reports step 1,
 * then waits for the lock, XFERLENS_BUSY_TIMEOUT_MS being long), and lets go once it has looked.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { REPO, tempDir } from '../helpers.js';
import { AppPage } from './pages/app-page.js';
import { launchChromium, screenshot, serveSkipReason, startServe, type Served } from './serve-harness.js';

if (serveSkipReason) console.warn(`upgrade e2e skipped: ${serveSkipReason}`);

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'db', 'schema4.sqlite');
const STEPS = SCHEMA_VERSION - 4;

describe.skipIf(serveSkipReason !== null)('serve on a database of schema 4', () => {
  const dir = tempDir('xferlens-upgrade-e2e-');
  const file = path.join(dir, 'old.sqlite');
  let lock: Database.Database | null = null;
  let lines: number;
  let alice: number;
  let served: Served;
  let browser: Browser;
  let app: AppPage;

  beforeAll(async () => {
    fs.copyFileSync(FIXTURE, file);
    lock = new Database(file);
    lines = (lock.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;
    alice = (lock.prepare(`SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH '"alice"'`).get() as { n: number }).n;
    // WAL (as xferlens writes it), so that the writer reads while this connection holds the write lock.
    lock.pragma('journal_mode = WAL');
    lock.exec('BEGIN IMMEDIATE');
    served = await startServe(file, [], { env: { XFERLENS_BUSY_TIMEOUT_MS: '600000', XFERLENS_QUIET_SLOW: '1' } });
    browser = await launchChromium();
  });
  afterAll(async () => {
    lock?.close();
    await app?.close();
    await browser?.close();
    await served?.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('answers while it upgrades: app/status says the step, stderr the CLI line, every other route 503', async () => {
    expect(await served.call('app/status')).toEqual({ state: 'upgrading', from: 4, to: SCHEMA_VERSION, step: 1, steps: STEPS });
    await expect.poll(() => served.stderr()).toContain(`xferlens: upgrading ${file} from schema 4 to ${SCHEMA_VERSION} (a big database takes minutes`);
    expect(served.stderr()).not.toContain('upgraded in');
    const post = (route: string, body: unknown) =>
      fetch(`${served.origin}/api/${route}`, { method: 'POST', headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${served.token}` }, body: JSON.stringify(body) });
    const stats = await post('db/stats', null);
    expect(stats.status).toBe(503);
    expect(((await stats.json()) as { error: string }).error).toBe(`db/stats: the database is being upgraded from schema 4 to ${SCHEMA_VERSION} (step 1 of ${STEPS}); try again when it is done (app/status says when)`);
    // A download reads the database too: refused the same way (its ticket is used up).
    const ticket = (await (await post('export/ticket', { kind: 'events' })).json()) as { url: string };
    const download = await fetch(`${served.origin}${ticket.url}`);
    expect(download.status).toBe(503);
    expect(((await download.json()) as { error: string }).error).toMatch(/^export\/download: the database is being upgraded/);
    // Still the token on app/status.
    const anonymous = await fetch(`${served.origin}/api/app/status`, { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: 'null' });
    expect(anonymous.status).toBe(401);
  });

  it('the page shows the upgrade and its step instead of the app', async () => {
    app = await AppPage.open(browser, served.url);
    const startup = app.page.getByTestId('startup');
    await startup.waitFor();
    expect(await startup.getByRole('status').textContent()).toBe(`Upgrading the database from schema 4 to ${SCHEMA_VERSION} (step 1 of ${STEPS})…`);
    expect(await startup.textContent()).toContain('nothing is lost if xferlens is stopped');
    expect(await app.searchBox.count()).toBe(0);
    await screenshot(app.page, 'upgrade-in-progress');
  });

  it('once the upgrade is done the page is the app, and finds every old line', async () => {
    lock!.exec('ROLLBACK');
    lock!.close();
    lock = null;
    await app.searchBox.waitFor({ timeout: 60_000 });
    expect(await app.page.getByTestId('startup').count()).toBe(0);
    await app.waitForCount(lines);
    await app.search('alice');
    await app.waitForCount(alice);
    expect(alice).toBeGreaterThan(0);
    await screenshot(app.page, 'upgrade-done');
    expect(await served.call('app/status')).toEqual({ state: 'ready' });
    const stderr = served.stderr();
    const at = (text: string) => stderr.indexOf(text);
    expect(at('xferlens: upgrading')).toBeGreaterThanOrEqual(0);
    expect(stderr).toMatch(/xferlens: upgraded in \d+\.\d s\n/);
    expect(at('xferlens: upgrading')).toBeLessThan(at('xferlens: upgraded in'));
    expect(at('xferlens: upgraded in')).toBeLessThan(at('xferlens: serving'));
    expect(app.errors).toEqual([]);
    expect(await app.violations()).toEqual([]);
  });
});
