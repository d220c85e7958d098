import { isoParts, partsToUtc, syslogDateParts, syslogYear, zonedPartsToUtc, type YearCursor } from '../time.js';
import { applyProftpdMessage, splitProftpdServerInfo, type Extra } from './proftpd-system.js';
import type { EventFields, FormatDefinition, LineParser, ParseContext, ParsedLine } from './types.js';
import { parseVsftpdLine } from './vsftpd.js';

/**
 * Generic syslog files (/var/log/messages, auth.log, daemon.log, a file rsyslog filters one program
 * into...):
 *   RFC 3164 / BSD: `Nov 24 11:03:00 host program[pid]: message` (local time, no year: the year is
 *                   inferred from the file date and followed across December → January);
 *   RFC 3339 stamps (rsyslog's high-precision file format, syslog-ng's ISO option):
 *                   `2026-11-23T18:51:02.079123+01:00 host program[pid]: message` (offset applied;
 *                   local time when there is none);
 *   RFC 5424:       `<165>1 2003-08-24T05:14:15.000003-07:00 host app procid msgid [sd] message`;
 *   an optional `<PRI>` in front of either (files written by some relays keep it).
 * Every such line is an event with host, program (extra.program), pid and message, whatever the
 * program. Lines from file-transfer programs are read further: proftpd (the ProFTPD message
 * catalogue, shared with proftpd-system), pure-ftpd, OpenSSH sftp-server / internal-sftp and sshd,
 * and vsftpd.
 */

const SEVERITY = ['EMERG', 'ALERT', 'CRIT', 'ERR', 'WARNING', 'NOTICE', 'INFO', 'DEBUG'] as const;

/** Programs whose lines are read further; also the only ones accepted without a syslog header. */
const KNOWN_PROGRAMS = new Set(['proftpd', 'pure-ftpd', 'pure-ftpd-wrapper', 'sftp-server', 'internal-sftp', 'sshd', 'sshd-session', 'vsftpd']);

const FACILITY_BY_NAME: Record<string, number> = {
  kern: 0, user: 1, mail: 2, daemon: 3, auth: 4, syslog: 5, lpr: 6, news: 7, uucp: 8, cron: 9, authpriv: 10, ftp: 11,
  local0: 16, local1: 17, local2: 18, local3: 19, local4: 20, local5: 21, local6: 22, local7: 23,
};
const SEVERITY_BY_NAME: Record<string, number> = {
  emerg: 0, alert: 1, crit: 2, err: 3, error: 3, warn: 4, warning: 4, notice: 5, info: 6, debug: 7,
};
/**
 * `ftp.info: ` before the date: socklog (the syslog daemon of many container images) writes the
 * facility and level by name where syslogd writes a `<PRI>`.
 */
const SOCKLOG_PRIORITY = /^([a-z]+[0-7]?)\.([a-z]+): /;

interface SyslogState {
  cursor?: YearCursor;
}

interface Header {
  ts?: number;
  tsLocal?: boolean;
  host?: string;
  program?: string;
  pid?: number;
  pri?: number;
  message: string;
  /** RFC 5424 MSGID and structured data, when present. */
  msgId?: string;
  structuredData?: string;
  cursor?: YearCursor;
}

/** `YYYY-MM-DDTHH:MM:SS[.frac][Z|±HH:MM|±HHMM]` → UTC ms; local (ctx zone) when there is no offset. */
function parseIsoStamp(tok: string, timeZone: string): { ts: number; local: boolean } | undefined {
  if (tok.charCodeAt(10) !== 84 /* T */) return undefined;
  const parts = isoParts(tok, 0, tok, 11);
  if (!parts) return undefined;
  let p = 19;
  if (tok.charCodeAt(p) === 46 || tok.charCodeAt(p) === 44) {
    const start = ++p;
    while (p < tok.length && tok.charCodeAt(p) >= 48 && tok.charCodeAt(p) <= 57) p++;
    // Any number of digits (rsyslog writes microseconds, some writers one digit).
    parts.ms = p > start ? Math.floor(Number('0.' + tok.slice(start, p)) * 1000) : 0;
  }
  const zone = tok.slice(p);
  if (zone === '') {
    const ts = zonedPartsToUtc(parts, timeZone);
    return ts === undefined ? undefined : { ts, local: true };
  }
  const utc = partsToUtc(parts);
  if (utc === undefined) return undefined;
  if (zone === 'Z' || zone === 'z') return { ts: utc, local: false };
  const m = /^([+-])(\d\d):?(\d\d)$/.exec(zone);
  if (!m) return undefined;
  const off = (Number(m[2]) * 60 + Number(m[3])) * 60_000;
  return { ts: m[1] === '-' ? utc + off : utc - off, local: false };
}

