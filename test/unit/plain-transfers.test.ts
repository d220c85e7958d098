/**
 * Plain transfers (schema 18, store/plain-transfers.ts): a transfer whose every value is its one
 * record's event's is stored as that event, marked. Everything that reads transfers must give
 * exactly what it gives when every transfer is a row: the same logs are indexed both ways
 * (Analyzer.plainTransfers) and every kind of read compared.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Analyzer } from '../../src-main/core/analysis/analyzer.js';
import { computeInsights } from '../../src-main/core/analysis/insights.js';
import { markAnalysisDirty, rebuildAnalysis } from '../../src-main/core/analysis/rebuild.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { aggregate, countRows, iterateRows, queryPage, rowsById } from '../../src-main/core/query/index.js';
import { explainPage, fieldIndexState, timeSplitPoint } from '../../src-main/core/query/page.js';
import { suggestValues } from '../../src-main/core/query/suggest.js';
import { groupRows, summarize } from '../../src-main/core/query/summary.js';
import { indexExists, openDatabase, type Db } from '../../src-main/core/store/db.js';
import { unindexLinesAbove } from '../full-text-lag.js';
import { PLAIN_TRANSFER_INDEXES } from '../../src-main/core/store/plain-transfers.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { generateEftW3c } from '../bench/generate.js';
import { ALL_TRANSFERS } from '../event-rows.js';
import { undoIdSpans, undoTransferRollup } from '../schema-downgrade.js';
import { REPO, tempDir } from '../helpers.js';

const PROFTPD = path.join(REPO, 'test', 'fixtures', 'proftpd');
const scenario = JSON.parse(fs.readFileSync(path.join(PROFTPD, 'scenario.json'), 'utf8'));
const LOG_FORMATS = [{ name: 'custom', format: scenario.log_formats['ext-custom.log'].format as string }];
const log = (name: string) => path.join(PROFTPD, 'logs', name);
const NOW = Date.UTC(2027, 0, 1);

let dir: string;
/** A day of one EFT server; the same day of another (overlapping it); a later day of the first. */
let eftLog: string, otherServer: string, laterDay: string;
beforeAll(async () => {
  dir = tempDir();
  eftLog = path.join(dir, 'u_ex260101.log');
  await generateEftW3c(eftLog, { lines: 4000, seed: 11 });
  fs.mkdirSync(path.join(dir, 'other'));
  otherServer = path.join(dir, 'other', 'u_ex260101.log');
  await generateEftW3c(otherServer, { lines: 3000, seed: 12 });
  laterDay = path.join(dir, 'u_ex260201.log');
  await generateEftW3c(laterDay, { lines: 3000, seed: 13, startMs: Date.UTC(2026, 1, 1) });
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));
afterEach(() => {
  Analyzer.plainTransfers = true;
});

/** A database of `runs` (each one index run of its files), written with or without plain transfers. */
async function build(name: string, runs: readonly (readonly string[])[], plain: boolean): Promise<Db> {
  Analyzer.plainTransfers = plain;
  const db = openDatabase(path.join(dir, `${name}-${plain ? 'plain' : 'rows'}.sqlite`));
  for (const files of runs) await indexPaths(db, files, { timeZone: 'UTC', logFormats: LOG_FORMATS });
  Analyzer.plainTransfers = true;
  return db;
}

const plainCount = (db: Db) => db.prepare('SELECT count(*) FROM events WHERE plain_transfer = 1').pluck().get() as number;
const everyTransfer = (db: Db) => db.prepare(`SELECT * FROM ${ALL_TRANSFERS} ORDER BY id`).all();
const links = (db: Db) => db.prepare('SELECT id, session_id, transfer_id, op, outcome FROM events ORDER BY id').all();

const QUERIES = ['', 'dir:upload', 'status:failed', 'status:success', 'user:alice', 'user:a*', 'ip:10.0.0.0/8', 'ip:127.0.0.1', 'path:/',
  'file:*.csv', 'bytes:>1000', 'code:226', 'code:5*', 'session:3', 'format:w3c', 'format:proftpd*', 'in', '-dir:download', 'dir:rename OR dir:delete',
  `after:${new Date(Date.UTC(2026, 0, 1, 6)).toISOString()}`];

