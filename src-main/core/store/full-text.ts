/**
 * The full-text index of every line lives in a file of its own beside the database (`FILE-fts`,
 * attached to every connection as `fts`; schema 12), so that a second thread can write it while the
 * indexer writes the rows: SQLite lets one writer at a time into a file, not into two files. On 1M
 * EFT lines the full text is about a fifth of a first index's time (31.7 s with it, 25.6 s without).
 *
 * The index is derived, never the only copy of anything: each line's text is in line_blocks, and
 * the index holds the lines with the lowest ids, up to the one it records (`lines_indexed.through`).
 * Lines are added in id order by `addMissingLines` (the indexer's thread, or whoever opens the
 * database for writing after a run that stopped); lines whose rows were deleted are first listed in
 * `fts_deleted` in the same transaction, with their text, then removed here. A new row never gets
 * an id the index may still hold (see nextEventId). An index file left from another database (the
 * database was deleted and created again, or copied without it) is told apart by an id both files
 * keep, and rebuilt.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { Db } from './db.js';
import { preparedOnce } from './prepared.js';
import { lineBytesSql, lineSql } from './line-blocks.js';
import { sourceRowsFrom } from './line-spans.js';
import { FIELD_TOKENS, folderTokensSql } from './field-tokens.js';
import { readMeta, writeMeta } from './meta.js';

export const FULL_TEXT_SUFFIX = '-fts';
/** The index's file and SQLite's own files beside it. */
export const FULL_TEXT_FILES = ['', '-wal', '-shm', '-journal'].map((s) => FULL_TEXT_SUFFIX + s);

export const fullTextFile = (dbFile: string): string => (dbFile === ':memory:' ? ':memory:' : dbFile + FULL_TEXT_SUFFIX);

// unicode61 splits on punctuation, so path pieces, IP octets and words are tokens and phrases like
// "INV_2026-01" match (trigram, on 100k EFT lines: twice the time and size). Contentless: the text
// is in line_blocks. No sizes per row (columnsize=0, schema 22; contentless_delete needs them):
// 12.2 MB of 1M EFT lines, and a removed line is named by its text instead (fts_deleted.text).
// Segments merge in bigger, rarer steps (automerge 8, crisismerge 64: 300k lines inserted in
// 1.02–1.19 s instead of 1.49–2.24 s, the same size); outside a bulk load only at crisismerge (see
// setFullTextMerging).
/** How many segments of a level FTS5 merges as it goes (its `automerge`) in a bulk load. */
const BULK_AUTOMERGE = 8;

/**
 * Whether FTS5 merges both tables' segments as it goes (`automerge`, persistent in the index file),
 * set by each run that reads anything: in a bulk load yes; outside one no, and a level's segments
 * merge only once it holds 64 (`crisismerge`). An index grown by merges as it goes keeps one big
 * merge under way (10M EFT lines: 8 segments of 7,500 leaves into one), and each later write
 * carried it on by as many leaves as it wrote times the index's levels (5): appending 100k lines
 * to 10M, the full-text thread's CPU 1.26–1.32 → 0.46–0.62 s. Queries were no slower with 53
 * segments at the first level than with 4 (10M lines, the bench's probe: a word's first page 8.0
 * against 11.4 ms, its count 7.0 against 6.6 ms).
 */
export function setFullTextMerging(db: Db, bulk: boolean): void {
  const want = bulk ? BULK_AUTOMERGE : 0;
  const tables = ['events_fts', 'events_fields'];
  const current = (table: string) => preparedOnce(db, `SELECT v FROM fts.${table}_config WHERE k = 'automerge'`).pluck().get();
  if (tables.every((table) => current(table) === want)) return;
  db.transaction(() => {
    // As an integer: FTS5 refuses a real (what a JavaScript number is bound as).
    for (const table of tables) preparedOnce(db, `INSERT INTO fts.${table} (${table}, rank) VALUES ('automerge', ?)`).run(BigInt(want));
  })();
}

const TEXT_TABLE = (schema: string) => `CREATE VIRTUAL TABLE IF NOT EXISTS ${schema}.events_fts USING fts5(
    text, content='', columnsize=0, tokenize='unicode61 remove_diacritics 2'
  );
  INSERT INTO ${schema}.events_fts (events_fts, rank) VALUES ('automerge', ${BULK_AUTOMERGE});
  INSERT INTO ${schema}.events_fts (events_fts, rank) VALUES ('crisismerge', 64);`;

