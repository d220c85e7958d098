/**
 * lnav's load of the same input, the benchmark's yardstick (issue 12): `lnav -n` (headless) opens the
 * files or folder, indexes every line, then counts the log messages it holds. The wall time of that
 * process is the figure; the count shows that it did load the lines (it should equal the events the
 * CLI indexed: lnav does not count `#` header lines as messages).
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';

export interface LnavLoad {
  ms: number;
  /** Log messages lnav loaded (`SELECT count(*) FROM all_logs`). */
  messages: number;
}

export const lnavInstalled = spawnSync('sh', ['-c', 'command -v lnav'], { encoding: 'utf8' }).status === 0;

/** Undefined when lnav is not installed; throws when it fails. `home` keeps lnav's own files out of the user's. */
export function lnavLoad(inputs: string[], home: string): LnavLoad | undefined {
  if (!lnavInstalled) return undefined;
  fs.mkdirSync(home, { recursive: true });
  const t0 = performance.now();
  const r = spawnSync('lnav', ['-n', '-c', ';SELECT count(*) AS messages FROM all_logs', ...inputs], { encoding: 'utf8', maxBuffer: 16 << 20, env: { ...process.env, HOME: home } });
  const ms = Math.round(performance.now() - t0);
  if (r.status !== 0) throw new Error(`lnav exited with ${r.status}: ${r.stderr}`);
  const count = /(\d+)\s*$/.exec(r.stdout);
  if (!count) throw new Error(`lnav printed no count: ${r.stdout}${r.stderr}`);
  return { ms, messages: Number(count[1]) };
}
