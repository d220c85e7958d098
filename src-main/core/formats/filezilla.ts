import { digits, isoParts, partsToUtc, parseUtcOffset, zonedPartsToUtc, type DateParts } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, LineParser, ParseContext, ParsedLine } from './types.js';
import { NON_PATH_VERBS } from './w3c.js';

/**
 * FileZilla Server logs.
 *
 * 0.9.x (`filezilla-legacy`, `FileZilla Server.log` or `fzs-YYYY-MM-DD.log`, local time):
 *   `(000002)2025/11/6 15:58:48 - (not logged in) (127.0.0.1)> USER test`
 *   `(000041) 4/1/2009 1:34:49 AM - Ben Sanders (8.182.9.128)> 230 Logged on`
 * The session number is zero-padded to six digits (older builds put a space after it); the date and
 * time are Windows' short date/time formats of the service's locale, so the order of day, month
 * and year is not in the file: see `resolveDate`. The user is `(not logged in)` until PASS succeeds.
 * After `)> ` comes a client command, a server reply (`NNN text`, `NNN-` opens a multi-line reply
 * whose body lines have no code, e.g. FEAT's), or a server note (`Connected on port 21, sending
 * welcome message...`, `SSL connection established`, `disconnected.`).
 *
 * 1.x (`filezilla`, `filezilla-server.log`, UTC):
 *   `2024-03-09T16:36:15.676Z >> [FTP Session 3 192.168.0.18] USER test`
 *   `2023-07-16T02:30:06.860Z << [FTP Session 2857 5.21.80.217 komu] 230 Login successful.`
 *   `2023-07-16T02:30:06.938Z == [FTP Server] Session 2857 ended gracefully.`
 * The two characters after the time are the message type (libfilezilla logmsg, server
 * logger/type.hpp): `>>` command, `<<` reply, `==` status, `!!` error, `WW` warning, `DW`/`DI`/`DV`/
 * `DD` debug warning/info/verbose/debug, `PP` other. The bracket names the module; session lines read
 * `[<protocol> Session <id> <ip>[ <user>]]` (the user appears once logged in), helpers read
 * `[Throttled Authenticator, FTP Session: 3]`.
 */

// ---------------------------------------------------------------------------------------------
// Shared: FTP commands and replies

/** RFC 959 and later FTP commands (client side), upper case. */
const FTP_COMMANDS = new Set([
  'USER', 'PASS', 'ACCT', 'CWD', 'CDUP', 'SMNT', 'QUIT', 'REIN', 'PORT', 'PASV', 'TYPE', 'STRU', 'MODE',
  'RETR', 'STOR', 'STOU', 'APPE', 'ALLO', 'REST', 'RNFR', 'RNTO', 'ABOR', 'DELE', 'RMD', 'MKD', 'PWD',
  'LIST', 'NLST', 'SITE', 'SYST', 'STAT', 'HELP', 'NOOP', 'FEAT', 'OPTS', 'AUTH', 'PBSZ', 'PROT', 'CCC',
  'ADAT', 'MDTM', 'SIZE', 'MLST', 'MLSD', 'EPRT', 'EPSV', 'LANG', 'CLNT', 'MFMT', 'MFCT', 'MFF', 'HASH',
  'XCUP', 'XCWD', 'XMKD', 'XPWD', 'XRMD', 'AVBL', 'HOST', 'LPRT', 'LPSV', 'CONF', 'ENC', 'MIC', 'XCRC',
  'XMD5', 'XSHA1', 'XSHA256', 'XSHA512', 'MODZ',
]);

/** Verbs (lower case) whose argument is not a path, beyond the W3C list. */
const NOT_A_PATH = new Set([...NON_PATH_VERBS, 'pass', 'mfmt', 'clnt', 'xcrc']);

