/**
 * What one parsed line means for sessions and transfers: which connection it belongs to, which file
 * operation or login it records, and how that ended. Formats describe lines; this module reads their
 * fields the same way for every FTP-like server, with small per-format rules where logs differ.
 */
import type { EventFields } from '../formats/types.js';
import type { EventOp, Outcome, TransferOp } from '../store/op-codes.js';

export type { EventOp, Outcome, TransferOp };
export type EndReason = 'quit' | 'timeout' | 'disconnected' | 'unknown';

export interface Activity {
  /** Names the connection within its server; undefined when the line carries no connection key. */
  connKey?: string;
  /** Keys like EFT's `[N]` restart with the service: such a session may never be joined by time alone. */
  keyReused?: boolean;
  op?: EventOp;
  outcome?: Outcome;
  /** The line is a file operation record (one real operation may have several, in several logs). */
  transfer?: boolean;
  /** RNFR: remembered until the RNTO that completes the rename. */
  renameFrom?: string;
  pathTo?: string;
  /** A login attempt's failure reason. */
  reason?: string;
  end?: EndReason;
  /** A client command (counted in the session), as opposed to a reply or a server message. */
  command?: boolean;
  /** A command whose reply arrives on a later line (FileZilla). */
  awaitsReply?: boolean;
  /** A reply line that completes the session's pending command (FileZilla). */
  reply?: boolean;
  /** Starts a connection (a later line with the same key after the old one ended is a new session). */
  starts?: boolean;
  /** Absolute server-side path when the format knows it (matches records of other logs best). */
  serverPath?: string;
}

const UPLOAD = new Set(['stor', 'stou', 'appe', 'created', 'upload', 'put', 'store']);
const DOWNLOAD = new Set(['retr', 'sent', 'download', 'get-file']);
const DELETE = new Set(['dele', 'delete', 'remove', 'rm']);
const MKDIR = new Set(['mkd', 'xmkd', 'mkdir']);
const RMDIR = new Set(['rmd', 'xrmd', 'rmdir']);
const LOGIN = new Set(['pass', 'login', 'login-failed', 'invalid-user', 'userauth', 'anon']);

/** The outcome a status value says, whatever its vocabulary (FTP codes, xferlog, vsftpd, ProFTPD). */
export function outcomeOf(status: string | undefined, protocol?: string): Outcome | undefined {
  if (status === undefined || status === '') return undefined;
  switch (status.toLowerCase()) {
    case 'ok': case 'success': case 'complete': case 'c':
      return 'success';
    case 'fail': case 'failure': case 'failed':
      return 'failed';
    case 'incomplete': case 'i': case 'cancelled': case 'timeout':
      return 'incomplete';
  }
  if (!/^\d+$/.test(status)) return undefined;
  const code = Number(status);
  if (protocol === 'sftp' && code < 100) return code === 0 || code === 1 ? 'success' : 'failed'; // SSH_FX_OK, SSH_FX_EOF
  if (code >= 100 && code < 400) return 'success';
  if (code === 426) return 'incomplete'; // connection closed, transfer aborted
  if (code >= 400 && code < 700) return 'failed';
  return undefined;
}

function transferOp(verb: string): TransferOp | undefined {
  if (UPLOAD.has(verb)) return 'upload';
  if (DOWNLOAD.has(verb)) return 'download';
  if (DELETE.has(verb)) return 'delete';
  if (MKDIR.has(verb)) return 'mkdir';
  if (RMDIR.has(verb)) return 'rmdir';
  if (verb === 'rename') return 'rename';
  return undefined;
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);

/**
 * FTP-style command lines (W3C, ExtendedLog, CLF, IIS, EFT client log): verb + reply code. One
 * object per line, filled in place (spreading a new one per property cost 1.4 s per 1M lines).
 */
