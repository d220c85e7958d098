import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { spawn, spawnSync } from 'node:child_process';
import { MAX_PAGE } from '../../src-main/core/query/index.js';
import { generateEftW3c } from '../bench/generate.js';
import { CLI, cliJson, EFT_W3C_SAMPLE, runCli, tempDir, writeLines } from '../helpers.js';
import { eventsWide } from '../event-rows.js';

let dir: string;
let db: string;
beforeEach(() => {
  dir = tempDir();
  db = path.join(dir, 'db', 'index.sqlite');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('xferlens index / stats / sources', () => {
  it('prints the documented JSON summary, then totals and sources', () => {
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(path.join(logs, 'sub'), { recursive: true });
    writeLines(path.join(logs, 'ex100408.log'), EFT_W3C_SAMPLE);
    writeLines(path.join(logs, 'sub', 'cl060306.log'), [
      '2006-03-06 10:11:03; ftp; 192.168.20.171; 21; ClientA; C:\\test1.txt; /test1.txt; download; 226;',
      'not a client log line',
    ]);
    const summary = cliJson(['index', '--db', db, '--tz', 'Europe/Paris', logs]);
    expect(Object.keys(summary).sort()).toEqual(['bytes', 'directives', 'errors', 'events', 'files', 'formats', 'lines', 'ms', 'unparsed']);
    expect(summary).toMatchObject({ files: 2, lines: 13, events: 8, directives: 4, unparsed: 1, formats: { w3c: 1, 'eft-client': 1 }, errors: [] });
    expect(typeof summary.ms).toBe('number');

    const stats = cliJson(['stats', '--db', db]);
    expect(stats).toMatchObject({ sources: 2, lines: 13, events: 8, directives: 4, unparsed: 1 });

    const sources = cliJson<any[]>(['sources', '--db', db]);
    expect(sources.map((s) => [path.basename(s.path), s.format, s.encoding, s.lines, s.unparsed, s.timeZone])).toEqual([
      ['ex100408.log', 'w3c', 'utf-8', 11, 0, 'Europe/Paris'],
      ['cl060306.log', 'eft-client', 'utf-8', 2, 1, 'Europe/Paris'],
    ]);
    // Local time converted with --tz: 10:11:03 in Paris (winter) is 09:11:03 UTC.
    const row = new Database(db, { readonly: true }).prepare(`SELECT ts, ts_local FROM ${eventsWide('main', false)} WHERE verb = 'download'`).get();
    expect(row).toEqual({ ts: Date.UTC(2006, 2, 6, 9, 11, 3), ts_local: 1 });

    const human = runCli(['sources', '--db', db]);
    expect(human.stdout).toMatch(/^FORMAT\s+ENCODING\s+LINES\s+UNPARSED\s+LAST INDEXED\s+PATH/);
    expect(human.stdout).toContain('eft-client');

    // Nothing new: a second run reads nothing, and keeps each file's zone.
    expect(cliJson(['index', '--db', db, logs])).toMatchObject({ files: 2, lines: 0, bytes: 0 });
    // A different --tz converts the local-time file again (only that one).
    expect(cliJson(['index', '--db', db, '--tz', 'UTC', logs])).toMatchObject({ lines: 2 });
    const again = new Database(db, { readonly: true }).prepare(`SELECT ts FROM ${eventsWide('main', false)} WHERE verb = 'download'`).get();
    expect(again).toEqual({ ts: Date.UTC(2006, 2, 6, 10, 11, 3) });
  });

  // `index` runs on a worker thread (cli/in-worker.ts): on a terminal its progress bar still shows,
  // as the caller's stderr is a terminal, not the worker's pipe to it. `script` gives it one.
  const hasScript = spawnSync('script', ['--version']).status === 0;
  it.skipIf(!hasScript)('index, run on a worker thread, draws its progress bar on a terminal and prints its summary', async () => {
    const log = path.join(dir, 'u_ex260301.log');
    await generateEftW3c(log, { lines: 30_000, seed: 5 });
    const command = [process.execPath, CLI, 'index', '--db', db, log].map((a) => `'${a}'`).join(' ');
    const r = spawnSync('script', ['-qec', command, '/dev/null'], {
      encoding: 'utf8',
      env: { ...process.env, XFERLENS_QUIET_SLOW: '1', XFERLENS_PROFTPD_CONF: '' },
    });
    expect(r.status).toBe(0);
    expect(r.stdout).toMatch(/\r\[#+\.*\] +\d+% /); // the file's name after it may be cut at the terminal's width
    expect(r.stdout).toContain('indexed 1 file(s): 30,000 new lines');
    // Without a terminal, no bar.
    const piped = runCli(['index', '--db', path.join(dir, 'other.sqlite'), log]);
    expect(piped.status).toBe(0);
    expect(piped.stderr).toBe('');
    expect(piped.stdout).toContain('indexed 1 file(s): 30,000 new lines');
  });

  it('exits 1 and names each failed input, but indexes the rest', () => {
    writeLines(path.join(dir, 'ex.log'), EFT_W3C_SAMPLE);
    const r = runCli(['index', '--db', db, path.join(dir, 'gone.log'), path.join(dir, 'ex.log')]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain(`${path.join(dir, 'gone.log')}: no such file or directory`);
    expect(r.stdout).toMatch(/indexed 1 file\(s\): 11 new lines/);
    const json = runCli(['index', '--db', db, '--json', path.join(dir, 'gone.log')]);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).errors).toEqual([{ path: path.join(dir, 'gone.log'), reason: 'no such file or directory' }]);
  });

  it('exits 2 on usage errors with a message', () => {
    for (const args of [['index', '--db', db], ['frobnicate'], ['index', '--bogus', 'x'], ['index', '--tz', 'Mars/Olympus', 'x'], []]) {
      const r = runCli(args);
      expect(r.status, args.join(' ')).toBe(2);
    }
    expect(runCli(['index', '--tz', 'Mars/Olympus', 'x']).stderr).toContain('unknown time zone "Mars/Olympus"');
    expect(runCli(['frobnicate']).stderr).toContain('unknown command "frobnicate"');
  });

  it('uses XFERLENS_DB when --db is not given', () => {
    writeLines(path.join(dir, 'ex.log'), EFT_W3C_SAMPLE);
    const r = runCli(['index', path.join(dir, 'ex.log')], { env: { XFERLENS_DB: db } });
    expect(r.status).toBe(0);
    expect(fs.existsSync(db)).toBe(true);
  });

  it('prints help and the format list', () => {
    const help = runCli(['--help']);
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('xferlens index [--db FILE] [--json] [--tz ZONE] [--logformat NAME=FORMAT]... [--proftpd-conf FILE] [--follow] PATH...');
    // The help's limit is the CLI's own copy of the query layer's (so that --help need not load it).
    expect(help.stdout).toContain(`rows per page (default 50, at most ${MAX_PAGE})`);
    expect(runCli(['formats']).stdout).toMatch(/^w3c\s+W3C Extended/m);
  });

  it('starts --help without loading a command module or SQLite', () => {
    // A module loader hook that refuses them: --help must not need them (start-up time, issue 12).
    const refuse = `export async function load(url, context, next) {
      if (/better-sqlite3|\\/cli\\/commands\\//.test(url)) throw new Error('--help loaded ' + url);
      return next(url, context);
    }`;
    const hook = `import { register } from 'node:module'; register(${JSON.stringify(`data:text/javascript,${encodeURIComponent(refuse)}`)});`;
    const help = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, CLI, '--help'], { encoding: 'utf8' });
    expect(help.stderr).toBe('');
    expect(help.status).toBe(0);
    expect(help.stdout).toContain('xferlens search');
    // The same hook does stop a command that needs them: the test can fail.
    const stats = spawnSync(process.execPath, ['--import', `data:text/javascript,${encodeURIComponent(hook)}`, CLI, 'stats', '--db', db], { encoding: 'utf8' });
    expect(stats.stderr).toContain('--help loaded');
  });
});

describe('the database file', () => {
  it('refuses a database from a newer xferlens and leaves it untouched', () => {
    fs.mkdirSync(path.dirname(db), { recursive: true });
    const future = new Database(db);
    future.pragma('user_version = 999');
    future.exec('CREATE TABLE future_things (x)');
    future.close();
    const before = fs.readFileSync(db);
    const r = runCli(['stats', '--db', db]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('was written by a newer xferlens (schema 999');
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it('refuses a file that is not a database, with a clear message', () => {
    fs.mkdirSync(path.dirname(db), { recursive: true });
    fs.writeFileSync(db, 'this is a text file, not SQLite '.repeat(200));
    const before = fs.readFileSync(db);
    const r = runCli(['stats', '--db', db]);
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/is not an xferlens database .*index again/);
    expect(fs.readFileSync(db).equals(before)).toBe(true);
  });

  it("refuses another program's SQLite database", () => {
    fs.mkdirSync(path.dirname(db), { recursive: true });
    const other = new Database(db);
    other.exec('CREATE TABLE customers (id)');
    other.close();
    const r = runCli(['stats', '--db', db]);
    expect(r.status).toBe(1);
    expect(r.stderr).toContain('SQLite database of another program');
  });
});

  it('says the database is busy when another process keeps writing past the wait, and indexes once it is free', () => {
    const log = path.join(dir, 'ex.log');
    writeLines(log, EFT_W3C_SAMPLE);
    expect(cliJson(['index', '--db', db, log])).toMatchObject({ lines: 11 });
    writeLines(log, [...EFT_W3C_SAMPLE, ...EFT_W3C_SAMPLE.slice(4)]);
    const other = new Database(db);
    other.exec('BEGIN IMMEDIATE'); // another process in the middle of a long write
    try {
      const r = runCli(['index', '--db', db, log], { env: { XFERLENS_BUSY_TIMEOUT_MS: '300' } });
      expect(r.status).toBe(1);
      expect(r.stderr).toBe(`xferlens: ${db} is busy: another xferlens process (the app, \`xferlens serve\` or another command) ` +
        'has been writing to it for over 0.3 s. Nothing was lost: run this again when it has finished.\n');
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    expect(cliJson(['index', '--db', db, log])).toMatchObject({ lines: 7 });
    expect(cliJson(['stats', '--db', db])).toMatchObject({ lines: 18 });
  });

describe('output into a closed pipe', () => {
  it('`search | head`: stops quietly with exit 0 when the reader closes the pipe', async () => {
    const log = path.join(dir, 'u_ex260103.log');
    await generateEftW3c(log, { lines: 20_000, seed: 3 });
    const dbFile = path.join(dir, 'pipe.sqlite');
    expect(runCli(['index', '--db', dbFile, log]).status).toBe(0);
    for (const args of [['search', '--json', '--limit', '1000'], ['search', '--limit', '1000']]) {
      // Like `| head -c 100`: read a little, then close our end while the CLI is still writing.
      const child = spawn(process.execPath, [CLI, ...args, '--db', dbFile], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (d: Buffer) => (stderr += d));
      await new Promise<void>((resolve) => child.stdout.once('data', () => resolve()));
      child.stdout.destroy();
      const code = await new Promise<number | null>((resolve) => child.on('close', (c) => resolve(c)));
      // A busy machine may make the page slow enough to be logged: that line is not about the pipe.
      expect({ code, stderr: stderr.replace(/^xferlens: slow query .*\n/gm, '') }).toEqual({ code: 0, stderr: '' });
    }
  });
});
