/**
 * A transfer's id is its first record's event's (schema 17): every transfer is headed by an event
 * that links to it, a file emptied in a run does not make a later transfer take an id still held,
 * and an export of transfers still splits at their median time.
 */
import { ALL_TRANSFERS } from '../event-rows.js';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { timeSplitPoint } from '../../src-main/core/query/page.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { tempDir } from '../helpers.js';

/** An xferlog line: one upload of `name` at 10:00:`second` on the day given. */
const xferlog = (day: string, second: number, name: string) =>
  `${day} 10:00:${String(second).padStart(2, '0')} 2026 0 10.0.0.1 ${1000 + second} /srv/${name}.csv b _ i r alice ftp 0 * c\n`;

const lines = (day: string, n: number, name: string) => Array.from({ length: n }, (_, i) => xferlog(day, i, `${name}${i}`)).join('');

/** Transfers whose id is not an event that links to them (none should be). */
const unheaded = (db: Db) =>
  db.prepare(`SELECT count(*) FROM ${ALL_TRANSFERS} t WHERE NOT EXISTS (SELECT 1 FROM events e WHERE e.id = t.id AND e.transfer_id = t.id)`).pluck().get() as number;

const dir = tempDir();
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('transfer ids', () => {
  it('are their first events\' ids; a file emptied in the same run as new transfers of another makes no id taken twice', async () => {
    const a = path.join(dir, 'a', 'xferlog');
    const b = path.join(dir, 'b', 'xferlog');
    fs.mkdirSync(path.dirname(a));
    fs.mkdirSync(path.dirname(b));
    fs.writeFileSync(a, lines('Mon Jan  5', 5, 'a'));
    fs.writeFileSync(b, lines('Fri Nov 20', 10, 'b'));
    const db = openDatabase(path.join(dir, 'ids.sqlite'));
    try {
      const opts = { timeZone: 'UTC' };
      expect((await indexPaths(db, [a], opts)).errors).toEqual([]);
      expect((await indexPaths(db, [b], opts)).errors).toEqual([]);
      expect(db.prepare(`SELECT count(*) FROM ${ALL_TRANSFERS}`).pluck().get()).toBe(15);
      expect(unheaded(db)).toBe(0);
      // B is emptied (copytruncate) while A grows: B's rows go first, its transfers stay until the
      // analysis is rebuilt at the run's end, and A's new rows take ids after B's old ones.
      fs.truncateSync(b, 0);
      fs.appendFileSync(a, lines('Sat Feb  7', 5, 'c'));
      const run = await indexPaths(db, [b, a], opts);
      expect(run.errors).toEqual([]);
      expect(db.prepare('SELECT lines_indexed FROM sources WHERE path = ?').pluck().get(a)).toBe(10);
      expect(db.prepare('SELECT count(*) FROM events').pluck().get()).toBe(10);
      expect(db.prepare(`SELECT count(*) FROM ${ALL_TRANSFERS}`).pluck().get()).toBe(10);
      expect(unheaded(db)).toBe(0);
    } finally {
      db.close();
    }
  });

  it('an export of transfers splits at their median time, not at an id that counts every line', async () => {
    // Most lines of this log are not transfers: transfers' ids (their events') run far past their count.
    const log = path.join(dir, 'u_ex260110.log');
    const rows = ['#Software: Globalscape EFT', '#Fields: date time c-ip cs-username cs-method cs-uri-stem sc-status sc-bytes'];
    for (let i = 0; i < 400; i++) {
      const t = `2026-01-10 10:${String(Math.floor(i / 60)).padStart(2, '0')}:${String(i % 60).padStart(2, '0')}`;
      rows.push(`${t} 10.0.0.9 bob [${i}]user bob 331 -`, `${t} 10.0.0.9 bob [${i}]pass ****** 230 -`, `${t} 10.0.0.9 bob [${i}]pwd - 257 -`);
      if (i % 4 === 0) rows.push(`${t} 10.0.0.9 bob [${i}]sent /out/f${i}.csv 226 ${100 + i}`);
    }
    fs.writeFileSync(log, rows.join('\r\n') + '\r\n');
    const db = openDatabase(path.join(dir, 'split.sqlite'));
    try {
      await indexPaths(db, [log], { timeZone: 'UTC' });
      const times = db.prepare(`SELECT ts FROM ${ALL_TRANSFERS} ORDER BY ts`).pluck().all() as number[];
      expect(times.length).toBe(100);
      expect(db.prepare(`SELECT max(id) FROM ${ALL_TRANSFERS}`).pluck().get()).toBeGreaterThan(1000);
      expect(timeSplitPoint(db, 'transfers')).toBe(times[50]);
    } finally {
      db.close();
    }
  });
});
