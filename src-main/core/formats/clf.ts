import { parseClfTime } from '../time.js';
import { lineByLine } from './line-by-line.js';
import type { EventFields, FormatDefinition, ParsedLine } from './types.js';
import { NON_PATH_VERBS } from './w3c.js';

/**
 * NCSA Common Log Format (EFT `nc*.log`; also Apache-style `%h %l %u %t "%r" %s %b` lines with
 * optional combined-log tails): `host ident user [dd/Mon/yyyy:HH:MM:SS +zzzz] "request" status bytes`.
 */

const CLF = /^(\S+) (\S+) (.+?) \[([^\]]+)\] "((?:[^"\\]|\\.)*)" (\S+) (\S+)(?: (.*))?$/;

/** A request such as `RETR /a.txt`, `GET /x HTTP/1.0` or EFT's `[3]sent /a.txt` into its parts. */
export function splitRequest(request: string, f: EventFields): void {
  let rest = request.trim();
  const session = /^\[(\d+)\]/.exec(rest);
  if (session) {
    f.sessionKey = session[1];
    rest = rest.slice(session[0].length);
  }
  const sp = rest.indexOf(' ');
  f.verb = (sp < 0 ? rest : rest.slice(0, sp)).toLowerCase() || undefined;
  if (sp >= 0) {
    const target = rest.slice(sp + 1).replace(/ HTTP\/\d(\.\d)?$/, '');
    if (target && f.verb && NON_PATH_VERBS.has(f.verb)) f.message = target;
    else if (target) f.path = target;
  }
}

function parseClfLine(line: string): ParsedLine | null {
  const m = CLF.exec(line);
  if (!m) return null;
  const ts = parseClfTime(m[4]!);
  if (ts === undefined) return null;
  const f: EventFields = { ts, clientIp: m[1] };
  if (m[3] !== '-') f.user = m[3];
  if (m[2] !== '-') f.extra = { ident: m[2]! };
  splitRequest(m[5]!.replace(/\\"/g, '"'), f);
  if (m[6] !== '-') f.status = m[6];
  if (m[7] !== '-' && /^\d+$/.test(m[7]!)) f.bytes = Number(m[7]);
  if (m[8]) f.message = m[8];
  return { kind: 'event', fields: f };
}

export const clf: FormatDefinition = {
  id: 'clf',
  label: 'NCSA Common Log Format (EFT nc*.log)',
  fileNameHint: /^nc\d{6}.*\.log$/i,
  timestamp: '[dd/Mon/yyyy:HH:MM:SS +zzzz], offset applied',
  extracts: 'client host, ident, user, request (verb and path, EFT [N] session), status, bytes',
  ...lineByLine(parseClfLine),
  samples: [
    // Apache HTTP Server documentation, "Common Log Format".
    { line: '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326', expect: { ts: Date.UTC(2000, 9, 10, 20, 55, 36), clientIp: '127.0.0.1', user: 'frank', verb: 'get', path: '/apache_pb.gif', status: '200', bytes: 2326 } },
    // Microsoft IIS documentation, "NCSA Common Log File Format".
    { line: '172.21.13.45 - Microsoft\\fred [08/Apr/2001:17:39:04 -0800] "GET /scripts/iisadmin/ism.dll?http/serv HTTP/1.0" 200 3401', expect: { user: 'Microsoft\\fred', status: '200', bytes: 3401 } },
    { line: '10.1.2.3 - partner1 [23/Nov/2026:18:51:03 +0000] "STOR /in/report 1.csv" 226 1048576', expect: { verb: 'stor', path: '/in/report 1.csv', bytes: 1048576 } },
  ],
};
