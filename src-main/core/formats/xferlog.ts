import { monthFromName, zonedPartsToUtc } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParseContext, ParsedLine } from './types.js';

/**
 * The wu-ftpd transfer log (`xferlog`), written by ProFTPD's `TransferLog`, vsftpd
 * (`xferlog_std_format=YES`) and Pure-FTPd (`AltLog xferlog:`). One line per finished (or aborted)
 * transfer, 14 space-separated fields:
 *
 *   current-time (5 tokens, local time) transfer-time remote-host file-size filename transfer-type
 *   special-action-flag direction access-mode username service-name authentication-method
 *   authenticated-user-id completion-status
 *
 * What differs between writers (from their sources and real files):
 * - ProFTPD: day of month zero- or space-padded; service `ftp`/`ftps`/`sftp`/`scp`; direction `d` for
 *   deletes (the byte count is then the file's size); spaces in the filename become `_`; the
 *   filename is the absolute real path (not chroot-relative).
 * - vsftpd: day space-padded (`Sun Apr  6`); always `ftp 0 *`; transfer time at least 1 s; the host is
 *   always an IP (`::ffff:1.2.3.4` on IPv6 sockets); for anonymous users (`a`) the user field is the
 *   anonymous password, possibly empty (then two spaces, or none at all); old versions wrote
 *   filenames with their spaces.
 * - Pure-FTPd: day zero-padded; always `ftp 1 * c`; the host is `-` when unknown.
 * - Old wu-ftpd lines end without the completion field; some patched servers append fields after it.
 *
 * The filename may contain spaces (old vsftpd), so the fields after it - whose shapes are fixed - are
 * read from the right. The remote host becomes clientIp when it is an IP address, otherwise (a DNS
 * name, ProFTPD with `UseReverseDNS on`) extra.clientHost - the same key proftpd-extended uses for %h.
 */

const LINE =
  /^(\S+) +(\S+) +(\d{1,2}) +(\d{1,2}):(\d\d):(\d\d) +(\d{4}) +(\d+(?:\.\d+)?) +(\S+) +(\d+) (.+) ([ab]) (\S+) ([oid]) ([agr])(?: (\S*))? (\S+) (\d+) (\S+)(?: ([ci])(?: +(\S.*?))?)? *$/;

const VERB_BY_DIRECTION: Record<string, string> = { o: 'download', i: 'upload', d: 'delete' };

const IPV4 = /^\d{1,3}(?:\.\d{1,3}){3}$/;
const IPV6 = /^[0-9a-f]*:[0-9a-f:.]*$/i;

export function isIpAddress(s: string): boolean {
  return IPV4.test(s) || (s.indexOf(':') >= 0 && IPV6.test(s));
}

function parseXferLine(line: string, ctx: ParseContext): ParsedLine | null {
  const m = LINE.exec(line);
  if (!m) return null;
  const month = monthFromName(m[2]!);
  if (!month) return null;
  const ts = zonedPartsToUtc(
    { year: Number(m[7]), month, day: Number(m[3]), hour: Number(m[4]), minute: Number(m[5]), second: Number(m[6]), ms: 0 },
    ctx.timeZone,
  );
  if (ts === undefined) return null;
  const [, , , , , , , , seconds, host, size, filename, type, action, direction, access, user, service, authMethod, authUserId, completion, trailing] = m;
  const f: EventFields = {
    ts,
    tsLocal: true,
    durationMs: Math.round(Number(seconds) * 1000),
    bytes: Number(size),
    path: filename,
    verb: VERB_BY_DIRECTION[direction!],
    protocol: service!.toLowerCase(),
  };
  const extra: Record<string, string | number> = {
    direction: direction!,
    transferType: type === 'a' ? 'ascii' : 'binary',
    specialAction: action!,
    accessMode: access!,
    authMethod: Number(authMethod),
  };
  if (host !== '-') {
    if (isIpAddress(host!)) f.clientIp = host;
    else extra.clientHost = host!;
  }
  // For anonymous sessions the field holds the anonymous password / e-mail given (or `?`).
  if (user && user !== '-') {
    if (access === 'a') extra.anonymousId = user;
    else f.user = user;
  }
  if (access === 'a') f.user ??= 'anonymous';
  if (authUserId !== '*') extra.authUserId = authUserId!;
  if (completion) {
    extra.completion = completion;
    f.status = completion === 'c' ? 'complete' : 'incomplete';
  }
  // Fields some sites' servers append after the 14 standard ones (e.g. the server's address).
  if (trailing) extra.trailingFields = trailing;
  f.extra = extra;
  return { kind: 'event', fields: f };
}

