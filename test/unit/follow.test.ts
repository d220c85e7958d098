import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { follow, type FollowBatch, type Follower } from '../../src-main/core/ingest/follow.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { eventsAfter, latestEvents } from '../../src-main/core/query/follow.js';
import { queryPage } from '../../src-main/core/query/index.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { lineSql } from '../../src-main/core/store/line-blocks.js';
import { CLI, EFT_W3C_SAMPLE, runCli, tempDir, writeLines } from '../helpers.js';
import { SESSIONS_WIDE, TRANSFERS_WIDE } from '../event-rows.js';

const HEADER = EFT_W3C_SAMPLE.slice(0, 4);

/**
 * The server: writes EFT W3C lines into a folder at a steady rate and in bursts, leaves a line
 * incomplete for a while, rotates the file (rename, a few late lines through the old handle, new
 * file), drops an unrelated file and starts the next daily file. Prints each write as JSON
 * `{ t, lines }` (t = when the lines were complete in the file).
 */
const WRITER = String.raw`
import fs from 'node:fs';
import path from 'node:path';
const [dir, headerJson] = process.argv.slice(2);
const header = JSON.parse(headerJson);
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const report = (lines) => process.stdout.write(JSON.stringify({ t: Date.now(), lines }) + '\n');
let seq = 0;
const loggedIn = new Set();
function next(day) {
  const conn = 1 + (seq % 5);
  const ts = new Date(Date.UTC(2024, 0, day) + seq * 1000).toISOString();
  const at = ts.slice(0, 10) + ' ' + ts.slice(11, 19);
  seq++;
  const ip = '10.0.0.' + conn;
  if (!loggedIn.has(conn)) {
    loggedIn.add(conn);
    return [at + ' ' + ip + ' - u' + conn + ' [' + conn + ']user u' + conn + ' - 331 - - - 22',
            at + ' ' + ip + ' - u' + conn + ' [' + conn + ']pass ******* - 230 - - - 22'];
  }
  return [at + ' ' + ip + ' - u' + conn + ' [' + conn + ']sent /f' + seq + '.txt - 226 - ' + seq + ' - 22'];
}
const write = (fd, lines) => {
  fs.writeSync(fd, lines.map((l) => l + '\r\n').join(''));
  report(lines);
};
async function steady(fd, day, n, ms) {
  for (let i = 0; i < n; i++) {
    write(fd, next(day));
    await sleep(ms);
  }
}
const burst = (fd, day, n) => write(fd, Array.from({ length: n }, () => next(day)).flat());

const first = path.join(dir, 'u_ex240101.log');
let fd = fs.openSync(first, 'a');
write(fd, header);
await steady(fd, 1, 40, 25);
burst(fd, 1, 300);
await sleep(100);
// A line written in two parts, the second long after the first.
const [partial] = next(1);
fs.writeSync(fd, partial.slice(0, 30));
await sleep(700);
fs.writeSync(fd, partial.slice(30) + '\r\n');
report([partial]);
await steady(fd, 1, 20, 25);
// Rotation: the server still writes a few lines through its open handle after the rename.
fs.renameSync(first, first + '.1');
await steady(fd, 1, 3, 25);
fs.closeSync(fd);
fd = fs.openSync(first, 'a');
write(fd, header);
await steady(fd, 1, 20, 25);
fs.closeSync(fd);
fs.writeFileSync(path.join(dir, 'notes.txt'), 'call the vendor about the certificate\n');
// Midnight: the next daily file.
fd = fs.openSync(path.join(dir, 'u_ex240102.log'), 'a');
write(fd, header);
await steady(fd, 2, 30, 20);
burst(fd, 2, 100);
await steady(fd, 2, 10, 25);
fs.closeSync(fd);
process.stdout.write(JSON.stringify({ done: true }) + '\n');
`;

let dir: string;
let logs: string;
let dbFile: string;
let db: Db;
const children: ChildProcess[] = [];

beforeEach(() => {
  dir = tempDir('xferlens-follow-');
  logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  dbFile = path.join(dir, 'index.sqlite');
  db = openDatabase(dbFile);
});
afterEach(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill('SIGKILL');
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

async function waitFor(what: string, test: () => boolean, timeoutMs = 15_000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await sleep(20);
  }
}

