/**
 * The first questions an EFT admin asks of test/fixtures/eft/u_ex261124.log (real EFT W3C shape:
 * FTP on 21, HTTPS on 443, PASS logged as `*******`): why did a login fail, what does a code mean.
 * A reason comes from the reply code and the server's words, never from PASS's masked argument, and
 * a code is explained from the table of what it answers (EFT writes HTTPS with FTP verbs and codes).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { computeInsights } from '../../src-main/core/analysis/insights.js';
import { explainCode } from '../../src-main/core/explain/index.js';
import { prepareExport } from '../../src-main/core/export/query-export.js';
import { downloadRequest } from '../../src-main/cli/serve/http-server.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { countRows, queryHints, queryPage, timeSpan } from '../../src-main/core/query/index.js';
import { REPO, runCli } from '../helpers.js';
import { tempDatabasePerTest } from '../temp-db.js';

const EFT_LOG = path.join(REPO, 'test', 'fixtures', 'eft', 'u_ex261124.log');
const t = tempDatabasePerTest();

const sessions = (query = '') => queryPage(t.db, { kind: 'sessions', query, limit: 100 }).rows;

describe('EFT failed logins and their codes', () => {
  it('a failed login has no reason made of the masked password; its 530 is an FTP reply, HTTPS too', async () => {
    await indexPaths(t.db, [EFT_LOG], { timeZone: 'UTC' });
    const failed = sessions('status:failed dir:login');
    expect(failed.filter((s) => s.login === 'failed')).toHaveLength(15);
    for (const s of failed) {
      expect(s.login_reason === null || !/^\*+$/.test(String(s.login_reason))).toBe(true);
      if (s.login === 'failed') expect(s.explanation).toBe('530 Not logged in');
    }
    const https = failed.find((s) => s.protocol === 'https' && s.login === 'failed')!;
    expect(https).toMatchObject({ user: 'dave', login: 'failed', login_code: '530', login_reason: null, explanation: '530 Not logged in' });
  });

  it('HTTPS transfers logged with FTP verbs read their codes from the FTP table, in pages and exports', async () => {
    await indexPaths(t.db, [EFT_LOG], { timeZone: 'UTC' });
    const rows = queryPage(t.db, { kind: 'transfers', query: 'proto:https', limit: 10 }).rows;
    expect(rows.map((r) => [r.code, r.explanation])).toEqual([
      ['550', '550 File unavailable (not found, no access)'],
      ['226', '226 Transfer complete, closing data connection'],
    ]);
    const csv = runCli(['export', '--db', t.file, '--kind', 'transfers', '--query', 'proto:https', '--columns', 'code,explanation', '--out', '-']);
    expect(csv.stdout).toContain('226,"226 Transfer complete, closing data connection"');
    expect(csv.stdout).not.toMatch(/226,.*Success/);
  });

  it('the detail pane explains a session login code and a transfer code as a login and a transfer reply', () => {
    expect(explainCode('530', { protocol: 'https', format: 'w3c', answers: 'login' })[0]).toMatchObject({ table: 'ftp', title: 'Not logged in' });
    expect(explainCode('226', { protocol: 'https', format: 'w3c', answers: 'transfer' })[0]).toMatchObject({ table: 'ftp' });
    // A web server's log (CLF) answers in HTTP statuses; someone asking about HTTPS gets HTTP.
    expect(explainCode('404', { protocol: 'https', format: 'clf', answers: 'transfer' })[0]).toMatchObject({ table: 'http' });
    expect(explainCode('530', { protocol: 'https' })[0]).toMatchObject({ table: 'http' });
  });

  it('a database written before the fix (reason "*******") shows no such reason', async () => {
    await indexPaths(t.db, [EFT_LOG], { timeZone: 'UTC' });
    t.db.prepare("UPDATE sessions SET login_reason = '*******' WHERE login = 'failed'").run();
    for (const s of sessions('status:failed')) expect(s.login_reason).not.toBe('*******');
    const shown = runCli(['sessions', '--db', t.file, '--json', 'user:dave']);
    expect(JSON.parse(shown.stdout).rows[0]).toMatchObject({ login_reason: null, explanation: '530 Not logged in' });
  });

  it('searches that find too little say what finds more: an operation word, a path with a space or a +, a time past the data', async () => {
    await indexPaths(t.db, [EFT_LOG], { timeZone: 'UTC' });
    const hint = (kind: 'events' | 'sessions' | 'transfers', q: string) => queryHints(t.db, kind, q, countRows(t.db, kind, q));
    expect(countRows(t.db, 'events', 'failed login')).toBe(0);
    expect(hint('events', 'failed login')[0]).toMatchObject({ query: 'failed dir:login', count: 15, text: 'did you mean failed dir:login?' });
    expect(hint('sessions', 'login failed')[0]).toMatchObject({ query: 'dir:login failed' });
    expect(hint('transfers', 'path:/in/Q4 report.csv')[0]).toMatchObject({ query: 'path:"/in/Q4 report.csv"', count: 1 });
    expect(hint('transfers', 'path:/in/Q4+report.csv')[0]).toMatchObject({ query: 'path:"/in/Q4 report.csv"', count: 1 });
    // Last month's logs searched for the last 24 hours: where the rows are, and the search without the filter.
    expect(hint('events', 'user:dave after:24h')).toEqual([
      expect.objectContaining({ query: 'user:dave', count: 2, from: Date.UTC(2026, 10, 24, 19, 50, 0), to: Date.UTC(2026, 10, 24, 19, 50, 1) }),
    ]);
    // Enough rows: no hint.
    expect(hint('events', 'dir:login')).toEqual([]);
    const cli = runCli(['search', '--db', t.file, 'failed login']);
    expect(cli.stdout).toBe('no matching events\n');
    expect(cli.stderr).toContain('hint: did you mean failed dir:login?: 15 events with "failed dir:login"');
  });

  it('insights say sizes as every other view does, and the span of a search is where its rows are', async () => {
    await indexPaths(t.db, [EFT_LOG], { timeZone: 'UTC' });
    const largest = computeInsights(t.db, { ids: ['largest-transfers'] })[0]!;
    expect(largest.countUnit).toBe('bytes');
    expect(largest.findings[0]!.label).toBe('upload /in/Q4 report.csv by erin: 47.7 MB');
    // The Insights view covers the current search's span (query/span), e.g. the HTTPS sessions' hour.
    const span = timeSpan(t.db, 'events', 'proto:https')!;
    expect(span).toEqual({ first: Date.UTC(2026, 10, 24, 19, 50, 0), last: Date.UTC(2026, 10, 24, 20, 0, 12) });
    const bursts = computeInsights(t.db, { ids: ['failed-login-bursts'], from: span.first, to: span.last })[0]!;
    expect(bursts.findings).toEqual([]); // the 19:14 burst is outside it
    expect(computeInsights(t.db, { ids: ['failed-login-bursts'] })[0]!.findings[0]!.label).toMatch(/^203\.0\.113\.9: 14 failed logins/);
  });

  it("exports as the table shows it: column labels, times in the table's zone named in the header", async () => {
    await indexPaths(t.db, [EFT_LOG], { timeZone: 'UTC' });
    const out = path.join(t.dir, 'shown.csv');
    await prepareExport(t.db, { kind: 'transfers', query: 'proto:https', format: 'csv', columns: ['ts', 'client_ip', 'status', 'rate_bps'], asShown: true, timeZone: 'Europe/Paris' }).write(out);
    expect(fs.readFileSync(out, 'utf8')).toBe('Time (Europe/Paris),Client IP,Status,Rate (B/s)\n2026-11-24T21:00:12.000+01:00,10.0.0.7,failed,\n2026-11-24T21:00:09.000+01:00,10.0.0.7,success,\n');
    // Without it, as before: ids and UTC (the CLI and scripts rely on them).
    await prepareExport(t.db, { kind: 'transfers', query: 'proto:https', format: 'csv', columns: ['ts', 'client_ip'], timeZone: 'Europe/Paris' }).write(out);
    expect(fs.readFileSync(out, 'utf8').split('\n')[0]).toBe('ts,client_ip');
    // The page names a download; a name that could reach a header or a path is refused.
    expect(downloadRequest({ kind: 'events', fileName: 'xferlens-events-user-dave.csv', asShown: '1' })).toMatchObject({ fileName: 'xferlens-events-user-dave.csv', asShown: true });
    for (const fileName of ['../x.csv', 'a"b.csv', 'x.exe', 'caf\u00e9.csv']) expect(() => downloadRequest({ kind: 'events', fileName })).toThrow(/fileName/);
  });
});
