/**
 * The benchmark's printed tables: one row per figure with its value, its target, the ratio the target
 * bounds and pass/FAIL (issue 12), and the per-table/index sizes of the database.
 */
import type { DbSizes } from './db-size.js';

export interface Row {
  figure: string;
  value: string;
  target: string;
  ratio: string;
  result: string;
}

const count = (n: number) => n.toLocaleString('en-US');
export const ms = (n: number) => `${count(Math.round(n))} ms`;
/** Bytes in MB (kB under 1 MB). */
export const size = (bytes: number) => (bytes < 1e6 ? `${(bytes / 1e3).toFixed(1)} kB` : `${(bytes / 1e6).toFixed(1)} MB`);
const times = (r: number) => `${r < 0.1 ? r.toFixed(3) : r.toFixed(2)}x`;

function verdict(ratio: number, max: number, stretch?: number): string {
  if (ratio > max) return 'FAIL';
  return stretch !== undefined && ratio <= stretch ? 'pass (stretch too)' : 'pass';
}

/** A figure bounded relative to a reference (`ratio` = figure / reference): `≤ max× of` (stretch: `≤ stretch×`). */
export function relativeRow(figure: string, value: string, ratio: number, of: string, max: number, stretch?: number): Row {
  const bound = (x: number) => (Number.isInteger(x) ? x.toFixed(1) : String(x));
  const target = `<= ${bound(max)}x ${of}${stretch !== undefined ? ` (stretch <= ${bound(stretch)}x)` : ''}`;
  return { figure, value, target, ratio: `${times(ratio)} ${of}`, result: verdict(ratio, max, stretch) };
}

/** A figure with an absolute bound, e.g. 20 ms or 300 MB: the ratio is figure / bound. */
export function limitRow(figure: string, measured: number, limit: number, unit: string, detail = ''): Row {
  const show = (n: number) => `${count(n)} ${unit}`;
  return { figure, value: show(measured) + (detail && ` (${detail})`), target: `<= ${show(limit)}`, ratio: times(measured / limit), result: verdict(measured / limit, 1) };
}

/** A figure without a target of its own. */
export function infoRow(figure: string, value: string, target = '-', ratio = '-'): Row {
  return { figure, value, target, ratio, result: '-' };
}

export function formatTable(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

export function formatRows(rows: readonly Row[]): string {
  return formatTable(['figure', 'value', 'target', 'ratio', 'result'], rows.map((r) => [r.figure, r.value, r.target, r.ratio, r.result]));
}

/** Each table and index (dbstat), largest first, with its share of the database and its size against the log. */
export function formatSizes(title: string, sizes: DbSizes, logBytes: number): string {
  if (!sizes.objects) return `${title}: dbstat is not available in this SQLite (${sizes.dbstatMissing})\n`;
  const rows = sizes.objects.map((o) => [o.name, o.type, size(o.bytes), `${((100 * o.bytes) / sizes.bytes).toFixed(1)} %`, times(o.bytes / logBytes)]);
  rows.push(['(free pages)', '-', size(sizes.freeBytes), `${((100 * sizes.freeBytes) / sizes.bytes).toFixed(1)} %`, times(sizes.freeBytes / logBytes)]);
  if (sizes.walBytes) rows.push(['(WAL file)', '-', size(sizes.walBytes), `${((100 * sizes.walBytes) / sizes.bytes).toFixed(1)} %`, times(sizes.walBytes / logBytes)]);
  return `${title}\n` + formatTable(['table/index', 'type', 'size', 'of db', 'x log'], rows);
}
