import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { EFT_ACTION_RESULT_TABLE, EFT_SFTP_TABLE, EFT_TABLE } from '../../src-main/core/explain/eft.js';
import { FTP_TABLE } from '../../src-main/core/explain/ftp.js';
import { PROFTPD_TABLE, TABLES, explainCode, explainText, shortExplanation } from '../../src-main/core/explain/index.js';
import { LOGIN_REASON_TABLE } from '../../src-main/core/explain/login-reasons.js';
import { LOGIN_FAILED_REASONS, PROFTPD_MESSAGES, STRERROR_REASONS } from '../../src-main/core/explain/proftpd-messages.js';
import { SFTP_TABLE } from '../../src-main/core/explain/sftp.js';
import { STRERROR_TABLE } from '../../src-main/core/explain/strerror.js';
import { WINSOCK_TABLE } from '../../src-main/core/explain/winsock.js';
import { formatById } from '../../src-main/core/formats/registry.js';
import type { ParseContext } from '../../src-main/core/formats/types.js';
import { EFT_W3C_SAMPLE, REPO, runCli } from '../helpers.js';

// Copies of ../shared/seeds (the source documents), so that the suite runs from a clean clone.
const SEEDS = path.join(REPO, 'test', 'fixtures', 'seeds');
const EFT_SEED = fs.readFileSync(path.join(SEEDS, 'eft-client-log-explained.txt'), 'utf8');
const PROFTPD_SEED = fs.readFileSync(path.join(SEEDS, 'proftpd-log-messages.txt'), 'utf8');
const FIXTURES = path.join(REPO, 'test', 'fixtures', 'proftpd');

const codes = (t: { entries: readonly { code: string }[] }) => t.entries.map((x) => x.code);
const first = (code: string, opts?: Parameters<typeof explainCode>[1]) => explainCode(code, opts)[0];

