import { monthFromName, parseClfTime, partsToUtc, syslogYear, zonedPartsToUtc, type DateParts } from '../time.js';

/**
 * The time a line that no format understood carries in a common shape, so that it sorts into its
 * place in the timeline rather than after whatever came before it:
 *   ISO 8601 / RFC 3339  `2026-11-23T18:51:02.079+01:00`, `2026-11-23 18:51:02,079` (no offset: local)
 *   CLF                  `[23/Nov/2026:18:51:03 +0000]`
 *   syslog / ctime       `Nov 23 18:51:02` (year from the file date), `Mon Nov 23 18:51:02 2026`
 *   US / European        `11/23/2026 6:51:02 PM` (month first with `/` unless the first number is a
 *                        day above 12), `23.11.2026 18:51:02` (day first with `.` or `-`)
 * The earliest such time in the line wins. Local times are converted with the source's zone.
 */

export interface LineTime {
  ts: number;
  /** The line wrote local time (converted with the zone). */
  local: boolean;
}

interface Found extends LineTime {
  index: number;
}

const ISO = /\b(\d{4})-(\d\d)-(\d\d)[T ](\d\d):(\d\d):(\d\d)(?:[.,](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?/;
const CLF = /\[(\d\d\/[A-Za-z]{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]/;
const SYSLOG = /\b([A-Z][a-z]{2}) {1,2}(\d{1,2}) (\d\d):(\d\d):(\d\d)(?: (\d{4})\b)?/;
const NUMERIC = /\b(\d{1,2})([/.-])(\d{1,2})\2(\d{4}),? (\d{1,2}):(\d\d):(\d\d)(?: ?([AaPp][Mm])\b)?/;

function fraction(digits: string | undefined): number {
  return digits ? Math.floor(Number(`0.${digits}`) * 1000) : 0;
}

function offsetMs(zone: string): number {
  if (zone === 'Z') return 0;
  const sign = zone[0] === '-' ? -1 : 1;
  const d = zone.slice(1).replace(':', '');
  return sign * (Number(d.slice(0, 2)) * 60 + Number(d.slice(2, 4))) * 60_000;
}

function local(parts: DateParts, timeZone: string, index: number): Found | undefined {
  const ts = zonedPartsToUtc(parts, timeZone);
  return ts === undefined ? undefined : { ts, local: true, index };
}

function isoTime(line: string, timeZone: string): Found | undefined {
  const m = ISO.exec(line);
  if (!m) return undefined;
  const parts: DateParts = { year: +m[1]!, month: +m[2]!, day: +m[3]!, hour: +m[4]!, minute: +m[5]!, second: +m[6]!, ms: fraction(m[7]) };
  if (!m[8]) return local(parts, timeZone, m.index);
  const utc = partsToUtc(parts);
  return utc === undefined ? undefined : { ts: utc - offsetMs(m[8]), local: false, index: m.index };
}

function clfTime(line: string): Found | undefined {
  const m = CLF.exec(line);
  const ts = m ? parseClfTime(m[1]!) : undefined;
  return ts === undefined ? undefined : { ts, local: false, index: m!.index };
}

function syslogTime(line: string, timeZone: string, fileMtimeMs: number): Found | undefined {
  const m = SYSLOG.exec(line);
  const month = m && monthFromName(m[1]!);
  if (!m || !month) return undefined;
  const day = +m[2]!;
  const year = m[6] ? +m[6] : syslogYear(month, day, fileMtimeMs).year;
  return local({ year, month, day, hour: +m[3]!, minute: +m[4]!, second: +m[5]!, ms: 0 }, timeZone, m.index);
}

function numericTime(line: string, timeZone: string): Found | undefined {
  const m = NUMERIC.exec(line);
  if (!m) return undefined;
  const [a, b] = [+m[1]!, +m[3]!];
  const monthFirst = m[2] === '/' && a <= 12;
  let hour = +m[5]!;
  const marker = m[8]?.toLowerCase();
  // `15:51:17 PM`: a 24-hour clock with a PM marker (FileZilla 0.9 on some systems) is the afternoon already.
  if (marker && !(marker === 'pm' && hour > 12)) {
    if (hour < 1 || hour > 12) return undefined;
    hour = (hour % 12) + (marker === 'pm' ? 12 : 0);
  }
  const parts: DateParts = { year: +m[4]!, month: monthFirst ? a : b, day: monthFirst ? b : a, hour, minute: +m[6]!, second: +m[7]!, ms: 0 };
  if (parts.month < 1 || parts.month > 12 || parts.day < 1 || parts.day > 31 || parts.hour > 23) return undefined;
  return local(parts, timeZone, m.index);
}

export function timeInText(line: string, ctx: { timeZone: string; fileMtimeMs: number }): LineTime | undefined {
  let best: Found | undefined;
  for (const found of [isoTime(line, ctx.timeZone), clfTime(line), syslogTime(line, ctx.timeZone, ctx.fileMtimeMs), numericTime(line, ctx.timeZone)]) {
    if (found && (!best || found.index < best.index)) best = found;
  }
  return best && { ts: best.ts, local: best.local };
}
