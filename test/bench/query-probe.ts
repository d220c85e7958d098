/**
 * Times the queries the UI makes, on an indexed database (issue 6's targets), in its own process:
 *
 *   node dist/test/bench/query-probe.js DB [LOG]
 *
 * Prints one JSON object: each figure in ms (median of a few runs), plus `grep -c` and `wc -l` on
 * LOG when given (the baselines for search and I/O).
 */
import { spawnSync } from 'node:child_process';
import { openDatabase } from '../../src-main/core/store/db.js';
import { aggregate, countRows, queryPage } from '../../src-main/core/query/index.js';
import { stringSql } from '../../src-main/core/store/strings.js';

const [dbFile, log] = process.argv.slice(2);
if (!dbFile) throw new Error('usage: query-probe DB [LOG]');
process.env.XFERLENS_QUIET_SLOW = '1';
const db = openDatabase(dbFile, { readonly: true });

function time(run: () => unknown, times = 5): number {
  const ms: number[] = [];
  for (let i = 0; i < times; i++) {
    const t0 = performance.now();
    run();
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return Math.round(ms[Math.floor(ms.length / 2)]! * 10) / 10;
}

// Values that exist in the data, picked like a user would (a frequent user, an IP, a code).
const pick = (sql: string) => (db.prepare(sql).get() as { v: string | number } | undefined)?.v;
const user = String(pick(`SELECT ${stringSql('events', 'user')} AS v FROM events WHERE user_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 1000`));
const ip = String(pick(`SELECT ${stringSql('events', 'client_ip')} AS v FROM events WHERE client_ip_id IS NOT NULL ORDER BY id LIMIT 1 OFFSET 2000`));
const lo = Number(pick('SELECT min(ts) AS v FROM events'));
const hi = Number(pick('SELECT max(ts) AS v FROM events'));
const day = new Date(lo + (hi - lo) / 2).toISOString().slice(0, 10);
const nextDay = new Date(Date.parse(day) + 86_400_000).toISOString().slice(0, 10);
const page = (query: string, extra: object = {}) => queryPage(db, { kind: 'events', query, limit: 200, count: false, ...extra });

/** Page fetches while scrolling from a point in the middle: each next page from the previous cursor. */
function scrollMs(): { medianMs: number; maxMs: number } {
  let cursor = page(`after:${day}`).nextCursor;
  const ms: number[] = [];
  for (let i = 0; i < 30 && cursor; i++) {
    const t0 = performance.now();
    cursor = page(`after:${day}`, { cursor }).nextCursor;
    ms.push(performance.now() - t0);
  }
  ms.sort((a, b) => a - b);
  return { medianMs: Math.round(ms[ms.length >> 1]! * 10) / 10, maxMs: Math.round(ms[ms.length - 1]! * 10) / 10 };
}

function shellMs(cmd: string, args: string[]): { ms: number; out: string } {
  const t0 = performance.now();
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 1 << 20 });
  return { ms: Math.round(performance.now() - t0), out: r.stdout.trim() };
}

const events = countRows(db, 'events', '');
const result = {
  events,
  terms: { user, ip, day },
  ftsFirstPageMs: time(() => page(user)),
  userFirstPageMs: time(() => page(`user:${user}`)),
  ipFirstPageMs: time(() => page(`ip:${ip}`)),
  codeFirstPageMs: time(() => page('code:550')),
  dayRangeFirstPageMs: time(() => page(`after:${day} before:${nextDay}`)),
  lastPageMs: time(() => page('', { direction: 'prev' })),
  scroll: scrollMs(),
  countAllMs: time(() => countRows(db, 'events', ''), 3),
  countFailedMs: time(() => countRows(db, 'events', 'failed'), 3),
  countTermMs: time(() => countRows(db, 'events', user), 3),
  aggregateAllMs: time(() => aggregate(db, 'events', ''), 3),
  aggregateUserMs: time(() => aggregate(db, 'events', `user:${user}`), 3),
  aggregateTransfersMs: time(() => aggregate(db, 'transfers', ''), 3),
  grepCountMs: log ? shellMs('grep', ['-c', user, log]).ms : null,
  wcMs: log ? shellMs('wc', ['-l', log]).ms : null,
};
db.close();
process.stdout.write(JSON.stringify(result) + '\n');
