import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { proftpdSystem } from '../../src-main/core/formats/proftpd-system.js';
import { syslog } from '../../src-main/core/formats/syslog.js';
import { detectFormat } from '../../src-main/core/ingest/detect.js';

const ctx = { timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 10, 25) };
const parse = (line: string, c = ctx) => syslog.createParser(c).parse(line)?.fields;

describe('syslog: ProFTPD through syslog shares the SystemLog classification', () => {
  // The real SystemLog lines, rewritten the way ProFTPD sends the same messages to syslog:
  // `Mon DD HH:MM:SS host proftpd[pid]: vhost (client[ip]) - message`.
  const lines = readFileSync(path.join(import.meta.dirname, '../fixtures/proftpd/logs/system.log'), 'utf8').split('\n').filter(Boolean);
  const asSyslog = (l: string) => {
    const m = /^2026-11-23 (\d\d:\d\d:\d\d),\d{3} (\S+) proftpd\[(\d+)\] (\S+)(?: \(([^)]*)\))?: (.*)$/.exec(l)!;
    return `Nov 23 ${m[1]} ${m[2]} proftpd[${m[3]}]: ${m[4]}${m[5] ? ` (${m[5]})` : ''} - ${m[6]}`;
  };

  it('gives every line the fields proftpd-system gives it', () => {
    const sys = proftpdSystem.createParser(ctx);
    const sl = syslog.createParser(ctx);
    for (const l of lines) {
      const a = sys.parse(l)!.fields;
      const b = sl.parse(asSyslog(l))!.fields;
      expect(b.ts, l).toBe(a.ts! - (a.ts! % 1000));
      for (const k of ['server', 'clientIp', 'user', 'verb', 'status', 'protocol', 'pid', 'sessionKey', 'serverPort', 'message'] as const) {
        expect(b[k], `${k} of ${l}`).toEqual(a[k]);
      }
      expect({ ...b.extra, program: undefined }).toEqual({ ...a.extra, program: undefined });
    }
    expect(syslog.detect(lines.map(asSyslog))).toBe(1);
    expect(proftpdSystem.detect(lines.map(asSyslog))).toBe(0);
    expect(detectFormat(lines.map(asSyslog), 'messages')?.format.id).toBe('syslog');
  });

  it('reads bare messages (no vhost) and rsyslog RFC 3339 stamps with their offset', () => {
    expect(parse('2026-11-23T18:51:02.079123+01:00 vm proftpd[7920]: localhost - ProFTPD 1.3.8 (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP'))
      .toMatchObject({ ts: Date.UTC(2026, 10, 23, 17, 51, 2, 79), tsLocal: false, server: 'localhost', pid: 7920, verb: 'server-start', extra: { host: 'vm', program: 'proftpd', level: 'NOTICE' } });
    expect(parse('2026-11-23T18:51:02Z vm proftpd[7920]: Failed binding to 0.0.0.0, port 21: Address already in use'))
      .toMatchObject({ ts: Date.UTC(2026, 10, 23, 18, 51, 2), serverPort: 21, verb: 'bind', extra: { level: 'ERR', category: 'config-error', address: '0.0.0.0' } });
    // Without an offset the stamp is local time.
    expect(parse('2026-07-01T12:00:00.5 vm proftpd[1]: h - FTP session opened.', { ...ctx, timeZone: 'Europe/Paris' }))
      .toMatchObject({ ts: Date.UTC(2026, 6, 1, 10, 0, 0, 500), tsLocal: true });
  });
});

