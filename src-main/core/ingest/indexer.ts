import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { analysisNeedsRebuild, rebuildAnalysis } from '../analysis/rebuild.js';
import { EventKind, type NamedLogFormat } from '../formats/types.js';
import { isStorageFailure, type Db } from '../store/db.js';
import { FULL_TEXT_FILES, setFullTextMerging } from '../store/full-text.js';
import { batchOf, type BatchRows } from '../store/batch-rows.js';
import { IndexWriter, type Checkpoint, type KindCounts, type SourceRow } from '../store/writer.js';
import { assertTimeZone, localTimeZone } from '../time.js';
import { confLogFor, logFormatsWithConf, tryReadProftpdConf, type ProftpdConf } from './proftpd-conf.js';
import { sniffEncoding, type Encoding } from './encoding.js';
import { boundHeapGrowth } from './heap-growth.js';
import type { IndexProgress, IndexSummary } from './index-types.js';
import { describeFsError, expandInputs } from './inputs.js';
import { ParseAhead, parseBatches, parseThreadAvailable } from './parse-thread.js';
import type { ReadOptions } from './line-reader.js';
import { BatchParser, type ParseProgress, type ParseStart, type SavedState } from './batch-parser.js';

export type { IndexProgress, IndexSummary } from './index-types.js';

/** Above this many bytes of input into an empty database, indexes are built once at the end. */
const BULK_LOAD_BYTES = 16 << 20;

/**
 * Above this many bytes of input, the full-text and deflate threads help (they start at the first
 * commit a second into the run, see IndexWriter.beginFullTextThread, so a run shorter than that
 * never pays their start-up). Appending 100k lines (10.7 MB) to a 10M-line database: the writer
 * added their full text at its end, 0.9 s of a 4.9–5.7 s run; with the threads 4.0–4.3 s.
 */
const HELPER_THREADS_BYTES = 4 << 20;

/**
 * Bytes read per batch outside a bulk load. Each commit then writes every index page its rows
 * touched, and an appended line's user, IP, path and session entries land all over their indexes:
 * one big batch writes each such page once, where 512 KiB batches wrote it once per batch (and
 * an append that continues a file needs no small first batch to show its first rows quickly).
 * Appending 10 % to 1M lines: 512 KiB 5.15 s, 2 MiB 4.59 s, 4 MiB 4.18 s; but a new 165k-line file
 * into that database (too small for a bulk load) peaked at 298–308 MB with 4 MiB, 235–257 MB with 2.
 */
const INDEXED_BATCH_BYTES = 2 << 20;

/**
 * Above this many bytes to read, a file is read and parsed on a thread of its own (parse-thread.ts;
 * its start-up takes ~40 ms of CPU).
 */
const PARSE_THREAD_BYTES = 8 << 20;

/**
 * A run's files begun on the parsing thread ahead of the one stored (ParseAhead): two, so that it
 * goes on with the next while the writer waits for nothing.
 */
const FILES_AHEAD = 2;

/** Bytes hashed to recognise a file again (and to notice it was replaced). */
const FINGERPRINT_BYTES = 4096;

