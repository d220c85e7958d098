import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/store/db.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { rebuildAnalysis } from '../../src-main/core/analysis/rebuild.js';
import { Analyzer } from '../../src-main/core/analysis/analyzer.js';
import { StringInterner } from '../../src-main/core/store/strings.js';
import { SESSION_KEY_IS } from '../../src-main/core/store/session-keys.js';
import { matchName } from '../../src-main/core/store/match-key.js';
import { outcomeOf } from '../../src-main/core/analysis/activity.js';
import { formatById } from '../../src-main/core/formats/registry.js';
import { REPO, tempDir, writeLines } from '../helpers.js';
import { eventsWide, TRANSFERS_WIDE, ALL_TRANSFERS, SESSIONS_WIDE } from '../event-rows.js';
import { expectSessionsFoundBySpans } from '../spans.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'proftpd');
const LOGS = path.join(FIXTURES, 'logs');
const scenario = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'scenario.json'), 'utf8'));
const CUSTOM = { name: 'custom', format: scenario.log_formats['ext-custom.log'].format as string };

let dir: string;
let dbFile: string;
beforeEach(() => {
  dir = tempDir();
  dbFile = path.join(dir, 'index.sqlite');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

async function index(inputs: string[], file = dbFile, logFormats = [CUSTOM]) {
  const db = openDatabase(file);
  try {
    return await indexPaths(db, inputs, { timeZone: 'UTC', logFormats });
  } finally {
    db.close();
  }
}

function read<T = any>(sql: string, ...params: unknown[]): T[] {
  const db = new Database(dbFile, { readonly: true });
  try {
    return db.prepare(sql).all(...params) as T[];
  } finally {
    db.close();
  }
}

/** What the client script did, as the sessions and transfers views should show it. */
function expectScenario() {
  const sessions = read(`SELECT * FROM ${SESSIONS_WIDE} ORDER BY start_ts`);
  expect(sessions).toHaveLength(scenario.counts.sessions);
  // Each session in the order the script ran them: its user, protocol and login outcome.
  expect(sessions.map((s) => [s.user, s.protocol, s.login])).toEqual(
    scenario.sessions.map((s: any) => [s.user, s.protocol, s.login === 'ok' ? 'success' : 'failed']),
  );
  expect(sessions.filter((s) => s.login === 'failed').map((s) => s.login_reason)).toEqual(
    scenario.failed_logins.map((f: any) => f.reason),
  );
  expect(sessions.every((s) => s.open === 0 && s.end_ts >= s.start_ts)).toBe(true);
  expect(sessions.reduce((n, s) => n + s.failed_logins, 0)).toBe(scenario.counts.failed_logins.total);

  const transfers = read(`SELECT t.*, s.user AS session_user, s.protocol AS session_protocol FROM ${TRANSFERS_WIDE} t LEFT JOIN ${SESSIONS_WIDE} s ON s.id = t.session_id ORDER BY t.ts`);
  const count = (op: string, status = 'success') => transfers.filter((t) => t.op === op && t.status === status).length;
  expect(count('upload')).toBe(scenario.counts.uploads);
  expect(count('download')).toBe(scenario.counts.downloads);
  expect(count('download', 'failed')).toBe(scenario.counts.failed_downloads);
  expect(count('rename')).toBe(scenario.counts.renames);
  expect(count('delete')).toBe(scenario.counts.deletes);
  expect(count('mkdir')).toBe(scenario.counts.mkdirs);
  expect(count('rmdir')).toBe(scenario.counts.rmdirs);
  expect(transfers).toHaveLength(
    scenario.counts.uploads + scenario.counts.downloads + scenario.counts.failed_downloads + scenario.counts.renames +
      scenario.counts.deletes + scenario.counts.mkdirs + scenario.counts.rmdirs,
  );
  // Every transfer belongs to the session that did it, and each upload is the right file and size.
  expect(transfers.every((t) => t.session_id !== null)).toBe(true);
  for (const u of scenario.uploads) {
    // The path as the best log wrote it: the server's (%f), the client's, or xferlog's with `_` for spaces.
    const t = transfers.find((x) => x.op === 'upload' && matchName(x.path) === matchName(u.server_path));
    expect(t, u.server_path).toMatchObject({ bytes: u.bytes, user: u.user, session_user: u.user, session_protocol: u.protocol });
    expect(t.records).toBeGreaterThanOrEqual(2); // the TransferLog and the ExtendedLogs, joined
  }
  for (const d of scenario.failed_downloads) {
    expect(transfers.find((x) => x.op === 'download' && x.status === 'failed' && matchName(x.path) === matchName(d.path))).toBeTruthy();
  }
  const rename = transfers.find((t) => t.op === 'rename' && t.session_protocol === 'ftp');
  expect([rename.path, rename.path_to].map((p: string) => path.basename(p))).toEqual(['data.bin', 'data-2026.bin']);
  // Session counters agree with the transfers and events they hold.
  for (const s of sessions) {
    expect(read('SELECT count(*) AS n FROM events WHERE session_id = ?', s.id)[0].n).toBe(s.events);
    const mine = transfers.filter((t) => t.session_id === s.id && t.status === 'success');
    expect([s.uploads, s.downloads, s.deletes, s.renames]).toEqual(['upload', 'download', 'delete', 'rename'].map((op) => mine.filter((t) => t.op === op).length));
    expect(s.bytes_up).toBe(mine.filter((t) => t.op === 'upload').reduce((n, t) => n + t.bytes, 0));
  }
  const db = openDatabase(dbFile, { readonly: true });
  try {
    expectSessionsFoundBySpans(db);
  } finally {
    db.close();
  }
  return { sessions, transfers };
}

describe('sessions and transfers from the real ProFTPD logs', () => {
  it('shows each login and each operation of the client script once, across all eight logs', async () => {
    await index([LOGS]);
    const { sessions, transfers } = expectScenario();
    // With %f in a LogFormat, each upload shows the server's exact path.
    expect(transfers.filter((t) => t.op === 'upload').map((t) => t.path).sort()).toEqual(scenario.uploads.map((u: any) => u.server_path).sort());
    const alice = sessions[0];
    expect(alice).toMatchObject({ user: 'alice', protocol: 'ftp', end_reason: 'quit', uploads: 3, downloads: 2, deletes: 1, renames: 1, failures: 3, commands: 40 });
    expect(alice.duration_ms).toBeLessThan(1000); // precise times refine the whole-second ones
    // Events of every log are linked to their session (the system log's logins, the SFTP log's lines…).
    const linked = read<{ format: string; n: number }>(
      'SELECT s.format, count(*) AS n FROM events e JOIN sources s ON s.id = e.source_id WHERE e.session_id IS NOT NULL GROUP BY 1',
    );
    expect(linked.map((l) => l.format).sort()).toEqual(['proftpd-extended', 'proftpd-modlog', 'proftpd-system', 'xferlog']);
    // Each record of a transfer points at it; the transfer points at its first record.
    const [t] = read(`SELECT * FROM ${TRANSFERS_WIDE} WHERE op = 'upload' ORDER BY ts LIMIT 1`);
    const records = read('SELECT source_id FROM events WHERE transfer_id = ?', t.id);
    expect(records).toHaveLength(t.records);
    expect(read('SELECT transfer_id FROM events WHERE id = ?', t.event_id)[0].transfer_id).toBe(t.id);
  });

  it('links the records of logs without a connection key once the sessions around them are known', async () => {
    // Without the custom LogFormat its log is unparsed: the transfers come only from logs with no pid
    // (ExtendedLog default/write, xferlog) and still land in the right sessions.
    await index([LOGS], dbFile, []);
    expectScenario();
  });

  it('builds the index that finds one operation in several logs once a second log overlaps the first', async () => {
    const matchIndex = () => read("SELECT name FROM sqlite_schema WHERE name = 'transfers_match'").length;
    await index([path.join(LOGS, 'system.log')]);
    expect(matchIndex()).toBe(0);
    // One log's sessions: their rows say everything (no per-log counts kept beside them).
    expect(read('SELECT count(*) AS n, count(pending) AS kept FROM sessions')).toEqual([{ n: scenario.counts.sessions, kept: 0 }]);
    await index([LOGS]);
    expect(matchIndex()).toBe(1);
    expectScenario();
  });

  it('a run tries again only the transfers without a session near the sessions it wrote', async () => {
    // The transfers no session fits stay without one: an unknown client beside the scenario's.
    const stray = path.join(dir, 'xferlog.stray');
    writeLines(stray, ['Mon Nov 23 18:51:05 2026 0 203.0.113.99 1 /srv/stray.bin b _ o r mallory ftp 0 * c']);
    await index([LOGS, stray]);
    const unlinked = read(`SELECT count(*) AS n FROM ${ALL_TRANSFERS} WHERE session_id IS NULL AND client_ip_id IS NOT NULL`)[0].n;
    expect(unlinked).toBeGreaterThan(0);
    const db = openDatabase(dbFile);
    try {
      const relink = () => db.transaction(() => new Analyzer(db, new StringInterner(db)).relinkTransfers())();
      // The run tried them already, and no session changed since.
      expect(relink()).toEqual({ tried: 0, linked: 0 });
      // A database that never kept the span (an older release): every one is tried, once.
      db.prepare("DELETE FROM meta WHERE key = 'relink_span'").run();
      expect(relink()).toEqual({ tried: unlinked, linked: 0 });
      expect(relink()).toEqual({ tried: 0, linked: 0 });
      // Sessions written far from them (a day later): none is near.
      const t = read(`SELECT max(ts) AS t FROM ${ALL_TRANSFERS}`)[0].t as number;
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('relink_span', ?)").run(`${t + 86_400_000},${t + 90_000_000}`);
      expect(relink()).toEqual({ tried: 0, linked: 0 });
      // Around them: tried again.
      db.prepare("INSERT OR REPLACE INTO meta (key, value) VALUES ('relink_span', ?)").run(`${t - 3_600_000},${t + 1000}`);
      expect(relink().tried).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('gives the same result whatever order the files are indexed in, one run each', async () => {
    for (const f of fs.readdirSync(LOGS).sort().reverse()) await index([path.join(LOGS, f)]);
    expectScenario();
    // The keyless logs came first: their transfers were linked to sessions by the later runs, and
    // each of their records with them (found by time: no index on the events' transfer).
    const strays = `SELECT count(*) AS n FROM events e JOIN ${ALL_TRANSFERS} t ON t.id = e.transfer_id WHERE t.session_id IS NOT NULL AND e.session_id IS NOT t.session_id`;
    expect(read(strays)[0].n).toBe(0);
  });

  it('rebuilding from the stored events gives the same sessions and transfers', async () => {
    await index([LOGS]);
    const before = [read('SELECT * FROM sessions ORDER BY id'), read(`SELECT * FROM ${ALL_TRANSFERS} ORDER BY id`), read('SELECT id, session_id, transfer_id, op, outcome FROM events ORDER BY id')];
    const db = openDatabase(dbFile);
    const r = rebuildAnalysis(db);
    db.close();
    expect(r).toMatchObject({ sessions: 8, transfers: 25 });
    expect([read('SELECT * FROM sessions ORDER BY id'), read(`SELECT * FROM ${ALL_TRANSFERS} ORDER BY id`), read('SELECT id, session_id, transfer_id, op, outcome FROM events ORDER BY id')]).toEqual(before);
  });

  it('a rebuild writes every link that differs (lines keep the ones that do not) and gives back the indexes it drops', async () => {
    // A W3C log beside them: its header lines and its unparsed line have no links.
    const w3c = path.join(dir, 'u_ex261123.log');
    writeLines(w3c, ['#Software: Globalscape EFT', '#Version: 1.0', '#Date: 2026-11-23 18:00:00',
      '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port',
      '2026-11-23 18:00:01 10.0.0.5 - partner1 [1]user partner1 - 331 - - - 21',
      '2026-11-23 18:00:02 10.0.0.5 - partner1 [1]pass ******* - 230 - - - 21',
      '2026-11-23 18:00:05 10.0.0.5 - partner1 [1]created /in/a.csv - 226 - 4096 - 21',
      'a line no parser understands']);
    await index([LOGS, w3c]);
    const links = 'SELECT id, kind, session_id, transfer_id, op, outcome FROM events ORDER BY id';
    const indexes = "SELECT name, sql FROM sqlite_schema WHERE type = 'index' ORDER BY name";
    const before = [read('SELECT * FROM sessions ORDER BY id'), read(`SELECT * FROM ${ALL_TRANSFERS} ORDER BY id`), read(links), read(indexes)];
    const db = openDatabase(dbFile);
    // Links the analysis would not give: lost, wrong, and on lines that have none (headers, unparsed).
    const changed = db.prepare(`UPDATE events SET session_id = CASE WHEN id % 3 = 0 THEN NULL ELSE session_id + 1 END,
      transfer_id = CASE WHEN id % 2 = 0 THEN NULL ELSE 999 END,
      flags = (flags & ~63) | (CASE WHEN id % 5 = 0 THEN 0 ELSE 3 END) | (2 << 4) -- op_code NULL or 2, outcome_code 1 (store/op-codes.ts)
      WHERE id % 4 != 1 OR kind != 0`).run().changes;
    expect(changed).toBeGreaterThan(50);
    for (const kind of [1, 2]) expect(read('SELECT count(*) AS n FROM events WHERE kind = ? AND outcome_code IS NOT NULL', kind)[0].n).toBeGreaterThan(0);
    rebuildAnalysis(db);
    db.close();
    expect([read('SELECT * FROM sessions ORDER BY id'), read(`SELECT * FROM ${ALL_TRANSFERS} ORDER BY id`), read(links), read(indexes)]).toEqual(before);
  });

  it("two processes indexing at once (taking turns per batch): each session's events are found by the spans both recorded", async () => {
    // One indexes the logs with connection keys, the other the keyless ones, whose lines join the
    // first one's sessions: a writer's cached sessions must not overwrite what the other wrote since.
    const keyed = ['system.log', 'ext-custom.log', 'sftp.log', 'tls.log', 'ext-auth.log'].map((f) => path.join(LOGS, f));
    const keyless = ['xferlog', 'ext-default.log', 'ext-write.log'].map((f) => path.join(LOGS, f));
    const a = openDatabase(dbFile), b = openDatabase(dbFile);
    try {
      const opts = { timeZone: 'UTC', logFormats: [CUSTOM], batchBytes: 200 };
      await Promise.all([indexPaths(a, keyed, opts), indexPaths(b, keyless, opts)]);
    } finally {
      a.close();
      b.close();
    }
    const db = openDatabase(dbFile, { readonly: true });
    try {
      const linkedFromOtherLogs = db.prepare('SELECT count(*) FROM events e JOIN sessions s ON s.id = e.session_id WHERE e.source_id <> s.source_id').pluck().get() as number;
      expect(linkedFromOtherLogs).toBeGreaterThan(10);
      expectSessionsFoundBySpans(db);
    } finally {
      db.close();
    }
  });

  it('re-indexing a replaced file rebuilds the sessions without duplicates', async () => {
    const copy = path.join(dir, 'logs');
    fs.cpSync(LOGS, copy, { recursive: true });
    await index([copy]);
    // The xferlog is rotated away and recreated with the same content plus nothing: indexed again.
    const x = path.join(copy, 'xferlog');
    const content = fs.readFileSync(x);
    fs.rmSync(x);
    fs.writeFileSync(x, Buffer.concat([Buffer.from('Mon Nov 23 18:51:05 2026 0 localhost 1 /srv/other.bin b _ o r carol ftp 0 * c\n'), content]));
    await index([copy]);
    const transfers = read(`SELECT * FROM ${TRANSFERS_WIDE}`);
    expect(transfers.filter((t) => t.op === 'upload' && t.status === 'success')).toHaveLength(scenario.counts.uploads);
    expect(transfers.filter((t) => t.user === 'carol')).toHaveLength(1);
  });
});

const W3C_HEADER = [
  '#Software: Globalscape EFT',
  '#Version: 1.0',
  '#Date: 2026-03-02 08:00:00',
  '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port',
];

describe('EFT W3C sessions', () => {
  it('keeps interleaved connections apart, ends one at quit, and never merges [N] across a restart', async () => {
    const file = path.join(dir, 'u_ex260302.log');
    writeLines(file, [
      ...W3C_HEADER,
      '2026-03-02 08:00:01 10.0.0.5 - partner1 [1]user partner1 - 331 - - - 21',
      '2026-03-02 08:00:01 10.0.0.9 - partner2 [2]user partner2 - 331 - - - 21',
      '2026-03-02 08:00:02 10.0.0.5 - partner1 [1]pass ******* - 230 - - - 21',
      '2026-03-02 08:00:02 10.0.0.9 - partner2 [2]pass ******* - 530 - - - 21',
      '2026-03-02 08:00:05 10.0.0.5 - partner1 [1]created /in/INV+2026-01.csv - 226 - 4096 - 21',
      '2026-03-02 08:00:06 10.0.0.5 - partner1 [1]sent /out/ack.txt - 226 12 - - 21',
      '2026-03-02 08:00:07 10.0.0.5 - partner1 [1]sent /out/missing.txt - 550 - - - 21',
      '2026-03-02 08:00:08 10.0.0.5 - partner1 [1]rnfr /in/INV+2026-01.csv - 350 - - - 21',
      '2026-03-02 08:00:08 10.0.0.5 - partner1 [1]rnto /in/done/INV+2026-01.csv - 250 - - - 21',
      '2026-03-02 08:00:09 10.0.0.5 - partner1 [1]quit - - 221 - - - 21',
      // Same client, next connection: EFT gives it a new number.
      '2026-03-02 08:00:20 10.0.0.5 - partner1 [3]user partner1 - 331 - - - 21',
      '2026-03-02 08:00:20 10.0.0.5 - partner1 [3]pass ******* - 230 - - - 21',
      // The service restarts: a new header block, and numbering starts again at 1.
      ...W3C_HEADER,
      '2026-03-02 08:05:00 10.0.0.5 - partner1 [1]user partner1 - 331 - - - 21',
      '2026-03-02 08:05:00 10.0.0.5 - partner1 [1]pass ******* - 230 - - - 21',
      '2026-03-02 08:05:03 10.0.0.5 - partner1 [1]dele /in/old.csv - 250 - - - 21',
    ]);
    await index([file]);
    const s = read(`SELECT * FROM ${SESSIONS_WIDE} ORDER BY start_ts, id`);
    expect(s.map((x) => [x.user, x.client_ip, x.login, x.end_reason, x.open])).toEqual([
      ['partner1', '10.0.0.5', 'success', 'quit', 0],
      // The restart ended every connection it found open.
      ['partner2', '10.0.0.9', 'failed', 'unknown', 0],
      ['partner1', '10.0.0.5', 'success', 'unknown', 0],
      ['partner1', '10.0.0.5', 'success', null, 1],
    ]);
    expect(s[0]).toMatchObject({ uploads: 1, downloads: 1, renames: 1, failures: 1, bytes_up: 4096, bytes_down: 12, commands: 8, duration_ms: 8000 });
    expect(s[3]).toMatchObject({ deletes: 1, start_ts: Date.UTC(2026, 2, 2, 8, 5, 0) });
    const t = read(`SELECT * FROM ${TRANSFERS_WIDE} ORDER BY ts, id`);
    expect(t.map((x) => [x.op, x.path, x.path_to, x.status, x.code])).toEqual([
      ['upload', '/in/INV 2026-01.csv', null, 'success', '226'],
      ['download', '/out/ack.txt', null, 'success', '226'],
      ['download', '/out/missing.txt', null, 'failed', '550'],
      ['rename', '/in/INV 2026-01.csv', '/in/done/INV 2026-01.csv', 'success', '250'],
      ['delete', '/in/old.csv', null, 'success', '250'],
    ]);
    // Events carry their operation and outcome, so `dir:` and `status:` filter them too.
    expect(read(`SELECT op, outcome FROM ${eventsWide('main', false)} WHERE verb IN ('pass', 'sent') ORDER BY line_no`)).toEqual([
      { op: 'login', outcome: 'success' }, { op: 'login', outcome: 'failed' }, { op: 'download', outcome: 'success' },
      { op: 'download', outcome: 'failed' }, { op: 'login', outcome: 'success' }, { op: 'login', outcome: 'success' },
    ]);
  });

  it('keeps apart the connections of two servers whose keys end alike (the sessions index holds only their ends)', async () => {
    // The same client and connection number in two servers' folders that end alike: their keys
    // (`w3c|FOLDER|IP|N`) share their last 16 characters, which is what sessions_conn indexes.
    const files = ['east', 'west'].map((site) => path.join(dir, site, 'logs', 'u_ex260302.log'));
    for (const [k, file] of files.entries()) {
      fs.mkdirSync(path.dirname(file), { recursive: true });
      const user = `partner${k + 1}`;
      writeLines(file, [
        ...W3C_HEADER,
        `2026-03-02 08:00:01 10.0.0.5 - ${user} [1]user ${user} - 331 - - - 21`,
        `2026-03-02 08:00:02 10.0.0.5 - ${user} [1]pass ******* - 230 - - - 21`,
        `2026-03-02 08:00:0${5 + k} 10.0.0.5 - ${user} [1]sent /out/${user}.txt - 226 12 - - 21`,
        `2026-03-02 08:00:09 10.0.0.5 - ${user} [1]quit - - 221 - - - 21`,
      ]);
    }
    await index([files[0]!]);
    await index([files[1]!]);
    const s = read(`SELECT conn_key, user, events, downloads, end_reason FROM ${SESSIONS_WIDE} ORDER BY id`);
    expect(s.map((x) => x.conn_key.slice(-16))).toEqual(['/logs|10.0.0.5|1', '/logs|10.0.0.5|1']);
    expect(s.map((x) => [x.user, x.events, x.downloads, x.end_reason])).toEqual([['partner1', 4, 1, 'quit'], ['partner2', 4, 1, 'quit']]);
    // A key with a head and one without (no |): both on the index, newest first without a sort.
    for (const head of [1, null]) {
      const plan = read(`EXPLAIN QUERY PLAN SELECT * FROM sessions WHERE ${SESSION_KEY_IS} ORDER BY start_ts DESC LIMIT 1`, '1', head);
      expect(plan.map((r) => r.detail).join('; ')).toMatch(/USING INDEX sessions_conn \(conn_tail=\? AND conn_head_id=\?\)/);
      expect(plan.map((r) => r.detail).join('; ')).not.toMatch(/TEMP B-TREE/);
    }
  });

  it('continues a session that is open at the end of a file when the rest arrives, and from one daily file into the next', async () => {
    const day1 = path.join(dir, 'u_ex260302.log');
    const lines = [
      ...W3C_HEADER,
      '2026-03-02 23:59:50 10.0.0.5 - partner1 [7]user partner1 - 331 - - - 21',
      '2026-03-02 23:59:51 10.0.0.5 - partner1 [7]pass ******* - 230 - - - 21',
    ];
    writeLines(day1, lines);
    await index([day1]);
    expect(read('SELECT open FROM sessions')).toEqual([{ open: 1 }]);
    fs.appendFileSync(day1, '2026-03-02 23:59:58 10.0.0.5 - partner1 [7]created /in/a.bin - 226 - 10 - 21\r\n');
    const day2 = path.join(dir, 'u_ex260303.log');
    writeLines(day2, [
      ...W3C_HEADER.map((l) => l.replace('2026-03-02', '2026-03-03')),
      '2026-03-03 00:00:04 10.0.0.5 - partner1 [7]sent /out/b.bin - 226 20 - - 21',
      '2026-03-03 00:00:05 10.0.0.5 - partner1 [7]quit - - 221 - - - 21',
    ]);
    await index([day1, day2]);
    const s = read(`SELECT * FROM ${SESSIONS_WIDE}`);
    expect(s).toHaveLength(1);
    expect(s[0]).toMatchObject({ open: 0, end_reason: 'quit', uploads: 1, downloads: 1, bytes_up: 10, bytes_down: 20, duration_ms: 15_000 });
    // Each log's commands are counted apart (the larger count is the session's): day 1's two before
    // the first run stopped (its row said them all, with no JSON beside it) and the one after.
    expect(s[0]).toMatchObject({ commands: 3 });
    expect(JSON.parse(s[0].pending).perSource).toEqual({ 1: { commands: 3, failures: 0, failedLogins: 0 }, 2: { commands: 2, failures: 0, failedLogins: 0 } });
  });
});

describe('sessions written at the end of their batch', () => {
  it('a line without a connection key joins a session opened earlier in the same batch, whose row is not written yet', async () => {
    const file = path.join(dir, 'u_ex260304.log');
    writeLines(file, [
      ...W3C_HEADER,
      '2026-03-04 09:00:01 10.0.0.5 - partner1 [4]user partner1 - 331 - - - 21',
      '2026-03-04 09:00:02 10.0.0.5 - partner1 [4]pass ******* - 230 - - - 21',
      // No [N]: found among the client's sessions by time, which reads the sessions table. A
      // command, not a transfer: nothing after the run would link it.
      '2026-03-04 09:00:02 10.0.0.5 - partner1 size /in/keyless.csv - 213 - - - 21',
      '2026-03-04 09:00:03 10.0.0.5 - partner1 [4]quit - - 221 - - - 21',
    ]);
    await index([file]);
    const [s, ...others] = read(`SELECT * FROM ${SESSIONS_WIDE}`);
    expect(others).toEqual([]);
    expect(s).toMatchObject({ user: 'partner1', login: 'success', end_reason: 'quit', events: 4, commands: 4 });
    expect(read('SELECT DISTINCT session_id FROM events WHERE kind = 0')).toEqual([{ session_id: s.id }]);
  });
});

describe('many open sessions', () => {
  it('finds each again after the memory let it go: 2,500 connections that never quit, continued in the next file', async () => {
    const n = 2_500; // more than the analyser keeps in memory
    const at = (base: number, i: number) => new Date(Date.UTC(2026, 2, 2, base) + i * 1000).toISOString().slice(0, 19).replace('T', ' ');
    const ip = (i: number) => `10.0.${i >> 8}.${i & 255}`;
    const day1 = path.join(dir, 'u_ex260302.log');
    writeLines(day1, [...W3C_HEADER, ...Array.from({ length: n }, (_, i) => `${at(8, i)} ${ip(i)} - user${i} [${i}]pass ******* - 230 - - - 21`)]);
    const day2 = path.join(dir, 'u_ex260302b.log');
    writeLines(day2, [...W3C_HEADER, ...Array.from({ length: n }, (_, i) => `${at(9, i)} ${ip(i)} - user${i} [${i}]sent /out/f${i}.bin - 226 ${i + 1} - - 21`)]);
    await index([day1, day2]);
    const s = read(`SELECT user, login, downloads, bytes_down, events, open FROM ${SESSIONS_WIDE} ORDER BY id`);
    expect(s).toHaveLength(n);
    expect(s.every((r, i) => r.user === `user${i}` && r.login === 'success' && r.downloads === 1 && r.bytes_down === i + 1 && r.events === 2 && r.open === 1)).toBe(true);
    expect(read(`SELECT count(*) AS n FROM ${ALL_TRANSFERS} WHERE session_id IS NOT NULL`)).toEqual([{ n }]);
  });
});

describe('sessions of other servers', () => {
  /** Writes a format's own verbatim samples to a file and indexes it. */
  async function indexSamples(formatId: string, name: string) {
    const file = path.join(dir, name);
    writeLines(file, formatById(formatId)!.samples.map((s) => s.line), '\n');
    await index([file]);
  }

  it('FileZilla: the reply line decides the command it answers', async () => {
    await indexSamples('filezilla-legacy', 'FileZilla Server.log');
    const upload = read(`SELECT * FROM ${TRANSFERS_WIDE} WHERE op = 'upload'`);
    expect(upload).toHaveLength(1);
    expect(upload[0]).toMatchObject({ user: 'admin', status: 'success', code: '226' });
    expect(read(`SELECT user, login FROM ${SESSIONS_WIDE} WHERE conn_key LIKE '%|42'`)).toEqual([{ user: 'Ben Sanders', login: 'success' }]);
  });

  it('vsftpd: one session per pid with its login outcome and transfers', async () => {
    await indexSamples('vsftpd', 'vsftpd.log');
    const sessions = read(`SELECT conn_key, user, login FROM ${SESSIONS_WIDE} WHERE login != 'none' ORDER BY conn_key`);
    expect(sessions).toContainEqual({ conn_key: 'vsftpd|15019', user: 'guest', login: 'failed' });
    expect(sessions).toContainEqual({ conn_key: 'vsftpd|7708', user: 'jeffe', login: 'success' });
    expect(read(`SELECT op, status, bytes FROM ${ALL_TRANSFERS} WHERE session_id = (SELECT id FROM ${SESSIONS_WIDE} WHERE conn_key = 'vsftpd|16247')`)).toEqual([
      { op: 'upload', status: 'success', bytes: 412934 },
    ]);
  });

  it('the EFT client log: transfers with their ActionResult, no invented sessions', async () => {
    await indexSamples('eft-client', 'cl060306.log');
    const t = read(`SELECT op, status, session_id FROM ${ALL_TRANSFERS} ORDER BY id`);
    expect(t).toContainEqual({ op: 'upload', status: 'failed', session_id: null });
    expect(t).toContainEqual({ op: 'download', status: 'success', session_id: null });
    expect(read('SELECT count(*) AS n FROM sessions')[0].n).toBe(0);
  });
});

describe('matching rules', () => {
  it('compares file names the way xferlog writes them', () => {
    expect(matchName('/srv/alice/docs/annual report 2026.pdf')).toBe(matchName('/tmp/x/docs/annual_report_2026.pdf'));
    expect(matchName('C:\\In\\Report.CSV')).toBe('report.csv');
    expect(matchName(null)).toBe('');
  });

  it('reads every outcome vocabulary', () => {
    expect(['226', '250', 'OK', 'success', 'complete', 'c'].map((s) => outcomeOf(s))).toEqual(Array(6).fill('success'));
    expect(['550', '530', 'FAIL', 'failure', 'failed'].map((s) => outcomeOf(s))).toEqual(Array(5).fill('failed'));
    expect(['426', 'incomplete', 'i', 'cancelled'].map((s) => outcomeOf(s))).toEqual(Array(4).fill('incomplete'));
    expect([outcomeOf('0', 'sftp'), outcomeOf('2', 'sftp'), outcomeOf('0'), outcomeOf(undefined), outcomeOf('abc')]).toEqual(['success', 'failed', undefined, undefined, undefined]);
  });
});
