import { isoParts, partsToUtc } from '../time.js';
import type { EventFields, FormatDefinition, LineParser, ParseContext, ParsedLine } from './types.js';

/**
 * W3C Extended log files as written by Globalscape EFT (`ex*.log`, `u_ex*.log`), IIS FTP (with
 * `x-session`), Pure-FTPd's w3c output and the IIS 4 layout with no `date` column. Columns come from
 * each `#Fields` directive, which may change mid-file; times are UTC by definition of the format.
 */

type Role =
  | 'date' | 'time' | 'clientIp' | 'clientPort' | 'user' | 'method' | 'path' | 'query' | 'status'
  | 'bytes' | 'server' | 'serverIp' | 'serverPort' | 'duration' | 'session' | 'fullPath' | 'other';

const ROLE_BY_FIELD: Record<string, Role> = {
  'date': 'date', 'time': 'time', 'c-ip': 'clientIp', 'c-port': 'clientPort', 'cs-username': 'user',
  'cs-method': 'method', 'cs-uri-stem': 'path', 'cs-uri-query': 'query', 'sc-status': 'status',
  'sc-bytes': 'bytes', 'cs-bytes': 'bytes', 's-name': 'server', 's-sitename': 'server',
  's-computername': 'server', 's-ip': 'serverIp', 's-port': 'serverPort', 'time-taken': 'duration',
  'x-session': 'session', 'x-fullpath': 'fullPath',
};

/** FTP commands whose argument is not a path (a user name, a mode, a port...). */
export const NON_PATH_VERBS = new Set([
  'user', 'pass', 'acct', 'port', 'eprt', 'pasv', 'epsv', 'type', 'mode', 'stru', 'opts', 'auth', 'pbsz', 'prot',
  'feat', 'syst', 'noop', 'quit', 'rest', 'site', 'help', 'allo', 'clnt', 'host', 'lang', 'ccc', 'abor', 'stat',
]);

const PROTOCOL_BY_PORT: Record<string, string> = { '21': 'ftp', '22': 'sftp', '990': 'ftps', '443': 'https', '80': 'http' };

interface W3cState {
  fields: string[];
  /** `YYYY-MM-DD` from the latest `#Date`, for layouts without a date column. */
  headerDate?: string;
  /** With no `#Fields` yet: the name of the default layout the latest data line was read with. */
  assumed?: string;
  /** A time-only line had neither a date column nor a `#Date`: its day came from the file date. */
  dayFromFile?: boolean;
}

/**
 * Default field sets of servers that write W3C files, for files and excerpts with no `#Fields`
 * header (a header-less copy, a log pasted without its first lines). A data line is read with the
 * first layout whose every column the line's token fits (see TOKEN_SHAPE); `sources` names it.
 */
const DEFAULT_LAYOUTS: readonly { name: string; fields: readonly string[] }[] = [
  { name: 'IIS 7.5+ FTP default', fields: ['date', 'time', 'c-ip', 'cs-username', 's-ip', 's-port', 'cs-method', 'cs-uri-stem', 'sc-status', 'sc-win32-status', 'sc-substatus', 'x-session', 'x-fullpath'] },
  { name: 'IIS 7.5+ FTP default without x-session x-fullpath', fields: ['date', 'time', 'c-ip', 'cs-username', 's-ip', 's-port', 'cs-method', 'cs-uri-stem', 'sc-status', 'sc-win32-status', 'sc-substatus'] },
  { name: 'IIS 7.5+ FTP with bytes and time-taken, without user and server', fields: ['date', 'time', 'c-ip', 'cs-method', 'cs-uri-stem', 'sc-status', 'sc-win32-status', 'sc-substatus', 'sc-bytes', 'cs-bytes', 'time-taken', 'x-session', 'x-fullpath'] },
  { name: 'IIS 5/6 MSFTPSVC, every field', fields: ['date', 'time', 'c-ip', 'cs-username', 's-sitename', 's-computername', 's-ip', 's-port', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'sc-status', 'sc-win32-status', 'sc-bytes', 'cs-bytes', 'time-taken', 'cs-version', 'cs-host', 'cs(User-Agent)', 'cs(Cookie)', 'cs(Referer)'] },
  { name: 'IIS 5 MSFTPSVC, every field but bytes and time-taken', fields: ['date', 'time', 'c-ip', 'cs-username', 's-sitename', 's-computername', 's-ip', 's-port', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'sc-status', 'sc-win32-status', 'cs-version', 'cs-host', 'cs(User-Agent)', 'cs(Cookie)', 'cs(Referer)'] },
  { name: 'IIS 4/5 MSFTPSVC default', fields: ['time', 'c-ip', 'cs-method', 'cs-uri-stem', 'sc-status', 'sc-win32-status'] },
  { name: 'EFT default', fields: ['date', 'time', 'c-ip', 'c-port', 'cs-username', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'sc-status', 'sc-bytes', 'cs-bytes', 's-name', 's-port'] },
];