/** `plain` holds what `rows` holds: the same transfers, event links, and every read of them. */
function expectSameTransfers(plain: Db, rows: Db): void {
  expect(everyTransfer(plain)).toEqual(everyTransfer(rows));
  // Counted without a filter from the rollup (and the rows without a time): exactly every transfer.
  for (const db of [plain, rows]) expect(countRows(db, 'transfers', '')).toBe(everyTransfer(db).length);
  expect(links(plain)).toEqual(links(rows));
  expect(reads(plain)).toEqual(reads(rows));
}

/** After records of overlapping logs were matched: transfers_match exists and no transfer is plain. */
function expectMatchedAsRows(plain: Db, rows: Db): void {
  expect(indexExists(plain, 'transfers_match')).toBe(true);
  expect(plainCount(plain)).toBe(0);
  expectSameTransfers(plain, rows);
}

/** Every read of transfers the app, the CLI and the reports make, as plain data. */
function reads(db: Db) {
  const out: Record<string, unknown> = {};
  for (const q of QUERIES) {
    out[`count ${q}`] = countRows(db, 'transfers', q, { now: NOW });
    for (const [sort, order] of [['ts', 'desc'], ['ts', 'asc'], ['user', 'asc'], ['bytes', 'desc'], ['id', 'asc'], ['path', 'desc']] as const) {
      const first = queryPage(db, { kind: 'transfers', query: q, sort, order, limit: 7 }, { now: NOW });
      const second = first.nextCursor ? queryPage(db, { kind: 'transfers', query: q, sort, order, limit: 7, cursor: first.nextCursor }, { now: NOW }) : null;
      const back = second?.prevCursor ? queryPage(db, { kind: 'transfers', query: q, sort, order, limit: 7, cursor: second.prevCursor }, { now: NOW }) : null;
      out[`pages ${q} ${sort} ${order}`] = [first.rows, first.total, second?.rows, back?.rows];
    }
    out[`export ${q}`] = [...iterateRows(db, 'transfers', q, { now: NOW })];
    out[`aggregate ${q}`] = aggregate(db, 'transfers', q, { now: NOW });
    out[`groups ${q}`] = groupRows(db, 'transfers', q, ['op', 'status', 'format'], { now: NOW });
    out[`summary ${q}`] = summarize(db, 'transfers', q, { now: NOW });
  }
  for (const q of ['path:/', 'dir:mkdir', 'status:incomplete', 'in']) out[`sessions ${q}`] = countRows(db, 'sessions', q, { now: NOW });
  for (const field of ['user', 'ip', 'path', 'code', 'proto', 'server'] as const) out[`suggest ${field}`] = suggestValues(db, 'transfers', field, '', 20);
  out.insights = computeInsights(db);
  out.split = timeSplitPoint(db, 'transfers');
  const ids = db.prepare(`SELECT id FROM ${ALL_TRANSFERS} ORDER BY id`).pluck().all() as number[];
  out.byId = rowsById(db, 'transfers', [...ids.slice(0, 5), ...ids.slice(-5), 0]);
  return out;
}

