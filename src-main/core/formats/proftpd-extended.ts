import { isoParts, monthFromName, parseClfTime, parseUtcOffset, partsToUtc, zonedPartsToUtc, type DateParts } from '../time.js';
import type { EventFields, FormatDefinition, LineParser, NamedLogFormat, ParseContext, ParsedLine } from './types.js';
import { isIpAddress } from './xferlog.js';

/**
 * ProFTPD ExtendedLog: each line follows the `LogFormat` string the admin chose. A LogFormat is
 * compiled once (cached by its text) into one anchored RegExp plus a list saying which variable each
 * capture group holds; a line is one `exec` and a walk over the groups.
 *
 * Variables (mod_log, ProFTPD 1.3.8 logfmt.c): short `%a %A %b %c %d %D %E %f %F %g %h %H %I %J %l %L
 * %m %O %p %P %r %R %s %S %t %T %u %U %v %V %w`, long `%{basename} %{epoch} %{file-modified}
 * %{file-offset} %{file-size} %{gid} %{iso8601} %{microsecs} %{millisecs} %{protocol} %{remote-port}
 * %{transfer-failure} %{transfer-millisecs} %{transfer-port} %{transfer-speed} %{transfer-status}
 * %{transfer-type} %{uid} %{version}`, `%{env:NAME}` / `%{NAME}e`, `%{note:NAME}`, `%{time:FMT}` /
 * `%{FMT}t` (strftime, local time), `%%`. Any other `%{name}` is kept as a non-space token in
 * extra[name].
 *
 * Shapes: `%t` is `[23/Nov/2026:18:51:03 +0000]` (brackets included), `%{iso8601}` is
 * `2026-11-23 18:51:03,161` (local time). Variables that can hold spaces (%r %J %f %F %S %d %D %w %E %A
 * %v %V, %{transfer-failure}, %{basename}, env/note values) match lazily - between quotes as written
 * (`"%r"`) or, when unquoted, up to whatever the rest of the anchored pattern needs. Numeric variables
 * accept digits or `-`; the others are single non-space tokens.
 *
 * Built-in formats tried after the admin's (ctx.logFormats, `--logformat NAME=FORMAT`): ProFTPD's
 * `default` `%h %l %u %t "%r" %s %b` (also Debian's `write`, the same string) and Debian's `auth`
 * `%v [%P] %h %t "%r" %s`. The parser keeps, per file, the first LogFormat that parses a line; when a
 * line does not fit it tries the others (the admin may have changed the format) and reports the one
 * in use through detail() (`LogFormat auth`).
 */

// ---------------------------------------------------------------------------------------------
// Compiling a LogFormat

interface Slot {
  /** Short letter (`a`), long name (`transfer-status`), `env`/`note`/`custom` (arg = name) or `tf` (arg = strftime letter). */
  id: string;
  arg?: string;
}

interface Compiled {
  format: string;
  re: RegExp;
  slots: Slot[];
}

type Item = { lit: string } | { id: string; arg?: string };

const SHORT_IDS = new Set('aAbcdDEfFghHIJlLmOpPrRsStTuUvVw'.split(''));
const LONG_IDS = new Set([
  'basename', 'epoch', 'file-modified', 'file-offset', 'file-size', 'gid', 'iso8601', 'microsecs',
  'millisecs', 'protocol', 'remote-port', 'transfer-failure', 'transfer-millisecs', 'transfer-port',
  'transfer-speed', 'transfer-status', 'transfer-type', 'uid', 'version',
]);
/** Variables whose values may contain spaces. */
const TEXT_IDS = new Set(['r', 'J', 'f', 'F', 'S', 'd', 'D', 'w', 'E', 'A', 'v', 'V', 'transfer-failure', 'basename', 'env', 'note']);
const NUMBER_OR_DASH = String.raw`(\d+|-)`;
const PATTERN: Record<string, string> = {
  b: NUMBER_OR_DASH, s: String.raw`(\d+|-)`, R: NUMBER_OR_DASH, I: NUMBER_OR_DASH, O: NUMBER_OR_DASH,
  p: NUMBER_OR_DASH, P: String.raw`(\d+)`, T: String.raw`(\d+(?:\.\d+)?|-)`, t: String.raw`\[([^\]]+)\]`,
  epoch: String.raw`(\d+)`, iso8601: String.raw`(\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3})`,
  millisecs: String.raw`(\d{1,3})`, microsecs: String.raw`(\d{1,6})`, 'remote-port': NUMBER_OR_DASH,
  'transfer-port': NUMBER_OR_DASH, 'transfer-millisecs': NUMBER_OR_DASH, 'transfer-speed': String.raw`(\d+(?:\.\d+)?|-)`,
  'file-size': NUMBER_OR_DASH, 'file-offset': NUMBER_OR_DASH, uid: NUMBER_OR_DASH, gid: NUMBER_OR_DASH,
};