/** The highest id up to which the index holds every line (one row; both tables hold the same rows). */
const THROUGH_TABLE = (schema: string) => `CREATE TABLE IF NOT EXISTS ${schema}.lines_indexed (through INTEGER NOT NULL);
  INSERT INTO ${schema}.lines_indexed (through) SELECT 0 WHERE NOT EXISTS (SELECT 1 FROM ${schema}.lines_indexed);
  CREATE TABLE IF NOT EXISTS ${schema}.lines_removed (id INTEGER PRIMARY KEY);`;

/**
 * SQL for the events_fields tokens of the row aliased `alias`, an event of schema `events` (a column
 * without a value has none), its path's folders' too: the connection needs ensureFieldFunctions.
 */
export const fieldsSql = (alias: string, events = 'main') =>
  `concat_ws(' ', ${Object.entries(FIELD_TOKENS).map(([column, letter]) => `'${letter}' || ${alias}.${column}_id`).join(', ')},
    ${folderTokensSql(`(SELECT value FROM ${events}.strings WHERE id = ${alias}.path_id)`)})`;

/**
 * Which rows hold each user, client IP, code, path and folder (store/field-tokens.ts), as postings
 * lists of row ids (issue 12: 1M EFT lines, users, IPs and codes 3.4 MB built on the full-text
 * thread where their B-tree indexes were 53 MB built on the writer's; paths and folders 5.9 MB more
 * where the path index was 13.6 MB, schema 29). detail=none:
 * a row holds a field once, no positions are needed. No sizes per row (columnsize=0, no contentless_delete: they
 * were 12.6 MB and 0.8 s more): a row is removed by naming its tokens again ('delete'), which the
 * rows' lists keep (fts_deleted.fields, schema 16). Same rows as events_fts, always.
 */
const FIELDS_TABLE = (schema: string) => `CREATE VIRTUAL TABLE IF NOT EXISTS ${schema}.events_fields USING fts5(
    fields, content='', detail=none, columnsize=0, tokenize='ascii'
  );
  INSERT INTO ${schema}.events_fields (events_fields, rank) VALUES ('automerge', ${BULK_AUTOMERGE});
  INSERT INTO ${schema}.events_fields (events_fields, rank) VALUES ('crisismerge', 64);`;

const TABLE = (schema: string) => `${TEXT_TABLE(schema)}\n  ${FIELDS_TABLE(schema)}\n  ${THROUGH_TABLE(schema)}`;

/** The schema from which the index keeps no sizes per row (see TEXT_TABLE): an older one is rebuilt. */
export const FULL_TEXT_NO_SIZES_SCHEMA = 22;

/** Names the database the index belongs to: the same value is kept in both files. */
export const FULL_TEXT_OWNER_KEY = 'full_text_owner';

/**
 * Lines the full-text thread adds per transaction of the index. With the paths' millions of tokens
 * in events_fields (schema 29), 8,192 took its malloc arena to 63 MB: a 3M-line first index peaked
 * at 338 MB (266 MB before schema 29), and 280 MB with 2,048.
 */
export const THREAD_LINES_PER_COMMIT = 2048;

/**
 * Lines added per transaction on the writer's own connection (a run too small for the thread, the
 * rest the thread left, a run killed before it caught up): each commit writes a segment that merges
 * rewrite. Adding an append of 10k lines to a 1M-line index: 136 ms in steps of 2,048, 100 ms in
 * one (FTS5's pending terms are flushed past 1 MB within a transaction too, so memory stays flat).
 */
const WRITER_LINES_PER_COMMIT = 16_384;

/** Opens the index's file on `db` as `fts` (created if missing, and bound to this database). */
function attachWritable(db: Db, file: string): void {
  const ftsFile = fullTextFile(file);
  if (ftsFile !== ':memory:' && !fs.existsSync(ftsFile)) {
    // As private as the database (SQLite does the same for its -wal and -shm): the index holds the
    // same words.
    try {
      fs.closeSync(fs.openSync(ftsFile, 'wx', fs.statSync(file).mode & 0o666));
    } catch {
      // SQLite's own attempt says why it cannot be created.
    }
  }
  db.prepare('ATTACH ? AS fts').run(ftsFile);
  db.pragma('fts.journal_mode = WAL');
  db.pragma('fts.synchronous = NORMAL');
  db.exec('CREATE TABLE IF NOT EXISTS fts.owner (id TEXT NOT NULL)');
}

