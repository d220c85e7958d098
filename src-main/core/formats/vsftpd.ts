import { clockParts, digits, monthFromName, zonedPartsToUtc, type DateParts } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParseContext, ParsedLine } from './types.js';
import { NON_PATH_VERBS } from './w3c.js';

/**
 * vsftpd's own log (`vsftpd.log` with `xferlog_std_format=NO`, or `dual_log_enable=YES`), as written
 * by logging.c (vsf_log_do_log_vsftpd_format):
 *
 *   `<ctime date> [pid N] [user] OK|FAIL ACTION: Client "ip"[, anon password "x"][, "str"][, N bytes][, R Kbyte/sec]`
 *
 * - The date is strftime `%a %b %e %H:%M:%S %Y` in the server's local time (day space-padded).
 *   vsftpd fixes TZ to the UTC offset it had at start-up, so a server started before a DST change
 *   keeps the old offset until restarted; we convert with the zone given (`--tz`).
 * - `[user]` is absent until the client has sent USER (CONNECT, early FTP command/response lines).
 * - CONNECT, `FTP command`, `FTP response` and DEBUG carry no OK/FAIL.
 * - "str" is the path for UPLOAD/DOWNLOAD/MKDIR/RMDIR/DELETE, `/old /new` for RENAME, `path mode`
 *   for CHMOD, the reason for LOGIN/CONNECT/DEBUG, the command or reply text for FTP command/response
 *   (`log_ftp_protocol=YES`; vsftpd logs `PASS <password>`). Unprintable bytes were written as `?`;
 *   quotes inside it are not escaped, so it is taken from the first `, "` to the last `"`.
 * - ` N bytes` appears when the byte count is non-zero; the rate only on UPLOAD/DOWNLOAD.
 *
 * Fields: pid (also the sessionKey: note that vsftpd's privilege separation logs CONNECT from one
 * process, LOGIN from its parent and the post-login commands from a third pid, so a pid is a
 * process, not a whole connection), user, clientIp as written (`::ffff:192.0.2.1` is kept verbatim,
 * like every other format keeps its client address; no normalisation), verb = the action in lower
 * case (connect, login, upload, download, mkdir, rmdir, delete, rename, chmod, ftp-command,
 * ftp-response, debug), status = OK/FAIL (the reply code for ftp-response), path, bytes,
 * message (failure reason, command, reply text after the code), extra.rateKBps, extra.command (FTP command
 * lines), extra.renameTo, extra.mode, extra.anonPassword.
 */

const VERBS: Record<string, string> = {
  'CONNECT': 'connect', 'LOGIN': 'login', 'UPLOAD': 'upload', 'DOWNLOAD': 'download', 'MKDIR': 'mkdir',
  'RMDIR': 'rmdir', 'DELETE': 'delete', 'RENAME': 'rename', 'CHMOD': 'chmod', 'DEBUG': 'debug',
  'FTP command': 'ftp-command', 'FTP response': 'ftp-response',
};

const PATH_VERBS = new Set(['upload', 'download', 'mkdir', 'rmdir', 'delete']);

const MONTHS: Record<string, number> = {
  Jan: 1, Feb: 2, Mar: 3, Apr: 4, May: 5, Jun: 6, Jul: 7, Aug: 8, Sep: 9, Oct: 10, Nov: 11, Dec: 12,
};

