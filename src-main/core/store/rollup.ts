/**
 * Pre-aggregated events (schema migration 3) and transfers (schema 19): counts per minute (rows,
 * bytes, failures; and since schema 30 a report's figures and the most bytes one transfer moved:
 * MINUTE_COLUMNS) and per value of the columns the chart's top lists show. Charting every event or
 * every transfer then reads a few thousand rollup rows, and a top list walks a count index, instead
 * of grouping millions of rows (src-main/core/query/aggregate.ts).
 *
 * The transfers' counts are given by the analysis as it creates each transfer and changes one (a
 * record of another log merged into it: its old figures out, its new ones in; see TransferCounter),
 * through a tally in a bulk load and a batch's deltas otherwise.
 *
 * The writer adds each batch in the batch's transaction. Whatever removes or changes events in
 * place (a source forgotten or read again, the analysis rebuilt, a bulk load that adds rows without
 * it) marks the rollup stale; it is rebuilt with the analysis, after a bulk load, or at the next
 * open, and charts group the rows themselves while it is stale.
 */
import { BYTES_SQL, FAILED_SQL } from './row-sql.js';
import { STRING_DIMS } from './strings.js';
import { everyTransfer } from './plain-transfers.js';
import type { Db } from './db.js';
import { readMeta, writeMeta } from './meta.js';
import { withSortCache } from './sort-cache.js';

const DIRTY_KEY = 'rollup_dirty';

/** The columns of event_values.dim, in the order of their numbers. */
export const ROLLUP_DIMS = ['user', 'client_ip', 'path', 'status'] as const;
export type RollupDim = (typeof ROLLUP_DIMS)[number];

/** The columns of event_minutes and event_values each kind's counts are in (query/aggregate.ts reads them). */
export const ROLLUP_COLUMNS = {
  events: { count: 'events', bytes: 'bytes', failures: 'failures' },
  transfers: { count: 'transfers', bytes: 'transfer_bytes', failures: 'transfer_failures' },
} as const;
export type RolledUpKind = keyof typeof ROLLUP_COLUMNS;

/**
 * The count from which a value is in its count index (event_values_top, transfer_values_top; schema
 * 23). A top list reads the index, then the values under it only if the index held too few: most
 * values are met once or twice (1M EFT lines: 348k of 360k paths), and indexing them all cost 8.8 MB
 * there and a quarter of the pages an append dirtied, for lists that end far above them.
 */
export const TOP_INDEX_MIN_COUNT = 3;

/** The count indexes of the top lists, of values met at least TOP_INDEX_MIN_COUNT times. */
export const TOP_INDEXES_SQL = `CREATE INDEX event_values_top ON event_values(dim, events) WHERE events >= ${TOP_INDEX_MIN_COUNT};
  CREATE INDEX transfer_values_top ON event_values(dim, transfers) WHERE transfers >= ${TOP_INDEX_MIN_COUNT};`;

/** Each kind's alias, the one BYTES_SQL and FAILED_SQL use. */
const ALIAS = { events: 'e', transfers: 't' } as const;

/** The rows of each kind, under their ALIAS. */
const ROWS_OF: Record<RolledUpKind, string> = { events: `events ${ALIAS.events}`, transfers: `${everyTransfer()} ${ALIAS.transfers}` };

/** `kind`'s rows with a time meeting `where` grouped by minute: the minute, then `values` (SQL over the rows). */
const byMinuteSql = (kind: RolledUpKind, values: string, where = 'true') =>
  `SELECT CAST(${ALIAS[kind]}.ts AS INTEGER) / 60000 AS minute, ${values} FROM ${ROWS_OF[kind]} WHERE ${where} AND ${ALIAS[kind]}.ts IS NOT NULL GROUP BY 1`;

/**
 * A column of event_minutes: the SQL that computes it from a kind's rows (aliased as in ROWS_OF),
 * and whether a minute's values add up or keep the largest.
 */
interface MinuteColumn {
  column: string;
  sql: string;
  /** Bytes: past what 32 bits hold. */
  bytes?: true;
  largest?: true;
}

