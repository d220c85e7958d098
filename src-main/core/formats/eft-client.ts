import { isoParts, zonedPartsToUtc } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParseContext, ParsedLine } from './types.js';

/**
 * Globalscape EFT client log (`cl*.log`): what EFT's event rules did as a client of other servers.
 * `Time; Protocol; Host; Port; User; LocalPath; RemotePath; Operation; GetLastCode[; ActionResult];`
 * The host is the remote server EFT connected to. Times are the server's local time.
 */

function parseClientLine(line: string, ctx: ParseContext): ParsedLine | null {
  const cells = line.split(';').map((c) => c.trim());
  if (cells.length > 9 && cells[cells.length - 1] === '') cells.pop();
  if (cells.length !== 9 && cells.length !== 10) return null;
  const [time, protocol, host, port, user, localPath, remotePath, operation, code, actionResult] = cells as string[];
  const sp = time!.indexOf(' ');
  const parts = sp === 10 ? isoParts(time!, 0, time!, 11) : undefined;
  if (!parts) return null;
  const ts = zonedPartsToUtc(parts, ctx.timeZone);
  if (ts === undefined || !/^-?\d*$/.test(code!) || !/^\d*$/.test(port!)) return null;
  const f: EventFields = { ts, tsLocal: true };
  if (protocol) f.protocol = protocol.toLowerCase();
  if (host) f.server = host;
  if (port) f.serverPort = Number(port);
  if (user) f.user = user;
  if (remotePath) f.path = remotePath;
  if (operation) f.verb = operation.toLowerCase();
  if (code) f.status = code;
  const extra: Record<string, string | number> = {};
  if (localPath) extra.localPath = localPath;
  if (actionResult !== undefined && actionResult !== '') {
    if (!/^[01]$/.test(actionResult)) return null;
    extra.actionResult = Number(actionResult);
  }
  if (Object.keys(extra).length) f.extra = extra;
  return { kind: 'event', fields: f };
}

export const eftClient: FormatDefinition = {
  id: 'eft-client',
  label: 'EFT client log',
  fileNameHint: /^cl\d{6}.*\.log$/i,
  timestamp: 'YYYY-MM-DD HH:MM:SS, local time (--tz)',
  extracts: 'protocol, remote host and port, user, local and remote path, operation, GetLastCode, ActionResult (0 success / 1 failure)',
  ...lineByLine(parseClientLine),
  samples: [
    { line: '2006-03-06 10:11:03; ftp; 192.168.20.171; 21; ClientA; C:\\test1.txt; /test1.txt; download; 226;', expect: { ts: Date.UTC(2006, 2, 6, 10, 11, 3), tsLocal: true, protocol: 'ftp', server: '192.168.20.171', serverPort: 21, user: 'ClientA', path: '/test1.txt', verb: 'download', status: '226', extra: { localPath: 'C:\\test1.txt' } } },
    { line: '2006-03-06 10:11:03; ftp;; 21; ClientA; C:\\test1.txt; /test1.txt; download; 226;', expect: { server: undefined, serverPort: 21, status: '226' } },
    { line: '2006-03-06 10:11:03; sftp; files.example.com; 22; ClientA; C:\\out\\a b.txt; /in/a b.txt; upload; 4; 1;', expect: { protocol: 'sftp', path: '/in/a b.txt', status: '4', extra: { localPath: 'C:\\out\\a b.txt', actionResult: 1 } } },
  ],
};
