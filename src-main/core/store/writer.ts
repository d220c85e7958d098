import { ensureIndexes, isStorageFailure, nativeBindingOf, type Db } from './db.js';
import { preparedOnce } from './prepared.js';
import { FullTextThread, nextEventId, removeDeletedLines, syncFullText } from './full-text.js';
import { DeflateThread } from './deflate-thread.js';
import { DEFERRED_INDEX_NAMES } from './schema.js';
import { EventKind, type EventFields } from '../formats/types.js';
import { Analyzer } from '../analysis/analyzer.js';
import { markRollupStale, RollupDeltas, RollupTally, rebuildRollup } from './rollup.js';
import { deleteSourceRows } from './source-admin.js';
import { LineBlockWriter } from './line-blocks.js';
import type { BatchRows } from './batch-rows.js';
import { recordLineSpan, sourceRowsFrom } from './line-spans.js';
import { eventFlags, eventMore, opCode, outcomeCode } from './op-codes.js';
import { ROW_STRING_FIELDS, type BatchStrings, type RowStringColumn } from './row-strings.js';
import { StringInterner } from './strings.js';

/** A source row as stored. */
export interface SourceRow {
  id: number;
  path: string;
  dev: string | null;
  ino: string | null;
  size: number;
  mtime_ms: number;
  fp_len: number;
  fp_hash: string | null;
  compression: string | null;
  format: string | null;
  format_detail: string | null;
  encoding: string | null;
  options: string | null;
  bytes_indexed: number;
  lines_indexed: number;
  events: number;
  directives: number;
  unparsed: number;
  parser_state: string | null;
  first_ts: number | null;
  last_ts: number | null;
  added_at: number;
  indexed_at: number | null;
}

/** Rows stored per kind, indexed by EventKind: events, directives, unparsed. */
export type KindCounts = [number, number, number];

export interface EventRow {
  lineNo: number;
  offset: number;
  kind: (typeof EventKind)[keyof typeof EventKind];
  ts: number | undefined;
  fields: EventFields;
  raw: string;
}

const FIELD_OF = Object.fromEntries(ROW_STRING_FIELDS.map(([, column], k) => [column, k])) as Record<RowStringColumn, number>;

/**
 * The string ids of a batch's rows: each distinct (column, value) looked up once, not once per row
 * (1M EFT lines: the string lookups 2.7 → 2.1 s of the writer's CPU; most of what is left is
 * adding the new values).
 */
class BatchStringIds {
  private readonly ids: Int32Array;

  constructor(private readonly interner: StringInterner, private readonly batch: BatchStrings) {
    this.ids = new Int32Array(batch.values.length * ROW_STRING_FIELDS.length);
  }

  id(row: number, column: RowStringColumn): number | null {
    const k = FIELD_OF[column];
    const ref = this.batch.refs[row * ROW_STRING_FIELDS.length + k]!;
    if (ref < 0) return null;
    const at = ref * ROW_STRING_FIELDS.length + k;
    const value = this.batch.values[ref]!;
    const id = (this.ids[at] ||= this.interner.id(column, value)!);
    this.interner.metLast(column, value, id);
    return id;
  }
}

/** Where a source stands after a batch: stored in the same transaction as the batch's rows. */
export interface Checkpoint {
  size: number;
  mtimeMs: number;
  dev: string | null;
  ino: string | null;
  fpLen: number;
  fpHash: string;
  format: string | null;
  formatDetail: string | null;
  encoding: string;
  options: string;
  bytesIndexed: number;
  linesIndexed: number;
  parserState: string;
  /** Where the source stood when this batch was read: another writer that moved it since wins. */
  after: { bytesIndexed: number; linesIndexed: number };
}

/**
 * Another process (a CLI run, a second app) indexed the same file between this run's reading and
 * its commit. Its rows stand; this batch is dropped rather than stored twice.
 */
export class ConcurrentIndexError extends Error {
  constructor(readonly path: string) {
    super('another xferlens process indexed this file at the same time: its lines were stored once, by that process (run again to continue)');
    this.name = 'ConcurrentIndexError';
  }
}

const INSERT_EVENT = `INSERT INTO events (id, source_id, line_no, ts, server_id, client_ip_id, client_port, server_port,
  user_id, protocol_id, session_key_id, verb_id, path_id, status_id, bytes, message_id, session_id, transfer_id, flags, more)
  VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`;