/**
 * Each kind's columns of event_minutes, in the order every writer gives their values: the count,
 * bytes and failures charts read (ROLLUP_COLUMNS), then the figures a report of every row shows
 * (schema 30, report/report.ts), which took grouping millions of rows (10M EFT lines: 13 s of a
 * 24 s report), and the most bytes one transfer moved, which bounds where the largest are
 * (analysis/insights.ts). addRowFigures computes the same for one row.
 */
export const MINUTE_COLUMNS: Record<RolledUpKind, readonly MinuteColumn[]> = {
  events: [
    { column: 'events', sql: 'count(*)' },
    { column: 'bytes', sql: `total(${BYTES_SQL.events})`, bytes: true },
    { column: 'failures', sql: `count(*) FILTER (WHERE ${FAILED_SQL.events})` },
    { column: 'logins_ok', sql: "count(*) FILTER (WHERE e.op = 'login' AND e.outcome = 'success')" },
    { column: 'logins_failed', sql: "count(*) FILTER (WHERE e.op = 'login' AND e.outcome = 'failed')" },
  ],
  transfers: [
    { column: 'transfers', sql: 'count(*)' },
    { column: 'transfer_bytes', sql: `total(${BYTES_SQL.transfers})`, bytes: true },
    { column: 'transfer_failures', sql: `count(*) FILTER (WHERE ${FAILED_SQL.transfers})` },
    { column: 'uploads', sql: "count(*) FILTER (WHERE t.op = 'upload')" },
    { column: 'upload_bytes', sql: "total(t.bytes) FILTER (WHERE t.op = 'upload')", bytes: true },
    { column: 'downloads', sql: "count(*) FILTER (WHERE t.op = 'download')" },
    { column: 'download_bytes', sql: "total(t.bytes) FILTER (WHERE t.op = 'download')", bytes: true },
    // 0 when no transfer moved more: a transfer taken out leaves it as it was (still at least the largest).
    { column: 'transfer_max_bytes', sql: 'max(coalesce(max(t.bytes), 0), 0)', bytes: true, largest: true },
  ],
};

/** The columns schema 30 added (the report's figures), which its migration fills from the rows. */
export const FIGURE_COLUMNS: Record<RolledUpKind, readonly MinuteColumn[]> = {
  events: MINUTE_COLUMNS.events.slice(3),
  transfers: MINUTE_COLUMNS.transfers.slice(3),
};

/**
 * Adds one row's figures to `kind`'s minute values in `into` (MINUTE_COLUMNS' order): `n` 1 counts
 * it in, −1 takes it out. `failed` as FAILED_SQL counts it, `op` and `outcome` (a
 * transfer's status) as the rows spell them. Positional: an object per row was garbage enough to
 * grow the writer's heap.
 */
function addRowFigures(kind: RolledUpKind, into: number[], n: number, bytes: number | null, failed: boolean, op: string | null, outcome: string | null): void {
  into[0]! += n;
  if (bytes) into[1]! += n * bytes;
  if (failed) into[2]! += n;
  if (kind === 'events') {
    if (op === 'login' && outcome === 'success') into[3]! += n;
    else if (op === 'login' && outcome === 'failed') into[4]! += n;
    return;
  }
  if (op === 'upload' || op === 'download') {
    const k = op === 'upload' ? 3 : 5;
    into[k]! += n;
    if (bytes) into[k + 1]! += n * bytes;
  }
  if (n > 0 && bytes !== null && bytes > into[7]!) into[7] = bytes;
}

/**
 * Adds to `kind`'s columns of event_minutes the minutes `rows` gives (a SELECT or VALUES of the
 * minute, then `others` — a new minute's other kind's counts, 0 — then the kind's MINUTE_COLUMNS).
 */
const addMinutesSql = (kind: RolledUpKind, rows: (others: string) => string) => {
  const columns = MINUTE_COLUMNS[kind];
  const set = columns.map(({ column: c, largest }) => (largest ? `${c} = max(${c}, excluded.${c})` : `${c} = ${c} + excluded.${c}`));
  return `INSERT INTO event_minutes (minute${kind === 'events' ? '' : ', events, bytes, failures'}, ${columns.map((c) => c.column).join(', ')})
  ${rows(kind === 'events' ? '' : '0, 0, 0, ')}
  ON CONFLICT (minute) DO UPDATE SET ${set.join(', ')}`;
};

