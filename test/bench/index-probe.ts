/** One index run for the benchmark: prints its wall time, peak RSS and lines read as JSON. */
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { openDatabase } from '../../src-main/core/store/db.js';

const [dbFile, ...inputs] = process.argv.slice(2);
const db = openDatabase(dbFile!);
const t0 = performance.now();
const summary = await indexPaths(db, inputs, { timeZone: 'UTC' });
db.close();
const ms = Math.round(performance.now() - t0);
if (summary.errors.length) throw new Error(JSON.stringify(summary.errors));
process.stdout.write(JSON.stringify({ ms, maxRssMb: Math.round(process.resourceUsage().maxRSS / 1024), lines: summary.lines }) + '\n');