export interface IndexOptions {
  /**
   * IANA zone for formats that log local time. Given: applies to new sources, and sources that
   * were indexed with another zone are converted again. Omitted: known sources keep their zone and
   * new ones get this machine's.
   */
  timeZone?: string;
  onProgress?: (p: IndexProgress) => void;
  signal?: AbortSignal;
  /** Called after each committed batch (analysis hooks in here). */
  onBatch?: (sourceId: number, firstEventId: number | null) => void;
  /** ProFTPD LogFormat strings supplied by the admin (see ParseContext.logFormats). */
  logFormats?: readonly NamedLogFormat[];
  /**
   * A ProFTPD configuration read with readProftpdConf: the files it names are read in the format it
   * says, and its LogFormats are tried after the admin's. A source that has a conf of its own (its
   * `proftpdConf` option, see source-admin.ts's resetSource) is read with that one instead.
   */
  proftpdConf?: ProftpdConf;
  /** A proftpd.conf (path) that new sources keep as their own, as `sources/configure` gives one (rebuild). */
  ownProftpdConf?: string;
  /**
   * Files the caller expects to be these identities (follow.ts): one replaced since the caller
   * looked (rotated in between) is skipped, for the caller to see the rotation on its next look.
   */
  expected?: ReadonlyMap<string, { dev: bigint; ino: bigint }>;
  /** A run into an empty database over this many bytes is a bulk load (default 16 MiB; tests lower it). */
  bulkLoadBytes?: number;
  /** Bytes read per batch outside a bulk load (default INDEXED_BATCH_BYTES; tests lower it). */
  batchBytes?: number;
  /** Above this many bytes to read, a file is parsed on a thread of its own (default PARSE_THREAD_BYTES; tests set it). */
  parseThreadBytes?: number;
  /** Wait for the parsing thread's start-up instead of parsing on meanwhile (tests: it then takes over when due). */
  waitForParseThread?: boolean;
  /** Parse a run's next files on a thread while one is stored (ParseAhead; default true, tests compare without). */
  parseAhead?: boolean;
  /** How far into a big run its helper threads start (default: at once when it only continues files it knows, else see IndexWriter.beginFullTextThread; tests lower it). */
  helperThreadsAfterMs?: number;
}

interface SourceOptions {
  timeZone: string;
  /** The LogFormats given for the file (not those of a proftpd.conf, which is read again each run). */
  logFormats?: readonly NamedLogFormat[];
  /** The file's own proftpd.conf (`sources/configure`), read at each run instead of the run's. */
  proftpdConf?: string;
}

interface FileHead {
  gzip: boolean;
  /** The first bytes of the stored file (compressed bytes for .gz), for the fingerprint. */
  rawHead: Buffer;
  /** The first bytes of the text (decompressed for .gz), for encoding sniffing. */
  textHead: Buffer;
}