/** strftime conversions inside `%{...}t`: pattern and the date part it carries (if any). */
const STRFTIME: Record<string, [string, string?]> = {
  Y: [String.raw`(\d{4})`, 'Y'], y: [String.raw`(\d\d)`, 'y'], m: [String.raw`(\d\d)`, 'm'], d: [String.raw`(\d\d)`, 'd'],
  e: [String.raw`( ?\d{1,2})`, 'd'], H: [String.raw`(\d\d)`, 'H'], k: [String.raw`( ?\d{1,2})`, 'H'], I: [String.raw`(\d\d)`, 'I'],
  l: [String.raw`( ?\d{1,2})`, 'I'], p: ['([AaPp][Mm])', 'p'], M: [String.raw`(\d\d)`, 'M'], S: [String.raw`(\d\d)`, 'S'],
  b: [String.raw`([^\s\d:/,-]+)`, 'b'], h: [String.raw`([^\s\d:/,-]+)`, 'b'], B: [String.raw`([^\s\d:/,-]+)`, 'b'],
  a: [String.raw`([^\s\d:/,-]+)`], A: [String.raw`([^\s\d:/,-]+)`], j: [String.raw`(\d{3})`], s: [String.raw`(\d+)`, 's'],
  z: [String.raw`([+-]\d\d:?\d\d|Z)`, 'z'], Z: [String.raw`([A-Za-z][\w+-]*)`], u: [String.raw`(\d)`], w: [String.raw`(\d)`],
};
const STRFTIME_COMPOSITE: Record<string, string> = { T: '%H:%M:%S', F: '%Y-%m-%d', D: '%m/%d/%y', R: '%H:%M', r: '%I:%M:%S %p' };

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Splits a LogFormat string into literal text and variables, as ProFTPD's logfmt parser does. */
function tokenize(format: string): Item[] {
  const items: Item[] = [];
  let lit = '';
  const flush = () => {
    if (lit) items.push({ lit });
    lit = '';
  };
  for (let i = 0; i < format.length; i++) {
    const c = format[i]!;
    if (c !== '%' || i === format.length - 1) {
      lit += c;
      continue;
    }
    const n = format[i + 1]!;
    if (n === '%') {
      lit += '%';
      i++;
    } else if (SHORT_IDS.has(n)) {
      flush();
      items.push({ id: n });
      i++;
    } else if (n === '{' && format.indexOf('}', i + 2) > 0) {
      const close = format.indexOf('}', i + 2);
      const name = format.slice(i + 2, close);
      const after = format[close + 1];
      flush();
      i = close;
      if (LONG_IDS.has(name.toLowerCase())) items.push({ id: name.toLowerCase() });
      else if (name.startsWith('env:')) items.push({ id: 'env', arg: name.slice(4) });
      else if (name.startsWith('note:')) items.push({ id: 'note', arg: name.slice(5) });
      else if (name.startsWith('time:')) items.push({ id: 'time', arg: name.slice(5) });
      else if (after === 'e') {
        items.push({ id: 'env', arg: name });
        i++;
      } else if (after === 't') {
        items.push({ id: 'time', arg: name });
        i++;
      } else items.push({ id: 'custom', arg: name });
    } else lit += c;
  }
  flush();
  return items;
}

function strftimeToRe(fmt: string, slots: Slot[]): string {
  let re = '';
  for (let i = 0; i < fmt.length; i++) {
    const c = fmt[i]!;
    if (c !== '%' || i === fmt.length - 1) {
      re += /\s/.test(c) ? String.raw`\s+` : escapeRe(c);
      continue;
    }
    const n = fmt[++i]!;
    if (n === '%') re += '%';
    else if (n === 'n' || n === 't') re += String.raw`\s+`;
    else if (STRFTIME_COMPOSITE[n]) re += strftimeToRe(STRFTIME_COMPOSITE[n]!, slots);
    else if (STRFTIME[n]) {
      const [pattern, part] = STRFTIME[n]!;
      re += pattern;
      slots.push({ id: 'tf', arg: part ?? '' });
    } else {
      re += String.raw`(\S+?)`;
      slots.push({ id: 'tf', arg: '' });
    }
  }
  return re;
}

