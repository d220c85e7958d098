/**
 * Indexing throughput with and without the UI querying at the same time (see load.ts).
 *
 *   node dist/test/bench/load-probe.js [LINES]      (default 1,000,000 EFT W3C lines)
 *
 * Prints one JSON line per run and a comparison.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { generateEftW3c } from './generate.js';
import { indexUnderLoad } from './load.js';

const lines = Number(process.argv[2] ?? 1_000_000);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferlens-load-'));
try {
  const log = path.join(dir, 'u_ex260101.log');
  const { bytes } = await generateEftW3c(log, { lines, seed: 11 });
  process.stdout.write(`${lines.toLocaleString('en')} lines, ${(bytes / 2 ** 20).toFixed(0)} MB, ${os.cpus().length} CPUs\n`);
  const runs: Record<string, Awaited<ReturnType<typeof indexUnderLoad>>> = {};
  for (const queries of [false, true]) {
    const name = queries ? 'with queries' : 'alone';
    const r = await indexUnderLoad(path.join(dir, `${name.replace(' ', '-')}.sqlite`), [log], { queries });
    if (r.exitCode !== 0 || r.failures.length) throw new Error(`${name}: exit ${r.exitCode}, failures ${JSON.stringify(r.failures.slice(0, 5))}`);
    runs[name] = r;
    process.stdout.write(JSON.stringify({ run: name, indexMs: r.indexMs, linesPerSecond: r.linesPerSecond, queries: r.queries, byQuery: r.byQuery }) + '\n');
  }
  const alone = runs['alone']!, loaded = runs['with queries']!;
  process.stdout.write(
    `index alone: ${alone.linesPerSecond.toLocaleString('en')} lines/s (${(alone.indexMs / 1000).toFixed(1)} s); ` +
      `with ${loaded.queries} concurrent queries: ${loaded.linesPerSecond.toLocaleString('en')} lines/s (${(loaded.indexMs / 1000).toFixed(1)} s), ` +
      `${Math.round((100 * loaded.linesPerSecond) / alone.linesPerSecond)}% of alone; all queries succeeded\n`,
  );
} finally {
  fs.rmSync(dir, { recursive: true, force: true });
}