/** `program[pid]:` / `program:` (the token includes the colon); undefined if not a tag. */
function parseTag(tok: string): { program: string; pid?: number } | undefined {
  if (tok.length < 2 || tok.charCodeAt(tok.length - 1) !== 58) return undefined;
  const body = tok.slice(0, -1);
  const open = body.indexOf('[');
  if (open < 0) return /^[^\s[\]]+$/.test(body) ? { program: body } : undefined;
  if (open === 0 || body.charCodeAt(body.length - 1) !== 93) return undefined;
  const pid = body.slice(open + 1, -1);
  if (!/^\d{1,10}$/.test(pid)) return undefined;
  const program = body.slice(0, open);
  return /^[^\s[\]]+$/.test(program) ? { program, pid: Number(pid) } : undefined;
}

function nextToken(line: string, pos: number): [string, number] {
  const sp = line.indexOf(' ', pos);
  return sp < 0 ? [line.slice(pos), line.length] : [line.slice(pos, sp), sp + 1];
}

function parseHeader(line: string, ctx: ParseContext, state: SyslogState): Header | null {
  let p = 0;
  let pri: number | undefined;
  if (line.charCodeAt(0) === 60 /* < */) {
    const close = line.indexOf('>');
    if (close < 2 || close > 4) return null;
    const v = line.slice(1, close);
    if (!/^\d+$/.test(v) || Number(v) > 191) return null;
    pri = Number(v);
    p = close + 1;
  }
  else {
    const named = SOCKLOG_PRIORITY.exec(line);
    const facility = named && FACILITY_BY_NAME[named[1]!];
    const severity = named && SEVERITY_BY_NAME[named[2]!];
    if (named && facility != null && severity != null) {
      pri = facility * 8 + severity;
      p = named[0].length;
    }
  }
  const c = line.charCodeAt(p);
  const h: Header = { message: '' };
  if (pri !== undefined) h.pri = pri;

  // RFC 5424: VERSION SP TIMESTAMP SP HOSTNAME SP APP-NAME SP PROCID SP MSGID SP SD [SP MSG]
  if (pri !== undefined && line.charCodeAt(0) === 60 && c === 49 /* 1 */ && line.charCodeAt(p + 1) === 32) {
    const fields: string[] = [];
    let q = p + 2;
    for (let i = 0; i < 5; i++) {
      const [tok, next] = nextToken(line, q);
      if (!tok) return null;
      fields.push(tok);
      q = next;
    }
    const [stamp, host, app, procId, msgId] = fields as [string, string, string, string, string];
    if (stamp !== '-') {
      const t = parseIsoStamp(stamp, ctx.timeZone);
      if (!t) return null;
      h.ts = t.ts;
      h.tsLocal = t.local;
    }
    if (host !== '-') h.host = host;
    if (app !== '-') h.program = app;
    if (/^\d{1,10}$/.test(procId)) h.pid = Number(procId);
    if (msgId !== '-') h.msgId = msgId;
    // STRUCTURED-DATA: `-` or one or more `[id k="v"...]` (values may hold escaped `]`).
    if (line.charCodeAt(q) === 45 /* - */) q += 2;
    else if (line.charCodeAt(q) === 91 /* [ */) {
      const start = q;
      while (line.charCodeAt(q) === 91) {
        q++;
        while (q < line.length && line.charCodeAt(q) !== 93) q += line.charCodeAt(q) === 92 ? 2 : 1;
        if (q >= line.length) return null;
        q++;
      }
      h.structuredData = line.slice(start, q);
      if (line.charCodeAt(q) === 32) q++;
    } else return null;
    let msg = line.slice(Math.min(q, line.length));
    if (msg.charCodeAt(0) === 0xfeff) msg = msg.slice(1);
    else if (msg.startsWith('BOM')) msg = msg.slice(3); // RFC 5424's examples spell the UTF-8 BOM out
    h.message = msg;
    return h;
  }

  let pos: number;
  if (c >= 48 && c <= 57) {
    const [stamp, next] = nextToken(line, p);
    const t = parseIsoStamp(stamp, ctx.timeZone);
    if (!t) return null;
    h.ts = t.ts;
    h.tsLocal = t.local;
    pos = next;
  } else if (c >= 65) {
    const d = syslogDateParts(line, p);
    if (d) {
      if (line.charCodeAt(d.end) !== 32) return null;
      const cursor = syslogYear(d.month, d.day, ctx.fileMtimeMs, state.cursor);
      const ts = zonedPartsToUtc({ year: cursor.year, month: d.month, day: d.day, hour: d.hour, minute: d.minute, second: d.second, ms: d.ms }, ctx.timeZone);
      if (ts === undefined) return null;
      h.ts = ts;
      h.tsLocal = true;
      h.cursor = cursor;
      pos = d.end + 1;
    } else {
      // No header at all: accepted only for the programs we read (`pure-ftpd: (?@…) […] …`, as
      // log excerpts and SIEM samples quote them), so that arbitrary text stays unparsed.
      const [tok, next] = nextToken(line, p);
      const tag = parseTag(tok);
      if (!tag || !KNOWN_PROGRAMS.has(tag.program)) return null;
      h.program = tag.program;
      if (tag.pid !== undefined) h.pid = tag.pid;
      h.message = line.slice(next);
      return h;
    }
  } else return null;

  // HOSTNAME, then TAG. A "host" ending with a colon is a tag from a writer that omits the host.
  const [first, afterFirst] = nextToken(line, pos);
  if (!first) return null;
  let tagPos = afterFirst;
  let tag = first.endsWith(':') ? parseTag(first) : undefined;
  if (!tag) {
    h.host = first;
    const [tok, afterTag] = nextToken(line, afterFirst);
    tag = parseTag(tok);
    tagPos = tag ? afterTag : afterFirst;
  }
  if (tag) {
    h.program = tag.program;
    if (tag.pid !== undefined) h.pid = tag.pid;
  }
  h.message = line.slice(tagPos);
  return h;
}

