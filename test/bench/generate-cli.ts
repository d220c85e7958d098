/**
 * Write a synthetic log for benchmarks.
 *
 *   node dist/test/bench/generate-cli.js --kind eft-w3c|eft-client|proftpd --lines N [--seed S]
 *        [--start 2026-01-01T00:00:00Z] [--restart-every N] OUT
 *
 * OUT is a file for eft-w3c / eft-client and a directory for proftpd (proftpd.log, xferlog, extended.log).
 * Prints one JSON object with the result(s) and the elapsed time.
 */
import { parseArgs } from 'node:util';
import { generateEftClientLog, generateEftW3c, generateProftpd, type GenerateOptions } from './generate.js';

const USAGE =
  'usage: generate-cli --kind eft-w3c|eft-client|proftpd --lines N [--seed S] [--start ISO-8601] [--restart-every N] OUT';

function fail(msg: string): never {
  process.stderr.write(`${msg}\n${USAGE}\n`);
  process.exit(2);
}

function int(name: string, v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v.replace(/_/g, ''));
  if (!Number.isSafeInteger(n) || n < 0) fail(`--${name} must be a non-negative integer, got ${JSON.stringify(v)}`);
  return n;
}

async function main(): Promise<void> {
  let parsed;
  try {
    parsed = parseArgs({
      allowPositionals: true,
      options: {
        kind: { type: 'string' },
        lines: { type: 'string' },
        seed: { type: 'string' },
        start: { type: 'string' },
        'restart-every': { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (err) {
    fail((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.help) {
    process.stdout.write(USAGE + '\n');
    return;
  }
  const out = positionals[0];
  if (out === undefined || positionals.length !== 1) fail('exactly one OUT path is required');
  const lines = int('lines', values.lines);
  if (lines === undefined) fail('--lines is required');
  const opts: GenerateOptions = { lines };
  const seed = int('seed', values.seed);
  if (seed !== undefined) opts.seed = seed;
  const restartEvery = int('restart-every', values['restart-every']);
  if (restartEvery !== undefined) {
    if (restartEvery === 0) fail('--restart-every must be > 0');
    opts.restartEvery = restartEvery;
  }
  if (values.start !== undefined) {
    const ms = Date.parse(values.start);
    if (Number.isNaN(ms)) fail(`--start: cannot parse date ${JSON.stringify(values.start)}`);
    opts.startMs = ms;
  }

  const t0 = performance.now();
  let result: unknown;
  switch (values.kind) {
    case 'eft-w3c':
      result = await generateEftW3c(out, opts);
      break;
    case 'eft-client':
      result = await generateEftClientLog(out, opts);
      break;
    case 'proftpd':
      result = await generateProftpd(out, opts);
      break;
    default:
      fail(`--kind must be eft-w3c, eft-client or proftpd, got ${JSON.stringify(values.kind)}`);
  }
  const ms = Math.round(performance.now() - t0);
  process.stdout.write(JSON.stringify({ kind: values.kind, seed: opts.seed ?? 1, ms, result }, null, 2) + '\n');
}

main().catch((err: unknown) => {
  process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
  process.exit(1);
});
