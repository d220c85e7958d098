/**
 * `npm run bench [-- --lines N --seed S --days D --keep --scale]`: issue 12's targets, each measured in
 * the same run as lnav's load of the same input (when lnav is installed), then the app's query,
 * export and UI targets. `--scale` runs it at 10 M lines. Prints a table (figure, value, target,
 * ratio, pass/FAIL), then what each table and index of the database takes (dbstat), and writes every
 * figure as JSON in the bench folder (default .bench/).
 *
 * - A seeded synthetic EFT W3C log of N lines (default 1,000,000): its first full index by the real
 *   CLI (index-run.ts: wall time, the `ms` it reports, the whole process's peak RSS from GNU time)
 *   against lnav's load (lnav.ts); re-opening it unchanged; appending 1 % and indexing again
 *   (against the time proportional to the appended bytes); the database's size (db-size.ts).
 * - A folder of D (default 300) daily logs of 3,000 lines each, as EFT lays them out
 *   (u_exYYMMDD.log), indexed in one run, against lnav's load of the folder, with peak RSS.
 * - CLI start-up (startup-probe.ts): `xferlens --help` and `xferlens search` on a small database
 *   against `node -e 0`.
 * - The queries the UI makes (query-probe.ts), a CSV export of every event (export-run-probe.ts), the
 *   report of everything and of one user's day (report-probe.ts: HTML, and PDF through Chromium), the
 *   first rows in the app after opening the log (ui-first-rows-probe.ts; skipped, saying why,
 *   without Chromium), and the index throughput of the other generated formats.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { REPO } from '../helpers.js';
import { databaseSizes } from './db-size.js';
import { generateEftClientLog, generateEftW3c, generateEftW3cDays, generateProftpd } from './generate.js';
import { indexWithCli, rssNote, type IndexRun } from './index-run.js';
import { lnavInstalled, lnavLoad, type LnavLoad } from './lnav.js';
import { formatRows, formatSizes, infoRow, limitRow, ms, relativeRow, size, type Row } from './report.js';
import { FULL_TEXT_FILES } from '../../src-main/core/store/full-text.js';
import type { StartupFigures } from './startup-probe.js';

/** What report-probe.ts prints. */
interface ReportRun {
  ms: number;
  bytes: number;
  events: number | null;
  transfers: number | null;
}
interface ReportFigures {
  all: ReportRun;
  userDay: ReportRun;
  pdf: ReportRun | { skipped: string };
}

const here = path.dirname(fileURLToPath(import.meta.url));
const probes = {
  query: path.join(here, 'query-probe.js'),
  export: path.join(here, 'export-run-probe.js'),
  ui: path.join(here, 'ui-first-rows-probe.js'),
  report: path.join(here, 'report-probe.js'),
  startup: path.join(here, 'startup-probe.js'),
};

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    days: { type: 'string', default: '300' },
    dir: { type: 'string', default: path.join(REPO, '.bench') },
    keep: { type: 'boolean', default: false },
    scale: { type: 'boolean', default: false },
  },
});
const lines = values.scale ? 10_000_000 : Number(values.lines);
const seed = Number(values.seed);
const days = Number(values.days);
if (!Number.isInteger(lines) || lines < 10) throw new Error('--lines wants a whole number >= 10');
if (!Number.isInteger(days) || days < 1) throw new Error('--days wants a whole number >= 1');
const LINES_PER_DAY = 3_000;
const SMALL_LINES = 10_000;