/** True for the lines detection counts: a tag, or syslogd's own bookkeeping lines. */
function isSyslogShaped(h: Header): boolean {
  return h.program !== undefined || /^(?:last message repeated \d+ times?|-- MARK --|message repeated \d+ times?:.*)$/.test(h.message);
}

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
function looksLikeIp(s: string): boolean {
  return IPV4.test(s) || (s.includes(':') && /^[0-9a-fA-F:.]+$/.test(s));
}

// ---------------------------------------------------------------- pure-ftpd

const PURE_HEAD = /^\((?<user>[^@)]*)@(?<host>[^)]*)\) (?:\[(?<level>[A-Z]+)\] )?(?<text>.*)$/;
const PURE_TRANSFER = /^(?<path>.+?) (?<kind>uploaded|partially uploaded|downloaded)\s+\((?<bytes>\d+) bytes, (?<speed>[\d.]+\s*[KMGT]?B\/sec)\)$/;

/** `(user@host) [LEVEL] text` as Pure-FTPd logs to syslog (user `?` before login). */
export function parsePureFtpdMessage(message: string, f: EventFields, extra: Extra): void {
  const m = PURE_HEAD.exec(message);
  if (!m?.groups) return;
  const g = m.groups as { user: string; host: string; level?: string; text: string };
  f.protocol = 'ftp';
  if (g.user && g.user !== '?') f.user = g.user;
  if (looksLikeIp(g.host)) f.clientIp = g.host;
  else if (g.host) extra.clientName = g.host;
  if (g.level) extra.level = g.level;
  const text = g.text;
  f.message = text;
  let r: RegExpExecArray | null;
  if ((r = /^New connection from (.+)$/.exec(text))) {
    f.verb = 'connect';
    extra.category = 'session-start';
  } else if ((r = /^(.+) is now logged in$/.exec(text))) {
    f.verb = 'login';
    f.user = r[1];
    f.status = 'success';
    extra.category = 'auth-success';
  } else if (/^Logout\.?$/.test(text)) {
    f.verb = 'logout';
    extra.category = 'session-end';
  } else if ((r = /^Authentication failed for user \[(.*)\]$/.exec(text))) {
    f.verb = 'login-failed';
    f.user = r[1];
    f.status = 'failure';
    extra.category = 'auth-failure';
    extra.reason = 'authentication_failed';
  } else if ((r = /^Can't login as \[(.*)\]: account disabled$/.exec(text))) {
    f.verb = 'login-failed';
    f.user = r[1];
    f.status = 'failure';
    extra.category = 'auth-failure';
    extra.reason = 'account_disabled';
  } else if ((r = PURE_TRANSFER.exec(text))) {
    const t = r.groups as { path: string; kind: string; bytes: string; speed: string };
    f.verb = t.kind === 'downloaded' ? 'download' : 'upload';
    f.path = t.path;
    f.bytes = Number(t.bytes);
    f.status = t.kind === 'partially uploaded' ? 'failure' : 'success';
    extra.speed = t.speed;
    if (t.kind === 'partially uploaded') extra.partial = true;
    extra.category = 'transfer';
  } else if (/^Timeout\b/.test(text)) {
    f.verb = 'timeout';
    extra.category = 'session-end';
  } else if (/users \(the maximum\) are already logged in|^Too many connections/.test(text)) {
    f.verb = 'connection-refused';
    f.status = 'failure';
    extra.category = 'resource-exhaustion';
  }
}

// ---------------------------------------------------------------- OpenSSH sftp-server / internal-sftp

interface MessageRule {
  re: RegExp;
  apply(g: Record<string, string | undefined>, f: EventFields, extra: Extra): void;
}

function runRules(rules: readonly MessageRule[], message: string, f: EventFields, extra: Extra): boolean {
  for (const rule of rules) {
    const m = rule.re.exec(message);
    if (m) {
      rule.apply(m.groups ?? {}, f, extra);
      return true;
    }
  }
  return false;
}

function clientAddress(ip: string | undefined, f: EventFields): void {
  if (ip && ip !== 'UNKNOWN') f.clientIp = ip;
}

/** sftp-server's log lines (`-l INFO`/`VERBOSE`): sftp-server.c's logit() wording. */
const SFTP_RULES: readonly MessageRule[] = [
  { re: /^session opened for local user (?<user>\S+) from \[(?<ip>[^\]]*)\]$/, apply: (g, f, x) => { f.verb = 'session-open'; f.user = g.user; clientAddress(g.ip, f); x.category = 'session-start'; } },
  { re: /^session closed for local user (?<user>\S+)(?: from \[(?<ip>[^\]]*)\])?$/, apply: (g, f, x) => { f.verb = 'session-close'; f.user = g.user; clientAddress(g.ip, f); x.category = 'session-end'; } },
  { re: /^open "(?<path>.*)" flags (?<flags>\S+) mode 0?(?<mode>[0-7]+)$/, apply: (g, f, x) => { f.verb = 'open'; f.path = g.path; x.flags = g.flags!; x.mode = g.mode!; x.category = 'transfer'; } },
  {
    re: /^close "(?<path>.*)" bytes read (?<read>\d+) written (?<written>\d+)$/,
    apply: (g, f, x) => {
      const read = Number(g.read), written = Number(g.written);
      f.verb = 'close';
      f.path = g.path;
      f.bytes = read + written;
      x.bytesRead = read;
      x.bytesWritten = written;
      if (written > 0 || read > 0) x.direction = written >= read ? 'upload' : 'download';
      x.category = 'transfer';
    },
  },
  { re: /^(?<verb>opendir|closedir|realpath) "(?<path>.*)"$/, apply: (g, f) => { f.verb = g.verb; f.path = g.path; } },
  { re: /^(?<verb>remove|rmdir|lstat|stat) name "(?<path>.*)"$/, apply: (g, f) => { f.verb = g.verb; f.path = g.path; } },
  { re: /^mkdir name "(?<path>.*)" mode 0?(?<mode>[0-7]+)$/, apply: (g, f, x) => { f.verb = 'mkdir'; f.path = g.path; x.mode = g.mode!; } },
  { re: /^(?<verb>rename|posix-rename|symlink|hardlink) old "(?<path>.*)" new "(?<to>.*)"$/, apply: (g, f, x) => { f.verb = g.verb === 'posix-rename' ? 'rename' : g.verb; f.path = g.path; x.to = g.to!; } },
  { re: /^set "(?<path>.*)" (?<what>.+)$/, apply: (g, f, x) => { f.verb = 'setstat'; f.path = g.path; x.attributes = g.what!; } },
  { re: /^sent status (?<status>.+)$/, apply: (g, f) => { f.verb = 'status'; f.status = g.status; } },
  { re: /^received client version (?<v>\d+)$/, apply: (g, f, x) => { f.verb = 'version'; x.sftpVersion = Number(g.v); } },
];