/** ProFTPD config syntax pasted as is: `"%h %l \"%r\""` (outer quotes, escaped inner quotes). */
export function normaliseLogFormat(format: string): string {
  let f = format.trim();
  const directive = /^LogFormat\s+\S+\s+(.*)$/i.exec(f);
  if (directive) f = directive[1]!.trim();
  if (f.length >= 2 && f.startsWith('"') && f.endsWith('"')) f = f.slice(1, -1).replace(/\\"/g, '"');
  return f;
}

const compiledCache = new Map<string, Compiled>();

export function compileLogFormat(rawFormat: string): Compiled {
  const format = normaliseLogFormat(rawFormat);
  const cached = compiledCache.get(format);
  if (cached) return cached;
  const items = tokenize(format);
  const slots: Slot[] = [];
  let re = '^';
  for (let k = 0; k < items.length; k++) {
    const item = items[k]!;
    if ('lit' in item) {
      re += escapeRe(item.lit);
      continue;
    }
    if (item.id === 'time') {
      re += strftimeToRe(item.arg ?? '', slots);
      continue;
    }
    const prev = items[k - 1], next = items[k + 1];
    const quoted = !!prev && 'lit' in prev && prev.lit.endsWith('"') && !!next && 'lit' in next && next.lit.startsWith('"');
    let pattern = PATTERN[item.id];
    if (TEXT_IDS.has(item.id) || (quoted && (item.id === 'custom' || pattern === undefined))) pattern = item.id === 'v' || item.id === 'V' ? '(.+?)' : '(.*?)';
    re += pattern ?? String.raw`(\S+)`;
    slots.push(item.arg === undefined ? { id: item.id } : { id: item.id, arg: item.arg });
  }
  re += ' *$';
  const compiled: Compiled = { format, re: new RegExp(re), slots };
  if (compiledCache.size > 200) compiledCache.clear();
  compiledCache.set(format, compiled);
  return compiled;
}

// ---------------------------------------------------------------------------------------------
// Turning a match into fields

/** FTP and SFTP requests whose argument is a path (as the client sent it). */
const PATH_COMMANDS = new Set([
  'RETR', 'STOR', 'STOU', 'APPE', 'DELE', 'RNFR', 'RNTO', 'MKD', 'XMKD', 'RMD', 'XRMD', 'CWD', 'XCWD',
  'SIZE', 'MDTM', 'MLST', 'MLSD', 'LIST', 'NLST', 'STAT', 'MFMT', 'MFCT', 'MFF',
  'OPEN', 'OPENDIR', 'MKDIR', 'RMDIR', 'REMOVE', 'REALPATH', 'LSTAT', 'SETSTAT', 'READLINK', 'RENAME', 'LINK', 'SYMLINK',
]);
/** SFTP requests whose first argument is a file handle. */
const HANDLE_COMMANDS = new Set(['READ', 'WRITE', 'CLOSE', 'FSTAT', 'FSETSTAT', 'READDIR']);

const dash = (s: string | undefined): string | undefined => (s === undefined || s === '' || s === '-' ? undefined : s);
const num = (s: string | undefined): number | undefined => {
  const v = dash(s);
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
};

function timeFromParts(tf: Record<string, string>, ctx: ParseContext): { ts: number; local: boolean } | undefined {
  if (tf.s !== undefined) return { ts: Number(tf.s) * 1000, local: false };
  let year = tf.Y !== undefined ? Number(tf.Y) : tf.y !== undefined ? 2000 + Number(tf.y) : undefined;
  const month = tf.m !== undefined ? Number(tf.m) : tf.b !== undefined ? monthFromName(tf.b) : undefined;
  const day = tf.d !== undefined ? Number(tf.d.trim()) : undefined;
  if (month === undefined || day === undefined) return undefined;
  year ??= new Date(ctx.fileMtimeMs || Date.now()).getUTCFullYear();
  let hour = tf.H !== undefined ? Number(tf.H.trim()) : tf.I !== undefined ? Number(tf.I.trim()) % 12 : 0;
  if (tf.H === undefined && tf.p && /p/i.test(tf.p)) hour += 12;
  const parts: DateParts = { year, month, day, hour, minute: Number(tf.M ?? 0), second: Number(tf.S ?? 0), ms: 0 };
  if (tf.z !== undefined) {
    const off = tf.z === 'Z' ? 0 : parseUtcOffset(tf.z);
    const utc = partsToUtc(parts);
    return off === undefined || utc === undefined ? undefined : { ts: utc - off, local: false };
  }
  const ts = zonedPartsToUtc(parts, ctx.timeZone);
  return ts === undefined ? undefined : { ts, local: true };
}

function pathFromArgs(cmd: string, args: string, extra: Record<string, string | number | boolean>): string | undefined {
  switch (cmd) {
    case 'MFMT': case 'MFCT': case 'MFF': {
      const sp = args.indexOf(' ');
      return sp < 0 ? undefined : args.slice(sp + 1) || undefined;
    }
    case 'LIST': case 'NLST': case 'STAT':
      return args.replace(/^(?:-\S*\s*)+/, '') || undefined;
    case 'RENAME': case 'LINK': case 'SYMLINK': {
      // Two paths separated by a space: only unambiguous when neither holds a space.
      const parts = args.split(' ');
      if (parts.length !== 2) return undefined;
      extra[cmd === 'RENAME' ? 'renameTo' : 'linkTarget'] = parts[1]!;
      return parts[0];
    }
    default:
      return args;
  }
}

/** Values of one match, by variable (the first non-empty one when a variable repeats). */
function valuesOf(c: Compiled, m: RegExpExecArray): { v: Map<string, string>; tf: Record<string, string> } {
  const v = new Map<string, string>();
  const tf: Record<string, string> = {};
  for (let i = 0; i < c.slots.length; i++) {
    const slot = c.slots[i]!;
    const value = m[i + 1] ?? '';
    if (slot.id === 'tf') {
      if (slot.arg) tf[slot.arg] = value;
      continue;
    }
    const key = slot.arg === undefined ? slot.id : `${slot.id}:${slot.arg}`;
    const old = v.get(key);
    if (old === undefined || dash(old) === undefined) v.set(key, value);
  }
  return { v, tf };
}

/** Variables kept in extra, under these keys. */
const EXTRA_KEYS: Record<string, string> = {
  R: 'responseMs', S: 'response', 'transfer-status': 'transferStatus', 'transfer-failure': 'transferFailure',
  'transfer-type': 'transferType', 'transfer-speed': 'transferSpeedKBs', 'transfer-port': 'transferPort',
  'file-size': 'fileSize', 'file-offset': 'fileOffset', 'file-modified': 'fileModified', E: 'endReason',
  c: 'class', g: 'group', uid: 'uid', gid: 'gid', I: 'rawBytesIn', O: 'rawBytesOut', version: 'version',
  basename: 'basename', w: 'renameFrom', V: 'serverFqdn', H: 'vhostIp', L: 'localIp', microsecs: 'microsecs',
};
const NUMERIC = new Set(['R', 'transfer-speed', 'transfer-port', 'file-size', 'file-offset', 'uid', 'gid', 'I', 'O']);

function toFields(c: Compiled, line: string, ctx: ParseContext): EventFields | null {
  const m = c.re.exec(line);
  if (!m) return null;
  const { v, tf } = valuesOf(c, m);
  const f: EventFields = {};
  const extra: Record<string, string | number | boolean> = {};

  // Time: %{epoch} (exact), %t (with its offset), %{iso8601} (local), %{FMT}t parts.
  const ms = v.get('millisecs');
  if (v.has('epoch')) f.ts = Number(v.get('epoch')) * 1000;
  else if (v.has('t')) {
    f.ts = parseClfTime(v.get('t')!);
    if (f.ts === undefined) return null;
  } else if (v.has('iso8601')) {
    const s = v.get('iso8601')!;
    const parts = isoParts(s, 0, s, 11);
    f.ts = parts && zonedPartsToUtc(parts, ctx.timeZone);
    if (f.ts === undefined) return null;
    f.tsLocal = true;
  } else if (Object.keys(tf).length) {
    const t = timeFromParts(tf, ctx);
    if (!t) return null;
    f.ts = t.ts;
    if (t.local) f.tsLocal = true;
  }
  if (f.ts !== undefined && ms !== undefined && f.ts % 1000 === 0 && !v.has('iso8601')) f.ts += Number(ms.padEnd(3, '0').slice(0, 3));

  // Who.
  const a = dash(v.get('a'));
  if (a) f.clientIp = a;
  const h = dash(v.get('h'));
  if (h) {
    if (!isIpAddress(h)) extra.clientHost = h;
    else f.clientIp ??= h;
  }
  const ident = dash(v.get('l'));
  if (ident && ident !== 'UNKNOWN') extra.ident = ident;
  const user = dash(v.get('u'));
  if (user && user !== 'UNKNOWN') f.user = user;
  const originalUser = dash(v.get('U'));
  if (originalUser) {
    extra.originalUser = originalUser;
    f.user ??= originalUser;
  }
  const pid = v.get('P');
  if (pid) {
    f.pid = Number(pid);
    f.sessionKey = pid;
  }
  const server = dash(v.get('v'));
  if (server) f.server = server;
  const protocol = dash(v.get('protocol'));
  if (protocol) f.protocol = protocol.toLowerCase();
  const serverPort = num(v.get('p'));
  if (serverPort !== undefined) f.serverPort = serverPort;
  const clientPort = num(v.get('remote-port'));
  if (clientPort !== undefined) f.clientPort = clientPort;

  // What: verb from %m or %r's first word; arguments from %J or the rest of %r.
  const request = v.get('r');
  let verb = dash(v.get('m'));
  let args = v.get('J');
  if (request !== undefined && request !== '-') {
    const sp = request.indexOf(' ');
    verb ??= sp < 0 ? request : request.slice(0, sp);
    if (args === undefined) args = sp < 0 ? '' : request.slice(sp + 1);
  }
  const cmd = verb?.toUpperCase();
  if (verb) f.verb = verb.toLowerCase();
  args = cmd === 'PASS' ? undefined : dash(args); // `PASS (hidden)`: nothing to keep
  const clientFile = dash(v.get('F'));
  const serverFile = dash(v.get('f'));
  let path = clientFile;
  if (path === undefined && args !== undefined && cmd && PATH_COMMANDS.has(cmd)) path = pathFromArgs(cmd, args, extra);
  if (path === undefined) path = serverFile;
  if (path === undefined) path = dash(v.get('D')) ?? dash(v.get('d'));
  if (path !== undefined) f.path = path;
  if (serverFile !== undefined && serverFile !== path) extra.serverPath = serverFile;
  if (args !== undefined && args !== path) f.message = args;
  if (args !== undefined && cmd && HANDLE_COMMANDS.has(cmd)) {
    const handle = args.split(' ')[0]!;
    if (/^[0-9a-f]+$/i.test(handle)) extra.handle = handle;
  }

  const status = dash(v.get('s'));
  if (status) f.status = status;
  const bytes = num(v.get('b'));
  if (bytes !== undefined) f.bytes = bytes;
  const xferMs = num(v.get('transfer-millisecs'));
  const seconds = num(v.get('T'));
  if (xferMs !== undefined) f.durationMs = xferMs;
  else if (seconds !== undefined) f.durationMs = Math.round(seconds * 1000);

  // Everything else goes to extra under a readable key.
  for (const [key, value] of v) {
    const val = dash(value);
    if (val === undefined) continue;
    const name = EXTRA_KEYS[key];
    if (name) extra[name] = NUMERIC.has(key) ? Number(val) : val;
    else if (key.startsWith('custom:')) extra[key.slice(7)] = val;
    else if (key.startsWith('env:') || key.startsWith('note:')) extra[key] = val;
  }
  const anon = dash(v.get('A'));
  if (anon && anon !== 'UNKNOWN') extra.anonymousId = anon;
  if (v.has('D') && f.path !== dash(v.get('D')) && dash(v.get('D'))) extra.dir = v.get('D')!;

  if (Object.keys(extra).length) f.extra = extra;
  return f;
}

// ---------------------------------------------------------------------------------------------
// The format

const BUILTIN: readonly NamedLogFormat[] = [
  // ProFTPD's default (Common Log Format); Debian's `write` is the same string.
  { name: 'default', format: '%h %l %u %t "%r" %s %b' },
  { name: 'auth', format: '%v [%P] %h %t "%r" %s' },
];

// ---------------------------------------------------------------------------------------------
// Inferring a LogFormat from a line

/** `[23/Nov/2026:18:51:03 +0000]`, `"quoted request"`, or any other run of non-spaces. */
const LINE_TOKEN = /\[[^\]]*\]|"(?:[^"\\]|\\.)*"|\S+/g;
const CLF_TIME = /^\[\d\d\/[A-Za-z]{3}\/\d{4}:\d\d:\d\d:\d\d [+-]\d{4}\]$/;
const BRACKETED_PID = /^\[\d+\]$/;
/** A quoted FTP command or SSH request: an upper-case word first (`"USER bob"`, `"KEXINIT"`). */
const QUOTED_REQUEST = /^"[A-Z][A-Z0-9_]*(?: [^"]*)?"$/;
const ADDRESS = /^(?:\d{1,3}(?:\.\d{1,3}){3}|[0-9a-f]*:[0-9a-f:.]+)$/i;
/** mod_unique_id's UNIQUE_ID (`ZAYV7qwZ115/AAABACVpEfri`): 16+ characters of base64, letters and digits both. */
const UNIQUE_ID = /^(?=.*\d)(?=.*[A-Za-z])[A-Za-z0-9+/@=-]{16,}$/;
const NAME = /^[^\s"[\]]+$/;

/**
 * Guesses the LogFormat of an ExtendedLog line no known LogFormat reads, from the shape of its
 * tokens: client address, `[time]` or ISO time, `[pid]`, a unique id, user, quoted request, then the
 * reply code and bytes. Undefined unless the line has a time, a quoted request and a reply code, and
 * every token found its variable: a guess that names what it cannot place is no guess.
 */
export function inferLogFormat(line: string): string | undefined {
  const tokens = line.match(LINE_TOKEN) ?? [];
  const out: string[] = [];
  const names: number[] = []; // positions in `out` of plain words before the request
  let time = false, request = false, afterRequest = 0;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i]!;
    if (request) {
      // After the request: reply code, bytes, transfer time - nothing else is guessed.
      const slot = ['%s', '%b', '%T'][afterRequest++];
      const shape = afterRequest === 1 ? /^(?:\d{3}|-)$/ : afterRequest === 2 ? /^(?:\d+|-)$/ : /^(?:\d+(?:\.\d+)?|-)$/;
      if (!slot || !shape.test(t)) return undefined;
      out.push(slot);
    } else if (CLF_TIME.test(t)) {
      if (time) return undefined;
      time = true;
      out.push('%t');
    } else if (/^\d{4}-\d\d-\d\d$/.test(t) && /^\d\d:\d\d:\d\d,\d{3}$/.test(tokens[i + 1] ?? '')) {
      if (time) return undefined;
      time = true;
      i++;
      out.push('%{iso8601}');
    } else if (BRACKETED_PID.test(t)) out.push('[%P]');
    else if (QUOTED_REQUEST.test(t)) {
      request = true;
      out.push('"%r"');
    } else if (ADDRESS.test(t) && !out.includes('%a')) out.push('%a');
    else if (UNIQUE_ID.test(t) && time) out.push('%{UNIQUE_ID}e');
    else if (NAME.test(t)) {
      names.push(out.length);
      out.push('?');
    } else return undefined;
  }
  if (!time || !request || afterRequest === 0) return undefined;
  // Plain words: before the address a server name (%v); the last one before the request the user
  // (%u); one more right before the user where CLF has it, the ident (%l).
  const address = out.indexOf('%a');
  const words = names.filter((n) => address < 0 || n > address);
  for (const n of names) if (address >= 0 && n < address) out[n] = '%v';
  if (words.length > 2) return undefined;
  if (words.length >= 1) out[words[words.length - 1]!] = '%u';
  if (words.length === 2) out[words[0]!] = '%l';
  if (address < 0) {
    // No address: a host name must be the first word.
    const first = out.indexOf('%l') === 0 ? 0 : -1;
    if (first < 0) return undefined;
    out[0] = '%h';
  }
  return out.join(' ');
}

