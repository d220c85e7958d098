/**
 * Explanations of result codes and messages: what happened, how serious it is, what the admin can
 * do. The tables are data (ftp.ts, sftp.ts, eft.ts, winsock.ts, strerror.ts, http.ts, outcomes.ts,
 * proftpd-messages.ts); this module decides which table a code belongs to.
 *
 * Which table applies (docs/explanations.md says the same):
 * 1. A number from 10000 up is a WinSock error (EFT writes socket errors as GetLastCode).
 * 2. A three-digit number (100–699) is an FTP reply code, unless the row is HTTP: its verb is an HTTP
 *    method (GET, PUT, PROPFIND…), or it has no verb and its protocol is http/https. The verb decides,
 *    not the port, because EFT logs SFTP and HTTPS sessions with FTP verbs and FTP reply codes. A
 *    code the table lacks is explained by its class (RFC 959 §4.2.1).
 * 3. A small number (-1 to 31) depends on where it was logged:
 *    - EFT client log (format `eft-client`): on an SFTP row, EFT's own SFTP list (the seed's -1…8),
 *      then EFT's connection codes; on any other row, EFT's connection/SOCKS codes (0–12, 2000).
 *      So 2 is "file does not exist" on an sftp row but "not allowed by ruleset" on an ftp row.
 *    - Any other SFTP row (protocol sftp, ssh2 or scp: ProFTPD ExtendedLog SFTP requests, FileZilla
 *      SFTP sessions): an SSH_FX status code (draft-ietf-secsh-filexfer, 0–31).
 *    - With no format and no protocol (the CLI without --protocol): every table holding the number,
 *      SFTP first; with protocol ftp and no format: EFT's codes (only EFT's client log writes them).
 *    - Otherwise none: a small number in an FTP or web row is not a reply code.
 * 4. Words: `c`/`i`/`complete`/`incomplete` are xferlog's completion status, `OK`/`FAIL` vsftpd's;
 *    symbolic names (WSAECONNRESET, SSH_FX_NO_SUCH_FILE, ECONNRESET), ProFTPD message ids and
 *    failed-login reason codes (wrong_password: what sessions keep) find their entry; on an SFTP row OpenSSH's status texts ("No such file") find the SSH_FX code. The
 *    generic outcomes `success`/`failure` explain nothing by themselves: the row's message does
 *    (a login reason code, or the ProFTPD catalogue for the SystemLog and syslog formats).
 *    Sessions and transfers have no verb: their code answers a login (PASS) or a transfer command
 *    (`answers`), which every format writes as an FTP command but the web servers' logs (CLF), whose
 *    codes are HTTP statuses. So an EFT HTTPS session's 530 and its transfers' 226 read as FTP, as
 *    the lines behind them do.
 * 5. `protocol` may also name a table (eft, socks, eft-sftp, eft-action-result, winsock, strerror,
 *    http, xferlog, vsftpd, proftpd, login-reason) to look only there.
 */
import { EFT_ACTION_RESULT_TABLE, EFT_SFTP_TABLE, EFT_TABLE } from './eft.js';
import { FTP_TABLE, ftpClassEntry } from './ftp.js';
import { HTTP_TABLE, httpClassEntry } from './http.js';
import { LOGIN_REASON_TABLE } from './login-reasons.js';
import { VSFTPD_TABLE, XFERLOG_TABLE } from './outcomes.js';
import { PROFTPD_MESSAGES, classifyProftpdMessage, type ProftpdMessageEntry } from './proftpd-messages.js';
import { SFTP_TABLE } from './sftp.js';
import { STRERROR_TABLE } from './strerror.js';
import type { CodeEntry, CodeTable, Explanation, Severity } from './types.js';
import { WINSOCK_TABLE } from './winsock.js';

export type { Explanation, Severity } from './types.js';

function proftpdSeverity(m: ProftpdMessageEntry): Severity {
  switch (m.level) {
    case 'EMERG': case 'ALERT': case 'CRIT': case 'ERR': return 'error';
    case 'WARNING': return 'warning';
    default: return m.outcome === 'failure' ? 'warning' : m.outcome === 'success' ? 'success' : 'info';
  }
}

/** The ProFTPD SystemLog/syslog message catalogue as a table: code = message id. */
export const PROFTPD_TABLE: CodeTable = {
  id: 'proftpd',
  label: 'ProFTPD log message',
  entries: PROFTPD_MESSAGES.map((m) => ({
    code: m.id,
    title: m.title,
    meaning: `${m.what} ProFTPD logs it at ${m.level} level.`,
    severity: proftpdSeverity(m),
    advice: m.advice,
  })),
};