describe('tables', () => {
  it.each(TABLES.map((t) => [t.id, t] as const))('%s: complete entries with unique codes', (_id, table) => {
    expect(table.entries.length).toBeGreaterThan(0);
    const lower = codes(table).map((c) => c.toLowerCase());
    expect(new Set(lower).size).toBe(lower.length);
    for (const x of table.entries) {
      expect(x.code.trim(), table.id).toBe(x.code);
      expect(x.title.length, `${table.id} ${x.code} title`).toBeGreaterThan(1);
      expect(x.title.length, `${table.id} ${x.code} title is short`).toBeLessThanOrEqual(80);
      expect(x.meaning.length, `${table.id} ${x.code} meaning`).toBeGreaterThan(10);
      expect(x.advice.length, `${table.id} ${x.code} advice`).toBeGreaterThan(10);
      expect(x.advice, `${table.id} ${x.code} advice repeats the meaning`).not.toBe(x.meaning);
      expect(['info', 'success', 'warning', 'error']).toContain(x.severity);
    }
  });

  it('has unique symbolic names across tables', () => {
    const names = TABLES.flatMap((t) => t.entries.flatMap((x) => (x.name ? [x.name] : [])));
    expect(new Set(names).size).toBe(names.length);
  });

  it('FTP: every RFC 959 reply code and the later RFCs\' ones', () => {
    const rfc959 = ['110', '120', '125', '150', '200', '202', '211', '212', '213', '214', '215', '220', '221', '225', '226', '227', '230', '250', '257', '331', '332', '350', '421', '425', '426', '450', '451', '452', '500', '501', '502', '503', '504', '530', '532', '550', '551', '552', '553'];
    const rfc2228 = ['232', '234', '235', '334', '335', '336', '431', '533', '534', '535', '536', '537', '631', '632', '633'];
    const rfc2428 = ['229', '522'];
    expect(codes(FTP_TABLE)).toEqual(expect.arrayContaining([...rfc959, ...rfc2228, ...rfc2428]));
    // Classes 1xx–6xx with severities that follow the first digit (2yz help/status texts are info).
    const severityByClass: Record<string, readonly string[]> = { '1': ['info'], '2': ['success', 'info'], '3': ['info'], '4': ['warning'], '5': ['error'], '6': ['info'] };
    for (const x of FTP_TABLE.entries) expect(severityByClass[x.code[0]!], x.code).toContain(x.severity);
    expect(new Set(codes(FTP_TABLE).map((c) => c[0]))).toEqual(new Set(['1', '2', '3', '4', '5', '6']));
    expect(first('550')).toMatchObject({ table: 'ftp', title: 'File unavailable (not found, no access)', severity: 'error' });
    expect(first('226')).toMatchObject({ table: 'ftp', severity: 'success' });
    expect(first('421')!.advice).toMatch(/connection limit|ban/);
  });

  it('FTP: an unlisted code is explained by its class and function group', () => {
    expect(explainCode('459', { protocol: 'ftp' })).toEqual([expect.objectContaining({ table: 'ftp', code: '459', severity: 'warning', title: 'Transient negative completion reply (file system)' })]);
    expect(first('559', { protocol: 'ftp' })).toMatchObject({ severity: 'error', title: 'Permanent negative completion reply (file system)' });
    expect(first('5xx')).toMatchObject({ code: '5xx', title: 'Permanent negative completion reply' });
    expect(first('6xx')).toMatchObject({ code: '6xx', title: 'Protected reply' });
    expect(explainCode('799', { protocol: 'ftp' })).toEqual([]);
  });

  it('SFTP: SSH_FX codes 0–31 of draft-ietf-secsh-filexfer, in order', () => {
    expect(codes(SFTP_TABLE)).toEqual(Array.from({ length: 32 }, (_, i) => String(i)));
    expect(SFTP_TABLE.entries.every((x) => x.name?.startsWith('SSH_FX_'))).toBe(true);
    const byName = (n: string) => SFTP_TABLE.entries.find((x) => x.name === n)!.code;
    expect([byName('SSH_FX_OK'), byName('SSH_FX_EOF'), byName('SSH_FX_NO_SUCH_FILE'), byName('SSH_FX_PERMISSION_DENIED'), byName('SSH_FX_OP_UNSUPPORTED'), byName('SSH_FX_NO_SPACE_ON_FILESYSTEM'), byName('SSH_FX_NO_MATCHING_BYTE_RANGE_LOCK')])
      .toEqual(['0', '1', '2', '3', '8', '14', '31']);
    expect(first('1', { protocol: 'sftp' })).toMatchObject({ name: 'SSH_FX_EOF', severity: 'info' });
  });

  it("EFT: the client log's own codes, SFTP codes and ActionResult exactly as the seed lists them", () => {
    // Bullets "• N - text" of seeds/eft-client-log-explained.txt: the first list is EFT's own codes,
    // the one after "SFTP (SSH2) returns" the SFTP codes.
    const [ownPart, sftpPart] = EFT_SEED.split('SFTP (SSH2) returns');
    const bullets = (text: string) => [...text!.matchAll(/^\s*•\s*(-?\d+) - (.+?)\s*$/gm)].map((m) => [m[1]!, m[2]!] as const);
    const own = bullets(ownPart!), sftp = bullets(sftpPart!);
    expect(own.length).toBe(13);
    expect(sftp.length).toBe(10);
    expect(codes(EFT_TABLE)).toEqual(own.map(([c]) => c));
    expect(codes(EFT_SFTP_TABLE)).toEqual(sftp.map(([c]) => c));
    for (const [code, text] of own) expect(EFT_TABLE.entries.find((x) => x.code === code)!.meaning, code).toContain(text);
    for (const [code, text] of sftp) expect(EFT_SFTP_TABLE.entries.find((x) => x.code === code)!.meaning, code).toContain(text);
    // SOCKS5 replies (RFC 1928) are 1–8.
    for (const c of ['1', '2', '3', '4', '5', '6', '7', '8']) expect(EFT_TABLE.entries.find((x) => x.code === c)!.meaning).toContain('SOCKS5 reply (RFC 1928)');
    expect(EFT_SEED).toContain('Success (0) or Failure (1)');
    expect(EFT_ACTION_RESULT_TABLE.entries.map((x) => [x.code, x.severity])).toEqual([['0', 'success'], ['1', 'error']]);
    expect(first('1', { protocol: 'eft-action-result' })).toMatchObject({ table: 'eft-action-result', title: 'Event failed' });
    expect(first('2000')).toMatchObject({ table: 'eft', title: 'Internal timeout' });
  });

  it('WinSock: 10004–10112 and 11001–11004, with the codes EFT logs', () => {
    const all = codes(WINSOCK_TABLE).map(Number);
    expect(all.every((n) => (n >= 10004 && n <= 10112) || (n >= 11001 && n <= 11004))).toBe(true);
    expect(all).toEqual(expect.arrayContaining([10004, 10013, 10048, 10049, 10050, 10051, 10053, 10054, 10060, 10061, 10064, 10065, 10093, 10101, 10112, 11001, 11002, 11003, 11004]));
    expect(all.length).toBeGreaterThanOrEqual(60);
    expect(WINSOCK_TABLE.entries.every((x) => /^WSA/.test(x.name ?? ''))).toBe(true);
    const cases = [['10053', 'WSAECONNABORTED'], ['10054', 'WSAECONNRESET'], ['10060', 'WSAETIMEDOUT'], ['10061', 'WSAECONNREFUSED'], ['10051', 'WSAENETUNREACH'], ['10064', 'WSAEHOSTDOWN'], ['10065', 'WSAEHOSTUNREACH'], ['11001', 'WSAHOST_NOT_FOUND']] as const;
    for (const [code, name] of cases) expect(explainCode(code), code).toEqual([expect.objectContaining({ table: 'winsock', code, name })]);
    expect(explainCode('10000')).toEqual([]);
    expect(first('WSAETIMEDOUT')).toMatchObject({ code: '10060' });
  });

  it("strerror: the seed's table, text and code, plus common extras", () => {
    const rows = [...PROFTPD_SEED.matchAll(/<tr>\s*<td>\s*([^<]+?)\s*<\/td>\s*<td>\s*<code>(\w+)<\/code>\s*<\/td>/g)].map((m) => [m[1]!, m[2]!] as const);
    expect(rows.length).toBe(12);
    for (const [text, code] of rows) {
      expect(STRERROR_TABLE.entries.find((x) => x.code === code), code).toMatchObject({ title: text, name: code });
      expect(STRERROR_REASONS[text]?.code).toBe(code);
      expect(explainText(`unable to do something: ${text}`).map((x) => x.code), text).toContain(code);
      expect(first(code), code).toMatchObject({ table: 'strerror', title: text });
    }
    expect(Object.keys(STRERROR_REASONS).length).toBe(12);
    expect(first('ENOSPC')).toMatchObject({ title: 'No space left on device' });
  });

  it('login reasons: every code the formats give a failed login', () => {
    const fromCatalogue = PROFTPD_MESSAGES.filter((m) => m.category === 'auth-failure' && m.reason).map((m) => m.reason!);
    const fromFormats = ['authentication_failed', 'account_disabled', 'unknown_user', 'wrong_password', 'publickey_failed']; // syslog.ts
    for (const code of [...LOGIN_FAILED_REASONS.map(([, c]) => c), ...fromCatalogue, ...fromFormats]) {
      expect(codes(LOGIN_REASON_TABLE), code).toContain(code);
    }
    expect(first('wrong_password')).toMatchObject({ table: 'login-reason', title: 'Login failed (wrong password)', severity: 'warning' });
  });
});

