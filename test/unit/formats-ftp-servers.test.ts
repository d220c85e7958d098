import fs from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { clf } from '../../src-main/core/formats/clf.js';
import { filezilla, filezillaLegacy, readLocaleDateTime } from '../../src-main/core/formats/filezilla.js';
import { pureftpdStats } from '../../src-main/core/formats/pureftpd-stats.js';
import type { EventFields, FormatDefinition, LineParser, ParseContext } from '../../src-main/core/formats/types.js';
import { vsftpd } from '../../src-main/core/formats/vsftpd.js';
import { w3c } from '../../src-main/core/formats/w3c.js';
import { detectFormat } from '../../src-main/core/ingest/detect.js';
import { cliJson, tempDir, writeLines } from '../helpers.js';

const UTC: ParseContext = { timeZone: 'UTC', fileMtimeMs: 0 };

function fieldsOf(parser: LineParser, line: string): EventFields {
  const parsed = parser.parse(line);
  expect(parsed, `not parsed: ${line}`).not.toBeNull();
  return parsed!.fields;
}

/** Each expected field equals the parsed one (undefined = absent), like the generic format test. */
function expectFields(actual: EventFields, expected: EventFields): void {
  for (const [key, value] of Object.entries(expected)) {
    expect(actual[key as keyof EventFields], key).toEqual(value);
  }
}

function parseAll(format: FormatDefinition, lines: readonly string[], ctx: ParseContext = UTC) {
  const parser = format.createParser(ctx);
  const rows = lines.map((l) => parser.parse(l));
  return { parser, rows, unparsed: lines.filter((_, i) => rows[i] === null) };
}

// ------------------------------------------------------------------------------------------------
// vsftpd

/**
 * One session in every shape vsftpd's logging.c writes (FORMATS.md lines first; the others follow
 * vsf_log_do_log_vsftpd_format's layout).
 */
const VSFTPD_SESSION = [
  'Thu Sep  8 00:39:49 2016 [pid 15019] [guest] FAIL LOGIN: Client "::ffff:192.0.2.1", "User is not in the allow user list."',
  'Fri Dec 14 09:38:38 2018 [pid 16247] [calisro] OK UPLOAD: Client "X.X.X.X", "/XXXXX/XXXXX.jpg", 412934 bytes, 295.34Kbyte/sec',
  'Fri Dec 14 09:40:01 2018 [pid 16300] CONNECT: Client "192.0.2.7"',
  'Fri Dec 14 09:40:01 2018 [pid 16300] FTP response: Client "192.0.2.7", "220 (vsFTPd 3.0.3)"',
  'Fri Dec 14 09:40:02 2018 [pid 16300] FTP command: Client "192.0.2.7", "USER alice"',
  'Fri Dec 14 09:40:02 2018 [pid 16300] [alice] FTP response: Client "192.0.2.7", "331 Please specify the password."',
  'Fri Dec 14 09:40:02 2018 [pid 16300] [alice] FTP command: Client "192.0.2.7", "PASS <password>"',
  'Fri Dec 14 09:40:02 2018 [pid 16299] [alice] OK LOGIN: Client "192.0.2.7"',
  'Fri Dec 14 09:40:02 2018 [pid 16301] [alice] FTP response: Client "192.0.2.7", "230 Login successful."',
  'Fri Dec 14 09:40:05 2018 [pid 16301] [alice] FTP command: Client "192.0.2.7", "RETR /pub/a b.txt"',
  'Fri Dec 14 09:40:05 2018 [pid 16301] [alice] OK DOWNLOAD: Client "192.0.2.7", "/pub/a b.txt", 5 bytes, 0.52Kbyte/sec',
  'Fri Dec 14 09:40:06 2018 [pid 16301] [alice] FAIL DOWNLOAD: Client "192.0.2.7", "/pub/missing.bin", 0.00Kbyte/sec',
  'Fri Dec 14 09:40:07 2018 [pid 16301] [alice] FAIL UPLOAD: Client "192.0.2.7", "/pub/readonly.txt", 0.00Kbyte/sec',
  'Fri Dec 14 09:40:08 2018 [pid 16301] [alice] OK MKDIR: Client "192.0.2.7", "/pub/new dir"',
  'Fri Dec 14 09:40:09 2018 [pid 16301] [alice] FAIL MKDIR: Client "192.0.2.7", "/pub/new dir"',
  'Fri Dec 14 09:40:10 2018 [pid 16301] [alice] OK RENAME: Client "192.0.2.7", "/pub/a b.txt /pub/c d.txt"',
  'Fri Dec 14 09:40:11 2018 [pid 16301] [alice] OK DELETE: Client "192.0.2.7", "/pub/c d.txt"',
  'Fri Dec 14 09:40:12 2018 [pid 16301] [alice] OK RMDIR: Client "192.0.2.7", "/pub/new dir"',
  'Fri Dec 14 09:40:13 2018 [pid 16301] [alice] OK CHMOD: Client "192.0.2.7", "/pub/x.sh 755"',
  'Fri Dec 14 09:40:14 2018 [pid 16301] [alice] FTP command: Client "192.0.2.7", "QUIT"',
  'Sun Apr  1 08:10:34 2007 [pid 4108] [ftp] OK LOGIN: Client "192.168.1.10", anon password "<no_password>"',
];

