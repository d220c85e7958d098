import { describe, expect, it } from 'vitest';
import {
  PROFTPD_LOG_LEVELS,
  PROFTPD_MESSAGES,
  STRERROR_REASONS,
  classifyProftpdMessage,
  proftpdReasonCode,
  type ProftpdLogLevel,
  type ProftpdMessageCategory,
} from '../../src-main/core/explain/proftpd-messages.js';

/**
 * A concrete instance of every message in seeds/proftpd-log-messages.txt (grouped by the level the
 * seed gives), of the ones FORMATS.md §3 names, and of the other catalogue entries.
 */
const CASES: readonly (readonly [message: string, id: string, level: ProftpdLogLevel, category: ProftpdMessageCategory, groups?: Record<string, string>])[] = [
  // Seed, ALERT.
  ['Out of memory!', 'out-of-memory', 'ALERT', 'resource-exhaustion'],
  ['unable to fork(): Resource temporarily unavailable', 'unable-to-fork', 'ALERT', 'resource-exhaustion'],
  ['unable to fork', 'unable-to-fork', 'ALERT', 'resource-exhaustion'],
  ["mod_log/1.0: cannot write ExtendedLog '/var/log/proftpd/ext.log': No space left on device", 'extendedlog-write-failed', 'ALERT', 'resource-exhaustion'],
  ['failed to write /var/log/proftpd/xferlog: No space on device', 'no-space', 'ALERT', 'resource-exhaustion', { path: '/var/log/proftpd/xferlog' }],
  // Seed, ERR.
  ['Failed binding to 0.0.0.0, port 21: Address already in use', 'failed-binding', 'ERR', 'config-error', { address: '0.0.0.0', port: '21', reason: 'Address already in use' }],
  ['Check the ServerType directive to ensure you are configured correctly', 'check-servertype', 'ERR', 'config-error'],
  ['Check to see if inetd/xinetd, or another proftpd instance, is already using 0.0.0.0, port 21', 'check-inetd', 'ERR', 'config-error', { address: '0.0.0.0', port: '21' }],
  ['unable to listen on 192.0.2.10#21', 'unable-to-listen', 'ERR', 'config-error', { address: '192.0.2.10', port: '21' }],
  ["(Running from command line? Use `ServerType standalone' in config file!)", 'running-from-command-line', 'ERR', 'config-error'],
  ['unable to accept incoming connection: Too many open files', 'accept-failed', 'ERR', 'resource-exhaustion', { reason: 'Too many open files' }],
  ["chroot to '/srv/ftp/alice' failed for user 'alice': Permission denied", 'chroot-failed', 'ERR', 'config-error', { path: '/srv/ftp/alice', user: 'alice', reason: 'Permission denied' }],
  ['RELINQUISH PRIVS: unable to seteuid(): Operation not permitted', 'privs-failed', 'ERR', 'config-error', { scope: 'RELINQUISH' }],
  ['REVOKE PRIVS: unable to setreuid(): Operation not permitted', 'privs-failed', 'ERR', 'config-error', { scope: 'REVOKE' }],
  ['ROOT PRIVS at mod_auth.c:1423: Operation not permitted', 'privs-failed', 'ERR', 'config-error', { scope: 'ROOT' }],
  ['SETUP PRIVS at mod_auth.c:1501: Operation not permitted', 'privs-failed', 'ERR', 'config-error', { scope: 'SETUP' }],
  ['USER PRIVS at fsio.c:321: Operation not permitted', 'privs-failed', 'ERR', 'config-error', { scope: 'USER' }],
  ['unable to set UID/GID', 'privs-failed', 'ERR', 'config-error'],
  ['unable to setuid(): Operation not permitted', 'privs-failed', 'ERR', 'config-error', { reason: 'Operation not permitted' }],
  ['unable to open /var/log/proftpd/xferlog: /var/log/proftpd is a world-writable directory', 'log-world-writable', 'ERR', 'config-error', { path: '/var/log/proftpd/xferlog', directory: '/var/log/proftpd' }],
  ["unable to open ExtendedLog '/tmp/logs/ext.log': parent directory is world-writable", 'log-world-writable', 'ERR', 'config-error', { logType: 'ExtendedLog', path: '/tmp/logs/ext.log' }],
  ['unable to open /var/log/proftpd/xferlog: /var/log/proftpd/xferlog is a symbolic link', 'log-symlink', 'ERR', 'config-error', { path: '/var/log/proftpd/xferlog' }],
  ['unable to open /var/log/proftpd/proftpd.log: No such file or directory', 'log-open-failed', 'ERR', 'config-error', { path: '/var/log/proftpd/proftpd.log', reason: 'No such file or directory' }],
  ['mod_sql/4.3: unrecoverable backend error', 'sql-backend-error', 'ERR', 'config-error'],
  ['error: unable to set groups: Invalid argument', 'set-groups-failed', 'ERR', 'config-error', { reason: 'Invalid argument' }],
  ['error opening scoreboard: No such file or directory', 'scoreboard-open-failed', 'ERR', 'config-error'],
  ['Malformed entry in AuthUserFile', 'authfile-malformed', 'ERR', 'config-error', { file: 'AuthUserFile' }],
  ['mod_auth_file/1.0: malformed entry in AuthGroupFile file /etc/proftpd/ftpd.group (line 3)', 'authfile-malformed', 'ERR', 'config-error', { file: 'AuthGroupFile' }],
  ['error: alice setregid() or setreuid(): Operation not permitted', 'setid-after-login-failed', 'ERR', 'config-error', { user: 'alice' }],
  // Seed, INFO.
  ['FTP session opened.', 'session-opened', 'INFO', 'session-start', { protocol: 'FTP' }],
  ['FTP session closed.', 'session-closed', 'INFO', 'session-end', { protocol: 'FTP' }],
  ['SSH2 session opened.', 'session-opened', 'INFO', 'session-start', { protocol: 'SSH2' }],
  ['SSH2 session closed.', 'session-closed', 'INFO', 'session-end', { protocol: 'SSH2' }],
  ['USER alice: Login successful.', 'login-successful', 'INFO', 'auth-success', { kind: 'USER', user: 'alice' }],
  ['ANON ftp: Login successful.', 'login-successful', 'INFO', 'auth-success', { kind: 'ANON', user: 'ftp' }],
  ['USER alice: Login successful', 'login-successful-sftp', 'INFO', 'auth-success', { user: 'alice' }],
  ['192.0.2.10:21 masquerading as 203.0.113.5', 'masquerading', 'INFO', 'other', { address: '192.0.2.10', port: '21', masqueradeAddress: '203.0.113.5' }],
  ['Client session idle timeout, disconnected', 'idle-timeout', 'INFO', 'session-end'],
  ["mod_dso: module 'mod_sftp.c' already loaded", 'dso-already-loaded', 'INFO', 'config-error', { module: 'mod_sftp.c' }],
  // FORMATS.md §3 and ProFTPD's own wording for the levels the seed does not list.
  ['USER bob (Login failed): Incorrect password', 'login-failed', 'NOTICE', 'auth-failure', { user: 'bob', reason: 'Incorrect password' }],
  ['USER lori (Login failed): Incorrect password.', 'login-failed', 'NOTICE', 'auth-failure', { user: 'lori', reason: 'Incorrect password' }],
  ['USER carol (Login failed): Password expired', 'login-failed', 'NOTICE', 'auth-failure', { user: 'carol', reason: 'Password expired' }],
  ["USER dave (Login failed): Invalid shell: '/bin/false'", 'login-failed', 'NOTICE', 'auth-failure', { user: 'dave', reason: "Invalid shell: '/bin/false'" }],
  ['USER root (Login failed): User in /etc/ftpusers', 'login-failed', 'NOTICE', 'auth-failure'],
  ['ANON ftp (Login failed): Limit access denies login', 'login-failed', 'NOTICE', 'auth-failure', { kind: 'ANON' }],
  ['USER mallory: no such user found from 127.0.0.1 [127.0.0.1] to 127.0.0.1:2121', 'no-such-user', 'NOTICE', 'auth-failure', { user: 'mallory', clientName: '127.0.0.1', address: '127.0.0.1', serverAddress: '127.0.0.1', port: '2121' }],
  ['USER admin: no such user found from scanner.example.net [::ffff:203.0.113.7] to ::ffff:192.0.2.1:21', 'no-such-user', 'NOTICE', 'auth-failure', { user: 'admin', clientName: 'scanner.example.net', address: '::ffff:203.0.113.7', serverAddress: '::ffff:192.0.2.1', port: '21' }],
  ["no such user 'ghost'", 'no-such-user-short', 'NOTICE', 'auth-failure', { user: 'ghost' }],
  ['USER bob: user is not a UserAlias from 10.0.0.5 [10.0.0.5] to 10.0.0.1:21', 'not-user-alias', 'NOTICE', 'auth-failure'],
  ['USER bob: Limit access denies login', 'limit-denies-login', 'NOTICE', 'auth-failure', { reason: 'Limit access denies login' }],
  ['ANON anonymous: AnonRejectPasswords denies login', 'limit-denies-login', 'NOTICE', 'auth-failure'],
  ['SECURITY VIOLATION: Root login attempted', 'root-login-attempted', 'NOTICE', 'auth-failure'],
  ["Refusing empty password from user 'bob'", 'empty-password', 'NOTICE', 'auth-failure', { user: 'bob' }],
  ['PAM(test): Authentication failure.', 'pam-error', 'NOTICE', 'auth-failure', { user: 'test', reason: 'Authentication failure' }],
  ['Maximum login attempts (3) exceeded', 'max-login-attempts', 'NOTICE', 'auth-failure', { count: '3' }],
  ['Maximum login attempts (5) exceeded, connection refused', 'max-login-attempts', 'NOTICE', 'auth-failure', { count: '5' }],
  ['Connection refused (MaxClientsPerHost 3)', 'connection-refused-limit', 'NOTICE', 'resource-exhaustion', { limit: 'MaxClientsPerHost', count: '3' }],
  ['Connection refused (MaxClientsPerClass internal 10)', 'connection-refused-limit', 'NOTICE', 'resource-exhaustion', { limit: 'MaxClientsPerClass', class: 'internal', count: '10' }],
  ['USER alice: Authenticated without password', 'authenticated-without-password', 'NOTICE', 'auth-success'],
  ['Login timeout exceeded', 'login-timeout', 'INFO', 'session-end'],
  ['Login timeout exceeded, disconnected', 'login-timeout', 'INFO', 'session-end'],
  ['FTP session timed out, disconnected', 'session-timeout', 'INFO', 'session-end'],
  ['FTP no transfer timeout, disconnected', 'noxfer-timeout', 'INFO', 'session-end'],
  ['Data transfer stall timeout: 600 seconds', 'stalled-timeout', 'NOTICE', 'transfer', { count: '600' }],
  ["Preparing to chroot to directory '/srv/ftp/alice'", 'preparing-chroot', 'INFO', 'other', { path: '/srv/ftp/alice' }],
  ["notice: unable to use DefaultRoot '~' [resolved to '/home/bob']: No such file or directory", 'defaultroot-unusable', 'NOTICE', 'config-error', { path: '~' }],
  ['error: unable to determine DefaultRoot directory', 'defaultroot-unusable', 'NOTICE', 'config-error'],
  ['ftp: Directory /srv/anon is not accessible', 'directory-not-accessible', 'NOTICE', 'config-error', { user: 'ftp', path: '/srv/anon' }],
  ['bob chdir("/home/bob") failed: No such file or directory', 'chdir-failed', 'NOTICE', 'config-error', { user: 'bob', path: '/home/bob' }],
  ['notice: unable to add scoreboard entry: Permission denied', 'scoreboard-notice', 'NOTICE', 'config-error'],
  ['ProFTPD 1.3.8 (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP', 'server-startup', 'NOTICE', 'other', { version: '1.3.8', release: 'stable', mode: 'standalone' }],
  ['ProFTPD 1.3.1 standalone mode SHUTDOWN', 'server-shutdown', 'NOTICE', 'other', { version: '1.3.1', mode: 'standalone' }],
  ['ProFTPD killed (signal 15)', 'server-killed', 'NOTICE', 'other', { signal: '15' }],
  ['ProFTPD terminating (signal 11)', 'server-terminating', 'WARNING', 'other', { signal: '11' }],
  ['received SIGHUP -- master server rehashing configuration file', 'server-rehash', 'NOTICE', 'other'],
  ['ROOT FTP login successful', 'root-login-successful', 'WARNING', 'auth-success'],
  ['error: DefaultRoot /srv/link is a symlink (denied by AllowChrootSymlinks config)', 'chroot-symlink-denied', 'WARNING', 'config-error', { path: '/srv/link' }],
  ['error: unable to check /srv/ftp/bob: No such file or directory', 'unable-to-check', 'WARNING', 'config-error'],
  ['error: user bob home directory is NULL or ""', 'home-directory-empty', 'WARNING', 'config-error', { user: 'bob' }],
  ['switching IDs from user bob back to daemon uid/gid failed: Operation not permitted', 'switch-ids-failed', 'WARNING', 'config-error'],
  ['Refused PORT 10,0,0,5,4,1 (address mismatch)', 'refused-port', 'WARNING', 'transfer', { command: 'PORT', reason: 'address mismatch' }],
  ['Environment successfully chroot()ed', 'chroot-done', 'DEBUG', 'other'],
  ['RootRevoke in effect, dropped root privs', 'root-revoke', 'DEBUG', 'other'],
];

