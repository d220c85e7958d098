import { digits, zonedPartsToUtc } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParseContext, ParsedLine } from './types.js';
import { NON_PATH_VERBS } from './w3c.js';

/**
 * Microsoft IIS log format (EFT `in*.log`): comma-separated, fixed columns, local time.
 * client IP, user, date (MM/DD/YY[YY]), time, service, server, server IP, time taken (ms),
 * bytes received, bytes sent, status, Windows status, operation, target, parameters.
 */

function num(cell: string): number | undefined {
  return cell === '' || cell === '-' || !/^\d+$/.test(cell) ? undefined : Number(cell);
}

function parseIisLine(line: string, ctx: ParseContext): ParsedLine | null {
  const cells = line.split(',').map((c) => c.trim());
  if (cells.length > 15 && cells[cells.length - 1] === '') cells.pop();
  if (cells.length !== 15) return null;
  const [ip, user, date, time, service, server, serverIp, taken, received, sent, status, winStatus, operation, target, params] = cells as string[];
  const dm = /^(\d{1,2})\/(\d{1,2})\/(\d{2}|\d{4})$/.exec(date!);
  const tm = /^(\d{1,2}):(\d\d):(\d\d)$/.exec(time!);
  if (!dm || !tm) return null;
  let year = Number(dm[3]);
  if (dm[3]!.length === 2) year += year < 70 ? 2000 : 1900;
  const ts = zonedPartsToUtc(
    { year, month: Number(dm[1]), day: Number(dm[2]), hour: Number(tm[1]), minute: digits(tm[2]!, 0, 2), second: digits(tm[3]!, 0, 2), ms: 0 },
    ctx.timeZone,
  );
  if (ts === undefined) return null;
  const f: EventFields = { ts, tsLocal: true, clientIp: ip };
  if (user && user !== '-') f.user = user;
  if (server && server !== '-') f.server = server;
  f.durationMs = num(taken!);
  const rx = num(received!), tx = num(sent!);
  if (rx || tx) f.bytes = (rx ?? 0) + (tx ?? 0);
  if (status && status !== '-') f.status = status;
  let op = operation!;
  const session = /^\[(\d+)\]/.exec(op);
  if (session) {
    f.sessionKey = session[1];
    op = op.slice(session[0].length);
  }
  if (op && op !== '-') f.verb = op.toLowerCase();
  if (target && target !== '-') {
    if (f.verb && NON_PATH_VERBS.has(f.verb)) f.message = target;
    else f.path = target;
  }
  const extra: Record<string, string> = {};
  if (service && service !== '-') extra.service = service;
  if (serverIp && serverIp !== '-') extra.serverIp = serverIp;
  if (winStatus && winStatus !== '-') extra.winStatus = winStatus;
  if (params && params !== '-') extra.parameters = params;
  if (Object.keys(extra).length) f.extra = extra;
  return { kind: 'event', fields: f };
}

export const iis: FormatDefinition = {
  id: 'iis',
  label: 'Microsoft IIS log format (EFT in*.log)',
  fileNameHint: /^in\d{6}.*\.log$/i,
  timestamp: 'MM/DD/YY, H:MM:SS local time (--tz)',
  extracts: 'client IP, user, service, server, time taken, bytes received + sent, status, Windows status, operation ([N] session), target, parameters',
  ...lineByLine(parseIisLine),
  samples: [
    // Microsoft IIS documentation, "IIS Log File Format".
    { line: '192.168.114.201, -, 03/20/01, 7:55:20, W3SVC2, SALES1, 172.21.13.45, 4502, 163, 3223, 200, 0, GET, /DeptLogo.gif, -,', expect: { ts: Date.UTC(2001, 2, 20, 7, 55, 20), tsLocal: true, clientIp: '192.168.114.201', server: 'SALES1', durationMs: 4502, bytes: 3386, status: '200', verb: 'get', path: '/DeptLogo.gif' } },
    { line: '172.16.255.255, anonymous, 03/20/01, 23:58:11, MSFTPSVC, SALES1, 172.16.255.255, 60, 275, 0, 0, 0, PASS, /Intro.htm, -,', expect: { user: 'anonymous', verb: 'pass', status: '0', extra: { service: 'MSFTPSVC', serverIp: '172.16.255.255', winStatus: '0' } } },
  ],
};