/**
 * A run into a database holding rows is a bulk load when it reads at least this share of the bytes
 * stored already. 1M-line database (114 MB), a new file, interleaved: 300k lines (32 MB, 0.28)
 * 28.3 s → 18.4 s in bulk and peak RSS 290 → 238 MB; 165k lines (18 MB, 0.16) 13.4 s either way.
 */
const BULK_SHARE = 0.25;

/** See beginFullTextThread. */
const FULL_TEXT_THREAD_DELAY_MS = 1000;

/**
 * The single writer of the index. Each batch of rows is committed with the source's checkpoint in
 * one transaction, so a killed process leaves the database exactly at a batch boundary.
 */
export class IndexWriter {
  private readonly insertEvent;
  private readonly lines;
  private readonly strings;
  private readonly updateSource;
  /** In a bulk load (see beginBulkLoad): its counts per minute and per value, tallied as the rows are stored. */
  private bulk: RollupTally | null = null;
  /** Outside a bulk load: each batch's changes to the events' and the transfers' counts (see store/rollup.ts). */
  private readonly eventDeltas: RollupDeltas;
  private readonly transferDeltas: RollupDeltas;
  private readonly resetCounters;
  /** Adds committed lines to the full-text index during a big run (see full-text.ts). */
  private fullText: FullTextThread | undefined;
  /** When a big run asked for the thread (see beginFullTextThread), or null. */
  private fullTextWantedAt: number | null = null;
  /** Deflates the line blocks of a big run (see deflate-thread.ts). */
  private deflater: DeflateThread | undefined;
  /** How far into a big run the helper threads start (see beginFullTextThread). */
  private helpersAfterMs = FULL_TEXT_THREAD_DELAY_MS;
  /** Commits one batch with its checkpoint; answers how many events, directives and unparsed lines it stored. */
  readonly commitBatch: (sourceId: number, rows: BatchRows, cp: Checkpoint, reset: boolean) => KindCounts;
  private readonly analyzer: Analyzer;
  private readonly sourcePaths = new Map<number, string>();
  /** SQLite's data_version at this writer's last transaction (see forgetIfOthersWrote). */
  private dataVersion: number | undefined;