/** Adds the minutes of `kind`'s rows meeting `where` (their alias as in ROWS_OF) to its columns of event_minutes. */
const minutesSql = (kind: RolledUpKind, where: string) =>
  addMinutesSql(kind, (others) => byMinuteSql(kind, `${others}${MINUTE_COLUMNS[kind].map((c) => c.sql).join(', ')}`, where));

/**
 * Fills the columns schema 30 added to a current rollup from the rows (one grouping per kind);
 * a stale one is rebuilt whole after the upgrade.
 */
export function fillFigureColumns(db: Db): void {
  if (!rollupCurrent(db)) return;
  for (const kind of ['events', 'transfers'] as const) {
    const columns = FIGURE_COLUMNS[kind];
    db.exec(`UPDATE event_minutes SET ${columns.map((c, i) => `${c.column} = g.v${i}`).join(', ')}
      FROM (${byMinuteSql(kind, columns.map((c, i) => `${c.sql} AS v${i}`).join(', '))}) g WHERE event_minutes.minute = g.minute`);
  }
}

/** Minutes a bulk load's tally spans at most (2 years: 16 MB); a wider load groups its rows instead. */
const TALLY_MAX_MINUTES = 2 * 366 * 24 * 60;

/**
 * A kind's MINUTE_COLUMNS per minute in typed arrays indexed by minute (each minute's counts side by
 * side in one, its bytes in another: 4 bytes a count, 8 for bytes), off the heap: live objects in
 * the heap let the whole heap grow before a full GC (a first version's maps per minute and per
 * client IP came with a 10M-line load peaking at 350 MB). False from add() once the span is too
 * wide to tally.
 */
class MinuteTally {
  private readonly columns: readonly MinuteColumn[];
  /** Each column's place in `counts` or, for bytes, in `sums`. */
  private readonly places: number[];
  private readonly countWidth: number;
  private readonly sumWidth: number;
  /** One row's figures, as addRowFigures gives them (reused: no garbage per row). */
  private readonly row: number[];
  first = 0;
  private slots = 0;
  private counts = new Int32Array(0);
  private sums = new Float64Array(0);

  constructor(private readonly kind: RolledUpKind) {
    this.columns = MINUTE_COLUMNS[kind];
    let counts = 0, sums = 0;
    this.places = this.columns.map((c) => (c.bytes ? sums++ : counts++));
    this.countWidth = counts;
    this.sumWidth = sums;
    this.row = this.columns.map(() => 0);
  }

  /** Adds a row (see addRowFigures); false when the tally cannot hold its minute. */
  add(ts: number, n: number, bytes: number | null, failed: boolean, op: string | null, outcome: string | null): boolean {
    const minute = minuteOf(ts);
    let i = minute - this.first;
    if (i < 0 || i >= this.slots) {
      if (!this.cover(minute)) return false;
      i = minute - this.first;
    }
    const row = this.row;
    row.fill(0);
    addRowFigures(this.kind, row, n, bytes, failed, op, outcome);
    for (let c = 0; c < row.length; c++) {
      const v = row[c]!;
      if (v === 0) continue;
      const column = this.columns[c]!;
      if (!column.bytes) this.counts[i * this.countWidth + this.places[c]!]! += v;
      else {
        const at = i * this.sumWidth + this.places[c]!;
        this.sums[at] = column.largest ? Math.max(this.sums[at]!, v) : this.sums[at]! + v;
      }
    }
    return true;
  }