/** sshd lines that matter for SFTP/SCP logins. */
const SSHD_RULES: readonly MessageRule[] = [
  {
    re: /^Accepted (?<method>\S+) for (?<user>.+?) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?(?:: (?<key>.*))?$/,
    apply: (g, f, x) => { f.verb = 'login'; f.status = 'success'; f.user = g.user; f.clientIp = g.ip; f.clientPort = Number(g.port); x.authMethod = g.method!; x.category = 'auth-success'; },
  },
  {
    re: /^Failed (?<method>\S+) for (?<invalid>invalid user )?(?<user>.*?) from (?<ip>\S+) port (?<port>\d+)(?: ssh2)?$/,
    apply: (g, f, x) => {
      f.verb = 'login-failed'; f.status = 'failure'; f.user = g.user; f.clientIp = g.ip; f.clientPort = Number(g.port);
      x.authMethod = g.method!;
      x.category = 'auth-failure';
      x.reason = g.invalid ? 'unknown_user' : g.method === 'password' ? 'wrong_password' : `${g.method}_failed`;
    },
  },
  {
    // Logged when the name is unknown, before (and besides) the "Failed … for invalid user" lines.
    re: /^Invalid user (?<user>.*?) from (?<ip>\S+)(?: port (?<port>\d+))?$/,
    apply: (g, f, x) => { f.verb = 'invalid-user'; f.status = 'failure'; f.user = g.user; f.clientIp = g.ip; if (g.port) f.clientPort = Number(g.port); x.category = 'auth-failure'; x.reason = 'unknown_user'; },
  },
  { re: /^subsystem request for (?<subsystem>\S+) by user (?<user>\S+)/, apply: (g, f, x) => { f.verb = 'subsystem'; f.user = g.user; x.subsystem = g.subsystem!; if (g.subsystem === 'sftp') f.protocol = 'sftp'; } },
  { re: /^pam_unix\([^:)]+:session\): session (?<what>opened|closed) for user (?<user>[^\s(]+)/, apply: (g, f, x) => { f.verb = g.what === 'opened' ? 'session-open' : 'session-close'; f.user = g.user; x.category = g.what === 'opened' ? 'session-start' : 'session-end'; } },
  { re: /^Disconnected from (?:(?:authenticating |invalid )?user (?<user>\S+) )?(?<ip>\S+) port (?<port>\d+)/, apply: (g, f, x) => { f.verb = 'disconnect'; if (g.user) f.user = g.user; f.clientIp = g.ip; f.clientPort = Number(g.port); x.category = 'session-end'; } },
  { re: /^Received disconnect from (?<ip>\S+?):? port (?<port>\d+)/, apply: (g, f, x) => { f.verb = 'disconnect'; f.clientIp = g.ip; f.clientPort = Number(g.port); x.category = 'session-end'; } },
  { re: /^Connection closed by (?:(?:authenticating |invalid )?user (?<user>\S+) )?(?<ip>\S+) port (?<port>\d+)/, apply: (g, f, x) => { f.verb = 'disconnect'; if (g.user) f.user = g.user; f.clientIp = g.ip; f.clientPort = Number(g.port); x.category = 'session-end'; } },
];