function ftpCommand(f: EventFields, protocol: string | undefined): Activity {
  const verb = f.verb ? f.verb.toLowerCase() : '';
  const transferStatus = str(f.extra?.transferStatus);
  const outcome = outcomeOf(transferStatus ?? f.status, protocol);
  const a: Activity = { command: true };
  if (outcome) a.outcome = outcome;
  const serverPath = str(f.extra?.serverPath);
  if (serverPath) a.serverPath = serverPath;
  if (verb === 'rnfr') {
    if (outcome !== 'failed') a.renameFrom = serverPath ?? f.path ?? '';
    else {
      a.op = 'rename';
      a.transfer = true;
    }
  } else if (verb === 'rnto') {
    a.op = 'rename';
    a.transfer = true;
    a.pathTo = serverPath ?? f.path ?? '';
  } else if (verb === 'quit' || verb === 'bye' || verb === 'logout') {
    a.op = 'logout';
    a.end = 'quit';
  } else if (verb === 'user') {
    a.starts = false;
  } else if (LOGIN.has(verb)) {
    a.op = 'login';
  } else {
    const op = transferOp(verb);
    if (op) {
      a.op = op;
      a.transfer = true;
    }
  }
  return a;
}

type Classifier = (f: EventFields, sourceServer: string) => Activity;

/** SFTP requests that ProFTPD's ExtendedLog writes next to the FTP-equivalent line of the same operation. */
const SFTP_DOUBLES = new Set(['write', 'read', 'close', 'rename', 'remove', 'fsetstat', 'fstat', 'setstat', 'stat', 'lstat', 'opendir', 'readdir', 'realpath']);

const proftpdKey = (f: EventFields) => (f.pid !== undefined ? `proftpd|${f.pid}` : f.sessionKey ? `proftpd|${f.sessionKey}` : undefined);

/** `a` (a new object of the caller's) with its connection key. */
function withKey(a: Activity, connKey: string | undefined): Activity {
  if (connKey) a.connKey = connKey;
  return a;
}

/**
 * The connection key of a W3C line, remembered per session key with the server and client it was
 * made for: a connection's lines give one string instead of a new one to build and hash for each
 * (1M EFT lines: 290 MB allocated by this classifier). A bounded cache of a pure function.
 */
const w3cKeys = new Map<string, { server: string; clientIp: string; connKey: string }>();
const W3C_KEYS_REMEMBERED = 4_096;

function w3cConnKey(server: string, clientIp: string, sessionKey: string): string {
  const known = w3cKeys.get(sessionKey);
  if (known && known.server === server && known.clientIp === clientIp) return known.connKey;
  if (w3cKeys.size >= W3C_KEYS_REMEMBERED) w3cKeys.clear();
  const connKey = `w3c|${server}|${clientIp}|${sessionKey}`;
  w3cKeys.set(sessionKey, { server, clientIp, connKey });
  return connKey;
}