/** Spawns a node process and collects its stdout lines as they arrive. */
function start(args: string[]): { child: ChildProcess; lines: string[]; stderr: () => string; exit: Promise<number | null> } {
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, XFERLENS_QUIET_SLOW: '1' } });
  children.push(child);
  const lines: string[] = [];
  readline.createInterface({ input: child.stdout! }).on('line', (l) => lines.push(l));
  let err = '';
  child.stderr!.on('data', (d) => (err += d));
  const exit = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return { child, lines, stderr: () => err, exit };
}

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;

describe('follow', () => {
  // With change events, and by the poll alone (network shares deliver no events).
  it.each([{ mode: 'watch', watch: true }, { mode: 'poll', watch: false }])('indexes every line a writer appends exactly once, across bursts, a rotation and a new daily file ($mode)', async ({ mode, watch }) => {
    const batches: FollowBatch[] = [];
    const errors: unknown[] = [];
    const follower = follow(db, [logs], { timeZone: 'UTC', watch, onBatch: (b) => batches.push(b), onError: (e) => errors.push(e) });
    await follower.ready;
    const reader = openDatabase(dbFile, { readonly: true });
    try {
      const writerFile = path.join(dir, 'writer.mjs');
      fs.writeFileSync(writerFile, WRITER);
      const writer = start([writerFile, logs, JSON.stringify(HEADER)]);

      // The test plays a UI querying while the follower writes: each look is one read snapshot.
      const seenAt = new Map<number, { raw: string; at: number }>();
      let lastId = 0, lastTotal = 0, lastU1 = 0;
      const look = reader.transaction(() => {
        const rows = reader.prepare(`SELECT id, ${lineSql('events')} AS raw FROM events WHERE id > ? ORDER BY id`).all(lastId) as { id: number; raw: string }[];
        const now = Date.now();
        for (const r of rows) {
          expect(seenAt.has(r.id)).toBe(false);
          seenAt.set(r.id, { raw: r.raw, at: now });
          lastId = r.id;
        }
        const count = (reader.prepare('SELECT count(*) FROM events').pluck().get() as number);
        const total = queryPage(reader, { kind: 'events', query: '', limit: 1, count: true }).total!;
        const u1 = queryPage(reader, { kind: 'events', query: 'user:u1', limit: 1, count: true }).total!;
        // Counters and rows agree in every snapshot, and nothing indexed goes away.
        expect(total).toBe(count);
        expect(count).toBe(seenAt.size);
        expect(total).toBeGreaterThanOrEqual(lastTotal);
        expect(u1).toBeGreaterThanOrEqual(lastU1);
        lastTotal = total;
        lastU1 = u1;
      });

      const writes = () => writer.lines.map((l) => JSON.parse(l) as { t: number; lines: string[] } | { done: true });
      const written = () => writes().flatMap((w) => ('lines' in w ? w.lines : []));
      await waitFor('the writer to finish and every line to be indexed', () => {
        look();
        return writes().some((w) => 'done' in w) && seenAt.size >= written().length;
      }, 30_000);
      await sleep(600); // anything indexed twice would show up by now
      look();
      expect(await writer.exit).toBe(0);

      // Exactly once: the rows are the written lines, as a multiset, and each file's rows are its lines.
      const all = written();
      expect([...seenAt.values()].map((r) => r.raw).sort()).toEqual([...all].sort());
      const finalFiles = ['u_ex240101.log.1', 'u_ex240101.log', 'u_ex240102.log'].map((f) => path.join(logs, f));
      for (const file of finalFiles) {
        const lines = fs.readFileSync(file, 'utf8').split('\r\n').slice(0, -1);
        const stored = reader.prepare(`SELECT ${lineSql('e')} FROM events e JOIN sources s ON s.id = e.source_id WHERE s.path = ? ORDER BY e.line_no`).pluck().all(file);
        expect(stored, file).toEqual(lines);
      }
      // The unrelated file is not stored as unparsed lines.
      expect(reader.prepare('SELECT path FROM sources ORDER BY path').pluck().all()).toEqual([...finalFiles].sort());
      expect(reader.prepare('SELECT count(*) FROM events WHERE kind = 2').pluck().get()).toBe(0);
      expect(errors).toEqual([]);

      // Sessions and transfers as a clean index of the final files makes them.
      const clean = openDatabase(path.join(dir, 'clean.sqlite'));
      try {
        await indexPaths(clean, finalFiles, { timeZone: 'UTC' });
        const sessions = (d: Db) => d.prepare(`SELECT conn_key, user, client_ip, start_ts, end_ts, downloads, bytes_down, events FROM ${SESSIONS_WIDE} ORDER BY conn_key, start_ts`).all();
        const transfers = (d: Db) => d.prepare(`SELECT ts, user, op, path, bytes, status FROM ${TRANSFERS_WIDE} ORDER BY ts, path`).all();
        expect(sessions(reader)).toEqual(sessions(clean));
        expect(transfers(reader)).toEqual(transfers(clean));
        expect(transfers(reader).length).toBe(all.filter((l) => l.includes(']sent ')).length);
      } finally {
        clean.close();
      }

      // Latency from a line being complete in the file to it being queryable.
      const writtenAt = new Map<string, number>();
      for (const w of writes()) if ('lines' in w) for (const l of w.lines) if (!HEADER.includes(l)) writtenAt.set(l, w.t);
      const latencies = [...seenAt.values()].filter((r) => writtenAt.has(r.raw)).map((r) => r.at - writtenAt.get(r.raw)!).sort((a, b) => a - b);
      expect(latencies.length).toBe(writtenAt.size);
      const p50 = percentile(latencies, 50), p99 = percentile(latencies, 99);
      console.log(`follow latency (${mode}), write to queryable: p50 ${p50} ms, p99 ${p99} ms, max ${latencies.at(-1)} ms over ${latencies.length} lines, ${batches.length} batches`);
      // The target is 1 s; this bound leaves room for a loaded machine.
      expect(p99).toBeLessThan(3000);
    } finally {
      await follower.stop();
      reader.close();
    }
  }, 60_000);

  it('notices appends and new files by polling alone (no change events, as on a network share)', async () => {
    const file = path.join(logs, 'u_ex100408.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 6));
    const follower = follow(db, [logs], { timeZone: 'UTC', watch: false, pollMs: 100 });
    try {
      await follower.ready;
      const count = () => db.prepare('SELECT count(*) FROM events').pluck().get() as number;
      expect(count()).toBe(6);
      fs.appendFileSync(file, EFT_W3C_SAMPLE.slice(6).map((l) => l + '\r\n').join(''));
      await waitFor('the appended lines', () => count() === 11);
      writeLines(path.join(logs, 'u_ex100409.log'), EFT_W3C_SAMPLE);
      await waitFor('the new file', () => count() === 22);
    } finally {
      await follower.stop();
    }
  });

  it('indexes nothing while paused, catches up on resume, and keeps the incomplete last line for later', async () => {
    const file = path.join(dir, 'single.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 5));
    const follower: Follower = follow(db, [file], { timeZone: 'UTC', pollMs: 100 });
    try {
      await follower.ready;
      const count = () => db.prepare('SELECT count(*) FROM events').pluck().get() as number;
      follower.pause();
      expect(follower.paused).toBe(true);
      fs.appendFileSync(file, EFT_W3C_SAMPLE[5] + '\r\n' + EFT_W3C_SAMPLE[6]); // the last without its CRLF
      await sleep(400);
      expect(count()).toBe(5);
      follower.resume();
      await waitFor('the complete line', () => count() === 6);
      await sleep(300);
      expect(count()).toBe(6);
      fs.appendFileSync(file, '\r\n');
      await waitFor('the completed line', () => count() === 7);
      expect(db.prepare(`SELECT ${lineSql('events')} FROM events ORDER BY line_no`).pluck().all()).toEqual(EFT_W3C_SAMPLE.slice(0, 7));
    } finally {
      await follower.stop();
    }
  });

  it('follows a single file through a rotation (rename, late lines through the old handle, new file)', async () => {
    const file = path.join(dir, 'proftpd.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 6));
    const follower = follow(db, [file], { timeZone: 'UTC', pollMs: 100 });
    try {
      await follower.ready;
      const fd = fs.openSync(file, 'a');
      fs.renameSync(file, file + '.1');
      fs.writeSync(fd, EFT_W3C_SAMPLE.slice(6, 9).map((l) => l + '\r\n').join(''));
      fs.closeSync(fd);
      writeLines(file, EFT_W3C_SAMPLE);
      const count = () => db.prepare('SELECT count(*) FROM events').pluck().get() as number;
      await waitFor('both files', () => count() === 9 + EFT_W3C_SAMPLE.length);
      const byPath = (p: string) => db.prepare(`SELECT ${lineSql('e')} FROM events e JOIN sources s ON s.id = e.source_id WHERE s.path = ? ORDER BY e.line_no`).pluck().all(p);
      expect(byPath(file + '.1')).toEqual(EFT_W3C_SAMPLE.slice(0, 9));
      expect(byPath(file)).toEqual(EFT_W3C_SAMPLE);
    } finally {
      await follower.stop();
    }
  });

  it('lists matching events committed after an id, each once', async () => {
    const file = path.join(dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 7));
    await indexPaths(db, [file], { timeZone: 'UTC' });
    const first = latestEvents(db, 'user:test', 2);
    expect(first.rows.map((r) => r.verb)).toEqual(['pass', 'created']);
    fs.appendFileSync(file, EFT_W3C_SAMPLE.slice(7).map((l) => l + '\r\n').join('') + '2010-04-08 20:11:00 192.168.241.9 - bob [2]user bob - 331 - - - 22\r\n');
    await indexPaths(db, [file], { timeZone: 'UTC' });
    const next = eventsAfter(db, 'user:test', first.lastId, 100);
    expect(next.rows.map((r) => r.verb)).toEqual(['rnfr', 'rnto', 'sent', 'dele']);
    expect(eventsAfter(db, 'user:test', next.lastId, 100).rows).toEqual([]);
  });
});

describe('CLI --follow', () => {
  it('index --follow prints a JSON line per batch and stops on SIGINT with everything committed', async () => {
    const file = path.join(logs, 'u_ex100408.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 6));
    db.close();
    const run = start([CLI, 'index', '--follow', '--json', '--db', dbFile, '--tz', 'UTC', logs]);
    await waitFor('the first batch', () => run.lines.length >= 1);
    expect(JSON.parse(run.lines[0]!)).toMatchObject({ initial: true, lines: 6, events: 2, formats: { w3c: 1 } });
    fs.appendFileSync(file, EFT_W3C_SAMPLE.slice(6).map((l) => l + '\r\n').join(''));
    await waitFor('the appended batch', () => run.lines.some((l) => JSON.parse(l).lines === 5));
    expect(JSON.parse(run.lines.at(-1)!)).toMatchObject({ initial: false, changed: [file], lines: 5, events: 5 });
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    expect(run.stderr()).toContain('following');
    db = openDatabase(dbFile);
    expect(db.prepare(`SELECT ${lineSql('events')} FROM events ORDER BY line_no`).pluck().all()).toEqual(EFT_W3C_SAMPLE);
  });

  it('search --follow prints the last matches, then new matching events as they are indexed', async () => {
    const file = path.join(logs, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 7));
    db.close();
    expect(runCli(['index', '--db', dbFile, '--tz', 'UTC', file]).status).toBe(0);
    const run = start([CLI, 'search', '--follow', '--json', '--db', dbFile, '--limit', '2', 'user:test']);
    await waitFor('the last matches', () => run.lines.length >= 2);
    fs.appendFileSync(file, '2010-04-08 20:11:00 192.168.241.9 - bob [2]user bob - 331 - - - 22\r\n' + EFT_W3C_SAMPLE.slice(7).map((l) => l + '\r\n').join(''));
    expect(runCli(['index', '--db', dbFile, '--tz', 'UTC', file]).status).toBe(0);
    await waitFor('the new matches', () => run.lines.length >= 6);
    await sleep(500); // nothing else (no bob, no repeats) arrives
    run.child.kill('SIGINT');
    expect(await run.exit).toBe(0);
    const rows = run.lines.map((l) => JSON.parse(l));
    expect(rows.map((r) => r.raw)).toEqual([...EFT_W3C_SAMPLE.slice(5, 7), ...EFT_W3C_SAMPLE.slice(7)]);
    expect(runCli(['search', '--follow', '--db', dbFile, '--sort', 'user', 'x']).status).toBe(2);
  });
});
