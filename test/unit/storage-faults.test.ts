/**
 * Storage faults made for real (issue 16): a full disk (a small tmpfs) while indexing, reading,
 * upgrading and rebuilding the rollup; a read-only medium (a read-only bind mount); a folder this
 * user may not write (the CLI run as `nobody`). Each checks the one line the user gets, the exit
 * code, that nothing committed is lost and that the next run completes exactly. They need root and
 * mounts; where those are missing they are skipped, saying why.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { startServe } from '../e2e/serve-harness.js';
import { CLI, REPO, runCli, tempDir } from '../helpers.js';
import { ReadOnlyView, SmallVolume, storageFaultsUnavailable } from '../storage-volume.js';

const unavailable = storageFaultsUnavailable();
if (unavailable) console.warn(`storage-faults: skipped: ${unavailable}`);

const FIXTURE_SCHEMA4 = path.join(REPO, 'test', 'fixtures', 'db', 'schema4.sqlite');

let work: string;
/** About 6 MB of EFT W3C log (60,000 lines). */
let bigLog: string;
/** About 1 MB (10,000 lines). */
let smallLog: string;
const volumes: { unmount(): void }[] = [];

beforeAll(async () => {
  if (unavailable) return;
  work = tempDir();
  bigLog = path.join(work, 'u_ex260101.log');
  smallLog = path.join(work, 'u_ex260102.log');
  await generateEftW3c(bigLog, { lines: 60_000, seed: 7 });
  await generateEftW3c(smallLog, { lines: 10_000, seed: 8 });
});

afterEach(() => {
  for (const v of volumes.splice(0).reverse()) v.unmount();
});

afterAll(() => {
  if (work) fs.rmSync(work, { recursive: true, force: true });
});

function volume(megabytes: number): SmallVolume {
  const v = new SmallVolume(megabytes);
  volumes.push(v);
  return v;
}

function readOnlyView(source: string): ReadOnlyView {
  const v = new ReadOnlyView(source);
  volumes.push(v);
  return v;
}

/** The one line of a refused command: exit 1, nothing on stdout, no stack trace. */
function expectOneLine(r: ReturnType<typeof runCli>, what: RegExp): string {
  expect(r.status, r.stderr).toBe(1);
  const lines = r.stderr.trimEnd().split('\n').filter((l) => !/^xferlens: upgrading|^xferlens: upgraded/.test(l));
  expect(lines, r.stderr).toHaveLength(1);
  expect(lines[0]).toMatch(what);
  expect(r.stderr).not.toMatch(/\n\s+at |SqliteError|not an xferlens database|xferlens rebuild/);
  return lines[0]!;
}

/** What a database holds, as the user sees it: lines, events, sessions and transfers. */
function contents(db: string, extra: string[] = []) {
  const stats = JSON.parse(runCli(['stats', '--db', db, '--json', ...extra]).stdout) as { lines: number; events: number; sources: number };
  const total = (kind: string) => (JSON.parse(runCli([kind, '--db', db, '--json', '--limit', '1', ...extra]).stdout) as { total: number }).total;
  return { sources: stats.sources, lines: stats.lines, events: stats.events, sessions: total('sessions'), transfers: total('transfers') };
}

/** The same logs indexed on a roomy disk. */
function cleanRun(...logs: string[]) {
  const db = path.join(tempDir(), 'clean.sqlite');
  expect(runCli(['index', '--db', db, ...logs]).status).toBe(0);
  return contents(db);
}

/** Schema version, integrity, and every row of the tables of a schema-4 database, hashed. */
function oldContents(file: string) {
  const d = new Database(file, { readonly: true });
  try {
    const hash = createHash('sha256');
    for (const table of ['sources', 'events', 'sessions', 'transfers']) {
      for (const row of d.prepare(`SELECT * FROM ${table} ORDER BY rowid`).raw().iterate()) hash.update(JSON.stringify(row));
    }
    return { version: d.pragma('user_version', { simple: true }), integrity: d.pragma('integrity_check', { simple: true }), rows: hash.digest('hex') };
  } finally {
    d.close();
  }
}

