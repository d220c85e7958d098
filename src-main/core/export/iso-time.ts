/**
 * UTC ISO 8601 with milliseconds (`2026-01-02T03:04:05.000Z`), as `Date#toISOString` writes it but
 * about five times faster: exports format one timestamp per row, and rows of one day share the
 * date part, so it is computed once per day and the time of day by arithmetic.
 */

const DAY_MS = 86_400_000;
/** Year 10000: beyond it toISOString writes an expanded `+010000-…` year; leave those to it. */
const FAST_LIMIT_MS = 253_402_300_800_000;

let cachedDay = NaN;
let cachedDayPrefix = '';

const pad2 = (n: number) => (n < 10 ? '0' + n : '' + n);
const pad3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n);

/** The ISO string of an epoch-ms instant; undefined when it is not a representable time. */
export function isoUtc(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  if (ms < 0 || ms >= FAST_LIMIT_MS || !Number.isInteger(ms)) {
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  const day = Math.floor(ms / DAY_MS);
  if (day !== cachedDay) {
    cachedDay = day;
    cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
  }
  let rest = ms - day * DAY_MS;
  const hours = Math.floor(rest / 3_600_000);
  rest -= hours * 3_600_000;
  const minutes = Math.floor(rest / 60_000);
  rest -= minutes * 60_000;
  const seconds = Math.floor(rest / 1000);
  return cachedDayPrefix + pad2(hours) + ':' + pad2(minutes) + ':' + pad2(seconds) + '.' + pad3(rest - seconds * 1000) + 'Z';
}