/** A client command line into verb + path/message; USER names the user. */
function commandFields(text: string, f: EventFields): void {
  const sp = text.indexOf(' ');
  const verb = (sp < 0 ? text : text.slice(0, sp)).toLowerCase();
  f.verb = verb;
  const arg = sp < 0 ? '' : text.slice(sp + 1);
  if (arg === '') return;
  if (verb === 'user' && f.user === undefined) f.user = arg;
  if (NOT_A_PATH.has(verb)) f.message = arg;
  else f.path = arg;
}

/** `150 Opening data channel for file upload to server of "/x"` / `226 Successfully transferred "/x"`. */
function replyFields(code: string, text: string, f: EventFields): void {
  f.status = code;
  if (text) f.message = text;
  if (code === '150' || code === '226') {
    const open = text.indexOf('"');
    const close = text.lastIndexOf('"');
    if (open >= 0 && close > open + 1) f.path = text.slice(open + 1, close);
    if (code === '150') {
      if (text.includes(' upload to server')) (f.extra ??= {}).direction = 'upload';
      else if (text.includes(' download from server')) (f.extra ??= {}).direction = 'download';
    }
  }
}

function isReplyCode(text: string): boolean {
  const c0 = text.charCodeAt(0), c1 = text.charCodeAt(1), c2 = text.charCodeAt(2), c3 = text.charCodeAt(3);
  return c0 >= 49 && c0 <= 54 && c1 >= 48 && c1 <= 57 && c2 >= 48 && c2 <= 57 && (text.length === 3 || c3 === 32 || c3 === 45);
}

// ---------------------------------------------------------------------------------------------
// 0.9: dates in the Windows locale

export type YearLastOrder = 'dmy' | 'mdy';

const ORDER_WORDS: Record<YearLastOrder | 'ymd', string> = {
  dmy: 'day/month/year', mdy: 'month/day/year', ymd: 'year/month/day',
};

/** A short date and time as written, before the order of its numbers is known. */
export interface LocaleDateTime {
  n: [number, number, number];
  /** The year comes first (4 digits, or a first number that cannot be a day). */
  yearFirst: boolean;
  /** Two-digit year. */
  shortYear: boolean;
  sep: string;
  /** A 12-hour clock marker was present. */
  twelveHour: boolean;
  hour: number;
  minute: number;
  second: number;
}

const AM = new Set(['am', 'a.m.', 'a', '上午', '午前', '오전']);
const PM = new Set(['pm', 'p.m.', 'p', '下午', '午後', '오후']);

/**
 * `2025/11/6 15:58:48`, `4/1/2009 1:34:48 AM`, `01.09.2022 2:22:55`, `6-11-25 15:58`, `下午 3:58:48`:
 * numeric date with `/`, `.` or `-` (a trailing `.` allowed), then a clock `H:MM[:SS]` with an optional
 * AM/PM marker before or after it.
 */