/** `Fri Dec 14 09:38:38 2018` / `Thu Sep  8 00:39:49 2016` (C `ctime` layout) into local parts. */
function ctimeParts(s: string): DateParts | undefined {
  // vsftpd's own layout: 24 characters, fixed positions, English names (it never calls setlocale).
  if (s.length === 24 && s.charCodeAt(3) === 32 && s.charCodeAt(7) === 32 && s.charCodeAt(10) === 32 && s.charCodeAt(19) === 32) {
    const month = MONTHS[s.slice(4, 7)];
    const clock = clockParts(s, 11);
    const day = s.charCodeAt(8) === 32 ? digits(s, 9, 1) : digits(s, 8, 2);
    const year = digits(s, 20, 4);
    if (month && clock && !Number.isNaN(day + year)) return { year, month, day, ...clock, ms: 0 };
  }
  // Anything else close to it (a localised month name, extra spaces): collapse whitespace.
  const t = s.trim().split(/ +/);
  if (t.length !== 5) return undefined;
  const month = monthFromName(t[1]!);
  const clock = clockParts(t[3]!);
  if (!month || !clock || t[3]!.length !== 8 || !/^\d{1,2}$/.test(t[2]!) || !/^\d{4}$/.test(t[4]!)) return undefined;
  return { year: Number(t[4]), month, day: Number(t[2]), ...clock, ms: 0 };
}

/** `/old /new` (both absolute: vsftpd prepends the cwd) into its two paths when the split is clear. */
function splitRename(s: string): [string, string] | undefined {
  const cuts: number[] = [];
  for (let i = s.indexOf(' /'); i > 0; i = s.indexOf(' /', i + 1)) cuts.push(i);
  if (cuts.length === 1) return [s.slice(0, cuts[0]), s.slice(cuts[0]! + 1)];
  // Names with " /" inside: prefer the cut whose halves share a directory (renames usually stay put).
  const dir = (p: string) => p.slice(0, p.lastIndexOf('/') + 1);
  const same = cuts.filter((c) => dir(s.slice(0, c)) === dir(s.slice(c + 1)));
  return same.length === 1 ? [s.slice(0, same[0]), s.slice(same[0]! + 1)] : undefined;
}

/** `..., 295.34Kbyte/sec` at the end: [rate text, where the `, ` starts]. */
function rateTail(s: string): [string, number] | undefined {
  if (!s.endsWith('Kbyte/sec')) return undefined;
  const at = s.lastIndexOf(', ');
  const rate = at < 0 ? '' : s.slice(at + 2, s.length - 9);
  return /^([0-9.]+|inf|-?nan)$/.test(rate) ? [rate, at] : undefined;
}

/** `..., 412934 bytes` at the end: [bytes, where the `, ` starts]. */
function bytesTail(s: string): [number, number] | undefined {
  if (!s.endsWith(' bytes')) return undefined;
  const at = s.lastIndexOf(', ');
  const n = at < 0 ? '' : s.slice(at + 2, s.length - 6);
  return /^\d+$/.test(n) ? [Number(n), at] : undefined;
}