/**
 * Makes the full-text index reachable as `events_fts` on a connection that has just been opened.
 * A writer creates its file and binds it to the database (after the migrations: `bindFullText`). A
 * reader whose index file is missing or belongs to another database gets an empty index (searches
 * by text find nothing until a writer rebuilds it).
 */
export function attachFullText(db: Db, file: string, readonly: boolean): void {
  if (!readonly) return attachWritable(db, file);
  try {
    db.prepare('ATTACH ? AS fts').run(fullTextFile(file));
    const owner = db.prepare('SELECT id FROM fts.owner').pluck().get();
    // Of an older shape (a writer's upgrade stopped before it built the index again): as missing.
    if (owner !== undefined && owner === readMeta(db, FULL_TEXT_OWNER_KEY) && hasCurrentShape(db)) return;
    db.exec('DETACH fts');
  } catch {
    // Missing or unreadable: searched as empty.
  }
  db.exec(TABLE('temp'));
}

/**
 * After a writer's migrations: the attached index is this database's, or it is emptied and becomes
 * so (its lines are added again from line_blocks by syncFullText). So is an index file of an older
 * shape (without events_fields, before schema 15, or keeping sizes per row), and any index file of
 * a database upgraded from before FULL_TEXT_NO_SIZES_SCHEMA (`upgraded`): the string ids in an
 * older file beside it may not be its own, and both tables must hold the same rows.
 */
export function bindFullText(db: Db, upgraded = false): void {
  let id = readMeta(db, FULL_TEXT_OWNER_KEY);
  if (id === undefined) {
    id = `${Date.now().toString(36)}-${Math.random().toString(36).slice(2)}`;
    writeMeta(db, FULL_TEXT_OWNER_KEY, id);
  }
  if (!upgraded && isOwnIndexFile(db, id)) {
    if (fieldsShape(db) < FIELDS_SHAPE) refillFields(db);
    return;
  }
  // One transaction: a reader sees the old file or the new one. Lines listed for removal go too:
  // the new index holds none of them, and naming their words to it would damage it.
  db.transaction(() => {
    db.exec(`DROP TABLE IF EXISTS fts.events_fts; DROP TABLE IF EXISTS fts.events_fields; DROP TABLE IF EXISTS fts.lines_indexed;
      DROP TABLE IF EXISTS fts.lines_removed; ${TABLE('fts')}`);
    db.pragma(`fts.user_version = ${FIELDS_SHAPE}`);
    db.prepare('DELETE FROM main.fts_deleted').run();
    db.prepare('DELETE FROM fts.owner').run();
    db.prepare('INSERT INTO fts.owner (id) VALUES (?)').run(id);
  })();
}

/**
 * What events_fields holds, as the index file's user_version: 0 its rows' users, client IPs and
 * codes (schemas 15–28), 1 their paths and the paths' folders too (schema 29, which dropped the
 * events' path index).
 */
const FIELDS_SHAPE = 1;
const fieldsShape = (db: Db): number => db.pragma('fts.user_version', { simple: true }) as number;

/** Whether the attached index file is this database's (`id`, FULL_TEXT_OWNER_KEY), with today's tables. */
function isOwnIndexFile(db: Db, id: string): boolean {
  return db.prepare('SELECT id FROM fts.owner').pluck().get() === id && hasCurrentTables(db);
}

/**
 * Fills events_fields again from the rows the index holds, for today's FIELDS_SHAPE, in one
 * transaction of the index file under its write lock (another writer may have done it meanwhile).
 * The lines listed for removal are removed first, naming the tokens the old lists hold. 1M EFT
 * lines: 2.1 s; 10M: 25.5 s.
 */
function refillFields(db: Db): void {
  removeDeletedLines(db);
  db.transaction(() => {
    db.prepare('UPDATE fts.lines_indexed SET through = through').run();
    if (fieldsShape(db) >= FIELDS_SHAPE) return;
    db.exec(`DROP TABLE fts.events_fields; ${FIELDS_TABLE('fts')}`);
    db.prepare(`INSERT INTO fts.events_fields (rowid, fields) SELECT e.id, ${fieldsSql('e')} FROM main.events e
      WHERE e.id <= (SELECT through FROM fts.lines_indexed) ORDER BY e.id`).run();
    db.pragma(`fts.user_version = ${FIELDS_SHAPE}`);
  })();
}