describe('vsftpd', () => {
  it('parses every shape of a session, none left unparsed', () => {
    const { rows, unparsed } = parseAll(vsftpd, VSFTPD_SESSION);
    expect(unparsed).toEqual([]);
    const verbs = rows.map((r) => r!.fields.verb);
    expect(verbs).toEqual([
      'login', 'upload', 'connect', 'ftp-response', 'ftp-command', 'ftp-response', 'ftp-command', 'login', 'ftp-response',
      'ftp-command', 'download', 'download', 'upload', 'mkdir', 'mkdir', 'rename', 'delete', 'rmdir', 'chmod', 'ftp-command', 'login',
    ]);
    expect(rows.map((r) => r!.fields.status)).toEqual([
      'FAIL', 'OK', undefined, '220', undefined, '331', undefined, 'OK', '230',
      undefined, 'OK', 'FAIL', 'FAIL', 'OK', 'FAIL', 'OK', 'OK', 'OK', 'OK', undefined, 'OK',
    ]);
  });

  it('extracts the FORMATS.md fields', () => {
    const p = vsftpd.createParser(UTC);
    expect(fieldsOf(p, VSFTPD_SESSION[0]!)).toEqual({
      ts: Date.UTC(2016, 8, 8, 0, 39, 49), tsLocal: true, pid: 15019, sessionKey: '15019', verb: 'login', status: 'FAIL',
      user: 'guest', clientIp: '::ffff:192.0.2.1', message: 'User is not in the allow user list.',
    });
    expect(fieldsOf(p, VSFTPD_SESSION[1]!)).toEqual({
      ts: Date.UTC(2018, 11, 14, 9, 38, 38), tsLocal: true, pid: 16247, sessionKey: '16247', verb: 'upload', status: 'OK',
      user: 'calisro', clientIp: 'X.X.X.X', path: '/XXXXX/XXXXX.jpg', bytes: 412934, extra: { rateKBps: 295.34 },
    });
  });

  it('splits renames, chmod modes, commands and replies', () => {
    const p = vsftpd.createParser(UTC);
    const byLine = (i: number) => fieldsOf(p, VSFTPD_SESSION[i]!);
    expectFields(byLine(15), { path: '/pub/a b.txt', extra: { renameTo: '/pub/c d.txt' } });
    expectFields(byLine(18), { path: '/pub/x.sh', extra: { mode: '755' } });
    expectFields(byLine(9), { verb: 'ftp-command', path: '/pub/a b.txt', message: 'RETR /pub/a b.txt', extra: { command: 'retr' } });
    expectFields(byLine(6), { path: undefined, message: 'PASS <password>', extra: { command: 'pass' } });
    expectFields(byLine(4), { user: undefined, path: undefined, message: 'USER alice', extra: { command: 'user' } });
    expectFields(byLine(8), { status: '230', message: 'Login successful.' });
    expectFields(byLine(11), { path: '/pub/missing.bin', bytes: undefined, extra: { rateKBps: 0 } });
    // A folder whose name ends with a space puts " /" inside the paths: the cut that keeps both
    // names in one folder wins; with no such cut the pair stays whole in path.
    expectFields(fieldsOf(p, 'Fri Dec 14 09:40:10 2018 [pid 1] [a] OK RENAME: Client "1.2.3.4", "/x/my dir /a.txt /x/my dir /b.txt"'), { path: '/x/my dir /a.txt', extra: { renameTo: '/x/my dir /b.txt' } });
    expectFields(fieldsOf(p, 'Fri Dec 14 09:40:10 2018 [pid 1] [a] OK RENAME: Client "1.2.3.4", "/x/a /b.txt /y/c /d.txt"'), { path: '/x/a /b.txt /y/c /d.txt', extra: undefined });
    // Quotes inside a name are not escaped by vsftpd.
    expect(fieldsOf(p, 'Fri Dec 14 09:40:11 2018 [pid 1] [a] OK DELETE: Client "1.2.3.4", "/x/say "hi".txt"').path).toBe('/x/say "hi".txt');
  });

  it('converts local time with the zone (DST included)', () => {
    const paris = vsftpd.createParser({ timeZone: 'Europe/Paris', fileMtimeMs: 0 });
    expect(paris.parse(VSFTPD_SESSION[0]!)!.fields.ts).toBe(Date.UTC(2016, 8, 7, 22, 39, 49));
    expect(paris.parse(VSFTPD_SESSION[1]!)!.fields.ts).toBe(Date.UTC(2018, 11, 14, 8, 38, 38));
  });

  it('rejects lines that are not vsftpd log lines', () => {
    const p = vsftpd.createParser(UTC);
    for (const bad of [
      'Fri Dec 14 09:38:38 2018 [pid 16247] [calisro] OK CONNECT: Client "1.2.3.4"', // CONNECT has no OK/FAIL
      'Fri Dec 14 09:38:38 2018 [pid 16247] [calisro] UPLOAD: Client "1.2.3.4", "/a"', // UPLOAD needs it
      'Fri Dec 14 09:38:38 2018 [pid x] CONNECT: Client "1.2.3.4"',
      'Fri Dec 14 09:38:38 2018 [pid 1] OK FROBNICATE: Client "1.2.3.4"',
      'Fri Dec 14 09:38:38 2018 [pid 1] [u] OK DELETE: Client "1.2.3.4", "/a" trailing',
      'Fri Foo 14 09:38:38 2018 [pid 1] CONNECT: Client "1.2.3.4"',
      // an xferlog line (same date layout) is not vsftpd's own format
      'Mon Nov 23 18:51:05 2026 0 localhost 1048576 /srv/ftp/bob/up_7.bin b _ o r bob ftp 0 * c',
    ]) expect(p.parse(bad), bad).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------
// Pure-FTPd

describe('Pure-FTPd stats (AltLog stats)', () => {
  it('reads date, session, user, host, direction, size, duration and the unquoted file', () => {
    const p = pureftpdStats.createParser(UTC);
    expect(fieldsOf(p, '1764942060 6932e0b0.1f2a joe 192.0.2.10 D 42 3 /home/joe/My Documents/read me.txt')).toEqual({
      ts: 1764942060000, sessionKey: '6932e0b0.1f2a', pid: 0x1f2a, user: 'joe', clientIp: '192.0.2.10', verb: 'download',
      bytes: 42, durationMs: 3000, path: '/home/joe/My Documents/read me.txt', extra: { sessionStart: 1764942000 },
    });
    expectFields(fieldsOf(p, '1764942107 6932e10a.1f31 - - U 7 0 /in/x'), { user: undefined, clientIp: undefined, verb: 'upload' });
  });

  it('rejects near misses', () => {
    const p = pureftpdStats.createParser(UTC);
    for (const bad of [
      '1764942060 6932e0b0.1f2a joe 192.0.2.10 X 42 3 /a', // direction
      '1764942060 6932e0b0 joe 192.0.2.10 D 42 3 /a', // session without .pid
      '1764942060 6932e0b0.1f2a joe 192.0.2.10 D 42 3', // no file
      '1764942060  6932e0b0.1f2a joe 192.0.2.10 D 42 3 /a', // empty field
      '17649 6932e0b0.1f2a joe 192.0.2.10 D 42 3 /a', // not an epoch
      '1764942060 6932e0b0.1f2a joe 192.0.2.10 D 4k 3 /a',
    ]) expect(p.parse(bad), bad).toBeNull();
  });

  it("is read by clf when Pure-FTPd writes its clf AltLog (GET/PUT, always 200)", () => {
    // altlog_writexfer_clf: "%s - %s [%s] \"%s %s\" 200 %llu", file name URL-encoded.
    const p = clf.createParser(UTC);
    expect(fieldsOf(p, '192.0.2.10 - joe [23/Nov/2026:18:51:03 +0000] "PUT /home/joe/file.txt" 200 1234')).toEqual({
      ts: Date.UTC(2026, 10, 23, 18, 51, 3), clientIp: '192.0.2.10', user: 'joe', verb: 'put', path: '/home/joe/file.txt', status: '200', bytes: 1234,
    });
    expectFields(fieldsOf(p, '192.0.2.10 - joe [23/Nov/2026:18:51:09 +0000] "GET /home/joe/my%20file.txt" 200 99'), { verb: 'get', path: '/home/joe/my%20file.txt' });
    expect(detectFormat(['192.0.2.10 - joe [23/Nov/2026:18:51:03 +0000] "PUT /home/joe/file.txt" 200 1234'], 'pureftpd.log')?.format.id).toBe('clf');
  });

  it('is read by w3c when Pure-FTPd writes its w3c AltLog ([]created / []sent, UTC)', () => {
    // altlog_write_w3c_header + altlog_writexfer_w3c ("%d-%02d-%02d %02d:%02d:%02d %s []%s %s 226 %s %llu").
    const lines = [
      '#Software: Pure-FTPd 1.0.51',
      '#Version: 1.0',
      '#Date: 2026-11-23 18:51:00',
      '#Fields: date time c-ip cs-method cs-uri-stem sc-status cs-username sc-bytes',
      '2026-11-23 18:51:03 192.0.2.10 []created /home/joe/file.txt 226 joe 1234',
      '2026-11-23 18:51:09 192.0.2.10 []sent /home/joe/my%20file.txt 226 joe 99',
    ];
    expect(detectFormat(lines, 'pureftpd.log')?.format.id).toBe('w3c');
    const { rows, unparsed } = parseAll(w3c, lines);
    expect(unparsed).toEqual([]);
    expect(rows[4]!.fields).toEqual({ ts: Date.UTC(2026, 10, 23, 18, 51, 3), clientIp: '192.0.2.10', verb: 'created', path: '/home/joe/file.txt', status: '226', user: 'joe', bytes: 1234 });
    // `[]` carries no session number; the %XX URL-encoding of names is kept as written.
    expectFields(rows[5]!.fields, { verb: 'sent', sessionKey: undefined, path: '/home/joe/my%20file.txt', bytes: 99 });
  });
});

// ------------------------------------------------------------------------------------------------
// FileZilla Server 0.9

const FZ_BRIEF = [
  '(000002)2025/11/6 15:58:48 - (not logged in) (127.0.0.1)> Connected on port 21, sending welcome message...',
  '(000002)2025/11/6 15:58:48 - (not logged in) (127.0.0.1)> USER test',
  '(000002)2025/11/6 15:58:49 - test (127.0.0.1)> 230 Logged on',
  '(000002)2025/11/6 15:58:50 - test (127.0.0.1)> STOR file.txt',
  '(000002)2025/11/6 15:58:50 - test (127.0.0.1)> 150 Opening data channel for file upload to server of "/file.txt"',
  '(000002)2025/11/6 15:58:50 - test (127.0.0.1)> 226 Successfully transferred "/file.txt"',
  '(000002)2025/11/6 15:58:51 - test (127.0.0.1)> RETR file.txt',
  '(000002)2025/11/6 15:58:51 - test (127.0.0.1)> 150 Opening data channel for file download from server of "/file.txt"',
  '(000002)2025/11/6 15:58:55 - test (127.0.0.1)> disconnected.',
];

describe('FileZilla Server 0.9 (filezilla-legacy)', () => {
  it('reads sessions, users, commands and replies (the brief\'s session)', () => {
    const { parser, rows, unparsed } = parseAll(filezillaLegacy, FZ_BRIEF);
    expect(unparsed).toEqual([]);
    expect(rows.map((r) => [r!.fields.verb, r!.fields.status, r!.fields.user, r!.fields.path])).toEqual([
      ['connect', undefined, undefined, undefined],
      ['user', undefined, 'test', undefined],
      [undefined, '230', 'test', undefined],
      ['stor', undefined, 'test', 'file.txt'],
      [undefined, '150', 'test', '/file.txt'],
      [undefined, '226', 'test', '/file.txt'],
      ['retr', undefined, 'test', 'file.txt'],
      [undefined, '150', 'test', '/file.txt'],
      ['disconnect', undefined, 'test', undefined],
    ]);
    expect(rows[4]!.fields.extra).toEqual({ direction: 'upload', level: 'reply' });
    expect(rows[7]!.fields.extra).toEqual({ direction: 'download', level: 'reply' });
    expect(rows.every((r) => r!.fields.sessionKey === '2' && r!.fields.clientIp === '127.0.0.1' && r!.fields.tsLocal)).toBe(true);
    expect(rows[0]!.fields.ts).toBe(Date.UTC(2025, 10, 6, 15, 58, 48));
    expect(parser.detail!()).toBe('dates read as year/month/day');
  });

  it('converts local time with the zone', () => {
    const p = filezillaLegacy.createParser({ timeZone: 'America/New_York', fileMtimeMs: 0 });
    expect(p.parse(FZ_BRIEF[0]!)!.fields.ts).toBe(Date.UTC(2025, 10, 6, 20, 58, 48));
  });

  it('reads the Windows short date layouts', () => {
    const at = (s: string) => readLocaleDateTime(s);
    expect(at('2025/11/6 15:58:48')).toMatchObject({ yearFirst: true, n: [2025, 11, 6], hour: 15 });
    expect(at('4/1/2009 12:34:48 AM')).toMatchObject({ yearFirst: false, twelveHour: true, hour: 0, minute: 34 });
    expect(at('4/1/2009 12:34:48 PM')).toMatchObject({ hour: 12 });
    expect(at('4/1/2009 1:34:48 pm')).toMatchObject({ hour: 13 });
    expect(at('01.09.2022 2:22:55')).toMatchObject({ sep: '.', n: [1, 9, 2022], hour: 2 });
    expect(at('6.11.2025. 15:58:48')).toMatchObject({ n: [6, 11, 2025] });
    expect(at('6-11-25 15:58')).toMatchObject({ sep: '-', shortYear: true, second: 0 });
    expect(at('2025/11/06 下午 3:58:48')).toMatchObject({ hour: 15 });
    // A 24-hour clock with PM, as a real FileZilla 0.9 log has it (../shared/realworld/filezilla/fzs-2019-12-18.log).
    expect(at('12/18/2019 15:51:17 PM')).toMatchObject({ hour: 15, twelveHour: true });
    for (const bad of ['2025/11/6', '2025/11/6 25:61', '4/1/2009 13:00:00 AM', '4/1/2009 24:00:00 PM', '4_1_2009 1:00:00', '123/1/2009 1:00:00', '1/2 3:00:00', '4/1/2009 1:34:48 XM']) {
      expect(at(bad), bad).toBeUndefined();
    }
  });

  it('reads D.M.Y (German) dates day first, as a guess until a day above 12', () => {
    // From a monitoring script's comment: a FileZilla Server log in a German locale.
    const line = '(000051) 01.09.2022 2:22:55 - ftp_user (10.0.1.2)> 226 Successfully transferred "/path/to/file/filename_pattern_2022_09_01_010000_6539791.bak"';
    const p = filezillaLegacy.createParser(UTC);
    expectFields(fieldsOf(p, line), { ts: Date.UTC(2022, 8, 1, 2, 22, 55), user: 'ftp_user', status: '226', path: '/path/to/file/filename_pattern_2022_09_01_010000_6539791.bak' });
    expect(p.detail!()).toBe('dates read as day/month/year: a guess from the date layout, no day above 12 seen yet');
    fieldsOf(p, line.replace('01.09.2022', '13.09.2022'));
    expect(p.detail!()).toBe('dates read as day/month/year');
  });

  it('takes the order from a day above 12 and says which earlier lines were guessed otherwise', () => {
    const p = filezillaLegacy.createParser(UTC);
    const line = (date: string, text: string) => `(000007) ${date} - alice (192.0.2.5)> ${text}`;
    // `/` with a 12-hour clock looks like en-US: month first...
    expect(fieldsOf(p, line('05/03/2024 9:00:00 AM', 'USER alice')).ts).toBe(Date.UTC(2024, 4, 3, 9));
    expect(fieldsOf(p, line('05/03/2024 9:00:01 AM', 'PASS ****')).ts).toBe(Date.UTC(2024, 4, 3, 9, 0, 1));
    expect(p.detail!()).toMatch(/^dates read as month\/day\/year: a guess/);
    // ...until 13/03 shows the file is day first: from then on every date is read that way.
    expect(fieldsOf(p, line('13/03/2024 9:00:02 AM', '230 Logged on')).ts).toBe(Date.UTC(2024, 2, 13, 9, 0, 2));
    expect(fieldsOf(p, line('05/03/2024 9:00:03 AM', 'QUIT')).ts).toBe(Date.UTC(2024, 2, 5, 9, 0, 3));
    expect(p.detail!()).toBe('dates read as day/month/year; the first 2 dated lines were read as month/day/year before a later line showed the order');
    // The choice survives a checkpoint.
    const resumed = filezillaLegacy.createParser(UTC, JSON.parse(JSON.stringify(p.state())));
    expect(fieldsOf(resumed, line('01/02/2024 10:00:00 AM', 'NOOP')).ts).toBe(Date.UTC(2024, 1, 1, 10));
    expect(resumed.detail!()).toBe(p.detail!());
  });

  it('rules out a reading that lies after the file was last written', () => {
    // 03/05/2024 with a 24-hour clock would be guessed day first (3 May), but the file was last
    // modified on 6 March 2024: it must be 5 March, and the file is month first.
    const p = filezillaLegacy.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2024, 2, 6, 12) });
    expect(fieldsOf(p, '(000001) 03/05/2024 10:00:00 - (not logged in) (192.0.2.1)> USER bob').ts).toBe(Date.UTC(2024, 2, 5, 10));
    expect(p.detail!()).toBe('dates read as month/day/year');
    // Without the file date the same line is a day-first guess.
    const q = filezillaLegacy.createParser(UTC);
    expect(fieldsOf(q, '(000001) 03/05/2024 10:00:00 - (not logged in) (192.0.2.1)> USER bob').ts).toBe(Date.UTC(2024, 4, 3, 10));
  });

  it('reads D/M/Y with a day above 12 directly', () => {
    // From a fail2ban-style rule table (FileZilla Server row).
    const p = filezillaLegacy.createParser(UTC);
    expectFields(fieldsOf(p, '(000100)16/08/2026 17:01:02 - (not logged in) (203.0.113.9)> 530 Login or password incorrect!'), {
      ts: Date.UTC(2026, 7, 16, 17, 1, 2), sessionKey: '100', user: undefined, clientIp: '203.0.113.9', status: '530', message: 'Login or password incorrect!',
    });
    expect(p.detail!()).toBe('dates read as day/month/year');
  });

  it('follows multi-line replies per session and keeps IPv6 addresses', () => {
    const p = filezillaLegacy.createParser(UTC);
    const s = (n: string, text: string) => `(${n}) 2024/1/2 3:04:05 - bob (::ffff:192.0.2.9)> ${text}`;
    expectFields(fieldsOf(p, s('000010', '211-Features:')), { status: '211', clientIp: '::ffff:192.0.2.9' });
    // Another session's command in between is still a command.
    expectFields(fieldsOf(p, s('000011', 'SIZE /a.txt')), { verb: 'size', path: '/a.txt', sessionKey: '11' });
    expectFields(fieldsOf(p, s('000010', 'SIZE')), { verb: undefined, status: '211', message: 'SIZE' });
    expectFields(fieldsOf(p, s('000010', '211 End')), { status: '211' });
    expectFields(fieldsOf(p, s('000010', 'SIZE /b.txt')), { verb: 'size', path: '/b.txt' });
  });

  it('rejects lines that are not FileZilla 0.9 lines', () => {
    const p = filezillaLegacy.createParser(UTC);
    for (const bad of [
      '(000002)2025/11/6 15:58:48 (not logged in) (127.0.0.1)> USER x', // no " - "
      '(000002)2025/11/6 15:58:48 - (not logged in) 127.0.0.1> USER x', // no (ip)
      '(abc)2025/11/6 15:58:48 - x (127.0.0.1)> USER x',
      '(000002)2025/13/45 15:58:48 - x (127.0.0.1)> USER x',
      '(000002)31/02/2025 15:58:48 - x (127.0.0.1)> USER x', // no 31 February either way
      '(000133)- (not logged in) (::1)> USER superadmin', // the admin protocol's dump: date in binary
    ]) expect(p.parse(bad), bad).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------
// FileZilla Server 1.x

describe('FileZilla Server 1.x (filezilla)', () => {
  // EulandaConnect's test log (FileZilla Pro Enterprise Server 1.7.2; PowerShell's '' unescaped).
  const FZ1 = [
    '2023-07-16T02:18:53.318Z << [FTP Session 2856 64.62.197.239] 220 welcome to ftp connect service',
    '2023-07-16T02:18:53.490Z >> [FTP Session 2856 64.62.197.239] AUTH TLS',
    '2023-07-16T02:18:53.490Z << [FTP Session 2856 64.62.197.239] 234 Using authentication type TLS.',
    '2023-07-16T02:18:53.974Z !! [FTP Session 2856 64.62.197.239] GnuTLS error -110 in gnutls_record_recv: The TLS connection was non-properly terminated.',
    '2023-07-16T02:18:53.974Z == [FTP Session 2856 64.62.197.239] Client did not properly shut down TLS connection',
    '2023-07-16T02:30:06.782Z >> [FTP Session 2857 5.21.80.217] USER komu',
    '2023-07-16T02:30:06.782Z << [FTP Session 2857 5.21.80.217] 331 Please, specify the password.',
    '2023-07-16T02:30:06.782Z >> [FTP Session 2857 5.21.80.217] PASS ****',
    '2023-07-16T02:30:06.860Z << [FTP Session 2857 5.21.80.217 komu] 230 Login successful.',
    '2023-07-16T02:30:06.860Z >> [FTP Session 2857 5.21.80.217 komu] OPTS utf8 on',
    '2023-07-16T02:30:06.860Z << [FTP Session 2857 5.21.80.217 komu] 257 "/" is current directory.',
    '2023-07-16T02:30:06.860Z >> [FTP Session 2857 5.21.80.217 komu] RETR partnerliste/partnerliste.htm',
    '2023-07-16T02:30:06.938Z << [FTP Session 2857 5.21.80.217 komu] 150 Starting data transfer.',
    '2023-07-16T02:30:06.938Z << [FTP Session 2857 5.21.80.217 komu] 226 Operation successful',
    '2023-07-16T02:30:06.938Z == [FTP Server] Session 2857 ended gracefully.',
    "2023-07-16T02:33:06.323Z == [SSH SFTP Session 2858 141.98.11.113] Client tried 'none' authentication method which is not available. There are no further methods available: User is disabled.",
    "2023-07-16T02:33:06.354Z !! [SSH SFTP Session 2858 141.98.11.113] User authentication attempt with method 'password' failed [user=mysql] [next methods=no auth methods available] [error=Auth method is not supported]",
    '2023-07-16T02:33:06.385Z == [SSH SFTP Server] Session 2858 ended gracefully.',
  ];

  it('reads every line: session, IP, user before and after login, commands, replies, levels', () => {
    const { rows, unparsed } = parseAll(filezilla, FZ1);
    expect(unparsed).toEqual([]);
    const f = rows.map((r) => r!.fields);
    expect(f[5]).toEqual({ ts: Date.UTC(2023, 6, 16, 2, 30, 6, 782), sessionKey: '2857', clientIp: '5.21.80.217', protocol: 'ftp', verb: 'user', user: 'komu', message: 'komu', extra: { level: 'command', module: 'FTP Session' } });
    expectFields(f[7]!, { verb: 'pass', user: undefined });
    expectFields(f[8]!, { user: 'komu', status: '230', verb: undefined });
    expectFields(f[11]!, { verb: 'retr', path: 'partnerliste/partnerliste.htm', user: 'komu' });
    expectFields(f[13]!, { status: '226', message: 'Operation successful' });
    expect(f[3]!.extra).toEqual({ level: 'error', module: 'FTP Session' });
    expectFields(f[14]!, { sessionKey: '2857', clientIp: undefined, extra: { level: 'status', module: 'FTP Server' } });
    expectFields(f[16]!, { protocol: 'sftp', sessionKey: '2858', extra: { level: 'error', module: 'SSH SFTP Session' } });
    expect(f.every((x) => x.tsLocal === undefined)).toBe(true);
  });

  it('accepts an offset or a zone-less (local) timestamp, and IPv6 session addresses', () => {
    const p = filezilla.createParser({ timeZone: 'Europe/Paris', fileMtimeMs: 0 });
    expectFields(fieldsOf(p, '2024-03-09T17:36:15.676+01:00 >> [FTP Session 3 ::1] USER test'), { ts: Date.UTC(2024, 2, 9, 16, 36, 15, 676), clientIp: '::1', user: 'test' });
    expectFields(fieldsOf(p, '2024-03-09T17:36:15.676 WW [FTP Server] Something to note'), { ts: Date.UTC(2024, 2, 9, 16, 36, 15, 676), tsLocal: true, extra: { level: 'warning', module: 'FTP Server' } });
  });

  it('rejects lines that are not FileZilla 1.x lines', () => {
    const p = filezilla.createParser(UTC);
    for (const bad of [
      '2024-03-09T16:36:15.676Z ?? [FTP Session 3 192.168.0.18] USER test', // unknown type
      '2024-03-09T16:36:15.676Z >> FTP Session 3 192.168.0.18 USER test',
      '2024-03-09 16:36:15.676 >> [FTP Session 3 192.168.0.18] USER test',
      '2024-03-09T16:36:15.676Q >> [FTP Session 3 192.168.0.18] USER test',
      '2024-03-09T16:36:15.676Z >> [FTP Session 3 192.168.0.18]USER test',
    ]) expect(p.parse(bad), bad).toBeNull();
  });
});

// ------------------------------------------------------------------------------------------------
// A folder mixing these formats with a W3C file

describe('detection in a mixed folder', () => {
  const FILES: Record<string, { format: string; lines: string[] }> = {
    'vsftpd.log': { format: 'vsftpd', lines: VSFTPD_SESSION },
    'pureftpd.log': { format: 'pureftpd-stats', lines: pureftpdStats.samples.map((s) => s.line) },
    'FileZilla Server.log': { format: 'filezilla-legacy', lines: FZ_BRIEF },
    'fzs-2009-04-01.log': { format: 'filezilla-legacy', lines: filezillaLegacy.samples.map((s) => s.line).filter((l) => l.includes('2009')) },
    'filezilla-server.log': { format: 'filezilla', lines: filezilla.samples.map((s) => s.line) },
    'u_ex101008.log': { format: 'w3c', lines: w3c.samples.slice(0, 11).map((s) => s.line) },
  };

  it('picks each file\'s format from its content, whatever the name', () => {
    for (const [name, { format, lines }] of Object.entries(FILES)) {
      expect(detectFormat(lines, name)?.format.id, name).toBe(format);
      expect(detectFormat(lines, 'unnamed.txt')?.format.id, `${name} without its name`).toBe(format);
    }
  });

  describe('through the CLI', () => {
    let dir: string | undefined;
    afterEach(() => {
      if (dir) fs.rmSync(dir, { recursive: true, force: true });
    });

    it('indexes the folder with no unparsed line and shows the date order in sources', () => {
      dir = tempDir();
      const logs = path.join(dir, 'logs');
      fs.mkdirSync(logs);
      for (const [name, { lines }] of Object.entries(FILES)) writeLines(path.join(logs, name), lines);
      const db = path.join(dir, 'index.sqlite');
      const summary = cliJson(['index', '--db', db, '--tz', 'UTC', logs]);
      expect(summary).toMatchObject({ files: 6, unparsed: 0, formats: { 'vsftpd': 1, 'pureftpd-stats': 1, 'filezilla-legacy': 2, 'filezilla': 1, 'w3c': 1 } });
      const sources = cliJson<any[]>(['sources', '--db', db]);
      const byName = Object.fromEntries(sources.map((s) => [path.basename(s.path), s]));
      for (const [name, { format, lines }] of Object.entries(FILES)) {
        expect(byName[name], name).toMatchObject({ format, lines: lines.length, unparsed: 0 });
      }
      expect(byName['FileZilla Server.log'].formatDetail).toBe('dates read as year/month/day');
      expect(byName['fzs-2009-04-01.log'].formatDetail).toBe('dates read as month/day/year: a guess from the date layout, no day above 12 seen yet');
    });
  });
});
