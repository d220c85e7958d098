import { readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { proftpdSystem } from '../../src-main/core/formats/proftpd-system.js';
import { syslog } from '../../src-main/core/formats/syslog.js';
import type { EventFields } from '../../src-main/core/formats/types.js';
import { detectFormat } from '../../src-main/core/ingest/detect.js';

const FIXTURES = path.join(import.meta.dirname, '../fixtures/proftpd');
const LOGS = path.join(FIXTURES, 'logs');
const scenario = JSON.parse(readFileSync(path.join(FIXTURES, 'scenario.json'), 'utf8')) as {
  timezone: string;
  sessions: { n: number; protocol: string; user: string; login: string }[];
  failed_logins: { user: string; reason: string; protocol: string }[];
  counts: { sessions: number; successful_logins: { total: number } };
  servers: Record<string, { port: number }>;
};
const lines = readFileSync(path.join(LOGS, 'system.log'), 'utf8').split('\n').filter((l) => l !== '');
const ctx = { timeZone: scenario.timezone, fileMtimeMs: Date.UTC(2026, 10, 23, 19, 15) };

function parseAll(): EventFields[] {
  const parser = proftpdSystem.createParser(ctx);
  return lines.map((l) => {
    const p = parser.parse(l);
    expect(p, `unparsed: ${l}`).not.toBeNull();
    return p!.fields;
  });
}

const sortBy = <T>(xs: T[], key: (x: T) => string) => [...xs].sort((a, b) => key(a).localeCompare(key(b)));

describe('proftpd-system on the real ProFTPD 1.3.8 SystemLog', () => {
  const events = parseAll();

  it('parses every line, in UTC (the fixture zone), with pid = session', () => {
    expect(events).toHaveLength(lines.length);
    expect(lines.length).toBe(28);
    expect(events[0]!.ts).toBe(Date.UTC(2026, 10, 23, 19, 14, 25, 347));
    for (const e of events) {
      expect(e.sessionKey).toBe(String(e.pid));
      expect(e.server).toBe('127.0.0.1');
      expect(e.extra?.host).toBe('vm');
      expect(e.extra?.messageId, e.message).toBeDefined();
    }
  });

  it('counts the successful logins of scenario.json once (the SFTP one is logged twice)', () => {
    const logins = events.filter((e) => e.verb === 'login');
    const counted = logins.filter((e) => !e.extra?.duplicateOf);
    expect(counted).toHaveLength(scenario.counts.successful_logins.total);
    expect(counted.map((e) => e.user).sort()).toEqual(scenario.sessions.filter((s) => s.login === 'ok').map((s) => s.user).sort());
    expect(counted.every((e) => e.status === 'success' && e.extra?.category === 'auth-success' && e.extra?.level === 'INFO')).toBe(true);
    const dup = logins.filter((e) => e.extra?.duplicateOf);
    expect(dup).toHaveLength(scenario.sessions.filter((s) => s.protocol === 'sftp' && s.login === 'ok').length);
    // The duplicate and the line that counts belong to the same session.
    for (const d of dup) expect(counted.some((c) => c.sessionKey === d.sessionKey && c.user === d.user)).toBe(true);
  });

  it('finds the failed logins of scenario.json by user and reason, with the server port for unknown users', () => {
    const failed = events.filter((e) => e.verb === 'login-failed');
    expect(failed.every((e) => e.status === 'failure' && e.extra?.category === 'auth-failure' && e.extra?.level === 'NOTICE')).toBe(true);
    expect(sortBy(failed.map((e) => ({ user: e.user!, reason: String(e.extra!.reason) })), (x) => x.user + x.reason))
      .toEqual(sortBy(scenario.failed_logins.map(({ user, reason }) => ({ user, reason })), (x) => x.user + x.reason));
    const port = (p: string) => scenario.servers[p === 'sftp' ? 'sftp' : 'ftp']!.port;
    for (const f of scenario.failed_logins.filter((x) => x.reason === 'unknown_user')) {
      expect(failed.find((e) => e.user === f.user)?.serverPort).toBe(port(f.protocol));
    }
  });

  it('pairs every session opened with one closed, FTP/FTPS as ftp and SFTP as ssh2', () => {
    const opened = events.filter((e) => e.verb === 'session-open');
    const closed = events.filter((e) => e.verb === 'session-close');
    expect(opened).toHaveLength(scenario.counts.sessions);
    expect(closed.map((e) => e.sessionKey)).toEqual(opened.map((e) => e.sessionKey));
    expect(opened.map((e) => e.protocol)).toEqual(scenario.sessions.map((s) => (s.protocol === 'sftp' ? 'ssh2' : 'ftp')));
    expect(opened.every((e) => e.clientIp === '127.0.0.1' && e.extra?.clientName === '127.0.0.1')).toBe(true);
    // Every login line sits inside a session.
    const sessions = new Set(opened.map((e) => e.sessionKey));
    expect(events.filter((e) => e.user).every((e) => sessions.has(e.sessionKey))).toBe(true);
  });

  it('sees the daemon start and stop', () => {
    expect(events.filter((e) => e.verb?.startsWith('server-')).map((e) => e.verb)).toEqual(['server-start', 'server-killed', 'server-stop']);
    expect(events.at(-1)!.extra).toMatchObject({ version: '1.3.8', mode: 'standalone' });
  });

  it('is detected as proftpd-system, and no other fixture file is taken for it or for syslog', () => {
    expect(detectFormat(lines, 'system.log')?.format.id).toBe('proftpd-system');
    expect(syslog.detect(lines)).toBe(0);
    for (const name of readdirSync(LOGS).filter((n) => n !== 'system.log')) {
      const other = readFileSync(path.join(LOGS, name), 'utf8').split('\n').filter((l) => l.trim() !== '').slice(0, 200);
      expect(proftpdSystem.detect(other), name).toBe(0);
      expect(syslog.detect(other), name).toBe(0);
    }
  });
});

describe('proftpd-system dates', () => {
  it('converts local time with the zone', () => {
    const line = '2026-07-01 12:00:00,250 vm proftpd[1] h: FTP session opened.';
    expect(proftpdSystem.createParser({ ...ctx, timeZone: 'Europe/Paris' }).parse(line)!.fields.ts).toBe(Date.UTC(2026, 6, 1, 10, 0, 0, 250));
    expect(proftpdSystem.createParser({ ...ctx, timeZone: 'America/New_York' }).parse(line)!.fields.ts).toBe(Date.UTC(2026, 6, 1, 16, 0, 0, 250));
  });

  it('reads localised syslog-style dates (juil.) and infers the year from the file date', () => {
    const p = proftpdSystem.createParser({ timeZone: 'Europe/Paris', fileMtimeMs: Date.UTC(2026, 7, 2) });
    const f = p.parse('juil. 28 16:42:17 srv proftpd[2231] ftp.example.fr (client.example.fr[192.0.2.7]): USER bob (Login failed): Incorrect password')!.fields;
    expect(f).toMatchObject({ ts: Date.UTC(2026, 6, 28, 14, 42, 17), tsLocal: true, server: 'ftp.example.fr', clientIp: '192.0.2.7', user: 'bob', verb: 'login-failed', extra: { clientName: 'client.example.fr', reason: 'wrong_password' } });
    expect(p.parse('août  3 09:00:00 srv proftpd[2232] ftp.example.fr: ProFTPD killed (signal 15)')!.fields.ts).toBe(Date.UTC(2026, 7, 3, 7));
    // A date after the file's mtime belongs to the year before.
    const q = proftpdSystem.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 7, 2) });
    expect(q.parse('Dec 30 10:00:00 srv proftpd[1] h: FTP session opened.')!.fields.ts).toBe(Date.UTC(2025, 11, 30, 10));
  });

  it('moves to the next year when December turns into January, also after resuming', () => {
    const p = proftpdSystem.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2027, 0, 5) });
    expect(p.parse('Dec 31 23:59:59 srv proftpd[1] h: FTP session opened.')!.fields.ts).toBe(Date.UTC(2026, 11, 31, 23, 59, 59));
    const resumed = proftpdSystem.createParser({ timeZone: 'UTC', fileMtimeMs: Date.UTC(2027, 5, 1) }, JSON.parse(JSON.stringify(p.state())));
    expect(resumed.parse('Jan  1 00:00:01 srv proftpd[1] h: FTP session closed.')!.fields.ts).toBe(Date.UTC(2027, 0, 1, 0, 0, 1));
    expect(resumed.parse('Jan  2 08:00:00 srv proftpd[2] h: FTP session opened.')!.fields.ts).toBe(Date.UTC(2027, 0, 2, 8));
    expect(resumed.detail?.()).toContain('2027');
  });
});