  constructor(private readonly db: Db) {
    this.strings = new StringInterner(db);
    this.analyzer = new Analyzer(db, this.strings);
    this.insertEvent = db.prepare(INSERT_EVENT);
    this.eventDeltas = new RollupDeltas(db, 'events');
    this.transferDeltas = new RollupDeltas(db, 'transfers');
    this.analyzer.transferCounter = this.transferDeltas;
    this.lines = new LineBlockWriter(db);
    this.resetCounters = db.prepare(
      'UPDATE sources SET events = 0, directives = 0, unparsed = 0, first_ts = NULL, last_ts = NULL WHERE id = ?',
    );
    this.updateSource = db.prepare(`UPDATE sources SET size = @size, mtime_ms = @mtimeMs, dev = @dev, ino = @ino,
      fp_len = @fpLen, fp_hash = @fpHash, format = @format, format_detail = @formatDetail, encoding = @encoding, options = @options,
      bytes_indexed = @bytesIndexed, lines_indexed = @linesIndexed, parser_state = @parserState,
      events = events + @events, directives = directives + @directives, unparsed = unparsed + @unparsed,
      ts_seen_max = @tsSeenMax, ts_disorder_ms = @tsDisorderMs,
      first_ts = min(coalesce(first_ts, @firstTs), coalesce(@firstTs, first_ts)),
      last_ts = max(coalesce(last_ts, @lastTs), coalesce(@lastTs, last_ts)),
      indexed_at = @now WHERE id = @id`);
    // A write (that changes nothing) which answers where the source stands: the database's write
    // lock is taken before the progress is compared. Not BEGIN IMMEDIATE: that would also lock the
    // attached full-text index, which the full-text thread is writing meanwhile.
    const progress = db.prepare(
      'UPDATE sources SET indexed_at = indexed_at WHERE id = ? RETURNING bytes_indexed AS bytesIndexed, lines_indexed AS linesIndexed, ts_seen_max AS tsSeenMax, ts_disorder_ms AS tsDisorderMs',
    );
    const commit = db.transaction((sourceId: number, rows: BatchRows, cp: Checkpoint, reset: boolean) => {
      const stored = progress.get(sourceId) as (Checkpoint['after'] & { tsSeenMax: number | null; tsDisorderMs: number | null }) | undefined;
      if (!stored || stored.bytesIndexed !== cp.after.bytesIndexed || stored.linesIndexed !== cp.after.linesIndexed) {
        throw new ConcurrentIndexError(this.sourcePath(sourceId));
      }
      this.forgetIfOthersWrote();
      if (reset) this.clearSource(sourceId);
      this.strings.catchUp();
      // The deflate thread (in a big run) compresses the lines while the rows are analysed and stored.
      const blocks = rows.count ? this.lines.prepare(sourceId, rows.firstLineNo, rows) : [];
      const analyzer = this.analyzer;
      let min = Infinity, max = -Infinity;
      // How far this file's times fall behind the latest one before them, in line order (schema 4).
      // A file with rows of unknown order (rows not stored by this writer) stays unknown.
      const fresh = reset || stored.linesIndexed === 0;
      let seenMax = fresh || stored.tsSeenMax === null ? -Infinity : stored.tsSeenMax;
      let disorder: number | null = fresh ? 0 : stored.tsDisorderMs;
      for (let i = 0; i < rows.count; i++) {
        const ts = rows.ts(i);
        if (ts === undefined) continue;
        if (ts < min) min = ts;
        if (ts > max) max = ts;
        if (disorder !== null && seenMax - ts > disorder) disorder = seenMax - ts;
        if (ts > seenMax) seenMax = ts;
      }
      analyzer.beginBatch(sourceId, cp.format, this.sourcePath(sourceId), min <= max ? { min, max } : undefined);
      // Ids are given here (as SQLite would: after the largest) so that a transfer a line creates
      // is inserted already pointing at its event, instead of being updated once the event exists.
      const firstId = nextEventId(db);
      let id = firstId;
      const counts: KindCounts = [0, 0, 0];
      let firstTs: number | null = null, lastTs: number | null = null;
      const str = this.strings;
      const given = rows.strings && new BatchStringIds(str, rows.strings);
      let i = 0;
      const ids = (column: RowStringColumn, value: string | undefined) => (given ? given.id(i, column) : str.id(column, value));
      for (; i < rows.count; i++) {
        const r = rows.row(i);
        counts[r.kind] += 1;
        const f = r.fields;
        const isEvent = r.kind === EventKind.event;
        if (isEvent && r.ts !== undefined) {
          if (firstTs === null || r.ts < firstTs) firstTs = r.ts;
          if (lastTs === null || r.ts > lastTs) lastTs = r.ts;
        }
        // The row's string ids first: the analysis then finds the same values' ids (a transfer's
        // user, IP, path, code) as the ones met last, without a lookup.
        const serverId = ids('server', f.server), clientIpId = ids('client_ip', f.clientIp), userId = ids('user', f.user);
        const protocolId = ids('protocol', f.protocol), sessionKeyId = ids('session_key', f.sessionKey), verbId = ids('verb', f.verb);
        const pathId = ids('path', f.path), statusId = ids('status', f.status), messageId = ids('message', f.message);
        const links = isEvent ? analyzer.analyse(r.ts ?? null, f, id) : null;
        if (r.kind === EventKind.directive) analyzer.directive(r.raw, r.lineNo);
        this.insertEvent.run(
          id, sourceId, r.lineNo, r.ts ?? null, serverId, clientIpId, f.clientPort ?? null, f.serverPort ?? null,
          userId, protocolId, sessionKeyId, verbId, pathId, statusId,
          f.bytes ?? null, messageId, links?.sessionId ?? null, links?.transferId ?? null,
          eventFlags(r.kind, opCode(links?.op), outcomeCode(links?.outcome), links?.plainTransfer === true, f.tsLocal === true),
          eventMore(f.durationMs, f.pid, f.extra ? JSON.stringify(f.extra) : null),
        );
        const op = links?.op ?? null, outcome = links?.outcome ?? null, failed = outcome === 'failed';
        if (this.bulk) this.bulk.add(r.ts ?? null, f.bytes ?? null, failed, op, outcome, userId, clientIpId, pathId, statusId);
        else this.eventDeltas.count(1, r.ts ?? null, f.bytes ?? null, failed, op, outcome, userId, clientIpId, pathId, statusId);
        id++;
      }
      analyzer.flush();
      this.lines.store(blocks);
      if (rows.count) recordLineSpan(db, sourceId, firstId, rows.firstLineNo, rows.count);
      // In a bulk load, each batch marks the rollup stale again: another process opening the
      // database meanwhile may have rebuilt it without the rows still to come.
      if (this.bulk) markRollupStale(db);
      else {
        this.eventDeltas.flush();
        this.transferDeltas.flush();
      }
      this.updateSource.run({
        ...cp, id: sourceId, events: counts[0], directives: counts[1], unparsed: counts[2], firstTs, lastTs, now: Date.now(),
        tsSeenMax: seenMax === -Infinity ? null : seenMax, tsDisorderMs: disorder,
      });
      return counts;
    });
    this.commitBatch = (sourceId, rows, cp, reset) => {
      try {
        const counts = commit(sourceId, rows, cp, reset);
        if (reset) removeDeletedLines(db);
        if (this.fullTextWantedAt !== null && performance.now() - this.fullTextWantedAt >= this.helpersAfterMs) {
          this.fullText ??= FullTextThread.start(db.name, nativeBindingOf(db));
          // The deflate thread starts with it, for the same reason (its start-up is lighter).
          if (!this.deflater) {
            this.deflater = DeflateThread.start();
            this.lines.deflateOn(this.deflater);
          }
        }
        this.fullText?.notify();
        return counts;
      } catch (err) {
        this.bulk?.invalidate(); // it counted the rolled-back rows
        this.eventDeltas.clear();
        this.transferDeltas.clear();
        this.analyzer.reset(); // its cached sessions may describe the rolled-back batch
        this.strings.reset(); // and the string ids it remembers may be gone
        throw err;
      }
    };
  }