// ---------------------------------------------------------------- vsftpd (syslog_enable=YES)

/**
 * With syslog_enable=YES vsftpd sends its vsftpd.log line without the date:
 * `[pid N] [user] OK UPLOAD: Client "ip", "/path", 412934 bytes, 295.34Kbyte/sec`. The vsftpd
 * format reads that layout after its ctime date; rather than a second copy of its rules, the message
 * is handed to it behind a fixed date, and everything but the time is kept.
 */
const VSFTPD_DATE = 'Sat Jan  1 00:00:00 2000 ';

export function parseVsftpdMessage(message: string, pid: number | undefined, f: EventFields, extra: Extra): void {
  const body = message.startsWith('[pid ') || pid === undefined ? message : `[pid ${pid}] ${message}`;
  const parsed = parseVsftpdLine(VSFTPD_DATE + body, { timeZone: 'UTC', fileMtimeMs: 0 });
  if (!parsed) return;
  const { ts: _ts, tsLocal: _local, extra: more, ...fields } = parsed.fields;
  Object.assign(f, fields);
  f.protocol = 'ftp';
  if (more) Object.assign(extra, more);
}

// ---------------------------------------------------------------- the line parser

function parseSyslogLine(line: string, ctx: ParseContext, state: SyslogState): { parsed: ParsedLine; header: Header } | null {
  const h = parseHeader(line, ctx, state);
  if (!h) return null;
  const f: EventFields = {};
  if (h.ts !== undefined) {
    f.ts = h.ts;
    f.tsLocal = h.tsLocal ?? false;
  }
  const extra: Extra = {};
  if (h.host) {
    f.server = h.host;
    extra.host = h.host;
  }
  if (h.program) extra.program = h.program;
  if (h.pid !== undefined) f.pid = h.pid;
  if (h.pri !== undefined) {
    extra.facility = h.pri >> 3;
    extra.level = SEVERITY[h.pri & 7]!;
  }
  if (h.msgId) extra.msgId = h.msgId;
  if (h.structuredData) extra.structuredData = h.structuredData;
  const message = h.message.trimEnd();
  f.message = message;

  const program = h.program ? h.program.slice(h.program.lastIndexOf('/') + 1).toLowerCase() : '';
  const sessionKey = h.pid !== undefined ? String(h.pid) : undefined;
  switch (program) {
    case 'proftpd': {
      // `vhost (client[ip]) - message`, or a bare message before the server is configured.
      const info = splitProftpdServerInfo(message, ' - ');
      if (info) {
        if (info.vhost) f.server = info.vhost;
        if (info.clientIp) f.clientIp = info.clientIp;
        if (info.clientName !== undefined) extra.clientName = info.clientName;
      }
      applyProftpdMessage(info ? info.message : message, f, extra);
      if (sessionKey) f.sessionKey = sessionKey;
      break;
    }
    case 'pure-ftpd':
      parsePureFtpdMessage(message, f, extra);
      break;
    case 'sftp-server':
    case 'internal-sftp':
      f.protocol = 'sftp';
      if (sessionKey) f.sessionKey = sessionKey;
      runRules(SFTP_RULES, message, f, extra);
      break;
    case 'sshd':
    case 'sshd-session':
      if (sessionKey) f.sessionKey = sessionKey;
      // internal-sftp may log under sshd's name.
      if (runRules(SSHD_RULES, message, f, extra)) f.protocol ??= 'ssh2';
      else if (runRules(SFTP_RULES, message, f, extra)) f.protocol = 'sftp';
      break;
    case 'vsftpd':
      if (sessionKey) f.sessionKey = sessionKey;
      parseVsftpdMessage(message, h.pid, f, extra);
      break;
  }
  if (Object.keys(extra).length) f.extra = extra;
  return { parsed: { kind: 'event', fields: f }, header: h };
}