describe('syslog: every line is an event', () => {
  it('keeps programs it does not know, and lines without a tag', () => {
    expect(parse('Nov 24 06:25:01 web1 CRON[18740]: (root) CMD (command -v debian-sa1 > /dev/null)'))
      .toEqual({ ts: Date.UTC(2026, 10, 24, 6, 25, 1), tsLocal: true, server: 'web1', pid: 18740, message: '(root) CMD (command -v debian-sa1 > /dev/null)', extra: { host: 'web1', program: 'CRON' } });
    expect(parse('Nov 24 06:25:01 web1 kernel: [ 12.345678] eth0: link up')).toMatchObject({ message: '[ 12.345678] eth0: link up', extra: { program: 'kernel' } });
    expect(parse('Nov 24 06:25:01 web1 -- MARK --')).toMatchObject({ server: 'web1', message: '-- MARK --' });
    expect(syslog.detect(['Nov 24 06:25:01 web1 -- MARK --', 'Nov 24 06:25:01 web1 last message repeated 2 times'])).toBe(1);
  });

  it('rejects what is not syslog', () => {
    for (const l of ['hello world', 'hello: world', 'Foo 24 06:25:01 web1 x: y', '2026-11-23 18:51:02 vm sshd[1]: x', '<999>Nov 24 06:25:01 a b: c', '127.0.0.1 - frank [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326']) {
      expect(parse(l), l).toBeUndefined();
    }
  });

  it('infers the year and follows December into January, also after resuming', () => {
    const p = syslog.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2027, 0, 3) });
    expect(p.parse('Dec 31 23:59:58 h sshd[1]: x')!.fields.ts).toBe(Date.UTC(2026, 11, 31, 23, 59, 58));
    const resumed = syslog.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2027, 3, 1) }, JSON.parse(JSON.stringify(p.state())));
    expect(resumed.parse('Jan  1 00:00:02 h sshd[1]: y')!.fields.ts).toBe(Date.UTC(2027, 0, 1, 0, 0, 2));
    // A late line from December after January goes back a year, and January after it forward again.
    expect(resumed.parse('Dec 31 23:59:59 h sshd[1]: z')!.fields.ts).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    expect(resumed.parse('Jan  1 00:00:03 h sshd[1]: w')!.fields.ts).toBe(Date.UTC(2027, 0, 1, 0, 0, 3));
  });
});

