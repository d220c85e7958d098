/**
 * One `xferlens index` for the benchmark, run as users run it: the built CLI in its own process
 * (`node dist/src-main/cli/main.js index --db DB --json --tz UTC INPUT...`), under GNU time, whose
 * maximum resident set (`%M`) is the whole process's peak (issue 12's measure: worker threads,
 * SQLite's caches and the V8 heap together).
 *
 * Without /usr/bin/time the child reports its own `process.resourceUsage().maxRSS` at exit (the same
 * figure from the kernel, via a `--import` hook), and `rssFrom` says so.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { IndexSummary } from '../../src-main/core/ingest/index-types.js';
import { CLI } from '../helpers.js';

export interface IndexRun {
  /** Wall time of the whole process, start-up and closing the database included. */
  wallMs: number;
  /** The `ms` the CLI reports in its `--json` summary. */
  reportedMs: number;
  maxRssMb: number;
  rssFrom: 'GNU time' | 'resourceUsage';
  summary: IndexSummary;
}

const GNU_TIME = '/usr/bin/time';
const hasGnuTime = spawnSync(GNU_TIME, ['-f', '%M', 'true'], { encoding: 'utf8' }).status === 0;

/** Without GNU time: the child writes its peak RSS (KiB, as GNU time's %M) to $XFERLENS_BENCH_RSS_FILE as it exits. */
const REPORT_RSS_AT_EXIT = `data:text/javascript,${encodeURIComponent(
  "import fs from 'node:fs'; process.on('exit', () => fs.writeFileSync(process.env.XFERLENS_BENCH_RSS_FILE, String(process.resourceUsage().maxRSS)));",
)}`;

export const rssNote = hasGnuTime ? 'peak RSS: GNU time %M' : `peak RSS: ${GNU_TIME} is missing, so the child's process.resourceUsage().maxRSS at exit`;

export function indexWithCli(db: string, inputs: string[]): IndexRun {
  const rssFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'xferlens-bench-rss-')), 'kib');
  const nodeArgs = [CLI, 'index', '--db', db, '--json', '--tz', 'UTC', ...inputs];
  const [cmd, args] = hasGnuTime
    ? [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...nodeArgs]]
    : [process.execPath, ['--import', REPORT_RSS_AT_EXIT, ...nodeArgs]];
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, XFERLENS_QUIET_SLOW: '1', XFERLENS_BENCH_RSS_FILE: rssFile } });
  const wallMs = Math.round(performance.now() - t0);
  try {
    if (r.status !== 0) throw new Error(`xferlens index ${inputs.join(' ')} exited with ${r.status}: ${r.stderr}`);
    const summary = JSON.parse(r.stdout) as IndexSummary;
    const kib = Number(fs.readFileSync(rssFile, 'utf8').trim().split('\n').at(-1));
    return { wallMs, reportedMs: summary.ms, maxRssMb: Math.round(kib / 1024), rssFrom: hasGnuTime ? 'GNU time' : 'resourceUsage', summary };
  } finally {
    fs.rmSync(path.dirname(rssFile), { recursive: true, force: true });
  }
}
