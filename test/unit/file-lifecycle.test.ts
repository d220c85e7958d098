/**
 * Log files change under the indexer: they grow while being read, are rotated, truncated, replaced,
 * deleted mid-read, or cannot be read. In each case: a clear message where something could not be
 * read, the other files indexed, and after the next run every complete line exactly once.
 * (Changes between runs are in ingest.test.ts.)
 */
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { indexPaths, type IndexOptions, type IndexSummary } from '../../src-main/core/ingest/indexer.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { CLI, EFT_W3C_SAMPLE, tempDir, writeLines } from '../helpers.js';
import { lineOffsetSql, lineSql } from '../../src-main/core/store/line-blocks.js';
import { EVENTS_WIDE } from '../event-rows.js';
import { expectLineSpansInStep } from '../spans.js';
import { sourceLinesFrom } from '../../src-main/core/store/line-spans.js';

let dir: string;
/** Where the logs are (the database is next to it, in `dir`). */
let logs: string;
let db: Db;
const index = (paths: string[], opts: Partial<IndexOptions> = {}): Promise<IndexSummary> => indexPaths(db, paths, { timeZone: 'UTC', ...opts });

beforeEach(() => {
  dir = tempDir();
  logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  db = openDatabase(path.join(dir, 'index.sqlite'));
});
afterEach(() => {
  vi.restoreAllMocks();
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** A W3C log of `lines` lines (about 107 bytes each: 30k lines are several 1 MB read chunks) in `logs`. */
async function w3cLog(name: string, lines: number, seed: number): Promise<string> {
  const file = path.join(logs, name);
  await generateEftW3c(file, { lines, seed, startMs: Date.UTC(2026, 0, seed) });
  return file;
}

/** The bytes of another W3C log, made outside `logs`. */
async function w3cBytes(lines: number, seed: number): Promise<Buffer> {
  const file = path.join(dir, `gen-${seed}.log`);
  await generateEftW3c(file, { lines, seed, startMs: Date.UTC(2026, 0, seed) });
  const bytes = fs.readFileSync(file);
  fs.rmSync(file);
  return bytes;
}

/** The complete lines of `bytes` with their offsets (LF ends a line; the CR before it is not part of it). */
function completeLines(bytes: Buffer): { raw: string; offset: number }[] {
  const out: { raw: string; offset: number }[] = [];
  for (let pos = 0, nl; (nl = bytes.indexOf(0x0a, pos)) >= 0; pos = nl + 1) {
    const end = nl > pos && bytes[nl - 1] === 0x0d ? nl - 1 : nl;
    out.push({ raw: bytes.toString('utf8', pos, end), offset: pos });
  }
  return out;
}

/** The source stored for `file` holds each complete line of `content` once, in order, at its offset. */
function expectEveryLineOnce(file: string, content: Buffer = fs.readFileSync(file)): void {
  const rows = db.prepare(`SELECT e.line_no, ${lineOffsetSql('e')} AS offset, ${lineSql('e')} AS raw FROM events e JOIN sources s ON s.id = e.source_id
    WHERE s.path = ? ORDER BY e.line_no`).all(file) as { line_no: number; offset: number; raw: string }[];
  const lines = completeLines(content);
  expect(rows.length).toBe(lines.length);
  expect(rows.map((r) => r.line_no)).toEqual(lines.map((_, i) => i + 1));
  // Compared in one go (a per-row expect on 30k rows is slow).
  expect(rows.map((r) => `${r.offset}:${r.raw}`)).toEqual(lines.map((l) => `${l.offset}:${l.raw}`));
  expect(db.prepare('SELECT lines_indexed FROM sources WHERE path = ?').get(file)).toEqual({ lines_indexed: lines.length });
  // Its lines as the context of an event reads them: through the spans of ids they were stored under.
  const source = db.prepare('SELECT id FROM sources WHERE path = ?').pluck().get(file);
  const spanned = db.prepare(`SELECT e.line_no FROM ${sourceLinesFrom('e')} ORDER BY e.line_no`).pluck().all({ source, from: 1, to: lines.length + 5 });
  expect(spanned).toEqual(rows.map((r) => r.line_no));
  expectLineSpansInStep(db);
}

const totalRows = () => (db.prepare('SELECT count(*) AS n FROM events').get() as { n: number }).n;

describe('a file that grows while it is being indexed', () => {
  it('lines appended between batches (the last one half-written) are each stored once, by this run or the next', async () => {
    const file = await w3cLog('u_ex260101.log', 30_000, 1);
    const more = (await w3cBytes(3000, 2)).subarray(400); // from mid-line, after the headers
    let appended = 0;
    const piece = Math.ceil(more.length / 5);
    const s = await index([file], {
      onBatch: () => {
        // Each time: the rest of the previous half line, and a new half line.
        if (appended >= more.length) return;
        fs.appendFileSync(file, more.subarray(appended, appended + piece));
        appended += piece;
      },
    });
    expect(appended).toBeGreaterThan(0);
    const firstRun = s.lines;
    expect(firstRun).toBeGreaterThan(30_000); // this run read some of what was appended during it
    // The server finishes its line later; the next run takes exactly what is new.
    fs.appendFileSync(file, more.subarray(Math.min(appended, more.length)));
    const second = await index([file]);
    expect(firstRun + second.lines).toBe(completeLines(fs.readFileSync(file)).length);
    expectEveryLineOnce(file);
  });

  it('a server process writing in random pieces during the run: every complete line once after a second run', async () => {
    const full = await w3cBytes(40_000, 3);
    const source = path.join(dir, 'source.bin');
    fs.writeFileSync(source, full);
    const file = path.join(logs, 'u_ex260103.log');
    fs.writeFileSync(file, full.subarray(0, 1_000_003)); // ends mid-line
    // The writer appends the rest in pieces of 1 byte to 64 KB (cutting lines and characters anywhere).
    const writer = spawn(process.execPath, ['-e', `
      const fs = require('node:fs');
      const rest = fs.readFileSync(${JSON.stringify(source)}).subarray(1_000_003);
      const fd = fs.openSync(${JSON.stringify(file)}, 'a');
      let pos = 0, seed = 7;
      const next = () => (seed = (seed * 1103515245 + 12345) % 2147483648) / 2147483648;
      (function write() {
        if (pos >= rest.length) return fs.closeSync(fd);
        const n = 1 + Math.floor(next() ** 3 * 65536);
        fs.writeSync(fd, rest, pos, Math.min(n, rest.length - pos));
        pos += n;
        setTimeout(write, next() < 0.9 ? 0 : 5);
      })();
    `], { stdio: 'inherit' });
    const writerDone = new Promise((resolve) => writer.on('exit', resolve));
    await index([file]);
    await writerDone;
    expect(fs.readFileSync(file).equals(full)).toBe(true);
    await index([file]);
    expectEveryLineOnce(file, full);
  });
});

describe('a file rotated, truncated or replaced while it is being indexed', () => {
  it('rotated (renamed, a new file at the old name, the old one still written to): both complete, each line once', async () => {
    const file = await w3cLog('u_ex.log', 30_000, 4);
    const fresh = await w3cBytes(500, 5);
    let rotated = false;
    await index([logs], {
      onBatch: () => {
        if (rotated) return;
        rotated = true;
        fs.renameSync(file, file + '.1');
        fs.writeFileSync(file, fresh);
      },
    });
    // The server writes its last lines to the file it still has open, then moves to the new one.
    fs.appendFileSync(file + '.1', '2026-01-04 23:59:59 10.0.0.1 - late [99]QUIT - - 221 - - - 21\r\n');
    await index([logs]);
    expectEveryLineOnce(file + '.1');
    expectEveryLineOnce(file);
    expect(totalRows()).toBe(30_001 + 500);
  });

  it('truncated (copytruncate) mid-read: the copy and the new content, each line once', async () => {
    const file = await w3cLog('u_ex.log', 30_000, 6);
    const original = fs.readFileSync(file);
    const after = await w3cBytes(300, 7);
    let truncated = false;
    const first = await index([file], {
      batchBytes: 512 << 10, // several reads of the 3 MB file
      onBatch: () => {
        if (truncated) return;
        truncated = true;
        fs.copyFileSync(file, file + '.1');
        fs.truncateSync(file, 0);
      },
    });
    expect(first.lines).toBeLessThan(30_000); // reading stopped at the cut
    fs.writeFileSync(file, after);
    await index([file, file + '.1']);
    expectEveryLineOnce(file, after);
    expectEveryLineOnce(file + '.1', original);
    expect(totalRows()).toBe(30_000 + 300);
  });

  it('truncated and grown past where the last run stopped (other first bytes): indexed again from the start', async () => {
    const file = await w3cLog('u_ex.log', 3000, 8);
    await index([file]);
    const other = await w3cBytes(6000, 9);
    fs.writeFileSync(file, other); // same inode, longer than before
    await index([file]);
    expectEveryLineOnce(file, other);
  });

  it('replaced by a different file of the same size: in place with the same time, or renamed over it with the same first 4 KB', async () => {
    const file = path.join(logs, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE);
    await index([file]);
    const { mtime } = fs.statSync(file);
    // In place, same size, same modification time: the first bytes differ.
    const sameSize = EFT_W3C_SAMPLE.map((l) => l.replace('2010-04-08', '2011-05-09'));
    writeLines(file, sameSize);
    fs.utimesSync(file, mtime, mtime);
    expect((await index([file])).lines).toBe(sameSize.length);
    expectEveryLineOnce(file);

    // Renamed over it: same size and the same first 4 KB (a long header block), later lines differ.
    const head = ['#Software: CuteLogger', ...Array.from({ length: 60 }, (_, i) => `#Remark: ${'padding '.repeat(8)}${String(i).padStart(3, '0')}`), EFT_W3C_SAMPLE[3]!];
    const big = path.join(logs, 'big.log');
    writeLines(big, [...head, ...EFT_W3C_SAMPLE.slice(4)]);
    await index([big]);
    const replacement = path.join(dir, 'replacement.tmp');
    writeLines(replacement, [...head, ...EFT_W3C_SAMPLE.slice(4).map((l) => l.replace('test', 'joel'))]);
    expect(fs.statSync(replacement).size).toBe(fs.statSync(big).size);
    fs.renameSync(replacement, big);
    await index([big]);
    expectEveryLineOnce(big);
    const users = db.prepare(`SELECT user, count(*) AS n FROM ${EVENTS_WIDE} e JOIN sources s ON s.id = e.source_id WHERE s.path = ? AND user IS NOT NULL GROUP BY user`).all(big);
    expect(users).toEqual([{ user: 'joel', n: 7 }]);
  });
});

describe('a file deleted or failing mid-read', () => {
  it('a file deleted (or replaced by a folder) before its turn is reported by name; the others are indexed', async () => {
    const a = await w3cLog('a.log', 20_000, 10);
    const b = await w3cLog('b.log', 100, 11);
    const c = await w3cLog('c.log', 100, 12);
    let done = false;
    const s = await index([a, b, c], {
      onBatch: () => {
        if (done) return;
        done = true;
        fs.rmSync(b);
        fs.rmSync(c);
        fs.mkdirSync(c);
      },
    });
    expect(s.errors).toEqual([{ path: b, reason: 'no such file or directory' }, { path: c, reason: 'is a directory' }]);
    expect(s.files).toBe(1);
    expectEveryLineOnce(a);
  });

  it('the file being read is deleted: what was read stays (the open file is read to its end), later runs add nothing', async () => {
    const file = await w3cLog('u_ex.log', 30_000, 13);
    const content = fs.readFileSync(file);
    let deleted = false;
    const s = await index([logs], {
      onBatch: () => {
        if (!deleted) fs.rmSync(file);
        deleted = true;
      },
    });
    expect(s.errors).toEqual([]);
    expectEveryLineOnce(file, content);
    expect(await index([logs])).toMatchObject({ lines: 0, errors: [{ path: logs, reason: 'folder holds no files' }] });
    expect(await index([file])).toMatchObject({ lines: 0, errors: [{ path: file, reason: 'no such file or directory' }] });
    expect(totalRows()).toBe(30_000);
  });

  it('a read that fails mid-file (a network share dropping): reported by name, the rows before it kept, the next run continues without duplicates', async () => {
    const file = await w3cLog('u_ex.log', 30_000, 14);
    const other = await w3cLog('v_ex.log', 100, 15);
    const open = fs.promises.open;
    vi.spyOn(fs.promises, 'open').mockImplementation(async (...args: Parameters<typeof open>) => {
      const handle = await open(...args);
      if (args[0] === file) {
        const read = handle.read.bind(handle) as (...a: unknown[]) => Promise<unknown>;
        let reads = 0;
        // (Each open counts apart: the fingerprint's, then the reader's.) Three 1 MB chunks, then the share is gone.
        (handle as unknown as { read: unknown }).read = async (...a: unknown[]) => {
          if (++reads > 3) throw Object.assign(new Error('EIO: i/o error, read'), { code: 'EIO', errno: -5, syscall: 'read' });
          return read(...a);
        };
      }
      return handle;
    });
    const s = await index([file, other], { batchBytes: 1 << 20 });
    expect(s.errors).toEqual([{ path: file, reason: 'EIO: i/o error, read' }]);
    expectEveryLineOnce(other);
    const kept = db.prepare('SELECT lines_indexed FROM sources WHERE path = ?').get(file) as { lines_indexed: number };
    expect(kept.lines_indexed).toBeGreaterThan(0);
    expect(kept.lines_indexed).toBeLessThan(30_000);
    expectEveryLineOnce(file, fs.readFileSync(file).subarray(0, (db.prepare('SELECT bytes_indexed FROM sources WHERE path = ?').get(file) as { bytes_indexed: number }).bytes_indexed));
    vi.restoreAllMocks();
    const next = await index([file, other]);
    expect(next.errors).toEqual([]);
    expect(next.lines).toBe(30_000 - kept.lines_indexed);
    expectEveryLineOnce(file);
  });
});

describe('files that cannot be read', () => {
  it('a file and a folder without read permission: each named with "permission denied", the rest indexed, exit 1', () => {
    const locked = path.join(logs, 'locked');
    fs.mkdirSync(locked, { recursive: true });
    writeLines(path.join(logs, 'ok.log'), EFT_W3C_SAMPLE);
    writeLines(path.join(logs, 'secret.log'), EFT_W3C_SAMPLE);
    writeLines(path.join(locked, 'inside.log'), EFT_W3C_SAMPLE);
    fs.chmodSync(path.join(logs, 'secret.log'), 0o600);
    fs.chmodSync(locked, 0o700);
    const dbFile = path.join(dir, 'cli.sqlite');
    // As root, permissions do not stop reads: run the CLI as an unprivileged user instead.
    const asRoot = process.getuid?.() === 0;
    if (asRoot) {
      fs.chmodSync(dir, 0o777);
      fs.chmodSync(logs, 0o755);
    } else {
      fs.chmodSync(path.join(logs, 'secret.log'), 0);
      fs.chmodSync(locked, 0);
    }
    const r = spawnSync(process.execPath, [CLI, 'index', '--db', dbFile, '--json', logs], {
      encoding: 'utf8', env: { ...process.env, XFERLENS_QUIET_SLOW: '1' }, ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
    fs.chmodSync(locked, 0o755); // let afterEach remove it
    expect(r.status).toBe(1);
    expect(r.stderr).toBe(`xferlens: ${locked}: permission denied\nxferlens: ${path.join(logs, 'secret.log')}: permission denied\n`);
    expect(JSON.parse(r.stdout)).toMatchObject({ files: 1, lines: EFT_W3C_SAMPLE.length });
  });
});