  /** Widens the arrays to hold `minute` (doubling, so that a log read in order grows them rarely). */
  private cover(minute: number): boolean {
    const used = this.slots > 0;
    const lo = used ? Math.min(this.first, minute) : minute;
    const hi = used ? Math.max(this.first + this.slots - 1, minute) : minute;
    if (hi - lo + 1 > TALLY_MAX_MINUTES) return false;
    const size = Math.min(TALLY_MAX_MINUTES, Math.max(hi - lo + 1, 2 * this.slots, 1024));
    // The room goes where the log is heading: below for an earlier minute, above otherwise.
    const first = used && minute < this.first ? hi - size + 1 : lo;
    const move = <T extends Int32Array | Float64Array>(old: T, width: number, make: (n: number) => T): T => {
      const grown = make(size * width);
      if (used) grown.set(old, (this.first - first) * width);
      return grown;
    };
    this.counts = move(this.counts, this.countWidth, (n) => new Int32Array(n));
    this.sums = move(this.sums, this.sumWidth, (n) => new Float64Array(n));
    this.slots = size;
    this.first = first;
    return true;
  }

  /** Each minute holding rows (a count in its first column), as [minute, ...its MINUTE_COLUMNS]. */
  *entries(): Generator<number[]> {
    for (let i = 0; i < this.slots; i++) {
      if (!this.counts[i * this.countWidth]) continue;
      yield [this.first + i, ...this.columns.map((c, k) => (c.bytes ? this.sums[i * this.sumWidth + this.places[k]!]! : this.counts[i * this.countWidth + this.places[k]!]!))];
    }
  }
}

/**
 * A bulk load's counts per minute and per value, tallied as its rows are stored (the writer passes
 * each row's time, bytes, whether it failed, as BYTES_SQL and FAILED_SQL count them, and its values'
 * string ids), so that at its end nothing is grouped. 1M EFT lines: rebuilding the rollup took
 * 1.5 s, the minutes 0.64 s of it. The analysis counts the load's transfers into `transfers`.
 */
export class RollupTally {
  private readonly minutes = new MinuteTally('events');
  /** The rows' counts per user, client IP, path and code. */
  readonly values = new ValueTally();
  /** The transfers', given by the analysis (see TransferCounter). */
  readonly transfers = new TransferTally();
  /** Rows counted: the tally is written only if the events are exactly these. */
  private rows = 0;
  /** Rows counted that may not be stored (a batch rolled back), rows removed since, or too wide a span. */
  private invalid = false;

  /** A batch rolled back after its rows were counted, or rows were removed: the tally is not to be written. */
  invalidate(): void {
    this.invalid = true;
  }

  /** A row: its time, bytes, whether it failed, its operation and outcome, and its user, client IP, path and code as string ids. */
  add(ts: number | null, bytes: number | null, failed: boolean, op: string | null, outcome: string | null,
    user: number | null, clientIp: number | null, path: number | null, status: number | null): void {
    this.rows++;
    this.values.add(user);
    this.values.add(clientIp);
    this.values.add(path);
    this.values.add(status);
    if (ts === null || this.invalid) return;
    if (!this.minutes.add(ts, 1, bytes, failed, op, outcome)) this.invalidate();
  }

  /**
   * Writes the rollup after the load's indexes are built. False, writing nothing, when the events
   * or the transfers stored are not the ones counted (another process added some, or a file was
   * read again meanwhile): the caller rebuilds it from the rows then.
   */
  write(db: Db): boolean {
    if (this.invalid) return false;
    const stored = db.prepare('SELECT count(*) FROM events').pluck().get() as number;
    if (stored !== this.rows) return false;
    // The transfers too must be the ones counted (both sides: see plain-transfers.ts).
    const transfers = db.prepare('SELECT (SELECT count(*) FROM transfers) + (SELECT count(*) FROM events WHERE plain_transfer = 1)').pluck().get() as number;
    if (transfers !== this.transfers.transfers) return false;
    rebuildRollup(db, () => {
      const insert = db.prepare(EVENT_MINUTE_SQL);
      for (const minute of this.minutes.entries()) insert.run(minute);
    }, this.values, this.transfers);
    return true;
  }
}

/**
 * Where the analysis counts transfers: +1 for each one it creates, and when a record of another log
 * changes one, −1 with its old figures and +1 with its new ones.
 */
