import { digits, isoParts, monthFromName, zonedPartsToUtc, type DateParts } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParseContext, ParsedLine } from './types.js';

/**
 * ProFTPD module logs: mod_sftp's `SFTPLog`, mod_tls's `TLSLog` and the other modules that write their
 * own file the same way (mod_ban, mod_sql's SQLLogFile, mod_quotatab, mod_wrap2, mod_proxy...):
 *
 *   2026-11-23 19:14:27,828 mod_sftp/1.1.1[7340]: user 'alice' authenticated via 'password' method
 *
 * Local time with milliseconds (1.3.5+; before that `Mmm dd HH:MM:SS`, no year: taken from the file's
 * modification time), no host name, `module/version[pid]:`, then the message. The pid is the session
 * process, the same as the SystemLog's `proftpd[pid]` and the ExtendedLog's `%P`, so it is the
 * sessionKey that links the logs of one connection. Messages that matter (connections, client
 * versions, negotiated algorithms, logins, TLS handshakes, disconnects) are turned into verbs and
 * fields; every other message is kept whole as the message.
 */

const HEAD = /^(?:(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d{1,6})?)|(\S{3,5} {1,2}\d{1,2} \d\d:\d\d:\d\d)) (mod_[A-Za-z0-9_]+)(?:\/([^\s[\]]+))?\[(\d+)\]: ?(.*)$/;

/**
 * ProFTPD's Trace output (TraceLog, or SFTPLog/TLSLog when a module traces into its own log):
 * `2024-12-05 00:20:05,696 [121728] <sftp:7>: received request: INIT 3`: pid, then channel:level.
 */
const TRACE_HEAD = /^(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d(?:[,.]\d{1,6})?) \[(\d+)\] <([A-Za-z0-9_.-]+):(\d+)>: ?(.*)$/;

/** The trace channel's module, so that trace and module lines of one log share `extra.module`. */
const MODULE_BY_TRACE_CHANNEL: Record<string, string> = { sftp: 'mod_sftp', ssh2: 'mod_sftp', scp: 'mod_sftp', tls: 'mod_tls' };

/** `Mmm dd HH:MM:SS` (no year): the latest such date not after the file's mtime (+1 day of slack). */
function syslogParts(s: string, mtimeMs: number): DateParts | undefined {
  const sp = s.indexOf(' ');
  const month = monthFromName(s.slice(0, sp));
  const rest = s.slice(sp).trimStart();
  const day = Number(rest.slice(0, rest.indexOf(' ')));
  const t = rest.slice(rest.indexOf(' ') + 1);
  const hour = digits(t, 0, 2), minute = digits(t, 3, 2), second = digits(t, 6, 2);
  if (!month || Number.isNaN(hour + minute + second)) return undefined;
  const ref = new Date(mtimeMs || Date.now());
  let year = ref.getUTCFullYear();
  if (Date.UTC(year, month - 1, day) > ref.getTime() + 86_400_000) year--;
  return { year, month, day, hour, minute, second, ms: 0 };
}

/** ` + Session client-to-server encryption: aes128-ctr` → extra keys. */
const SESSION_SETTING: Record<string, string> = {
  'key exchange': 'kex',
  'host key algorithm': 'hostKeyAlgorithm',
  'server hostkey': 'serverHostKey',
  'client-to-server encryption': 'cipherClientToServer',
  'server-to-client encryption': 'cipherServerToClient',
  'client-to-server mac': 'macClientToServer',
  'server-to-client mac': 'macServerToClient',
  'client-to-server compression': 'compressionClientToServer',
  'server-to-client compression': 'compressionServerToClient',
};

function camel(words: string): string {
  return words.toLowerCase().replace(/[^a-z0-9]+([a-z0-9])/g, (_, c: string) => c.toUpperCase()).replace(/[^a-zA-Z0-9]/g, '');
}

/** `127.0.0.1:45976` or `::ffff:1.2.3.4:45976` → address and port. */
function splitHostPort(s: string): [string, number] | undefined {
  const colon = s.lastIndexOf(':');
  if (colon <= 0) return undefined;
  const port = Number(s.slice(colon + 1));
  return Number.isInteger(port) ? [s.slice(0, colon), port] : undefined;
}

type Extra = Record<string, string | number | boolean>;