describe('which table applies', () => {
  it('2 is "file does not exist" for SFTP but a SOCKS ruleset error on an EFT client log FTP row', () => {
    expect(explainCode('2').map((x) => x.table)).toEqual(['sftp', 'eft-sftp', 'eft']);
    expect(first('2', { protocol: 'sftp' })).toMatchObject({ table: 'sftp', name: 'SSH_FX_NO_SUCH_FILE' });
    expect(first('2', { protocol: 'sftp', format: 'eft-client' })).toMatchObject({ table: 'eft-sftp', title: 'File does not exist' });
    expect(explainCode('2', { protocol: 'ftp', format: 'eft-client' })).toEqual([expect.objectContaining({ table: 'eft', title: 'Socket connection not allowed by ruleset' })]);
    expect(first('2', { protocol: 'socks' })).toMatchObject({ table: 'eft' });
    // EFT's SFTP list differs from the draft from 6 on: 8 is a timeout, not "operation unsupported".
    expect(first('8', { protocol: 'sftp', format: 'eft-client' })!.title).toBe('Timeout');
    expect(first('8', { protocol: 'sftp', format: 'proftpd-extended' })!.name).toBe('SSH_FX_OP_UNSUPPORTED');
    expect(first('-1', { protocol: 'sftp', format: 'eft-client' })).toMatchObject({ table: 'eft-sftp', title: 'Undefined or unknown error' });
    expect(first('12', { protocol: 'sftp', format: 'eft-client' })).toMatchObject({ table: 'eft', title: "Can't connect to SOCKS server" });
  });

  it('three digits are FTP replies even on SFTP/HTTPS ports, HTTP only for HTTP methods', () => {
    expect(first('226', { protocol: 'sftp', format: 'w3c', verb: 'created' })).toMatchObject({ table: 'ftp' });
    expect(first('230', { protocol: 'https', format: 'w3c', verb: 'pass' })).toMatchObject({ table: 'ftp' });
    expect(first('404', { protocol: 'https', format: 'w3c', verb: 'GET' })).toMatchObject({ table: 'http', title: 'Not found' });
    expect(first('200', { format: 'clf', verb: 'get' })).toMatchObject({ table: 'http', title: 'OK' });
    expect(first('200', { format: 'clf', verb: 'stor' })).toMatchObject({ table: 'ftp', title: 'Command okay' });
    expect(explainCode('200').map((x) => x.table)).toEqual(['ftp', 'http']);
    expect(first('226', { format: 'eft-client', protocol: 'ftp' })).toMatchObject({ table: 'ftp' });
  });

  it('small numbers outside SFTP and the EFT client log are not codes', () => {
    expect(explainCode('0', { format: 'iis' })).toEqual([]);
    expect(explainCode('4', { protocol: 'ftp', format: 'vsftpd' })).toEqual([]);
    expect(shortExplanation({ status: '0', format: 'iis' })).toBeUndefined();
  });

  it('words: xferlog completion, vsftpd results, symbolic names, OpenSSH status texts', () => {
    for (const c of ['c', 'complete']) expect(first(c, { format: 'xferlog' })).toMatchObject({ table: 'xferlog', title: 'Transfer complete', severity: 'success' });
    for (const c of ['i', 'incomplete']) expect(first(c, { format: 'xferlog' })).toMatchObject({ table: 'xferlog', severity: 'warning' });
    expect(first('FAIL', { format: 'vsftpd' })).toMatchObject({ table: 'vsftpd', severity: 'error' });
    expect(first('OK', { format: 'vsftpd' })).toMatchObject({ table: 'vsftpd', severity: 'success' });
    expect(first('No such file', { protocol: 'sftp', format: 'syslog' })).toMatchObject({ table: 'sftp', code: '2' });
    expect(first('SSH_FX_EOF')).toMatchObject({ code: '1' });
    expect(first('login-failed', { protocol: 'proftpd' })).toMatchObject({ table: 'proftpd', title: 'Login failed' });
    // A bare outcome says nothing by itself (an SFTP row's "Failure" is OpenSSH's SSH_FX_FAILURE).
    expect(explainCode('failure', { format: 'proftpd-system' })).toEqual([]);
    expect(first('Failure', { protocol: 'sftp', format: 'syslog' })).toMatchObject({ code: '4' });
  });

  it('a table named as protocol restricts the lookup to it', () => {
    expect(explainCode('2', { protocol: 'winsock' })).toEqual([]);
    expect(explainCode('10054', { protocol: 'winsock' })).toHaveLength(1);
    expect(explainCode('550', { protocol: 'eft' })).toEqual([]);
  });
});

