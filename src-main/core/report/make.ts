/**
 * A report as a file: read (report.ts), rendered as HTML (html.ts), printed to PDF when asked
 * (pdf.ts, or the desktop app's printer), and written as `FILE.partial` renamed when complete.
 */
import { INSIGHTS_THREAD_MIN_EVENTS, insightsInThread, insightsThreadAvailable } from '../analysis/insights-thread.js';
import { writeDocument, type ExportTarget } from '../export/output.js';
import type { Db } from '../store/db.js';
import { renderReportHtml } from './html.js';
import type { PdfPrinter } from './pdf.js';
import { countRows, timeSpan } from '../query/index.js';
import { INSIGHT_IDS, type InsightId } from '../analysis/insights.js';
import { buildReport, checkReportRequest, periodInsights, reportPeriod, REPORT_STEPS, type BuildOptions } from './report.js';
import type { PaperSize, ReportData, ReportFormat, ReportProgress, ReportRequest } from './report-types.js';

export interface MakeReportOptions extends BuildOptions {
  format: ReportFormat;
  /** PDF paper (default A4). */
  paper?: PaperSize;
  /** Needed for PDF. */
  printer?: PdfPrinter;
  signal?: AbortSignal;
  /** How the insights may be read on another thread. */
  threads?: ReportThreads;
}

export interface ReportThreads {
  /** The Electron build of better-sqlite3 (see electron/launch.ts), for the insights worker's connection. */
  nativeBinding?: string;
  /** Events over the period from which a worker reads some insights (default INSIGHTS_THREAD_MIN_EVENTS). */
  minEvents?: number;
}

export interface MadeReport {
  data: ReportData;
  document: string | Buffer;
}

/** Reads the report and renders it; PDF adds one progress step, the printing. */
export async function makeReport(db: Db, req: ReportRequest, opts: MakeReportOptions): Promise<MadeReport> {
  const pdf = opts.format === 'pdf';
  if (pdf && !opts.printer) throw new Error('a PDF report needs a printer');
  const onProgress = (p: ReportProgress) => opts.onProgress?.(pdf ? { ...p, steps: p.steps + 1, label: p.step === p.steps ? 'printing the PDF' : p.label } : p);
  const data = await readReport(db, req, { ...opts, onProgress });
  opts.signal?.throwIfAborted();
  const html = renderReportHtml(data);
  if (!pdf) return { data, document: html };
  const document = await opts.printer!(html, { paper: opts.paper ?? 'a4' });
  opts.signal?.throwIfAborted();
  opts.onProgress?.({ step: REPORT_STEPS + 1, steps: REPORT_STEPS + 1, label: 'done' });
  return { data, document };
}

/** Makes the report and writes it to a file (atomically) or a stream; answers its size and data. */
export async function writeReport(db: Db, req: ReportRequest, out: ExportTarget, opts: MakeReportOptions): Promise<{ bytes: number; data: ReportData }> {
  const { data, document } = await makeReport(db, req, opts);
  return { bytes: await writeDocument(out, document, opts.signal), data };
}

/**
 * The insights the worker reads; the calling thread reads the others after the rest of the report.
 * 10M EFT lines, the rest of a report of everything 2.3 s, these 2.9 s, the others 1.1 s.
 */
const WORKER_INSIGHTS: InsightId[] = ['failed-login-bursts', 'attacked-accounts', 'new-clients'];

/**
 * buildReport, some of its insights read by a worker on the other core meanwhile (where one can
 * run, and the period holds many events): 10M EFT lines, a report of everything (HTML) 5.4–5.7 →
 * 4.3–5.2 s in one hour's runs.
 */
async function readReport(db: Db, req: ReportRequest, opts: MakeReportOptions) {
  const now = opts.now ?? Date.now();
  const qopts = { now, timeZone: req.timeZone };
  if (!insightsThreadAvailable(db)) return buildReport(db, req, { ...opts, now });
  checkReportRequest(db, req, qopts); // a mistake is pointed at in the search before any thread starts
  const period = reportPeriod(db, req, qopts);
  if (period.from === null || period.to === null || eventsAbout(db, { from: period.from, to: period.to }, qopts) < (opts.threads?.minEvents ?? INSIGHTS_THREAD_MIN_EVENTS)) {
    return buildReport(db, req, { ...opts, now });
  }
  const worker = insightsInThread(db, { from: period.from, to: period.to - 1, ids: WORKER_INSIGHTS }, {
    ...(opts.threads?.nativeBinding ? { nativeBinding: opts.threads.nativeBinding } : {}), ...(opts.signal ? { signal: opts.signal } : {}),
  });
  try {
    const data = buildReport(db, req, { ...opts, now, insightsElsewhere: true });
    const here = periodInsights(db, period, INSIGHT_IDS.filter((id) => !WORKER_INSIGHTS.includes(id)));
    const fired = [...here, ...(await worker.insights).filter((i) => i.findings.length)];
    data.insights = INSIGHT_IDS.flatMap((id) => fired.filter((i) => i.id === id));
    opts.onProgress?.({ step: REPORT_STEPS, steps: REPORT_STEPS, label: 'done' });
    return data;
  } finally {
    await worker.stop();
  }
}

/**
 * About how many events the period holds: the database's, in the share of their time span it
 * covers (counting them would take as long as a small report).
 */
function eventsAbout(db: Db, period: { from: number; to: number }, qopts: { now: number; timeZone: string }): number {
  const total = countRows(db, 'events', '', qopts);
  const span = timeSpan(db, 'events', '', qopts);
  if (!span || span.last <= span.first) return total;
  const covered = Math.min(period.to, span.last + 1) - Math.max(period.from, span.first);
  return (total * Math.max(0, covered)) / (span.last + 1 - span.first);
}
