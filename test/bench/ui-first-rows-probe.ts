/**
 * "First rows visible after opening a file" (issue target: ≤ 0.5 s, whatever the file's size): starts
 * `xferlens serve --allow-open` on an empty database, opens LOG in Chromium the way a user does and
 * measures, in the page, from the click on Index to the first event row painted in the events grid.
 * An empty database shows no tabs, only the "No logs indexed yet" form (the Sources view's open
 * field once something is indexed): the path goes there, and the Events view replaces the form as
 * soon as indexing starts. Indexing goes on meanwhile: the lines indexed by then are printed too.
 * Each run has its own fresh database and server; the median of the runs is the figure.
 *
 *   node dist/test/bench/ui-first-rows-probe.js LOG [RUNS]
 *
 * Prints JSON: { runs: [{ ms, linesIndexed }], medianMs, logLines } or { skipped: reason } when
 * Chromium (or the built app) is missing.
 */
import fs from 'node:fs';
import path from 'node:path';
import { tempDir } from '../helpers.js';
import { AppPage } from '../e2e/pages/app-page.js';
import { launchChromium, serveSkipReason, startServe } from '../e2e/serve-harness.js';

const [log, runsArg] = process.argv.slice(2);
if (!log) throw new Error('usage: ui-first-rows-probe LOG [RUNS]');
// Five: on two cores shared with Chromium a run lands anywhere in about ±150 ms (25 runs: 325–627 ms).
const runs = Number(runsArg ?? 5);

/**
 * Runs in the page before its scripts: the time of the open form's submit (the click on Index) and
 * of the first frame painted after an event row entered the events grid.
 */
const WATCH_FIRST_ROW = `
  window.__firstRow = new Promise((resolve) => {
    document.addEventListener('submit', () => (window.__openedAt ??= performance.now()), true);
    const seen = () => document.querySelector('[data-testid=grid-events] [role=row][id^="events-row-"]');
    new MutationObserver((_, observer) => {
      if (window.__openedAt === undefined || !seen()) return;
      observer.disconnect();
      requestAnimationFrame(() => setTimeout(() => resolve(performance.now() - window.__openedAt)));
    }).observe(document, { subtree: true, childList: true });
  });
`;

const TIMEOUT_MS = 60_000;

interface Run {
  ms: number;
  /** Lines in the database right after the first rows showed (the file has more: indexing goes on). */
  linesIndexed: number;
}

async function oneRun(): Promise<Run> {
  const dir = tempDir('xferlens-ui-bench-');
  const served = await startServe(path.join(dir, 'index.sqlite'), ['--allow-open']);
  const browser = await launchChromium();
  try {
    const app = await AppPage.open(browser, served.url);
    await app.page.addInitScript(WATCH_FIRST_ROW);
    await app.page.reload();
    await app.emptyState.waitFor();
    await app.page.getByLabel('Log file or folder').fill(log!);
    await app.page.getByRole('button', { name: 'Index', exact: true }).click();
    const ms = await Promise.race([
      app.page.evaluate('window.__firstRow') as Promise<number>,
      new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no event row in the grid ${TIMEOUT_MS / 1000} s after Index`)), TIMEOUT_MS).unref()),
    ]);
    const { lines } = await served.call<{ lines: number }>('db/stats');
    return { ms: Math.round(ms), linesIndexed: lines };
  } finally {
    await browser.close();
    await served.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  if (serveSkipReason) {
    process.stdout.write(JSON.stringify({ skipped: serveSkipReason }) + '\n');
    return;
  }
  const results: Run[] = [];
  for (let i = 0; i < runs; i++) results.push(await oneRun());
  const sorted = results.map((r) => r.ms).sort((a, b) => a - b);
  const bytes = fs.readFileSync(log!);
  let logLines = 0;
  for (let at = bytes.indexOf(10); at >= 0; at = bytes.indexOf(10, at + 1)) logLines++;
  process.stdout.write(JSON.stringify({ runs: results, medianMs: sorted[Math.floor(sorted.length / 2)]!, logLines }) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`ui-first-rows-probe: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
