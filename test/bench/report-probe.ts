/**
 * Report probe for the benchmark: makes the report of an indexed database in its own process, the
 * way `xferlens report` does, and prints the times and sizes as JSON: HTML of everything, HTML of one
 * user over one day, and PDF of everything printed by Chromium (skipped, saying why, without one).
 *
 *   node dist/test/bench/report-probe.js DB
 */
import { openDatabase } from '../../src-main/core/store/db.js';
import { makeReport } from '../../src-main/core/report/make.js';
import { chromiumPrinter, findChromium } from '../../src-main/core/report/pdf.js';

const [dbFile] = process.argv.slice(2);
if (!dbFile) throw new Error('usage: report-probe DB');
process.env.XFERLENS_QUIET_SLOW = '1';
const db = openDatabase(dbFile, { readonly: true });

async function timed(req: Parameters<typeof makeReport>[1], format: 'html' | 'pdf') {
  const t0 = performance.now();
  const { data, document } = await makeReport(db, req, { format, printer: chromiumPrinter() });
  const ms = Math.round(performance.now() - t0);
  const transfers = 'total' in data.transfers ? data.transfers.total : null;
  return { ms, bytes: Buffer.byteLength(document), events: data.figures.find((f) => f.id === 'events')!.count, transfers };
}

const all = await timed({ query: '', timeZone: 'UTC' }, 'html');
// One user's day: the first user of the chart, the data's first day.
const first = (db.prepare('SELECT min(ts) AS t FROM events').get() as { t: number }).t;
const user = (db.prepare("SELECT s.value AS v FROM events e JOIN strings s ON s.id = e.user_id WHERE e.user_id IS NOT NULL LIMIT 1").get() as { v: string } | undefined)?.v ?? 'x';
const day = Math.floor(first / 86_400_000) * 86_400_000;
const userDay = await timed({ query: `user:"${user}"`, from: day, to: day + 86_400_000, timeZone: 'UTC' }, 'html');
const pdf = findChromium() ? await timed({ query: '', timeZone: 'UTC' }, 'pdf') : { skipped: 'no Chromium installed (apt-get install chromium)' };
db.close();
process.stdout.write(JSON.stringify({ all, userDay, pdf }) + '\n');