/** Every table, in the order results list them when nothing else decides. */
export const TABLES: readonly CodeTable[] = [
  FTP_TABLE, SFTP_TABLE, EFT_TABLE, EFT_SFTP_TABLE, EFT_ACTION_RESULT_TABLE, WINSOCK_TABLE,
  STRERROR_TABLE, HTTP_TABLE, XFERLOG_TABLE, VSFTPD_TABLE, PROFTPD_TABLE, LOGIN_REASON_TABLE,
];

const TABLE_BY_ID = new Map(TABLES.map((t) => [t.id, t]));

export function tableLabel(id: string): string {
  return TABLE_BY_ID.get(id)?.label ?? id;
}

/** table id → code or alias (lower case) → entry. */
const BY_CODE = new Map(
  TABLES.map((t) => [t.id, new Map(t.entries.flatMap((x) => [x.code, ...(x.aliases ?? [])].map((k) => [k.toLowerCase(), x] as const)))]),
);

/** Tables whose codes are words or ids (`complete`, `FAIL`, `login-failed`, `wrong_password`). */
const WORD_CODE_TABLES = ['xferlog', 'vsftpd', 'proftpd', 'login-reason'];

/** Symbolic names (WSAECONNRESET, SSH_FX_EOF, EACCES), upper case → [table, entry]. */
const BY_NAME = new Map<string, [string, CodeEntry]>();
/** Aliases and titles (lower case) → [table, entry][], for whole-text matches. */
const BY_TEXT = new Map<string, [string, CodeEntry][]>();
for (const t of TABLES) {
  for (const x of t.entries) {
    if (x.name) BY_NAME.set(x.name.toUpperCase(), [t.id, x]);
    if (t.id === 'proftpd') continue; // matched by pattern, not by title
    for (const text of new Set([x.title, ...(x.aliases ?? [])].map((s) => s.toLowerCase()))) {
      const list = BY_TEXT.get(text) ?? [];
      list.push([t.id, x]);
      BY_TEXT.set(text, list);
    }
  }
}

/** strerror texts, longest first so "Too many open files in system" wins over its prefix. */
const STRERROR_TEXTS = STRERROR_TABLE.entries
  .map((x) => [x.title.toLowerCase(), x] as const)
  .sort((a, b) => b[0].length - a[0].length);

const HTTP_METHODS = new Set(['get', 'head', 'post', 'put', 'delete', 'options', 'patch', 'trace', 'connect', 'propfind', 'proppatch', 'mkcol', 'copy', 'move', 'lock', 'unlock']);

type Family = 'ftp' | 'sftp' | 'http';

/** What a code without a verb answers (rule 2): a session's login, a transfer's command. */
export type Answers = 'login' | 'transfer';

/** Formats whose codes are HTTP statuses whatever the row. */
const HTTP_FORMATS: ReadonlySet<string> = new Set(['clf']);

const PROTOCOL_FAMILIES: Readonly<Record<string, Family>> = {
  ftp: 'ftp', ftps: 'ftp', ftpes: 'ftp', 'ftp-ssl': 'ftp', 'ftp-tls': 'ftp', 'ftp/s': 'ftp',
  sftp: 'sftp', ssh: 'sftp', ssh2: 'sftp', scp: 'sftp',
  http: 'http', https: 'http', webdav: 'http',
};

/** Names `--protocol` accepts for a single table besides the table ids. */
const TABLE_ALIASES: Readonly<Record<string, string>> = { socks: 'eft', actionresult: 'eft-action-result', 'action-result': 'eft-action-result', wsa: 'winsock', errno: 'strerror' };

interface Context {
  family?: Family;
  format?: string;
  /** Only this table (protocol named a table). */
  only?: string;
  /** The row is HTTP (rule 2). */
  http: boolean;
  /** Neither format nor protocol given. */
  bare: boolean;
}

/** `row`: the code comes from a stored row, never "bare" (rule 3's every-table listing is for people asking). */
function context(protocol?: string | null, format?: string | null, verb?: string | null, row = false, answers?: Answers | null): Context {
  const p = protocol?.trim().toLowerCase() || undefined;
  const only = p && !PROTOCOL_FAMILIES[p] ? (TABLE_ALIASES[p] ?? (TABLE_BY_ID.has(p) ? p : undefined)) : undefined;
  const family = p ? PROTOCOL_FAMILIES[p] : undefined;
  const v = verb?.trim().toLowerCase() || undefined;
  return {
    family,
    format: format || undefined,
    only,
    http: v ? HTTP_METHODS.has(v) : answers && format ? HTTP_FORMATS.has(format) : family === 'http',
    bare: !row && !p && !format,
  };
}