describe('ProFTPD messages of seed 000', () => {
  /**
   * Every `<li>` of seeds/proftpd-log-messages.txt, by level: the text as the seed writes it, and
   * real messages it stands for (placeholders filled, variants spelled out).
   */
  const SEED_ITEMS: readonly { level: string; seed: string; messages: readonly string[]; id: string | readonly string[] }[] = [
    { level: 'ALERT', seed: '"Out of memory!"', messages: ['Out of memory!'], id: 'out-of-memory' },
    { level: 'ALERT', seed: '"unable to fork"', messages: ['unable to fork', 'unable to fork(): Resource temporarily unavailable'], id: 'unable-to-fork' },
    { level: 'ALERT', seed: '"cannot write ExtendedLog", <i>or</i> "failed to write <em>file</em>: No space on device"', messages: ['cannot write ExtendedLog', 'failed to write /var/log/proftpd/xferlog: No space on device'], id: ['extendedlog-write-failed', 'no-space'] },
    { level: 'ERR', seed: 'Failed binding to <i>address</i>, port <i>port</i><br>', messages: ['Failed binding to 0.0.0.0, port 21', 'Failed binding to 0.0.0.0, port 21: Address already in use'], id: 'failed-binding' },
    { level: 'ERR', seed: 'Check the ServerType directive to ensure you are configured correctly<br>', messages: ['Check the ServerType directive to ensure you are configured correctly'], id: 'check-servertype' },
    { level: 'ERR', seed: 'Check to see if inetd/xinetd, or another proftpd instance, is already using <i>address</i>, port <i>port</i><br>', messages: ['Check to see if inetd/xinetd, or another proftpd instance, is already using 0.0.0.0, port 21'], id: 'check-inetd' },
    { level: 'ERR', seed: '"unable to listen on <i>address</i>#<i>port</i>"', messages: ['unable to listen on 192.0.2.10#21'], id: 'unable-to-listen' },
    { level: 'ERR', seed: "\"(Running from command line? Use `ServerType standalone' in config file!)\"", messages: ["(Running from command line? Use `ServerType standalone' in config file!)"], id: 'running-from-command-line' },
    { level: 'ERR', seed: '"unable to accept incoming connection"', messages: ['unable to accept incoming connection', 'unable to accept incoming connection: Too many open files'], id: 'accept-failed' },
    { level: 'ERR', seed: '"chroot to <em>directory</em> failed for user <em>name</em>"', messages: ['chroot to /srv/ftp/alice failed for user alice', "chroot to '/srv/ftp/alice' failed for user 'alice': Permission denied"], id: 'chroot-failed' },
    { level: 'ERR', seed: '"RELINQUISH PRIVS", "REVOKE PRIVS", "ROOT PRIVS", "SETUP PRIVS", "USER PRIVS", "unable to set UID/GID"', messages: ['RELINQUISH PRIVS', 'REVOKE PRIVS', 'ROOT PRIVS', 'SETUP PRIVS', 'USER PRIVS', 'unable to set UID/GID', 'RELINQUISH PRIVS: unable to seteuid(): Operation not permitted'], id: 'privs-failed' },
    { level: 'ERR', seed: '"unable to open <em>log-file</em>: <em>parent-dir</em> is a world-writable directory"', messages: ['unable to open /var/log/proftpd/xferlog: /var/log/proftpd is a world-writable directory'], id: 'log-world-writable' },
    { level: 'ERR', seed: '"unable to open <em>log-file</em>: <em>log-file</em> is a symbolic link"', messages: ['unable to open /var/log/proftpd/xferlog: /var/log/proftpd/xferlog is a symbolic link'], id: 'log-symlink' },
    { level: 'ERR', seed: '"unable to open <em>log-file</em>"', messages: ['unable to open /var/log/proftpd/xferlog', 'unable to open /var/log/proftpd/xferlog: No such file or directory'], id: 'log-open-failed' },
    { level: 'ERR', seed: '"mod_sql: unrecoverable backend error"', messages: ['mod_sql: unrecoverable backend error', 'mod_sql/4.3: unrecoverable backend error'], id: 'sql-backend-error' },
    { level: 'ERR', seed: '"error: unable to set groups: Invalid argument"', messages: ['error: unable to set groups: Invalid argument'], id: 'set-groups-failed' },
    { level: 'ERR', seed: '"error opening scoreboard"', messages: ['error opening scoreboard', 'error opening scoreboard: No such file or directory'], id: 'scoreboard-open-failed' },
    { level: 'ERR', seed: '"Malformed entry in AuthUserFile/AuthGroupFile"', messages: ['Malformed entry in AuthUserFile', 'Malformed entry in AuthGroupFile'], id: 'authfile-malformed' },
    { level: 'INFO', seed: '"FTP/SSH2 session opened/closed"', messages: ['FTP session opened.', 'FTP session closed.', 'SSH2 session opened.', 'SSH2 session closed.'], id: ['session-opened', 'session-closed', 'session-opened', 'session-closed'] },
    { level: 'INFO', seed: '"USER <i>user</i>: Login successful" <i>or</i> "ANON <i>user</i>: Login successful"', messages: ['USER alice: Login successful.', 'ANON ftp: Login successful.'], id: 'login-successful' },
    { level: 'INFO', seed: '"<i>address</i>:<i>port</i> masquerading as <i>address</i>"', messages: ['192.0.2.10:21 masquerading as 203.0.113.5'], id: 'masquerading' },
    { level: 'INFO', seed: '"Client session idle timeout, disconnected"', messages: ['Client session idle timeout, disconnected'], id: 'idle-timeout' },
    { level: 'INFO', seed: '"mod_dso: module <i>name</i> already loaded"', messages: ['mod_dso: module mod_sftp.c already loaded'], id: 'dso-already-loaded' },
  ];

  it('lists every <li> of the seed', () => {
    // Each item starts with "<li>"; the ERR bind item spans three lines, listed as three messages.
    const liCount = (PROFTPD_SEED.match(/<li>/g) ?? []).length;
    const items = new Set(SEED_ITEMS.map((i) => (/^(?:Check|Failed binding) /.test(i.seed) ? 'failed-binding-block' : i.seed)));
    expect(items.size).toBe(liCount);
    for (const item of SEED_ITEMS) expect(PROFTPD_SEED, item.seed).toContain(item.seed);
  });

  const cases = SEED_ITEMS.flatMap((item) => item.messages.map((m, i) => [m, item.level, Array.isArray(item.id) ? item.id[Math.min(i, item.id.length - 1)]! : (item.id as string)] as const));

  it.each(cases)('explainText finds %s (%s)', (message, level, id) => {
    const hit = explainText(message)[0];
    expect(hit).toMatchObject({ table: 'proftpd', code: id });
    expect(hit!.meaning).toContain(`at ${level} level`);
    expect(hit!.severity).toBe(level === 'INFO' ? (id === 'login-successful' ? 'success' : 'info') : 'error');
    expect(PROFTPD_MESSAGES.find((m) => m.id === id)!.level).toBe(level);
  });

  it('matches the message inside a whole SystemLog or syslog line, with the strerror reason after it', () => {
    const system = '2026-11-23 18:51:03,164 vm proftpd[7932] localhost (localhost[127.0.0.1]): USER bob (Login failed): Incorrect password';
    expect(explainText(system)[0]).toMatchObject({ table: 'proftpd', code: 'login-failed', severity: 'warning' });
    const syslog = 'May 31 10:53:25 mail proftpd[15302]: xxxxxxxxxx (::ffff:1.2.3.4[::ffff:1.2.3.4]) - Maximum login attempts (3) exceeded';
    expect(explainText(syslog)[0]).toMatchObject({ code: 'max-login-attempts' });
    expect(explainText('Failed binding to 0.0.0.0, port 21: Address already in use').map((x) => `${x.table}:${x.code}`)).toEqual(['proftpd:failed-binding', 'strerror:EADDRINUSE']);
    // "Too many open files in system" is ENFILE only, not also its prefix EMFILE.
    expect(explainText('unable to accept incoming connection: Too many open files in system').map((x) => x.code)).toEqual(['accept-failed', 'ENFILE']);
  });

  it('every catalogue entry is in the proftpd table and every real system.log message is explained', () => {
    expect(PROFTPD_TABLE.entries.map((x) => x.code)).toEqual(PROFTPD_MESSAGES.map((m) => m.id));
    const lines = fs.readFileSync(path.join(FIXTURES, 'logs', 'system.log'), 'utf8').split('\n').filter(Boolean);
    const parser = formatById('proftpd-system')!.createParser(UTC);
    for (const line of lines) {
      const f = parser.parse(line)!.fields;
      expect(shortExplanation({ status: f.status, format: 'proftpd-system', message: f.message }), line).toBeTruthy();
      expect(explainText(line)[0]?.table, line).toBe('proftpd');
    }
  });
});

