/**
 * A report as a file: read (report.ts), rendered as HTML (html.ts), printed to PDF when asked
 * (pdf.ts, or the desktop app's printer), and written as `FILE.partial` renamed when complete.
 */
import { writeDocument, type ExportTarget } from '../export/output.js';
import type { Db } from '../store/db.js';
import { renderReportHtml } from './html.js';
import type { PdfPrinter } from './pdf.js';
import { buildReport, REPORT_STEPS, type BuildOptions } from './report.js';
import type { PaperSize, ReportData, ReportFormat, ReportProgress, ReportRequest } from './report-types.js';

export interface MakeReportOptions extends BuildOptions {
  format: ReportFormat;
  /** PDF paper (default A4). */
  paper?: PaperSize;
  /** Needed for PDF. */
  printer?: PdfPrinter;
  signal?: AbortSignal;
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
  const data = buildReport(db, req, { ...opts, onProgress });
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