const GENERIC_OUTCOMES = new Set(['success', 'failure', 'failed', 'cancelled', 'timeout']);

function toExplanation(table: string, x: CodeEntry): Explanation {
  return { table, code: x.code, title: x.title, meaning: x.meaning, severity: x.severity, advice: x.advice, ...(x.name ? { name: x.name } : {}) };
}

/** The tables a number belongs to, best first (rules 1–3). Class fallbacks are marked `ftp*`/`http*`. */
function numericTables(n: number, ctx: Context): string[] {
  if (n >= 10000) return ['winsock'];
  if (n >= 100 && n <= 699) {
    if (ctx.http) return ['http', 'http*'];
    if (ctx.bare) return ['ftp', 'http', 'ftp*'];
    return ['ftp', 'ftp*'];
  }
  if (n < -1 || n > 2000) return [];
  if (ctx.format === 'eft-client') return ctx.family === 'sftp' ? ['eft-sftp', 'eft'] : ['eft'];
  if (ctx.family === 'sftp') return ctx.format ? ['sftp'] : ['sftp', 'eft-sftp'];
  if (ctx.bare) return ['sftp', 'eft-sftp', 'eft', 'eft-action-result'];
  if (ctx.family === 'ftp' && !ctx.format) return ['eft'];
  return [];
}

function lookupIn(table: string, code: string): Explanation | undefined {
  if (table === 'ftp*') {
    const x = ftpClassEntry(code);
    return x && toExplanation('ftp', x);
  }
  if (table === 'http*') {
    const x = httpClassEntry(code);
    return x && toExplanation('http', x);
  }
  const x = BY_CODE.get(table)?.get(code.toLowerCase());
  return x && toExplanation(table, x);
}

function explain(code: string, ctx: Context): Explanation[] {
  const c = code.trim();
  if (!c) return [];
  if (ctx.only) {
    const hit = lookupIn(ctx.only, c);
    const named = BY_NAME.get(c.toUpperCase());
    return hit ? [hit] : named?.[0] === ctx.only ? [toExplanation(...named)] : [];
  }
  if (/^-?\d+$/.test(c)) {
    const out: Explanation[] = [];
    let exact = false;
    for (const table of numericTables(Number(c), ctx)) {
      // A class explanation only when no table knows the code itself.
      if (table.endsWith('*') && exact) continue;
      const hit = lookupIn(table, c);
      if (hit) {
        out.push(hit);
        if (!table.endsWith('*')) exact = true;
      }
    }
    return out;
  }
  if (/^[1-6]xx$/i.test(c)) return [ctx.http ? lookupIn('http*', c) : undefined, lookupIn('ftp*', c)].filter((x): x is Explanation => !!x);
  // The formats' own outcome words are lower case; OpenSSH's status texts ("Failure") are capitalised.
  if (GENERIC_OUTCOMES.has(c)) return [];
  const named = BY_NAME.get(c.toUpperCase());
  if (named) return [toExplanation(...named)];
  // Status words (xferlog, vsftpd), ProFTPD message ids, login reasons; on SFTP rows OpenSSH's texts.
  const tables = ctx.bare ? TABLES.map((t) => t.id) : [...(ctx.family === 'sftp' ? ['sftp'] : []), ...WORD_CODE_TABLES];
  const out = tables.map((t) => lookupIn(t, c)).filter((x): x is Explanation => !!x);
  if (ctx.bare) for (const [table, x] of BY_TEXT.get(c.toLowerCase()) ?? []) out.push(toExplanation(table, x));
  return dedupe(out);
}