export interface TransferCounter {
  /**
   * `n` (1 or −1) transfers with this time, bytes, outcome (`failed`, and `status` as the rows spell
   * it), operation and values as string ids (code: among the status codes). Positional, as
   * RollupTally.add: an object per transfer was garbage enough to grow the writer's heap.
   */
  count(n: 1 | -1, ts: number | null, bytes: number | null, failed: boolean, op: string | null, status: string | null,
    user: number | null, clientIp: number | null, path: number | null, code: number | null): void;
}

/**
 * The transfers' counts per minute and per value in typed arrays (a bulk load's, or a rebuild's from
 * the rows), written to the transfers' columns of the rollup.
 */
export class TransferTally implements TransferCounter {
  private readonly minutes = new MinuteTally('transfers');
  private readonly values = new ValueTally();
  /** False once a transfer's minute was beyond what the tally holds: the minutes are then grouped from the rows. */
  private minutesValid = true;
  /** Transfers counted (created, less none: a merge takes one out and puts it back). */
  transfers = 0;

  count(n: 1 | -1, ts: number | null, bytes: number | null, failed: boolean, op: string | null, status: string | null,
    user: number | null, clientIp: number | null, path: number | null, code: number | null): void {
    this.transfers += n;
    this.values.add(user, n);
    this.values.add(clientIp, n);
    this.values.add(path, n);
    this.values.add(code, n);
    if (ts !== null && this.minutesValid && !this.minutes.add(ts, n, bytes, failed, op, status)) this.minutesValid = false;
  }

  /** Counts the transfers stored (both sides: rows and plain transfers). */
  static ofTransfers(db: Db): TransferTally {
    const tally = new TransferTally();
    // A row's code is one of its records' status codes, so a stored string; one that is not (nothing
    // writes such a code today) is added, as the analysis would, rather than left out of the top list.
    db.exec(`INSERT INTO strings (dim, value) SELECT DISTINCT ${STRING_DIMS.status}, t.code FROM transfers t WHERE t.code IS NOT NULL
      AND NOT EXISTS (SELECT 1 FROM strings s WHERE s.dim = ${STRING_DIMS.status} AND s.value = t.code COLLATE NOCASE AND s.value = t.code)`);
    // A row's code is text: the status code string of that spelling (an event's code, so stored).
    const codeId = `(SELECT s.id FROM strings s WHERE s.dim = ${STRING_DIMS.status} AND s.value = t.code COLLATE NOCASE AND s.value = t.code)`;
    const rows = db.prepare(`SELECT t.ts, t.bytes, ${FAILED_SQL.transfers}, t.op, t.status, t.user_id, t.client_ip_id, t.path_id, ${codeId} FROM transfers t
      UNION ALL SELECT ts, bytes, outcome_code = 1, op, outcome, user_id, client_ip_id, path_id, status_id FROM events WHERE plain_transfer = 1`).raw();
    type Row = [number | null, number | null, number, string | null, string | null, number | null, number | null, number | null, number | null];
    for (const [ts, bytes, failed, op, status, user, clientIp, path, code] of rows.iterate() as IterableIterator<Row>) {
      tally.count(1, ts, bytes, failed === 1, op, status, user, clientIp, path, code);
    }
    return tally;
  }

  /** Writes the transfers' columns of the rollup (after its events' rows: rows of both meet in one table). */
  write(db: Db): void {
    if (this.minutesValid) {
      const minute = db.prepare(TRANSFER_MINUTE_SQL);
      for (const values of this.minutes.entries()) minute.run(values);
    } else {
      db.exec(minutesSql('transfers', 'true')); // its columns are empty here: adding is setting
    }
    this.values.write(db, 'transfers');
  }
}

/** Adds (or with negative counts takes out) a minute's rows of `kind`: the minute, then its MINUTE_COLUMNS. */
const minuteDeltaSql = (kind: RolledUpKind) => addMinutesSql(kind, (others) => `VALUES (?, ${others}${MINUTE_COLUMNS[kind].map(() => '?').join(', ')})`);
const EVENT_MINUTE_SQL = minuteDeltaSql('events');
const TRANSFER_MINUTE_SQL = minuteDeltaSql('transfers');

