import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/store/db.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { computeInsights, queryValue } from '../../src-main/core/analysis/insights.js';
import { countRows } from '../../src-main/core/query/index.js';
import { cliJson, REPO, runCli, tempDir, writeLines } from '../helpers.js';
import { generateEftW3c } from '../bench/generate.js';

let dir: string;
let dbFile: string;
beforeEach(() => {
  dir = tempDir();
  dbFile = path.join(dir, 'index.sqlite');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const HEADER = ['#Version: 1.0', '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port'];
const t = (min: number, sec = 0) => `2026-03-02 ${String(8 + Math.floor(min / 60)).padStart(2, '0')}:${String(min % 60).padStart(2, '0')}:${String(sec).padStart(2, '0')}`;

/** A day on an EFT server: regular partners, a brute-force run, an account tried from many IPs, a file that keeps failing. */
function eftDay(): string[] {
  const lines = [...HEADER];
  let n = 0;
  const session = (min: number, ip: string, user: string, ok: boolean, commands: string[] = []) => {
    n++;
    lines.push(`${t(min)} ${ip} - ${user} [${n}]user ${user} - 331 - - - 21`);
    lines.push(`${t(min, 1)} ${ip} - ${user} [${n}]pass ******* - ${ok ? 230 : 530} - - - 21`);
    commands.forEach((c, i) => lines.push(`${t(min, 2 + i)} ${ip} - ${user} [${n}]${c}`));
    lines.push(`${t(min, 30)} ${ip} - ${user} [${n}]quit - - 221 - - - 21`);
  };
  session(0, '10.0.0.5', 'partner1', true, ['created /in/big.zip - 226 - 50000000 - 21', 'sent /out/report.pdf - 226 1200 - - 21']);
  // Brute force: 6 failed logins from one IP within 6 minutes, several user names.
  for (let i = 0; i < 6; i++) session(10 + i, '203.0.113.7', ['admin', 'root', 'test'][i % 3]!, false);
  // The admin account tried from three more IPs, far apart (no burst).
  for (const [i, ip] of ['198.51.100.1', '198.51.100.2', '198.51.100.3'].entries()) session(60 + i * 30, ip, 'admin', false);
  // A file that fails again and again.
  for (let i = 0; i < 4; i++) session(200 + i * 5, '10.0.0.5', 'partner1', true, ['sent /out/missing.csv - 550 - - - 21']);
  // partner1 from a new place, late in the day.
  session(600, '192.0.2.44', 'partner1', true, ['sent /out/report.pdf - 226 1200 - - 21']);
  return lines;
}

describe('insights', () => {
  it('finds the burst, the attacked account, the new client, the largest and the repeatedly failing transfers', async () => {
    writeLines(path.join(dir, 'u_ex260302.log'), eftDay());
    const db = openDatabase(dbFile);
    await indexPaths(db, [dir], { timeZone: 'UTC' });
    const list = computeInsights(db, { newClientDays: 0.25 });
    // Every finding's query is valid and opens its rows in the browse view.
    for (const f of list.flatMap((i) => i.findings)) expect(countRows(db, f.kind, f.query), f.query).toBeGreaterThan(0);
    const insights = Object.fromEntries(list.map((i) => [i.id, i]));
    expect(countRows(db, 'events', insights['failed-login-bursts']!.findings[0]!.query)).toBe(6);
    expect(countRows(db, 'transfers', insights['repeated-failures']!.findings[0]!.query)).toBe(4);
    expect(countRows(db, 'sessions', insights['never-logged-in']!.findings[0]!.query)).toBe(6);
    db.close();

    const burst = insights['failed-login-bursts']!;
    expect(burst.findings).toHaveLength(1);
    expect(burst.findings[0]).toMatchObject({ count: 6, kind: 'events' });
    expect(burst.findings[0]!.label).toMatch(/^203\.0\.113\.7: 6 failed logins in 5 min \(admin, root, test\)$/);
    expect(burst.findings[0]!.query).toBe('ip:203.0.113.7 dir:login status:failed after:2026-03-02T08:10:01Z before:2026-03-02T08:15:02Z');

    expect(insights['attacked-accounts']!.findings.map((f) => [f.label, f.count])).toEqual([['admin: 5 failed logins from 4 IPs', 4]]);
    expect(insights['new-clients']!.findings.map((f) => f.query)).toEqual(['user:partner1 ip:192.0.2.44']);
    expect(insights['largest-transfers']!.findings[0]).toMatchObject({ count: 50_000_000, query: 'dir:upload path:/in/big.zip user:partner1' });
    expect(insights['repeated-failures']!.findings.map((f) => [f.label, f.query])).toEqual([
      ['download /out/missing.csv: failed 4 times (1 user)', 'dir:download path:/out/missing.csv status:failed'],
    ]);
    expect(insights['never-logged-in']!.findings.map((f) => [f.label.split(':')[0], f.count])).toEqual([
      ['203.0.113.7', 6], ['198.51.100.1', 1], ['198.51.100.2', 1], ['198.51.100.3', 1],
    ]);
  });

  it('counts one attempt once when several ProFTPD logs record it', async () => {
    const db = openDatabase(dbFile);
    await indexPaths(db, [path.resolve('test/fixtures/proftpd/logs')], { timeZone: 'UTC' });
    const attacked = computeInsights(db, { attackIps: 1, burstFailures: 2, burstMinutes: 10 });
    db.close();
    // 4 failed logins (bob twice, mallory, eve) from 127.0.0.1, each written to 3 or 4 logs.
    expect(attacked.find((i) => i.id === 'failed-login-bursts')!.findings[0]).toMatchObject({ count: 4 });
    expect(attacked.find((i) => i.id === 'attacked-accounts')!.findings.map((f) => f.label).sort()).toEqual([
      'bob: 2 failed logins from 1 IPs', 'eve: 1 failed logins from 1 IPs', 'mallory: 1 failed logins from 1 IPs',
    ]);
  });

  it('gives the largest transfers through the rollup exactly as reading every transfer does', async () => {
    const day = Date.UTC(2026, 2, 1);
    await generateEftW3c(path.join(dir, 'u_ex260301.log'), { lines: 20_000, seed: 4, startMs: day });
    // Uploads of one size in several minutes: ties broken by the latest first, across the minutes.
    const same = [...HEADER, ...[3, 7, 7, 12, 30].map((min, i) => `${t(min, i)} 10.0.0.9 - tie [9${i}]created /in/same${i}.bin - 226 - 777777777 - 21`)];
    writeLines(path.join(dir, 'u_ex260302.log'), same);
    const db = openDatabase(dbFile);
    await indexPaths(db, [dir, path.resolve('test/fixtures/proftpd/logs')], { timeZone: 'UTC' });
    const largest = (opts: { top: number; from?: number; to?: number }) => computeInsights(db, { ids: ['largest-transfers'], ...opts })[0]!.findings;
    const cases = [{ top: 1 }, { top: 3 }, { top: 10 }, { top: 200 }, { top: 10, from: day + 3_600_000 + 1234, to: day + 7_200_000 - 1 },
      { top: 5, from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 3) }, { top: 3, from: Date.UTC(2026, 2, 2), to: Date.UTC(2026, 2, 3) }];
    const viaRollup = cases.map(largest);
    expect(viaRollup[5]!.map((f) => f.query)).toEqual([4, 3, 2, 1, 0].map((i) => `dir:upload path:/in/same${i}.bin user:tie`));
    expect(viaRollup[6]).toEqual(viaRollup[5]!.slice(0, 3));
    expect(viaRollup[3]!.length).toBe(200);
    db.prepare("UPDATE meta SET value = '1' WHERE key = 'rollup_dirty'").run(); // stale: every transfer is read
    expect(cases.map(largest)).toEqual(viaRollup);
    db.close();
  }, 60_000);

  it('read by a worker are the insights read here (the API and big reports read them so)', async () => {
    writeLines(path.join(dir, 'u_ex260302.log'), eftDay());
    const db = openDatabase(dbFile);
    await indexPaths(db, [dir, path.resolve('test/fixtures/proftpd/logs')], { timeZone: 'UTC' });
    db.close();
    // The worker is compiled JavaScript: the modules are loaded from dist here.
    const dist = (p: string) => pathToFileURL(path.join(REPO, 'dist', 'src-main', 'core', p)).href;
    const thread = (await import(dist('analysis/insights-thread.js'))) as typeof import('../../src-main/core/analysis/insights-thread.js');
    const store = (await import(dist('store/db.js'))) as typeof import('../../src-main/core/store/db.js');
    const d = store.openDatabase(dbFile, { readonly: true });
    try {
      expect(thread.insightsThreadAvailable(d)).toBe(true);
      for (const opts of [{}, { newClientDays: 0.25, burstFailures: 2 }, { ids: ['largest-transfers', 'new-clients'] as const, from: Date.UTC(2026, 2, 2, 8), to: Date.UTC(2026, 2, 2, 12) }]) {
        const read = thread.insightsInThread(d, { ...opts, ids: opts.ids ? [...opts.ids] : undefined });
        try {
          const insights = await read.insights;
          expect(insights).toEqual(computeInsights(d, { ...opts, ids: opts.ids ? [...opts.ids] : undefined }));
          expect(insights.some((i) => i.findings.length)).toBe(true);
        } finally {
          await read.stop();
        }
      }
      const cancelled = new AbortController();
      cancelled.abort(new Error('cancelled'));
      expect(() => thread.insightsInThread(d, {}, { signal: cancelled.signal })).toThrow('cancelled');
    } finally {
      d.close();
    }
  });

  it('quotes values that the search language would split', () => {
    expect(queryValue('10.0.0.1')).toBe('10.0.0.1');
    expect(queryValue('/in/a b.txt')).toBe('"/in/a b.txt"');
    expect(queryValue('say "hi"')).toBe('"say \\"hi\\""');
    expect(queryValue('OR')).toBe('"OR"');
  });

  it('xferlens insights prints them and --json gives the same', async () => {
    writeLines(path.join(dir, 'u_ex260302.log'), eftDay());
    expect(runCli(['index', '--db', dbFile, dir]).status).toBe(0);
    const json = cliJson(['insights', '--db', dbFile, '--burst', '3/5']);
    expect(json.map((i: any) => i.id)).toEqual(['failed-login-bursts', 'attacked-accounts', 'new-clients', 'largest-transfers', 'repeated-failures', 'never-logged-in']);
    const text = runCli(['insights', '--db', dbFile]);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('Failed-login bursts [critical]');
    expect(text.stdout).toContain("open: xferlens search 'ip:203.0.113.7 dir:login status:failed");
    expect(runCli(['insights', '--db', dbFile, '--burst', 'lots']).status).toBe(2);
  });
});
