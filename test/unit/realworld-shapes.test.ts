import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { filezillaLegacy } from '../../src-main/core/formats/filezilla.js';
import { inferLogFormat, proftpdExtended } from '../../src-main/core/formats/proftpd-extended.js';
import { proftpdModlog } from '../../src-main/core/formats/proftpd-modlog.js';
import { proftpdSystem } from '../../src-main/core/formats/proftpd-system.js';
import { syslog } from '../../src-main/core/formats/syslog.js';
import { xferlog } from '../../src-main/core/formats/xferlog.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { tempDatabasePerTest } from '../temp-db.js';
import type { EventFields, FormatDefinition, ParseContext } from '../../src-main/core/formats/types.js';
import { w3c } from '../../src-main/core/formats/w3c.js';
import { detectFormat } from '../../src-main/core/ingest/detect.js';
import { REPO } from '../helpers.js';

/**
 * Line shapes of real logs that admins published (../shared/realworld/, beside the repository as in
 * CI; its SOURCES.md says where each file came from). The lines are read from there, never copied.
 */

export const REALWORLD = path.resolve(REPO, '..', 'shared', 'realworld');
const UTC: ParseContext = { timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 0, 1) };

function corpusLines(file: string): string[] {
  return fs.readFileSync(path.join(REALWORLD, file), 'utf8').split('\n').filter((l) => l.trim() !== '');
}

/** Parses every non-blank line of a corpus file with one parser; lists the lines it did not understand. */
function parseCorpus(format: FormatDefinition, file: string, ctx: ParseContext = UTC) {
  const parser = format.createParser(ctx);
  const lines = corpusLines(file);
  const parsed = lines.map((line) => parser.parse(line));
  const unparsed = lines.filter((_, i) => !parsed[i]);
  const fields = parsed.filter((p) => p !== null).map((p) => p.fields as EventFields);
  return { lines, fields, unparsed, detail: parser.detail?.(), detected: detectFormat(lines, file, undefined, ctx)?.format.id };
}