export function parseVsftpdLine(line: string, ctx: ParseContext): ParsedLine | null {
  const pidAt = line.indexOf(' [pid ');
  if (pidAt < 19 || pidAt > 30) return null;
  const parts = ctimeParts(line.slice(0, pidAt));
  if (!parts) return null;
  const pidEnd = line.indexOf('] ', pidAt + 6);
  if (pidEnd < 0) return null;
  const pidText = line.slice(pidAt + 6, pidEnd);
  if (!/^\d+$/.test(pidText)) return null;
  let pos = pidEnd + 2;

  let user: string | undefined;
  if (line.charCodeAt(pos) === 91 /* [ */) {
    const end = line.indexOf('] ', pos + 1);
    if (end < 0) return null;
    user = line.slice(pos + 1, end);
    pos = end + 2;
  }
  let status: string | undefined;
  if (line.startsWith('OK ', pos)) { status = 'OK'; pos += 3; }
  else if (line.startsWith('FAIL ', pos)) { status = 'FAIL'; pos += 5; }

  const clientAt = line.indexOf(': Client "', pos);
  if (clientAt < 0) return null;
  const verb = VERBS[line.slice(pos, clientAt)];
  if (!verb) return null;
  const ioLine = verb === 'ftp-command' || verb === 'ftp-response' || verb === 'debug' || verb === 'connect';
  if ((status !== undefined) === ioLine) return null; // OK/FAIL exactly on the actions that have it
  const ipStart = clientAt + 10;
  const ipEnd = line.indexOf('"', ipStart);
  if (ipEnd < 0) return null;

  const ts = zonedPartsToUtc(parts, ctx.timeZone);
  if (ts === undefined) return null;
  const pid = Number(pidText);
  const f: EventFields = { ts, tsLocal: true, pid, sessionKey: pidText, verb, clientIp: line.slice(ipStart, ipEnd) };
  if (user !== undefined && user !== '') f.user = user;
  if (status) f.status = status;
  const extra: Record<string, string | number> = {};

  let rest = line.slice(ipEnd + 1);
  if (verb === 'upload' || verb === 'download') {
    const tail = rateTail(rest);
    if (tail) {
      const rate = Number(tail[0]);
      if (Number.isFinite(rate)) extra.rateKBps = rate;
      rest = rest.slice(0, tail[1]);
    }
  }
  if (verb !== 'ftp-command' && verb !== 'ftp-response' && verb !== 'debug') {
    const tail = bytesTail(rest);
    if (tail) {
      f.bytes = tail[0];
      rest = rest.slice(0, tail[1]);
    }
  }
  if (verb === 'login' && rest.startsWith(', anon password "')) {
    const body = rest.slice(17);
    const cut = body.indexOf('", "');
    const end = cut >= 0 ? cut : body.lastIndexOf('"');
    if (end < 0) return null;
    extra.anonPassword = body.slice(0, end);
    rest = body.slice(end + 1);
  }
  let str: string | undefined;
  if (rest.startsWith(', "') && rest.endsWith('"') && rest.length >= 4) {
    str = rest.slice(3, -1);
    rest = '';
  }
  if (rest !== '') return null;

  if (str !== undefined) {
    if (PATH_VERBS.has(verb)) f.path = str;
    else if (verb === 'rename') {
      const pair = splitRename(str);
      if (pair) {
        f.path = pair[0];
        extra.renameTo = pair[1];
      } else f.path = str;
    } else if (verb === 'chmod') {
      const sp = str.lastIndexOf(' ');
      if (sp > 0 && /^[0-7]{3,4}$/.test(str.slice(sp + 1))) {
        f.path = str.slice(0, sp);
        extra.mode = str.slice(sp + 1);
      } else f.path = str;
    } else {
      f.message = str;
      if (verb === 'ftp-response' && /^\d{3}( |-|$)/.test(str)) {
        // Like the other formats: the code goes to status, the text after it to message.
        f.status = str.slice(0, 3);
        const text = str.slice(4);
        if (text) f.message = text;
        else delete f.message;
      } else if (verb === 'ftp-command') {
        const sp = str.indexOf(' ');
        const command = (sp < 0 ? str : str.slice(0, sp)).toLowerCase();
        if (command) extra.command = command;
        const arg = sp < 0 ? '' : str.slice(sp + 1).trim();
        if (arg && !NON_PATH_VERBS.has(command) && command !== 'pass') f.path = arg;
      }
    }
  }
  if (Object.keys(extra).length) f.extra = extra;
  return { kind: 'event', fields: f };
}