export function readLocaleDateTime(s: string): LocaleDateTime | undefined {
  const tokens = s.split(' ');
  let date: string | undefined;
  let clock: string | undefined;
  let marker: string | undefined;
  for (const t of tokens) {
    if (t === '') continue;
    if (date === undefined) date = t;
    else if (t.indexOf(':') >= 0) {
      if (clock !== undefined) return undefined;
      clock = t;
    } else {
      if (marker !== undefined) return undefined;
      marker = t.toLowerCase();
    }
  }
  if (date === undefined || clock === undefined) return undefined;

  // Date: three groups of digits with one separator, optionally a trailing one (`6.11.2025.`).
  const n: [number, number, number] = [0, 0, 0];
  const len = [0, 0, 0];
  let sep = '';
  let g = 0;
  for (let i = 0; i < date.length; i++) {
    const c = date.charCodeAt(i);
    if (c >= 48 && c <= 57) {
      if (g > 2 || len[g]! >= 4) return undefined;
      n[g] = n[g]! * 10 + (c - 48);
      len[g]!++;
    } else {
      const ch = date.charAt(i);
      if (sep === '') {
        if (ch !== '/' && ch !== '.' && ch !== '-') return undefined;
        sep = ch;
      } else if (ch !== sep) return undefined;
      if (len[g] === 0) return undefined;
      g++;
      if (g === 3 && i !== date.length - 1) return undefined;
    }
  }
  if (len[0] === 0 || len[1] === 0 || len[2] === 0 || len[1]! > 2) return undefined;
  const yearFirst = len[0] === 4 || n[0] > 31;
  const yearLen = yearFirst ? len[0] : len[2];
  if (yearLen !== 2 && yearLen !== 4) return undefined;
  if (yearFirst ? len[2]! > 2 : len[0]! > 2) return undefined;

  // Clock: H:MM or H:MM:SS.
  const c1 = clock.indexOf(':');
  const c2 = clock.indexOf(':', c1 + 1);
  const hLen = c1;
  const mEnd = c2 < 0 ? clock.length : c2;
  if (hLen < 1 || hLen > 2 || mEnd - c1 !== 3 || (c2 >= 0 && clock.length - c2 !== 3)) return undefined;
  let hour = digits(clock, 0, hLen);
  const minute = digits(clock, c1 + 1, 2);
  const second = c2 < 0 ? 0 : digits(clock, c2 + 1, 2);
  if (Number.isNaN(hour + minute + second)) return undefined;
  let twelveHour = false;
  if (marker !== undefined) {
    const pm = PM.has(marker);
    if (!pm && !AM.has(marker)) return undefined;
    twelveHour = true;
    // A 24-hour clock with a PM marker (`15:51:17 PM`, as FileZilla 0.9 wrote on some systems):
    // the hour already says the afternoon.
    const afternoonAlready = pm && hour > 12 && hour <= 23;
    if (!afternoonAlready) {
      if (hour < 1 || hour > 12) return undefined;
      hour = (hour % 12) + (pm ? 12 : 0);
    }
  }
  if (hour > 23 || minute > 59 || second > 60) return undefined;
  return { n, yearFirst, shortYear: yearLen === 2, sep, twelveHour, hour, minute, second };
}

interface DateOrderState {
  /** How dates whose year comes last are read in this file. */
  order?: YearLastOrder;
  /** True once a line showed the order (a day above 12, or the other reading lying in the future). */
  sure?: boolean;
  /** Dated lines read with the current order while it was still a guess. */
  guessed?: number;
  /** Lines that were read with a guess that a later line proved wrong (already stored). */
  misread?: number;
  misreadAs?: YearLastOrder;
  /** Year-first dates were seen. */
  ymd?: boolean;
}

const BOTH_ORDERS: readonly YearLastOrder[] = ['dmy', 'mdy'];

/** A calendar date that exists (no 31 February), year 1970 on. */
function realDate(p: DateParts): boolean {
  if (p.month < 1 || p.month > 12 || p.day < 1 || p.year < 1970) return false;
  const leap = p.year % 4 === 0 && (p.year % 100 !== 0 || p.year % 400 === 0);
  const days = p.month === 2 ? (leap ? 29 : 28) : p.month === 4 || p.month === 6 || p.month === 9 || p.month === 11 ? 30 : 31;
  return p.day <= days;
}

function expandYear(y: number, short: boolean): number {
  return short ? (y < 50 ? 2000 + y : 1900 + y) : y;
}

/** The reading a file most likely uses when nothing in it settles the question yet. */
function defaultOrder(d: LocaleDateTime): YearLastOrder {
  // D.M.Y and D-M-Y are the day-first locales (de, ru, nl, ...); `/` with a 12-hour clock is en-US,
  // `/` with a 24-hour clock is en-GB, fr, es, it, pt-BR...
  return d.sep === '/' && d.twelveHour ? 'mdy' : 'dmy';
}

/** How far after the file's modification time a date may lie before that reading is ruled out. */
const FUTURE_SLACK_MS = 2 * 86_400_000;