describe('proftpd-system shapes', () => {
  const p = () => proftpdSystem.createParser(ctx);

  it('reads IPv6 vhosts and clients', () => {
    expect(p().parse('2026-11-23 19:14:25,500 vm proftpd[7] ::1 (::1[::1]): USER alice: Login successful.')!.fields)
      .toMatchObject({ server: '::1', clientIp: '::1', user: 'alice', extra: { clientName: '::1' } });
    expect(p().parse('2026-11-23 19:14:25,500 vm proftpd[7] ::1: ProFTPD killed (signal 15)')!.fields).toMatchObject({ server: '::1', verb: 'server-killed' });
  });

  it('parses but does not claim `proftpd[pid]: message` lines (syslog has that shape)', () => {
    const line = '2026-11-23 19:14:25,347 vm proftpd[7237]: ProFTPD 1.3.8 (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP';
    const f = p().parse(line)!.fields;
    expect(f).toMatchObject({ pid: 7237, verb: 'server-start', extra: { host: 'vm' } });
    expect(f.server).toBeUndefined();
    expect(proftpdSystem.detect([line])).toBe(0);
  });

  it('keeps unknown messages as events with no classification', () => {
    const f = p().parse('2026-11-23 19:14:25,347 vm proftpd[7237] 127.0.0.1: some message we do not know')!.fields;
    expect(f.message).toBe('some message we do not know');
    expect(f.verb).toBeUndefined();
    expect(f.extra).toEqual({ host: 'vm' });
  });

  it('rejects other programs and broken lines', () => {
    for (const l of [
      '2026-11-23 19:14:27,828 mod_sftp/1.1.1[7340]: user \'alice\' authenticated via \'password\' method',
      '2026-11-23 19:14:25,347 vm sshd[7237] 127.0.0.1: FTP session opened.',
      '2026-11-23 19:14:25,347 vm proftpd[x] 127.0.0.1: FTP session opened.',
      '2026-11-23 19:14:25,347 vm proftpd[7] 127.0.0.1 (broken: FTP session opened.',
      'Foo 23 19:14:25 vm proftpd[7] h: FTP session opened.',
    ]) expect(p().parse(l), l).toBeNull();
  });
});