describe('W3C files with no #Fields header', () => {
  it('reads IIS 4/5 MSFTPSVC default lines (time only) with the day of the file date', () => {
    const r = parseCorpus(w3c, 'iis-ftp/ex_ossec_sample1.log');
    expect(r.unparsed).toEqual([]);
    expect(r.detected).toBe('w3c');
    expect(r.detail).toMatch(/IIS 4\/5 MSFTPSVC default .*the day taken from the file date/);
    // 14:03:19 192.168.2.187 [62]USER Administrator 331 0
    expect(r.fields[0]).toMatchObject({ ts: Date.UTC(2026, 0, 1, 14, 3, 19), clientIp: '192.168.2.187', sessionKey: '62', verb: 'user', message: 'Administrator', status: '331', extra: { 'sc-win32-status': '0' } });
    expect(r.fields.at(-1)).toMatchObject({ verb: 'rmd', path: '/dir/XYIZNWSK', status: '250' });
  });

  it('reads IIS 5 MSFTPSVC lines with every field, and the lines the publisher cut short', () => {
    const r = parseCorpus(w3c, 'iis-ftp/ex041230.log');
    expect(r.unparsed).toEqual([]);
    expect(r.detail).toMatch(/IIS 5 MSFTPSVC, every field but bytes/);
    expect(r.fields[0]).toMatchObject({ ts: Date.UTC(2004, 11, 30, 11, 24, 41), clientIp: '203.115.228.178', user: 'ftp', server: 'MULTIMEDIA', serverPort: 21, sessionKey: '12', verb: 'user', status: '331' });
    const cut = r.lines.findIndex((l) => l.endsWith('[22]USER administrator - 331 '));
    expect(r.fields[cut]).toMatchObject({ sessionKey: '22', status: '331', extra: { missingColumns: 6 } });
  });

  it('reads IIS 6 MSFTPSVC lines with bytes and time-taken (an anonymised, invalid client address kept)', () => {
    const r = parseCorpus(w3c, 'iis-ftp/ex061019.log');
    expect(r.unparsed).toEqual([]);
    expect(r.detail).toMatch(/IIS 5\/6 MSFTPSVC, every field \(/);
    expect(r.fields[0]).toMatchObject({ clientIp: '210.11.216.256', verb: 'pass', status: '530', bytes: 0, durationMs: 0, extra: { 'sc-win32-status': '1326', 'cs-version': 'FTP' } });
  });

  it('reads IIS 7.5+ FTP lines with x-session x-fullpath, without them, and with bytes instead of user and server', () => {
    const full = parseCorpus(w3c, 'iis-ftp/u_ex160625.log');
    expect(full.unparsed).toEqual([]);
    expect(full.detail).toMatch(/IIS 7\.5\+ FTP default \(/);
    expect(new Set(full.fields.map((f) => f.sessionKey))).toEqual(new Set(['5242ddb2-95f5-43b1-b19d-6173e04ac6f0']));
    expect(full.fields.at(-1)).toMatchObject({ user: 'SWDEV234\\Gorba', verb: 'nlst', status: '550', path: '/Resources', protocol: 'ftp' });
    const short = parseCorpus(w3c, 'iis-ftp/u_ex120115.log');
    expect(short.unparsed).toEqual([]);
    expect(short.detail).toMatch(/without x-session x-fullpath/);
    expect(short.fields[2]).toMatchObject({ user: 'user01', verb: 'stor', path: 'file.txt', status: '425', serverPort: 21 });
    const bytes = parseCorpus(w3c, 'iis-ftp/u_ex181011.log');
    expect(bytes.unparsed).toEqual([]);
    expect(bytes.detail).toMatch(/with bytes and time-taken/);
    expect(bytes.fields[1]).toMatchObject({ verb: 'user', message: 'administrator', status: '331', bytes: 62, durationMs: 0 });
  });

  it('still reads files with a header by their #Fields', () => {
    const r = parseCorpus(w3c, 'iis-ftp/u_ex231229.log');
    expect(r.unparsed).toEqual([]);
    expect(r.detail).toBeUndefined();
  });
});

describe('ProFTPD shapes', () => {
  it('reads a SystemLog with two spaces after the time', () => {
    const r = parseCorpus(proftpdSystem, 'proftpd/proftpd.log.issue1613');
    expect(r.unparsed).toEqual([]);
    expect(r.detected).toBe('proftpd-system');
    expect(r.fields[0]).toMatchObject({ ts: Date.UTC(2023, 2, 1, 12, 16, 27, 55), pid: 1731121, server: '172.25.215.94', clientIp: '127.0.0.1', verb: 'session-open', extra: { host: 'walxdev4.iwco.com' } });
    expect(r.fields.filter((f) => f.verb === 'login').map((f) => f.user)).toEqual(['jsmsftptest', 'jsmsftptest']);
  });

  it.each(['proftpd/sftp.log.issue1853', 'proftpd/sftp-trace.log.issue755', 'proftpd/tls.log.pr1091'])('reads Trace lines in %s', (file) => {
    const r = parseCorpus(proftpdModlog, file);
    expect(r.unparsed).toEqual([]);
    expect(r.detected).toBe('proftpd-modlog');
    const trace = r.fields.filter((f) => f.extra?.traceChannel !== undefined);
    expect(trace.length).toBeGreaterThan(0);
    for (const f of trace) expect(f.sessionKey).toBe(String(f.pid));
  });

  it('keeps the channel, level and pid of a Trace line', () => {
    const r = parseCorpus(proftpdModlog, 'proftpd/sftp-trace.log.issue755');
    expect(r.fields[0]).toMatchObject({ ts: Date.UTC(2018, 9, 24, 16, 10, 23, 363), pid: 19, protocol: 'sftp', message: "checking client version 'WS_FTP-12.6-0' against SFTPClientMatch regex '.*WS_FTP.*'", extra: { traceChannel: 'ssh2', traceLevel: 18, module: 'mod_sftp' } });
  });
});

describe('an ExtendedLog with a LogFormat neither given nor built in', () => {
  it('guesses the LogFormat from the shape of the lines (client, time, unique id, user, request, code, bytes)', () => {
    const [first] = corpusLines('proftpd/extended.log.issue1611');
    expect(inferLogFormat(first!)).toBe('%a %t %{UNIQUE_ID}e %u "%r" %s %b');
    const r = parseCorpus(proftpdExtended, 'proftpd/extended.log.issue1611');
    expect(r.unparsed).toEqual([]);
    expect(r.detected).toBe('proftpd-extended');
    expect(r.detail).toMatch(/^LogFormat inferred: %a %t %\{UNIQUE_ID\}e %u "%r" %s %b/);
    expect(r.fields[1]).toMatchObject({ ts: Date.UTC(2023, 2, 6, 16, 33, 50), clientIp: '127.0.0.1', user: 'jsmftptest', verb: 'pass', status: '230', extra: { 'env:UNIQUE_ID': 'ZAYV7qwZ115/AAABACVpEfri' } });
    expect(r.fields.filter((f) => f.verb === 'kexinit')).toHaveLength(1);
  });

  it('guesses nothing from a line it cannot place whole', () => {
    expect(inferLogFormat('127.0.0.1 [06/Mar/2023:11:33:50 -0500] "USER bob" 331 - "http://referer" "agent"')).toBeUndefined();
    expect(inferLogFormat('127.0.0.1 - bob "USER bob" 331 -')).toBeUndefined(); // no time
    expect(inferLogFormat('127.0.0.1 [06/Mar/2023:11:33:50 -0500] bob 331 -')).toBeUndefined(); // no request
  });

  it('is beaten by a LogFormat the admin gives', () => {
    const ctx = { ...UTC, logFormats: [{ name: 'uniq', format: '%a %t %{UNIQUE_ID}e %u "%r" %s %b' }] };
    expect(parseCorpus(proftpdExtended, 'proftpd/extended.log.issue1611', ctx).detail).toBe('LogFormat uniq');
  });
});

describe('FileZilla Server 0.9 shapes', () => {
  it('reads a 24-hour clock followed by PM', () => {
    const r = parseCorpus(filezillaLegacy, 'filezilla/fzs-2019-12-18.log');
    expect(r.unparsed).toEqual([]);
    expect(r.fields[0]).toMatchObject({ ts: Date.UTC(2019, 11, 18, 15, 51, 17), sessionKey: '700', clientIp: '103.23.65.12' });
    expect(r.fields.find((f) => f.verb === 'retr')).toMatchObject({ user: 'servicenow', path: '/LMSExtract_20191217_030003.csv' });
  });

  it('reads no space after the session number and Chinese-locale dates', () => {
    const r = parseCorpus(filezillaLegacy, 'filezilla/fzs-2025-11-06.log');
    expect(r.unparsed).toEqual([]);
    expect(r.fields[0]!.ts).toBeGreaterThanOrEqual(Date.UTC(2025, 10, 6));
    expect(r.fields[0]!.ts).toBeLessThan(Date.UTC(2025, 10, 7));
  });
});

describe('syslog and xferlog shapes', () => {
  const t = tempDatabasePerTest();

  it('reads lines a container log collector prefixed, with socklog facility.level names', async () => {
    const summary = await indexPaths(t.db, [path.join(REALWORLD, 'pure-ftpd/docker-compose-pureftpd.log')], { timeZone: 'UTC' });
    expect(summary).toMatchObject({ lines: 3, events: 3, unparsed: 0, formats: { syslog: 1 } });
    const rows = t.db.prepare('SELECT extra FROM events ORDER BY line_no').all() as { extra: string }[];
    const extras = rows.map((r) => JSON.parse(r.extra));
    expect(extras[0]).toMatchObject({ container: 'pureftpd', program: 'pure-ftpd', facility: 11, level: 'INFO' });
    expect(extras[2]).toMatchObject({ container: 'pureftpd', level: 'NOTICE' });
    const source = t.db.prepare('SELECT format_detail FROM sources').get() as { format_detail: string };
    expect(source.format_detail).toMatch(/container log collector/);
  });

  it('reads vsftpd.log lines among vsftpd syslog lines', () => {
    const r = parseCorpus(syslog, 'vsftpd/fail2ban-vsftpd.fixture');
    expect(r.unparsed).toEqual([]);
    expect(r.fields[2]).toMatchObject({ ts: Date.UTC(2007, 0, 19, 12, 20, 33), pid: 27202, user: 'anonymous', clientIp: '64.106.46.98', verb: 'login', status: 'FAIL' });
  });

  it('reads the pure-ftpd-wrapper line of a header-less excerpt', () => {
    const r = parseCorpus(syslog, 'pure-ftpd/ossec-pureftpd.log');
    expect(r.unparsed).toEqual([]);
    expect(r.fields[0]).toMatchObject({ pid: 926, extra: { program: 'pure-ftpd-wrapper' } });
  });

  it('keeps fields a server appended after the 14 of xferlog', () => {
    const r = parseCorpus(xferlog, 'xferlog/xferlog.cma-2018');
    expect(r.unparsed).toEqual([]);
    expect(r.fields[0]).toMatchObject({ user: 'nmc_provider', verb: 'upload', status: 'complete', clientIp: '10.10.31.98', extra: { trailingFields: '10.30.16.111' } });
    expect(r.fields[1]!.extra?.trailingFields).toBeUndefined();
  });
});