describe('explainText', () => {
  it('finds reply codes, WinSock numbers and names, SFTP status texts', () => {
    expect(explainText('550 Permission denied').map((x) => `${x.table}:${x.code}`)).toEqual(['ftp:550', 'strerror:EACCES']);
    expect(explainText('Permission denied').map((x) => `${x.table}:${x.code}`)).toEqual(['sftp:3', 'winsock:10013', 'strerror:EACCES']);
    expect(explainText('Socket error # 10054')[0]).toMatchObject({ name: 'WSAECONNRESET' });
    expect(explainText('connect failed: WSAETIMEDOUT')[0]).toMatchObject({ code: '10060' });
    expect(explainText('sent status No such file')[0]).toMatchObject({ table: 'sftp', code: '2' });
    // A pid is not a WinSock error.
    expect(explainText('proftpd[10054]: something else')).toEqual([]);
    expect(explainText('')).toEqual([]);
  });
});

const UTC: ParseContext = { timeZone: 'UTC', fileMtimeMs: Date.UTC(2026, 10, 23, 20) };

/** Parses lines with one format and returns each event's shortExplanation. */
function shortFor(formatId: string, lines: readonly string[], ctx: ParseContext = UTC): (string | undefined)[] {
  const parser = formatById(formatId)!.createParser(ctx);
  return lines.flatMap((line) => {
    const p = parser.parse(line);
    if (!p || p.kind !== 'event') return [];
    const f = p.fields;
    return [shortExplanation({ status: f.status, protocol: f.protocol, format: formatId, verb: f.verb, message: f.message })];
  });
}