export const xferlog: FormatDefinition = {
  id: 'xferlog',
  label: 'xferlog transfer log (ProFTPD TransferLog, vsftpd, Pure-FTPd, wu-ftpd)',
  fileNameHint: /xferlog/i,
  timestamp: 'Www Mmm dd HH:MM:SS YYYY (day zero- or space-padded), local time (--tz)',
  extracts: 'transfer seconds, client IP (or host name), bytes, file name, direction (upload/download/delete), transfer type, access mode, user (anonymous id kept apart), service (ftp/ftps/sftp/scp), completion (complete/incomplete)',
  ...lineByLine(parseXferLine),
  samples: [
    // FORMATS.md §3 (ProFTPD).
    { line: 'Mon Nov 23 18:51:05 2026 0 localhost 1048576 /srv/ftp/bob/up_7.bin b _ o r bob ftp 0 * c', expect: { ts: Date.UTC(2026, 10, 23, 18, 51, 5), tsLocal: true, durationMs: 0, clientIp: undefined, extra: { clientHost: 'localhost', direction: 'o', transferType: 'binary', specialAction: '_', accessMode: 'r', authMethod: 0, completion: 'c' }, bytes: 1048576, path: '/srv/ftp/bob/up_7.bin', verb: 'download', user: 'bob', protocol: 'ftp', status: 'complete' } },
    // Real ProFTPD 1.3.8 TransferLog (test/fixtures/proftpd/logs/xferlog).
    { line: 'Mon Nov 23 19:14:25 2026 0 127.0.0.1 20480 /tmp/xferlens-proftpd/srv/alice/docs/annual_report_2026.pdf b _ i r alice ftp 0 * c', expect: { clientIp: '127.0.0.1', bytes: 20480, path: '/tmp/xferlens-proftpd/srv/alice/docs/annual_report_2026.pdf', verb: 'upload', user: 'alice', protocol: 'ftp' } },
    { line: 'Mon Nov 23 19:14:25 2026 0 127.0.0.1 1000 /tmp/xferlens-proftpd/srv/alice/report.csv b _ d r alice ftp 0 * c', expect: { verb: 'delete', bytes: 1000, extra: { direction: 'd', transferType: 'binary', specialAction: '_', accessMode: 'r', authMethod: 0, completion: 'c' } } },
    { line: 'Mon Nov 23 19:14:27 2026 0 127.0.0.1 4096 /tmp/xferlens-proftpd/srv/bob/secret.txt b _ o r bob ftps 0 * c', expect: { protocol: 'ftps', verb: 'download' } },
    { line: 'Mon Nov 23 19:14:27 2026 0 127.0.0.1 2048 /tmp/xferlens-proftpd/srv/alice/sftp/sftp_notes_v2.txt b _ i r alice sftp 0 * c', expect: { protocol: 'sftp', ts: Date.UTC(2026, 10, 23, 19, 14, 27) } },
    // vsftpd (RHEL, anonymous, IPv6 socket, ascii, incomplete), from a public blog post.
    { line: 'Sun Oct 20 21:37:07 2019 1 ::ffff:192.168.31.215 0 /pub/file111 a _ o a lftp@ ftp 0 * i', expect: { ts: Date.UTC(2019, 9, 20, 21, 37, 7), durationMs: 1000, clientIp: '::ffff:192.168.31.215', user: 'anonymous', status: 'incomplete', extra: { direction: 'o', transferType: 'ascii', specialAction: '_', accessMode: 'a', authMethod: 0, anonymousId: 'lftp@', completion: 'i' } } },
    // vsftpd, space-padded day.
    { line: 'Sun Apr  6 14:43:08 2014 1 192.168.2.3 9493 /pub/install.log b _ o a ? ftp 0 * c', expect: { ts: Date.UTC(2014, 3, 6, 14, 43, 8), clientIp: '192.168.2.3', bytes: 9493, path: '/pub/install.log', verb: 'download', status: 'complete' } },
    { line: 'Tue Sep 11 00:59:17 2018 1 192.168.161.132 0 /hello.sh b _ i r abc ftp 0 * i', expect: { user: 'abc', verb: 'upload', status: 'incomplete' } },
  ],
};