/** The rollup's dim of a string id's dim (SQL on `dim`), for the dims it counts. */
const ROLLUP_DIM_SQL = `CASE dim ${ROLLUP_DIMS.map((c, i) => `WHEN ${STRING_DIMS[c]} THEN ${i}`).join(' ')} END`;

/**
 * A batch's changes to the counts of events or of transfers outside a bulk load, written in its
 * transaction by flush(): a handful of minutes and the batch's values (a Map each; a bulk load's
 * tally is typed arrays as long as the strings are many), the values in one statement (one per
 * value added 10 % to an append of 10k lines). Rows whose counts fall to nothing go. The events'
 * were grouped from the batch's rows by SQL, one scan of them per column: appending 100k lines to
 * 10M, 414 ms of the writer's 5.4 s.
 */
export class RollupDeltas implements TransferCounter {
  /** Each minute's changes to the kind's MINUTE_COLUMNS. */
  private readonly minutes = new Map<number, number[]>();
  private readonly values = new Map<number, number>();
  private readonly addMinute;
  private readonly addValues;
  private readonly dropEmptyMinute;
  private readonly dropEmptyValues;

  constructor(db: Db, private readonly kind: RolledUpKind) {
    const count = ROLLUP_COLUMNS[kind].count;
    this.addMinute = db.prepare(minuteDeltaSql(kind));
    // @values: a JSON array of [rollup dim, string id, count]. The top lists count values neither
    // NULL nor empty: the empty strings' ids (a few) are found on the strings' index, where reading
    // each value's row cost as much as the grouping it replaced (10M lines: strings 195 MB).
    const valuesOf = `SELECT j.value ->> 0 AS rdim, j.value ->> 1 AS id, j.value ->> 2 AS n FROM json_each(@values) j
      WHERE (j.value ->> 1) NOT IN (SELECT id FROM strings WHERE dim IN (${ROLLUP_DIMS.map((c) => STRING_DIMS[c]).join(', ')}) AND value = '' COLLATE NOCASE)`;
    this.addValues = db.prepare(`INSERT INTO event_values (dim, value_id, events, transfers) SELECT rdim, id, ${kind === 'events' ? 'n, 0' : '0, n'} FROM (${valuesOf}) WHERE true
      ON CONFLICT (dim, value_id) DO UPDATE SET ${count} = ${count} + excluded.${count}`);
    this.dropEmptyMinute = db.prepare('DELETE FROM event_minutes WHERE minute = ? AND events = 0 AND transfers = 0');
    this.dropEmptyValues = db.prepare(`DELETE FROM event_values WHERE (dim, value_id) IN (SELECT rdim, id FROM (${valuesOf}) WHERE n < 0)
      AND events = 0 AND transfers = 0`);
  }

  count(n: 1 | -1, ts: number | null, bytes: number | null, failed: boolean, op: string | null, outcome: string | null,
    user: number | null, clientIp: number | null, path: number | null, code: number | null): void {
    this.addValue(0, user, n);
    this.addValue(1, clientIp, n);
    this.addValue(2, path, n);
    this.addValue(3, code, n);
    if (ts === null) return;
    const minute = minuteOf(ts);
    let m = this.minutes.get(minute);
    if (!m) this.minutes.set(minute, (m = MINUTE_COLUMNS[this.kind].map(() => 0)));
    addRowFigures(this.kind, m, n, bytes, failed, op, outcome);
  }

  /** Counts a value of the rollup's dim `rdim` (its position in ROLLUP_DIMS), keyed by id and dim together. */
  private addValue(rdim: number, id: number | null, n: number): void {
    if (id === null) return;
    const key = id * ROLLUP_DIMS.length + rdim;
    this.values.set(key, (this.values.get(key) ?? 0) + n);
  }

  /** Writes the batch's changes (in its transaction) and starts again. */
  flush(): void {
    for (const [minute, values] of this.minutes) {
      if (values.every((v) => v === 0)) continue;
      this.addMinute.run(minute, values);
      if (values[0]! < 0) this.dropEmptyMinute.run(minute);
    }
    const changed = [...this.values].filter(([, n]) => n !== 0).map(([key, n]): [number, number, number] => [key % ROLLUP_DIMS.length, Math.floor(key / ROLLUP_DIMS.length), n]);
    if (changed.length) {
      const values = JSON.stringify(changed);
      this.addValues.run({ values });
      if (changed.some(([, , n]) => n < 0)) this.dropEmptyValues.run({ values });
    }
    this.clear();
  }

