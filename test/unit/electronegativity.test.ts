/**
 * Issue 7: @doyensec/electronegativity over the built app (main process, preload, renderer) finds
 * nothing of high severity. The findings below it that remain are reviewed and accepted here.
 *
 * Why two runs and no CSV: the tool writes its CSV header and rows with two unsynchronised async
 * writes, so the header can overwrite the first row (seen in CI) or truncate them all. Its SARIF is
 * one write but carries no severity, so the complete list of findings comes from SARIF and the
 * severity from the console report filtered to `--severity high`.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, describe, expect, it } from 'vitest';
import { REPO, tempDir } from '../helpers.js';

/** Reviewed findings: [check, why it is acceptable]. */
const ACCEPTED: Record<string, string> = {
  // LOW. The renderer's CSP is strict (default-src 'none'; script-src 'self' …); the tool flags every
  // CSP for review, and cannot parse the one security.ts sets as a header from a constant.
  CSP_GLOBAL_CHECK: 'strict CSP, reviewed',
  // MEDIUM. shell.openExternal is only reached through security.ts's allowlist of https origins.
  OPEN_EXTERNAL_JS_CHECK: 'allowlisted in security.ts (openExternalIfAllowed)',
  // The preload is our own sandboxed CommonJS bridge exposing only the typed API.
  PRELOAD_JS_CHECK: 'our own minimal preload',
};

const run = promisify(execFile);
const dir = tempDir('xferlens-electronegativity-');
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('electronegativity', () => {
  it('finds nothing of high severity in the built app, and only reviewed findings below that', async () => {
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.cpSync(path.join(REPO, 'dist', 'src-main', 'electron'), path.join(app, 'electron'), { recursive: true });
    fs.cpSync(path.join(REPO, 'dist', 'renderer'), path.join(app, 'renderer'), { recursive: true });
    fs.copyFileSync(path.join(REPO, 'package.json'), path.join(app, 'package.json'));
    const bin = path.join(REPO, 'node_modules', '@doyensec', 'electronegativity', 'dist', 'index.js');
    const electron = (JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'electron', 'package.json'), 'utf8')) as { version: string }).version;
    const common = [bin, '-i', app, '-r', '-e', electron];
    const options = { encoding: 'utf8' as const, timeout: 120_000, env: { ...process.env, LANG: 'en-US', NO_COLOR: '1' } };
    const sarif = path.join(dir, 'report.sarif');
    const [, high] = await Promise.all([
      run(process.execPath, [...common, '-v', 'false', '-o', sarif], options),
      run(process.execPath, [...common, '-s', 'high'], options),
    ]);

    const report = JSON.parse(fs.readFileSync(sarif, 'utf8')) as { runs: { results: { ruleId: string }[] }[] };
    const checks = report.runs.flatMap((r) => r.results.map((f) => f.ruleId));
    // The scan ran: the header CSP set in security.ts is always reported for review.
    expect(checks).toContain('CSP_GLOBAL_CHECK');
    expect(checks.filter((c) => !(c in ACCEPTED))).toEqual([]);
    expect(high.stdout).toContain('No issues were found.');
  });
});
