import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParsedLine } from './types.js';

/**
 * Pure-FTPd's `stats` transfer log (`AltLog stats:/var/log/pureftpd.log`, or `-O stats:FILE`).
 * Pure-FTPd's README documents it as `<date> <session id> <user> <ip> <U or D> <size> <duration> <file>`;
 * src/altlog.c (altlog_writexfer_stats) writes exactly that order with
 * `"%llu %llx.%lx %s %s %c %llu %lu %s\n"`:
 *
 * - date: `time(NULL)`, seconds since the epoch (UTC by definition; `pure-statsdecode` turns it into
 *   a local date for humans);
 * - session id: `<session start time in hex>.<pid in hex>` (the README warns it is unique "in the
 *   real world" but not guaranteed);
 * - user: the account, `-` when none; ip: the client host (a name if Pure-FTPd resolves names, `-`
 *   when unknown);
 * - `U` upload / `D` download; size in bytes; duration in whole seconds (rounded);
 * - file: written unquoted and unescaped, always last, so it may contain spaces.
 *
 * Pure-FTPd's other AltLog forms are read by other formats: `clf` (`"PUT /path" 200 size`, see clf.ts),
 * `w3c` (`[]created` / `[]sent`, see w3c.ts) and `xferlog`.
 */

const SESSION = /^[0-9a-f]{1,16}\.[0-9a-f]{1,16}$/;
const DIGITS = /^\d+$/;

export function parseStatsLine(line: string): ParsedLine | null {
  // Seven single-space separated fields, then the file name (the rest of the line).
  const cut: number[] = [];
  let from = 0;
  for (let i = 0; i < 7; i++) {
    const sp = line.indexOf(' ', from);
    if (sp <= from) return null; // missing field or an empty one (double space)
    cut.push(sp);
    from = sp + 1;
  }
  const field = (i: number) => line.slice(i === 0 ? 0 : cut[i - 1]! + 1, cut[i]);
  const [epoch, session, user, host, dir, size, duration] = [0, 1, 2, 3, 4, 5, 6].map(field) as string[];
  const file = line.slice(from);
  if (file === '' || !DIGITS.test(epoch!) || epoch!.length < 9 || epoch!.length > 11) return null;
  if (!SESSION.test(session!) || (dir !== 'U' && dir !== 'D') || !DIGITS.test(size!) || !DIGITS.test(duration!)) return null;
  const f: EventFields = {
    ts: Number(epoch) * 1000,
    sessionKey: session,
    verb: dir === 'U' ? 'upload' : 'download',
    path: file,
    bytes: Number(size),
    durationMs: Number(duration) * 1000,
  };
  const dot = session!.indexOf('.');
  f.pid = parseInt(session!.slice(dot + 1), 16);
  if (user !== '-') f.user = user;
  if (host !== '-') f.clientIp = host;
  f.extra = { sessionStart: parseInt(session!.slice(0, dot), 16) };
  return { kind: 'event', fields: f };
}

export const pureftpdStats: FormatDefinition = {
  id: 'pureftpd-stats',
  label: 'Pure-FTPd stats transfer log (AltLog stats)',
  fileNameHint: /^pure-?ftpd.*\.log/i,
  timestamp: 'Unix epoch seconds (UTC)',
  extracts: 'session id (session key; its hex pid as pid, session start in extra), user, client host, U/D as verb upload/download, bytes, duration (whole seconds), file (rest of the line, may contain spaces)',
  ...lineByLine(parseStatsLine),
  // No verbatim stats line was found in public documentation or bug reports; these follow the format
  // string of src/altlog.c byte for byte (`%llu %llx.%lx %s %s %c %llu %lu %s`), with session start
  // 0x6932e0b0 = 2025-12-05 13:40:00 UTC and pid 0x1f2a = 7978.
  samples: [
    { line: '1764942052 6932e0b0.1f2a joe 192.0.2.10 U 1048576 2 /home/joe/incoming/report.csv', expect: { ts: 1764942052000, sessionKey: '6932e0b0.1f2a', pid: 7978, user: 'joe', clientIp: '192.0.2.10', verb: 'upload', bytes: 1048576, durationMs: 2000, path: '/home/joe/incoming/report.csv', extra: { sessionStart: 0x6932e0b0 } } },
    { line: '1764942060 6932e0b0.1f2a joe 192.0.2.10 D 42 0 /home/joe/My Documents/read me.txt', expect: { verb: 'download', bytes: 42, durationMs: 0, path: '/home/joe/My Documents/read me.txt' } },
    { line: '1764942107 6932e10a.1f31 - 2001:db8::7 D 0 0 /var/ftp/pub/empty', expect: { user: undefined, clientIp: '2001:db8::7', pid: 0x1f31, path: '/var/ftp/pub/empty' } },
  ],
};