  /** Forgets what was counted (a batch rolled back). */
  clear(): void {
    this.minutes.clear();
    this.values.clear();
  }
}

/**
 * Rows per string id of the rollup's columns, tallied in a typed array indexed by the id (string ids
 * are unique across dims, so one array serves the four columns): the rows' counts per user, client
 * IP, path and code without grouping them, which needed an index on each (issue 12: those of users,
 * IPs and codes went for events_fields; grouping 1M rows without an index took 0.7–1.2 s a column).
 */
export class ValueTally {
  /**
   * Counts below 255 by id, a byte each; 255 marks a count kept in `large`. Most values (paths) are
   * counted once or a few times: 4 bytes an id held 14 MB per tally at 10M lines.
   */
  private small = new Uint8Array(1024);
  private readonly large = new Map<number, number>();

  /** Adds `n` rows (−1 takes one out) holding the string `id`. */
  add(id: number | null, n = 1): void {
    if (id === null) return;
    if (id >= this.small.length) {
      const grown = new Uint8Array(Math.max(id + 1, this.small.length * 2));
      grown.set(this.small);
      this.small = grown;
    }
    const c = this.small[id]!;
    const v = (c === 255 ? this.large.get(id)! : c) + n;
    if (c !== 255 && v >= 0 && v < 255) this.small[id] = v;
    else {
      this.small[id] = 255;
      this.large.set(id, v);
    }
  }

  /** The rows counted holding `id`. */
  count(id: number): number {
    const c = id < this.small.length ? this.small[id]! : 0;
    return c === 255 ? this.large.get(id)! : c;
  }

  /** Counts the rows stored (a rollup rebuilt outside a bulk load). */
  static ofEvents(db: Db): ValueTally {
    const tally = new ValueTally();
    const columns = ROLLUP_DIMS.map((c) => `${c}_id`).join(', ');
    for (const ids of db.prepare(`SELECT ${columns} FROM events`).raw().iterate() as IterableIterator<(number | null)[]>) {
      for (const id of ids) tally.add(id);
    }
    return tally;
  }

  /**
   * Writes the counts into event_values' `column` (events, or transfers after the events'): each
   * counted value that is not the empty string, under its column's dim.
   */
  write(db: Db, column: 'events' | 'transfers' = 'events'): void {
    // One statement over the strings, the counts read through a function: a statement run per value
    // took 0.95 s for the 366k values of 1M EFT lines, this 0.57 s (most of it the top-list index).
    db.function('xl_tally', { deterministic: true }, (id: unknown) => (typeof id === 'number' ? this.count(id) : 0));
    db.exec(`INSERT INTO event_values (dim, value_id, events, transfers)
      SELECT ${ROLLUP_DIM_SQL}, id, ${column === 'events' ? 'n, 0' : '0, n'} FROM (SELECT dim, id, xl_tally(id) AS n FROM strings NOT INDEXED
        WHERE dim IN (${ROLLUP_DIMS.map((c) => STRING_DIMS[c]).join(', ')}) AND value <> '') WHERE n > 0
      ON CONFLICT (dim, value_id) DO UPDATE SET ${column} = excluded.${column}`);
  }
}

/**
 * Recomputes the whole rollup from the events and transfers (in the caller's transaction, when there
 * is one); `writeMinutes` fills event_minutes instead of grouping the rows, `values` are the rows'
 * counts per value and `transfers` the transfers' counts (a bulk load's tallies).
 */
export function rebuildRollup(db: Db, writeMinutes = () => void db.exec(minutesSql('events', 'true')), values?: ValueTally, transfers?: TransferTally): void {
  withSortCache(db, () =>
    db.transaction(() => {
      db.exec('DELETE FROM event_minutes; DELETE FROM event_values;');
      writeMinutes();
      (values ?? ValueTally.ofEvents(db)).write(db);
      (transfers ?? TransferTally.ofTransfers(db)).write(db);
      writeMeta(db, DIRTY_KEY, '0');
    })(),
  );
}