const NUMBER_OR_DASH = /^(?:\d+|-)$/;
/** What a token of a default layout's column looks like; columns not listed take any token. */
const TOKEN_SHAPE: Record<string, RegExp> = {
  'date': /^\d{4}-\d\d-\d\d$/,
  'time': /^\d\d:\d\d:\d\d(?:\.\d+)?$/,
  // Addresses as logged, anonymised ones included (`x.x.180.116`, `210.11.216.256`).
  'c-ip': /^(?=.*[.:])[0-9A-Fa-fx.:]{3,}$/,
  's-ip': /^(?=.*[.:])[0-9A-Fa-fx.:]{3,}$/,
  'c-port': /^\d{1,5}$/,
  's-port': /^\d{1,5}$/,
  'cs-method': /^(?:\[\d+\])?[A-Za-z][A-Za-z_-]*$/,
  'sc-status': /^(?:\d{3}|-)$/,
  'sc-win32-status': NUMBER_OR_DASH,
  'sc-substatus': NUMBER_OR_DASH,
  'sc-bytes': NUMBER_OR_DASH,
  'cs-bytes': NUMBER_OR_DASH,
  'time-taken': NUMBER_OR_DASH,
  's-sitename': /^(?:MSFTPSVC\d*|-)$/i,
  'cs-version': /^(?:FTP|-)$/,
  'x-session': /^(?:[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}|-)$/i,
};

/**
 * Whether `tokens` fit `fields`. A line may lack columns after `sc-status` (an excerpt its
 * publisher cut short): those are empty anyway in FTP logs, and the line keeps what it has.
 */
function fitsLayout(tokens: readonly string[], fields: readonly string[]): boolean {
  if (tokens.length > fields.length) return false;
  if (tokens.length < fields.length && tokens.length <= fields.indexOf('sc-status')) return false;
  for (let i = 0; i < tokens.length; i++) {
    const shape = TOKEN_SHAPE[fields[i]!];
    if (tokens[i] === '' || (shape && !shape.test(tokens[i]!))) return false;
  }
  return true;
}

/** The default layout a header-less data line fits, the one in use first. */
function assumeLayout(tokens: readonly string[], state: W3cState): { name: string; fields: readonly string[] } | undefined {
  const current = DEFAULT_LAYOUTS.find((l) => l.name === state.assumed);
  if (current && fitsLayout(tokens, current.fields)) return current;
  const exact = DEFAULT_LAYOUTS.find((l) => l.fields.length === tokens.length && fitsLayout(tokens, l.fields));
  return exact ?? DEFAULT_LAYOUTS.find((l) => fitsLayout(tokens, l.fields));
}

/** W3C writes spaces inside values as `+`; `-` means empty. */
function value(token: string): string | undefined {
  return token === '-' || token === '' ? undefined : token;
}

function decodePlus(token: string): string {
  return token.indexOf('+') < 0 ? token : token.replace(/\+/g, ' ');
}

function toNumber(token: string | undefined): number | undefined {
  if (token === undefined) return undefined;
  const n = Number(token);
  return Number.isFinite(n) ? n : undefined;
}

function parseDirective(line: string, state: W3cState): ParsedLine {
  const colon = line.indexOf(':');
  const name = (colon < 0 ? line.slice(1) : line.slice(1, colon)).trim().toLowerCase();
  const body = colon < 0 ? '' : line.slice(colon + 1).trim();
  if (name === 'fields') {
    state.fields = body.split(/\s+/).filter(Boolean);
    delete state.assumed;
  }
  const fields: EventFields = { verb: '#' + name, message: body };
  if (name === 'date' && /^\d{4}-\d\d-\d\d/.test(body)) {
    state.headerDate = body.slice(0, 10);
    // `#Date: 2010-04-08 20:07:50`: when the log was started, UTC like its lines.
    const parts = isoParts(body, 0, body, 11);
    const ts = parts && partsToUtc(parts);
    if (ts !== undefined) fields.ts = ts;
  }
  return { kind: 'directive', fields };
}

const rolesCache = new WeakMap<object, Role[]>();