/**
 * Chooses day/month order for one line and records the choice in `st`:
 * - year first: year/month/day, no choice to make;
 * - only one reading valid (a number above 12), or the other one later than the file's modification
 *   time: that reading, and it becomes the file's order;
 * - both valid: the file's order so far (its consistent reading), else the locale guess.
 */
export function resolveDate(d: LocaleDateTime, st: DateOrderState, fileMtimeMs: number): DateParts | undefined {
  const time = { hour: d.hour, minute: d.minute, second: d.second, ms: 0 };
  if (d.yearFirst) {
    st.ymd = true;
    return { year: expandYear(d.n[0], d.shortYear), month: d.n[1], day: d.n[2], ...time };
  }
  const year = expandYear(d.n[2], d.shortYear);
  const readings: Record<YearLastOrder, DateParts> = {
    dmy: { year, month: d.n[1], day: d.n[0], ...time },
    mdy: { year, month: d.n[0], day: d.n[1], ...time },
  };
  let valid = BOTH_ORDERS.filter((o) => realDate(readings[o]));
  if (fileMtimeMs > 0 && valid.length === 2) {
    const past = valid.filter((o) => partsToUtc(readings[o])! <= fileMtimeMs + FUTURE_SLACK_MS);
    if (past.length) valid = past;
  }
  if (valid.length === 0) return undefined;
  let order: YearLastOrder;
  if (valid.length === 1) {
    order = valid[0]!;
    if (st.order !== undefined && st.order !== order && !st.sure && st.guessed) {
      st.misread = (st.misread ?? 0) + st.guessed;
      st.misreadAs = st.order;
    }
    st.order = order;
    st.sure = true;
    st.guessed = 0;
  } else {
    order = st.order ?? defaultOrder(d);
    st.order = order;
    if (!st.sure) st.guessed = (st.guessed ?? 0) + 1;
  }
  return readings[order];
}

export function dateOrderDetail(st: DateOrderState): string | undefined {
  if (!st.order) return st.ymd ? `dates read as ${ORDER_WORDS.ymd}` : undefined;
  let s = `dates read as ${ORDER_WORDS[st.order]}`;
  if (st.ymd) s += ` (and ${ORDER_WORDS.ymd} when the year comes first)`;
  if (!st.sure) s += ': a guess from the date layout, no day above 12 seen yet';
  if (st.misread) s += `; the first ${st.misread} dated line${st.misread === 1 ? ' was' : 's were'} read as ${ORDER_WORDS[st.misreadAs!]} before a later line showed the order`;
  return s;
}

// ---------------------------------------------------------------------------------------------
// 0.9 lines

interface LegacyState extends DateOrderState {
  /** Session -> reply code of a multi-line reply (`NNN-`) still open. */
  multi?: Record<string, string>;
}

const MAX_OPEN_REPLIES = 1000;

