import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FORMATS } from '../../src-main/core/formats/registry.js';
import { cliJson, REPO, tempDir } from '../helpers.js';

/**
 * One folder holding every supported format: each format's verbatim samples as a file with a
 * neutral name, plus the real ProFTPD logs. Indexed through the CLI, each file must get its format
 * and every line must be understood.
 */
describe('a folder mixing every format', () => {
  let dir: string;
  let sources: { path: string; format: string | null; lines: number; unparsed: number }[];
  let summary: { files: number; unparsed: number; errors: unknown[] };
  const scenario = JSON.parse(fs.readFileSync(path.join(REPO, 'test/fixtures/proftpd/scenario.json'), 'utf8'));
  const realLogs = path.join(REPO, 'test/fixtures/proftpd/logs');

  beforeAll(() => {
    dir = tempDir();
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(path.join(logs, 'proftpd'), { recursive: true });
    for (const f of FORMATS) fs.writeFileSync(path.join(logs, `sample-${f.id}.txt`), f.samples.map((s) => s.line).join('\n') + '\n');
    for (const f of fs.readdirSync(realLogs)) fs.copyFileSync(path.join(realLogs, f), path.join(logs, 'proftpd', f));
    const custom = scenario.log_formats['ext-custom.log'].format as string;
    summary = cliJson(['index', '--db', path.join(dir, 'db.sqlite'), '--tz', 'UTC', '--logformat', `custom=${custom}`, logs]);
    sources = cliJson(['sources', '--db', path.join(dir, 'db.sqlite')]);
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('indexes every file without error and leaves no line unparsed', () => {
    expect(summary.errors).toEqual([]);
    expect(summary.files).toBe(FORMATS.length + fs.readdirSync(realLogs).length);
    expect(sources.filter((s) => s.unparsed > 0).map((s) => `${path.basename(s.path)}: ${s.unparsed}`)).toEqual([]);
  });

  it.each(FORMATS.map((f) => f.id))('detects the %s samples file as %s', (id) => {
    expect(sources.find((s) => path.basename(s.path) === `sample-${id}.txt`)?.format).toBe(id);
  });

  it('detects each real ProFTPD log as its format', () => {
    const byName = Object.fromEntries(sources.filter((s) => s.path.includes(`${path.sep}proftpd${path.sep}`)).map((s) => [path.basename(s.path), s.format]));
    expect(byName).toEqual({
      'system.log': 'proftpd-system',
      'xferlog': 'xferlog',
      'ext-default.log': 'proftpd-extended',
      'ext-auth.log': 'proftpd-extended',
      'ext-write.log': 'proftpd-extended',
      'ext-custom.log': 'proftpd-extended',
      'sftp.log': 'proftpd-modlog',
      'tls.log': 'proftpd-modlog',
    });
  });
});