describe('shortExplanation for rows of real formats', () => {
  it('EFT W3C (an SFTP session logged with FTP codes)', () => {
    expect(shortFor('w3c', EFT_W3C_SAMPLE)).toEqual([
      '331 User name okay, need password',
      '230 User logged in',
      '226 Transfer complete, closing data connection',
      '350 Requested file action pending further information',
      '250 Requested file action okay, completed',
      '226 Transfer complete, closing data connection',
      '250 Requested file action okay, completed',
    ]);
  });

  it('EFT client log: FTP codes, EFT/SOCKS codes, SFTP codes and WinSock errors by protocol and range', () => {
    expect(shortFor('eft-client', [
      '2006-03-06 10:11:03; ftp; 192.168.20.171; 21; ClientA; C:\\test1.txt; /test1.txt; download; 226;',
      '2006-03-06 10:11:04; ftp; 192.168.20.171; 21; ClientA; C:\\test1.txt; /test1.txt; download; 530; 1;',
      '2006-03-06 10:11:05; ftp; 192.168.20.171; 21; ClientA; C:\\test1.txt; /test1.txt; download; 2; 1;',
      '2006-03-06 10:11:06; sftp; files.example.com; 22; ClientA; C:\\out\\a.txt; /in/a.txt; upload; 2; 1;',
      '2006-03-06 10:11:07; sftp; files.example.com; 22; ClientA; C:\\out\\a b.txt; /in/a b.txt; upload; 4; 1;',
      '2006-03-06 10:11:08; ftp; 10.9.9.9; 21; ClientA; C:\\a.txt; /a.txt; upload; 10060; 1;',
      '2006-03-06 10:11:09; ftps; nowhere.example; 990; ClientA; C:\\a.txt; /a.txt; upload; 11001; 1;',
      '2006-03-06 10:11:10; ftp; 10.9.9.9; 21; ClientA; C:\\a.txt; /a.txt; upload; 2000; 1;',
    ])).toEqual([
      '226 Transfer complete, closing data connection',
      '530 Not logged in',
      '2 Socket connection not allowed by ruleset',
      '2 File does not exist',
      '4 Operation failed for another reason',
      '10060 Connection timed out (WSAETIMEDOUT)',
      '11001 Host not found (WSAHOST_NOT_FOUND)',
      '2000 Internal timeout',
    ]);
  });

  it('ProFTPD ExtendedLog: FTP replies, and SSH_FX statuses for SFTP requests', () => {
    const scenario = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'scenario.json'), 'utf8'));
    const ctx = { ...UTC, logFormats: [{ name: 'custom', format: scenario.log_formats['ext-custom.log'].format as string }] };
    const lines = fs.readFileSync(path.join(FIXTURES, 'logs', 'ext-custom.log'), 'utf8').split('\n').filter(Boolean);
    const pick = (re: RegExp) => shortFor('proftpd-extended', lines.filter((l) => re.test(l)).slice(0, 1), ctx)[0];
    expect(pick(/ ftp alice RETR "missing.txt" 550/)).toBe('550 File unavailable (not found, no access)');
    expect(pick(/ sftp alice READ "\w+" 1 /)).toBe('1 End of file (SSH_FX_EOF)');
    expect(pick(/ sftp alice WRITE "[^"]+" 0 /)).toBe('0 OK (SSH_FX_OK)');
    expect(pick(/ sftp alice STOR "[^"]+" 226 /)).toBe('226 Transfer complete, closing data connection');
    expect(pick(/ ssh2 alice PASS "\(hidden\)" 230 /)).toBe('230 User logged in');
    // Every event with a status gets an explanation.
    const parser = formatById('proftpd-extended')!.createParser(ctx);
    for (const line of lines) {
      const f = parser.parse(line)!.fields;
      if (f.status) expect(shortExplanation({ status: f.status, protocol: f.protocol, format: 'proftpd-extended', verb: f.verb }), line).toBeTruthy();
    }
  });

  it('xferlog, vsftpd, FileZilla, syslog (sftp-server) and ProFTPD SystemLog rows', () => {
    const xferlog = fs.readFileSync(path.join(FIXTURES, 'logs', 'xferlog'), 'utf8').split('\n').filter(Boolean);
    expect(new Set(shortFor('xferlog', xferlog))).toEqual(new Set(['Transfer complete']));
    expect(shortFor('xferlog', ['Sun Oct 20 21:37:07 2019 1 ::ffff:192.168.31.215 0 /pub/file111 a _ o a lftp@ ftp 0 * i'])).toEqual(['Transfer incomplete']);
    expect(shortFor('vsftpd', [
      'Fri Dec 14 09:38:38 2018 [pid 16247] [calisro] OK UPLOAD: Client "X.X.X.X", "/XXXXX/XXXXX.jpg", 412934 bytes, 295.34Kbyte/sec',
      'Thu Sep  8 00:39:49 2016 [pid 15019] [guest] FAIL LOGIN: Client "::ffff:192.0.2.1", "User is not in the allow user list."',
    ])).toEqual(['Succeeded', 'Failed']);
    expect(shortFor('filezilla', ['2023-07-16T02:30:06.860Z << [FTP Session 2857 5.21.80.217 komu] 230 Login successful.'])).toEqual(['230 User logged in']);
    expect(shortFor('syslog', ['Nov 24 11:03:04 h sftp-server[4242]: sent status No such file'])).toEqual(['2 No such file (SSH_FX_NO_SUCH_FILE)']);
    expect(shortFor('proftpd-system', [
      '2026-11-23 19:14:25,926 vm proftpd[7284] 127.0.0.1 (127.0.0.1[127.0.0.1]): USER bob (Login failed): Incorrect password',
      '2026-11-23 19:14:25,496 vm proftpd[7273] 127.0.0.1 (127.0.0.1[127.0.0.1]): FTP session opened.',
    ])).toEqual(['Login failed', 'Session opened']);
  });

  it('sessions and transfers: a code with a protocol, no format; nothing for a bare outcome', () => {
    expect(shortExplanation({ code: '530', protocol: 'ftp' })).toBe('530 Not logged in');
    expect(shortExplanation({ code: '4', protocol: 'sftp' })).toBe('4 Failure (SSH_FX_FAILURE)');
    expect(shortExplanation({ code: '2', protocol: 'ftp' })).toBe('2 Socket connection not allowed by ruleset');
    expect(shortExplanation({ code: '2' })).toBeUndefined();
    expect(shortExplanation({ code: 'failure' })).toBeUndefined();
    expect(shortExplanation({ code: null, status: null })).toBeUndefined();
    // The code wins over the message; the message is used when the code explains nothing.
    expect(shortExplanation({ code: '530', message: 'USER bob (Login failed): Incorrect password' })).toBe('530 Not logged in');
    expect(shortExplanation({ status: 'failure', message: 'Maximum login attempts (3) exceeded' })).toBe('Too many failed logins, disconnected');
    expect(shortExplanation({ status: 'failure', format: 'vsftpd', message: 'Maximum login attempts (3) exceeded' })).toBeUndefined();
    // A session's failed login keeps the reason code, not the message.
    expect(shortExplanation({ code: 'failure', message: 'wrong_password', protocol: 'ftp', format: 'proftpd-system' })).toBe('Login failed (wrong password)');
    expect(shortExplanation({ code: 'failure', message: 'unknown_user', protocol: 'ssh2', format: 'syslog' })).toBe('Login failed (unknown user)');
  });
});