export function parseLegacyLine(line: string, ctx: ParseContext, st: LegacyState): ParsedLine | null {
  if (line.charCodeAt(0) !== 40 /* ( */) return null;
  const close = line.indexOf(')', 1);
  if (close < 2 || close > 11) return null;
  const id = line.slice(1, close);
  if (!/^\d+$/.test(id)) return null;
  let pos = close + 1;
  if (line.charCodeAt(pos) === 32) pos++;
  const dash = line.indexOf(' - ', pos);
  if (dash < 0) return null;
  const when = readLocaleDateTime(line.slice(pos, dash));
  if (!when) return null;
  const gt = line.indexOf(')>', dash + 3);
  if (gt < 0) return null;
  const ipOpen = line.lastIndexOf(' (', gt);
  if (ipOpen < dash + 2) return null;
  const userText = line.slice(dash + 3, ipOpen);
  const ip = line.slice(ipOpen + 2, gt);
  if (ip === '' || ip.includes(' ')) return null;
  let text = line.slice(gt + 2);
  if (text.charCodeAt(0) === 32) text = text.slice(1);

  const parts = resolveDate(when, st, ctx.fileMtimeMs);
  if (!parts) return null;
  const ts = zonedPartsToUtc(parts, ctx.timeZone);
  if (ts === undefined) return null;
  const session = String(Number(id));
  const f: EventFields = { ts, tsLocal: true, sessionKey: session, clientIp: ip, protocol: 'ftp' };
  if (userText !== '' && userText !== '(not logged in)') f.user = userText;

  const open = st.multi?.[session];
  const word = text.split(' ', 1)[0]!;
  if (isReplyCode(text)) {
    const code = text.slice(0, 3);
    if (text.charCodeAt(3) === 45 /* - */) {
      st.multi ??= {};
      if (!(session in st.multi) && Object.keys(st.multi).length >= MAX_OPEN_REPLIES) st.multi = {};
      st.multi[session] = code;
    } else if (open === code && st.multi) delete st.multi[session];
    replyFields(code, text.slice(4), f);
    f.extra = { ...f.extra, level: 'reply' };
  } else if (open !== undefined) {
    // Body of a multi-line reply (FEAT's feature list...).
    f.status = open;
    if (text) f.message = text;
    f.extra = { level: 'reply' };
  } else if (FTP_COMMANDS.has(word.toUpperCase()) || (/^[A-Z]{3,4}$/.test(word) && word !== 'SSL' && word !== 'TLS')) {
    commandFields(text, f);
    f.extra = { level: 'command' };
  } else {
    if (text.startsWith('Connected')) f.verb = 'connect';
    else if (text === 'disconnected.' || text.endsWith(', disconnected.')) {
      f.verb = 'disconnect';
      if (st.multi) delete st.multi[session];
    }
    if (text) f.message = text;
    f.extra = { level: 'status' };
  }
  return { kind: 'event', fields: f };
}

