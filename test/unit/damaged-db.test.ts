/**
 * A damaged, foreign or newer database: every command exits 1 with one line naming the file and
 * `xferlens rebuild`, and leaves the file as it was; `rebuild` moves it aside and indexes the files
 * it held again (the logs are the source of truth).
 */
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEftClientLog, generateEftW3c } from '../bench/generate.js';
import { cliJson, runCli, tempDir } from '../helpers.js';
import { ensureLineFunctions, lineSql } from '../../src-main/core/store/line-blocks.js';
import { EVENTS_WIDE, ALL_TRANSFERS } from '../event-rows.js';

let dir: string;
let w3c: string;
let client: string;
/** A healthy database of both logs; each test damages a copy. */
let healthy: string;
let healthySum: ReturnType<typeof checksum>;

/** Row count and a checksum of the events and of where each file stands. */
function checksum(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  ensureLineFunctions(db);
  try {
    const hash = createHash('sha256');
    let rows = 0;
    for (const r of db.prepare(`SELECT s.path, e.line_no, e.kind, e.ts, e.user, e.verb, e.path, e.status, e.raw
      FROM ${EVENTS_WIDE} e JOIN sources s ON s.id = e.source_id ORDER BY s.path, e.line_no`).raw().iterate()) {
      hash.update(JSON.stringify(r));
      rows++;
    }
    const sources = db.prepare('SELECT path, options, bytes_indexed, lines_indexed FROM sources ORDER BY path').all();
    const transfers = (db.prepare(`SELECT count(*) AS n FROM ${ALL_TRANSFERS}`).get() as { n: number }).n;
    return { rows, sum: hash.digest('hex'), sources, transfers };
  } finally {
    db.close();
  }
}

function copyOf(name: string): string {
  const file = path.join(dir, name);
  fs.copyFileSync(healthy, file);
  return file;
}

/** Overwrites every 7th page of the second half: the schema and sources stay readable, events do not. */
function damageLatePages(file: string): void {
  const bytes = fs.readFileSync(file);
  const page = 4096;
  for (let at = Math.floor(bytes.length / 2 / page) * page; at < bytes.length; at += 7 * page) bytes.fill(0x41, at + 100, at + 3000);
  fs.writeFileSync(file, bytes);
}

/** The one line every command prints for a refused database. */
function expectRefused(r: ReturnType<typeof runCli>, file: string, what: RegExp): void {
  expect(r.status).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1); // no stack trace
  expect(lines[0]).toMatch(what);
  expect(lines[0]).toContain(file);
  expect(lines[0]).toContain(`\`xferlens rebuild --db "${file}"\` moves it aside to FILE.broken-<time>`);
}

const COMMANDS = [['stats'], ['sources'], ['search', 'user:alice'], ['transfers', 'dir:upload'], ['sessions'], ['insights'], ['export', '--kind', 'events', '--out', '-']];