/** Recognised mod_sftp messages (mod_sftp 0.9 - 1.1: kex.c, auth*.c, channel.c, fxp.c, disconnect.c). */
function sftpMessage(msg: string, f: EventFields, extra: Extra): void {
  let m: RegExpExecArray | null;
  if ((m = /^client \((\S+)\) connected to server \((\S+)\)$/.exec(msg))) {
    f.verb = 'connect';
    const client = splitHostPort(m[1]!), server = splitHostPort(m[2]!);
    if (client) [f.clientIp, f.clientPort] = client;
    if (server) {
      extra.serverIp = server[0];
      f.serverPort = server[1];
    }
  } else if ((m = /^ \+ Session (.+?): (.*)$/.exec(msg))) {
    f.verb = 'kex';
    extra[SESSION_SETTING[m[1]!.toLowerCase()] ?? camel(m[1]!)] = m[2]!;
  } else if ((m = /^user '(.*)' authenticated via '(.*)' method$/.exec(msg))) {
    f.verb = 'login';
    f.user = m[1];
    extra.method = m[2]!;
  } else if ((m = /^(\S+) authentication for user '(.*)' failed: (.*)$/.exec(msg))) {
    f.verb = 'login-failed';
    f.user = m[2];
    extra.method = m[1]!;
    extra.reason = m[3]!;
  } else if ((m = /^no account for user '(.*)' found$/.exec(msg))) {
    f.verb = 'login-failed';
    f.user = m[1];
    extra.reason = 'no such user';
  } else if ((m = /^received client version '(.*)'$/.exec(msg))) {
    f.verb = 'client-version';
    extra.clientVersion = m[1]!;
  } else if ((m = /^handling connection from SSH2 client '(.*)'$/.exec(msg))) {
    f.verb = 'client-version';
    extra.clientSoftware = m[1]!;
  } else if ((m = /^sent server version '(.*)'$/.exec(msg))) {
    f.verb = 'server-version';
    extra.serverVersion = m[1]!;
  } else if ((m = /^using '(.*)' as (.+?) hostkey(?: \((\d+) bits\))?$/.exec(msg))) {
    f.verb = 'hostkey';
    extra.hostKeyFile = m[1]!;
    extra.hostKeyType = m[2]!;
  } else if ((m = /^sending acceptable userauth methods: (.*)$/.exec(msg))) {
    f.verb = 'auth-methods';
    extra.methods = m[1]!;
  } else if (msg === 'sending userauth success') {
    f.verb = 'userauth-success';
  } else if ((m = /^sending userauth failure; remaining userauth methods: (.*)$/.exec(msg))) {
    f.verb = 'userauth-failure';
    extra.methods = m[1]!;
  } else if ((m = /^'(.*)' channel request for '(.*)' subsystem$/.exec(msg))) {
    f.verb = 'channel-request';
    extra.channelRequest = m[1]!;
    extra.subsystem = m[2]!;
    if (m[2] === 'sftp') f.protocol = 'sftp';
  } else if ((m = /^using SFTP protocol version (\d+) for this session/.exec(msg))) {
    f.verb = 'sftp-version';
    extra.sftpVersion = Number(m[1]);
    f.protocol = 'sftp';
  } else if ((m = /^creating directory '(.*)' with mode (\d+)$/.exec(msg))) {
    f.verb = 'mkdir';
    f.path = m[1];
    extra.mode = m[2]!;
  } else if ((m = /^client set (?:modification|access) time of '(.*)' to (.*)$/.exec(msg))) {
    f.verb = 'setstat';
    f.path = m[1];
  } else if ((m = /^requested read offset \((\d+) bytes\) greater than size of '(.*)' \((\d+) bytes\)$/.exec(msg))) {
    f.verb = 'read-eof';
    f.path = m[2];
    extra.offset = Number(m[1]);
    extra.fileSize = Number(m[3]);
  } else if ((m = /^client requested (\S+) flag in OPEN command and '(.*)' does not exist$/.exec(msg))) {
    f.verb = 'open-failed';
    f.path = m[2];
    extra.reason = 'does not exist';
  } else if ((m = /^client at (\S+) sent SSH_DISCONNECT message: (.*)$/.exec(msg))) {
    f.verb = 'disconnect';
    f.clientIp = m[1];
    extra.reason = m[2]!;
  } else if ((m = /^disconnecting client(?: at (\S+))? \((.*)\)$/.exec(msg)) || (m = /^disconnecting client(?: at (\S+))?(?:: (.*))?$/.exec(msg))) {
    f.verb = 'disconnect';
    if (m[1]) f.clientIp = m[1];
    if (m[2]) extra.reason = m[2];
  }
}