describe('syslog: file-transfer programs', () => {
  it('pure-ftpd: logins, failures, transfers with bytes and speed', () => {
    expect(parse('Nov 24 10:00:00 ftp pure-ftpd: (?@10.0.0.5) [INFO] alice is now logged in'))
      .toMatchObject({ clientIp: '10.0.0.5', user: 'alice', verb: 'login', status: 'success', protocol: 'ftp', extra: { level: 'INFO', category: 'auth-success' } });
    expect(parse('Nov 24 10:00:03 ftp pure-ftpd: (alice@10.0.0.5) [NOTICE] /home/alice//report.pdf downloaded  (4096 bytes, 512.00KB/sec)'))
      .toMatchObject({ user: 'alice', verb: 'download', path: '/home/alice//report.pdf', bytes: 4096, status: 'success', extra: { level: 'NOTICE', speed: '512.00KB/sec', category: 'transfer' } });
    expect(parse('Nov 24 10:00:04 ftp pure-ftpd: (alice@client.example.org) [NOTICE] /home/alice/backup tar partially uploaded  (1048576 bytes, 1.50MB/sec)'))
      .toMatchObject({ user: 'alice', verb: 'upload', path: '/home/alice/backup tar', bytes: 1048576, status: 'failure', extra: { clientName: 'client.example.org', partial: true, speed: '1.50MB/sec' } });
    expect(parse("Nov 24 10:00:05 ftp pure-ftpd: (?@10.0.0.9) [WARNING] Can't login as [bob]: account disabled"))
      .toMatchObject({ user: 'bob', verb: 'login-failed', extra: { reason: 'account_disabled' } });
    expect(parse('Nov 24 10:00:06 ftp pure-ftpd: (alice@10.0.0.5) [INFO] Timeout - try typing a little faster next time')).toMatchObject({ verb: 'timeout' });
  });

  it('sftp-server: the messages FORMATS.md quotes, with path, flags and bytes', () => {
    expect(parse('Nov 24 11:03:00 h sftp-server[4242]: open "/tmp/ros.txt" flags WRITE,CREATE,TRUNCATE mode 0644'))
      .toMatchObject({ sessionKey: '4242', protocol: 'sftp', verb: 'open', path: '/tmp/ros.txt', extra: { flags: 'WRITE,CREATE,TRUNCATE', mode: '644' } });
    expect(parse('Nov 24 11:03:01 h sftp-server[4242]: close "/tmp/ros.txt" bytes read 0 written 4034'))
      .toMatchObject({ verb: 'close', path: '/tmp/ros.txt', bytes: 4034, extra: { bytesRead: 0, bytesWritten: 4034, direction: 'upload' } });
    expect(parse('Nov 24 11:03:02 h sftp-server[4242]: close "/data/a b.bin" bytes read 32768 written 0'))
      .toMatchObject({ path: '/data/a b.bin', bytes: 32768, extra: { direction: 'download' } });
    expect(parse('Nov 24 11:03:03 h sftp-server[4242]: rename old "/a.txt" new "/b.txt"')).toMatchObject({ verb: 'rename', path: '/a.txt', extra: { to: '/b.txt' } });
    expect(parse('Nov 24 11:03:04 h sftp-server[4242]: sent status No such file')).toMatchObject({ verb: 'status', status: 'No such file' });
    expect(parse('Nov 24 11:03:05 h sftp-server[4242]: session closed for local user alice')).toMatchObject({ verb: 'session-close', user: 'alice' });
    // internal-sftp may log under sshd's name.
    expect(parse('Nov 24 11:03:06 h sshd[77]: open "/in/x" flags READ mode 0666')).toMatchObject({ protocol: 'sftp', verb: 'open', path: '/in/x', extra: { flags: 'READ' } });
  });

  it('sshd: accepted and failed logins, unknown users', () => {
    expect(parse('Nov 24 12:00:00 h sshd[900]: Accepted publickey for alice from 192.0.2.9 port 50000 ssh2: ED25519 SHA256:abc'))
      .toMatchObject({ user: 'alice', clientIp: '192.0.2.9', clientPort: 50000, verb: 'login', status: 'success', protocol: 'ssh2', sessionKey: '900', extra: { authMethod: 'publickey', category: 'auth-success' } });
    expect(parse('Nov 24 12:00:01 h sshd[901]: Failed password for bob from 192.0.2.9 port 50001 ssh2'))
      .toMatchObject({ user: 'bob', verb: 'login-failed', status: 'failure', extra: { reason: 'wrong_password' } });
    expect(parse('Nov 24 12:00:02 h sshd[902]: Invalid user eve from 192.0.2.9 port 50002'))
      .toMatchObject({ user: 'eve', clientPort: 50002, verb: 'invalid-user', extra: { reason: 'unknown_user' } });
    expect(parse('Nov 24 12:00:03 h sshd[900]: subsystem request for sftp by user alice')).toMatchObject({ user: 'alice', verb: 'subsystem', protocol: 'sftp' });
    expect(parse('Nov 24 12:00:04 h sshd[900]: pam_unix(sshd:session): session closed for user alice')).toMatchObject({ user: 'alice', verb: 'session-close' });
  });

  it('vsftpd with syslog_enable: read by the vsftpd format\'s own rules', () => {
    expect(parse('Nov 24 13:00:00 h vsftpd[1234]: [pid 1235] [alice] OK UPLOAD: Client "::ffff:192.0.2.1", "/home/alice/a.jpg", 412934 bytes, 295.34Kbyte/sec'))
      .toMatchObject({ ts: Date.UTC(2026, 10, 24, 13), tsLocal: true, pid: 1235, sessionKey: '1235', user: 'alice', clientIp: '::ffff:192.0.2.1', verb: 'upload', status: 'OK', path: '/home/alice/a.jpg', bytes: 412934, protocol: 'ftp', extra: { program: 'vsftpd', rateKBps: 295.34 } });
    expect(parse('Nov 24 13:00:01 h vsftpd[1234]: [pid 1234] CONNECT: Client "192.0.2.1"')).toMatchObject({ verb: 'connect', clientIp: '192.0.2.1' });
    expect(parse('Nov 24 13:00:02 h vsftpd[77]: [bob] FAIL LOGIN: Client "192.0.2.1"')).toMatchObject({ pid: 77, user: 'bob', verb: 'login', status: 'FAIL' });
  });
});
