import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { proftpdExtended, compileLogFormat } from '../../src-main/core/formats/proftpd-extended.js';
import { proftpdModlog } from '../../src-main/core/formats/proftpd-modlog.js';
import type { EventFields, FormatDefinition, ParseContext } from '../../src-main/core/formats/types.js';
import { xferlog } from '../../src-main/core/formats/xferlog.js';
import { detectFormat } from '../../src-main/core/ingest/detect.js';
import { cliJson, REPO, tempDir } from '../helpers.js';

/**
 * ProFTPD TransferLog (xferlog), ExtendedLog (LogFormat compiler) and module logs (SFTPLog, TLSLog),
 * checked line by line against the real ProFTPD 1.3.8 fixtures and what scenario.json says the
 * scripted clients did.
 */

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'proftpd');
const LOGS = path.join(FIXTURES, 'logs');
const scenario = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'scenario.json'), 'utf8'));
const CUSTOM = { name: 'custom', format: scenario.log_formats['ext-custom.log'].format as string };
const UTC: ParseContext = { timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 10, 23, 20) };

function linesOf(file: string): string[] {
  return fs.readFileSync(path.join(LOGS, file), 'utf8').split('\n').filter((l) => l !== '');
}

/** Parses every line with one parser; fails on the first line it does not understand. */
function parseAll(format: FormatDefinition, file: string, ctx: ParseContext = UTC) {
  const parser = format.createParser(ctx);
  const rows = linesOf(file).map((line) => ({ line, parsed: parser.parse(line) }));
  const unparsed = rows.filter((r) => !r.parsed).map((r) => r.line);
  expect(unparsed, `${file}: unparsed lines`).toEqual([]);
  return { events: rows.map((r) => r.parsed!.fields), parser };
}