function dedupe(list: Explanation[]): Explanation[] {
  const seen = new Set<string>();
  return list.filter((x) => {
    const key = `${x.table}\u0000${x.code}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/**
 * Every plausible explanation of a code, best first. `protocol` is the row's protocol (ftp, ftps,
 * sftp, ssh2, http…) or a table id; `format` the format id that logged it (eft-client, w3c…).
 */
export function explainCode(code: string, opts: { protocol?: string; format?: string; verb?: string; answers?: Answers } = {}): Explanation[] {
  return explain(code, context(opts.protocol, opts.format, opts.verb, false, opts.answers));
}

function proftpdExplanation(message: string): Explanation | undefined {
  const c = classifyProftpdMessage(message);
  return c ? lookupIn('proftpd', c.entry.id) : undefined;
}

/** Where a ProFTPD message may start inside a pasted log line (after the prefix's `: ` or ` - `). */
function messageStarts(text: string): number[] {
  const starts = [0];
  const re = /(?:\): |\]: | - |: )/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text)) && starts.length < 12) starts.push(m.index + m[0].length);
  return starts;
}

/**
 * Explanations for a message or a whole log line: the ProFTPD message it is, a reply code it
 * starts with, symbolic names and WinSock numbers it contains, and the strerror reasons it ends with.
 */
export function explainText(text: string): Explanation[] {
  const t = text.trim();
  if (!t) return [];
  if (/^(?:-?\d+|[1-6]xx)$/i.test(t) || BY_NAME.has(t.toUpperCase())) return explainCode(t);
  const out: Explanation[] = [];
  for (const start of messageStarts(t)) {
    const hit = proftpdExplanation(t.slice(start));
    if (hit) {
      out.push(hit);
      break;
    }
  }
  const reply = /^([1-6]\d\d)[ -]/.exec(t);
  if (reply) out.push(...explainCode(reply[1]!, { protocol: 'ftp', format: 'text' }));
  const lower = t.toLowerCase();
  const statusText = /^(?:sent )?status (.+)$/i.exec(t)?.[1]?.toLowerCase() ?? lower;
  for (const [table, x] of BY_TEXT.get(statusText) ?? []) out.push(toExplanation(table, x));
  for (const m of t.matchAll(/\b(WSA[A-Z_]+|SSH_FX_[A-Z_]+|E[A-Z]{3,})\b/g)) {
    const named = BY_NAME.get(m[1]!);
    if (named) out.push(toExplanation(...named));
  }
  // A WinSock number needs a word saying it is one: a bare 5-digit number may be a pid or a port.
  for (const m of t.matchAll(/(?:error|code|winsock|socket|#)\D{0,12}?\b(1[01]\d{3})\b/gi)) {
    const hit = lookupIn('winsock', m[1]!);
    if (hit) out.push(hit);
  }
  // strerror texts inside the message; a shorter text inside a longer one already found is skipped.
  let rest = lower;
  for (const [s, x] of STRERROR_TEXTS) {
    if (!rest.includes(s)) continue;
    out.push(toExplanation('strerror', x));
    rest = rest.replace(s, ' ');
  }
  return dedupe(out);
}

/** Formats whose messages come from ProFTPD's catalogue (null: unknown, try it). */
const PROFTPD_MESSAGE_FORMATS = new Set(['proftpd-system', 'syslog']);

const shortCache = new Map<string, string | null>();
const SHORT_CACHE_LIMIT = 10_000;

function cached(key: string, compute: () => string | undefined): string | undefined {
  let v = shortCache.get(key);
  if (v === undefined) {
    if (shortCache.size >= SHORT_CACHE_LIMIT) shortCache.clear();
    v = compute() ?? null;
    shortCache.set(key, v);
  }
  return v ?? undefined;
}

/** The one-line form: "550 File unavailable (not found, no access)", "10054 Connection reset by peer (WSAECONNRESET)". */
export function formatShort(x: Explanation): string {
  // Codes that are words or ids: the title alone reads better.
  if (WORD_CODE_TABLES.includes(x.table)) return x.title;
  const name = x.name && x.name !== x.code && (x.table === 'winsock' || x.table === 'sftp') ? ` (${x.name})` : '';
  return `${x.code} ${x.title}${name}`;
}

/**
 * One-line explanation for a result row (events/sessions/transfers), or undefined when nothing
 * applies. Fast enough per row of a page: table lookups are map hits, results are cached by
 * (code, protocol, format, verb), and the message catalogue is only tried when the code says nothing.
 */
export function shortExplanation(row: {
  status?: string | null;
  code?: string | null;
  protocol?: string | null;
  format?: string | null;
  message?: string | null;
  verb?: string | null;
  answers?: Answers | null;
}): string | undefined {
  const code = (row.code ?? row.status)?.trim();
  if (code) {
    const byCode = cached(`c\u0000${code}\u0000${row.protocol ?? ''}\u0000${row.format ?? ''}\u0000${row.verb ?? ''}\u0000${row.answers ?? ''}`, () => {
      const first = explain(code, context(row.protocol, row.format, row.verb, true, row.answers))[0];
      return first && formatShort(first);
    });
    if (byCode) return byCode;
  }
  const message = row.message?.trim();
  if (!message) return undefined;
  // Sessions keep a failed login's reason code (wrong_password) where events have the message.
  const reason = lookupIn('login-reason', message);
  if (reason) return formatShort(reason);
  if (!row.format || PROFTPD_MESSAGE_FORMATS.has(row.format)) {
    return cached(`m\u0000${message}`, () => {
      const hit = proftpdExplanation(message);
      return hit && formatShort(hit);
    });
  }
  return undefined;
}
