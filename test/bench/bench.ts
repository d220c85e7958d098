/**
 * `npm run bench [-- --lines N --seed S --keep --scale]`: generates a seeded synthetic EFT W3C log, then
 * times a first index, a re-index of the unchanged file and an index after appending 10 %, each in a
 * fresh process (wall time and peak RSS), and compares with lnav's load of the same file when lnav is
 * installed (`apt-get install lnav`). Then the queries the UI makes (query-probe: first pages, counts,
 * chart aggregation, scrolling; `grep -c` and `wc -l` as baselines), a CSV export of every event
 * (export-run-probe), the time to the first rows the app shows after opening the log in Chromium
 * (ui-first-rows-probe; skipped, saying why, without Chromium), and the index throughput of the
 * other generated formats (EFT client log, ProFTPD SystemLog + xferlog + ExtendedLog). `--scale`
 * runs it all at 10 M lines. Prints a table (figure, value, target, pass/fail) and writes the
 * figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generateEftClientLog, generateEftW3c, generateProftpd } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const cli = path.join(repo, 'dist', 'src-main', 'cli', 'main.js');
const probe = path.join(here, 'index-probe.js');
const queryProbe = path.join(here, 'query-probe.js');
const exportProbe = path.join(here, 'export-run-probe.js');
const uiProbe = path.join(here, 'ui-first-rows-probe.js');

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    dir: { type: 'string', default: path.join(repo, '.bench') },
    keep: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
  },
});
const lines = values.scale ? 10_000_000 : Number(values.lines);
const seed = Number(values.seed);
if (!Number.isInteger(lines) || lines < 10) throw new Error('--lines wants a whole number >= 10');

interface Run {
  ms: number;
  maxRssMb: number;
  lines: number;
}

/** Indexes in a separate process so that its peak RSS is its own. */
function indexRun(db: string, file: string): Run {
  const r = spawnSync(process.execPath, [probe, db, file], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`index failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as Run;
}

function probeRun<T>(script: string, args: string[]): T {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${path.basename(script)} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

interface QueryFigures {
  events: number;
  ftsFirstPageMs: number;
  userFirstPageMs: number;
  ipFirstPageMs: number;
  codeFirstPageMs: number;
  dayRangeFirstPageMs: number;
  lastPageMs: number;
  scroll: { medianMs: number; maxMs: number };
  countAllMs: number;
  countFailedMs: number;
  countTermMs: number;
  aggregateAllMs: number;
  aggregateUserMs: number;
  grepCountMs: number | null;
  wcMs: number | null;
}

type UiFigures = { skipped: string } | { runs: { ms: number; linesIndexed: number }[]; medianMs: number; logLines: number };

function lnavLoadMs(file: string): number | undefined {
  const which = spawnSync('sh', ['-c', 'command -v lnav'], { encoding: 'utf8' });
  if (which.status !== 0) return undefined;
  const t0 = performance.now();
  const r = spawnSync('lnav', ['-n', '-c', ';SELECT count(*) FROM w3c_log', file], { encoding: 'utf8', env: { ...process.env, HOME: path.dirname(file) } });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`lnav failed: ${r.stderr}`);
  return ms;
}

async function main(): Promise<void> {
  fs.mkdirSync(values.dir!, { recursive: true });
  const log = path.join(values.dir!, `u_ex-bench-${lines}-${seed}.log`);
  const db = path.join(values.dir!, 'bench.sqlite');
  for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true });

  const g0 = performance.now();
  const gen = await generateEftW3c(log, { lines, seed });
  process.stderr.write(`generated ${gen.lines} lines, ${(gen.bytes / 1e6).toFixed(1)} MB in ${Math.round(performance.now() - g0)} ms\n`);

  const first = indexRun(db, log);
  const unchanged = indexRun(db, log);
  const lnav = lnavLoadMs(log);

  // Append 10 %: the generator's lines from a later start, without their header block.
  const extra = log + '.extra';
  await generateEftW3c(extra, { lines: Math.ceil(lines / 10) + 4, seed: seed + 1, startMs: Date.UTC(2026, 1, 1) });
  const appended = fs.readFileSync(extra, 'latin1').split('\r\n').filter((l) => l && !l.startsWith('#'));
  fs.appendFileSync(log, appended.join('\r\n') + '\r\n', 'latin1');
  fs.rmSync(extra);
  const append = indexRun(db, log);
  const dbBytes = ['', '-wal'].reduce((n, s) => n + (fs.existsSync(db + s) ? fs.statSync(db + s).size : 0), 0);

  const q = probeRun<QueryFigures>(queryProbe, [db, log]);
  const csvOut = path.join(values.dir!, 'bench-export.csv');
  const exp = probeRun<{ rows: number; ms: number; peakRssIncreaseMb: number }>(exportProbe, [db, csvOut]);
  fs.rmSync(csvOut, { force: true });
  const ui = probeRun<UiFigures>(uiProbe, [log]);
  const others = await otherFormats(values.dir!, Math.max(10, Math.round(lines / 10)), seed);

  const target = (ms: number, max: number): [string, string, string] => [`${ms} ms`, `<= ${max} ms`, ms <= max ? 'pass' : 'FAIL'];
  const rows: [string, string, string, string][] = [
    ['first index', `${first.ms} ms (${Math.round((first.lines / first.ms) * 1000).toLocaleString('en-US')} lines/s)`, lnav ? `lnav ${Math.round(lnav)} ms, ratio ${(first.ms / lnav).toFixed(2)}` : 'lnav not installed', lnav ? (first.ms <= lnav ? 'pass' : 'FAIL') : '-'],
    ['unchanged re-index', `${unchanged.ms} ms`, lnav ? `<= 0.05x lnav (${Math.round(lnav * 0.05)} ms), ratio ${(unchanged.ms / lnav).toFixed(3)}` : '-', lnav ? (unchanged.ms <= lnav * 0.05 ? 'pass' : 'FAIL') : '-'],
    ['append 10 %', `${append.ms} ms for ${append.lines.toLocaleString('en-US')} lines`, `proportional: ${(append.ms / first.ms).toFixed(2)}x first`, '-'],
    ['peak RSS (first index)', `${first.maxRssMb} MB`, '<= 300 MB', first.maxRssMb <= 300 ? 'pass' : 'FAIL'],
    ['database size', `${(dbBytes / 1e6).toFixed(0)} MB`, `<= 1.2x the log (${(fs.statSync(log).size / 1e6).toFixed(0)} MB): ${(dbBytes / fs.statSync(log).size).toFixed(2)}x`, dbBytes <= 1.2 * fs.statSync(log).size ? 'pass' : 'FAIL'],
    [`full-text first page (${q.events.toLocaleString('en-US')} events)`, ...target(q.ftsFirstPageMs, 20)],
    ['user: first page', ...target(q.userFirstPageMs, 20)],
    ['ip: first page', ...target(q.ipFirstPageMs, 20)],
    ['code: first page', ...target(q.codeFirstPageMs, 20)],
    ['1-day range first page', ...target(q.dayRangeFirstPageMs, 20)],
    ['last page (jump to end)', ...target(q.lastPageMs, 16)],
    ['scroll: next page (max of 30)', ...target(q.scroll.maxMs, 16)],
    ['exact count, all', ...target(q.countAllMs, 500)],
    ['exact count, failed', ...target(q.countFailedMs, 500)],
    ['exact count, a term', `${q.countTermMs} ms`, q.grepCountMs !== null ? `<= 500 ms; grep -c ${q.grepCountMs} ms` : '<= 500 ms', q.countTermMs <= 500 ? 'pass' : 'FAIL'],
    ['chart aggregation, whole range', ...target(q.aggregateAllMs, 300)],
    ['chart aggregation, one user', ...target(q.aggregateUserMs, 300)],
    [`CSV export (${exp.rows.toLocaleString('en-US')} rows)`, `${exp.ms} ms`, `<= ${Math.round(3000 * exp.rows / 1e6)} ms (3 s per 1 M rows)`, exp.ms <= 3000 * exp.rows / 1e6 ? 'pass' : 'FAIL'],
    ['CSV export peak RSS increase', `${exp.peakRssIncreaseMb} MB`, '<= 100 MB', exp.peakRssIncreaseMb <= 100 ? 'pass' : 'FAIL'],
    'skipped' in ui
      ? ['UI: first rows after opening the log', `skipped: ${ui.skipped}`, '<= 500 ms', '-']
      : [
          `UI: first rows after opening the log (${ui.logLines.toLocaleString('en-US')} lines)`,
          `${ui.medianMs} ms (median of ${ui.runs.map((r) => r.ms).join(', ')}; ${Math.max(...ui.runs.map((r) => r.linesIndexed)).toLocaleString('en-US')} lines indexed by then)`,
          '<= 500 ms',
          ui.medianMs <= 500 ? 'pass' : 'FAIL',
        ],
    ['wc -l (I/O floor)', `${q.wcMs} ms`, '-', '-'],
    ...others.map((o): [string, string, string, string] => [`index ${o.kind}`, `${o.ms} ms (${Math.round((o.lines / o.ms) * 1000).toLocaleString('en-US')} lines/s)`, '-', '-']),
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'target', 'result'][i]!.length));
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(fmt(['figure', 'value', 'target', 'result']) + '\n' + rows.map(fmt).join('\n') + '\n');
  const result = { lines, seed, logBytes: gen.bytes, first, unchanged, append, lnavMs: lnav ?? null, dbBytes, queries: q, export: exp, uiFirstRows: ui, others, at: new Date().toISOString() };
  const out = path.join(values.dir!, `bench-${Date.now()}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  process.stdout.write(`figures written to ${out}\n`);
  if (!values.keep) for (const f of [log, db, db + '-wal', db + '-shm']) fs.rmSync(f, { force: true });
}

/** Index throughput of the other generated formats, each into its own database. */
async function otherFormats(dir: string, lines: number, seed: number): Promise<{ kind: string; lines: number; ms: number }[]> {
  const out: { kind: string; lines: number; ms: number }[] = [];
  const client = path.join(dir, 'cl-bench.log');
  await generateEftClientLog(client, { lines, seed });
  const proftpd = path.join(dir, 'proftpd-bench');
  fs.rmSync(proftpd, { recursive: true, force: true });
  await generateProftpd(proftpd, { lines, seed });
  for (const [kind, input] of [['eft-client', client], ['proftpd (3 logs)', proftpd]] as const) {
    const db = path.join(dir, 'bench-other.sqlite');
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true });
    const r = indexRun(db, input);
    out.push({ kind, lines: r.lines, ms: r.ms });
    for (const suffix of ['', '-wal', '-shm']) fs.rmSync(db + suffix, { force: true });
  }
  fs.rmSync(client, { force: true });
  fs.rmSync(proftpd, { recursive: true, force: true });
  return out;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