beforeAll(async () => {
  dir = tempDir();
  w3c = path.join(dir, 'logs', 'u_ex260101.log');
  client = path.join(dir, 'logs', 'cl260101.log');
  fs.mkdirSync(path.dirname(w3c));
  await generateEftW3c(w3c, { lines: 20_000, seed: 3 });
  await generateEftClientLog(client, { lines: 2_000, seed: 3 });
  healthy = path.join(dir, 'healthy.sqlite');
  // Two zones: the rebuild must index each file again with its own.
  expect(runCli(['index', '--db', healthy, w3c]).status).toBe(0);
  expect(runCli(['index', '--db', healthy, '--tz', 'America/New_York', client]).status).toBe(0);
  // Checkpoint the WAL into the file, so that a copy of the file alone is the whole database.
  const db = new Database(healthy);
  db.pragma('wal_checkpoint(TRUNCATE)');
  db.close();
  healthySum = checksum(healthy);
  expect(healthySum.rows).toBe(22_000);
}, 120_000);
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('a database that cannot be used', () => {
  it('cut short (truncated): every command names the file and the way out, and changes nothing', () => {
    const file = copyOf('truncated.sqlite');
    fs.truncateSync(file, Math.floor(fs.statSync(file).size / 3));
    const before = fs.readFileSync(file);
    for (const args of [...COMMANDS, ['index', w3c]]) expectRefused(runCli([...args, '--db', file]), file, /is damaged \(database disk image is malformed\)/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it('with pages overwritten by garbage: a command that reads them stops with the same message, not a crash', () => {
    const file = copyOf('garbage.sqlite');
    damageLatePages(file);
    const before = fs.readFileSync(file);
    // The totals live in the intact sources table: `stats` still answers.
    expect(runCli(['stats', '--db', file]).status).toBe(0);
    // A command answers if it reads no damaged page; otherwise it stops with the message.
    let stopped = 0;
    for (const args of [...COMMANDS, ['search', '--limit', '10000', 'sent'], ['export', '--kind', 'transfers', '--out', '-']]) {
      const r = runCli([...args, '--db', file]);
      if (r.status === 0) continue;
      stopped++;
      expect(r.status).toBe(1);
      // SQLite's own words vary with the page hit (a table's "malformed", the full-text index's "fts5: corruption").
      expect(r.stderr).toMatch(/^xferlens: .* is damaged \((database disk image is malformed|fts5: corruption .*)\)\. The logs are the source of truth: `xferlens rebuild/m);
      expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    }
    expect(stopped).toBeGreaterThanOrEqual(3);
    // Indexing a new file into it stops at the damage (rather than blaming the log file).
    const more = path.join(dir, 'logs', 'u_ex260102.log');
    fs.copyFileSync(w3c, more);
    const r = runCli(['index', '--db', file, more]);
    fs.rmSync(more);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is damaged \(database disk image is malformed\)/);
    expect(r.stderr).not.toContain(`${more}:`);
    expect(fs.readFileSync(file).subarray(0, 100).equals(before.subarray(0, 100))).toBe(true);
  });

  it('overwritten from its first byte (not a database any more)', () => {
    const file = copyOf('header.sqlite');
    const fd = fs.openSync(file, 'r+');
    fs.writeSync(fd, Buffer.alloc(4096, 'garbage '));
    fs.closeSync(fd);
    const before = fs.readFileSync(file);
    for (const args of COMMANDS) expectRefused(runCli([...args, '--db', file]), file, /is not an xferlens database \(file is not a database\)/);
    expect(fs.readFileSync(file).equals(before)).toBe(true);
  });

  it("another program's SQLite database, and one of a newer xferlens", () => {
    const foreign = path.join(dir, 'foreign.sqlite');
    const other = new Database(foreign);
    other.exec('CREATE TABLE customers (id INTEGER PRIMARY KEY, name TEXT); INSERT INTO customers (name) VALUES (\'ACME\')');
    other.close();
    const newer = copyOf('newer.sqlite');
    const future = new Database(newer);
    future.pragma('user_version = 99');
    future.close();
    const foreignBefore = fs.readFileSync(foreign);
    const newerBefore = fs.readFileSync(newer);
    for (const args of COMMANDS) {
      expectRefused(runCli([...args, '--db', foreign]), foreign, /is an SQLite database of another program; it was not changed/);
      expectRefused(runCli([...args, '--db', newer]), newer, /was written by a newer xferlens \(schema 99;/);
    }
    expect(fs.readFileSync(foreign).equals(foreignBefore)).toBe(true);
    expect(fs.readFileSync(newer).equals(newerBefore)).toBe(true);
  });
});

describe('xferlens rebuild', () => {
  const asideOf = (file: string) => fs.readdirSync(dir).filter((f) => f.startsWith(path.basename(file) + '.broken-'));

  it('moves a damaged database aside and indexes its files again, each with its zone: the same rows as before', () => {
    const file = copyOf('rebuild-garbage.sqlite');
    damageLatePages(file);
    const damaged = fs.readFileSync(file);
    const out = cliJson(['rebuild', '--db', file]);
    expect(out).toMatchObject({ remembered: 2, files: 2, lines: 22_000, errors: [] });
    expect(out.movedTo).toMatch(/rebuild-garbage\.sqlite\.broken-\d{8}T\d{6}Z$/);
    expect(fs.readFileSync(out.movedTo).equals(damaged)).toBe(true);
    expect(asideOf(file)).toContain(path.basename(out.movedTo));
    expect(checksum(file)).toEqual(healthySum);
    // The new database serves every command; running rebuild again is harmless.
    for (const args of COMMANDS) expect(runCli([...args, '--db', file]).status, args.join(' ')).toBe(0);
  });

  it('a newer-schema database: its file list is still read, and it is kept aside', () => {
    const file = copyOf('rebuild-newer.sqlite');
    const future = new Database(file);
    future.pragma('user_version = 99');
    future.close();
    const r = runCli(['rebuild', '--db', file]);
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/^moved the old database to .*rebuild-newer\.sqlite\.broken-\S+; created a new one at .*\nindexed 2 file\(s\): 22,000 new lines/);
    expect(checksum(file)).toEqual(healthySum);
  });

  it('when the file list cannot be read (garbage, foreign): a fresh database and the advice to index again', () => {
    for (const name of ['rebuild-header.sqlite', 'rebuild-foreign.sqlite']) {
      const file = path.join(dir, name);
      if (name.includes('header')) fs.writeFileSync(file, Buffer.alloc(64 << 10, 'not sqlite'));
      else new Database(file).exec('CREATE TABLE customers (id)').close();
      const before = fs.readFileSync(file);
      const r = runCli(['rebuild', '--db', file]);
      expect(r.status).toBe(0);
      expect(r.stdout).toContain('the list of indexed files could not be read from the old database: index your logs again (xferlens index PATH...)');
      const [aside] = asideOf(file);
      expect(fs.readFileSync(path.join(dir, aside!)).equals(before)).toBe(true);
      expect(cliJson(['stats', '--db', file])).toMatchObject({ sources: 0, lines: 0 });
    }
  });

  it('moves the WAL with the database (a stale WAL must not be replayed into the new one)', () => {
    const file = copyOf('rebuild-wal.sqlite');
    const db = new Database(file);
    db.pragma('wal_autocheckpoint = 0');
    db.prepare("UPDATE sources SET path = path || '.renamed-in-wal'").run();
    // Leave the WAL behind as a killed process would: copy it before the connection checkpoints it.
    const wal = fs.readFileSync(file + '-wal');
    db.close();
    fs.writeFileSync(file + '-wal', wal);
    const out = cliJson(['rebuild', '--db', file], 1);
    // The WAL was read with the database: the paths it renamed are the ones remembered (and gone).
    expect(out).toMatchObject({ remembered: 2, files: 0 });
    expect(out.errors.map((e: { reason: string }) => e.reason)).toEqual(['no such file or directory', 'no such file or directory']);
    expect(fs.existsSync(out.movedTo + '-wal')).toBe(true);
    expect(cliJson(['stats', '--db', file])).toMatchObject({ sources: 0 });
  });

  it('names the files that are gone since, exits 1, and indexes the rest', () => {
    const file = copyOf('rebuild-gone.sqlite');
    const db = new Database(file);
    db.prepare("UPDATE sources SET path = ? WHERE path = ?").run(path.join(dir, 'logs', 'rotated-away.log'), client);
    db.close();
    const r = runCli(['rebuild', '--db', file]);
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(
      `xferlens: ${path.join(dir, 'logs', 'rotated-away.log')}: no such file or directory\n` +
        'xferlens: 1 of 2 files could not be indexed again; their lines are not in the new database\n',
    );
    expect(checksum(file).rows).toBe(20_000);
  });

  it('a database that does not exist: nothing to rebuild', () => {
    const r = runCli(['rebuild', '--db', path.join(dir, 'nothing.sqlite')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('nothing.sqlite does not exist: nothing to rebuild');
    expect(fs.existsSync(path.join(dir, 'nothing.sqlite'))).toBe(false);
  });
});