const CLASSIFIERS: Record<string, Classifier> = {
  w3c(f, server) {
    const protocol = f.protocol;
    // EFT `[N]` restarts with the service; IIS x-session is a GUID, unique on its own.
    const guid = f.sessionKey && f.sessionKey.length > 16 ? f.sessionKey : undefined;
    const connKey = guid ? `iis|${guid}` : f.sessionKey ? w3cConnKey(f.server ?? server, f.clientIp ?? '', f.sessionKey) : undefined;
    const a = withKey(ftpCommand(f, protocol), connKey);
    if (!guid && connKey) a.keyReused = true;
    return a;
  },
  iis: (f) => ftpCommand(f, f.protocol),
  clf: (f) => ftpCommand(f, f.protocol),
  'eft-client'(f) {
    const a = ftpCommand(f, f.protocol);
    const actionResult = f.extra?.actionResult;
    if (actionResult === 1) a.outcome = 'failed';
    else if (actionResult === 0) a.outcome = 'success';
    return a;
  },
  'proftpd-extended'(f) {
    const verb = f.verb?.toLowerCase() ?? '';
    const connKey = proftpdKey(f);
    // SFTP requests have names no FTP command has, so they are recognised even where the LogFormat
    // has no %{protocol}. A failed OPEN is the only record of a download of a missing file.
    if (verb === 'open') {
      const outcome = outcomeOf(f.status, 'sftp');
      return withKey(outcome === 'failed' ? { command: true, op: 'download', outcome, transfer: true } : { command: true }, connKey);
    }
    if (verb === 'mkdir' || verb === 'rmdir') {
      const outcome = outcomeOf(f.status, 'sftp');
      return withKey({ command: true, op: verb, transfer: true, ...(outcome ? { outcome } : {}) }, connKey);
    }
    // The FTP-equivalent MKD/RMD of an SFTP request has no reply code: the request line is the record.
    if ((verb === 'mkd' || verb === 'rmd') && (f.status === undefined || f.status === '-')) return withKey({ command: true }, connKey);
    if (SFTP_DOUBLES.has(verb)) return withKey({ command: true, ...(outcomeOf(f.status, 'sftp') === 'failed' ? { outcome: 'failed' as const } : {}) }, connKey);
    return withKey(ftpCommand(f, f.protocol), connKey);
  },
  'proftpd-system'(f) {
    // The daemon's own lines (startup, shutdown, signals) share no connection.
    const connKey = f.clientIp || f.user ? proftpdKey(f) : undefined;
    switch (f.verb) {
      case 'session-open':
        return withKey({ op: 'connect', starts: true }, connKey);
      case 'session-close':
        return withKey({ op: 'logout', end: 'disconnected' }, connKey);
      case 'login':
        return withKey({ op: 'login', outcome: 'success' }, connKey);
      case 'login-failed':
      case 'max-login-attempts':
        return withKey({ op: 'login', outcome: 'failed', reason: str(f.extra?.reason) ?? f.message ?? 'login failed' }, connKey);
      case 'timeout':
      case 'idle-timeout':
      case 'login-timeout':
        return withKey({ end: 'timeout' }, connKey);
    }
    if (f.extra?.category === 'timeout') return withKey({ end: 'timeout' }, connKey);
    return withKey({}, connKey);
  },
  'proftpd-modlog'(f) {
    const connKey = proftpdKey(f);
    switch (f.verb) {
      case 'connect':
        return withKey({ op: 'connect', starts: true }, connKey);
      case 'login':
        return withKey({ op: 'login', outcome: 'success' }, connKey);
      case 'login-failed':
        return withKey({ op: 'login', outcome: 'failed', reason: str(f.extra?.reason) ?? 'login failed' }, connKey);
      case 'disconnect': {
        const reason = str(f.extra?.reason) ?? f.message ?? '';
        return withKey({ op: 'logout', end: /disconnected by user|application disconnected/i.test(reason) ? 'quit' : /timeout|timed out/i.test(reason) ? 'timeout' : 'disconnected' }, connKey);
      }
      case 'mkdir':
        return withKey({ op: 'mkdir', outcome: 'success', transfer: true }, connKey);
      case 'open-failed':
        return withKey({ op: 'download', outcome: 'failed', transfer: true }, connKey);
    }
    return withKey({}, connKey);
  },
  xferlog(f) {
    const op = f.verb === 'upload' || f.verb === 'download' || f.verb === 'delete' ? f.verb : undefined;
    const outcome = outcomeOf(f.status);
    return { command: false, ...(op ? { op, transfer: true } : {}), ...(outcome ? { outcome } : {}) };
  },
  vsftpd(f) {
    const connKey = f.sessionKey ? `vsftpd|${f.sessionKey}` : undefined;
    const outcome = outcomeOf(f.status);
    const base: Activity = { ...(outcome ? { outcome } : {}) };
    switch (f.verb) {
      case 'connect':
        return withKey({ op: 'connect', starts: true }, connKey);
      case 'login':
        return withKey({ ...base, op: 'login', ...(outcome === 'failed' && f.message ? { reason: f.message } : {}) }, connKey);
      case 'ftp-command':
        return withKey({ command: true, ...(str(f.extra?.command) === 'quit' ? { end: 'quit' as const } : {}) }, connKey);
      case 'rename':
        return withKey({ ...base, op: 'rename', transfer: true, ...(str(f.extra?.renameTo) ? { pathTo: str(f.extra?.renameTo)! } : {}) }, connKey);
    }
    const op = transferOp(f.verb ?? '');
    return withKey(op ? { ...base, op, transfer: true } : base, connKey);
  },
  'pureftpd-stats'(f) {
    const op = f.verb === 'upload' || f.verb === 'download' ? f.verb : undefined;
    return withKey(op ? { op, transfer: true, outcome: 'success' } : {}, f.sessionKey ? `pureftpd|${f.sessionKey}` : undefined);
  },
  'filezilla-legacy': fileZilla,
  filezilla: fileZilla,
  syslog(f) {
    const program = str(f.extra?.program) ?? '';
    const connKey = program === 'proftpd' ? proftpdKey(f) : f.sessionKey ? `syslog|${str(f.extra?.host) ?? ''}|${program}|${f.sessionKey}` : undefined;
    switch (f.verb) {
      case 'session-open':
      case 'connect':
        return withKey({ op: 'connect', starts: true }, connKey);
      case 'session-close':
      case 'logout':
        return withKey({ op: 'logout', end: f.verb === 'logout' ? 'quit' : 'disconnected' }, connKey);
      case 'login':
        return withKey({ op: 'login', outcome: outcomeOf(f.status) ?? 'success' }, connKey);
      case 'login-failed':
      case 'invalid-user':
        return withKey({ op: 'login', outcome: 'failed', reason: str(f.extra?.reason) ?? f.message ?? 'login failed' }, connKey);
      case 'close': {
        const direction = str(f.extra?.direction);
        return withKey(direction === 'upload' || direction === 'download' ? { op: direction, outcome: 'success', transfer: true } : {}, connKey);
      }
      case 'remove':
        return withKey({ op: 'delete', outcome: 'success', transfer: true }, connKey);
      case 'mkdir':
        return withKey({ op: 'mkdir', outcome: 'success', transfer: true }, connKey);
      case 'rmdir':
        return withKey({ op: 'rmdir', outcome: 'success', transfer: true }, connKey);
      case 'rename':
        return withKey({ op: 'rename', outcome: 'success', transfer: true, ...(str(f.extra?.to) ? { pathTo: str(f.extra?.to)! } : {}) }, connKey);
    }
    const op = transferOp(f.verb ?? '');
    const outcome = outcomeOf(f.status);
    return withKey(op ? { op, transfer: true, ...(outcome ? { outcome } : {}) } : {}, connKey);
  },
};

