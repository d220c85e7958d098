/** Terminal output helpers shared by the CLI commands. */

export class UsageError extends Error {}

/** One formatter for every call: toLocaleString builds its own each time (~50 µs, per progress update). */
let countFormat: Intl.NumberFormat | undefined;

/** 1,234,567 (en-US). */
export function formatCount(n: number): string {
  // Whole numbers, nearly every call, without Intl: a process's first Intl formatter costs ~25 ms
  // (ICU's data), which a quick `xferlens search` printing "50 of 1,234" would pay for a comma.
  if (Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
  return (countFormat ??= new Intl.NumberFormat('en-US')).format(n);
}

export { formatBytes } from '../core/bytes.js';

export function isoOrDash(ms: number | null | undefined): string {
  return ms === null || ms === undefined ? '-' : new Date(ms).toISOString().replace('.000Z', 'Z');
}

/** A plain text table: header row, left-aligned columns, two spaces between. */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
  return [line(header), ...rows.map(line)].join('\n') + '\n';
}

/** A one-line progress bar on stderr, redrawn in place; only when stderr is a terminal. */
export function progressBar(stream: NodeJS.WriteStream = process.stderr) {
  if (!stream.isTTY) return { update: (_: number, __: number, ___?: string) => {}, done: () => {} };
  let last = 0;
  return {
    update(done: number, total: number, label = '') {
      const now = Date.now();
      if (now - last < 100) return;
      last = now;
      const width = 30;
      const frac = total > 0 ? Math.min(1, done / total) : 0;
      const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
      const text = `[${bar}] ${(frac * 100).toFixed(0).padStart(3)}% ${label}`;
      stream.write('\r' + text.slice(0, (stream.columns || 80) - 1).padEnd((stream.columns || 80) - 1));
    },
    done() {
      stream.write('\r' + ' '.repeat((stream.columns || 80) - 1) + '\r');
    },
  };
}
