import { classifyProftpdMessage, proftpdReasonCode } from '../explain/proftpd-messages.js';
import { isoParts, syslogDateParts, syslogYear, zonedPartsToUtc, type DateParts, type YearCursor } from '../time.js';
import type { EventFields, FormatDefinition, LineParser, ParseContext, ParsedLine } from './types.js';

/**
 * ProFTPD's SystemLog written to a file (not through syslog):
 *   1.3.6+:  `2026-11-23 19:14:25,500 vm proftpd[7273] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER alice: Login successful.`
 *   older:   `Apr 06 23:16:12 ubuntu proftpd[6073] localhost: ProFTPD killed (signal 15)` (the C library's
 *            `%b`, so localised month names such as `juil.` occur; no year)
 * i.e. `date host proftpd[pid] vhost (clientName[clientIp]): message`, the client part only in
 * session processes; before the server is configured ProFTPD writes `host proftpd[pid]: message`.
 * Times are local (ctx.timeZone). The vhost is ServerFQDN (often an IP address), never ServerName.
 *
 * Through syslog the same messages read `proftpd[pid]: vhost (client[ip]) - message`: the syslog
 * format reuses splitProftpdServerInfo and applyProftpdMessage below.
 */

export type Extra = Record<string, string | number | boolean>;

export interface ProftpdServerInfo {
  vhost?: string;
  clientName?: string;
  clientIp?: string;
  message: string;
}

/**
 * Splits `vhost (name[ip])<sep>message` or `vhost<sep>message` (sep `: ` in the SystemLog file,
 * ` - ` through syslog). The vhost and client name hold no spaces; IPv6 addresses hold colons,
 * hence the searches for the full separators. Undefined when `s` has neither shape.
 */
export function splitProftpdServerInfo(s: string, sep: ': ' | ' - '): ProftpdServerInfo | undefined {
  const sp = s.indexOf(' ');
  if (sp <= 0) return undefined;
  if (sep === ': ' && s.charCodeAt(sp - 1) === 58 /* : */ && sp > 1) {
    return { vhost: s.slice(0, sp - 1), message: s.slice(sp + 1) };
  }
  if (sep === ' - ' && s.startsWith('- ', sp + 1)) return { vhost: s.slice(0, sp), message: s.slice(sp + 3) };
  if (s.charCodeAt(sp + 1) !== 40 /* ( */) return undefined;
  const close = s.indexOf('])' + sep, sp + 2);
  if (close < 0) return undefined;
  const open = s.lastIndexOf('[', close);
  if (open <= sp + 1) return undefined;
  const clientName = s.slice(sp + 2, open);
  if (clientName.indexOf(' ') >= 0) return undefined;
  return { vhost: s.slice(0, sp), clientName, clientIp: s.slice(open + 1, close), message: s.slice(close + 2 + sep.length) };
}

/** Named groups whose values land in columns or are renamed; the others go to extra as they are. */
const HANDLED_GROUPS = new Set(['user', 'kind', 'reason', 'protocol', 'count', 'port', 'address', 'serverAddress', 'clientName', 'path', 'signal']);

/**
 * Fills the fields a ProFTPD message carries, classified with the catalogue
 * (explain/proftpd-messages.ts): verb, user, status (success/failure), protocol (FTP/SSH2 session
 * lines), path, server port; extra.level, extra.category, extra.messageId, extra.reason (a code such
 * as `wrong_password`, with the original text in extra.reasonText), extra.duplicateOf. A message
 * the catalogue does not know keeps only `message`.
 */
export function applyProftpdMessage(rawMessage: string, f: EventFields, extra: Extra): void {
  const message = rawMessage.trim();
  f.message = message;
  const c = classifyProftpdMessage(message);
  if (!c) return;
  const { entry, groups } = c;
  extra.messageId = entry.id;
  extra.level = entry.level;
  extra.category = entry.category;
  f.verb = entry.verb;
  if (entry.outcome) f.status = entry.outcome;
  if (entry.duplicateOf) extra.duplicateOf = entry.duplicateOf;
  const reason = proftpdReasonCode(c);
  if (reason) extra.reason = reason;
  if (groups.reason && groups.reason !== reason) extra.reasonText = groups.reason;
  if (groups.user) f.user = groups.user;
  if (groups.kind === 'ANON') extra.anonymous = true;
  if (groups.protocol) f.protocol = groups.protocol.toLowerCase();
  if (groups.path) f.path = groups.path;
  if (groups.count) extra.count = Number(groups.count);
  if (groups.signal) extra.signal = Number(groups.signal);
  if (groups.port) f.serverPort = Number(groups.port);
  if (groups.serverAddress) extra.serverAddress = groups.serverAddress;
  if (groups.address) {
    // "no such user found from NAME [IP] to ADDR:PORT": the bracketed address is the client's.
    if ('clientName' in groups) {
      f.clientIp ??= groups.address;
      if (groups.clientName && extra.clientName === undefined) extra.clientName = groups.clientName;
    } else extra.address = groups.address;
  }
  for (const [k, v] of Object.entries(groups)) {
    if (HANDLED_GROUPS.has(k)) continue;
    const t = v.trim();
    if (t) extra[k] = t;
  }
}

