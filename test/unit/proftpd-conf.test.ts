import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { confLogFor, confWords, readProftpdConf } from '../../src-main/core/ingest/proftpd-conf.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { resetSource } from '../../src-main/core/store/source-admin.js';
import { REPO, runCli, tempDir } from '../helpers.js';

/**
 * ProFTPD's own proftpd.conf (ingest/proftpd-conf.ts and `index --proftpd-conf`): the real conf of
 * the fixture run, and confs with Includes whose LogFormats read the real ExtendedLog with a custom
 * format that is otherwise unreadable.
 */

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'proftpd');
const LOGS = path.join(FIXTURES, 'logs');
const scenario = JSON.parse(fs.readFileSync(path.join(FIXTURES, 'scenario.json'), 'utf8'));
const CUSTOM_FORMAT = scenario.log_formats['ext-custom.log'].format as string;
/** How the fixture conf spells the custom LogFormat: quotes inside escaped. */
const confQuoted = (format: string) => `"${format.replace(/"/g, '\\"')}"`;

describe('reading proftpd.conf', () => {
  it('splits directive words as ProFTPD does', () => {
    expect(confWords('LogFormat default "%h %l %u %t \\"%r\\" %s %b"')).toEqual(['LogFormat', 'default', '%h %l %u %t "%r" %s %b']);
    expect(confWords('  ExtendedLog\t/var/log/x.log  AUTH  auth ')).toEqual(['ExtendedLog', '/var/log/x.log', 'AUTH', 'auth']);
  });

  it('finds the log a conf names for a file, by its path or through a link, for each file of a run', () => {
    const dir = tempDir();
    try {
      const real = path.join(dir, 'real');
      fs.mkdirSync(real);
      for (const f of ['xfer.log', 'ext.log', 'other.log']) fs.writeFileSync(path.join(real, f), '');
      fs.symlinkSync(real, path.join(dir, 'linked'));
      const conf = path.join(dir, 'proftpd.conf');
      // The ExtendedLog is named through the link, the TransferLog as it is; a third log does not exist.
      // The same file named through the link first: the one named as asked wins.
      fs.writeFileSync(conf, [`ExtendedLog ${path.join(dir, 'linked', 'xfer.log')} ALL`, `TransferLog ${path.join(real, 'xfer.log')}`,
        `ExtendedLog ${path.join(dir, 'linked', 'ext.log')} ALL`, `ExtendedLog ${path.join(dir, 'gone', 'ext.log')} ALL`].join('\n') + '\n');
      const read = readProftpdConf(conf);
      // Asked file after file, as a run does (the conf's own paths are resolved once).
      for (let round = 0; round < 2; round++) {
        expect(confLogFor(read, path.join(real, 'xfer.log'))?.path).toBe(path.join(real, 'xfer.log'));
        expect(confLogFor(read, path.join(real, 'ext.log'))?.path).toBe(path.join(dir, 'linked', 'ext.log'));
        expect(confLogFor(read, path.join(dir, 'linked', 'xfer.log'))?.path).toBe(path.join(dir, 'linked', 'xfer.log'));
        expect(confLogFor(read, path.join(dir, 'linked', 'other.log'))).toBeUndefined();
        expect(confLogFor(read, path.join(real, 'other.log'))).toBeUndefined();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it('takes the LogFormats and the logs of the real fixture conf', () => {
    const conf = readProftpdConf(path.join(FIXTURES, 'proftpd.conf'));
    expect(conf.problems).toEqual([]);
    expect(conf.logFormats.map((lf) => lf.name)).toEqual(['default', 'auth', 'write', 'custom']);
    expect(conf.logFormats.find((lf) => lf.name === 'custom')!.format).toBe(CUSTOM_FORMAT);
    const byFile = Object.fromEntries(conf.logs.map((l) => [path.basename(l.path), l.logFormat ? `${l.format} ${l.logFormat}` : l.format]));
    expect(byFile).toEqual({
      'system.log': 'proftpd-system', 'xferlog': 'xferlog', 'ext-default.log': 'proftpd-extended default',
      'ext-auth.log': 'proftpd-extended auth', 'ext-write.log': 'proftpd-extended write',
      'ext-custom.log': 'proftpd-extended custom', 'sftp.log': 'proftpd-modlog', 'tls.log': 'proftpd-modlog',
    });
  });
});

describe('indexing with a proftpd.conf', () => {
  let dir: string;
  let db: Db;
  beforeEach(() => {
    dir = tempDir();
    db = openDatabase(path.join(dir, 'index.sqlite'));
  });
  afterEach(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  /** A conf whose LogFormats and logs come through an Include glob and an Include of a folder. */
  function writeConf(): { conf: string; custom: string; odd: string } {
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    const custom = path.join(logs, 'access.log');
    const odd = path.join(logs, 'transfers.txt');
    fs.copyFileSync(path.join(LOGS, 'ext-custom.log'), custom);
    fs.copyFileSync(path.join(LOGS, 'xferlog'), odd);
    fs.mkdirSync(path.join(dir, 'conf.d'));
    fs.mkdirSync(path.join(dir, 'mods'));
    fs.writeFileSync(path.join(dir, 'proftpd.conf'), [
      '# main conf',
      'ServerName "test"',
      'LogFormat default "%h %l %u %t \\"%r\\" %s %b"',
      'Include conf.d/*.conf',
      `Include ${path.join(dir, 'mods')}`,
      '<IfModule mod_sftp.c>',
      `  TransferLog ${odd}`,
      '</IfModule>',
    ].join('\n'));
    fs.writeFileSync(path.join(dir, 'conf.d', 'formats.conf'), `LogFormat awstats "%t %h %u %m %f %s %b"\nLogFormat custom ${confQuoted(CUSTOM_FORMAT)}\n`);
    fs.writeFileSync(path.join(dir, 'mods', 'logs.conf'), `<Global>\n  ExtendedLog ${custom} ALL custom\n</Global>\n`);
    return { conf: path.join(dir, 'proftpd.conf'), custom, odd };
  }

  it('reads an ExtendedLog with the LogFormat the conf names, and a TransferLog with any name as xferlog', async () => {
    const { conf, custom, odd } = writeConf();
    const read = readProftpdConf(conf);
    expect(read.files.map((f) => path.relative(dir, f))).toEqual(['proftpd.conf', path.join('conf.d', 'formats.conf'), path.join('mods', 'logs.conf')]);
    expect(read.logFormats.map((lf) => lf.name)).toEqual(['default', 'awstats', 'custom']);
    const summary = await indexPaths(db, [custom, odd], { timeZone: 'UTC', proftpdConf: read });
    expect(summary.unparsed).toBe(0);
    const sources = db.prepare('SELECT path, format, format_detail FROM sources ORDER BY path').all() as { path: string; format: string; format_detail: string }[];
    expect(sources.map((s) => [path.basename(s.path), s.format, s.format_detail])).toEqual([
      ['access.log', 'proftpd-extended', 'LogFormat custom'],
      ['transfers.txt', 'xferlog', null],
    ]);
  });

  it('without the conf, the custom ExtendedLog is not read as that LogFormat', async () => {
    const { custom } = writeConf();
    await indexPaths(db, [custom], { timeZone: 'UTC' });
    const source = db.prepare('SELECT format_detail FROM sources').get() as { format_detail: string | null };
    expect(source.format_detail).not.toBe('LogFormat custom');
  });

  it("a file's own conf (sources/configure) is read at every run of it, the CLI's too, and kept by rebuild", async () => {
    const { conf, custom } = writeConf();
    const lines = fs.readFileSync(custom, 'utf8').split('\n').filter((l) => l !== '');
    fs.writeFileSync(custom, lines.slice(0, 100).map((l) => l + '\n').join(''));
    const file = path.join(dir, 'index.sqlite');
    const unparsed = () => (db.prepare('SELECT unparsed FROM sources').get() as { unparsed: number }).unparsed;
    await indexPaths(db, [custom], { timeZone: 'UTC' });
    expect(unparsed()).toBe(100);
    const { id } = db.prepare('SELECT id FROM sources').get() as { id: number };
    resetSource(db, id, { proftpdConf: conf });
    expect(await indexPaths(db, [custom], {})).toMatchObject({ lines: 100, unparsed: 0 });
    db.close();

    // The CLI without any conf of its own (runCli: no system conf) reads the appended lines with it.
    fs.appendFileSync(custom, lines.slice(100).map((l) => l + '\n').join(''));
    const appended = runCli(['index', '--db', file, '--json', custom]);
    expect(JSON.parse(appended.stdout)).toMatchObject({ lines: lines.length - 100, unparsed: 0, errors: [] });
    const rebuilt = runCli(['rebuild', '--db', file, '--json']);
    expect(rebuilt.status, rebuilt.stderr).toBe(0);
    expect(JSON.parse(rebuilt.stdout)).toMatchObject({ remembered: 1, lines: lines.length, unparsed: 0 });
    const [source] = JSON.parse(runCli(['sources', '--db', file, '--json']).stdout) as { proftpdConf: string; formatDetail: string; timeZone: string }[];
    expect(source).toMatchObject({ proftpdConf: conf, formatDetail: 'LogFormat custom', timeZone: 'UTC' });
  });

  it('through the CLI: --proftpd-conf, the default conf, and a conf that cannot be read', () => {
    const { conf, custom } = writeConf();
    fs.writeFileSync(path.join(dir, 'mods', 'broken.conf'), 'Include /nonexistent/dir/*.conf\nInclude /nonexistent/file.conf\n');
    const given = runCli(['index', '--db', path.join(dir, 'a.sqlite'), '--tz', 'UTC', '--json', '--proftpd-conf', conf, custom]);
    expect(given.status).toBe(0);
    expect(JSON.parse(given.stdout)).toMatchObject({ files: 1, unparsed: 0 });
    expect(given.stderr).toMatch(/warning: proftpd\.conf: .*broken\.conf: Include \/nonexistent\/file\.conf: /);
    // Directives ProFTPD itself would refuse are said too, and the rest of the conf is still read.
    fs.writeFileSync(path.join(dir, 'mods', 'odd.conf'), 'LogFormat lonely\nExtendedLog relative/ext.log\nSystemLog none\n');
    expect(readProftpdConf(conf).problems.filter((p) => p.includes('odd.conf'))).toEqual([
      `${path.join(dir, 'mods', 'odd.conf')}: LogFormat needs a name and a format (got lonely); ignored`,
      `${path.join(dir, 'mods', 'odd.conf')}: ExtendedLog relative/ext.log: not an absolute path; ignored`,
    ]);

    // $XFERLENS_PROFTPD_CONF stands in for /etc/proftpd/proftpd.conf: used without the flag.
    const byDefault = runCli(['index', '--db', path.join(dir, 'b.sqlite'), '--tz', 'UTC', '--json', custom], { env: { XFERLENS_PROFTPD_CONF: conf } });
    expect(JSON.parse(byDefault.stdout)).toMatchObject({ files: 1, unparsed: 0 });

    const missing = runCli(['index', '--db', path.join(dir, 'c.sqlite'), '--tz', 'UTC', '--json', '--proftpd-conf', path.join(dir, 'nope.conf'), custom]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toContain(`cannot read ProFTPD configuration ${path.join(dir, 'nope.conf')}`);
    expect(JSON.parse(missing.stdout)).toMatchObject({ files: 1 }); // indexing went on
  });
});