export const filezillaLegacy: FormatDefinition = {
  id: 'filezilla-legacy',
  label: 'FileZilla Server 0.9 log',
  fileNameHint: /^(filezilla server.*|fzs-\d{4}-\d\d-\d\d)\.log$/i,
  timestamp: 'Windows short date + time of the server locale (Y/M/D, D/M/Y or M/D/Y; /, . or -; 12/24 h), local time (--tz); order chosen per file (shown by sources)',
  extracts: 'session number (session key), user ((not logged in) = none; USER argument), client IP, command as verb with path or argument, reply code as status (path from 150/226 replies, multi-line replies followed), connect/disconnect notes',
  detect(lines) {
    const parser = this.createParser({ timeZone: 'UTC', fileMtimeMs: 0 });
    return lines.length ? lines.filter((l) => parser.parse(l)).length / lines.length : 0;
  },
  createParser(ctx, saved): LineParser {
    const st: LegacyState = { ...(saved as LegacyState | undefined) };
    if (st.multi) st.multi = { ...st.multi };
    return {
      parse: (line) => parseLegacyLine(line, ctx, st),
      state: () => st,
      detail: () => dateOrderDetail(st),
    };
  },
  samples: [
    // FORMATS.md §4 and the rest of that session (FileZilla Server 0.9.60 beta, a Chinese blog post, 2025).
    { line: '(000002)2025/11/6 15:58:48 - (not logged in) (127.0.0.1)> Connected on port 21, sending welcome message...', expect: { ts: Date.UTC(2025, 10, 6, 15, 58, 48), tsLocal: true, sessionKey: '2', user: undefined, clientIp: '127.0.0.1', verb: 'connect', status: undefined, message: 'Connected on port 21, sending welcome message...' } },
    { line: '(000002)2025/11/6 15:58:48 - (not logged in) (127.0.0.1)> 220-FileZilla Server 0.9.60 beta', expect: { status: '220', message: 'FileZilla Server 0.9.60 beta', verb: undefined } },
    { line: '(000002)2025/11/6 15:58:48 - (not logged in) (127.0.0.1)> 220 Please visit https://filezilla-project.org/', expect: { status: '220' } },
    { line: '(000002)2025/11/6 15:58:57 - (not logged in) (127.0.0.1)> OPTS UTF8 ON', expect: { verb: 'opts', message: 'UTF8 ON', path: undefined } },
    { line: '(000002)2025/11/6 15:58:57 - (not logged in) (127.0.0.1)> 202 UTF8 mode is always enabled. No need to send this command.', expect: { status: '202' } },
    { line: '(000002)2025/11/6 15:59:04 - (not logged in) (127.0.0.1)> QUIT', expect: { verb: 'quit', status: undefined } },
    // A CTF write-up (2024): an upload, with the space after the session number.
    { line: '(000141) 2024/2/29 13:01:39 - admin (192.168.126.135)> STOR system.php', expect: { ts: Date.UTC(2024, 1, 29, 13, 1, 39), sessionKey: '141', user: 'admin', clientIp: '192.168.126.135', verb: 'stor', path: 'system.php' } },
    { line: '(000141) 2024/2/29 13:01:39 - admin (192.168.126.135)> 226 Successfully transferred "/system.php"', expect: { status: '226', path: '/system.php', message: 'Successfully transferred "/system.php"' } },
    // FileZilla-Log-Analyzer sample (0.9.31, en-US: month/day/year, 12-hour clock).
    { line: '(000042) 4/1/2009 4:22:38 AM - (not logged in) (8.182.9.128)> USER Ben Sanders', expect: { ts: Date.UTC(2009, 3, 1, 4, 22, 38), sessionKey: '42', verb: 'user', user: 'Ben Sanders', message: 'Ben Sanders' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - (not logged in) (8.182.9.128)> PASS **************', expect: { verb: 'pass', user: undefined, message: '**************' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> 230 Logged on', expect: { user: 'Ben Sanders', status: '230', message: 'Logged on' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> FEAT', expect: { verb: 'feat' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> 211-Features:', expect: { status: '211' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> MDTM', expect: { status: '211', verb: undefined, message: 'MDTM' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> REST STREAM', expect: { status: '211', verb: undefined } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> 211 End', expect: { status: '211', message: 'End' } },
    { line: '(000042) 4/1/2009 4:22:38 AM - Ben Sanders (8.182.9.128)> MDTM file_1.txt', expect: { verb: 'mdtm', path: 'file_1.txt', status: undefined } },
    { line: '(000041) 4/1/2009 1:34:48 AM - (not logged in) (8.182.9.128)> SSL connection established', expect: { ts: Date.UTC(2009, 3, 1, 1, 34, 48), verb: undefined, message: 'SSL connection established' } },
    { line: '(000041) 4/1/2009 1:35:24 AM - Ben Sanders (8.182.9.128)> 250 CWD successful. "/folder_1" is current directory.', expect: { status: '250', path: undefined } },
    { line: '(000041) 4/1/2009 1:35:54 AM - Ben Sanders (8.182.9.128)> disconnected.', expect: { verb: 'disconnect', user: 'Ben Sanders' } },
  ],
};

// ---------------------------------------------------------------------------------------------
// 1.x lines

const LEVELS: Record<string, string> = {
  '>>': 'command', '<<': 'reply', '==': 'status', '!!': 'error', 'WW': 'warning',
  'DW': 'debug-warning', 'DI': 'debug-info', 'DV': 'debug-verbose', 'DD': 'debug', 'PP': 'other',
};

const SESSION_CTX = /^(.+) Session (\d+) (\S+)(?: (.+))?$/;
const HELPER_CTX = /Session: (\d+)$/;

function isoTimestamp(tok: string, ctx: ParseContext): { ts: number; local: boolean } | undefined {
  if (tok.charCodeAt(10) !== 84 /* T */) return undefined;
  const parts = isoParts(tok, 0, tok, 11);
  if (!parts) return undefined;
  let end = 19;
  if (tok.charCodeAt(19) === 46 /* . */) {
    end = 20;
    while (end < tok.length && tok.charCodeAt(end) >= 48 && tok.charCodeAt(end) <= 57) end++;
  }
  const zone = tok.slice(end);
  if (zone === 'Z') {
    const ts = partsToUtc(parts);
    return ts === undefined ? undefined : { ts, local: false };
  }
  if (zone === '') {
    const ts = zonedPartsToUtc(parts, ctx.timeZone);
    return ts === undefined ? undefined : { ts, local: true };
  }
  const off = parseUtcOffset(zone);
  const ts = partsToUtc(parts);
  return off === undefined || ts === undefined ? undefined : { ts: ts - off, local: false };
}

export function parseServerLine(line: string, ctx: ParseContext): ParsedLine | null {
  const sp1 = line.indexOf(' ');
  if (sp1 < 19 || line.charCodeAt(sp1 + 3) !== 32 || line.charCodeAt(sp1 + 4) !== 91 /* [ */) return null;
  const level = LEVELS[line.slice(sp1 + 1, sp1 + 3)];
  if (!level) return null;
  const ctxEnd = line.indexOf(']', sp1 + 5);
  if (ctxEnd < 0 || (ctxEnd + 1 < line.length && line.charCodeAt(ctxEnd + 1) !== 32)) return null;
  const when = isoTimestamp(line.slice(0, sp1), ctx);
  if (!when) return null;
  const context = line.slice(sp1 + 5, ctxEnd);
  const text = line.slice(ctxEnd + 2);

  const f: EventFields = { ts: when.ts };
  if (when.local) f.tsLocal = true;
  const extra: Record<string, string> = { level };
  const session = SESSION_CTX.exec(context);
  if (session) {
    const kind = session[1]!;
    f.sessionKey = session[2];
    f.clientIp = session[3];
    if (session[4]) f.user = session[4];
    if (kind.includes('SFTP')) f.protocol = 'sftp';
    else if (kind.startsWith('FTP')) f.protocol = 'ftp';
    extra.module = `${kind} Session`;
  } else {
    extra.module = context;
    const helper = HELPER_CTX.exec(context);
    if (helper) {
      f.sessionKey = helper[1];
      extra.module = context.slice(0, context.indexOf(','));
    } else {
      const ended = /^Session (\d+) /.exec(text);
      if (ended) f.sessionKey = ended[1];
    }
  }

  if (level === 'command') {
    if (text.startsWith('SSH User Authentication [')) {
      f.verb = 'userauth';
      const user = /[[ ]user=([^,\]]*)/.exec(text);
      const method = /\[method=([^,\]]*)/.exec(text);
      if (user && f.user === undefined) f.user = user[1];
      if (method) extra.method = method[1]!;
      f.message = text;
    } else if (text) commandFields(text, f);
  } else if (level === 'reply' && isReplyCode(text)) {
    replyFields(text.slice(0, 3), text.slice(4), f);
  } else if (text) f.message = text;
  f.extra = { ...f.extra, ...extra };
  return { kind: 'event', fields: f };
}

export const filezilla: FormatDefinition = {
  id: 'filezilla',
  label: 'FileZilla Server 1.x log',
  fileNameHint: /^filezilla-server.*\.log/i,
  timestamp: 'ISO 8601 with milliseconds, UTC (Z)',
  extracts: 'message type (command, reply, status, error, warning, debug), module, session id (session key), client IP, user (bracket after login, USER, SSH user=), protocol (ftp/sftp), command as verb with path or argument, reply code as status',
  ...lineByLine(parseServerLine),
  samples: [
    // FORMATS.md §4 and the rest of that log (FluentFTP issue #1507, FileZilla Server 1.8.1).
    { line: '2024-03-09T16:36:15.643Z DI [FTP Session 3 192.168.0.18] Session 0x17d3f5b0660 with ID 3 created.', expect: { ts: Date.UTC(2024, 2, 9, 16, 36, 15, 643), sessionKey: '3', clientIp: '192.168.0.18', extra: { level: 'debug-info', module: 'FTP Session' } } },
    { line: '2024-03-09T16:36:15.643Z << [FTP Session 3 192.168.0.18] 220-FileZilla Server 1.8.1', expect: { status: '220', message: 'FileZilla Server 1.8.1', protocol: 'ftp' } },
    { line: '2024-03-09T16:36:15.676Z >> [FTP Session 3 192.168.0.18] USER test', expect: { ts: Date.UTC(2024, 2, 9, 16, 36, 15, 676), tsLocal: undefined, sessionKey: '3', clientIp: '192.168.0.18', verb: 'user', user: 'test', message: 'test', extra: { level: 'command', module: 'FTP Session' } } },
    { line: '2024-03-09T16:36:15.687Z DI [Throttled Authenticator, FTP Session: 3] Authenticating user test from IP 192.168.0.18.', expect: { sessionKey: '3', clientIp: undefined, extra: { level: 'debug-info', module: 'Throttled Authenticator' } } },
    { line: '2024-03-09T16:36:15.687Z << [FTP Session 3 192.168.0.18] 331 Please, specify the password.', expect: { status: '331', verb: undefined } },
    { line: '2024-03-09T16:36:15.691Z >> [FTP Session 3 192.168.0.18] PASS ****', expect: { verb: 'pass', message: '****', user: undefined } },
    // EulandaConnect's test log (FileZilla Pro Enterprise Server 1.7.2): the user joins the bracket after login.
    { line: '2023-07-16T02:30:06.860Z << [FTP Session 2857 5.21.80.217 komu] 230 Login successful.', expect: { sessionKey: '2857', clientIp: '5.21.80.217', user: 'komu', status: '230', message: 'Login successful.' } },
    { line: '2023-07-16T02:30:06.860Z >> [FTP Session 2857 5.21.80.217 komu] RETR partnerliste/partnerliste.htm', expect: { verb: 'retr', path: 'partnerliste/partnerliste.htm', user: 'komu' } },
    { line: '2023-07-16T02:30:06.938Z << [FTP Session 2857 5.21.80.217 komu] 226 Operation successful', expect: { status: '226', path: undefined } },
    { line: '2023-07-16T02:30:06.938Z == [FTP Server] Session 2857 ended gracefully.', expect: { sessionKey: '2857', message: 'Session 2857 ended gracefully.', extra: { level: 'status', module: 'FTP Server' } } },
    { line: '2023-07-16T02:18:53.974Z !! [FTP Session 2856 64.62.197.239] Control channel closed with error from source 0. Reason: ECONNABORTED - Connection aborted.', expect: { sessionKey: '2856', extra: { level: 'error', module: 'FTP Session' } } },
    { line: '2023-07-16T02:33:06.354Z >> [SSH SFTP Session 2858 141.98.11.113] SSH User Authentication [method=password, user=mysql, service=ssh-connection]', expect: { protocol: 'sftp', sessionKey: '2858', verb: 'userauth', user: 'mysql', extra: { level: 'command', module: 'SSH SFTP Session', method: 'password' } } },
    { line: '2023-07-16T02:33:06.385Z == [SSH SFTP Server] Session 2858 ended gracefully.', expect: { sessionKey: '2858', extra: { level: 'status', module: 'SSH SFTP Server' } } },
    // A SOC exercise write-up (2025).
    { line: '2025-08-25T00:15:15.084Z >> [FTP Session 6 192.168.1.133 ftpu] RETR ransomAttack.py', expect: { user: 'ftpu', verb: 'retr', path: 'ransomAttack.py' } },
  ],
};