interface SystemState {
  /** Year and month of the latest syslog-style date (they carry no year). */
  cursor?: YearCursor;
}

interface ParsedSystemLine {
  parsed: ParsedLine;
  /** The `proftpd[pid] vhost…:` shape that only the SystemLog file has (detection counts these). */
  withVhost: boolean;
  cursor?: YearCursor;
}

function parseSystemLine(line: string, ctx: ParseContext, state: SystemState): ParsedSystemLine | null {
  let parts: DateParts | undefined;
  let pos: number;
  let cursor: YearCursor | undefined;
  const c0 = line.charCodeAt(0);
  if (c0 >= 48 && c0 <= 57) {
    // 2026-11-23 19:14:25,500 host …
    if (line.charCodeAt(10) !== 32) return null;
    parts = isoParts(line, 0, line, 11);
    if (!parts) return null;
    pos = line.charCodeAt(19) === 44 || line.charCodeAt(19) === 46 ? line.indexOf(' ', 20) + 1 : 20;
    if (pos <= 0 || line.charCodeAt(pos - 1) !== 32) return null;
    // Some builds write two spaces after the time (proftpd/proftpd issue 1613).
    while (line.charCodeAt(pos) === 32) pos++;
  } else {
    // Nov 23 19:14:25 host … / juil. 28 16:42:17 host …
    const d = syslogDateParts(line);
    if (!d || line.charCodeAt(d.end) !== 32) return null;
    cursor = syslogYear(d.month, d.day, ctx.fileMtimeMs, state.cursor);
    parts = { year: cursor.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second, ms: d.ms };
    pos = d.end + 1;
  }
  const hostEnd = line.indexOf(' ', pos);
  if (hostEnd <= pos || !line.startsWith('proftpd[', hostEnd + 1)) return null;
  const pidStart = hostEnd + 9;
  const pidEnd = line.indexOf(']', pidStart);
  if (pidEnd <= pidStart || pidEnd - pidStart > 10) return null;
  const pidText = line.slice(pidStart, pidEnd);
  if (!/^\d+$/.test(pidText)) return null;
  const ts = zonedPartsToUtc(parts, ctx.timeZone);
  if (ts === undefined) return null;

  const pid = Number(pidText);
  const f: EventFields = { ts, tsLocal: true, pid, sessionKey: pidText };
  const extra: Extra = { host: line.slice(pos, hostEnd) };
  let withVhost: boolean;
  let message: string;
  const after = line.charCodeAt(pidEnd + 1);
  if (after === 58 /* : */ && (pidEnd + 2 === line.length || line.charCodeAt(pidEnd + 2) === 32)) {
    // host proftpd[pid]: message (no server configured yet)
    withVhost = false;
    message = line.slice(pidEnd + 3);
  } else if (after === 32) {
    const info = splitProftpdServerInfo(line.slice(pidEnd + 2), ': ');
    if (!info) return null;
    withVhost = true;
    message = info.message;
    if (info.vhost) f.server = info.vhost;
    if (info.clientIp) f.clientIp = info.clientIp;
    if (info.clientName !== undefined) extra.clientName = info.clientName;
  } else return null;
  applyProftpdMessage(message, f, extra);
  f.extra = extra;
  return cursor ? { parsed: { kind: 'event', fields: f }, withVhost, cursor } : { parsed: { kind: 'event', fields: f }, withVhost };
}