interface Candidate extends NamedLogFormat {
  compiled: Compiled;
  builtin: boolean;
}

/** The name a guessed LogFormat goes by in `sources`. */
const INFERRED_NAME = 'inferred';

/** A candidate for a line no known LogFormat reads, from the LogFormat its shape suggests. */
function inferredCandidate(line: string, ctx: ParseContext): Candidate | undefined {
  const guess = inferLogFormat(line);
  if (!guess) return undefined;
  const compiled = compileLogFormat(guess);
  if (!toFields(compiled, line, ctx)) return undefined;
  return { name: INFERRED_NAME, format: compiled.format, compiled, builtin: false };
}

function candidatesFor(ctx: ParseContext | undefined): Candidate[] {
  const list: Candidate[] = [];
  const seen = new Set<string>();
  const add = (lf: NamedLogFormat, builtin: boolean) => {
    const compiled = compileLogFormat(lf.format);
    if (seen.has(compiled.format)) return;
    seen.add(compiled.format);
    list.push({ name: lf.name, format: compiled.format, compiled, builtin });
  };
  for (const lf of ctx?.logFormats ?? []) add(lf, false);
  for (const lf of BUILTIN) add(lf, true);
  return list;
}

/** mod_sftp's requests, logged under their SSH names: nothing but ProFTPD writes them. */
const SSH_REQUESTS = /^"(?:KEXINIT|USERAUTH_REQUEST|CHANNEL_OPEN|CHANNEL_REQUEST|SERVICE_REQUEST)\b/;