/** Whether the attached index file has today's tables (events_fields, lines_indexed; no sizes per row). */
function hasCurrentTables(db: Db): boolean {
  const has = (name: string) => !!db.prepare('SELECT 1 FROM fts.sqlite_schema WHERE name = ?').get(name);
  return has('events_fields') && has('lines_indexed') && !has('events_fts_docsize');
}

/** Whether the attached index file is of today's shape: its tables, and what events_fields holds. */
const hasCurrentShape = (db: Db): boolean => hasCurrentTables(db) && fieldsShape(db) >= FIELDS_SHAPE;

/** SQL for the highest id up to which the attached index (`fts`, or the temp one) holds every line. */
export const INDEXED_THROUGH_SQL = 'SELECT coalesce((SELECT through FROM lines_indexed), 0)';

/**
 * The id for the next row: above every row, every row deleted since the index last removed deleted
 * lines, and every id the index says it holds (`through`), so that a new row is never taken for a
 * line the index holds, nor left out by it; and above every transfer, which takes its first
 * event's id (schema 17): a file emptied in a run keeps its transfers until the analysis is
 * rebuilt at the run's end, and a later batch's transfer must not take one of their ids.
 */
export function nextEventId(db: Db): number {
  return (preparedOnce(db, `SELECT max(coalesce((SELECT max(id) FROM events), 0), coalesce((SELECT max(id) FROM fts_deleted), 0),
    coalesce((SELECT max(id) FROM transfers), 0), (${INDEXED_THROUGH_SQL})) + 1`).pluck().get() as number);
}

/**
 * Lists the lines of a source's rows that the index holds for removal, with their text and fields
 * (the index removes a line by naming its tokens again); call in the transaction that deletes the
 * rows, and `removeDeletedLines` after it. It takes the index's write lock, so that the full-text
 * thread is not adding lines meanwhile: the rows up to `through` are exactly those it holds (a row
 * never gets an id below one that exists), and it will never see the others. Naming the tokens of
 * a row FTS5 does not hold can damage it. The text of a source of half the index or more is not
 * kept: the index is then emptied and built again instead.
 */
export function listDeletedLines(db: Db, sourceId: number): void {
  db.prepare('UPDATE fts.lines_indexed SET through = through').run();
  const through = indexedLines(db);
  const rows = db.prepare(`SELECT count(*) FROM ${sourceRowsFrom('e')} AND e.id <= @through`).pluck().get({ source: sourceId, through }) as number;
  // Neither is needed then (the index is emptied), nor worth the writer's time (fields read paths).
  const untold = rows * 2 >= through;
  const text = untold ? 'NULL' : `coalesce(${lineSql('e')}, '')`;
  db.prepare(`INSERT OR IGNORE INTO fts_deleted (id, fields, text) SELECT e.id, ${untold ? 'NULL' : fieldsSql('e')}, ${text} FROM ${sourceRowsFrom('e')}
    AND e.id <= @through`).run({ source: sourceId, through });
}

/** The highest id up to which the index holds every line: about how many it holds (rows deleted leave gaps). */
const indexedLines = (db: Db): number => db.prepare('SELECT through FROM fts.lines_indexed').pluck().get() as number;

/**
 * Adds the lines the events in schema `events` have and the index (`fts`) lacks, in id order, a
 * transaction at a time, on one connection: the database with its index attached, or on the
 * full-text thread a connection to both. The index's write lock is taken before the rows are read:
 * lines deleted meanwhile are either not read or removed after (removeDeletedLines waits for that
 * lock). Returns how many lines were added; `stopRequested` is asked between transactions.
 * `wholeSteps` (the full-text thread, while the run goes on): only transactions of
 * `linesPerCommit` lines, the rest left for a later call. Each commit writes a segment that merges
 * cost again: a folder of daily logs, committed in batches of a few hundred lines, had the thread
 * add many small ones.
 */