/** Each kind's MINUTE_COLUMNS summed (the largest: the largest) over some minutes, by column. */
export type MinuteSums = Record<RolledUpKind, Record<string, number>>;

/**
 * Both kinds' MINUTE_COLUMNS over every row from `from` to `to` (UTC ms, either open): the
 * minutes between them, and when both are open the rows without a time (in no minute). Null when
 * the rollup cannot answer: stale, or a bound within a minute. One read transaction, so that
 * whether it is current and what it holds come from one snapshot.
 */
export function minuteSums(db: Db, from?: number, to?: number): MinuteSums | null {
  // A bound at or before 1970 is not where a minute starts: minute 0 holds the minute before it too.
  const wholeMinute = (t: number | undefined) => t === undefined || (t > 0 && t % 60000 === 0);
  if (!wholeMinute(from) || !wholeMinute(to)) return null;
  const range = [from !== undefined ? `minute >= ${from / 60000}` : '', to !== undefined ? `minute < ${to / 60000}` : ''].filter(Boolean);
  return db.transaction((): MinuteSums | null => {
    if (!rollupCurrent(db)) return null;
    const sums = {} as MinuteSums;
    for (const kind of ['events', 'transfers'] as const) {
      const columns = MINUTE_COLUMNS[kind];
      const minutes = db.prepare(`SELECT ${columns.map((c) => `${c.largest ? 'max' : 'total'}(${c.column})`).join(', ')}
        FROM event_minutes${range.length ? ` WHERE ${range.join(' AND ')}` : ''}`).raw().get() as (number | null)[];
      const untimed = range.length ? null : db.prepare(`SELECT ${columns.map((c) => c.sql).join(', ')} FROM ${ROWS_OF[kind]} WHERE ${ALIAS[kind]}.ts IS NULL`).raw().get() as (number | null)[];
      sums[kind] = Object.fromEntries(columns.map((c, i) => {
        const [m, u] = [minutes[i] ?? 0, untimed?.[i] ?? 0];
        return [c.column, Math.round(c.largest ? Math.max(m, u) : m + u)];
      }));
    }
    return sums;
  })();
}

/**
 * A time's minute in the rollup: divided by 60,000, truncated toward zero as SQLite's integer
 * division does (byMinuteSql), so minute 0 holds a time on either side of 1970.
 */
const minuteOf = (ts: number) => Math.trunc(ts / 60000);

/** The first and last times (UTC ms) a minute of the rollup holds (see minuteOf). */
export function minuteTimes(minute: number): [number, number] {
  const start = minute * 60000;
  return [minute > 0 ? start : start - 59999, minute < 0 ? start : start + 59999];
}

/**
 * The minutes holding a time from `from` to `to` (UTC ms, both included) in which a transfer moved
 * bytes, the one whose largest transfer moved most first, with at least that many bytes (the most
 * a transfer of the minute moved, unless one that moved more went since).
 */
export function minutesByLargestTransfer(db: Db, from: number, to: number): { minute: number; maxBytes: number }[] {
  return db.prepare(`SELECT minute, transfer_max_bytes AS maxBytes FROM event_minutes WHERE minute BETWEEN ? AND ? AND transfer_max_bytes > 0
    ORDER BY transfer_max_bytes DESC`).all(minuteOf(from), minuteOf(to)) as { minute: number; maxBytes: number }[];
}

/** Until the next rebuild, the rollup is not to be read. */
export function markRollupStale(db: Db): void {
  writeMeta(db, DIRTY_KEY, '1');
}

/** Whether the rollup holds what the events hold (else charts group the rows themselves). */
export function rollupCurrent(db: Db): boolean {
  // No key: a database from before the rollup, read before a writer added it.
  return readMeta(db, DIRTY_KEY) === '0';
}

/** Rebuilds the rollup if a migration or a run that was killed left it stale. */
export function ensureRollup(db: Db): void {
  if (!rollupCurrent(db)) rebuildRollup(db);
}