  /**
   * For a big run: the lines of each committed batch reach the full-text index from a second thread
   * while the next batches are read (where threads can run; else finishFullText adds them). The
   * thread starts at the first commit `afterMs` into the run (it catches up), and the deflate thread
   * with it: their start-up (~100 ms of CPU on the other core, which the app's window shares) would
   * delay the first rows a user sees. Call stopDeflater once the run's batches are stored.
   */
  beginFullTextThread(afterMs = FULL_TEXT_THREAD_DELAY_MS): void {
    this.fullTextWantedAt = performance.now();
    this.helpersAfterMs = afterMs;
  }

  /** When (performance.now()) this run's helper threads start, or null when it has none. */
  get helpersDueAt(): number | null {
    return this.fullTextWantedAt === null ? null : this.fullTextWantedAt + this.helpersAfterMs;
  }

  /**
   * The run's deflate thread (started with the full-text thread) stops, once its batches are stored:
   * before the indexes are built at a bulk load's end, the run's peak of memory. Blocks are deflated
   * here again.
   */
  stopDeflater(): void {
    this.lines.deflateOn(undefined);
    this.deflater?.stop();
    this.deflater = undefined;
  }

  /** At the end of a run: waits for the full-text thread, then adds to the index what is left. */
  async finishFullText(): Promise<void> {
    const thread = this.fullText;
    this.fullText = undefined;
    this.fullTextWantedAt = null;
    try {
      await thread?.finish();
    } catch (err) {
      // A fault of the index's file stops the run; a thread that died otherwise (out of memory)
      // leaves its lines to this one.
      if (isStorageFailure(err)) throw err;
    }
    syncFullText(this.db);
  }

  /** A run that stopped: the thread stops too (its lines are added by the next run, or open). */
  async stopFullText(): Promise<void> {
    const thread = this.fullText;
    this.fullText = undefined;
    this.fullTextWantedAt = null;
    await thread?.stop();
  }

  /**
   * Two processes indexing into one database take turns per batch: when another one committed since
   * this writer's last transaction (SQLite's data_version moves only for other connections' commits),
   * the sessions the analysis keeps in memory may be older than their rows (their counts, their
   * spans of events), and are read again from them. Called with the write lock held.
   */
  private forgetIfOthersWrote(): void {
    const version = this.db.pragma('data_version', { simple: true }) as number;
    if (this.dataVersion !== undefined && version !== this.dataVersion) this.analyzer.reset();
    this.dataVersion = version;
  }

