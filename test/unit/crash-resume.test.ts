import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateEftW3c, Rng } from '../bench/generate.js';
import { attachFullText, FULL_TEXT_FILES, FULL_TEXT_OWNER_KEY } from '../../src-main/core/store/full-text.js';
import { ensureLineFunctions } from '../../src-main/core/store/line-blocks.js';
import { EVENT_INDEX_NAMES, SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { CLI, runCli, tempDir } from '../helpers.js';
import { EVENTS_WIDE, TRANSFERS_WIDE, ALL_TRANSFERS } from '../event-rows.js';
import { expectLineSpansInStep } from '../spans.js';

/** Kill points: seeded (XFERLENS_CRASH_SEED to try others), so a failure reproduces. */
const SEED = Number(process.env.XFERLENS_CRASH_SEED ?? 20);
const KILLS = 20;
/** Over 16 MB: the first run is a bulk load (indexes dropped, built at the end). */
const LINES = 160_000;

/** What a killed run's rows must share with the clean run's (its session and transfer ids may differ). */
const PREFIX_COLUMNS = 'e.line_no, e.byte_offset, e.kind, e.ts, e.user, e.verb, e.path, e.status, e.bytes, e.raw';
const EVENT_COLUMNS = `s.path, e.line_no, e.byte_offset, e.kind, e.ts, e.user, e.verb, e.path, e.status, e.bytes, e.extra, e.raw, e.session_id, e.transfer_id, e.op, e.outcome`;

/** Checksum of every row a query returns, in its order. */
function checksum(db: Database.Database, sql: string): { rows: number; sum: string } {
  const hash = createHash('sha256');
  let rows = 0;
  for (const r of db.prepare(sql).raw().iterate()) {
    hash.update(JSON.stringify(r));
    rows++;
  }
  return { rows, sum: hash.digest('hex') };
}

/**
 * Everything a run leaves: events (with their links to sessions and transfers), sessions and
 * transfers (maintained in the same transactions), where each source stands, the full-text index
 * and the event indexes.
 */
function fingerprint(dbFile: string) {
  const db = new Database(dbFile, { readonly: true });
  ensureLineFunctions(db);
  attachFullText(db, dbFile, true);
  try {
    return {
      events: checksum(db, `SELECT ${EVENT_COLUMNS} FROM ${EVENTS_WIDE} e JOIN sources s ON s.id = e.source_id ORDER BY s.path, e.line_no`),
      sessions: checksum(db, 'SELECT * FROM sessions ORDER BY id'),
      spans: checksum(db, 'SELECT * FROM line_spans ORDER BY first_id'),
      transfers: checksum(db, `SELECT * FROM ${TRANSFERS_WIDE} ORDER BY id`),
      fts: (db.prepare("SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH '\"2026\"'").get() as { n: number }).n,
      sources: db.prepare('SELECT path, bytes_indexed, lines_indexed, events, directives, unparsed, first_ts, last_ts, parser_state FROM sources ORDER BY path').all(),
      // The full-text index's owner is a random name each database gets.
      meta: db.prepare('SELECT key, value FROM meta WHERE key <> ? ORDER BY key').all(FULL_TEXT_OWNER_KEY),
      indexes: (db.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND tbl_name = 'events' ORDER BY name").all() as { name: string }[]).map((r) => r.name),
    };
  } finally {
    db.close();
  }
}

/**
 * What a killed run must leave: a prefix of the clean run's rows (same lines, offsets, kinds,
 * times, fields), no gap, no duplicate, counters that match, and links only to sessions and
 * transfers that exist.
 */
function expectCleanPrefix(dbFile: string, cleanFile: string): number {
  if (!fs.existsSync(dbFile)) return 0; // killed before it created the file
  const db = new Database(dbFile, { readonly: true });
  ensureLineFunctions(db);
  try {
    if (!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events'").get()) return 0; // killed before its first migration
    if ((db.pragma('user_version', { simple: true }) as number) < SCHEMA_VERSION) {
      // Killed between two migrations (each is one transaction; the next open runs the rest): no rows yet.
      expect(db.prepare('SELECT count(*) AS n FROM events').get()).toEqual({ n: 0 });
      return 0;
    }
    const source = db.prepare('SELECT lines_indexed, events + directives + unparsed AS counted FROM sources').get() as { lines_indexed: number; counted: number } | undefined;
    const { n, max } = db.prepare('SELECT count(*) AS n, max(line_no) AS max FROM events').get() as { n: number; max: number | null };
    expect(n).toBe(source?.lines_indexed ?? 0);
    expect(source?.counted ?? 0).toBe(n);
    expect(max ?? 0).toBe(n); // lines 1..n: no gap, no duplicate
    // Each side read in line order (a join of the two would decode a text block per row and side).
    const prefix = `SELECT ${PREFIX_COLUMNS} FROM ${EVENTS_WIDE} e WHERE e.line_no <= ${n} ORDER BY e.line_no`;
    const cleanDb = new Database(cleanFile, { readonly: true });
    ensureLineFunctions(cleanDb);
    try {
      expect(checksum(db, prefix)).toEqual(checksum(cleanDb, prefix));
    } finally {
      cleanDb.close();
    }
    const dangling = db.prepare(`SELECT
      (SELECT count(*) FROM events e WHERE e.session_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM sessions s WHERE s.id = e.session_id)) +
      (SELECT count(*) FROM events e WHERE e.transfer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ALL_TRANSFERS} t WHERE t.id = e.transfer_id)) AS n`).get() as { n: number };
    expect(dangling.n).toBe(0);
    expectLineSpansInStep(db);
    return n;
  } finally {
    db.close();
  }
}

/** Starts `xferlens index`; after `ms`, kills it with SIGKILL unless it has finished. */
async function indexAndKill(dbFile: string, input: string, ms: number): Promise<'killed' | 'finished'> {
  const child = spawn(process.execPath, [CLI, 'index', '--db', dbFile, '--json', input], { stdio: 'ignore' });
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  const timer = setTimeout(() => child.kill('SIGKILL'), ms);
  const code = await exited;
  clearTimeout(timer);
  if (child.signalCode === 'SIGKILL') return 'killed';
  expect(code).toBe(0);
  return 'finished';
}

async function timed(run: () => unknown): Promise<number> {
  const t0 = performance.now();
  await run();
  return performance.now() - t0;
}

describe('crash safety', () => {
  let dir: string;
  let log: string;
  let cleanFile: string;
  let clean: ReturnType<typeof fingerprint>;
  let cleanMs: number;
  let startupMs: number;

  beforeAll(async () => {
    dir = tempDir();
    log = path.join(dir, 'u_ex260101.log');
    await generateEftW3c(log, { lines: LINES, seed: 7 });
    expect(fs.statSync(log).size).toBeGreaterThan(16 << 20);
    cleanFile = path.join(dir, 'clean.sqlite');
    cleanMs = await timed(() => expect(runCli(['index', '--db', cleanFile, log]).status).toBe(0));
    // What a run costs before its first line: start, load the indexer, create and migrate a database
    // (not `--version`, which loads none of that).
    fs.writeFileSync(path.join(dir, 'empty.log'), '');
    startupMs = await timed(() => expect(runCli(['index', '--db', path.join(dir, 'startup.sqlite'), path.join(dir, 'empty.log')]).status).toBe(0));
    clean = fingerprint(cleanFile);
    expect(clean.events.rows).toBe(LINES);
    expect(clean.sessions.rows).toBeGreaterThan(1000);
    expect(clean.transfers.rows).toBeGreaterThan(1000);
  }, 120_000);
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it(`kill -9 at ${KILLS} random points; each rerun continues, and the result equals a clean run's, sessions and transfers included`, async () => {
    const dbFile = path.join(dir, 'killed.sqlite');
    const removeDb = () => {
      for (const f of ['', '-wal', '-shm', ...FULL_TEXT_FILES]) fs.rmSync(dbFile + f, { force: true });
    };
    const rng = new Rng(SEED);
    const points: { ms: number; rows: number }[] = [];
    let rounds = 0;
    const finishRound = async () => {
      // Run to its end (no kill) and compare everything with the clean run; then start again empty.
      expect(await indexAndKill(dbFile, log, 600_000)).toBe('finished');
      expect(fingerprint(dbFile)).toEqual(clean);
      rounds++;
      removeDb();
    };
    removeDb();
    // A rerun first recovers the WAL and builds the indexes a killed bulk load left unbuilt: while
    // kills land before a rerun's first commit, later ones wait longer.
    let catchUp = 0;
    for (let attempt = 0; points.length < KILLS && attempt < 3 * KILLS; attempt++) {
      const fresh = !fs.existsSync(dbFile);
      let ms: number;
      if (fresh && rounds === 0) ms = Math.round(cleanMs * (0.75 + 0.3 * rng.next())); // late in the bulk load: last batches, index build, analysis
      else if (fresh || rng.chance(0.1)) ms = rng.range(20, Math.round(startupMs * 1.5)); // opening, migrating
      else ms = Math.round(startupMs + catchUp + rng.next() * cleanMs * 0.3);
      const before = points.at(-1)?.rows ?? 0;
      const outcome = await indexAndKill(dbFile, log, ms);
      if (outcome === 'finished') {
        // This rerun reached the end before its kill: it must equal the clean run.
        expect(fingerprint(dbFile)).toEqual(clean);
        rounds++;
        removeDb();
        continue;
      }
      const rows = expectCleanPrefix(dbFile, cleanFile);
      points.push({ ms, rows });
      catchUp = rows > before || fresh ? 0 : catchUp + 400;
      if (points.length === KILLS / 2 || points.length === KILLS) await finishRound();
    }
    expect(points).toHaveLength(KILLS);
    expect(rounds).toBeGreaterThanOrEqual(2);
    // The kills landed at different stages: before any row, mid-way, after the last row (index build, analysis).
    const rows = points.map((p) => p.rows);
    expect(rows.some((n) => n > 0 && n < LINES)).toBe(true);
    console.log(`crash-resume: ${KILLS} kills (seed ${SEED}, clean run ${Math.round(cleanMs)} ms): ms after start → rows committed: ${points.map((p) => `${p.ms}→${p.rows}`).join(', ')}`);
    // A killed bulk load leaves its indexes unbuilt; the next open built them (checked in the fingerprint).
    expect(clean.indexes).toEqual([...EVENT_INDEX_NAMES].sort());
  }, 900_000);
});
