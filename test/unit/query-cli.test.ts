import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase } from '../../src-main/core/store/db.js';
import { cliJson, EFT_W3C_SAMPLE, runCli, tempDir, writeLines } from '../helpers.js';
import { loadFixture, makeFixture } from './query-fixture.js';

let dir: string;
let eftDb: string;
let fixtureDb: string;
const fx = makeFixture(5, 200);

beforeAll(() => {
  dir = tempDir();
  eftDb = path.join(dir, 'eft.sqlite');
  writeLines(path.join(dir, 'ex100408.log'), EFT_W3C_SAMPLE);
  expect(runCli(['index', '--db', eftDb, path.join(dir, 'ex100408.log')]).status).toBe(0);
  fixtureDb = path.join(dir, 'fixture.sqlite');
  const db = openDatabase(fixtureDb);
  loadFixture(db, fx);
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('xferlens search / sessions / transfers', () => {
  it('prints a table of the default columns with UTC times, and the count', () => {
    const r = runCli(['search', '--db', eftDb, '"Test', 'File', '2"']);
    expect(r.status).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines[0]).toMatch(/^TIME\s+CLIENT IP\s+USER\s+COMMAND\s+PATH\s+CODE\s+BYTES\s+EXPLANATION$/);
    expect(lines.slice(1, -1).map((l) => l.split(/\s{2,}/).slice(0, 6))).toEqual([
      ['2010-04-08T20:08:23Z', '192.168.241.1', 'test', 'rnto', '/Test File 2.txt', '250'],
      ['2010-04-08T20:08:26Z', '192.168.241.1', 'test', 'sent', '/Test File 2.txt', '226'],
      ['2010-04-08T20:10:02Z', '192.168.241.1', 'test', 'dele', '/Test File 2.txt', '250'],
    ]);
    expect(lines.at(-1)).toBe('3 of 3 events');
  });

  it('--json gives {total, rows, nextCursor}; --limit pages with --cursor; --sort orders', () => {
    const first = cliJson(['search', '--db', eftDb, '--limit', '4', 'code:2xx OR code:3xx']);
    expect(Object.keys(first)).toEqual(['total', 'rows', 'nextCursor']);
    expect(first.total).toBe(7);
    expect(first.rows.map((r: any) => r.verb)).toEqual(['user', 'pass', 'created', 'rnfr']);
    expect(first.rows[0]).toMatchObject({ kind: 'event', ts: Date.UTC(2010, 3, 8, 20, 7, 7), format: 'w3c', source_path: path.join(dir, 'ex100408.log') });
    const second = cliJson(['search', '--db', eftDb, '--limit', '4', '--cursor', first.nextCursor, 'code:2xx OR code:3xx']);
    expect(second.rows.map((r: any) => r.verb)).toEqual(['rnto', 'sent', 'dele']);
    expect(second.nextCursor).toBeNull();
    const desc = cliJson(['search', '--db', eftDb, '--sort', 'ts:desc', '--limit', '2', 'user:TEST']);
    expect(desc.rows.map((r: any) => r.verb)).toEqual(['dele', 'sent']);
    // Nothing given: everything, directives included.
    expect(cliJson(['search', '--db', eftDb]).total).toBe(11);
    // A query starting with - goes after --.
    const dashed = runCli(['search', '--db', eftDb, '--json', '--', '-code:2xx', '-kind:directive']);
    expect(JSON.parse(dashed.stdout).rows.map((r: any) => r.status)).toEqual(['331', '350']);
  });

  it('shows times in --tz and reads dates of the query in it', () => {
    const r = runCli(['search', '--db', eftDb, '--tz', 'Europe/Paris', 'verb:dele', 'after:2010-04-08T22:10']);
    expect(r.stdout).toContain('2010-04-08T22:10:02+02:00');
    expect(cliJson(['search', '--db', eftDb, '--tz', 'Europe/Paris', 'after:2010-04-08T22:10:03']).total).toBe(0);
  });

  it('syntax errors exit 2 with the message and a caret under the column', () => {
    const r = runCli(['search', '--db', eftDb, 'user:test', 'usr:x']);
    expect(r.status).toBe(2);
    expect(r.stderr).toBe('xferlens: unknown field "usr" at column 11 (did you mean user?)\n  user:test usr:x\n            ^\n');
    const quote = runCli(['transfers', '--db', eftDb, 'path:"/a']);
    expect(quote.status).toBe(2);
    expect(quote.stderr).toContain('unclosed quote at column 6');
    expect(quote.stderr).toContain('\n  path:"/a\n       ^\n');
    for (const args of [['--sort', 'nope'], ['--sort', 'ts:up'], ['--limit', '0'], ['--tz', 'Mars/Base']]) {
      const bad = runCli(['search', '--db', eftDb, ...args]);
      expect(bad.status, args.join(' ')).toBe(2);
    }
    expect(runCli(['search', '--db', eftDb, '--sort', 'nope']).stderr).toContain('cannot sort events by "nope" (sortable: id, ts,');
  });

  it('transfers and sessions list their rows with the same language', () => {
    const uploads = fx.transfers.filter((t) => t.op === 'upload');
    const t = cliJson(['transfers', '--db', fixtureDb, '--limit', '1000', 'dir:upload']);
    expect(t.total).toBe(uploads.length);
    expect(t.rows.map((r: any) => r.id).sort((a: number, b: number) => a - b)).toEqual(uploads.map((u) => u.id));
    // Newest first by default.
    const times = t.rows.map((r: any) => r.ts).filter((x: number | null) => x !== null);
    expect(times).toEqual([...times].sort((a, b) => b - a));
    const failed = fx.sessions.filter((s) => s.login === 'failed' || s.failures > 0);
    const s = cliJson(['sessions', '--db', fixtureDb, '--limit', '1000', 'failed']);
    expect(s.total).toBe(failed.length);
    const table = runCli(['sessions', '--db', fixtureDb, '--limit', '3']);
    expect(table.stdout).toMatch(/^START\s+USER\s+CLIENT IP\s+PROTOCOL\s+LOGIN\s+FAILED LOGINS\s+UPLOADS\s+DOWNLOADS\s+FAILED OPERATIONS\s+BYTES UP\s+BYTES DOWN\s+DURATION\s+END\n/);
    expect(table.stdout).toMatch(/\n3 of 30 sessions; next page: --cursor \S+\n$/);
    expect(runCli(['sessions', '--db', fixtureDb, 'verb:stor']).stderr).toContain('"verb:" does not apply to sessions at column 1');
  });
});