export const proftpdSystem: FormatDefinition = {
  id: 'proftpd-system',
  label: 'ProFTPD SystemLog',
  fileNameHint: /^(?:proftpd|system)(?:\.log)?(?:[.-]\d+)?(?:\.gz)?$|\.sys$/i,
  timestamp: 'YYYY-MM-DD HH:MM:SS,mmm (1.3.6+) or syslog-style Mon DD HH:MM:SS, possibly localised (year from the file date), local time (--tz)',
  extracts: 'pid (= session), host, vhost, client name and IP; from the message (ProFTPD message catalogue): user, verb (login, login-failed, session-open/close, timeout, max-login-attempts, server-start...), success/failure, reason (wrong_password, unknown_user...), level, category, protocol (FTP/SSH2 session lines), server port',
  detect(lines) {
    if (!lines.length) return 0;
    const ctx = { timeZone: 'UTC', fileMtimeMs: 0 };
    const state: SystemState = {};
    let n = 0;
    for (const l of lines) {
      // Only the `proftpd[pid] vhost…: message` shape counts: `proftpd[pid]: message` lines are
      // parsed too, but they look exactly like syslog's, which must win for syslog files.
      if (parseSystemLine(l, ctx, state)?.withVhost) n++;
    }
    return n / lines.length;
  },
  createParser(ctx, saved) {
    const state: SystemState = { ...((saved as SystemState | null) ?? {}) };
    const parser: LineParser = {
      parse(line) {
        const r = parseSystemLine(line, ctx, state);
        if (!r) return null;
        if (r.cursor) state.cursor = r.cursor;
        return r.parsed;
      },
      state: () => ({ ...state }),
      detail: () => (state.cursor ? `syslog-style dates without a year: year taken from the file date (${state.cursor.year} at the last line)` : undefined),
    };
    return parser;
  },
  samples: [
    // The real ProFTPD 1.3.8 SystemLog (test/fixtures/proftpd/logs/system.log), in file order.
    { line: '2026-11-23 19:14:25,347 vm proftpd[7237] 127.0.0.1: ProFTPD 1.3.8 (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP', expect: { ts: Date.UTC(2026, 10, 23, 19, 14, 25, 347), tsLocal: true, pid: 7237, sessionKey: '7237', server: '127.0.0.1', clientIp: undefined, verb: 'server-start', extra: { host: 'vm', messageId: 'server-startup', level: 'NOTICE', category: 'other', version: '1.3.8', release: 'stable', built: 'Fri May 1 2026 20:02:15 UTC', mode: 'standalone' } } },
    { line: '2026-11-23 19:14:25,496 vm proftpd[7273] 127.0.0.1 (127.0.0.1[127.0.0.1]): FTP session opened.', expect: { sessionKey: '7273', clientIp: '127.0.0.1', verb: 'session-open', protocol: 'ftp', message: 'FTP session opened.', extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'session-opened', level: 'INFO', category: 'session-start' } } },
    { line: '2026-11-23 19:14:25,500 vm proftpd[7273] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER alice: Login successful.', expect: { user: 'alice', verb: 'login', status: 'success', extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'login-successful', level: 'INFO', category: 'auth-success' } } },
    { line: '2026-11-23 19:14:25,926 vm proftpd[7284] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER bob (Login failed): Incorrect password', expect: { user: 'bob', verb: 'login-failed', status: 'failure', extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'login-failed', level: 'NOTICE', category: 'auth-failure', reason: 'wrong_password', reasonText: 'Incorrect password' } } },
    { line: '2026-11-23 19:14:26,338 vm proftpd[7295] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER mallory: no such user found from 127.0.0.1 [127.0.0.1] to 127.0.0.1:2121', expect: { user: 'mallory', verb: 'login-failed', status: 'failure', serverPort: 2121, extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'no-such-user', level: 'NOTICE', category: 'auth-failure', reason: 'unknown_user', serverAddress: '127.0.0.1' } } },
    { line: '2026-11-23 19:14:27,774 vm proftpd[7340] 127.0.0.1 (127.0.0.1[127.0.0.1]): SSH2 session opened.', expect: { verb: 'session-open', protocol: 'ssh2' } },
    { line: '2026-11-23 19:14:27,828 vm proftpd[7340] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER alice: Login successful', expect: { user: 'alice', verb: 'login', extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'login-successful-sftp', level: 'INFO', category: 'auth-success', duplicateOf: 'login' } } },
    { line: '2026-11-23 19:14:27,829 vm proftpd[7340] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER alice: Login successful.', expect: { user: 'alice', verb: 'login', extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'login-successful', level: 'INFO', category: 'auth-success' } } },
    { line: '2026-11-23 19:14:27,847 vm proftpd[7340] 127.0.0.1 (127.0.0.1[127.0.0.1]): SSH2 session closed.', expect: { verb: 'session-close', protocol: 'ssh2', extra: { host: 'vm', clientName: '127.0.0.1', messageId: 'session-closed', level: 'INFO', category: 'session-end' } } },
    { line: '2026-11-23 19:14:30,345 vm proftpd[7237] 127.0.0.1: ProFTPD killed (signal 15)', expect: { verb: 'server-killed', server: '127.0.0.1', extra: { host: 'vm', messageId: 'server-killed', level: 'NOTICE', category: 'other', signal: 15 } } },
    { line: '2026-11-23 19:14:30,348 vm proftpd[7237] 127.0.0.1: ProFTPD 1.3.8 standalone mode SHUTDOWN', expect: { verb: 'server-stop', extra: { host: 'vm', messageId: 'server-shutdown', level: 'NOTICE', category: 'other', version: '1.3.8', mode: 'standalone' } } },
    // FORMATS.md §3 (the lines it quotes from a SystemLog file).
    { line: '2026-11-23 18:51:02,079 vm proftpd[7920] localhost: ProFTPD 1.3.8 (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP', expect: { ts: Date.UTC(2026, 10, 23, 18, 51, 2, 79), server: 'localhost', verb: 'server-start' } },
    { line: '2026-11-23 18:51:03,164 vm proftpd[7932] localhost (localhost[127.0.0.1]): USER bob (Login failed): Incorrect password', expect: { server: 'localhost', clientIp: '127.0.0.1', user: 'bob', verb: 'login-failed', extra: { host: 'vm', clientName: 'localhost', messageId: 'login-failed', level: 'NOTICE', category: 'auth-failure', reason: 'wrong_password', reasonText: 'Incorrect password' } } },
    { line: '2026-11-23 18:51:03,575 vm proftpd[7939] localhost (localhost[127.0.0.1]): USER mallory: no such user found from localhost [127.0.0.1] to 127.0.0.1:2121', expect: { user: 'mallory', clientIp: '127.0.0.1', serverPort: 2121, extra: { host: 'vm', clientName: 'localhost', messageId: 'no-such-user', level: 'NOTICE', category: 'auth-failure', reason: 'unknown_user', serverAddress: '127.0.0.1' } } },
    // Older SystemLog files: syslog-style dates (no year: the test's file date is 2026-11-23), from
    // users' posts on the ProFTPD forums.
    { line: 'Apr 06 23:16:12 ubuntu proftpd[6073] localhost: ProFTPD killed (signal 15)', expect: { ts: Date.UTC(2026, 3, 6, 23, 16, 12), server: 'localhost', pid: 6073, verb: 'server-killed', extra: { host: 'ubuntu', messageId: 'server-killed', level: 'NOTICE', category: 'other', signal: 15 } } },
    { line: 'Apr 06 23:16:12 ubuntu proftpd[6073] localhost: ProFTPD 1.3.0 standalone mode SHUTDOWN', expect: { verb: 'server-stop' } },
    { line: 'Jun 02 08:44:16 ftp.mydomain.com proftpd[14844] ftp.mydomain.com: received SIGHUP -- master server rehashing configuration file', expect: { ts: Date.UTC(2026, 5, 2, 8, 44, 16), verb: 'server-reload' } },
    { line: 'Nov 01 10:27:18 zen proftpd[5471] localhost.localdomain (::ffff:192.168.0.1[::ffff:192.168.0.1]): PAM(test): Authentication failure.', expect: { ts: Date.UTC(2026, 10, 1, 10, 27, 18), server: 'localhost.localdomain', clientIp: '::ffff:192.168.0.1', user: 'test', verb: 'pam', extra: { host: 'zen', clientName: '::ffff:192.168.0.1', messageId: 'pam-error', level: 'NOTICE', category: 'auth-failure', duplicateOf: 'login-failed', reason: 'authentication_failure', reasonText: 'Authentication failure' } } },
    { line: 'Nov 01 10:27:18 zen proftpd[5471] localhost.localdomain (::ffff:192.168.0.1[::ffff:192.168.0.1]): USER test (Login failed): Incorrect password.', expect: { user: 'test', verb: 'login-failed', extra: { host: 'zen', clientName: '::ffff:192.168.0.1', messageId: 'login-failed', level: 'NOTICE', category: 'auth-failure', reason: 'wrong_password', reasonText: 'Incorrect password' } } },
    { line: 'Nov 01 10:43:50 zen proftpd[4812] localhost.localdomain (::ffff:192.168.0.1[::ffff:192.168.0.1]): ANON test: Login successful.', expect: { user: 'test', verb: 'login', status: 'success', extra: { host: 'zen', clientName: '::ffff:192.168.0.1', messageId: 'login-successful', level: 'INFO', category: 'auth-success', anonymous: true } } },
    { line: 'Oct 21 12:51:20 server proftpd[8721] mitjab.homelinux.net: error setting IPV6_V6ONLY: Protocol not available', expect: { ts: Date.UTC(2026, 9, 21, 12, 51, 20), server: 'mitjab.homelinux.net', message: 'error setting IPV6_V6ONLY: Protocol not available', verb: undefined } },
  ],
};