  /** After a run: links transfers that only keyless logs recorded to the session now known around them. */
  relinkTransfers(): number {
    if (!this.analyzer.relinkPending()) return 0; // a run that read nothing new stays a read
    try {
      return this.db.transaction(() => {
        // An UPDATE takes the write lock even when it matches no row (none is named ''), as the
        // batches' first write does: no commit of another process falls between check and relink.
        this.db.prepare("UPDATE meta SET value = value WHERE key = ''").run();
        this.forgetIfOthersWrote();
        return this.analyzer.relinkTransfers().linked;
      })();
    } catch (err) {
      this.analyzer.reset();
      this.strings.reset(); // the sessions it wrote may have added strings
      throw err;
    }
  }

  private sourcePath(sourceId: number): string {
    let p = this.sourcePaths.get(sourceId);
    if (p === undefined) {
      p = (preparedOnce(this.db, 'SELECT path FROM sources WHERE id = ?').get(sourceId) as { path: string } | undefined)?.path ?? '';
      this.sourcePaths.set(sourceId, p);
    }
    return p;
  }

  /**
   * Rows go faster without the secondary indexes: they are dropped here and built once by
   * `endBulkLoad` (or by the next open, if this process is killed). Into an empty database always;
   * into one holding rows when the run reads at least BULK_SHARE of what is stored already (the
   * builds then read every row, old ones too: a run that adds little keeps the indexes and updates
   * them). Meanwhile queries have no index but the full text. Returns whether bulk mode was entered.
   */
  beginBulkLoad(unreadBytes: number): boolean {
    const stored = this.db.prepare('SELECT coalesce(sum(bytes_indexed), 0) FROM sources').pluck().get() as number;
    const anyRow = this.db.prepare('SELECT 1 FROM events LIMIT 1').get() !== undefined;
    if (anyRow && unreadBytes < stored * BULK_SHARE) return false;
    for (const name of DEFERRED_INDEX_NAMES) this.db.exec(`DROP INDEX IF EXISTS ${name}`);
    this.strings.beginBulkLoad();
    // The rollup too is written once at the end: adding each batch's paths to it costs more than one
    // GROUP BY over everything (1M lines: +21 s vs +2 s). Each batch marks it stale (see commit).
    this.bulk = new RollupTally();
    this.analyzer.transferCounter = this.bulk.transfers;
    return true;
  }

  /** Whether a bulk load is on (its indexes are built at its end, not row by row). */
  get bulkLoading(): boolean {
    return this.bulk !== null;
  }

  endBulkLoad(): void {
    this.strings.endBulkLoad();
    ensureIndexes(this.db);
    if (!this.bulk?.write(this.db)) rebuildRollup(this.db);
    this.bulk = null;
    this.analyzer.transferCounter = this.transferDeltas;
  }

  /** Removes a source's rows (used when a file was truncated, rotated or replaced). */
  private clearSource(sourceId: number): void {
    // Sessions and transfers may join this file's lines with other files': rebuilt after the run.
    deleteSourceRows(this.db, sourceId);
    this.bulk?.invalidate();
    this.resetCounters.run(sourceId);
  }

  sourceByPath(path: string): SourceRow | undefined {
    return preparedOnce(this.db, 'SELECT * FROM sources WHERE path = ?').get(path) as SourceRow | undefined;
  }

  sourcesByIdentity(dev: string, ino: string): SourceRow[] {
    return preparedOnce(this.db, 'SELECT * FROM sources WHERE dev = ? AND ino = ?').all(dev, ino) as SourceRow[];
  }

  createSource(path: string, compression: string | null): SourceRow {
    const info = preparedOnce(this.db, 'INSERT INTO sources (path, compression, added_at) VALUES (?, ?, ?)').run(path, compression, Date.now());
    return preparedOnce(this.db, 'SELECT * FROM sources WHERE id = ?').get(info.lastInsertRowid) as SourceRow;
  }

  movePath(sourceId: number, path: string): void {
    this.db.prepare('UPDATE sources SET path = ? WHERE id = ?').run(path, sourceId);
    this.sourcePaths.set(sourceId, path);
  }

  hasLocalTimes(sourceId: number): boolean {
    return !!this.db.prepare(`SELECT 1 FROM ${sourceRowsFrom('e')} AND e.ts_local = 1 LIMIT 1`).get({ source: sourceId });
  }
}