export function addMissingLines(
  db: Db,
  events = 'main',
  stopRequested: () => boolean = () => false,
  wholeSteps = false,
  linesPerCommit = WRITER_LINES_PER_COMMIT,
): number {
  // Writes nothing, but takes the index's write lock (and only it: not BEGIN IMMEDIATE, which
  // would lock the database too, while the indexer writes it).
  const lock = db.prepare('UPDATE fts.lines_indexed SET through = through');
  const indexedThrough = db.prepare('SELECT through FROM fts.lines_indexed').pluck();
  const nextStep = db.prepare(`SELECT count(*) AS lines, max(id) AS upTo FROM (SELECT e.id FROM ${events}.events e WHERE e.id > ? ORDER BY e.id LIMIT ${linesPerCommit})`);
  // The text goes from the blocks into the index as bytes, without becoming a row in JavaScript.
  const add = db.prepare(`INSERT INTO fts.events_fts (rowid, text)
    SELECT e.id, coalesce(${lineBytesSql('e', events)}, '') FROM ${events}.events e WHERE e.id > ? AND e.id <= ? ORDER BY e.id`);
  // The same rows' fields, in the same transaction.
  const addFields = db.prepare(`INSERT INTO fts.events_fields (rowid, fields)
    SELECT e.id, ${fieldsSql('e', events)} FROM ${events}.events e WHERE e.id > ? AND e.id <= ? ORDER BY e.id`);
  const setThrough = db.prepare('UPDATE fts.lines_indexed SET through = ?');
  const step = db.transaction(() => {
    lock.run();
    const after = indexedThrough.get() as number;
    const { lines, upTo } = nextStep.get(after) as { lines: number; upTo: number | null };
    if (upTo === null || (wholeSteps && lines < linesPerCommit)) return 0;
    const n = add.run(after, upTo).changes;
    addFields.run(after, upTo);
    setThrough.run(upTo);
    return n;
  });
  let added = 0;
  for (;;) {
    const n = step();
    added += n;
    if (n < linesPerCommit || stopRequested()) return added;
  }
}

/**
 * Removes from the index the lines listed in fts_deleted, each by its text and fields. The index's
 * transaction commits first and records the ids it removed (`lines_removed`): stopped in between,
 * the same lines are listed again next time and not removed twice, which can damage it.
 *
 * When at least half of the index goes (a big file read again from its start, a big source removed),
 * or a line's text was not kept (see listDeletedLines), it is emptied instead, and the lines that
 * stay are added again by the next sync like new ones: removing lines one by one cost 28 µs each
 * (a 1M-line file replaced: 27.7 s of 94), adding one about 8 µs, on the second core in a big run.
 */
export function removeDeletedLines(db: Db): void {
  const deleted = db.prepare('SELECT count(*) FROM main.fts_deleted').pluck().get() as number;
  if (deleted === 0) return;
  const untold = db.prepare('SELECT 1 FROM main.fts_deleted WHERE text IS NULL LIMIT 1').get();
  if (untold || deleted * 2 >= indexedLines(db)) {
    // Their text first: stopped after the index is emptied, the next removal must empty it again
    // rather than name words to an index filled anew.
    if (!untold) db.prepare('UPDATE main.fts_deleted SET text = NULL').run();
    db.transaction(() => {
      db.prepare("INSERT INTO fts.events_fts (events_fts) VALUES ('delete-all')").run();
      db.prepare("INSERT INTO fts.events_fields (events_fields) VALUES ('delete-all')").run();
      db.prepare('UPDATE fts.lines_indexed SET through = 0').run();
      db.prepare('DELETE FROM fts.lines_removed').run();
    })();
    db.prepare('DELETE FROM main.fts_deleted').run();
    return;
  }
  const page = db.prepare('SELECT id, fields, text FROM main.fts_deleted ORDER BY id LIMIT 20000').raw();
  const removed = db.prepare('INSERT OR IGNORE INTO fts.lines_removed (id) VALUES (?)');
  const removeText = db.prepare("INSERT INTO fts.events_fts (events_fts, rowid, text) VALUES ('delete', ?, ?)");
  const removeFields = db.prepare("INSERT INTO fts.events_fields (events_fields, rowid, fields) VALUES ('delete', ?, ?)");
  const forget = db.prepare('DELETE FROM main.fts_deleted WHERE id <= ?');
  for (;;) {
    const rows = page.all() as [number, string, string][];
    if (!rows.length) break;
    // Its first statement writes: the transaction waits for the index's write lock (the full-text
    // thread's) rather than failing at once, as one that read first would.
    db.transaction(() => {
      for (const [id, fields, text] of rows) {
        if (removed.run(id).changes === 0) continue;
        removeText.run(id, text);
        removeFields.run(id, fields);
      }
    })();
    forget.run(rows[rows.length - 1]![0]);
  }
  // Ids are never given twice: the record of those removed is needed only until they are forgotten.
  db.prepare('DELETE FROM fts.lines_removed WHERE id NOT IN (SELECT id FROM main.fts_deleted)').run();
}

