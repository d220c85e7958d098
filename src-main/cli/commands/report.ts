import { parseInstant } from '../../core/query/fields.js';
import { QuerySyntaxError } from '../../core/query/index.js';
import { writeReport } from '../../core/report/make.js';
import { chromiumPrinter, NoChromiumError } from '../../core/report/pdf.js';
import { DEFAULT_MAX_TRANSFERS, MAX_TRANSFERS } from '../../core/report/report.js';
import type { PaperSize, ReportFormat, ReportRequest } from '../../core/report/report-types.js';
import { isStorageFailure, type Db } from '../../core/store/db.js';
import { describeFileSystemFault } from '../../core/store/faults.js';
import { localTimeZone } from '../../core/time.js';
import { noArguments, stringOption, timeZoneOption, type CommandRun, type OptionValues } from '../command.js';
import { formatBytes, formatCount, progressBar, querySyntaxMessage, UsageError } from '../output.js';

interface ReportCommand {
  request: ReportRequest;
  format: ReportFormat;
  paper: PaperSize;
  out: string;
  json: boolean;
}

export const runReportCommand: CommandRun = ({ values, args, withDb }) => {
  noArguments('report', args);
  const cmd = parseReportOptions(values, Date.now());
  return withDb((db) => runReport(db, cmd));
};

function parseReportOptions(values: OptionValues, now: number): ReportCommand {
  const out = stringOption(values, 'out');
  if (!out) throw new UsageError('report needs --out FILE (.html or .pdf; - for stdout)');
  const format = stringOption(values, 'format') ?? (/\.pdf$/i.test(out) ? 'pdf' : 'html');
  if (format !== 'html' && format !== 'pdf') throw new UsageError(`--format must be html or pdf (got ${format})`);
  const paper = (stringOption(values, 'paper') ?? 'a4').toLowerCase();
  if (paper !== 'a4' && paper !== 'letter') throw new UsageError(`--paper must be a4 or letter (got ${paper})`);
  if (format === 'html' && stringOption(values, 'paper') !== undefined) throw new UsageError('--paper applies to PDF only (an HTML report prints on the paper the browser is set to)');
  const timeZone = timeZoneOption(values) ?? localTimeZone();
  const instant = (name: 'from' | 'to'): number | undefined => {
    const text = stringOption(values, name);
    if (text === undefined) return undefined;
    const ms = parseInstant(text, { now, timeZone });
    if (ms === undefined) throw new UsageError(`--${name} wants a date or time such as 2026-01-31, 2026-01-31T08:00, 7d or yesterday (got ${text})`);
    return ms;
  };
  const from = instant('from'), to = instant('to');
  if (from !== undefined && to !== undefined && from >= to) throw new UsageError('--from must be before --to');
  const maxText = stringOption(values, 'max-transfers');
  const maxTransfers = maxText === undefined ? DEFAULT_MAX_TRANSFERS : Number(maxText);
  if (!/^\d+$/.test(maxText ?? '1') || maxTransfers < 1 || maxTransfers > MAX_TRANSFERS) throw new UsageError(`--max-transfers wants a whole number from 1 to ${MAX_TRANSFERS} (got ${maxText})`);
  const json = values.json === true;
  if (json && out === '-') throw new UsageError('--json prints a summary on stdout, which --out - uses for the report');
  const title = stringOption(values, 'title');
  if (title !== undefined && title.length > 200) throw new UsageError('--title is at most 200 characters');
  return {
    request: { query: stringOption(values, 'query') ?? '', timeZone, maxTransfers, ...(from !== undefined ? { from } : {}), ...(to !== undefined ? { to } : {}), ...(title !== undefined ? { title } : {}) },
    format,
    paper,
    out,
    json,
  };
}

async function runReport(db: Db, cmd: ReportCommand): Promise<number> {
  const where = cmd.out === '-' ? 'stdout' : cmd.out;
  const bar = progressBar();
  const controller = new AbortController();
  const cancel = () => controller.abort(new Error('cancelled'));
  process.once('SIGINT', cancel);
  const t0 = performance.now();
  let made;
  try {
    made = await writeReport(db, cmd.request, cmd.out === '-' ? process.stdout : cmd.out, {
      format: cmd.format,
      paper: cmd.paper,
      printer: chromiumPrinter(),
      signal: controller.signal,
      onProgress: (p) => bar.update(p.step, p.steps, p.label),
    });
  } catch (err) {
    if (err instanceof QuerySyntaxError) throw new UsageError(querySyntaxMessage(cmd.request.query, err));
    if (isStorageFailure(err)) throw err;
    if (err instanceof NoChromiumError) {
      process.stderr.write(`xferlens: ${err.message}\n`);
      return 1;
    }
    if (controller.signal.aborted) {
      process.stderr.write(`xferlens: report cancelled; ${where} was not written\n`);
      return 130;
    }
    if ((err as NodeJS.ErrnoException).code === 'EPIPE') return 0;
    const fault = describeFileSystemFault(err, where);
    process.stderr.write(`xferlens: ${fault ? `cannot write the report: ${fault}` : `cannot write the report to ${where}: ${(err as Error).message}`}\n`);
    return 1;
  } finally {
    bar.done();
    process.off('SIGINT', cancel);
  }
  const ms = Math.round(performance.now() - t0);
  const transfers = 'total' in made.data.transfers ? made.data.transfers : null;
  process.stderr.write(`wrote the ${cmd.format.toUpperCase()} report to ${where} (${formatBytes(made.bytes)}, ${transfers ? `${formatCount(transfers.rows.length)} of ${formatCount(transfers.total)} transfers listed, ` : ''}${formatCount(ms)} ms)\n`);
  if (cmd.json) {
    const figures = Object.fromEntries(made.data.figures.map((f) => [f.id, f.bytes === undefined ? f.count : { count: f.count, bytes: f.bytes }]));
    process.stdout.write(JSON.stringify({ file: cmd.out, format: cmd.format, bytes: made.bytes, ms, query: made.data.scopeQuery, period: made.data.period, figures }) + '\n');
  }
  return 0;
}