/** Recognised mod_tls messages (mod_tls 2.x). */
function tlsMessage(msg: string, f: EventFields, extra: Extra): void {
  let m: RegExpExecArray | null;
  if ((m = /^(\S+) requested, starting TLS handshake$/.exec(msg))) {
    f.verb = 'handshake';
    extra.authCommand = m[1]!;
  } else if ((m = /^(\S+) (data )?connection accepted, using cipher (\S+) \((\d+) bits(, resumed session)?\)$/.exec(msg))) {
    f.verb = 'tls-accepted';
    extra.tlsVersion = m[1]!;
    extra.channel = m[2] ? 'data' : 'control';
    extra.cipher = m[3]!;
    extra.cipherBits = Number(m[4]);
    if (m[5]) extra.resumed = true;
  } else if ((m = /^Protection set to (\S+)$/.exec(msg))) {
    f.verb = 'prot';
    extra.protection = m[1]!;
  } else if ((m = /^(?:unable to accept TLS connection|TLS\/TLS-C negotiation failed on control channel|SSL\/TLS required but absent)(.*)$/.exec(msg))) {
    f.verb = 'tls-failed';
    if (m[1]) extra.reason = m[1].replace(/^[:,]\s*/, '');
  } else if (/^client did not reuse SSL session/.test(msg)) {
    f.verb = 'tls-failed';
    extra.reason = 'data connection did not reuse the TLS session';
  }
}

function parseTraceLine(line: string, ctx: ParseContext): ParsedLine | null {
  const m = TRACE_HEAD.exec(line);
  if (!m) return null;
  const parts = isoParts(m[1]!, 0, m[1]!, 11);
  const ts = parts && zonedPartsToUtc(parts, ctx.timeZone);
  if (ts === undefined) return null;
  const channel = m[3]!;
  const extra: Extra = { traceChannel: channel, traceLevel: Number(m[4]) };
  const module = MODULE_BY_TRACE_CHANNEL[channel];
  if (module) extra.module = module;
  const f: EventFields = { ts, tsLocal: true, pid: Number(m[2]), sessionKey: m[2], message: m[5]!.trim(), extra };
  if (module === 'mod_sftp') f.protocol = 'sftp';
  else if (module === 'mod_tls') f.protocol = 'ftps';
  return { kind: 'event', fields: f };
}

function parseModLine(line: string, ctx: ParseContext): ParsedLine | null {
  const m = HEAD.exec(line);
  if (!m) return parseTraceLine(line, ctx);
  let parts: DateParts | undefined;
  if (m[1]) parts = isoParts(m[1], 0, m[1], 11);
  else parts = syslogParts(m[2]!, ctx.fileMtimeMs);
  if (!parts) return null;
  const ts = zonedPartsToUtc(parts, ctx.timeZone);
  if (ts === undefined) return null;
  const module = m[3]!;
  const pid = Number(m[5]);
  let msg = m[6]!;
  const extra: Extra = { module };
  if (m[4]) extra.moduleVersion = m[4];
  const f: EventFields = { ts, tsLocal: true, pid, sessionKey: m[5] };
  // `[info]`-style level tags (mod_tls's OpenSSL callbacks, some modules' debug output).
  const level = /^\[(emerg|alert|crit|error|err|warn|warning|notice|info|debug)\] /i.exec(msg);
  if (level) {
    extra.level = level[1]!.toLowerCase();
    msg = msg.slice(level[0].length);
  }
  f.message = msg.trim();
  if (module === 'mod_sftp') {
    f.protocol = 'sftp';
    sftpMessage(msg, f, extra);
  } else if (module === 'mod_tls') {
    f.protocol = 'ftps';
    tlsMessage(msg, f, extra);
  }
  f.extra = extra;
  return { kind: 'event', fields: f };
}

