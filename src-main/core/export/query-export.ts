/**
 * The rows of one query written as CSV or ECS NDJSON: what `export/start` and browser mode's
 * download run. The query is compiled when the export is prepared, so a mistake in it is reported
 * before any output is created.
 */
import type { Db } from '../store/db.js';
import { COLUMNS, DEFAULT_VISIBLE, columnDef, type ColumnDef, type QueryKind } from '../query/columns.js';
import { iterateRowArrays, iterateRows, timeSplitPoint, type IterateOptions } from '../query/page.js';
import { writeCsv, type CsvOptions } from './csv.js';
import { DEFAULT_MIN_ROWS_FOR_HALVES, exportWorkerAvailable, startSecondHalf, type ExportThreads } from './halves.js';
import { NDJSON_COLUMNS, writeNdjson } from './ndjson.js';
import type { ExportResult, ExportRunOptions, ExportTarget } from './output.js';

export interface QueryExportRequest {
  kind: QueryKind;
  query: string;
  format: 'csv' | 'ndjson';
  /** CSV columns in order (default: the kind's default columns). NDJSON always holds every field. */
  columns?: readonly string[];
  excel?: boolean;
  /** Default true (see neutraliseCell). */
  neutralise?: boolean;
  /** Zone for ISO dates without an offset in the query (default UTC); with `asShown`, of the exported times too. */
  timeZone?: string;
  /** CSV as the app's table shows it: column labels, times in `timeZone` named in the header (see CsvOptions). */
  asShown?: boolean;
}

export interface PreparedExport {
  /** Writes every row to the target; call once. */
  write(target: ExportTarget, opts?: ExportRunOptions): Promise<ExportResult>;
}

export function csvColumns(kind: QueryKind, names?: readonly string[]): ColumnDef[] {
  const chosen = names?.length ? names : DEFAULT_VISIBLE[kind];
  const unknown = chosen.filter((n) => !columnDef(kind, n));
  if (unknown.length) throw new RangeError(`unknown ${kind} column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid: ${COLUMNS[kind].map((c) => c.name).join(', ')}`);
  return chosen.map((n) => columnDef(kind, n)!);
}

/**
 * An export reads each database page once, so the connection's usual page cache (64 MiB) would only
 * grow the process by that much without saving a read: an export keeps this little (KiB).
 */
const EXPORT_PAGE_CACHE_KIB = 2048;

export interface PrepareExportOptions {
  /**
   * A CSV export of a big table sorted by time (the default sort) is shared with a worker thread
   * (see halves.ts); without this, or where the worker cannot run, one thread does it all.
   */
  threads?: ExportThreads;
  /** This export is one half of a shared one (export-worker.ts): the second has no header. */
  half?: IterateOptions['half'];
}

/**
 * Compiles the query (throws QuerySyntaxError / RangeError now) and returns the export to run.
 * `db` is a connection of the export's own (its page cache is made small).
 */
export function prepareExport(db: Db, req: QueryExportRequest, opts: PrepareExportOptions = {}): PreparedExport {
  const queryOptions = req.timeZone ? { timeZone: req.timeZone } : {};
  db.pragma(`cache_size = -${EXPORT_PAGE_CACHE_KIB}`);
  if (req.format === 'ndjson') {
    if (req.columns?.length) throw new RangeError('columns only apply to CSV (NDJSON documents always hold every field)');
    const rows = iterateRows(db, req.kind, req.query, { ...queryOptions, columns: [...NDJSON_COLUMNS[req.kind]] });
    return { write: (target, opts = {}) => writeNdjson(rows, target, { kind: req.kind, ...opts }) };
  }
  const columns = csvColumns(req.kind, req.columns);
  const iterate = (half?: IterateOptions['half']) =>
    iterateRowArrays(db, req.kind, req.query, { ...queryOptions, columns: columns.map((c) => c.name), ...(half ? { half } : {}) });
  const rows = iterate(opts.half);
  const csv: CsvOptions = {
    columns, excel: req.excel ?? false, neutralise: req.neutralise ?? true, ...(opts.half?.part === 2 ? { header: false } : {}),
    ...(req.asShown ? { asShown: true, timeZone: req.timeZone ?? 'UTC' } : {}),
  };
  const threads = opts.threads;
  return {
    async write(target, run = {}) {
      const shareable = threads && !opts.half && !db.memory && exportWorkerAvailable();
      const at = shareable ? timeSplitPoint(db, req.kind, {}, threads.minRows ?? DEFAULT_MIN_ROWS_FOR_HALVES) : null;
      if (at === null) return writeCsv(rows, target, { ...csv, ...run });
      const second = await startSecondHalf({ databasePath: db.name, ...(threads!.nativeBinding ? { nativeBinding: threads!.nativeBinding } : {}), request: req, at }, run.signal);
      let secondCounted = false;
      try {
        return await writeCsv(iterate({ at, part: 1 }), target, {
          ...csv,
          ...run,
          // Progress is both halves' rows; the last call (after the copy) already counts the second.
          onProgress: (n) => run.onProgress?.(secondCounted ? n : n + second.rows()),
          tail: async () => {
            const part = await second.tail();
            secondCounted = true;
            return part;
          },
        });
      } finally {
        await second.dispose();
      }
    },
  };
}
