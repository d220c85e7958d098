/**
 * CLI start-up (issue 12: `xferlens --help` and `xferlens search` on a small database should spend
 * little beyond Node's own start-up): the wall time of `node -e 0`, `xferlens --help` and
 * `xferlens search x --db DB`, each the median of RUNS runs taken in turns (so that a busy moment
 * of a shared machine weighs on all three alike).
 *
 *   node dist/test/bench/startup-probe.js DB [RUNS] [CLI]     (RUNS default 7; CLI default the built one)
 *
 * Prints one JSON object: StartupFigures.
 */
import { spawnSync } from 'node:child_process';
import { CLI } from '../helpers.js';

export interface StartupFigures {
  runs: number;
  nodeMs: number;
  helpMs: number;
  searchMs: number;
}

const [db, runsArg, cliArg] = process.argv.slice(2);
if (!db) throw new Error('usage: startup-probe DB [RUNS] [CLI]');
const runs = Number(runsArg ?? 7);
const cli = cliArg ?? CLI;

const commands = {
  nodeMs: ['-e', '0'],
  helpMs: [cli, '--help'],
  searchMs: [cli, 'search', 'x', '--db', db],
} as const;

function wallMs(args: readonly string[]): number {
  const t0 = performance.now();
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', maxBuffer: 16 << 20 });
  const ms = performance.now() - t0;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited with ${r.status}: ${r.stderr}`);
  return ms;
}

const times: Record<keyof typeof commands, number[]> = { nodeMs: [], helpMs: [], searchMs: [] };
wallMs(commands.searchMs); // a first run warms the page cache: every later one finds the same files there
for (let i = 0; i < runs; i++) for (const [name, args] of Object.entries(commands)) times[name as keyof typeof commands].push(wallMs(args));
const median = (ms: number[]) => Math.round([...ms].sort((a, b) => a - b)[ms.length >> 1]!);
const figures: StartupFigures = { runs, nodeMs: median(times.nodeMs), helpMs: median(times.helpMs), searchMs: median(times.searchMs) };
process.stdout.write(JSON.stringify(figures) + '\n');