export const syslog: FormatDefinition = {
  id: 'syslog',
  label: 'syslog (RFC 3164 / RFC 3339 / RFC 5424)',
  fileNameHint: /^(?:messages|syslog|auth\.log|secure|daemon\.log|user\.log|local\d\.log|ftp\.log)(?:[.-]\d+)?(?:\.gz)?$/i,
  timestamp: 'Mon DD HH:MM:SS local time (--tz; year from the file date), or RFC 3339 with its offset',
  extracts: 'host, program, pid, message, PRI facility/level; proftpd (message catalogue: user, verb, outcome, reason, level, category, client), pure-ftpd (client, user, login/logout/failures, uploads/downloads with bytes and speed), OpenSSH sftp-server/internal-sftp (open/close with path, flags and bytes, sessions) and sshd (accepted/failed logins), vsftpd (also its own log lines mixed in); socklog `facility.level:` prefixes',
  detect(lines) {
    if (!lines.length) return 0;
    const ctx = { timeZone: 'UTC', fileMtimeMs: 0 };
    const state: SyslogState = {};
    let n = 0;
    for (const l of lines) {
      // Lines without a `program[pid]:` tag still parse (as events) but do not count: ProFTPD's
      // SystemLog file (`proftpd[pid] vhost: message`) has that shape and belongs to proftpd-system.
      const r = parseSyslogLine(l, ctx, state);
      if (r && isSyslogShaped(r.header)) n++;
    }
    return n / lines.length;
  },
  createParser(ctx, saved) {
    const state: SyslogState = { ...((saved as SyslogState | null) ?? {}) };
    const parser: LineParser = {
      parse(line) {
        const r = parseSyslogLine(line, ctx, state);
        // vsftpd's own log lines (`Fri Jan 19 12:20:33 2007 [pid 27202] …`) among its syslog lines,
        // as in a file that gathers every line about one service.
        if (!r) return parseVsftpdLine(line, ctx);
        if (r.header.cursor) state.cursor = r.header.cursor;
        return r.parsed;
      },
      state: () => ({ ...state }),
      detail: () => (state.cursor ? `dates without a year: year taken from the file date (${state.cursor.year} at the last line)` : undefined),
    };
    return parser;
  },
  samples: [
    // Pure-FTPd's syslog messages: FORMATS.md §4 quotes one without its syslog header (as OSSEC's log
    // samples do); whole lines from an ISPConfig server's syslog.
    { line: 'pure-ftpd: (?@24.79.92.194) [WARNING] Authentication failed for user [Administrator]', expect: { ts: undefined, clientIp: '24.79.92.194', user: 'Administrator', verb: 'login-failed', status: 'failure', protocol: 'ftp', message: 'Authentication failed for user [Administrator]', extra: { program: 'pure-ftpd', level: 'WARNING', category: 'auth-failure', reason: 'authentication_failed' } } },
    { line: 'Jan 18 06:50:02 server1 pure-ftpd: (?@localhost.localdomain) [INFO] New connection from localhost.localdomain', expect: { ts: Date.UTC(2026, 0, 18, 6, 50, 2), clientIp: undefined, verb: 'connect', extra: { host: 'server1', program: 'pure-ftpd', clientName: 'localhost.localdomain', level: 'INFO', category: 'session-start' } } },
    { line: 'Jan 18 06:50:02 server1 postfix/smtpd[18758]: connect from localhost.localdomain[127.0.0.1]', expect: { pid: 18758, sessionKey: undefined, verb: undefined, message: 'connect from localhost.localdomain[127.0.0.1]', extra: { host: 'server1', program: 'postfix/smtpd' } } },
    { line: 'Jun  6 11:14:02 server1 pure-ftpd: (?@::1) [INFO] New connection from ::1', expect: { ts: Date.UTC(2026, 5, 6, 11, 14, 2), server: 'server1', clientIp: '::1', user: undefined, verb: 'connect', extra: { host: 'server1', program: 'pure-ftpd', level: 'INFO', category: 'session-start' } } },
    { line: 'Jun  6 11:14:02 server1 pure-ftpd: (?@::1) [INFO] Logout.', expect: { verb: 'logout' } },
    // FORMATS.md §3: ProFTPD through syslog; then lines from users' reports (linux-kernel list, forums).
    // Samples run in date order: one parser reads them all, and a month going back by more than half a
    // year would move the inferred year on.
    { line: 'May 31 10:53:25 mail proftpd[15302]: xxxxxxxxxx (::ffff:1.2.3.4[::ffff:1.2.3.4]) - Maximum login attempts (3) exceeded', expect: { ts: Date.UTC(2026, 4, 31, 10, 53, 25), tsLocal: true, server: 'xxxxxxxxxx', pid: 15302, sessionKey: '15302', clientIp: '::ffff:1.2.3.4', verb: 'max-login-attempts', status: 'failure', message: 'Maximum login attempts (3) exceeded', extra: { host: 'mail', program: 'proftpd', clientName: '::ffff:1.2.3.4', messageId: 'max-login-attempts', level: 'NOTICE', category: 'auth-failure', reason: 'max_login_attempts', count: 3 } } },
    { line: 'Oct 28 17:23:30 Deacon proftpd[10662]: Deacon.itchyscratchy.org (192.168.0.30[192.168.0.30]) - USER lori (Login failed): Incorrect password. ', expect: { ts: Date.UTC(2026, 9, 28, 17, 23, 30), server: 'Deacon.itchyscratchy.org', clientIp: '192.168.0.30', user: 'lori', verb: 'login-failed', extra: { host: 'Deacon', program: 'proftpd', clientName: '192.168.0.30', messageId: 'login-failed', level: 'NOTICE', category: 'auth-failure', reason: 'wrong_password', reasonText: 'Incorrect password' } } },
    { line: 'Oct 28 17:23:30 Deacon proftpd[10662]: Deacon.itchyscratchy.org (192.168.0.30[192.168.0.30]) - FTP session closed. ', expect: { verb: 'session-close', protocol: 'ftp', sessionKey: '10662' } },
    { line: 'Nov 13 15:43:11 endgame proftpd[6188]: endgame.sonic.net - ProFTPD killed (signal 15) ', expect: { ts: Date.UTC(2026, 10, 13, 15, 43, 11), server: 'endgame.sonic.net', clientIp: undefined, verb: 'server-killed', extra: { host: 'endgame', program: 'proftpd', messageId: 'server-killed', level: 'NOTICE', category: 'other', signal: 15 } } },
    { line: 'Nov 13 15:43:21 endgame proftpd[7150]: endgame.sonic.net - ProFTPD 1.3.1 (stable) (built Wed Jun 18 06:16:21 UTC 2008) standalone mode STARTUP ', expect: { verb: 'server-start' } },
    { line: 'Nov 13 15:35:13 endgame last message repeated 4 times', expect: { server: 'endgame', message: 'last message repeated 4 times', extra: { host: 'endgame' } } },
    // pgBackRest's test notes: sftp-server through syslog.
    { line: 'Jul 13 16:38:33 localhost sftp-server[340225]: mkdir name "/home/vagrant/test/test-0/pg" mode 0766', expect: { ts: Date.UTC(2026, 6, 13, 16, 38, 33), verb: 'mkdir', path: '/home/vagrant/test/test-0/pg', protocol: 'sftp', extra: { host: 'localhost', program: 'sftp-server', mode: '766' } } },
    // RFC 3164 §5.4.
    { line: "<34>Oct 11 22:14:15 mymachine su: 'su root' failed for lonvick on /dev/pts/8", expect: { ts: Date.UTC(2026, 9, 11, 22, 14, 15), server: 'mymachine', message: "'su root' failed for lonvick on /dev/pts/8", extra: { host: 'mymachine', program: 'su', facility: 4, level: 'CRIT' } } },
    // OpenSSH internal-sftp with -l VERBOSE, filtered to its own file by rsyslog (a blog post's
    // /var/log/sftp.log); FORMATS.md §4 quotes the same open/close messages.
    { line: 'Nov 24 11:02:31 sftpserver internal-sftp[32]: session opened for local user guest from [172.17.0.1]', expect: { ts: Date.UTC(2026, 10, 24, 11, 2, 31), server: 'sftpserver', pid: 32, sessionKey: '32', user: 'guest', clientIp: '172.17.0.1', protocol: 'sftp', verb: 'session-open' } },
    { line: 'Nov 24 11:03:00 sftpserver internal-sftp[32]: open "/archives/testfile" flags WRITE,CREATE,TRUNCATE mode 0644', expect: { verb: 'open', path: '/archives/testfile', extra: { host: 'sftpserver', program: 'internal-sftp', flags: 'WRITE,CREATE,TRUNCATE', mode: '644', category: 'transfer' } } },
    { line: 'Nov 24 11:03:00 sftpserver internal-sftp[32]: close "/archives/testfile" bytes read 0 written 12', expect: { verb: 'close', path: '/archives/testfile', bytes: 12, extra: { host: 'sftpserver', program: 'internal-sftp', bytesRead: 0, bytesWritten: 12, direction: 'upload', category: 'transfer' } } },
    { line: 'Nov 24 11:03:12 sftpserver internal-sftp[32]: remove name "/archives/testfile"', expect: { verb: 'remove', path: '/archives/testfile' } },
    { line: 'Nov 24 11:03:16 sftpserver internal-sftp[32]: session closed for local user guest from [172.17.0.1]', expect: { verb: 'session-close', user: 'guest' } },
    // The Loghub OpenSSH data set.
    { line: 'Dec 10 06:55:46 LabSZ sshd[24200]: Invalid user webmaster from 173.234.31.186', expect: { ts: Date.UTC(2026, 11, 10, 6, 55, 46), user: 'webmaster', clientIp: '173.234.31.186', verb: 'invalid-user', protocol: 'ssh2' } },
    { line: 'Dec 10 06:55:48 LabSZ sshd[24200]: Failed password for invalid user webmaster from 173.234.31.186 port 38926 ssh2', expect: { user: 'webmaster', clientIp: '173.234.31.186', clientPort: 38926, verb: 'login-failed', status: 'failure', extra: { host: 'LabSZ', program: 'sshd', authMethod: 'password', category: 'auth-failure', reason: 'unknown_user' } } },
    { line: 'Dec 10 09:32:20 LabSZ sshd[24680]: Accepted password for fztu from 119.137.62.142 port 49116 ssh2', expect: { user: 'fztu', clientIp: '119.137.62.142', clientPort: 49116, verb: 'login', status: 'success', protocol: 'ssh2', sessionKey: '24680', extra: { host: 'LabSZ', program: 'sshd', authMethod: 'password', category: 'auth-success' } } },
    // RFC 5424 §6.5, examples 1 and 3 (the RFC writes the UTF-8 BOM as "BOM").
    { line: "<34>1 2003-10-11T22:14:15.003Z mymachine.example.com su - ID47 - BOM'su root' failed for lonvick on /dev/pts/8", expect: { ts: Date.UTC(2003, 9, 11, 22, 14, 15, 3), tsLocal: false, server: 'mymachine.example.com', message: "'su root' failed for lonvick on /dev/pts/8", extra: { host: 'mymachine.example.com', program: 'su', facility: 4, level: 'CRIT', msgId: 'ID47' } } },
    { line: '<165>1 2003-10-11T22:14:15.003Z mymachine.example.com evntslog - ID47 [exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"] BOMAn application event log entry...', expect: { message: 'An application event log entry...', extra: { host: 'mymachine.example.com', program: 'evntslog', facility: 20, level: 'NOTICE', msgId: 'ID47', structuredData: '[exampleSDID@32473 iut="3" eventSource="Application" eventID="1011"]' } } },
  ],
};