async function until(what: string, ok: () => boolean): Promise<void> {
  for (let i = 0; i < 1500; i++) {
    if (ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

const sha256 = (file: string) => createHash('sha256').update(fs.readFileSync(file)).digest('hex');

/** A database closed cleanly (no -wal, no -shm), as it is after the app or a command ends. */
function checkpointed(db: string): void {
  const d = new Database(db);
  d.pragma('wal_checkpoint(TRUNCATE)');
  d.close();
  expect(fs.existsSync(db + '-wal')).toBe(false);
}

/** A healthy database of the small log, closed cleanly, on a volume that has filled up since. */
function healthyOnFullVolume() {
  const v = volume(64);
  const db = path.join(v.dir, 'index.sqlite');
  expect(runCli(['index', '--db', db, smallLog]).status).toBe(0);
  checkpointed(db);
  const before = contents(db);
  v.fill();
  return { v, db, before };
}

describe.skipIf(!!unavailable)('a full disk', () => {
  it('while indexing: one line naming the volume and the lines kept; after space is back the same command completes exactly', () => {
    const v = volume(16);
    const db = path.join(v.dir, 'index.sqlite');
    const r = runCli(['index', '--db', db, bigLog]);
    const line = expectOneLine(r, new RegExp(`^xferlens: ${db}: the disk is full\\. Free space on ${v.dir} and run again: the ([\\d,]+) lines indexed so far are kept\\.$`));
    const kept = Number(/the ([\d,]+) lines/.exec(line)![1]!.replace(/,/g, ''));
    expect(kept).toBeGreaterThan(0);
    v.grow(256); // the user freed space
    // What was committed is there, and it is what the line said.
    expect(contents(db).lines).toBe(kept);
    const again = runCli(['index', '--db', db, bigLog]);
    expect(again.status, again.stderr).toBe(0);
    expect(contents(db)).toEqual(cleanRun(bigLog));
  });

  it('while reading: a healthy database on a full volume is read (read-only), not called damaged', () => {
    const { v, db, before } = healthyOnFullVolume();
    expect(v.free()).toBe(0);
    const stats = runCli(['stats', '--db', db]);
    expect(stats.status, stats.stderr).toBe(0);
    expect(stats.stdout).toContain(`${before.lines.toLocaleString('en-US')} lines`);
    expect(stats.stdout).toMatch(/^read-only: /m);
    expect(stats.stderr).toBe('');
    expect(contents(db)).toEqual(before);
    const search = runCli(['search', '--db', db, '--json', '--limit', '5', 'failed']);
    expect(search.status, search.stderr).toBe(0);
    expect((JSON.parse(search.stdout) as { rows: unknown[] }).rows.length).toBeGreaterThan(0);
    // Writing says what is wrong and what to do; the database is as it was.
    expectOneLine(runCli(['index', '--db', db, bigLog]), /the disk is full\. Free space on .* and run again: nothing stored before was lost\.$/);
    v.unfill();
    expect(contents(db)).toEqual(before);
  });

  it('while upgrading an old database: refused in one line, the file unchanged; upgraded once there is space', () => {
    const v = volume(16);
    const db = path.join(v.dir, 'old.sqlite');
    fs.copyFileSync(FIXTURE_SCHEMA4, db);
    const original = oldContents(db);
    // Room for the -shm and a little WAL, not for the upgrade (it rewrites every table).
    v.fill(200 * 1024);
    const r = runCli(['stats', '--db', db]);
    expect(r.stderr).toContain('upgrading'); // the migration had started
    expectOneLine(r, /^xferlens: .*old\.sqlite: the disk is full\. Free space on .* and run again/);
    // As it was (only the header's journal mode, set before the upgrade began, may differ).
    expect(oldContents(db)).toEqual(original);
    v.unfill();
    v.grow(64);
    const ok = runCli(['stats', '--db', db, '--json']);
    expect(ok.status, ok.stderr).toBe(0);
    const fixture = new Database(FIXTURE_SCHEMA4, { readonly: true });
    const sources = (fixture.prepare('SELECT count(*) AS n FROM sources').get() as { n: number }).n;
    fixture.close();
    expect(JSON.parse(ok.stdout)).toMatchObject({ sources });
  });

  it('while rebuilding the rollup: refused in one line, the database unchanged; rebuilt once there is space', () => {
    const v = volume(256);
    const db = path.join(v.dir, 'index.sqlite');
    expect(runCli(['index', '--db', db, bigLog]).status).toBe(0);
    checkpointed(db);
    // Stale, as a removed source leaves it: the next writer's open rebuilds it.
    const d = new Database(db);
    d.prepare("UPDATE meta SET value = '1' WHERE key = 'rollup_dirty'").run();
    expect(d.prepare("SELECT value FROM meta WHERE key = 'rollup_dirty'").get()).toEqual({ value: '1' });
    d.pragma('wal_checkpoint(TRUNCATE)');
    d.close();
    const original = sha256(db);
    v.fill(64 * 1024);
    const r = runCli(['index', '--db', db, smallLog]);
    expectOneLine(r, /the disk is full\. Free space on .* and run again/);
    expect(sha256(db)).toBe(original);
    v.unfill();
    const after = new Database(db, { readonly: true });
    expect(after.prepare("SELECT value FROM meta WHERE key = 'rollup_dirty'").get()).toEqual({ value: '1' });
    after.close();
    expect(runCli(['stats', '--db', db]).status).toBe(0);
    const rebuilt = new Database(db, { readonly: true });
    expect(rebuilt.prepare("SELECT value FROM meta WHERE key = 'rollup_dirty'").get()).toEqual({ value: '0' });
    rebuilt.close();
  });
});

describe.skipIf(!!unavailable)('a full disk for an export', () => {
  it('says so in one line and leaves no partial file; the export is private (0600) once there is room', () => {
    const db = path.join(tempDir(), 'index.sqlite');
    expect(runCli(['index', '--db', db, smallLog]).status).toBe(0);
    const v = volume(4);
    v.fill(16 * 1024);
    const out = path.join(v.dir, 'sessions.csv');
    const r = runCli(['export', '--db', db, '--kind', 'events', '--columns', 'all', '--out', out]);
    expect(r.status).toBe(1);
    expect(r.stderr.trimEnd().split('\n')).toEqual([`xferlens: cannot export: ${out}: the disk is full. Free space on ${v.dir} and run again.`]);
    expect(fs.readdirSync(v.dir).sort()).toEqual(['filler.bin']);
    v.unfill();
    expect(runCli(['export', '--db', db, '--kind', 'sessions', '--out', out]).status).toBe(0);
    expect(fs.statSync(out).mode & 0o777).toBe(0o600);
  });
});

describe.skipIf(!!unavailable)('a full disk in the app and serve (the index worker)', () => {
  type ClientModule = typeof import('../../src-main/worker/index-worker-client.js');
  const startClient = async (databasePath: string) => {
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as ClientModule;
    const client = new IndexWorkerClient({ databasePath });
    await client.start();
    return client;
  };
  const retry = process.env.XFERLENS_FULL_DISK_RETRY_MS;
  beforeAll(() => void (process.env.XFERLENS_FULL_DISK_RETRY_MS = '200')); // the worker thread inherits it
  afterAll(() => void (retry === undefined ? delete process.env.XFERLENS_FULL_DISK_RETRY_MS : (process.env.XFERLENS_FULL_DISK_RETRY_MS = retry)));

  it('an index job stops with the message and goes on by itself once there is space, ending as a clean run', async () => {
    // Smaller than the index of the 60k lines (11 + 5 MB, and its WAL): full part-way.
    const v = volume(16);
    const db = path.join(v.dir, 'index.sqlite');
    const client = await startClient(db);
    try {
      const stalled: string[] = [];
      const job = client.run('job-1', { paths: [bigLog] }, (p) => {
        if (p.stalled) stalled.push(p.stalled);
      });
      await until('the job to say the disk is full', () => stalled.length > 0);
      expect(stalled[0]).toMatch(new RegExp(`^${db}: the disk is full\\. Free space on ${v.dir} and indexing goes on by itself once there is space: the [\\d,]+ lines indexed so far are kept\\.$`));
      // It keeps trying, not failing (a failed job would reject `job`).
      let failed: unknown = null;
      job.catch((err: unknown) => (failed = err));
      await until('a second try', () => stalled.length > 1 || failed !== null);
      expect(failed).toBeNull();
      v.grow(512); // space is back: nothing restarted
      const outcome = await job;
      expect(outcome.cancelled).toBe(false);
      expect(outcome.summary.errors).toEqual([]);
      expect(outcome.summary.lines).toBe(60_000);
    } finally {
      await client.stop();
    }
    expect(contents(db)).toEqual(cleanRun(bigLog));
  });

  it('following: a batch that meets a full disk is reported on the path and comes in at a later poll', async () => {
    const v = volume(64);
    const db = path.join(v.dir, 'index.sqlite');
    const log = path.join(tempDir(), 'u_ex260103.log');
    fs.copyFileSync(smallLog, log);
    const client = await startClient(db);
    try {
      await client.follow({ paths: [log] });
      await until('the first lines to be indexed', () => client.followState().inputs[0]?.files.length === 1);
      const before = fs.statSync(log).size;
      v.fill(0);
      // More lines, as a server writes them: the same lines again, a whole second copy.
      fs.appendFileSync(log, fs.readFileSync(smallLog));
      await until('the full disk to be reported', () => /the disk is full/.test(client.followState().inputs[0]?.error ?? ''));
      expect(client.followState().inputs[0]!.error).toMatch(new RegExp(`^${db}: the disk is full\\. Free space on ${v.dir} and indexing goes on by itself once there is space`));
      v.unfill();
      await until('the lines to come in', () => client.followState().inputs[0]?.error === null);
      expect(fs.statSync(log).size).toBe(2 * before);
    } finally {
      await client.stop();
    }
    const stats = JSON.parse(runCli(['stats', '--db', db, '--json']).stdout) as { lines: number };
    // Every line of the grown file once: none lost to the full disk, none stored twice by the retries.
    const logLines = fs.readFileSync(log, 'utf8').split('\n').length - 1;
    expect(stats.lines).toBe(logLines);
  });
});

describe.skipIf(!!unavailable)('serve started on a full disk', () => {
  it('keeps running read-only: every view answers, writes are refused saying why, and it stops cleanly', async () => {
    const { v, db, before } = healthyOnFullVolume();
    const served = await startServe(db);
    try {
      const info = await served.call<{ readOnly: string | null }>('app/info');
      expect(info.readOnly).toBe(`${db} is read-only: its disk is full (${v.dir}); free space on ${v.dir}, then start xferlens again to index`);
      // Every view reads: totals, sources, each table with its count, charts, insights, a detail.
      expect(await served.call('db/stats')).toMatchObject({ lines: before.lines, events: before.events });
      expect(await served.call<unknown[]>('sources/list')).toHaveLength(1);
      for (const kind of ['events', 'sessions', 'transfers'] as const) {
        const page = await served.call<{ rows: { id: number }[]; total: number }>('query/page', { kind, query: '', limit: 5 });
        expect(page.total, kind).toBe(before[kind === 'events' ? 'lines' : kind]);
        expect(page.rows.length, kind).toBeGreaterThan(0);
        expect(await served.call('query/aggregate', { kind, query: '' })).toMatchObject({ timeline: expect.any(Array) });
      }
      const [event] = (await served.call<{ rows: { id: number }[] }>('query/page', { kind: 'events', query: 'failed', limit: 1 })).rows;
      expect(await served.call('events/context', { id: event!.id })).toMatchObject({ event: { id: event!.id } });
      expect(await served.call<unknown[]>('insights/list', {})).toEqual(expect.any(Array));
      expect(await served.call('settings/get')).toMatchObject({ theme: 'system' });
      // Writes are refused in one line naming the file, why and what to do; the server stays up.
      await expect(served.call('index/open', { paths: [bigLog] })).rejects.toThrow(
        `index/open: 409 ${db}: cannot index: its disk is full (${v.dir}). Reading (stats, search, export…) works; free space on ${v.dir}, then start xferlens again to index.`,
      );
      await expect(served.call('settings/set', { theme: 'dark' })).rejects.toThrow(/409 .*cannot save settings: its disk is full/);
      expect(await served.call('db/stats')).toMatchObject({ lines: before.lines });
    } finally {
      await served.stop();
    }
    v.unfill();
    expect(contents(db)).toEqual(before);
  });
});

describe.skipIf(!!unavailable)('a read-only database', () => {
  let source: string;
  let db: string;
  let view: ReadOnlyView;
  let expected: ReturnType<typeof contents>;

  beforeAll(() => {
    if (unavailable) return;
    source = tempDir();
    expect(runCli(['index', '--db', path.join(source, 'index.sqlite'), smallLog]).status).toBe(0);
    checkpointed(path.join(source, 'index.sqlite'));
    expected = contents(path.join(source, 'index.sqlite'));
    view = new ReadOnlyView(source);
    db = path.join(view.dir, 'index.sqlite');
  });
  afterAll(() => view?.unmount());

  it('on a read-only medium: every reading command works and says read-only where a user looks', () => {
    expect(contents(db)).toEqual(expected);
    const sources = runCli(['sources', '--db', db]);
    expect(sources.status, sources.stderr).toBe(0);
    expect(sources.stdout).toContain(smallLog);
    expect(sources.stdout).toMatch(/^read-only: /m);
    for (const args of [['search', 'failed'], ['sessions'], ['transfers'], ['insights'], ['explain', '530']]) {
      const r = runCli([args[0]!, '--db', db, ...args.slice(1)]);
      expect(r.status, `${args.join(' ')}: ${r.stderr}`).toBe(0);
      expect(r.stdout.length).toBeGreaterThan(0);
    }
    const out = path.join(tempDir(), 'x.csv');
    const exported = runCli(['export', '--db', db, '--kind', 'transfers', '--out', out]);
    expect(exported.status, exported.stderr).toBe(0);
    expect(fs.readFileSync(out, 'utf8').split('\n').length - 2).toBe(expected.transfers);
  });

  it('writing commands refuse in one line naming the file and why', () => {
    expectOneLine(runCli(['index', '--db', db, bigLog]), new RegExp(`^xferlens: ${db} is read-only \\(its file system is mounted read-only\\)`));
    const rebuild = runCli(['rebuild', '--db', db]);
    expect(rebuild.status).toBe(1);
    expect(rebuild.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(rebuild.stderr).toMatch(/read-only/);
    expect(rebuild.stderr).not.toMatch(/\n\s+at /);
    expect(contents(path.join(source, 'index.sqlite'))).toEqual(expected);
  });

  it('--read-only reads any database without writing it, and writing commands refuse', () => {
    const writable = path.join(tempDir(), 'index.sqlite');
    fs.copyFileSync(path.join(source, 'index.sqlite'), writable);
    const before = sha256(writable);
    const stats = runCli(['stats', '--db', writable, '--read-only']);
    expect(stats.status).toBe(0);
    expect(stats.stdout).toMatch(/^read-only: /m);
    expect(contents(writable, ['--read-only'])).toEqual(expected);
    expectOneLine(runCli(['index', '--db', writable, '--read-only', bigLog]), new RegExp(`^xferlens: ${writable}: cannot index: it was opened read-only \\(--read-only\\)`));
    expectOneLine(runCli(['rebuild', '--db', writable, '--read-only']), /cannot rebuild: it was opened read-only/);
    expect(sha256(writable)).toBe(before);
    // A reader may leave an empty -wal (SQLite's), never a frame of its own.
    expect(fs.existsSync(writable + '-wal') ? fs.statSync(writable + '-wal').size : 0).toBe(0);
  });
});

describe.skipIf(!!unavailable)('a database this user may not write', () => {
  it('a new database in a folder this user may not write: one line saying so', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    const db = path.join(dir, 'index.sqlite');
    const r = spawnSync(process.execPath, [CLI, 'index', '--db', db, smallLog], { encoding: 'utf8', uid: 65534, gid: 65534, env: { ...process.env, HOME: '/tmp' } });
    expectOneLine(r, new RegExp(`^xferlens: cannot create database ${db}: this user may not write its folder ${dir}\\. Choose another file with --db\\.$`));
    expect(fs.readdirSync(dir)).toEqual([]);
  });

  it('as another user: reading works (read-only), indexing says permission denied', () => {
    const dir = tempDir();
    fs.chmodSync(dir, 0o755);
    const db = path.join(dir, 'index.sqlite');
    expect(runCli(['index', '--db', db, smallLog]).status).toBe(0);
    const expected = contents(db);
    checkpointed(db);
    // Readable by all (as older releases made it), writable by root only; a writer's open (root's)
    // would make it private again, so none comes before the reads below.
    fs.chmodSync(db, 0o644);
    const before = sha256(db);
    const asNobody = (args: string[]) =>
      spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', uid: 65534, gid: 65534, env: { ...process.env, XFERLENS_QUIET_SLOW: '1', HOME: '/tmp' } });
    const stats = asNobody(['stats', '--db', db, '--json']);
    expect(stats.status, stats.stderr).toBe(0);
    expect(JSON.parse(stats.stdout)).toMatchObject({ lines: expected.lines, events: expected.events });
    const human = asNobody(['sources', '--db', db]);
    expect(human.stdout).toMatch(/^read-only: /m);
    expectOneLine(asNobody(['index', '--db', db, smallLog]), new RegExp(`^xferlens: ${db}: permission denied \\(this user may not write the file or its folder`));
    expect(sha256(db)).toBe(before);
  });
});

describe('files are private', () => {
  it.skipIf(process.platform === 'win32')('an older database left readable by all is made private when opened for writing, and so is the data folder it made', async () => {
    const { openDatabase } = await import('../../src-main/core/store/db.js');
    const mode = (f: string) => fs.statSync(f).mode & 0o777;
    const home = tempDir();
    const config = process.env.XDG_CONFIG_HOME;
    process.env.XDG_CONFIG_HOME = home; // the per-user data folder is then HOME/xferlens
    const old = process.umask(0o022);
    try {
      const dataDir = path.join(home, 'xferlens');
      const db = path.join(dataDir, 'index.sqlite');
      // As an older release left them: folder 0755, database, -wal and -shm 0644, one open connection.
      const first = openDatabase(db);
      first.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'x')").run();
      for (const f of [db, db + '-wal', db + '-shm']) fs.chmodSync(f, 0o644);
      fs.chmodSync(dataDir, 0o755);
      const second = openDatabase(db);
      expect([db, db + '-wal', db + '-shm'].map(mode)).toEqual([0o600, 0o600, 0o600]);
      expect(mode(dataDir)).toBe(0o700);
      expect(second.prepare("SELECT value FROM meta WHERE key = 'probe'").get()).toEqual({ value: 'x' });
      second.close();
      first.close();

      // A reader changes nothing; a folder given with --db (not ours) and a mode the owner chose are kept.
      fs.chmodSync(db, 0o644);
      openDatabase(db, { readonly: true }).close();
      expect(mode(db)).toBe(0o644);
      const elsewhere = path.join(tempDir(), 'shared');
      fs.mkdirSync(elsewhere, { mode: 0o755 });
      fs.chmodSync(elsewhere, 0o755);
      const chosen = path.join(elsewhere, 'team.sqlite');
      openDatabase(chosen).close();
      fs.chmodSync(chosen, 0o640);
      openDatabase(chosen).close();
      expect([mode(elsewhere), mode(chosen)]).toEqual([0o755, 0o640]);
      const older = path.join(elsewhere, 'older.sqlite');
      openDatabase(older).close();
      fs.chmodSync(older, 0o664);
      openDatabase(older).close();
      expect(mode(older)).toBe(0o600);
    } finally {
      process.umask(old);
      if (config === undefined) delete process.env.XDG_CONFIG_HOME;
      else process.env.XDG_CONFIG_HOME = config;
    }
  });

  it.skipIf(process.platform === 'win32')('a new database folder is 0700, the database, its -wal and -shm and its full-text file 0600', async () => {
    const parent = tempDir();
    const db = path.join(parent, 'new', 'deeper', 'index.sqlite');
    const { openDatabase } = await import('../../src-main/core/store/db.js');
    const old = process.umask(0o022);
    try {
      const open = openDatabase(db);
      open.prepare("INSERT INTO meta (key, value) VALUES ('probe', 'x')").run(); // a -wal with a frame in it
      const mode = (f: string) => fs.statSync(f).mode & 0o777;
      expect(mode(path.join(parent, 'new'))).toBe(0o700);
      expect(mode(path.dirname(db))).toBe(0o700);
      expect(mode(db)).toBe(0o600);
      expect(mode(db + '-wal')).toBe(0o600);
      expect(mode(db + '-shm')).toBe(0o600);
      expect(mode(db + '-fts')).toBe(0o600); // the full-text index's file, as private as the database
      open.close();
    } finally {
      process.umask(old);
    }
  });
});

describe('faults SQLite reports without the OS making them here', () => {
  // An I/O error cannot be made on demand (it needs failing hardware), so SQLite's error is made
  // by hand: the words must still be the I/O error's, not damage's, for a healthy file.
  it('an I/O error on a healthy file is an I/O error, not damage, and keeps rebuild out of it', async () => {
    const { asDatabaseError, DatabaseError, openDatabase } = await import('../../src-main/core/store/db.js');
    const dir = tempDir();
    const file = path.join(dir, 'index.sqlite');
    openDatabase(file).close();
    const err = asDatabaseError(new Database.SqliteError('disk I/O error', 'SQLITE_IOERR_READ'), file);
    expect(err).toBeInstanceOf(DatabaseError);
    expect(err).toMatchObject({ code: 'IO_ERROR' });
    expect((err as Error).message).toBe(`${file}: the system reported an input/output error (SQLITE_IOERR_READ). The file was not judged damaged: check the disk or network share (the system log says more), then run again.`);
    // Damage is damage only when the file's header says it is a database it cannot read…
    expect(asDatabaseError(new Database.SqliteError('database disk image is malformed', 'SQLITE_CORRUPT'), file)).toMatchObject({ code: 'DAMAGED' });
    // …and not one at all when the header is not SQLite's.
    const foreign = path.join(dir, 'notes.txt');
    fs.writeFileSync(foreign, 'hello, this is not a database at all');
    expect(asDatabaseError(new Database.SqliteError('file is not a database', 'SQLITE_NOTADB'), foreign)).toMatchObject({ code: 'NOT_A_DATABASE' });
    // Errors that are not of the storage stay as they were.
    const constraint = new Database.SqliteError('UNIQUE constraint failed', 'SQLITE_CONSTRAINT_UNIQUE');
    expect(asDatabaseError(constraint, file)).toBe(constraint);
  });
});