describe('ProFTPD message catalogue', () => {
  it.each(CASES.map((c) => [c[0], c] as const))('classifies %s', (_m, [message, id, level, category, groups]) => {
    const c = classifyProftpdMessage(message);
    expect(c?.entry.id, message).toBe(id);
    expect(c!.entry.level).toBe(level);
    expect(c!.entry.category).toBe(category);
    if (groups) expect(c!.groups).toMatchObject(groups);
  });

  it('has a test instance for every entry, unique ids, valid levels and both texts', () => {
    const tested = new Set(CASES.map((c) => c[1]));
    const ids = PROFTPD_MESSAGES.map((e) => e.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(ids.filter((id) => !tested.has(id))).toEqual([]);
    for (const e of PROFTPD_MESSAGES) {
      expect(PROFTPD_LOG_LEVELS).toContain(e.level);
      expect(e.what.length, e.id).toBeGreaterThan(20);
      expect(e.advice.length, e.id).toBeGreaterThan(10);
      if (e.example) expect(classifyProftpdMessage(e.example)?.entry.id, e.example).toBe(e.id);
    }
  });

  it('tolerates the trailing space older versions print, and leaves other messages alone', () => {
    expect(classifyProftpdMessage('FTP session closed. ')?.entry.id).toBe('session-closed');
    expect(classifyProftpdMessage('error setting IPV6_V6ONLY: Protocol not available')).toBeUndefined();
    expect(classifyProftpdMessage('')).toBeUndefined();
    // A user name is not mistaken for the message: "Login successful." needs the USER/ANON prefix.
    expect(classifyProftpdMessage('Login successful.')).toBeUndefined();
  });

  it('derives stable reason codes', () => {
    const code = (m: string) => proftpdReasonCode(classifyProftpdMessage(m)!);
    expect(code('USER bob (Login failed): Incorrect password')).toBe('wrong_password');
    expect(code('USER bob (Login failed): No such user found')).toBe('unknown_user');
    expect(code('USER mallory: no such user found from a [1.2.3.4] to 5.6.7.8:21')).toBe('unknown_user');
    expect(code("USER dave (Login failed): Invalid shell: '/bin/false'")).toBe('invalid_shell');
    expect(code('USER root (Login failed): User in /etc/ftpusers')).toBe('ftpusers');
    expect(code('USER x (Login failed): Account disabled')).toBe('account_disabled');
    expect(code('Maximum login attempts (3) exceeded')).toBe('max_login_attempts');
    expect(code('Client session idle timeout, disconnected')).toBe('idle_timeout');
    expect(code('USER x (Login failed): Something New')).toBe('something_new');
    expect(code('FTP session opened.')).toBeUndefined();
  });

  it("lists the seed's strerror reasons", () => {
    expect(Object.values(STRERROR_REASONS).map((r) => r.code).sort()).toEqual(
      ['EACCES', 'EADDRINUSE', 'EBADF', 'ECONNREFUSED', 'ECONNRESET', 'EINVAL', 'EISDIR', 'EMFILE', 'ENFILE', 'ENOENT', 'EPERM', 'EPIPE'],
    );
  });
});