async function readHead(file: string): Promise<FileHead> {
  const fd = await fs.promises.open(file, 'r');
  let rawHead: Buffer;
  try {
    const buf = Buffer.alloc(FINGERPRINT_BYTES);
    const { bytesRead } = await fd.read(buf, 0, FINGERPRINT_BYTES, 0);
    rawHead = buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
  const gzip = rawHead[0] === 0x1f && rawHead[1] === 0x8b;
  if (!gzip) return { gzip, rawHead, textHead: rawHead };
  const parts: Buffer[] = [];
  let total = 0;
  const stream = fs.createReadStream(file, { flags: 'r' }).pipe(zlib.createGunzip());
  try {
    for await (const chunk of stream as AsyncIterable<Buffer>) {
      parts.push(chunk);
      total += chunk.length;
      if (total >= FINGERPRINT_BYTES) break;
    }
  } catch (err) {
    throw new Error(`damaged gzip file: ${(err as Error).message}`);
  } finally {
    stream.destroy();
  }
  return { gzip, rawHead, textHead: Buffer.concat(parts).subarray(0, FINGERPRINT_BYTES) };
}

function hash(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

function describeEncoding(enc: Encoding, fallbackLines: number): string {
  return fallbackLines > 0 ? (enc === 'utf-8' ? 'windows-1252' : `${enc}+windows-1252`) : enc;
}

/** Adds what run `part` did to `into` (one job made of several runs); returns `into`. */
export function addSummary(into: IndexSummary, part: IndexSummary): IndexSummary {
  for (const k of ['files', 'lines', 'events', 'directives', 'unparsed', 'bytes', 'ms'] as const) into[k] += part[k];
  for (const [f, n] of Object.entries(part.formats)) into.formats[f] = (into.formats[f] ?? 0) + n;
  into.errors.push(...part.errors);
  return into;
}

/**
 * An index run stopped by a fault of the database (a full disk, a lock, damage), the SQLite error
 * as its `cause`. `summary` counts what the run had committed before: it is kept, and the next run
 * continues from there.
 */
export class IndexStoppedError extends Error {
  constructor(readonly summary: IndexSummary, cause: unknown) {
    super((cause as Error).message, { cause });
    this.name = 'IndexStoppedError';
  }
}

/**
 * Indexes files, folders and glob patterns into the database: new files from the start, known
 * files from where the last run stopped, truncated or replaced files again from the start.
 * Problems with one input are reported and the others are still indexed.
 */
export async function indexPaths(db: Db, inputs: readonly string[], opts: IndexOptions): Promise<IndexSummary> {
  const t0 = performance.now();
  boundHeapGrowth();
  if (opts.timeZone) assertTimeZone(opts.timeZone);
  const summary: IndexSummary = {
    files: 0, lines: 0, events: 0, directives: 0, unparsed: 0, bytes: 0, ms: 0, formats: {}, errors: [],
  };
  const { files, errors } = await expandInputs(inputs);
  summary.errors.push(...errors);
  if (analysisNeedsRebuild(db)) rebuildAnalysis(db);
  const writer = new IndexWriter(db);
  const own = ownFiles(db);

  // Stat everything first: one file reached through two paths is indexed once, and files already
  // known under another name (a rotated log) are continued before their old path is reused.
  const targets: { file: string; real: string; stat: fs.BigIntStats; known: boolean; unread: number }[] = [];
  const seen = new Set<string>();
  for (const file of files) {
    if (own.has(path.resolve(file))) continue;
    try {
      const real = fs.realpathSync(file);
      const stat = fs.statSync(real, { bigint: true });
      const expected = opts.expected?.get(file);
      if (expected && (expected.dev !== stat.dev || expected.ino !== stat.ino)) continue;
      const identity = `${stat.dev}:${stat.ino}`;
      if (seen.has(identity)) continue;
      seen.add(identity);
      const sources = writer.sourcesByIdentity(String(stat.dev), String(stat.ino));
      // What this run will read of it (all of it again if it shrank: truncated or replaced).
      const indexed = Math.max(0, ...sources.map((s) => s.bytes_indexed));
      const size = Number(stat.size);
      targets.push({ file, real, stat, known: sources.length > 0, unread: size >= indexed ? size - indexed : size });
    } catch (err) {
      summary.errors.push({ path: file, reason: describeFsError(err) });
    }
  }
  targets.sort((a, b) => Number(b.known) - Number(a.known));
  const bytesTotal = targets.reduce((n, t) => n + Number(t.stat.size), 0);
  let bytesBefore = 0;
  // What the run reads: a big file re-opened reads nothing, and starts no thread (~130 ms each).
  const unread = targets.reduce((n, t) => n + t.unread, 0);
  const big = unread > (opts.bulkLoadBytes ?? BULK_LOAD_BYTES);
  const bulk = big && writer.beginBulkLoad(unread);
  // Their start is put off so that a new file's first rows are shown first; a run that only goes on
  // with files it knows (an append: the app shows their rows already) starts them at once, and its
  // first batches are parsed on the parsing thread instead of the writer's (appending 100k lines to
  // 10M, alternated five times: median 2,395 → 2,163 ms).
  const continuing = targets.every((t) => t.known);
  if (big || unread > HELPER_THREADS_BYTES) writer.beginFullTextThread(opts.helperThreadsAfterMs ?? (continuing ? 0 : undefined));
  // Sources' own proftpd.conf files, each read once per run; one that cannot be read is reported once.
  const ownConfs = new Map<string, ProftpdConf | undefined>();
  const ownConf = (file: string): ProftpdConf | undefined => {
    if (!ownConfs.has(file)) {
      const read = tryReadProftpdConf(file);
      if (read.error) summary.errors.push({ path: file, reason: `${read.error}; the files configured with it were indexed without it` });
      ownConfs.set(file, read.conf);
    }
    return ownConfs.get(file);
  };
  // The next file is parsed on a thread while one is stored, in a run of several (see ParseAhead).
  const due = writer.helpersDueAt;
  const ahead = targets.length > 1 && due !== null && opts.parseAhead !== false && parseThreadAvailable() ? new ParseAhead(() => performance.now() >= due, opts.waitForParseThread) : null;
  /** The last of the targets begun on the thread (see parseAhead). */
  let begunUpTo = 0;
  try {
    try {
      // In the try: a failure (a full disk, a busy index) still ends the bulk load it began.
      if (unread > 0) setFullTextMerging(db, bulk);
      await indexTargets();
    } finally {
      await ahead?.end();
      writer.stopDeflater();
      if (bulk) writer.endBulkLoad();
    }
    await writer.finishFullText();
    // A file indexed again from its start invalidates the sessions its old lines were part of. (A
    // full disk here too is the run's stop, which the app waits out: it is not the file's fault.)
    // Transfers are linked whenever sessions were written since they were last (also by a run that
    // was stopped before this step: the span it left is still pending).
    if (analysisNeedsRebuild(db)) rebuildAnalysis(db);
    else writer.relinkTransfers();
  } catch (err) {
    if (isStorageFailure(err) && !(err instanceof IndexStoppedError)) throw new IndexStoppedError(summary, err);
    throw err;
  } finally {
    await writer.stopFullText();
  }
  summary.ms = Math.round(performance.now() - t0);
  return summary;

  async function indexTargets(): Promise<void> {
    for (let i = 0; i < targets.length; i++) {
      const { file, real, stat } = targets[i]!;
      if (opts.signal?.aborted) break;
      const report = (done: number) =>
        opts.onProgress?.({ file, filesDone: i, filesTotal: targets.length, bytesDone: bytesBefore + done, bytesTotal });
      for (; ahead && begunUpTo < Math.min(i + FILES_AHEAD, targets.length - 1); ) await parseAhead(targets[++begunUpTo]!);
      try {
        const format = await indexFile(writer, real, stat, opts, summary, report, ownConf, ahead, i === 0);
        summary.files++;
        if (format) summary.formats[format] = (summary.formats[format] ?? 0) + 1;
      } catch (err) {
        if (isStorageFailure(err)) throw new IndexStoppedError(summary, err); // the database's problem, not this file's: stop
        summary.errors.push({ path: file, reason: err instanceof Error && !(err as NodeJS.ErrnoException).code ? err.message : describeFsError(err) });
      }
      bytesBefore += Number(stat.size);
      report(0);
    }
  }

  /**
   * Begins parsing a file the run has never read (one it continues, or reads again, is planned from
   * its source when its turn comes: parsed then), unless it is big enough for a thread of its own.
   */
  async function parseAhead(target: (typeof targets)[number]): Promise<void> {
    const { real, stat } = target;
    try {
      if (target.known || writer.sourceByPath(real) || !(await ahead!.accepting())) return;
      const head = await readHead(real);
      const sniffed = sniffEncoding(head.textHead);
      if ('binary' in sniffed) return;
      const plan = planParsing(real, stat, head, sniffed, null, undefined, opts, ownConf, writer.bulkLoading, false);
      if (hasOwnThread(head, Number(stat.size), plan.read.start, opts)) return;
      await ahead!.begin(plan.key, { file: real, read: plan.read, start: plan.parseStart });
    } catch {
      // Its turn comes: reported then.
    }
  }
}

/** The database's own files, never indexed as logs (a folder may hold both). */
export function ownFiles(db: Db): Set<string> {
  return new Set(['', '-wal', '-shm', '-journal', ...FULL_TEXT_FILES].map((suffix) => path.resolve(db.name + suffix)));
}

/** Indexes one file's new lines; returns the format id (or null when none was recognised). */
async function indexFile(
  writer: IndexWriter,
  file: string,
  stat: fs.BigIntStats,
  opts: IndexOptions,
  summary: IndexSummary,
  report: (bytesDone: number) => void,
  ownConf: (confFile: string) => ProftpdConf | undefined,
  ahead: ParseAhead | null,
  firstOfRun: boolean,
): Promise<string | null> {
  const head = await readHead(file);
  const sniffed = sniffEncoding(head.textHead);
  if ('binary' in sniffed) throw new Error(sniffed.binary);
  const dev = String(stat.dev), ino = String(stat.ino);
  const size = Number(stat.size);

  let source = writer.sourceByPath(file);
  if (!source) {
    // Renamed (e.g. rotated) since last time: same file identity and same first bytes.
    source = writer
      .sourcesByIdentity(dev, ino)
      .find((s) => s.fp_hash === hash(head.rawHead.subarray(0, s.fp_len)));
    if (source) writer.movePath(source.id, file);
  }
  source ??= writer.createSource(file, head.gzip ? 'gzip' : null);

  const saved: SourceOptions | undefined = source.options ? JSON.parse(source.options) : undefined;
  let reset = false;
  if (source.bytes_indexed > 0 || source.lines_indexed > 0) {
    const samePrefix = source.fp_hash === hash(head.rawHead.subarray(0, source.fp_len));
    const sameFile = source.ino === null || (source.dev === dev && source.ino === ino);
    if (head.gzip) {
      // A compressed file is read whole: unchanged means nothing to do, anything else means again.
      if (samePrefix && sameFile && source.size === size && source.mtime_ms === Number(stat.mtimeMs)) return source.format;
      reset = true;
    } else if (!samePrefix || !sameFile || size < source.bytes_indexed) {
      reset = true;
    } else if (opts.timeZone && saved && saved.timeZone !== opts.timeZone && writer.hasLocalTimes(source.id)) {
      reset = true; // local times must be converted again with the new zone
    } else if (size === source.bytes_indexed) {
      return source.format; // nothing appended
    }
  }
  const fresh = reset || (source.bytes_indexed === 0 && source.lines_indexed === 0);
  const plan = planParsing(file, stat, head, sniffed, fresh ? null : source, saved, opts, ownConf, writer.bulkLoading, firstOfRun);
  const { parseStart, read, timeZone, givenLogFormats, ownConfFile } = plan;
  const { start } = read;

  const { fpHash } = plan;
  let after = { bytesIndexed: source.bytes_indexed, linesIndexed: source.lines_indexed };
  // A compressed file is read whole and cannot be continued: until its last batch is committed its
  // size is stored as -1, so that a run stopped part-way (killed, cancelled) reads it again.
  let complete = !head.gzip;
  const checkpoint = (end: number, p: ParseProgress): Checkpoint => ({
    after,
    size: complete ? size : -1, mtimeMs: Number(stat.mtimeMs), dev, ino,
    fpLen: head.rawHead.length, fpHash,
    format: p.formatId,
    formatDetail: describeDetail(p.detail, p.saved.collectorPrefix),
    encoding: describeEncoding(sniffed.encoding, p.saved.fallbackLines ?? 0),
    options: JSON.stringify({
      timeZone,
      ...(givenLogFormats?.length ? { logFormats: givenLogFormats } : {}),
      ...(ownConfFile ? { proftpdConf: ownConfFile } : {}),
    } satisfies SourceOptions),
    bytesIndexed: end,
    linesIndexed: p.lineNo,
    parserState: JSON.stringify(p.saved),
  });

  /** Commits rows read up to byte `end` with the checkpoint there; the next batch continues from it. */
  const commit = (rows: BatchRows, end: number, reset: boolean, p: ParseProgress): KindCounts => {
    const cp = checkpoint(end, p);
    const stored = writer.commitBatch(source.id, rows, cp, reset);
    after = { bytesIndexed: cp.bytesIndexed, linesIndexed: cp.linesIndexed };
    return stored;
  };

  let pendingReset = reset;
  let readUpTo = start;
  let progress = new BatchParser(parseStart).progress();
  // A big file is parsed on a thread of its own, which starts with the run's other helper threads
  // (a run too small for them has none); a smaller one may have been begun on the run's (ParseAhead).
  const threaded = hasOwnThread(head, size, start, opts);
  const due = writer.helpersDueAt;
  const threadMayStart = threaded && due !== null ? () => performance.now() >= due : null;
  const parsedAhead = threaded ? undefined : ahead?.take(plan.key, { file, read, start: parseStart });
  for await (const batch of parsedAhead ?? parseBatches(file, read, parseStart, threadMayStart, opts.waitForParseThread)) {
    const { rows } = batch;
    progress = batch.progress;
    // Counted as committed (a batch another process indexed first is refused).
    const stored = commit(rows, batch.end, pendingReset, progress);
    summary.events += stored[EventKind.event];
    summary.directives += stored[EventKind.directive];
    summary.unparsed += stored[EventKind.unparsed];
    pendingReset = false;
    opts.onBatch?.(source.id, null);
    summary.lines += rows.count;
    summary.bytes += batch.end - readUpTo;
    readUpTo = batch.end;
    report(batch.end);
    if (opts.signal?.aborted) break;
  }
  // The file is now empty (or has no complete line): its old rows still go.
  if (pendingReset) commit(batchOf([]), start, true, progress);
  if (!complete && !opts.signal?.aborted) {
    complete = true;
    commit(batchOf([]), after.bytesIndexed, false, progress);
  }
  return progress.formatId;
}

/** Whether a file is read and parsed on a thread of its own (a compressed log holds several times its size). */
const hasOwnThread = (head: FileHead, size: number, start: number, opts: IndexOptions): boolean =>
  (head.gzip ? size * 4 : size - start) > (opts.parseThreadBytes ?? PARSE_THREAD_BYTES) && parseThreadAvailable();

/** How a file's new lines are parsed: where the parsing starts, how the file is read, and with which options. */
interface ParsePlan {
  parseStart: ParseStart;
  read: ReadOptions;
  timeZone: string;
  givenLogFormats: readonly NamedLogFormat[] | undefined;
  ownConfFile: string | undefined;
  /** The hash of the file's first bytes (its checkpoint's fingerprint). */
  fpHash: string;
  /** Tells two plans apart (ParseAhead): the same key, the same batches. */
  key: string;
}

/**
 * The plan of a file's parsing, from its source's last checkpoint (`continued`; null: from the
 * start) and the options the source keeps (`saved`) or the run gives.
 */
function planParsing(
  file: string,
  stat: fs.BigIntStats,
  head: FileHead,
  sniffed: { encoding: Encoding; bomLength: number },
  continued: SourceRow | null,
  saved: SourceOptions | undefined,
  opts: IndexOptions,
  ownConf: (confFile: string) => ProftpdConf | undefined,
  bulkLoading: boolean,
  firstOfRun: boolean,
): ParsePlan {
  const timeZone = opts.timeZone ?? saved?.timeZone ?? localTimeZone();
  // LogFormats given now win; otherwise those the source was first indexed with are kept. Those of
  // proftpd.conf (the file's own, else the run's) come after them (the one it names for this file first).
  const givenLogFormats = opts.logFormats?.length ? opts.logFormats : saved?.logFormats;
  const ownConfFile = saved ? saved.proftpdConf : opts.ownProftpdConf;
  const conf = ownConfFile ? ownConf(ownConfFile) : opts.proftpdConf;
  const confLog = conf && confLogFor(conf, file);
  const parseStart: ParseStart = {
    file,
    formatId: continued?.format || null,
    namedFormatId: confLog ? confLog.format : null,
    ctx: { timeZone, fileMtimeMs: Number(stat.mtimeMs), logFormats: logFormatsWithConf(givenLogFormats, conf, confLog) },
    saved: continued ? (JSON.parse(continued.parser_state ?? '{}') as SavedState) : { parser: undefined },
    lineNo: continued ? continued.lines_indexed : 0,
  };
  const start = continued ? continued.bytes_indexed : sniffed.bomLength;
  // A file's first batch is small so that its first lines are shown at once: the run's first
  // file's (a folder's next files are read meanwhile, and each small batch was one more commit).
  const smallFirstBatch = !continued && firstOfRun;
  const batchSize = bulkLoading ? { smallFirstBatch } : { chunkSize: opts.batchBytes ?? INDEXED_BATCH_BYTES, smallFirstBatch };
  const read: ReadOptions = { encoding: sniffed.encoding, start, gzip: head.gzip, flushLast: head.gzip, ...batchSize };
  // The file's first bytes too: a file replaced by one read the same way is parsed again.
  const fpHash = hash(head.rawHead);
  return { parseStart, read, timeZone, givenLogFormats, ownConfFile, fpHash, key: JSON.stringify([parseStart, read, fpHash]) };
}

function describeDetail(parserDetail: string | undefined, collectorPrefix: boolean | undefined): string | null {
  const notes = [parserDetail, collectorPrefix ? 'lines prefixed by a container log collector (name | ), read without it' : undefined];
  return notes.filter((n) => n !== undefined).join('; ') || null;
}

export type { SourceRow };
