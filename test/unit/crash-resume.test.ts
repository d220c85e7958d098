import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEftW3c } from '../bench/generate.js';
import { EVENT_INDEX_NAMES } from '../../src-main/core/store/schema.js';
import { CLI, runCli, tempDir } from '../helpers.js';

/** Row counts and a checksum of every stored row and of the full-text index. */
function fingerprint(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  try {
    const hash = createHash('sha256');
    const stmt = db.prepare(`SELECT s.path, e.line_no, e.byte_offset, e.ts, e.kind, e.user, e.verb, e.path, e.status, e.bytes, e.raw
      FROM events e JOIN sources s ON s.id = e.source_id ORDER BY s.path, e.line_no`);
    let rows = 0;
    for (const r of stmt.iterate() as Iterable<Record<string, unknown>>) {
      hash.update(JSON.stringify(Object.values(r)));
      rows++;
    }
    const fts = (db.prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH '\"2026\"'").get() as { n: number }).n;
    const sources = db.prepare('SELECT path, bytes_indexed, lines_indexed, events, directives, unparsed FROM sources ORDER BY path').all();
    return { rows, fts, sources, sum: hash.digest('hex') };
  } finally {
    db.close();
  }
}

function hasSchema(dbFile: string): boolean {
  const db = new Database(dbFile, { readonly: true });
  try {
    return !!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events'").get();
  } finally {
    db.close();
  }
}

/** Starts `xferlens index` and kills it with SIGKILL once it has committed some rows, or after `ms`. */
async function indexAndKill(dbFile: string, input: string, ms: number): Promise<boolean> {
  const child = spawn(process.execPath, [CLI, 'index', '--db', dbFile, '--json', input], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  await new Promise((r) => setTimeout(r, ms));
  const killed = child.kill('SIGKILL');
  await exited;
  return killed && child.signalCode === 'SIGKILL';
}

describe('crash safety', () => {
  let dir: string;
  let log: string;
  let clean: ReturnType<typeof fingerprint>;

  beforeAll(async () => {
    dir = tempDir();
    log = path.join(dir, 'u_ex260101.log');
    await generateEftW3c(log, { lines: 150_000, seed: 7 });
    const cleanDb = path.join(dir, 'clean.sqlite');
    expect(runCli(['index', '--db', cleanDb, log]).status).toBe(0);
    clean = fingerprint(cleanDb);
    expect(clean.rows).toBe(150_000);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('kill -9 at several points, then the same command again, gives exactly the rows of a clean run', async () => {
    const dbFile = path.join(dir, 'killed.sqlite');
    let killsMidway = 0;
    // Delays spread over the run (start-up, mid-index); seeded, so a failure reproduces.
    for (const ms of [350, 700, 1100, 1600]) {
      if (await indexAndKill(dbFile, log, ms)) killsMidway++;
      if (fs.existsSync(dbFile) && hasSchema(dbFile)) {
        // (Killed before its first migration committed, the file is empty: the rerun creates it.)
        const partial = fingerprint(dbFile);
        expect(partial.rows).toBeLessThanOrEqual(clean.rows);
        // Whatever was committed is a prefix of the file: no gaps, no duplicates.
        if (partial.sources.length) expect(partial.rows).toBe((partial.sources[0] as { lines_indexed: number }).lines_indexed);
      }
    }
    expect(killsMidway).toBeGreaterThan(0);
    expect(runCli(['index', '--db', dbFile, log]).status).toBe(0);
    expect(fingerprint(dbFile)).toEqual(clean);
    // A killed bulk load leaves its indexes unbuilt; the next open builds them.
    const db = new Database(dbFile, { readonly: true });
    const names = (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events'").all() as { name: string }[]).map((r) => r.name);
    db.close();
    expect(names.sort()).toEqual([...EVENT_INDEX_NAMES].sort());
  });
});
