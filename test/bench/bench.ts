/**
 * `npm run bench [-- --lines N --seed S --keep]`: generates a seeded synthetic EFT W3C log, then times
 * a first index, a re-index of the unchanged file and an index after appending 10 %, each in a fresh
 * process (wall time and peak RSS), and compares with lnav's load of the same file when lnav is
 * installed (`apt-get install lnav`). Prints a table and writes the figures as JSON.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { fileURLToPath } from 'node:url';
import { generateEftW3c } from './generate.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const repo = path.resolve(here, '..', '..', '..');
const cli = path.join(repo, 'dist', 'src-main', 'cli', 'main.js');
const probe = path.join(here, 'index-probe.js');

const { values } = parseArgs({
  options: {
    lines: { type: 'string', default: '1000000' },
    seed: { type: 'string', default: '42' },
    dir: { type: 'string', default: path.join(repo, '.bench') },
    keep: { type: 'boolean', default: false },
  },
});
const lines = Number(values.lines);
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

  const rows: [string, string, string, string][] = [
    ['first index', `${first.ms} ms (${Math.round((first.lines / first.ms) * 1000).toLocaleString('en-US')} lines/s)`, lnav ? `lnav ${Math.round(lnav)} ms, ratio ${(first.ms / lnav).toFixed(2)}` : 'lnav not installed', lnav ? (first.ms <= lnav ? 'pass' : 'FAIL') : '-'],
    ['unchanged re-index', `${unchanged.ms} ms`, lnav ? `<= 0.05x lnav (${Math.round(lnav * 0.05)} ms), ratio ${(unchanged.ms / lnav).toFixed(3)}` : '-', lnav ? (unchanged.ms <= lnav * 0.05 ? 'pass' : 'FAIL') : '-'],
    ['append 10 %', `${append.ms} ms for ${append.lines.toLocaleString('en-US')} lines`, `proportional: ${(append.ms / first.ms).toFixed(2)}x first`, '-'],
    ['peak RSS (first index)', `${first.maxRssMb} MB`, '<= 300 MB', first.maxRssMb <= 300 ? 'pass' : 'FAIL'],
    ['database size', `${(dbBytes / 1e6).toFixed(0)} MB`, `${(dbBytes / fs.statSync(log).size).toFixed(2)}x the log (${(fs.statSync(log).size / 1e6).toFixed(0)} MB)`, '-'],
  ];
  const widths = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i]!.length), ['figure', 'value', 'target', 'result'][i]!.length));
  const fmt = (r: readonly string[]) => r.map((c, i) => c.padEnd(widths[i]!)).join('  ');
  process.stdout.write(fmt(['figure', 'value', 'target', 'result']) + '\n' + rows.map(fmt).join('\n') + '\n');
  const result = { lines, seed, logBytes: gen.bytes, first, unchanged, append, lnavMs: lnav ?? null, dbBytes, at: new Date().toISOString() };
  const out = path.join(values.dir!, `bench-${Date.now()}.json`);
  fs.writeFileSync(out, JSON.stringify(result, null, 2));
  process.stdout.write(`figures written to ${out}\n`);
  if (!values.keep) for (const f of [log, db, db + '-wal', db + '-shm']) fs.rmSync(f, { force: true });
}

main().catch((err: unknown) => {
  process.stderr.write(`bench: ${(err as Error).stack ?? String(err)}\n`);
  process.exitCode = 1;
});