const sortBy = <T>(xs: T[]) => xs.map((x) => JSON.stringify(x)).sort();
/** FTP sessions start in `/` (chroot), so a relative argument is the client's absolute path. */
const clientPath = (p: string | undefined) => (p === undefined ? undefined : '/' + p.replace(/^\//, ''));
/** The pids of the sessions, in order, from the auth ExtendedLog (`%v [%P]`). */
function sessionPids(): Map<string, string[]> {
  const byServer = new Map<string, string[]>();
  for (const f of parseAll(proftpdExtended, 'ext-auth.log').events) {
    const list = byServer.get(f.server!) ?? [];
    if (!list.includes(f.sessionKey!)) list.push(f.sessionKey!);
    byServer.set(f.server!, list);
  }
  return byServer;
}

describe('xferlog (ProFTPD TransferLog)', () => {
  it('is detected, and every line of the real file parses', () => {
    expect(detectFormat(linesOf('xferlog'), 'xferlog')?.format.id).toBe('xferlog');
    const { events } = parseAll(xferlog, 'xferlog');
    expect(events).toHaveLength(15);
    for (const e of events) expect(e).toMatchObject({ tsLocal: true, clientIp: scenario.client_ip, status: 'complete', durationMs: 0, extra: { completion: 'c', transferType: 'binary', accessMode: 'r' } });
  });

  it('has the uploads, downloads and deletes the scenario made (spaces written as _)', () => {
    const { events } = parseAll(xferlog, 'xferlog');
    const pick = (verb: string) => sortBy(events.filter((e) => e.verb === verb).map((e) => [e.user, e.protocol, e.path, e.bytes]));
    const expected = (list: any[], bytes?: (x: any) => number) =>
      sortBy(list.map((x) => [x.user, x.protocol, x.server_path.replace(/ /g, '_'), bytes ? bytes(x) : x.bytes]));
    expect(pick('upload')).toEqual(expected(scenario.uploads));
    expect(pick('download')).toEqual(expected(scenario.downloads));
    // A delete's byte count is the size of the file deleted (what was uploaded under that name).
    const sizeOf = (x: any) => scenario.uploads.find((u: any) => u.server_path === x.server_path).bytes;
    expect(pick('delete')).toEqual(expected(scenario.deletes, sizeOf));
    expect(events.filter((e) => e.verb === 'upload')).toHaveLength(scenario.counts.uploads);
    expect(events.filter((e) => e.verb === 'download')).toHaveLength(scenario.counts.downloads);
    expect(events.filter((e) => e.verb === 'delete')).toHaveLength(scenario.counts.deletes);
    expect(events.every((e) => e.ts! >= Date.UTC(2026, 10, 23, 19, 14, 25) && e.ts! <= Date.UTC(2026, 10, 23, 19, 14, 28))).toBe(true);
  });

  it('converts local time with the zone, and reads the vsftpd / Pure-FTPd / wu-ftpd variants', () => {
    const line = 'Mon Nov 23 19:14:25 2026 0 127.0.0.1 1000 /tmp/xferlens-proftpd/srv/alice/report.csv b _ i r alice ftp 0 * c';
    expect(xferlog.createParser({ ...UTC, timeZone: 'Europe/Paris' }).parse(line)!.fields.ts).toBe(Date.UTC(2026, 10, 23, 18, 14, 25));
    const p = xferlog.createParser(UTC);
    // Old vsftpd kept spaces in file names: the fields after the name are read from the right.
    expect(p.parse('Thu Mar  4 08:12:30 2004 1 10.0.0.5 492 /home/user/my file  name.txt b _ i r user ftp 0 * c')!.fields)
      .toMatchObject({ ts: Date.UTC(2004, 2, 4, 8, 12, 30), path: '/home/user/my file  name.txt', bytes: 492, verb: 'upload', user: 'user', durationMs: 1000 });
    // vsftpd, anonymous login with an empty password: the user field is empty (two spaces) or missing.
    expect(p.parse('Thu Mar  4 08:12:30 2004 1 10.0.0.5 492 /pub/a.txt b _ o a  ftp 0 * c')!.fields).toMatchObject({ user: 'anonymous', protocol: 'ftp', verb: 'download' });
    expect(p.parse('Thu Mar  4 08:12:30 2004 1 10.0.0.5 492 /pub/a.txt b _ o a ftp 0 * c')!.fields).toMatchObject({ user: 'anonymous', protocol: 'ftp' });
    // Pure-FTPd: zero-padded day, `ftp 1 * c`, host `-` when unknown; wu-ftpd 2.4: no completion field.
    const pure = p.parse('Mon Apr 05 12:34:56 2021 3 - 1024 /up/x.bin b _ i r joe ftp 1 * c')!.fields;
    expect(pure).toMatchObject({ ts: Date.UTC(2021, 3, 5, 12, 34, 56), user: 'joe', durationMs: 3000, extra: { authMethod: 1 } });
    expect([pure.clientIp, pure.extra!.clientHost]).toEqual([undefined, undefined]);
    const wu = p.parse('Fri Oct 3 10:41:55 1997 1294 tide14.microsoft.com 4500828 /pub/demos/P952_256.ZIP b _ o a proxyuser@microsoft.com ftp 0 *')!.fields;
    expect(wu.status).toBeUndefined();
    expect(wu).toMatchObject({ durationMs: 1_294_000, extra: { clientHost: 'tide14.microsoft.com', anonymousId: 'proxyuser@microsoft.com' } });
    expect(p.parse('Mon Nov 23 19:14:25 2026 0 127.0.0.1 1000 /a b _ x r alice ftp 0 * c')).toBeNull(); // direction x
  });
});

describe('proftpd-extended (ExtendedLog LogFormat compiler)', () => {
  it.each(['ext-default.log', 'ext-write.log', 'ext-auth.log'])('detects and parses every line of %s with the built-in formats', (file) => {
    const lines = linesOf(file);
    expect(detectFormat(lines, file)?.format.id).toBe('proftpd-extended');
    const { events, parser } = parseAll(proftpdExtended, file);
    expect(events.length).toBe(lines.length);
    expect(parser.detail!()).toBe(file === 'ext-auth.log' ? 'LogFormat auth' : 'LogFormat default');
    for (const e of events) expect(e).toMatchObject({ clientIp: scenario.client_ip, ts: expect.any(Number) });
  });

  it('reads the transfers of ext-write.log (WRITE,READ) as the scenario made them', () => {
    const { events } = parseAll(proftpdExtended, 'ext-write.log');
    const done = (verb: string) => sortBy(events.filter((e) => e.verb === verb && e.status === '226').map((e) => [e.user, clientPath(e.path), e.bytes]));
    expect(done('stor')).toEqual(sortBy(scenario.uploads.map((u: any) => [u.user, u.path, u.bytes])));
    expect(done('retr')).toEqual(sortBy(scenario.downloads.map((d: any) => [d.user, d.path, d.bytes])));
    // The failed SFTP download never reaches this log (no RETR line): only the FTP one shows.
    expect(events.filter((e) => e.verb === 'retr' && e.status === '550').map((e) => clientPath(e.path))).toEqual(['/missing.txt']);
    expect(events.filter((e) => e.verb === 'dele').map((e) => clientPath(e.path)).sort()).toEqual(scenario.deletes.map((d: any) => d.path).sort());
    expect(events.filter((e) => e.verb === 'rnto').map((e) => clientPath(e.path)).sort()).toEqual(scenario.renames.map((r: any) => r.to).sort());
    expect(events.every((e) => e.extra === undefined)).toBe(true); // ident UNKNOWN is not kept
  });

  it('reads ext-default.log: commands, PASS (hidden), relative paths with spaces, SFTP requests', () => {
    const { events } = parseAll(proftpdExtended, 'ext-default.log');
    const logins = events.filter((e) => e.verb === 'pass');
    expect(logins.filter((e) => e.status === '230').map((e) => e.user).sort()).toEqual(['alice', 'alice', 'bob', 'bob']);
    expect(logins.filter((e) => e.status === '530')).toHaveLength(scenario.counts.failed_logins.total);
    expect(logins.every((e) => e.path === undefined && e.message === undefined)).toBe(true);
    expect(events.filter((e) => e.verb === 'mkd' && e.status === '257').map((e) => clientPath(e.path))).toEqual(['/docs', '/tmpdir']);
    expect(events.filter((e) => e.verb === 'mkdir').map((e) => e.path)).toEqual(['/sftp', '/sftp/empty']);
    const write = events.find((e) => e.verb === 'write')!;
    expect(write).toMatchObject({ status: '0', bytes: 32768, extra: { handle: '8f66e39d45e777cc' } });
    expect(write.path).toBeUndefined();
    expect(events.find((e) => e.verb === 'rename')).toMatchObject({ path: '/sftp/sftp-data.bin', extra: { renameTo: '/sftp/sftp-data-old.bin' }, status: '0' });
    const user = events.find((e) => e.verb === 'user')!;
    expect([user.message, user.user, user.path]).toEqual(['alice', undefined, undefined]);
    expect(events.filter((e) => e.verb === 'open' && e.status === '2').map((e) => e.path)).toEqual(['/sftp/nope.bin']);
  });

  it('reads ext-auth.log: server, pid as session key, logins per server', () => {
    const { events } = parseAll(proftpdExtended, 'ext-auth.log');
    for (const e of events) expect(e.sessionKey).toBe(String(e.pid));
    const serverOf = (protocol: string) => scenario.servers[protocol].server_name;
    const ok = events.filter((e) => e.verb === 'pass' && e.status === '230').map((e) => e.server);
    expect(ok.sort()).toEqual(scenario.sessions.filter((s: any) => s.login === 'ok').map((s: any) => serverOf(s.protocol)).sort());
    const failed = events.filter((e) => e.verb === 'pass' && e.status === '530').map((e) => e.server);
    expect(failed.sort()).toEqual(scenario.sessions.filter((s: any) => s.login !== 'ok').map((s: any) => serverOf(s.protocol)).sort());
    // One pid per session.
    expect(new Set(events.map((e) => e.pid)).size).toBe(scenario.counts.sessions);
  });

  it('reads ext-custom.log only with the admin\'s LogFormat (--logformat custom=...)', () => {
    const lines = linesOf('ext-custom.log');
    // Without it: no built-in format fits, and nothing else claims the file.
    expect(proftpdExtended.detect(lines)).toBe(0);
    expect(proftpdExtended.createParser(UTC).parse(lines[0]!)).toBeNull();
    expect(detectFormat(lines, 'ext-custom.log')).toBeUndefined();

    const ctx = { ...UTC, logFormats: [CUSTOM] };
    expect(detectFormat(lines, 'ext-custom.log', undefined, ctx)?.format.id).toBe('proftpd-extended');
    const { events, parser } = parseAll(proftpdExtended, 'ext-custom.log', ctx);
    expect(parser.detail!()).toBe('LogFormat custom');
    for (const e of events) expect(e).toMatchObject({ tsLocal: true, clientIp: scenario.client_ip, sessionKey: String(e.pid), extra: { responseMs: expect.any(Number) } });

    const ok = (verb: string) => events.filter((e) => e.verb === verb && e.extra?.transferStatus === 'success');
    const expected = (list: any[]) => sortBy(list.map((x) => [x.user, x.protocol, x.path, x.server_path, x.bytes]));
    const got = (list: EventFields[]) => sortBy(list.map((e) => [e.user, e.protocol, clientPath(e.path), e.extra!.serverPath, e.bytes]));
    expect(got(ok('stor'))).toEqual(expected(scenario.uploads));
    expect(got(ok('retr'))).toEqual(expected(scenario.downloads));
    for (const e of [...ok('stor'), ...ok('retr')]) expect(e.durationMs).toEqual(expect.any(Number));
    expect(events.filter((e) => e.extra?.transferStatus === 'failed').map((e) => [e.verb, clientPath(e.path), e.status])).toEqual([['retr', '/missing.txt', '550']]);
    // The SSH phase of an SFTP session is `ssh2`, the subsystem phase `sftp`.
    expect(new Set(events.map((e) => e.protocol))).toEqual(new Set(['ftp', 'ftps', 'ssh2', 'sftp']));
    // %{iso8601} is local time: another zone moves every timestamp.
    const paris = proftpdExtended.createParser({ ...ctx, timeZone: 'Europe/Paris' }).parse(lines[0]!)!.fields;
    expect(paris.ts).toBe(events[0]!.ts! - 3_600_000);
    expect(events[0]!.ts).toBe(Date.UTC(2026, 10, 23, 19, 14, 25, 497));
  });

  it('prefers the admin\'s LogFormat over the built-ins and keeps its choice across resumes', () => {
    const lines = linesOf('ext-default.log');
    const ctx = { ...UTC, logFormats: [{ name: 'mine', format: '"%h %l %u %t \\"%r\\" %s %b"' }] };
    const p = proftpdExtended.createParser(ctx);
    for (const l of lines.slice(0, 10)) expect(p.parse(l)).not.toBeNull();
    expect(p.detail!()).toBe('LogFormat mine');
    const resumed = proftpdExtended.createParser(ctx, JSON.parse(JSON.stringify(p.state())));
    expect(resumed.parse(lines[10]!)).toEqual(p.parse(lines[10]!));
    expect(resumed.detail!()).toBe('LogFormat mine');
    // A line in another format (the admin changed it) is still read, and reported.
    expect(resumed.parse(linesOf('ext-auth.log')[0]!)!.fields.server).toBe('xferlens-ftp');
    expect(resumed.detail!()).toBe('LogFormat auth (also mine)');
  });

  it('leaves plain Apache / EFT NCSA files to clf, and takes ProFTPD ones', () => {
    const apache = [
      '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET /apache_pb.gif HTTP/1.0" 200 2326',
      '10.1.2.3 - partner1 [23/Nov/2026:18:51:03 +0000] "STOR /in/report 1.csv" 226 1048576',
    ];
    expect(detectFormat(apache, 'access.log')?.format.id).toBe('clf');
    expect(proftpdExtended.detect(apache)).toBeLessThan(1);
    // The same shape with ProFTPD's ident UNKNOWN, or its hidden password, is ProFTPD's.
    expect(detectFormat([apache[1]!.replace(' - partner1', ' UNKNOWN partner1')], 'access.log')?.format.id).toBe('proftpd-extended');
    expect(detectFormat(['10.1.2.3 - - [23/Nov/2026:18:51:03 +0000] "PASS (hidden)" 230 -'], 'x.log')?.format.id).toBe('proftpd-extended');
  });

  it('compiles the other LogFormat variables', () => {
    const parse = (format: string, line: string, ctx: ParseContext = UTC) =>
      proftpdExtended.createParser({ ...ctx, logFormats: [{ name: 't', format }] }).parse(line)?.fields;
    expect(parse('%{epoch} %a %{remote-port} %p %u %U %m %F %{file-size} %{transfer-millisecs} %{transfer-type} %{uid} %{gid} %{version}',
      '1795461265 10.0.0.9 50123 21 - mallory RETR /pub/x.iso 42 1500 binary 2001 2000 1.3.8'))
      .toMatchObject({ ts: 1795461265000, clientIp: '10.0.0.9', clientPort: 50123, serverPort: 21, user: 'mallory', verb: 'retr', path: '/pub/x.iso', durationMs: 1500,
        extra: { originalUser: 'mallory', fileSize: 42, transferType: 'binary', uid: 2001, gid: 2000, version: '1.3.8' } });
    // strftime time with milliseconds; %h as a DNS name; unquoted %r at the end; %% literal.
    const named = parse('%{%Y-%m-%d %H:%M:%S}t.%{millisecs} 100%% %h %s %r', '2026-11-23 19:14:25.497 100% ftp.example.com 226 STOR a b.txt', { ...UTC, timeZone: 'Europe/Paris' })!;
    expect(named.clientIp).toBeUndefined();
    expect(named)
      .toMatchObject({ ts: Date.UTC(2026, 10, 23, 18, 14, 25, 497), tsLocal: true, extra: { clientHost: 'ftp.example.com' }, status: '226', verb: 'stor', path: 'a b.txt' });
    // %{time:...} with an offset; env, note and unknown variables kept in extra.
    expect(parse('%{time:%d/%b/%Y %H:%M:%S %z} %{env:HOME} %{note:mod_x.y} %{foo-bar} "%S" %T',
      '23/Nov/2026 19:14:25 +0100 /root v 7 "Transfer complete" 0.250'))
      .toMatchObject({ ts: Date.UTC(2026, 10, 23, 18, 14, 25), durationMs: 250, extra: { 'env:HOME': '/root', 'note:mod_x.y': 'v', 'foo-bar': '7', response: 'Transfer complete' } });
    // Quoted %f keeps its spaces; %f is the path when nothing better is logged.
    expect(parse('%a "%f" %b', '10.0.0.1 "/srv/a b/c.txt" 12')).toMatchObject({ path: '/srv/a b/c.txt', bytes: 12 });
    // The compiled pattern is cached by format text (config quoting normalised).
    expect(compileLogFormat('"%h \\"%r\\""')).toBe(compileLogFormat('%h "%r"'));
    expect(parse('%a %P %s', '10.0.0.1 abc 226')).toBeUndefined(); // %P is a number
  });
});

describe('proftpd-modlog (SFTPLog, TLSLog)', () => {
  it('detects and parses every line of sftp.log and tls.log', () => {
    for (const file of ['sftp.log', 'tls.log']) {
      expect(detectFormat(linesOf(file), file)?.format.id).toBe('proftpd-modlog');
      const { events } = parseAll(proftpdModlog, file);
      for (const e of events) expect(e).toMatchObject({ tsLocal: true, sessionKey: String(e.pid), message: expect.any(String) });
    }
  });

  it('has the SFTP connections and logins of the scenario, on the pids of the auth ExtendedLog', () => {
    const { events } = parseAll(proftpdModlog, 'sftp.log');
    const sftpSessions = scenario.sessions.filter((s: any) => s.protocol === 'sftp');
    const connects = events.filter((e) => e.verb === 'connect');
    expect(connects.map((e) => [e.clientIp, e.serverPort])).toEqual(sftpSessions.map(() => [scenario.client_ip, scenario.servers.sftp.port]));
    expect(connects.map((e) => e.sessionKey)).toEqual(sessionPids().get(scenario.servers.sftp.server_name));
    const logins = events.filter((e) => e.verb === 'login');
    expect(logins).toHaveLength(scenario.counts.successful_logins.sftp);
    expect(logins.map((e) => [e.user, e.extra!.method])).toEqual(sftpSessions.filter((s: any) => s.login === 'ok').map((s: any) => [s.user, 'password']));
    const reasons: Record<string, string> = { 'Incorrect password': 'wrong_password', 'no such user': 'unknown_user' };
    expect(events.filter((e) => e.verb === 'login-failed').map((e) => ({ user: e.user, reason: reasons[e.extra!.reason as string] })))
      .toEqual(scenario.failed_logins.filter((f: any) => f.protocol === 'sftp').map((f: any) => ({ user: f.user, reason: f.reason })));
    expect(events.filter((e) => e.verb === 'disconnect')).toHaveLength(sftpSessions.length);
    const kex = events.filter((e) => e.verb === 'kex' && e.sessionKey === connects[0]!.sessionKey);
    expect(Object.assign({}, ...kex.map((e) => e.extra))).toMatchObject({ kex: 'curve25519-sha256', cipherClientToServer: 'aes128-ctr', macServerToClient: 'umac-64-etm@openssh.com', hostKeyAlgorithm: 'ecdsa-sha2-nistp256' });
  });

  it('reads the TLS handshake of the FTPS session', () => {
    const { events } = parseAll(proftpdModlog, 'tls.log');
    expect(new Set(events.map((e) => e.sessionKey))).toEqual(new Set(sessionPids().get(scenario.servers.ftps.server_name)));
    expect(events.map((e) => e.verb)).toEqual(['handshake', 'tls-accepted', 'prot', 'tls-accepted']);
    expect(events.filter((e) => e.verb === 'tls-accepted').map((e) => e.extra!.channel)).toEqual(['control', 'data']);
  });

  it('reads the pre-1.3.5 date layout and other modules', () => {
    const p = proftpdModlog.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2013, 5, 1) });
    expect(p.parse('Mar 13 14:22:37 mod_tls/2.4.3[27346]: Protection set to Private')!.fields).toMatchObject({ ts: Date.UTC(2013, 2, 13, 14, 22, 37), verb: 'prot', pid: 27346 });
    expect(p.parse('Dec 31 23:59:59 mod_ban/0.6.2[1234]: added UserHost-triggered autoban')!.fields).toMatchObject({ ts: Date.UTC(2012, 11, 31, 23, 59, 59), extra: { module: 'mod_ban', moduleVersion: '0.6.2' } });
    expect(p.parse('2026-11-23 19:14:27,828 vm proftpd[7340] 127.0.0.1: something')).toBeNull(); // a SystemLog line
    // That layout also reads as syslog (`host` = `mod_tls/2.4.3[27346]:`): the tie goes to this format, listed first.
    expect(detectFormat(['Mar 13 14:22:37 mod_tls/2.4.3[27346]: Protection set to Private'], 'tls.log')?.format.id).toBe('proftpd-modlog');
  });
});