describe('plain transfers', () => {
  it('one log: most transfers are their events, and every read gives what rows give', async () => {
    const plain = await build('eft', [[eftLog]], true);
    const rows = await build('eft', [[eftLog]], false);
    try {
      const total = everyTransfer(rows).length;
      expect(plainCount(rows)).toBe(0);
      // Renames are rows (their old name came with RNFR), the rest plain.
      expect(plainCount(plain)).toBeGreaterThan(total / 2);
      expect(plain.prepare('SELECT count(*) FROM transfers').pluck().get()).toBe(total - plainCount(plain));
      expect(plain.prepare("SELECT count(*) FROM transfers WHERE op <> 'rename'").pluck().get()).toBe(0);
      expectSameTransfers(plain, rows);
      // Failed transfers are few: found on their own index, as the rows' are, not by walking every plain one.
      expect(explainPage(plain, { kind: 'transfers', query: 'status:failed' }).join('\n')).toMatch(/events_transfer_failed/);
    } finally {
      plain.close();
      rows.close();
    }
  });

  it("users, IPs and codes of plain transfers are found on the events' postings lists, also while those lag behind", async () => {
    const plain = await build('eft-fields', [[eftLog]], true);
    const rows = await build('eft-fields', [[eftLog]], false);
    try {
      // The most frequent value of each among the plain transfers.
      const value = (column: string) => plain.prepare(`SELECT s.value FROM events e JOIN strings s ON s.id = e.${column}_id
        WHERE e.plain_transfer = 1 GROUP BY s.id ORDER BY count(*) DESC LIMIT 1`).pluck().get() as string;
      const user = value('user'), ip = value('client_ip'), code = value('status');
      const queries = [`user:${user}`, `ip:${ip}`, `code:${code}`, `code:${code[0]}*`, `user:${user} code:${code}`, `user:${user} OR ip:${ip}`,
        `-user:${user}`, `ip:${ip.split('.').slice(0, 2).join('.')}.0.0/16`, `dir:upload ip:${ip}`];
      const read = (db: Db) => Object.fromEntries(queries.map((q) => {
        const pages = [['ts', 'desc'], ['ts', 'asc'], ['user', 'asc'], ['client_ip', 'desc']].map(([sort, order]) => {
          const first = queryPage(db, { kind: 'transfers', query: q, sort, order: order as 'asc' | 'desc', limit: 9 }, { now: NOW });
          const next = first.nextCursor && queryPage(db, { kind: 'transfers', query: q, sort, order: order as 'asc' | 'desc', limit: 9, cursor: first.nextCursor }, { now: NOW });
          return [first.rows.map((r) => r.id), next && next.rows.map((r) => r.id)];
        });
        const ids = [...iterateRows(db, 'transfers', q, { now: NOW, columns: ['id'] })].map((r) => r.id);
        return [q, { count: countRows(db, 'transfers', q, { now: NOW }), pages, ids, aggregate: aggregate(db, 'transfers', q, { now: NOW }) }];
      }));
      const want = read(rows);
      for (const q of queries.slice(0, 3)) expect((want[q] as { count: number }).count).toBeGreaterThan(0);
      expect(read(plain)).toEqual(want);
      // Their two indexes are gone (schema 20): the plan reads the users' lists.
      expect(PLAIN_TRANSFER_INDEXES.join()).not.toMatch(/events_transfer_(user|ip)/);
      expect(explainPage(plain, { kind: 'transfers', query: `user:${user}` }).join('\n')).toMatch(/events_fields/);
      expect(explainPage(plain, { kind: 'transfers', query: `code:${code}` }).join('\n')).toMatch(/events_fields/);

      // As a run still indexing leaves them: the last rows are in neither full-text table yet.
      const keep = plain.prepare('SELECT id FROM events ORDER BY id LIMIT 1 OFFSET (SELECT count(*) * 6 / 10 FROM events)').pluck().get() as number;
      unindexLinesAbove(plain, keep);
      expect(fieldIndexState(plain)).toEqual({ through: keep, complete: false });
      const userId = plain.prepare('SELECT id FROM strings WHERE dim = 0 AND value = ?').pluck().get(user) as number;
      expect(plain.prepare('SELECT count(*) FROM events WHERE plain_transfer = 1 AND user_id = ? AND id > ?').pluck().get(userId, keep)).toBeGreaterThan(0);
      expect(read(plain)).toEqual(want);
    } finally {
      plain.close();
      rows.close();
    }
  });

  it('schemas 20 and 21 drop the three indexes a schema-19 database kept of them, and every read stays the same', async () => {
    const db = await build('eft-19', [[eftLog]], true);
    const file = db.name;
    const want = reads(db);
    // A schema-19 database differs by these indexes (its full-text file is built again).
    db.exec(`CREATE INDEX events_transfer_user ON events(user_id, ts) WHERE plain_transfer = 1;
      CREATE INDEX events_transfer_ip ON events(client_ip_id, ts) WHERE plain_transfer = 1;
      CREATE INDEX events_transfer_ts ON events(ts) WHERE plain_transfer = 1;
      ALTER TABLE fts_deleted DROP COLUMN text;
      PRAGMA user_version = 19;`);
    undoIdSpans(db);
    db.close();
    const upgraded = openDatabase(file);
    try {
      expect(upgraded.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(['events_transfer_user', 'events_transfer_ip', 'events_transfer_ts'].filter((name) => indexExists(upgraded, name))).toEqual([]);
      expect(reads(upgraded)).toEqual(want);
    } finally {
      upgraded.close();
    }
  });

  it('lines without a time beside the log (a README) leave its transfers plain: they have no record to match', async () => {
    const folder = path.join(dir, 'with-readme');
    fs.mkdirSync(folder);
    fs.copyFileSync(eftLog, path.join(folder, 'u_ex260101.log'));
    fs.writeFileSync(path.join(folder, 'README.txt'), 'Logs of the partner server.\nAsk the admins before deleting them.\n');
    const db = await build('readme', [[folder]], true);
    try {
      expect(db.prepare("SELECT count(*) FROM sources WHERE path LIKE '%README.txt'").pluck().get()).toBe(1);
      expect(indexExists(db, 'transfers_match')).toBe(false);
      expect(plainCount(db)).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });

  it('logs whose records are matched: the plain transfers of the first become rows when the next overlaps it', async () => {
    // One server's day alone first (its transfers plain), then another server's same day, then
    // ProFTPD's logs, which record the same operations several times.
    const next = [[otherServer], [log('xferlog'), log('ext-default.log'), log('ext-custom.log'), log('system.log'), log('sftp.log'), log('tls.log')]];
    const plain = await build('matched', [[eftLog]], true);
    const rows = await build('matched', [[eftLog], ...next], false);
    try {
      expect(plainCount(plain)).toBeGreaterThan(0);
      expect(indexExists(plain, 'transfers_match')).toBe(false);
      for (const files of next) await indexPaths(plain, files, { timeZone: 'UTC', logFormats: LOG_FORMATS });
      expectMatchedAsRows(plain, rows);
    } finally {
      plain.close();
      rows.close();
    }
  });

  it('a rebuild of the analysis gives the same transfers, also when it finds logs overlapping that indexing did not', async () => {
    // Two logs that overlap nowhere, each indexed alone: both keep plain transfers.
    const runs = [[eftLog], [laterDay]];
    const plain = await build('rebuild', runs, true);
    const rows = await build('rebuild', runs, false);
    try {
      const before = [everyTransfer(plain), links(plain), plainCount(plain)];
      expect(plain.prepare('SELECT count(DISTINCT source_id) FROM events WHERE plain_transfer = 1').pluck().get()).toBe(2);
      rebuildAnalysis(plain);
      expect([everyTransfer(plain), links(plain), plainCount(plain)]).toEqual(before);
      // The rebuild now finds the second log near the first (its span says so): it matches records
      // while it analyses the first, and must make rows only of the plain transfers it has analysed
      // (the second log's marks are its old ones; as rows they would take ids its transfers take).
      for (const db of [plain, rows]) {
        db.exec('UPDATE sources SET first_ts = (SELECT first_ts FROM sources WHERE id = 1), last_ts = (SELECT last_ts FROM sources WHERE id = 1) WHERE id = 2');
        markAnalysisDirty(db);
        rebuildAnalysis(db);
      }
      expectMatchedAsRows(plain, rows);
    } finally {
      plain.close();
      rows.close();
    }
  });

  it('schema 18 turns the transfer rows of a schema 17 database into marked events, exactly as indexing would', async () => {
    const plain = await build('migrate', [[eftLog]], true);
    const old = await build('migrate', [[eftLog]], false);
    // The database as schema 17 left it: no mark, every transfer a row.
    for (const sql of PLAIN_TRANSFER_INDEXES) old.exec(`DROP INDEX ${/EXISTS (\w+)/.exec(sql)![1]}`);
    old.exec('ALTER TABLE events DROP COLUMN plain_transfer');
    undoTransferRollup(old);
    old.pragma('user_version = 17');
    const file = old.name;
    old.close();
    const migrated = openDatabase(file);
    try {
      expect(migrated.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(plainCount(migrated)).toBe(plainCount(plain));
      expect(migrated.prepare('SELECT id FROM events WHERE plain_transfer = 1 ORDER BY id').pluck().all())
        .toEqual(plain.prepare('SELECT id FROM events WHERE plain_transfer = 1 ORDER BY id').pluck().all());
      expect(everyTransfer(migrated)).toEqual(everyTransfer(plain));
      expect(reads(migrated)).toEqual(reads(plain));
    } finally {
      migrated.close();
      plain.close();
    }
  });
});
