/**
 * Timestamp helpers for the parsers' hot loops. Logs carry a handful of fixed layouts, so digits are
 * read by position (no regex, no Date string parsing per line). Zone offsets come from Intl (the
 * platform's tz database) and are cached per zone and hour, which keeps local-time formats as fast
 * as UTC ones.
 */

const MONTHS_EN = ['jan', 'feb', 'mar', 'apr', 'may', 'jun', 'jul', 'aug', 'sep', 'oct', 'nov', 'dec'];

/**
 * Month abbreviations seen in localised syslog-style dates (ProFTPD before 1.3.6 used the C
 * library's locale). Keys are lower-case without the trailing dot; values are 1..12.
 */
const MONTH_NAMES: Map<string, number> = new Map([
  ...MONTHS_EN.map((m, i) => [m, i + 1] as const),
  // French
  ['janv', 1], ['févr', 2], ['fevr', 2], ['mars', 3], ['avr', 4], ['mai', 5], ['juin', 6], ['juil', 7],
  ['août', 8], ['aout', 8], ['sept', 9], ['déc', 12],
  // German
  ['mär', 3], ['mrz', 3], ['okt', 10], ['dez', 12],
  // Spanish / Italian / Portuguese
  ['ene', 1], ['abr', 4], ['ago', 8], ['dic', 12], ['gen', 1], ['mag', 5], ['giu', 6], ['lug', 7],
  ['set', 9], ['ott', 10], ['fev', 2], ['out', 10], ['dez', 12],
  // Dutch
  ['mrt', 3], ['mei', 5],
]);

/** 1..12 for an English or common localised month abbreviation (case-insensitive, dot optional). */
export function monthFromName(name: string): number | undefined {
  const key = name.toLowerCase().replace(/\.$/, '');
  return MONTH_NAMES.get(key) ?? MONTH_NAMES.get(key.slice(0, 3));
}

/** Reads `len` ASCII digits at `pos`; NaN if any is not a digit. */
export function digits(s: string, pos: number, len: number): number {
  let n = 0;
  for (let i = pos; i < pos + len; i++) {
    const c = s.charCodeAt(i) - 48;
    if (c < 0 || c > 9) return NaN;
    n = n * 10 + c;
  }
  return n;
}

export interface DateParts {
  year: number;
  month: number; // 1..12
  day: number;
  hour: number;
  minute: number;
  second: number;
  ms: number;
}

function validParts(p: DateParts): boolean {
  return (
    p.month >= 1 && p.month <= 12 && p.day >= 1 && p.day <= 31 && p.hour >= 0 && p.hour <= 24 &&
    p.minute >= 0 && p.minute <= 59 && p.second >= 0 && p.second <= 60 && p.ms >= 0 && p.ms <= 999 &&
    p.year >= 1970 && p.year <= 9999
  );
}

/** Parts as if they were UTC; undefined when out of range. */
export function partsToUtc(p: DateParts): number | undefined {
  if (!validParts(p)) return undefined;
  return Date.UTC(p.year, p.month - 1, p.day, p.hour, p.minute, p.second, p.ms);
}

const offsetFormatters = new Map<string, Intl.DateTimeFormat>();
const offsetCache = new Map<string, number>();

function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let f = offsetFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric', month: 'numeric', day: 'numeric', hour: 'numeric', minute: 'numeric', second: 'numeric',
    });
    offsetFormatters.set(timeZone, f);
  }
  return f;
}