/**
 * Whether a line read with the built-in `default` format is recognisably ProFTPD's: the ident
 * column is `UNKNOWN` (ProFTPD's value when IdentLookups is off, the default; Apache and EFT write
 * `-`), or the request is `PASS (hidden)`, or an SSH request name from mod_sftp.
 */
function proftpdTell(line: string): boolean {
  const sp1 = line.indexOf(' ');
  if (line.startsWith('UNKNOWN ', sp1 + 1)) return true;
  const q = line.indexOf('"');
  return q > 0 && (line.startsWith('"PASS (hidden)"', q) || SSH_REQUESTS.test(line.slice(q)));
}

interface ExtendedState {
  /** The LogFormat in use (name and normalised string), kept so that a resumed parser reads on with it. */
  current?: NamedLogFormat;
  /** Every LogFormat that parsed a line of this file, in order of first use. */
  used: string[];
}

export const proftpdExtended: FormatDefinition = {
  id: 'proftpd-extended',
  label: 'ProFTPD ExtendedLog (LogFormat)',
  fileNameHint: /(proftpd|extended|ext[-_.]).*log/i,
  timestamp: '%t [dd/Mon/yyyy:HH:MM:SS +zzzz] (offset applied), %{iso8601} / %{FMT}t local time (--tz), or %{epoch}',
  extracts: 'every LogFormat variable (--logformat NAME=FORMAT, else the default and auth formats, else a LogFormat guessed from the shape of the lines and shown in sources): client IP/host, user, command (verb) and arguments, path (%F, a file command\'s argument, or %f), reply code, bytes, transfer time, pid (session key), server name, protocol, transfer status, response ms; the rest in extra',
  /**
   * Share of lines some candidate LogFormat reads. A file that only the built-in `default` format
   * reads looks exactly like NCSA CLF, which the `clf` format also reads: without a ProFTPD tell
   * (ident `UNKNOWN`, `PASS (hidden)`, an SSH request) the score is lowered to 98% so that an Apache
   * or EFT CLF file stays `clf`; with one, the score equals clf's and this format, listed before clf
   * in the registry, wins the tie.
   */
  detect(lines, ctx?: ParseContext) {
    if (!lines.length) return 0;
    const candidates = candidatesFor(ctx);
    const defaultFormat = compileLogFormat(BUILTIN[0]!.format).format;
    const c0 = ctx ?? { timeZone: 'UTC', fileMtimeMs: 0 };
    let parsed = 0;
    let onlyDefault = true;
    let tell = false;
    let inferred = false;
    for (const line of lines) {
      let hit = candidates.find((c) => toFields(c.compiled, line, c0));
      if (!hit) {
        hit = inferredCandidate(line, c0);
        if (!hit) continue;
        candidates.push(hit);
        inferred = true;
      }
      parsed++;
      if (!hit.builtin || hit.format !== defaultFormat) onlyDefault = false;
      else if (!tell && proftpdTell(line)) tell = true;
    }
    const share = parsed / lines.length;
    // A guessed LogFormat yields to any format that reads the lines as well by what it knows.
    if (inferred) return share * 0.95;
    return onlyDefault && !tell ? share * 0.98 : share;
  },
  createParser(ctx, saved): LineParser {
    const state: ExtendedState = { used: [], ...(saved as Partial<ExtendedState> | undefined) };
    const candidates = candidatesFor(ctx);
    let current: Candidate | undefined;
    if (state.current) {
      const compiled = compileLogFormat(state.current.format);
      current = candidates.find((c) => c.format === compiled.format) ?? { ...state.current, format: compiled.format, compiled, builtin: false };
    }
    const parse = (line: string): ParsedLine | null => {
      if (current) {
        const f = toFields(current.compiled, line, ctx);
        if (f) return { kind: 'event', fields: f };
      }
      for (const c of candidates) {
        if (c === current) continue;
        const f = toFields(c.compiled, line, ctx);
        if (!f) continue;
        use(c);
        return { kind: 'event', fields: f };
      }
      const guess = inferredCandidate(line, ctx);
      if (!guess) return null;
      candidates.push(guess);
      use(guess);
      return { kind: 'event', fields: toFields(guess.compiled, line, ctx)! };
    };
    const use = (c: Candidate) => {
      current = c;
      state.current = { name: c.name, format: c.format };
      if (!state.used.includes(c.name)) state.used.push(c.name);
    };
    return {
      parse,
      state: () => state,
      detail: () => {
        if (!state.current) return undefined;
        const others = state.used.filter((n) => n !== state.current!.name);
        const inferred = state.current.name === INFERRED_NAME ? `: ${state.current.format} (guessed from the lines: check it, or give the real one with --logformat or --proftpd-conf)` : '';
        return `LogFormat ${state.current.name}${inferred}` + (others.length ? ` (also ${others.join(', ')})` : '');
      },
    };
  },
  samples: [
    // Real ProFTPD 1.3.8 ExtendedLog, `default` format (test/fixtures/proftpd/logs/ext-default.log).
    { line: '127.0.0.1 UNKNOWN - [23/Nov/2026:19:14:25 +0000] "USER alice" 331 -', expect: { ts: Date.UTC(2026, 10, 23, 19, 14, 25), clientIp: '127.0.0.1', user: undefined, verb: 'user', message: 'alice', path: undefined, status: '331', bytes: undefined } },
    { line: '127.0.0.1 UNKNOWN alice [23/Nov/2026:19:14:25 +0000] "PASS (hidden)" 230 -', expect: { user: 'alice', verb: 'pass', message: undefined, path: undefined, status: '230' } },
    { line: '127.0.0.1 UNKNOWN alice [23/Nov/2026:19:14:25 +0000] "STOR docs/annual report 2026.pdf" 226 20480', expect: { verb: 'stor', path: 'docs/annual report 2026.pdf', status: '226', bytes: 20480 } },
    { line: '127.0.0.1 UNKNOWN alice [23/Nov/2026:19:14:25 +0000] "MFMT 20260102030405 docs/annual report 2026.pdf" 213 -', expect: { verb: 'mfmt', path: 'docs/annual report 2026.pdf', message: '20260102030405 docs/annual report 2026.pdf' } },
    { line: '127.0.0.1 UNKNOWN alice [23/Nov/2026:19:14:27 +0000] "WRITE 8f66e39d45e777cc 0 32768" 0 32768', expect: { verb: 'write', path: undefined, status: '0', bytes: 32768, extra: { handle: '8f66e39d45e777cc' } } },
    { line: '127.0.0.1 UNKNOWN alice [23/Nov/2026:19:14:27 +0000] "MKD /sftp" - -', expect: { verb: 'mkd', path: '/sftp', status: undefined } },
    // FORMATS.md §3.
    { line: 'localhost UNKNOWN - [23/Nov/2026:18:51:03 +0000] "USER bob" 331 -', expect: { clientIp: undefined, extra: { clientHost: 'localhost' }, verb: 'user' } },
    // Debian's `auth` format (test/fixtures/proftpd/logs/ext-auth.log).
    { line: 'xferlens-ftp [7284] 127.0.0.1 [23/Nov/2026:19:14:25 +0000] "PASS (hidden)" 530', expect: { server: 'xferlens-ftp', pid: 7284, sessionKey: '7284', clientIp: '127.0.0.1', verb: 'pass', status: '530', ts: Date.UTC(2026, 10, 23, 19, 14, 25) } },
    { line: 'xferlens-sftp [7364] 127.0.0.1 [23/Nov/2026:19:14:28 +0000] "USER eve" 331', expect: { server: 'xferlens-sftp', verb: 'user', message: 'eve' } },
    { line: 'holdout [7932] localhost [23/Nov/2026:18:51:03 +0000] "PASS (hidden)" 530', expect: { server: 'holdout', pid: 7932, extra: { clientHost: 'localhost' } } },
  ],
};