describe('through the CLI', () => {
  const dir = tempDir('xferlens-proftpd-');
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('indexes ext-custom.log with --logformat, with no unparsed line', () => {
    const file = path.join(LOGS, 'ext-custom.log');
    const without = cliJson(['index', '--db', path.join(dir, 'a.sqlite'), file]);
    expect(without).toMatchObject({ files: 1, lines: 169, events: 0, unparsed: 169 });
    const db = path.join(dir, 'b.sqlite');
    const summary = cliJson(['index', '--db', db, '--logformat', `custom=${CUSTOM.format}`, file]);
    expect(summary).toMatchObject({ files: 1, lines: 169, events: 169, unparsed: 0, formats: { 'proftpd-extended': 1 } });
    const sources = cliJson<any[]>(['sources', '--db', db]);
    expect(sources.map((s) => [s.format, s.formatDetail, s.unparsed])).toEqual([['proftpd-extended', 'LogFormat custom', 0]]);
  });

  it('indexes the whole fixture folder; my formats leave nothing unparsed', () => {
    const db = path.join(dir, 'c.sqlite');
    cliJson(['index', '--db', db, '--logformat', `custom=${CUSTOM.format}`, LOGS]);
    const sources = cliJson<any[]>(['sources', '--db', db]);
    const byName = Object.fromEntries(sources.map((s) => [path.basename(s.path), s]));
    const mine: Record<string, string> = {
      'xferlog': 'xferlog', 'ext-default.log': 'proftpd-extended', 'ext-auth.log': 'proftpd-extended', 'ext-write.log': 'proftpd-extended',
      'ext-custom.log': 'proftpd-extended', 'sftp.log': 'proftpd-modlog', 'tls.log': 'proftpd-modlog',
    };
    for (const [name, id] of Object.entries(mine)) expect([name, byName[name]?.format, byName[name]?.unparsed]).toEqual([name, id, 0]);
  });
});