describe('xferlens explain', () => {
  it('prints each match with table, severity, meaning and advice', () => {
    const r = runCli(['explain', '550']);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('550: File unavailable (not found, no access)');
    expect(r.stdout).toContain('table:    FTP reply code');
    expect(r.stdout).toContain('severity: error');
    expect(r.stdout).toMatch(/advice: {3}Check that the path exists/);

    const ambiguous = runCli(['explain', '2']);
    expect(ambiguous.stdout).toMatch(/^3 tables know 2/);
    expect(ambiguous.stdout.indexOf('SSH_FX_NO_SUCH_FILE')).toBeLessThan(ambiguous.stdout.indexOf('not allowed by ruleset'));

    const text = runCli(['explain', 'USER bob (Login failed): Incorrect password']);
    expect(text.status).toBe(0);
    expect(text.stdout).toContain('login-failed: Login failed');
    expect(text.stdout).toContain('ProFTPD log message');
  });

  it('--json, --protocol, --format and negative codes after --', () => {
    const sftp = JSON.parse(runCli(['explain', '2', '--protocol', 'sftp', '--json']).stdout);
    expect(sftp).toMatchObject({ query: '2', protocol: 'sftp', format: null });
    expect(sftp.explanations[0]).toMatchObject({ table: 'sftp', code: '2', name: 'SSH_FX_NO_SUCH_FILE', severity: 'error', tableLabel: expect.stringContaining('SFTP') });
    const socks = JSON.parse(runCli(['explain', '--protocol', 'ftp', '--format', 'eft-client', '--json', '2']).stdout);
    expect(socks.explanations.map((x: { table: string }) => x.table)).toEqual(['eft']);
    const negative = runCli(['explain', '--protocol', 'sftp', '--format', 'eft-client', '--json', '--', '-1']);
    expect(negative.status).toBe(0);
    expect(JSON.parse(negative.stdout).explanations[0]).toMatchObject({ table: 'eft-sftp', code: '-1' });
    const winsock = JSON.parse(runCli(['explain', '10054', '--json']).stdout);
    expect(winsock.explanations).toEqual([expect.objectContaining({ table: 'winsock', name: 'WSAECONNRESET' })]);
  });

  it('unknown code: a message and exit 1; no argument: usage error', () => {
    const r = runCli(['explain', '12345']);
    expect(r.status).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no explanation for "12345"');
    const json = runCli(['explain', '12345', '--json']);
    expect(json.status).toBe(1);
    expect(JSON.parse(json.stdout).explanations).toEqual([]);
    expect(runCli(['explain']).status).toBe(2);
  });

  it('is in the help', () => {
    const help = runCli(['--help']);
    expect(help.stdout).toContain('xferlens explain CODE|TEXT [--protocol P] [--format F] [--json]');
    expect(help.stdout).toContain('--protocol P');
  });
});
