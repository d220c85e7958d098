/** Display helpers (Intl: the user's locale for numbers; times in UTC or the user's zone, as chosen). */
import type { AppStatus, ColumnType } from '../src-main/api/contract.js';

const count = new Intl.NumberFormat();
const oneDecimal = new Intl.NumberFormat(undefined, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatCount = (n: number): string => count.format(n);
/**
 * An export's file name after what it holds: `xferlens-transfers-dir_upload-status_failed.csv`
 * (the query's words in ASCII, safe in any file system and HTTP header, short), or `xferlens-events-all.csv`.
 */
export function exportFileName(kind: string, query: string, ext: string): string {
  const words = query.replace(/[^A-Za-z0-9._@-]+/g, ' ').trim().split(/\s+/).filter(Boolean);
  let name = words.join('-').replace(/^[.-]+/, '');
  if (name.length > 60) name = name.slice(0, 60).replace(/[-.]+$/, '');
  return `xferlens-${kind}-${name || 'all'}.${ext}`;
}

/** `1 upload`, `2 uploads`, `1 failed login` (English plurals: `s`, or the form given). */
export const countOf = (n: number, one: string, many = `${one}s`): string => `${count.format(n)} ${n === 1 ? one : many}`;
const BYTE_UNITS = ['B', 'KB', 'MB', 'GB', 'TB'];

/** `1000 B`, `20.0 KB`, `1.5 GB`: 1024-based, as the CLI and the search language (`bytes:>10MB`) count. */
export function formatBytes(n: number): string {
  let v = n;
  let u = 0;
  while (Math.abs(v) >= 1024 && u < BYTE_UNITS.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? count.format(v) : oneDecimal.format(v)} ${BYTE_UNITS[u]}`;
}
export const formatTime = (ms: number | null): string => (ms === null ? '–' : dateTime.format(ms));
export const percent = (done: number, total: number): number => (total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0);

export type TimeDisplay = 'utc' | 'local';

/** The zone of this machine (what "local time" means in the UI). */
export const LOCAL_ZONE = Intl.DateTimeFormat().resolvedOptions().timeZone;

/** The zone times are shown in and dates typed in a query are read in. */
export const zoneOf = (display: TimeDisplay): string => (display === 'utc' ? 'UTC' : LOCAL_ZONE);

/** Always-visible label of the time display, e.g. "UTC" or "local (Europe/Paris)". */
export const timeDisplayLabel = (display: TimeDisplay): string => (display === 'utc' ? 'UTC' : `local, ${LOCAL_ZONE}`);

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** Calendar fields of `ms` in the display's zone (local = the browser's zone, as `Date` has it). */
function fields(ms: number, display: TimeDisplay) {
  const d = new Date(ms);
  return display === 'utc'
    ? { y: d.getUTCFullYear(), mo: d.getUTCMonth() + 1, d: d.getUTCDate(), h: d.getUTCHours(), mi: d.getUTCMinutes(), s: d.getUTCSeconds(), ms: d.getUTCMilliseconds() }
    : { y: d.getFullYear(), mo: d.getMonth() + 1, d: d.getDate(), h: d.getHours(), mi: d.getMinutes(), s: d.getSeconds(), ms: d.getMilliseconds() };
}

/** `2026-11-23 19:14:25` (with `.500` when `withMs`), in the display's zone: sortable, like a log. */
export function formatTs(ms: number | null | undefined, display: TimeDisplay, withMs = false): string {
  if (ms === null || ms === undefined) return '';
  const f = fields(ms, display);
  return `${f.y}-${pad(f.mo)}-${pad(f.d)} ${pad(f.h)}:${pad(f.mi)}:${pad(f.s)}${withMs ? `.${pad(f.ms, 3)}` : ''}`;
}

/** The value of an `<input type="datetime-local" step="1">` showing `ms` in the display's zone. */
export function toDateTimeInput(ms: number, display: TimeDisplay): string {
  return formatTs(ms, display).replace(' ', 'T');
}

/** Reads an `<input type="datetime-local">` value in the display's zone; null when empty or invalid. */
export function fromDateTimeInput(value: string, display: TimeDisplay): number | null {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?$/.test(value)) return null;
  const ms = display === 'utc' ? Date.parse(`${value}Z`) : new Date(value).getTime();
  return Number.isFinite(ms) ? ms : null;
}

/** A UTC ISO 8601 instant for the search language (`after:2026-11-23T19:14:25.500Z`). */
export const isoUtc = (ms: number): string => new Date(ms).toISOString();

/** `850 ms`, `4.2 s`, `3 min 5 s`, `2 h 10 min`, `3 d 4 h`. */
export function formatDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s < 10 ? s.toFixed(1) : Math.round(s)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.floor(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 24) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export const formatRate = (bytesPerSecond: number | null | undefined): string =>
  bytesPerSecond === null || bytesPerSecond === undefined ? '' : `${formatBytes(bytesPerSecond)}/s`;

/** A result cell as text, by its column type (times in the display's zone). */
export function formatCell(value: string | number | null | undefined, type: ColumnType, display: TimeDisplay, name = ''): string {
  if (value === null || value === undefined || value === '') return '';
  if (typeof value === 'string') return value;
  switch (type) {
    case 'time':
      return formatTs(value, display);
    case 'bytes':
      return formatBytes(value);
    case 'duration':
      return formatDuration(value);
    default:
      return name === 'rate_bps' ? formatRate(value) : String(value);
  }
}

/** What the window says while the back end opens the database (null once it is ready). */
export function startupText(status: AppStatus): string | null {
  switch (status.state) {
    case 'ready':
      return null;
    case 'starting':
      return 'Opening the database…';
    case 'upgrading': {
      const where = status.step > status.steps ? 'finishing' : `step ${status.step} of ${status.steps}`;
      return `Upgrading the database from schema ${status.from} to ${status.to} (${where})…`;
    }
  }
}
