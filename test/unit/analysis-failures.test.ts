import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { readProftpdConf } from '../../src-main/core/ingest/proftpd-conf.js';
import { matchName } from '../../src-main/core/store/match-key.js';
import { REPO } from '../helpers.js';
import { tempDatabasePerTest } from '../temp-db.js';
import { TRANSFERS_WIDE, ALL_TRANSFERS } from '../event-rows.js';

/**
 * Failed operations that several logs record are one transfer each, whatever the logs and the
 * order they are indexed in. Real ProFTPD 1.3.8 logs of `FAILURES=1 make-fixtures.sh`
 * (test/fixtures/proftpd/failures/): three downloads of a file that does not exist, an upload into
 * a missing folder, a delete and a rename of a missing file, written by the SystemLog, TransferLog
 * and five ExtendedLogs, one of them in Debian's awstats LogFormat whose %f is `-` for such a file.
 */

const DIR = path.join(REPO, 'test', 'fixtures', 'proftpd', 'failures');
const LOGS = path.join(DIR, 'logs');
const expected = JSON.parse(fs.readFileSync(path.join(DIR, 'expected.json'), 'utf8')) as {
  sessions: number;
  failed_transfers: Record<string, number>;
  failed_downloads: { path: string }[];
};

describe('failed transfers recorded by several logs', () => {
  const t = tempDatabasePerTest();
  const files = fs.readdirSync(LOGS).sort().map((f) => path.join(LOGS, f));
  // The conf's LogFormats (custom, awstats) read its ExtendedLogs; its paths are the server's.
  const conf = readProftpdConf(path.join(DIR, 'proftpd.conf'));

  it.each([
    ['in name order, one run', [files]],
    ['awstats log last, each file on its own', files.filter((f) => !f.endsWith('awstats.log')).concat(files.filter((f) => f.endsWith('awstats.log'))).map((f) => [f])],
    ['in reverse order, each file on its own', [...files].reverse().map((f) => [f])],
  ])('are counted once %s', async (_order, runs) => {
    for (const paths of runs) await indexPaths(t.db, paths, { timeZone: 'UTC', proftpdConf: conf });
    const unparsed = t.db.prepare('SELECT count(*) AS n FROM events WHERE kind = 2').get() as { n: number };
    expect(unparsed.n).toBe(0);
    const failed = t.db.prepare(`SELECT op, count(*) AS n FROM ${ALL_TRANSFERS} WHERE status = 'failed' GROUP BY op ORDER BY op`).all() as { op: string; n: number }[];
    expect(Object.fromEntries(failed.map((r) => [r.op, r.n]))).toEqual(expected.failed_transfers);
    const downloads = t.db.prepare(`SELECT path, record_sources FROM ${TRANSFERS_WIDE} WHERE status = 'failed' AND op = 'download' ORDER BY ts`).all() as { path: string; record_sources: string }[];
    expect(downloads.map((d) => matchName(d.path))).toEqual(expected.failed_downloads.map((d) => matchName(d.path)));
    // Each FTP download of /gone.txt is in the four ExtendedLogs that log RETR (default, write, custom, awstats).
    for (const d of downloads.filter((x) => matchName(x.path) === 'gone.txt')) expect(d.record_sources.split(',').filter(Boolean)).toHaveLength(4);
    const sessions = t.db.prepare('SELECT count(*) AS n FROM sessions').get() as { n: number };
    expect(sessions.n).toBe(expected.sessions);
  });
});