export const proftpdModlog: FormatDefinition = {
  id: 'proftpd-modlog',
  label: 'ProFTPD module log (mod_sftp SFTPLog, mod_tls TLSLog, ...)',
  fileNameHint: /(sftp|tls|ssl|ban|sql|quota|wrap|proxy).*\.log$/i,
  timestamp: 'YYYY-MM-DD HH:MM:SS,mmm (before 1.3.5: Mmm dd HH:MM:SS, year from the file date), local time (--tz)',
  extracts: 'module and version, pid (session key), message; mod_sftp: connect (client IP/port, server port), client/server versions, negotiated kex/cipher/MAC/compression, login and login-failed (user, method, reason), subsystem, disconnect; mod_tls: handshake, TLS version, cipher and bits, control/data channel, PROT level, [level] tags; Trace lines (`[pid] <channel:level>:`): pid, channel, level, message',
  ...lineByLine(parseModLine),
  samples: [
    // Real ProFTPD 1.3.8 SFTPLog / TLSLog (test/fixtures/proftpd/logs/sftp.log, tls.log).
    { line: "2026-11-23 19:14:27,772 mod_sftp/1.1.1[7340]: using '/tmp/xferlens-proftpd/etc/ssh_host_ecdsa_key' as 256-bit ECDSA hostkey (256 bits)", expect: { ts: Date.UTC(2026, 10, 23, 19, 14, 27, 772), tsLocal: true, pid: 7340, sessionKey: '7340', protocol: 'sftp', verb: 'hostkey' } },
    { line: '2026-11-23 19:14:27,774 mod_sftp/1.1.1[7340]: client (127.0.0.1:42454) connected to server (127.0.0.1:2222)', expect: { verb: 'connect', clientIp: '127.0.0.1', clientPort: 42454, serverPort: 2222, extra: { module: 'mod_sftp', moduleVersion: '1.1.1', serverIp: '127.0.0.1' } } },
    { line: "2026-11-23 19:14:27,776 mod_sftp/1.1.1[7340]: received client version 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6'", expect: { verb: 'client-version', extra: { module: 'mod_sftp', moduleVersion: '1.1.1', clientVersion: 'SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u6' } } },
    { line: '2026-11-23 19:14:27,777 mod_sftp/1.1.1[7340]:  + Session key exchange: curve25519-sha256', expect: { verb: 'kex', extra: { module: 'mod_sftp', moduleVersion: '1.1.1', kex: 'curve25519-sha256' } } },
    { line: '2026-11-23 19:14:27,777 mod_sftp/1.1.1[7340]:  + Session client-to-server encryption: aes128-ctr', expect: { extra: { module: 'mod_sftp', moduleVersion: '1.1.1', cipherClientToServer: 'aes128-ctr' } } },
    { line: "2026-11-23 19:14:27,828 mod_sftp/1.1.1[7340]: user 'alice' authenticated via 'password' method", expect: { verb: 'login', user: 'alice', extra: { module: 'mod_sftp', moduleVersion: '1.1.1', method: 'password' } } },
    { line: '2026-11-23 19:14:27,847 mod_sftp/1.1.1[7340]: client at 127.0.0.1 sent SSH_DISCONNECT message: disconnected by user (Application disconnected)', expect: { verb: 'disconnect', clientIp: '127.0.0.1' } },
    { line: "2026-11-23 19:14:28,274 mod_sftp/1.1.1[7352]: password authentication for user 'bob' failed: Incorrect password", expect: { verb: 'login-failed', user: 'bob', pid: 7352, extra: { module: 'mod_sftp', moduleVersion: '1.1.1', method: 'password', reason: 'Incorrect password' } } },
    { line: "2026-11-23 19:14:28,699 mod_sftp/1.1.1[7364]: no account for user 'eve' found", expect: { verb: 'login-failed', user: 'eve' } },
    { line: '2026-11-23 19:14:28,275 mod_sftp/1.1.1[7352]: disconnecting client (received EOF)', expect: { verb: 'disconnect', extra: { module: 'mod_sftp', moduleVersion: '1.1.1', reason: 'received EOF' } } },
    { line: '2026-11-23 19:14:27,198 mod_tls/2.9.2[7319]: TLS/TLS-C requested, starting TLS handshake', expect: { protocol: 'ftps', verb: 'handshake', pid: 7319 } },
    { line: '2026-11-23 19:14:27,285 mod_tls/2.9.2[7319]: TLSv1.3 connection accepted, using cipher TLS_AES_256_GCM_SHA384 (256 bits)', expect: { verb: 'tls-accepted', extra: { module: 'mod_tls', moduleVersion: '2.9.2', tlsVersion: 'TLSv1.3', channel: 'control', cipher: 'TLS_AES_256_GCM_SHA384', cipherBits: 256 } } },
    { line: '2026-11-23 19:14:27,306 mod_tls/2.9.2[7319]: TLSv1.3 data connection accepted, using cipher TLS_AES_256_GCM_SHA384 (256 bits, resumed session)', expect: { extra: { module: 'mod_tls', moduleVersion: '2.9.2', tlsVersion: 'TLSv1.3', channel: 'data', cipher: 'TLS_AES_256_GCM_SHA384', cipherBits: 256, resumed: true } } },
    // FORMATS.md §3: an OpenSSL info callback line with its level tag.
    { line: '2023-09-01 17:36:51,492 mod_tls/2.9[11312]: [info] accepting: SSLv3/TLS write server done', expect: { ts: Date.UTC(2023, 8, 1, 17, 36, 51, 492), message: 'accepting: SSLv3/TLS write server done', extra: { module: 'mod_tls', moduleVersion: '2.9', level: 'info' } } },
  ],
};