function rolesOf(fields: readonly string[]): Role[] {
  let roles = rolesCache.get(fields);
  if (!roles) {
    roles = fields.map((f) => ROLE_BY_FIELD[f.toLowerCase()] ?? 'other');
    rolesCache.set(fields, roles);
  }
  return roles;
}

/** `YYYY-MM-DD` of the file's modification time (UTC), for time-only lines with no `#Date`. */
function fileDay(ctx: ParseContext): string {
  return new Date(ctx.fileMtimeMs).toISOString().slice(0, 10);
}

function parseData(line: string, state: W3cState, ctx: ParseContext): ParsedLine | null {
  let tokens = line.split(' ');
  let fields: readonly string[] = state.fields;
  let missing = 0;
  if (fields.length) {
    // Some writers end lines with a separator: tolerate trailing empties, nothing else.
    while (tokens.length > fields.length && tokens[tokens.length - 1] === '') tokens = tokens.slice(0, -1);
    if (tokens.length !== fields.length) return null;
  } else {
    while (tokens.length > 1 && tokens[tokens.length - 1] === '') tokens = tokens.slice(0, -1);
    const layout = assumeLayout(tokens, state);
    if (!layout) return null;
    state.assumed = layout.name;
    fields = layout.fields;
    missing = fields.length - tokens.length;
  }
  const roles = rolesOf(fields);

  const f: EventFields = {};
  let date = state.headerDate;
  let time: string | undefined;
  let extra: Record<string, string | number> | undefined;
  for (let i = 0; i < tokens.length; i++) {
    const v = value(tokens[i]!);
    if (v === undefined) continue;
    switch (roles[i]) {
      case 'date': date = v; break;
      case 'time': time = v; break;
      case 'clientIp': f.clientIp = v; break;
      case 'clientPort': f.clientPort = toNumber(v); break;
      case 'user': f.user = decodePlus(v); break;
      case 'method': {
        // EFT and IIS 4 write `[N]verb`: N is the connection's session number.
        if (v.charCodeAt(0) === 91 /* [ */) {
          const close = v.indexOf(']');
          if (close > 0) {
            if (close > 1) f.sessionKey = v.slice(1, close);
            f.verb = v.slice(close + 1).toLowerCase();
            break;
          }
        }
        f.verb = v.toLowerCase();
        break;
      }
      case 'path': f.path = decodePlus(v); break;
      case 'fullPath': if (f.path === undefined || f.path === '/') f.path = decodePlus(v); break;
      case 'status': f.status = v; break;
      case 'bytes': f.bytes = (f.bytes ?? 0) + (toNumber(v) ?? 0); break;
      case 'server': f.server = decodePlus(v); break;
      case 'serverPort': f.serverPort = toNumber(v); break;
      case 'duration': f.durationMs = toNumber(v); break;
      case 'session': f.sessionKey = v; break;
      default: (extra ??= {})[fields[i]!] = decodePlus(v);
    }
  }
  if (time !== undefined && date === undefined && !state.fields.length) {
    date = fileDay(ctx);
    state.dayFromFile = true;
  }
  if (time === undefined || date === undefined) return null;
  const parts = isoParts(date, 0, time, 0);
  if (!parts) return null;
  const ts = partsToUtc(parts);
  if (ts === undefined) return null;
  f.ts = ts;
  if (f.path !== undefined && f.verb !== undefined && NON_PATH_VERBS.has(f.verb)) {
    f.message = f.path;
    f.path = undefined;
  }
  if (f.serverPort !== undefined) f.protocol = PROTOCOL_BY_PORT[String(f.serverPort)];
  if (missing > 0) (extra ??= {}).missingColumns = missing;
  if (extra) f.extra = extra;
  return { kind: 'event', fields: f };
}

