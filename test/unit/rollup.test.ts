/**
 * The events' rollup (store/rollup.ts) stays equal to what the events hold through everything that
 * changes them: first index and bulk load, appends, a truncated file read again, a source removed,
 * the analysis rebuilt, an older database migrated. Charts of every event read it, so the chart of
 * everything must equal the same chart computed from the rows.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { generateEftW3c } from '../bench/generate.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { aggregate, countRows, iterateRows } from '../../src-main/core/query/index.js';
import { rebuildAnalysis } from '../../src-main/core/analysis/rebuild.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { eventFlags, opCode, outcomeCode, type EventOp, type Outcome } from '../../src-main/core/store/op-codes.js';
import { RollupDeltas, RollupTally, TOP_INDEX_MIN_COUNT, minuteSums, rebuildRollup, rollupCurrent } from '../../src-main/core/store/rollup.js';
import { STRING_DIMS } from '../../src-main/core/store/strings.js';
import { removeSource } from '../../src-main/core/store/source-admin.js';
import { REPO } from '../helpers.js';
import { tempDatabasePerTest } from '../temp-db.js';
import { lineSql } from '../../src-main/core/store/line-blocks.js';
import { undoLeanStore, undoReportFigures, undoTransferRollup } from '../schema-downgrade.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { ALL_TRANSFERS, EVENTS_WIDE } from '../event-rows.js';

const PROFTPD_LOGS = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');

const t = tempDatabasePerTest();
const index = (paths: string[], bulkLoadBytes?: number) => indexPaths(t.db, paths, { timeZone: 'UTC', ...(bulkLoadBytes ? { bulkLoadBytes } : {}) });

/** The rollup as stored, in a stable order. */
function snapshot(d: Db) {
  return {
    minutes: d.prepare('SELECT * FROM event_minutes ORDER BY minute').all(),
    values: d.prepare('SELECT v.dim, s.value, v.events, v.transfers FROM event_values v JOIN strings s ON s.id = v.value_id ORDER BY v.dim, s.value').all(),
  };
}

/** The stored rollup equals one computed again from the events, and is not empty when events are not. */
function expectRollupInStep(): void {
  const kept = snapshot(t.db);
  rebuildRollup(t.db);
  expect(kept).toEqual(snapshot(t.db));
  const timed = t.db.prepare('SELECT count(*) AS n FROM events WHERE ts IS NOT NULL').get() as { n: number };
  const summed = t.db.prepare('SELECT coalesce(sum(events), 0) AS n FROM event_minutes').get() as { n: number };
  expect(summed.n).toBe(timed.n);
  const timedTransfers = t.db.prepare(`SELECT count(*) AS n FROM ${ALL_TRANSFERS} WHERE ts IS NOT NULL`).get() as { n: number };
  expect(t.db.prepare('SELECT coalesce(sum(transfers), 0) AS n FROM event_minutes').get()).toEqual(timedTransfers);
  // Nothing counted nowhere: a row whose counts fell to nothing (a merged transfer's old figures) goes.
  expect(t.db.prepare('SELECT count(*) FROM event_minutes WHERE events = 0 AND transfers = 0').pluck().get()).toBe(0);
  expect(t.db.prepare('SELECT count(*) FROM event_values WHERE events = 0 AND transfers = 0').pluck().get()).toBe(0);
}

