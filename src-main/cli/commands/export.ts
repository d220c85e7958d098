import { isStorageFailure, type Db } from '../../core/store/db.js';
import { describeFileSystemFault } from '../../core/store/faults.js';
import { COLUMNS, DEFAULT_VISIBLE, QUERY_KINDS, columnDef, type ColumnDef, type QueryKind } from '../../core/query/columns.js';
import { countRows, QuerySyntaxError } from '../../core/query/index.js';
import { prepareExport } from '../../core/export/query-export.js';
import type { ExportResult, ExportTarget } from '../../core/export/output.js';
import { localTimeZone } from '../../core/time.js';
import { formatBytes, formatCount, progressBar, querySyntaxMessage, UsageError } from '../output.js';
import { stringOption, timeZoneOption, type CommandRun, type OptionValues } from '../command.js';

type ExportFormat = 'csv' | 'ndjson';

interface ExportRequest {
  kind: QueryKind;
  query: string;
  format: ExportFormat;
  columns: readonly ColumnDef[];
  excel: boolean;
  neutralise: boolean;
  timeZone: string;
  out: string;
  json: boolean;
}

export const runExportCommand: CommandRun = ({ values, args, withDb }) => {
  if (args.length) throw new UsageError(`export takes no arguments (got ${args[0]}); the search goes in --query`);
  const request = parseRequest(values);
  return withDb((db) => runExport(db, request));
};

function parseRequest(values: OptionValues): ExportRequest {
  const kind = stringOption(values, 'kind');
  if (!kind) throw new UsageError(`export needs --kind (${QUERY_KINDS.join(', ')})`);
  if (!(QUERY_KINDS as readonly string[]).includes(kind)) throw new UsageError(`--kind must be one of ${QUERY_KINDS.join(', ')} (got ${kind})`);
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('export needs --out FILE (or --out - for stdout)');
  const formatOption = stringOption(values, 'format') ?? (/\.(ndjson|jsonl)$/i.test(out) ? 'ndjson' : 'csv');
  if (formatOption !== 'csv' && formatOption !== 'ndjson') throw new UsageError(`--format must be csv or ndjson (got ${formatOption})`);
  const format: ExportFormat = formatOption;
  const columnsOption = stringOption(values, 'columns');
  const excel = values.excel === true;
  const neutralise = values['no-neutralise'] !== true;
  if (format === 'ndjson') {
    const csvOnly = [columnsOption !== undefined && '--columns', excel && '--excel', !neutralise && '--no-neutralise'].filter(Boolean);
    if (csvOnly.length) throw new UsageError(`${csvOnly.join(', ')} only apply to CSV (NDJSON documents always hold every field)`);
  }
  const timeZone = timeZoneOption(values) ?? localTimeZone();
  const json = values.json === true;
  if (json && out === '-') throw new UsageError('--json prints a summary on stdout, which --out - uses for the rows');
  return {
    kind: kind as QueryKind,
    query: stringOption(values, 'query') ?? '',
    format,
    columns: format === 'csv' ? parseColumns(kind as QueryKind, columnsOption) : [],
    excel,
    neutralise,
    timeZone,
    out,
    json,
  };
}

function parseColumns(kind: QueryKind, option: string | undefined): ColumnDef[] {
  if (option?.trim() === 'all') return [...COLUMNS[kind]];
  const names = option === undefined ? DEFAULT_VISIBLE[kind] : option.split(',').map((n) => n.trim()).filter(Boolean);
  if (!names.length) throw new UsageError('--columns needs at least one column name');
  const unknown = names.filter((n) => !columnDef(kind, n));
  if (unknown.length) {
    throw new UsageError(`unknown ${kind} column${unknown.length > 1 ? 's' : ''} ${unknown.join(', ')}; valid: ${COLUMNS[kind].map((c) => c.name).join(', ')}`);
  }
  return names.map((n) => columnDef(kind, n)!);
}

export async function runExport(db: Db, req: ExportRequest): Promise<number> {
  const target: ExportTarget = req.out === '-' ? process.stdout : req.out;
  const where = req.out === '-' ? 'stdout' : req.out;
  const bar = progressBar();
  const controller = new AbortController();
  const cancel = () => controller.abort(new Error('cancelled'));
  process.once('SIGINT', cancel);
  const t0 = performance.now();
  let result: ExportResult;
  try {
    const queryOptions = { timeZone: req.timeZone };
    // Counting costs a second pass over the matches: only worth it when a progress bar shows it.
    const total = process.stderr.isTTY ? countRows(db, req.kind, req.query, queryOptions) : 0;
    const progress = { signal: controller.signal, onProgress: (rows: number) => bar.update(rows, total, `${formatCount(rows)} rows`) };
    const prepared = prepareExport(db, {
      kind: req.kind,
      query: req.query,
      format: req.format,
      columns: req.columns.map((c) => c.name),
      excel: req.excel,
      neutralise: req.neutralise,
      timeZone: req.timeZone,
    }, { threads: {} });
    result = await prepared.write(target, progress);
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw new UsageError(querySyntaxMessage(req.query, err));
    // The database's fault (damage, an I/O error reading it), not the target's: main names the file and what to do.
    if (isStorageFailure(err)) throw err;
    if (controller.signal.aborted) {
      process.stderr.write(`xferlens: export cancelled; ${where} was not written\n`);
      return 130;
    }
    // A reader that stops early (`| head`) is not an error of the export.
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    const fault = describeFileSystemFault(err, where);
    process.stderr.write(`xferlens: ${fault ? `cannot export: ${fault}` : `cannot export to ${where}: ${(err as Error).message}`}\n`);
    return 1;
  } finally {
    bar.done();
    process.off('SIGINT', cancel);
  }
  const ms = Math.round(performance.now() - t0);
  process.stderr.write(`exported ${formatCount(result.rows)} rows to ${where} (${formatBytes(result.bytes)}, ${formatCount(ms)} ms)\n`);
  if (req.json) process.stdout.write(JSON.stringify({ rows: result.rows, bytes: result.bytes, file: req.out, format: req.format, ms }) + '\n');
  return 0;
}
