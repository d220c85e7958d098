/**
 * UTC ISO 8601 with milliseconds (`2026-01-02T03:04:05.000Z`), as `Date#toISOString` writes it but
 * much faster: exports format one timestamp per row, and consecutive rows share their day and
 * mostly their second (log lines have whole seconds), so the date part is computed once per day, the
 * time of day by arithmetic once per second, and the same instant twice in a row is one string.
 */

import { zoneOffsetMs } from '../time.js';

const DAY_MS = 86_400_000;
/** Year 10000: beyond it toISOString writes an expanded `+010000-…` year; leave those to it. */
const FAST_LIMIT_MS = 253_402_300_800_000;

let cachedDay = NaN;
let cachedDayPrefix = '';
/** `YYYY-MM-DDTHH:MM:SS.` of the last second formatted. */
let cachedSecond = NaN;
let cachedSecondPrefix = '';
let lastMs = NaN;
let lastIso = '';

const pad2 = (n: number) => (n < 10 ? '0' + n : '' + n);
const pad3 = (n: number) => (n < 10 ? '00' + n : n < 100 ? '0' + n : '' + n);

/**
 * ISO 8601 with milliseconds in `timeZone`, with its offset (`2026-01-02T04:04:05.000+01:00`): the
 * wall time a person in that zone reads, and still one instant. UTC ends in `Z`.
 */
export function isoInZone(ms: number, timeZone: string): string | undefined {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC' || !Number.isFinite(ms)) return isoUtc(ms);
  const offset = zoneOffsetMs(timeZone, ms);
  const wall = isoUtc(ms + offset);
  if (wall === undefined || offset === 0) return wall;
  const abs = Math.abs(offset) / 60_000;
  return `${wall.slice(0, -1)}${offset < 0 ? '-' : '+'}${pad2(Math.floor(abs / 60))}:${pad2(abs % 60)}`;
}

/** The ISO string of an epoch-ms instant; undefined when it is not a representable time. */
export function isoUtc(ms: number): string | undefined {
  if (!Number.isFinite(ms)) return undefined;
  if (ms < 0 || ms >= FAST_LIMIT_MS || !Number.isInteger(ms)) {
    const date = new Date(ms);
    return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
  }
  if (ms === lastMs) return lastIso;
  const second = Math.floor(ms / 1000);
  if (second !== cachedSecond) {
    const day = Math.floor(ms / DAY_MS);
    if (day !== cachedDay) {
      cachedDay = day;
      cachedDayPrefix = new Date(day * DAY_MS).toISOString().slice(0, 11);
    }
    let rest = second - day * (DAY_MS / 1000);
    const hours = Math.floor(rest / 3600);
    rest -= hours * 3600;
    const minutes = Math.floor(rest / 60);
    cachedSecond = second;
    cachedSecondPrefix = cachedDayPrefix + pad2(hours) + ':' + pad2(minutes) + ':' + pad2(rest - minutes * 60) + '.';
  }
  lastMs = ms;
  lastIso = cachedSecondPrefix + pad3(ms - second * 1000) + 'Z';
  return lastIso;
}