export const w3c: FormatDefinition = {
  id: 'w3c',
  label: 'W3C Extended (EFT activity log, IIS FTP, Pure-FTPd w3c)',
  fileNameHint: /^(u_)?ex\d{6,8}.*\.log$/i,
  timestamp: 'date + time columns, UTC (IIS 4 layout: time only, date from #Date, else from the file date)',
  extracts: 'every #Fields column (with no #Fields header: the IIS 4/5/6 MSFTPSVC, IIS 7.5+ FTP or EFT default columns, chosen by the shape of the line): client IP/port, user, [session]verb, path (+ decoded), status, bytes (sc-bytes or cs-bytes), server name/port, time-taken, x-session',
  detect(lines) {
    const parser = this.createParser({ timeZone: 'UTC', fileMtimeMs: 0 });
    let ok = 0;
    for (const line of lines) if (parser.parse(line)) ok++;
    const state = parser.state() as W3cState;
    const sawLayout = state.fields.length > 0 || state.assumed !== undefined;
    return sawLayout && lines.length ? ok / lines.length : 0;
  },
  createParser(ctx, saved): LineParser {
    const state: W3cState = { fields: [], ...(saved as Partial<W3cState> | undefined) };
    return {
      parse: (line) => (line.charCodeAt(0) === 35 /* # */ ? parseDirective(line, state) : parseData(line, state, ctx)),
      state: () => state,
      detail: () => {
        if (state.assumed === undefined) return undefined;
        const layout = DEFAULT_LAYOUTS.find((l) => l.name === state.assumed)!;
        const day = state.dayFromFile ? '; no #Date: the day taken from the file date' : '';
        return `no #Fields header: columns assumed to be the ${layout.name} (${layout.fields.join(' ')})${day}`;
      },
    };
  },
  samples: [
    { line: '#Version: 1.0', expect: { kind: 'directive' } },
    { line: '#Software: CuteLogger', expect: { kind: 'directive' } },
    { line: '#Date: 2010-04-08 20:07:50', expect: { kind: 'directive' } },
    { line: '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port', expect: { kind: 'directive' } },
    { line: '2010-04-08 20:07:07 192.168.241.1 - test [1]user test - 331 - - - 22', expect: { ts: Date.UTC(2010, 3, 8, 20, 7, 7), clientIp: '192.168.241.1', user: 'test', sessionKey: '1', verb: 'user', path: undefined, message: 'test', status: '331', serverPort: 22, protocol: 'sftp' } },
    { line: '2010-04-08 20:07:07 192.168.241.1 - test [1]pass ******* - 230 - - - 22', expect: { verb: 'pass', status: '230' } },
    { line: '2010-04-08 20:07:16 192.168.241.1 - test [1]created /Test+File+1.txt - 226 - 54 - 22', expect: { verb: 'created', path: '/Test File 1.txt', status: '226', bytes: 54 } },
    { line: '2010-04-08 20:08:23 192.168.241.1 - test [1]rnfr /Test+File+1.txt - 350 - - - 22', expect: { verb: 'rnfr', path: '/Test File 1.txt', status: '350' } },
    { line: '2010-04-08 20:08:23 192.168.241.1 - test [1]rnto /Test+File+2.txt - 250 - - - 22', expect: { verb: 'rnto', path: '/Test File 2.txt' } },
    { line: '2010-04-08 20:08:26 192.168.241.1 - test [1]sent /Test+File+2.txt - 226 - 54 - 22', expect: { verb: 'sent', bytes: 54 } },
    { line: '2010-04-08 20:10:02 192.168.241.1 - test [1]dele /Test+File+2.txt - 250 - - - 22', expect: { verb: 'dele', status: '250', ts: Date.UTC(2010, 3, 8, 20, 10, 2) } },
    // IIS FTP: per-connection GUID in x-session.
    { line: '#Fields: date time c-ip cs-username s-ip s-port cs-method cs-uri-stem sc-status sc-win32-status sc-substatus x-session x-fullpath', expect: { kind: 'directive' } },
    { line: '2022-10-19 00:01:23 192.168.1.69 - 10.0.1.146 21 USER myuser 331 0 0 2684eafa-b405-4cbb-a934-65fc2af1316d -', expect: { verb: 'user', message: 'myuser', status: '331', sessionKey: '2684eafa-b405-4cbb-a934-65fc2af1316d', serverPort: 21, protocol: 'ftp' } },
    { line: '2022-10-19 00:01:23 192.168.1.69 server01\\myuser 10.0.1.146 21 PASS *** 230 0 0 2684eafa-b405-4cbb-a934-65fc2af1316d /', expect: { user: 'server01\\myuser', verb: 'pass', status: '230' } },
    // IIS 4 FTP: no date column, the date comes from #Date.
    { line: '#Date: 1999-01-25 00:00:00', expect: { kind: 'directive' } },
    { line: '#Fields: time c-ip cs-method cs-uri-stem sc-status', expect: { kind: 'directive' } },
    { line: '00:01:32 10.0.0.1 [56]created spacedat/html/catlogo.gif 226', expect: { ts: Date.UTC(1999, 0, 25, 0, 1, 32), sessionKey: '56', verb: 'created', path: 'spacedat/html/catlogo.gif', status: '226' } },
  ],
};