/** Throws a clear error for an unknown IANA zone name. */
export function assertTimeZone(timeZone: string): void {
  try {
    formatterFor(timeZone);
  } catch {
    throw new Error(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Paris, or UTC)`);
  }
}

/** The zone's offset from UTC in ms at the given instant (positive east of Greenwich). */
export function zoneOffsetMs(timeZone: string, utcMs: number): number {
  if (timeZone === 'UTC' || timeZone === 'Etc/UTC') return 0;
  // Offsets change on hour boundaries (a few zones use :30/:45, still aligned to 15 minutes).
  const bucket = Math.floor(utcMs / 900_000);
  const key = timeZone + '|' + bucket;
  const cached = offsetCache.get(key);
  if (cached !== undefined) return cached;
  const parts = formatterFor(timeZone).formatToParts(new Date(bucket * 900_000));
  const get = (t: string) => Number(parts.find((x) => x.type === t)?.value);
  const asUtc = Date.UTC(get('year'), get('month') - 1, get('day'), get('hour') % 24, get('minute'), get('second'));
  const offset = asUtc - bucket * 900_000;
  if (offsetCache.size > 100_000) offsetCache.clear();
  offsetCache.set(key, offset);
  return offset;
}

/** Local wall-clock parts in `timeZone` to UTC ms (DST gaps resolve forward, overlaps to the first). */
export function zonedPartsToUtc(p: DateParts, timeZone: string): number | undefined {
  const wall = partsToUtc(p);
  if (wall === undefined) return undefined;
  const first = wall - zoneOffsetMs(timeZone, wall);
  const second = wall - zoneOffsetMs(timeZone, first);
  return first === second ? first : Math.min(first, second);
}

/** How long localTimeZone's answer stands (the system's zone may change while the app runs). */
const LOCAL_ZONE_MS = 10_000;

/** The zone localTimeZone answered last, when, and for which TZ. */
let localZone: { tz: string | undefined; at: number; zone: string } | undefined;

/**
 * This machine's IANA zone, asked again when TZ changes (Node follows a change of process.env.TZ)
 * and after LOCAL_ZONE_MS: making the formatter that tells it took 0.7 ms, once per file of a
 * folder of daily logs.
 */
export function localTimeZone(): string {
  const tz = process.env.TZ;
  const now = Date.now();
  if (!localZone || localZone.tz !== tz || now - localZone.at > LOCAL_ZONE_MS) {
    localZone = { tz, at: now, zone: Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC' };
  }
  return localZone.zone;
}

/**
 * `YYYY-MM-DD` at `dPos` and `HH:MM:SS` at `tPos` (optional `.mmm`/`,mmm` after the seconds).
 * Returns parts or undefined when the layout does not match.
 */
export function isoParts(date: string, dPos: number, time: string, tPos: number): DateParts | undefined {
  if (date.charCodeAt(dPos + 4) !== 45 || date.charCodeAt(dPos + 7) !== 45) return undefined;
  if (time.charCodeAt(tPos + 2) !== 58 || time.charCodeAt(tPos + 5) !== 58) return undefined;
  const p: DateParts = {
    year: digits(date, dPos, 4), month: digits(date, dPos + 5, 2), day: digits(date, dPos + 8, 2),
    hour: digits(time, tPos, 2), minute: digits(time, tPos + 3, 2), second: digits(time, tPos + 6, 2), ms: 0,
  };
  const sep = time.charCodeAt(tPos + 8);
  if (sep === 46 || sep === 44) {
    const ms = digits(time, tPos + 9, 3);
    if (!Number.isNaN(ms)) p.ms = ms;
  }
  return Number.isNaN(p.year + p.month + p.day + p.hour + p.minute + p.second) ? undefined : p;
}

/** `HH:MM:SS` at `pos` into hours/minutes/seconds; undefined if not that shape. */
export function clockParts(s: string, pos = 0): { hour: number; minute: number; second: number } | undefined {
  if (s.charCodeAt(pos + 2) !== 58 || s.charCodeAt(pos + 5) !== 58) return undefined;
  const hour = digits(s, pos, 2), minute = digits(s, pos + 3, 2), second = digits(s, pos + 6, 2);
  return Number.isNaN(hour + minute + second) ? undefined : { hour, minute, second };
}

/** A numeric UTC offset like `+0000`, `-0530` or `+05:30` into ms; undefined if malformed. */
export function parseUtcOffset(s: string): number | undefined {
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(s);
  if (!m) return undefined;
  const v = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return m[1] === '-' ? -v : v;
}

/**
 * Apache/NCSA `%t` body: `23/Nov/2026:18:51:03 +0000` (brackets already removed). Returns UTC ms.
 */
export function parseClfTime(s: string): number | undefined {
  // dd/Mon/yyyy:HH:MM:SS +zzzz
  const slash1 = s.indexOf('/');
  const slash2 = s.indexOf('/', slash1 + 1);
  const colon = s.indexOf(':', slash2 + 1);
  const space = s.indexOf(' ', colon + 1);
  if (slash1 < 1 || slash2 < 0 || colon < 0) return undefined;
  const month = monthFromName(s.slice(slash1 + 1, slash2));
  const clock = clockParts(s, colon + 1);
  if (!month || !clock) return undefined;
  const utc = partsToUtc({
    year: Number(s.slice(slash2 + 1, colon)), month, day: Number(s.slice(0, slash1)), ...clock, ms: 0,
  });
  if (utc === undefined) return undefined;
  const off = space < 0 ? 0 : parseUtcOffset(s.slice(space + 1).trim());
  return off === undefined ? undefined : utc - off;
}

/** A yearless date, and the index just after its time (the seconds or their fraction). */
export type SyslogDateParts = Omit<DateParts, 'year'> & { end: number };

/**
 * A syslog-style date without a year at the start of `s`: `Nov 23 18:51:02`, `Nov  3 18:51:02`
 * (space-padded day), `Nov 03 …`, an optional `.fraction` after the seconds, and localised month
 * abbreviations such as `juil. 28 16:42:17` (see monthFromName). Undefined when not that shape.
 */
export function syslogDateParts(s: string, pos = 0): SyslogDateParts | undefined {
  const sp = s.indexOf(' ', pos);
  if (sp - pos < 3 || sp - pos > 6) return undefined;
  const name = s.slice(pos, sp);
  // A month name holds no digits (this also keeps ISO dates and IP addresses out cheaply).
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    if (c >= 48 && c <= 57) return undefined;
  }
  const month = monthFromName(name);
  if (!month) return undefined;
  let p = sp + 1;
  if (s.charCodeAt(p) === 32) p++;
  let day = digits(s, p, 2);
  if (!Number.isNaN(day) && s.charCodeAt(p + 2) === 32) p += 3;
  else {
    day = digits(s, p, 1);
    if (Number.isNaN(day) || s.charCodeAt(p + 1) !== 32) return undefined;
    p += 2;
  }
  const clock = clockParts(s, p);
  if (!clock || day < 1 || day > 31 || clock.hour > 23 || clock.minute > 59 || clock.second > 60) return undefined;
  let end = p + 8;
  let ms = 0;
  if (s.charCodeAt(end) === 46) {
    let q = end + 1;
    while (q < s.length && s.charCodeAt(q) >= 48 && s.charCodeAt(q) <= 57) q++;
    if (q > end + 1) {
      ms = Math.floor(Number('0.' + s.slice(end + 1, q)) * 1000);
      end = q;
    }
  }
  return { month, day, ...clock, ms, end };
}

/** Which year a yearless date (syslog style) belongs to, carried from line to line in parser state. */
export interface YearCursor {
  year: number;
  month: number;
}

/**
 * The year of a syslog-style date, which carries none. The first date of a file takes the year of
 * the file's modification time, minus one when month/day fall after the mtime (a file last written
 * in January that starts in December). After that the cursor follows the file: a month that goes
 * backwards by more than half a year (December → January) moves to the next year, one that jumps
 * forwards as much (a late line from the previous December after January) to the previous year.
 * A day of slack absorbs the difference between the mtime (UTC) and the local dates in the file.
 */
export function syslogYear(month: number, day: number, fileMtimeMs: number, cursor?: YearCursor): YearCursor {
  if (cursor) {
    if (month < cursor.month - 6) return { year: cursor.year + 1, month };
    if (month > cursor.month + 6) return { year: cursor.year - 1, month };
    return { year: cursor.year, month };
  }
  const ref = fileMtimeMs > 0 ? fileMtimeMs : Date.now();
  const year = new Date(ref).getUTCFullYear();
  return { year: Date.UTC(year, month - 1, day) > ref + 86_400_000 ? year - 1 : year, month };
}