/** Brings the index up to date with the database, on this connection. */
export function syncFullText(db: Db): void {
  removeDeletedLines(db);
  addMissingLines(db);
}

const THREAD = new URL('./full-text-thread.js', import.meta.url);

/**
 * How long a thread asked to stop may take to finish what it is adding before it is terminated:
 * beyond its wait for the index's write lock (busy_timeout, 30 s unless XFERLENS_BUSY_TIMEOUT_MS
 * says otherwise), so that it is not terminated inside SQLite.
 */
const STOP_GRACE_MS = 45_000;

export interface FullTextThreadData {
  /** Marks the thread as this worker (the module is also imported for its types). */
  role: 'xferlens-full-text';
  databasePath: string;
  nativeBinding?: string;
}

export type FromFullTextThread = { type: 'synced' } | { type: 'failed'; message: string; code: string | undefined };

/**
 * Adds the lines of each committed batch to the index on the second core while the indexer goes on
 * with the next batches. `finish` waits until it has added every whole step (THREAD_LINES_PER_COMMIT)
 * of them: the writer adds the rest (syncFullText).
 */
export class FullTextThread {
  private failure: Error | undefined;
  private waiting: { resolve: () => void; reject: (err: Error) => void }[] = [];
  private pending = 0;
  private stopping = false;
  private readonly exited: Promise<void>;

  private constructor(private readonly worker: Worker) {
    this.exited = new Promise((resolve) => worker.once('exit', () => resolve()));
    worker.on('message', (m: FromFullTextThread) => {
      if (m.type === 'synced') {
        this.pending--;
        if (this.pending === 0) this.settle();
      } else {
        this.fail(new Database.SqliteError(m.message, m.code ?? 'SQLITE_ERROR'));
      }
    });
    worker.on('error', (err) => this.fail(err));
    worker.on('exit', (code) => {
      if (!this.stopping) this.fail(new Error(`the full-text thread stopped (exit code ${code})`));
    });
  }

  /**
   * A thread for the database at `databasePath`, or undefined where none can run: an in-memory
   * database, or the TypeScript sources (unit tests), which have no compiled worker to start.
   */
  static start(databasePath: string, nativeBinding: string | undefined): FullTextThread | undefined {
    if (databasePath === ':memory:' || THREAD.protocol !== 'file:' || !fs.existsSync(fileURLToPath(THREAD))) return undefined;
    const workerData: FullTextThreadData = { role: 'xferlens-full-text', databasePath, ...(nativeBinding ? { nativeBinding } : {}) };
    // Its strings (each block's lines) are short-lived: with a small heap they are collected soon.
    // 1M lines: peak RSS of the whole first index 307–325 MB with V8's defaults, 273 MB with these,
    // at the same speed. A thread out of memory (blocks of 1 MiB lines) leaves its lines to the
    // caller (finishFullText).
    return new FullTextThread(new Worker(THREAD, { workerData, resourceLimits: { maxYoungGenerationSizeMb: 1, maxOldGenerationSizeMb: 32 } }));
  }

  /** New lines were committed: the thread adds them when it is free. */
  notify(): void {
    if (this.failure) return;
    this.pending++;
    this.worker.postMessage('sync');
  }

  /**
   * Waits until the lines committed before this call are in the index, up to the last whole step
   * (the caller adds the rest: syncFullText), then stops the thread.
   */
  async finish(): Promise<void> {
    try {
      this.notify();
      await new Promise<void>((resolve, reject) => {
        if (this.failure) reject(this.failure);
        else this.waiting.push({ resolve, reject });
      });
    } finally {
      await this.stop();
    }
  }

  /**
   * Stops the thread once its current transaction is done (what it has not added is added by the
   * next sync). Asked, not terminated at once: a thread terminated while SQLite fails a statement
   * (a full disk) aborts the whole process as better-sqlite3 throws into its dying isolate (`FATAL
   * ERROR: v8::ToLocalChecked Empty MaybeLocal`, met by the tests of a full disk).
   */
  async stop(): Promise<void> {
    this.stopping = true;
    this.worker.postMessage('stop');
    const grace = setTimeout(() => void this.worker.terminate(), STOP_GRACE_MS);
    await this.exited;
    clearTimeout(grace);
  }

  private settle(): void {
    for (const w of this.waiting.splice(0)) w.resolve();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    for (const w of this.waiting.splice(0)) w.reject(this.failure);
  }
}
