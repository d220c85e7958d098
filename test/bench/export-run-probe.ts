/**
 * Exports every event of an indexed database to CSV in its own process, the way `xferlens export`
 * and the app do (prepareExport, two threads), and prints the wall time and the peak RSS increase (issue 6: 1 M
 * rows in ≤ 3 s, RSS +≤ 100 MB).
 *
 *   node dist/test/bench/export-run-probe.js DB OUT.csv
 */
import { openDatabase } from '../../src-main/core/store/db.js';
import { DEFAULT_VISIBLE } from '../../src-main/core/query/index.js';
import { prepareExport } from '../../src-main/core/export/query-export.js';

const [dbFile, out] = process.argv.slice(2);
if (!dbFile || !out) throw new Error('usage: export-run-probe DB OUT.csv');
process.env.XFERLENS_QUIET_SLOW = '1';
const db = openDatabase(dbFile, { readonly: true });
const names = [...DEFAULT_VISIBLE.events];
const rssBefore = process.memoryUsage().rss;
const t0 = performance.now();
// As `xferlens export` does: a big export is shared with a worker thread (export/halves.ts).
const r = await prepareExport(db, { kind: 'events', query: 'kind:event', format: 'csv', columns: names }, { threads: {} }).write(out);
const ms = Math.round(performance.now() - t0);
const peak = process.resourceUsage().maxRSS * 1024;
db.close();
process.stdout.write(JSON.stringify({ rows: r.rows, bytes: r.bytes, ms, columns: names, peakRssIncreaseMb: Math.round((peak - rssBefore) / 1e6) }) + '\n');