/**
 * FileZilla logs the command and its reply on separate lines: the command waits in the session and
 * the final reply (2xx/4xx/5xx) decides its outcome.
 */
function fileZilla(f: EventFields, server: string): Activity {
  const connKey = f.sessionKey ? `filezilla|${server}|${f.sessionKey}` : undefined;
  const keyed = (a: Activity): Activity => ({ ...withKey(a, connKey), ...(connKey ? { keyReused: true } : {}) });
  const level = str(f.extra?.level);
  if (f.verb === 'connect') return keyed({ op: 'connect', starts: true });
  if (f.verb === 'disconnect') return keyed({ op: 'logout', end: 'disconnected' });
  if (level === 'command' && f.verb) {
    const a = ftpCommand({ ...f, status: undefined }, f.protocol);
    if (a.end) return keyed(a);
    return keyed({ ...a, awaitsReply: true });
  }
  if (level === 'reply' && f.status) return keyed({ reply: true, ...(outcomeOf(f.status) ? { outcome: outcomeOf(f.status)! } : {}) });
  return keyed({});
}

export function classify(format: string, f: EventFields, sourceServer: string): Activity {
  const classifier = CLASSIFIERS[format];
  return classifier ? classifier(f, sourceServer) : {};
}

/** Ranks a session's protocol evidence: SSH beats TLS beats plain (a session upgraded by AUTH TLS is FTPS). */
const PROTOCOL_RANK: Record<string, number> = { ftp: 1, http: 1, ftps: 2, https: 2, ssh2: 3, sftp: 4, scp: 4 };

export function strongerProtocol(current: string | null, candidate: string | undefined): string | null {
  if (!candidate || candidate === current) return current; // current is one this returned: lower case, ranked as itself
  const c = candidate.toLowerCase() === 'ssh2' ? 'sftp' : candidate.toLowerCase();
  if (!(c in PROTOCOL_RANK)) return current ?? c;
  if (!current || !(current in PROTOCOL_RANK) || PROTOCOL_RANK[c]! > PROTOCOL_RANK[current]!) return c;
  return current;
}
