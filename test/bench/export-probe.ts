/**
 * CSV export probe for the benchmark: writes N synthetic event rows (default 1,000,000; shaped like
 * the events table, with quotes, commas and formula-like values) through writeCsv to a temp file and
 * prints wall time, peak RSS increase and size as JSON. `node dist/test/bench/export-probe.js [N]`.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { writeCsv, type ColumnSpec } from '../../src-main/core/export/csv.js';

const rowCount = Number(process.argv[2] ?? 1_000_000);
const columns: ColumnSpec[] = [
  { name: 'ts', type: 'time' },
  { name: 'server', type: 'text' },
  { name: 'client_ip', type: 'text' },
  { name: 'client_port', type: 'int' },
  { name: 'user', type: 'text' },
  { name: 'verb', type: 'text' },
  { name: 'path', type: 'text' },
  { name: 'status', type: 'text' },
  { name: 'bytes', type: 'bytes' },
  { name: 'duration_ms', type: 'duration' },
  { name: 'message', type: 'text' },
  { name: 'raw', type: 'text' },
];

function* syntheticRows(): Generator<Record<string, unknown>> {
  const start = Date.UTC(2026, 0, 1);
  for (let i = 0; i < rowCount; i++) {
    const ip = `192.168.${(i >> 8) & 255}.${i & 255}`;
    const user = i % 50 === 0 ? `=cmd|' /C calc'!A${i}` : `partner${i % 97}`;
    const file = `/data/in/INV_2026-01_${i}, "copy".csv`;
    yield {
      ts: start + i * 137,
      server: 'ftp1',
      client_ip: ip,
      client_port: 40000 + (i % 20000),
      user,
      verb: 'sent',
      path: file,
      status: '226',
      bytes: i * 37,
      duration_ms: i % 5000,
      message: null,
      raw: `2026-01-01 00:00:00 ${ip} - ${user} [1]sent ${file} - 226 - ${i * 37} - 22`,
    };
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'xferlens-export-'));
const file = path.join(dir, 'export.csv');
const rssBefore = process.memoryUsage().rss;
let peakRss = rssBefore;
const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 20);
const t0 = performance.now();
const result = await writeCsv(syntheticRows(), file, { columns });
const ms = Math.round(performance.now() - t0);
clearInterval(sampler);
peakRss = Math.max(peakRss, process.memoryUsage().rss, process.resourceUsage().maxRSS * 1024);
fs.rmSync(dir, { recursive: true, force: true });
process.stdout.write(
  JSON.stringify({ rows: result.rows, ms, bytes: result.bytes, rssBeforeMb: Math.round(rssBefore / 2 ** 20), peakRssIncreaseMb: Math.round((peakRss - rssBefore) / 2 ** 20) }) + '\n',
);