export const vsftpd: FormatDefinition = {
  id: 'vsftpd',
  label: 'vsftpd log (vsftpd.log, xferlog_std_format=NO)',
  fileNameHint: /^vsftpd.*\.log/i,
  timestamp: 'Www Mmm dd HH:MM:SS YYYY (day space-padded), local time (--tz)',
  extracts: 'pid (session key), user, client IP (as written, ::ffff: kept), action as verb (connect, login, upload, download, mkdir, rmdir, delete, rename, chmod, ftp-command, ftp-response, debug), OK/FAIL or reply code, path (rename target, chmod mode), bytes, Kbyte/sec rate, failure reason / command / reply text',
  ...lineByLine(parseVsftpdLine),
  samples: [
    // FORMATS.md §4.
    { line: 'Fri Dec 14 09:38:38 2018 [pid 16247] [calisro] OK UPLOAD: Client "X.X.X.X", "/XXXXX/XXXXX.jpg", 412934 bytes, 295.34Kbyte/sec', expect: { ts: Date.UTC(2018, 11, 14, 9, 38, 38), tsLocal: true, pid: 16247, sessionKey: '16247', user: 'calisro', status: 'OK', verb: 'upload', clientIp: 'X.X.X.X', path: '/XXXXX/XXXXX.jpg', bytes: 412934, extra: { rateKBps: 295.34 } } },
    { line: 'Thu Sep  8 00:39:49 2016 [pid 15019] [guest] FAIL LOGIN: Client "::ffff:192.0.2.1", "User is not in the allow user list."', expect: { ts: Date.UTC(2016, 8, 8, 0, 39, 49), pid: 15019, user: 'guest', status: 'FAIL', verb: 'login', clientIp: '::ffff:192.0.2.1', message: 'User is not in the allow user list.', path: undefined } },
    // Ubuntu forums, "vsftpd slow transfer" (2010).
    { line: 'Tue Jul 20 10:14:51 2010 [pid 7709] CONNECT: Client "192.168.2.10"', expect: { verb: 'connect', status: undefined, user: undefined, pid: 7709, clientIp: '192.168.2.10' } },
    { line: 'Tue Jul 20 10:14:51 2010 [pid 7708] [jeffe] OK LOGIN: Client "192.168.2.10"', expect: { verb: 'login', status: 'OK', user: 'jeffe', pid: 7708 } },
    { line: 'Tue Jul 20 12:16:29 2010 [pid 6820] [jeffe] OK UPLOAD: Client "192.168.2.10", "/disk2/temp/test_file.avi", 1101266944 bytes, 28171.85Kbyte/sec', expect: { bytes: 1101266944, extra: { rateKBps: 28171.85 } } },
    { line: 'Tue Jul 20 12:17:14 2010 [pid 6820] [jeffe] OK DELETE: Client "192.168.2.10", "/disk2/temp/test_file.avi"', expect: { verb: 'delete', status: 'OK', path: '/disk2/temp/test_file.avi', bytes: undefined } },
    // LinuxQuestions, anonymous login (2007).
    { line: 'Sun Apr  1 08:10:34 2007 [pid 4108] [ftp] OK LOGIN: Client "192.168.1.10", anon password "<no_password>"', expect: { ts: Date.UTC(2007, 3, 1, 8, 10, 34), user: 'ftp', verb: 'login', extra: { anonPassword: '<no_password>' } } },
    // A French TP write-up (2021): IPv4-mapped client addresses.
    { line: 'Thu Nov  4 18:53:59 2021 [pid 2371] [roxanne] OK DOWNLOAD: Client "::ffff:192.168.251.1", "/home/roxanne/Documents/tur", 5 bytes, 0.52Kbyte/sec', expect: { verb: 'download', clientIp: '::ffff:192.168.251.1', path: '/home/roxanne/Documents/tur', bytes: 5, extra: { rateKBps: 0.52 } } },
    // log_ftp_protocol=YES (LinuxQuestions, 2009).
    { line: 'Sun Sep 27 21:56:20 2009 [pid 13588] FTP response: Client "192.168.0.195", "220 "', expect: { verb: 'ftp-response', status: '220', message: undefined } },
    { line: 'Sun Sep 27 21:56:20 2009 [pid 13588] FTP command: Client "192.168.0.195", "AUTH SSL"', expect: { verb: 'ftp-command', status: undefined, message: 'AUTH SSL', path: undefined, extra: { command: 'auth' } } },
    { line: 'Sun Sep 27 21:56:23 2009 [pid 13588] DEBUG: Client "192.168.0.195", "SSL_accept failed: error:00000000:lib(0):func(0):reason(0)"', expect: { verb: 'debug', message: 'SSL_accept failed: error:00000000:lib(0):func(0):reason(0)' } },
  ],
};