/** Runs a probe script in its own process and parses the JSON it prints. */
function probeRun<T>(script: string, args: string[]): T {
  const r = spawnSync(process.execPath, [script, ...args], { encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new Error(`${path.basename(script)} failed: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

const removeDb = (db: string) => ['', '-wal', '-shm', ...FULL_TEXT_FILES].forEach((suffix) => fs.rmSync(db + suffix, { force: true }));
const log = (text: string) => process.stderr.write(`bench: ${text}\n`);

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
  aggregateTransfersMs: number;
  grepCountMs: number | null;
  wcMs: number | null;
}
interface ExportFigures {
  rows: number;
  ms: number;
  peakRssIncreaseMb: number;
}
type UiFigures = { skipped: string } | { runs: { ms: number; linesIndexed: number }[]; medianMs: number; logLines: number };

/**
 * Appends `count` lines to an EFT W3C log as the server would go on writing it: the generator's lines
 * from one second after the log's last line, without their header block. Returns the bytes appended.
 */
async function appendLines(file: string, count: number, appendSeed: number): Promise<number> {
  const tail = Buffer.alloc(Math.min(4096, fs.statSync(file).size));
  const fd = fs.openSync(file, 'r');
  fs.readSync(fd, tail, 0, tail.length, fs.statSync(file).size - tail.length);
  fs.closeSync(fd);
  const last = tail.toString('latin1').trimEnd().split('\n').at(-1)!;
  const lastMs = Date.parse(`${last.slice(0, 10)}T${last.slice(11, 19)}Z`);
  if (Number.isNaN(lastMs)) throw new Error(`cannot read the time of the log's last line: ${last}`);
  const extra = file + '.extra';
  await generateEftW3c(extra, { lines: count + 4, seed: appendSeed, startMs: lastMs + 1000 });
  const text = fs.readFileSync(extra, 'latin1').split('\r\n').filter((l) => l && !l.startsWith('#')).join('\r\n') + '\r\n';
  fs.rmSync(extra);
  fs.appendFileSync(file, text, 'latin1');
  return Buffer.byteLength(text, 'latin1');
}

/** lnav's time with the count of what it loaded, and whether that is what xferlens indexed. */
function lnavValue(lnav: LnavLoad, events: number): string {
  const loaded = lnav.messages === events ? `${lnav.messages.toLocaleString('en-US')} lines loaded` : `loaded ${lnav.messages.toLocaleString('en-US')} lines, xferlens ${events.toLocaleString('en-US')} events!`;
  return `lnav ${ms(lnav.ms)} (${loaded})`;
}

/** First index against lnav's load of the same input: 4.0x, stretch 2x (issue 12). */
function vsLnav(figure: string, run: IndexRun, lnav: LnavLoad | undefined): Row {
  const value = `${ms(run.wallMs)} (${Math.round((run.summary.lines / run.wallMs) * 1000).toLocaleString('en-US')} lines/s)`;
  if (!lnav) return infoRow(figure, value, 'lnav not installed');
  return relativeRow(figure, `${value}; ${lnavValue(lnav, run.summary.events)}`, run.wallMs / lnav.ms, 'lnav', 4, 2);
}

async function main(): Promise<void> {
  const dir = values.dir!;
  fs.mkdirSync(dir, { recursive: true });
  const lnavHome = path.join(dir, 'lnav-home');
  const file = path.join(dir, `u_ex-bench-${lines}-${seed}.log`);
  const db = path.join(dir, 'bench.sqlite');
  removeDb(db);
  if (!lnavInstalled) log('lnav is not installed (apt-get install lnav): no ratios to it');
  log(rssNote);

  const g0 = performance.now();
  const gen = await generateEftW3c(file, { lines, seed });
  log(`generated ${gen.lines.toLocaleString('en-US')} lines, ${size(gen.bytes)} in ${ms(performance.now() - g0)}`);

  // The log: lnav's load, the first index, re-opening it unchanged, its database; then 1 % more.
  const lnav = lnavLoad([file], lnavHome);
  log('first index');
  const first = indexWithCli(db, [file]);
  const unchanged = indexWithCli(db, [file]);
  const sizes = databaseSizes(db);
  const appendedBytes = await appendLines(file, Math.ceil(lines / 100), seed + 1);
  const append = indexWithCli(db, [file]);

  log('queries, export, report, first rows in the app');
  const q = probeRun<QueryFigures>(probes.query, [db, file]);
  const csvOut = path.join(dir, 'bench-export.csv');
  const exp = probeRun<ExportFigures>(probes.export, [db, csvOut]);
  fs.rmSync(csvOut, { force: true });
  const report = probeRun<ReportFigures>(probes.report, [db]);
  const ui = probeRun<UiFigures>(probes.ui, [file]);

  // EFT's real layout: a folder of daily files, indexed in one run.
  log(`a folder of ${days} daily files`);
  const folder = path.join(dir, 'daily');
  fs.rmSync(folder, { recursive: true, force: true });
  const folderGen = await generateEftW3cDays(folder, days, { lines: LINES_PER_DAY, seed });
  const folderDb = path.join(dir, 'bench-daily.sqlite');
  removeDb(folderDb);
  const lnavFolder = lnavLoad([folder], lnavHome);
  const folderRun = indexWithCli(folderDb, [folder]);
  const folderSizes = databaseSizes(folderDb);

  log('CLI start-up');
  const small = path.join(dir, 'u_ex-small.log');
  await generateEftW3c(small, { lines: SMALL_LINES, seed });
  const smallDb = path.join(dir, 'bench-small.sqlite');
  removeDb(smallDb);
  indexWithCli(smallDb, [small]);
  const startup = probeRun<StartupFigures>(probes.startup, [smallDb]);

  log('other formats');
  const others = await otherFormats(dir, Math.max(10, Math.round(lines / 10)), seed);

  const n = (x: number) => x.toLocaleString('en-US');
  const proportionalMs = (first.reportedMs * appendedBytes) / first.summary.bytes;
  const overNode = (figure: string, wall: number) =>
    infoRow(figure, `${ms(wall)} (node -e 0: ${ms(startup.nodeMs)}, +${ms(wall - startup.nodeMs)})`, 'little beyond node -e 0 (no number set)', `${(wall / startup.nodeMs).toFixed(2)}x node`);
  const rows: Row[] = [
    vsLnav(`first index, ${n(first.summary.lines)} lines (${size(gen.bytes)})`, first, lnav),
    limitRow('  peak RSS (GNU time %M)', first.maxRssMb, 300, 'MB'),
    vsLnav(`folder of ${days} daily files, ${n(folderRun.summary.lines)} lines (${size(folderGen.bytes)})`, folderRun, lnavFolder),
    limitRow('  peak RSS (GNU time %M)', folderRun.maxRssMb, 300, 'MB'),
    relativeRow('database size (after the first index)', size(sizes.bytes), sizes.bytes / gen.bytes, 'log', 1.5, 1.0),
    relativeRow(
      `append 1 % (${n(append.summary.lines)} lines, ${size(appendedBytes)})`,
      `${ms(append.reportedMs)} reported (wall ${ms(append.wallMs)}); proportional ${ms(proportionalMs)}`,
      append.reportedMs / proportionalMs,
      'proportional',
      1.5,
    ),
    lnav
      ? relativeRow('re-open unchanged (reported ms)', `${ms(unchanged.reportedMs)} (wall ${ms(unchanged.wallMs)}); lnav ${ms(lnav.ms)}`, unchanged.reportedMs / lnav.ms, 'lnav', 0.05)
      : infoRow('re-open unchanged (reported ms)', `${ms(unchanged.reportedMs)} (wall ${ms(unchanged.wallMs)})`, 'lnav not installed'),
    overNode('CLI start-up: xferlens --help', startup.helpMs),
    overNode(`CLI start-up: xferlens search x (${n(SMALL_LINES)} lines)`, startup.searchMs),
    limitRow(`full-text first page (${n(q.events)} events)`, q.ftsFirstPageMs, 20, 'ms'),
    limitRow('user: first page', q.userFirstPageMs, 20, 'ms'),
    limitRow('ip: first page', q.ipFirstPageMs, 20, 'ms'),
    limitRow('code: first page', q.codeFirstPageMs, 20, 'ms'),
    limitRow('1-day range first page', q.dayRangeFirstPageMs, 20, 'ms'),
    limitRow('last page (jump to end)', q.lastPageMs, 16, 'ms'),
    limitRow('scroll: next page (max of 30)', q.scroll.maxMs, 16, 'ms'),
    limitRow('exact count, all', q.countAllMs, 500, 'ms'),
    limitRow('exact count, failed', q.countFailedMs, 500, 'ms'),
    limitRow('exact count, a term', q.countTermMs, 500, 'ms', q.grepCountMs !== null ? `grep -c ${ms(q.grepCountMs)}` : ''),
    limitRow('chart aggregation, whole range', q.aggregateAllMs, 300, 'ms'),
    limitRow('chart aggregation, one user', q.aggregateUserMs, 300, 'ms'),
    limitRow('chart aggregation, every transfer', q.aggregateTransfersMs, 300, 'ms'),
    limitRow(`CSV export (${n(exp.rows)} rows)`, exp.ms, Math.round((3000 * exp.rows) / 1e6), 'ms', '3 s per 1 M rows'),
    limitRow('CSV export peak RSS increase', exp.peakRssIncreaseMb, 100, 'MB'),
    limitRow(`report of everything, HTML (${size(report.all.bytes)}, ${n(report.all.transfers ?? 0)} transfers, 1,000 listed)`, report.all.ms, 5000, 'ms', 'in seconds (issue 14)'),
    limitRow(`report of one user's day, HTML (${size(report.userDay.bytes)})`, report.userDay.ms, 1000, 'ms'),
    'skipped' in report.pdf
      ? infoRow('report of everything, PDF', `skipped: ${report.pdf.skipped}`)
      : limitRow(`report of everything, PDF (${size(report.pdf.bytes)}, Chromium's start included)`, report.pdf.ms, 10_000, 'ms'),
    'skipped' in ui
      ? infoRow('UI: first rows after opening the log', `skipped: ${ui.skipped}`, '<= 500 ms')
      : limitRow(
          `UI: first rows after opening the log (${n(ui.logLines)} lines)`,
          ui.medianMs,
          500,
          'ms',
          `median of ${ui.runs.map((r) => r.ms).join(', ')}; ${n(Math.max(...ui.runs.map((r) => r.linesIndexed)))} lines indexed by then`,
        ),
    infoRow('wc -l (I/O floor)', q.wcMs === null ? '-' : ms(q.wcMs)),
    ...others.map((o) => infoRow(`index ${o.kind}`, `${ms(o.run.wallMs)} (${n(Math.round((o.run.summary.lines / o.run.wallMs) * 1000))} lines/s)`)),
  ];
  process.stdout.write(formatRows(rows) + `(${rssNote}; wall times are whole processes, start-up included)\n\n`);
  process.stdout.write(formatSizes(`database of the ${n(first.summary.lines)}-line log, ${size(sizes.bytes)} (dbstat):`, sizes, gen.bytes));

  const result = {
    lines,
    seed,
    logBytes: gen.bytes,
    rss: rssNote,
    lnav: lnav ?? null,
    first,
    unchanged,
    append: { ...append, appendedBytes, proportionalMs: Math.round(proportionalMs) },
    dbSizes: sizes,
    folder: { days, linesPerDay: LINES_PER_DAY, bytes: folderGen.bytes, lnav: lnavFolder ?? null, run: folderRun, dbSizes: folderSizes },
    startup,
    queries: q,
    export: exp,
    report,
    uiFirstRows: ui,
    others,
    rows,
    at: new Date().toISOString(),
  };
  const out = path.join(dir, `bench-${Date.now()}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  process.stdout.write(`figures written to ${out}\n`);
  if (!values.keep) {
    for (const f of [file, small]) fs.rmSync(f, { force: true });
    fs.rmSync(folder, { recursive: true, force: true });
    for (const d of [db, folderDb, smallDb]) removeDb(d);
  }
}

/** Index throughput of the other generated formats, each into its own database. */
async function otherFormats(dir: string, count: number, otherSeed: number): Promise<{ kind: string; run: IndexRun }[]> {
  const client = path.join(dir, 'cl-bench.log');
  await generateEftClientLog(client, { lines: count, seed: otherSeed });
  const proftpd = path.join(dir, 'proftpd-bench');
  fs.rmSync(proftpd, { recursive: true, force: true });
  await generateProftpd(proftpd, { lines: count, seed: otherSeed });
  const db = path.join(dir, 'bench-other.sqlite');
  const out = ([['eft-client', client], ['proftpd (3 logs)', proftpd]] as const).map(([kind, input]) => {
    removeDb(db);
    return { kind, run: indexWithCli(db, [input]) };
  });
  removeDb(db);
  fs.rmSync(client, { force: true });
  fs.rmSync(proftpd, { recursive: true, force: true });
  return out;
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