/** Turns the database back to schema `version` (`undo` takes out what later schemas add), then opens it: upgraded. */
function reopenAsUpgraded(version: number, undo: (db: Database.Database) => void): void {
  t.db.close();
  const raw = new Database(path.join(t.dir, 'index.sqlite'));
  undo(raw);
  raw.pragma(`user_version = ${version}`);
  raw.close();
  t.db = openDatabase(path.join(t.dir, 'index.sqlite'));
  expect(t.db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
}

async function w3cLog(name: string, lines: number, seed: number): Promise<string> {
  const file = path.join(t.dir, name);
  await generateEftW3c(file, { lines, seed, startMs: Date.UTC(2026, 0, seed) });
  return file;
}

describe('event rollup', () => {
  it('stays equal to the events through bulk load, append, truncation, removal and an analysis rebuild', async () => {
    const big = await w3cLog('u_ex260101.log', 30_000, 1); // several 512 KiB batches
    // A bulk load (into an empty database) builds the rollup once at its end; charts meanwhile group rows.
    await index([big, PROFTPD_LOGS], 1 << 20);
    expectRollupInStep();

    const more = await w3cLog('more.log', 2_000, 3);
    fs.appendFileSync(big, fs.readFileSync(more, 'utf8').split('\n').filter((l) => l && !l.startsWith('#')).join('\n') + '\n');
    await index([big]);
    expectRollupInStep();

    // Truncated: read again from the start, its old rows (and rollup) replaced.
    fs.writeFileSync(big, fs.readFileSync(more));
    await index([big]);
    expectRollupInStep();

    const id = (t.db.prepare('SELECT id FROM sources WHERE path = ?').get(big) as { id: number }).id;
    expect(removeSource(t.db, id)).toBe(true);
    expectRollupInStep();
    const paths = t.db.prepare(`SELECT count(*) AS n FROM ${EVENTS_WIDE} WHERE path IS NOT NULL AND path <> ''`).get() as { n: number };
    expect(t.db.prepare('SELECT sum(events) AS n FROM event_values WHERE dim = 2').get()).toEqual(paths); // its paths are gone

    rebuildAnalysis(t.db);
    expectRollupInStep();
  }, 60_000);

  it('gives the chart of every event exactly as grouping the rows does', async () => {
    await index([PROFTPD_LOGS]);
    await index([await w3cLog('u_ex260105.log', 5_000, 5)]); // added batch by batch
    // The same users in other spellings: both ways show the same one (the smallest).
    const mixed = path.join(t.dir, 'u_ex260106.log');
    fs.writeFileSync(mixed, ['#Software: Microsoft Internet Information Services 7.5', '#Fields: date time c-ip cs-username cs-method sc-status',
      ...['ALICE', 'alice', 'Alice', 'BOB', 'bob'].flatMap((u, i) => Array.from({ length: 40 - i }, (_, j) => `2026-01-06 00:${String(j).padStart(2, '0')}:00 10.0.0.${i} ${u} RETR 226`))].join('\r\n') + '\r\n');
    await index([mixed]);
    const fromRollup = aggregate(t.db, 'events', '');
    // A query that matches every row but is not "everything" is computed from the rows.
    const fromRows = aggregate(t.db, 'events', '-zzqqxx_nowhere');
    expect(fromRows.total).toBe(fromRollup.total);
    expect(fromRollup.total).toBeGreaterThan(5_000);
    expect(fromRollup).toEqual(fromRows);
    // Values met fewer than TOP_INDEX_MIN_COUNT times are off the count index: lists ending below it
    // (the paths here) read them after the indexed ones, in the same order grouping the rows gives.
    for (const top of [1, 10, 200, 1000]) expect(aggregate(t.db, 'events', '', { top }).top).toEqual(aggregate(t.db, 'events', '-zzqqxx_nowhere', { top }).top);
    const paths = aggregate(t.db, 'events', '', { top: 1000 }).top.paths.map((p) => p.count);
    expect(paths.some((n) => n >= TOP_INDEX_MIN_COUNT) && paths.some((n) => n < TOP_INDEX_MIN_COUNT)).toBe(true);
    const all = { top: 1000 };
    const everyUser = aggregate(t.db, 'events', '', all).top.users;
    expect(everyUser).toEqual(aggregate(t.db, 'events', '-zzqqxx_nowhere', all).top.users);
    const named = (u: string) => (t.db.prepare(`SELECT count(*) AS n FROM ${EVENTS_WIDE} WHERE user = ? COLLATE NOCASE`).get(u) as { n: number }).n;
    expect(everyUser.filter((u) => /^(alice|bob)$/i.test(u.value))).toEqual([{ value: 'ALICE', count: named('alice') }, { value: 'BOB', count: named('bob') }]);
    expect(named('alice')).toBeGreaterThanOrEqual(40 + 39 + 38);
    expect(fromRollup.failures).toBeGreaterThan(0);
  }, 60_000);

  it('gives the chart of every transfer exactly as grouping them does, as records of other logs join them', async () => {
    // One log per run, batch by batch (no bulk load): the ProFTPD logs' records of one operation meet in
    // one transfer, whose figures change as each log's record joins it (its old ones out, new ones in).
    for (const file of fs.readdirSync(PROFTPD_LOGS).sort()) {
      await index([path.join(PROFTPD_LOGS, file)]);
      expectRollupInStep();
    }
    expect(t.db.prepare('SELECT count(*) FROM transfers WHERE records > 1').pluck().get()).toBeGreaterThan(5);
    await index([await w3cLog('u_ex260105.log', 5_000, 5)]);
    expectRollupInStep();
    expect(rollupCurrent(t.db)).toBe(true);
    const fromRollup = aggregate(t.db, 'transfers', '');
    // A query that matches every transfer but is not "everything" is computed from the rows.
    const fromRows = aggregate(t.db, 'transfers', '-zzqqxx_nowhere');
    expect(fromRollup.total).toBeGreaterThan(3_000);
    expect(fromRollup).toEqual(fromRows);
    const all = { top: 1000 };
    expect(aggregate(t.db, 'transfers', '', all).top).toEqual(aggregate(t.db, 'transfers', '-zzqqxx_nowhere', all).top);
    expect(fromRollup.failures).toBeGreaterThan(0);
    expect(fromRollup.top.codes.length).toBeGreaterThan(1);
  }, 60_000);

  it('stays stale through a bulk load while another connection rebuilds it, and is right at the end', async () => {
    const big = await w3cLog('u_ex260107.log', 30_000, 7);
    let other: Db | undefined;
    const seen: string[] = [];
    await indexPaths(t.db, [big], {
      timeZone: 'UTC',
      bulkLoadBytes: 1 << 20,
      onBatch: () => {
        // Another process opening the database mid-load rebuilds the rollup from the rows so far...
        other ??= openDatabase(path.join(t.dir, 'index.sqlite'));
        // ...and the load's next batch marks it stale again: charts keep grouping rows.
        seen.push(String(t.db.prepare("SELECT value FROM meta WHERE key = 'rollup_dirty'").pluck().get()));
      },
    });
    other?.close();
    expect(seen.length).toBeGreaterThan(2);
    expect(seen.slice(1).every((v) => v === '1')).toBe(true);
    expectRollupInStep();
  }, 60_000);

  it('a bulk load counts its rollup as it stores rows, and groups the rows instead when another process added some meanwhile', async () => {
    const big = await w3cLog('u_ex260108.log', 30_000, 8);
    let other: Db | undefined;
    await indexPaths(t.db, [big], {
      timeZone: 'UTC',
      bulkLoadBytes: 1 << 20,
      onBatch: () => {
        if (other) return;
        // Another writer's line, between two of the load's batches: the load's count misses it.
        other = openDatabase(path.join(t.dir, 'index.sqlite'));
        const source = other.prepare('INSERT INTO sources (path, added_at) VALUES (?, 0)').run(path.join(t.dir, 'other.log')).lastInsertRowid;
        other.prepare('INSERT INTO events (source_id, line_no, flags, ts, bytes) VALUES (?, 1, ?, ?, 7)').run(source, eventFlags(2, null, null, false, false), Date.UTC(2026, 0, 8));
      },
    });
    other?.close();
    expectRollupInStep();
  }, 60_000);

  it("a bulk load's minute tally equals grouping its rows, whatever order the times come in; too wide a span groups the rows", () => {
    const minute = Date.UTC(2026, 0, 1);
    const rows = (order: 'forward' | 'backward' | 'shuffled') =>
      Array.from({ length: 30_000 }, (_, i) => {
        const k = order === 'forward' ? i : order === 'backward' ? 30_000 - i : (i * 7919) % 30_000;
        // Logins and transfers among them, ended well, badly or neither (the report's figures).
        const op: EventOp | null = ([null, 'login', 'upload', 'download', 'logout'] as const)[k % 5 === 0 ? (k / 5) % 5 : k % 5]!;
        const outcome: Outcome | null = k % 5 === 0 ? 'failed' : (['success', null, 'incomplete'] as const)[k % 3]!;
        return { ts: k % 11 === 0 ? null : minute + Math.floor(k / 4) * 60_000 + (k % 60) * 1000, bytes: k % 13 === 0 ? null : k, failed: k % 5 === 0, op, outcome };
      });
    const insert = t.db.prepare(`INSERT INTO events (source_id, line_no, ts, bytes, flags, user_id, client_ip_id, path_id, status_id)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`);
    const source = Number(t.db.prepare("INSERT INTO sources (path, added_at) VALUES ('tally.log', 0)").run().lastInsertRowid);
    // Each column's values, the empty string among them (never counted), as string ids.
    const string = t.db.prepare('INSERT INTO strings (dim, value) VALUES (?, ?)');
    const ids = (dim: number, values: string[]) => values.map((v) => Number(string.run(dim, v).lastInsertRowid));
    const users = ids(STRING_DIMS.user, ['alice', 'bob', '']), ips = ids(STRING_DIMS.client_ip, ['10.0.0.1', '10.0.0.2']);
    const paths = ids(STRING_DIMS.path, Array.from({ length: 500 }, (_, i) => `/in/f${i}.csv`)), codes = ids(STRING_DIMS.status, ['226', '550', '']);
    const pick = (list: number[], k: number) => (k % 7 === 0 ? null : list[k % list.length]!);
    for (const order of ['forward', 'backward', 'shuffled'] as const) {
      t.db.exec('DELETE FROM events');
      const tally = new RollupTally();
      rows(order).forEach((r, i) => {
        const v = [pick(users, i), pick(ips, i * 3), pick(paths, i), pick(codes, i * 11)] as const;
        insert.run(source, i + 1, r.ts, r.bytes, eventFlags(0, opCode(r.op), outcomeCode(r.outcome), false, false), ...v);
        tally.add(r.ts, r.bytes, r.failed, r.op, r.outcome, ...v);
      });
      expect(tally.write(t.db), order).toBe(true);
      const kept = snapshot(t.db);
      // The same as the writer's counts of a batch's rows, and as a rebuild.
      t.db.exec('DELETE FROM event_minutes; DELETE FROM event_values');
      const deltas = new RollupDeltas(t.db, 'events');
      rows(order).forEach((r, i) => deltas.count(1, r.ts, r.bytes, r.failed, r.op, r.outcome, pick(users, i), pick(ips, i * 3), pick(paths, i), pick(codes, i * 11)));
      deltas.flush();
      expect(kept, order).toEqual(snapshot(t.db));
      rebuildRollup(t.db);
      expect(kept, order).toEqual(snapshot(t.db));
      expect(kept.minutes.length, order).toBeGreaterThan(7000);
      const logins = kept.minutes.reduce((n: number, m) => n + (m as { logins_ok: number; logins_failed: number }).logins_ok + (m as { logins_failed: number }).logins_failed, 0);
      expect(logins, order).toBe(rows(order).filter((r) => r.ts !== null && r.op === 'login' && (r.outcome === 'success' || r.outcome === 'failed')).length);
      expect(kept.values.length, order).toBe(2 + 2 + 500 + 2);
    }
    // Lines three years apart: the tally gives up (its arrays would be too big), the rows are grouped.
    const wide = new RollupTally();
    wide.add(minute, 1, false, null, null, null, null, null, null);
    wide.add(minute + 3 * 365 * 86_400_000, 1, false, null, null, null, null, null, null);
    expect(wide.write(t.db)).toBe(false);
  });

  it("sums every row's figures as the search language counts them, rows without a time too", async () => {
    await index([PROFTPD_LOGS]);
    await index([await w3cLog('u_ex260111.log', 3_000, 11)]);
    // A failed login and a failed upload without a time (in no minute), as the rows hold them.
    const source = t.db.prepare('SELECT id FROM sources LIMIT 1').pluck().get() as number;
    const add = t.db.prepare('INSERT INTO events (source_id, line_no, ts, bytes, flags) VALUES (?, 0, NULL, ?, ?)');
    add.run(source, null, eventFlags(0, opCode('login'), outcomeCode('failed'), false, false));
    add.run(source, 12_345, eventFlags(0, opCode('upload'), outcomeCode('failed'), true, false));
    rebuildRollup(t.db);
    const sums = minuteSums(t.db)!;
    const count = (kind: 'events' | 'transfers', query: string) => countRows(t.db, kind, query, { timeZone: 'UTC' });
    const bytes = (query: string) => [...iterateRows(t.db, 'transfers', query, {})].reduce((n, r) => n + ((r.bytes as number | null) ?? 0), 0);
    expect(sums.events).toMatchObject({ logins_ok: count('events', 'dir:login status:success'), logins_failed: count('events', 'dir:login status:failed'),
      failures: count('events', 'status:failed'), events: t.db.prepare('SELECT count(*) FROM events').pluck().get() });
    expect(sums.transfers).toMatchObject({ uploads: count('transfers', 'dir:upload'), upload_bytes: bytes('dir:upload'), downloads: count('transfers', 'dir:download'),
      download_bytes: bytes('dir:download'), transfer_failures: count('transfers', 'status:failed'), transfers: t.db.prepare(`SELECT count(*) FROM ${ALL_TRANSFERS}`).pluck().get() });
    expect(sums.transfers.transfer_max_bytes).toBe(Math.max(...[...iterateRows(t.db, 'transfers', '', {})].map((r) => (r.bytes as number | null) ?? 0)));
    expect(sums.events.logins_failed).toBeGreaterThan(1);
    // Within minutes the rollup cannot say; a stale one says nothing.
    expect(minuteSums(t.db, 1)).toBeNull();
    expect(minuteSums(t.db, 0)).toBeNull(); // minute 0 holds the minute before 1970 too
    t.db.prepare("UPDATE meta SET value = '1' WHERE key = 'rollup_dirty'").run();
    expect(minuteSums(t.db)).toBeNull();
  });

  it('a time beyond what a Date holds is stored as no time, and charts and the rollup still work', async () => {
    const log = path.join(t.dir, 'xfer.log');
    const lines = Array.from({ length: 20 }, (_, i) => `127.0.0.1 ${1764800000 + i} "RETR /a${i}.txt" 226`);
    lines.push(`127.0.0.1 ${'9'.repeat(30)} "RETR /far.txt" 226`, `127.0.0.1 99999999999999 "RETR /far2.txt" 226`);
    fs.writeFileSync(log, lines.join('\n') + '\n');
    const s = await indexPaths(t.db, [log], { timeZone: 'UTC', logFormats: [{ name: 'epoch', format: '%h %{%s}t "%r" %s' }] });
    expect(s).toMatchObject({ lines: 22, events: 22, errors: [] });
    const far = t.db.prepare(`SELECT ts FROM events WHERE ${lineSql('events')} LIKE '%/far%' ORDER BY id`).all() as { ts: number | null }[];
    // No time of their own: they carry the last line's time, as lines without a time do.
    expect(far).toEqual([{ ts: (1764800000 + 19) * 1000 }, { ts: (1764800000 + 19) * 1000 }]);
    expectRollupInStep();
    expect(aggregate(t.db, 'events', '').total).toBe(22);
  });

  it("gains the transfers' part when a schema 18 database is upgraded", async () => {
    await index([PROFTPD_LOGS]);
    await index([await w3cLog('u_ex260109.log', 3_000, 9)]);
    const want = snapshot(t.db);
    reopenAsUpgraded(18, undoTransferRollup);
    expect(rollupCurrent(t.db)).toBe(true);
    expect(snapshot(t.db)).toEqual(want);
    expect(want.values.filter((v) => (v as { transfers: number }).transfers > 0).length).toBeGreaterThan(100);
    expectRollupInStep();
  });

  it("gains the report's figures from the rows when a schema 29 database is upgraded", async () => {
    await index([PROFTPD_LOGS]);
    await index([await w3cLog('u_ex260110.log', 3_000, 10)]);
    const want = snapshot(t.db);
    const sum = (c: string) => want.minutes.reduce((n: number, m) => n + (m as Record<string, number>)[c]!, 0);
    for (const c of ['logins_ok', 'logins_failed', 'uploads', 'upload_bytes', 'downloads', 'download_bytes', 'transfer_max_bytes']) expect(sum(c), c).toBeGreaterThan(0);
    reopenAsUpgraded(29, undoReportFigures);
    expect(rollupCurrent(t.db)).toBe(true); // filled by the migration, not rebuilt
    expect(snapshot(t.db)).toEqual(want);
  });

  it('is built when an older database gains it (schema 2 → 3)', async () => {
    await index([PROFTPD_LOGS]);
    const want = snapshot(t.db);
    t.db.close();
    // Make the file look like schema 2: no rollup tables.
    const raw = new Database(path.join(t.dir, 'index.sqlite'));
    raw.exec("DROP TABLE event_minutes; DROP TABLE event_values; DELETE FROM meta WHERE key = 'rollup_dirty'");
    raw.exec('ALTER TABLE sources DROP COLUMN ts_seen_max; ALTER TABLE sources DROP COLUMN ts_disorder_ms'); // schema 4's
    undoLeanStore(raw); // schemas 5 to 9
    raw.pragma('user_version = 2');
    raw.close();
    t.db = openDatabase(path.join(t.dir, 'index.sqlite'));
    expect(snapshot(t.db)).toEqual(want);
    expect(want.minutes.length).toBeGreaterThan(0);
  });
});
