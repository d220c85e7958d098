import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { timeInText } from '../../src-main/core/ingest/line-time.js';
import { localTimeZone } from '../../src-main/core/time.js';
import { REPO } from '../helpers.js';
import { tempDatabasePerTest } from '../temp-db.js';

/** Times found in lines no format understands (ingest/line-time.ts), and W3C header lines' times. */

const REALWORLD = path.resolve(REPO, '..', 'shared', 'realworld');
const UTC = { timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 10, 30) };
const firstLine = (file: string) => fs.readFileSync(path.join(REALWORLD, file), 'utf8').split('\n')[0]!;
/** A real line made unreadable to every format by text before it. */
const garbled = (file: string) => `??? ${firstLine(file)}`;

describe('timeInText', () => {
  it.each([
    // ISO with a comma fraction, local time (ProFTPD SystemLog).
    ['proftpd/proftpd.log.issue1613', Date.UTC(2023, 2, 1, 12, 16, 27, 55), true],
    // CLF with its offset (ProFTPD ExtendedLog): -0500.
    ['proftpd/extended.log.issue1611', Date.UTC(2023, 2, 6, 16, 33, 50), false],
    // ctime with its year (xferlog).
    ['xferlog/xferlog.ossec', undefined, true],
    // syslog with no year: the file date's year.
    ['proftpd/proftpd.log.ossec-opala', undefined, true],
    // month/day/year with a 12-hour clock (FileZilla 0.9 en-US).
    ['filezilla/fzs-2019-12-18.log', undefined, true],
  ] as const)('finds the time in a garbled line of %s', (file, expected, local) => {
    const found = timeInText(garbled(file), UTC);
    expect(found, file).toBeDefined();
    expect(found!.local).toBe(local);
    if (expected !== undefined) expect(found!.ts).toBe(expected);
  });

  it('reads each shape', () => {
    expect(timeInText('x 2026-11-23T18:51:02.079+01:00 y', UTC)).toEqual({ ts: Date.UTC(2026, 10, 23, 17, 51, 2, 79), local: false });
    expect(timeInText('at Nov  3 18:51:02 it broke', UTC)).toEqual({ ts: Date.UTC(2026, 10, 3, 18, 51, 2), local: true });
    expect(timeInText('Mon Nov 23 18:51:02 2026 odd', UTC)).toEqual({ ts: Date.UTC(2026, 10, 23, 18, 51, 2), local: true });
    expect(timeInText('11/23/2026 6:51:02 PM odd', UTC)!.ts).toBe(Date.UTC(2026, 10, 23, 18, 51, 2));
    expect(timeInText('23/11/2026 18:51:02 odd', UTC)!.ts).toBe(Date.UTC(2026, 10, 23, 18, 51, 2));
    expect(timeInText('23.11.2026 18:51:02 odd', UTC)!.ts).toBe(Date.UTC(2026, 10, 23, 18, 51, 2));
    expect(timeInText('23.11.2026 18:51:02 odd', { ...UTC, timeZone: 'Europe/Berlin' })!.ts).toBe(Date.UTC(2026, 10, 23, 17, 51, 2));
  });

  it('takes the earliest time of the line', () => {
    expect(timeInText('Nov 23 18:51:02 host app: file of 2020-01-01T00:00:00Z', UTC)!.ts).toBe(Date.UTC(2026, 10, 23, 18, 51, 2));
  });

  it('finds nothing in text without a date', () => {
    for (const line of ['pirate.sourceforge.net', '...', 'version 1.2.3 at 10:00:00', '2026-13-45 99:99:99']) expect(timeInText(line, UTC), line).toBeUndefined();
  });
});

describe('indexing', () => {
  const t = tempDatabasePerTest();

  it('gives an unparsed line the time it holds, and the previous line\'s when it holds none', async () => {
    const file = path.join(t.dir, 'app.log');
    fs.writeFileSync(file, [firstLine('vsftpd/vsftpd.log.aliyun-2017'), '** garbled 2017-05-21T01:02:03Z line', 'no time here'].join('\n') + '\n');
    const summary = await indexPaths(t.db, [file], { timeZone: 'UTC' });
    expect(summary).toMatchObject({ events: 1, unparsed: 2 });
    const rows = t.db.prepare('SELECT kind, ts FROM events ORDER BY line_no').all() as { kind: number; ts: number }[];
    expect(rows[1]).toEqual({ kind: 2, ts: Date.UTC(2017, 4, 21, 1, 2, 3) });
    expect(rows[2]!.ts).toBe(rows[0]!.ts);
  });

  it('gives W3C header lines the time of their #Date, else of the next dated line', async () => {
    await indexPaths(t.db, [path.join(REALWORLD, 'iis-ftp/ex001009.log'), path.join(REALWORLD, 'iis-ftp/u_ex231229.log')], { timeZone: 'UTC' });
    const rows = t.db.prepare('SELECT e.kind, e.ts, e.line_no, s.path FROM events e JOIN sources s ON s.id = e.source_id ORDER BY s.path, e.line_no').all() as { kind: number; ts: number | null; line_no: number; path: string }[];
    expect(rows.filter((r) => r.ts === null)).toEqual([]);
    const lines = (name: string) => fs.readFileSync(path.join(REALWORLD, 'iis-ftp', name), 'utf8').split('\n');
    for (const name of ['ex001009.log', 'u_ex231229.log']) {
      const text = lines(name);
      const mine = rows.filter((r) => r.path.endsWith(name));
      for (const r of mine.filter((r) => r.kind === 1)) {
        // Each header line: the time of the #Date of its header block (the run of # lines).
        let start = r.line_no - 1;
        while (start > 0 && text[start - 1]!.startsWith('#')) start--;
        let end = r.line_no - 1;
        while (text[end + 1]?.startsWith('#')) end++;
        const dateLine = text.slice(start, end + 1).find((l) => l.startsWith('#Date:'))!;
        const [d, tm] = dateLine.slice(7).trim().split(' ');
        expect(r.ts, `${name}:${r.line_no}`).toBe(Date.parse(`${d}T${tm}Z`));
      }
    }
  });
});

describe("the machine's zone", () => {
  it('is the one TZ names, asked again when TZ changes', () => {
    const before = process.env.TZ;
    try {
      process.env.TZ = 'Asia/Tokyo';
      expect(localTimeZone()).toBe('Asia/Tokyo');
      expect(localTimeZone()).toBe('Asia/Tokyo');
      process.env.TZ = 'America/New_York';
      expect(localTimeZone()).toBe('America/New_York');
    } finally {
      if (before === undefined) delete process.env.TZ;
      else process.env.TZ = before;
    }
    expect(localTimeZone()).toBe(Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC');
  });
});
