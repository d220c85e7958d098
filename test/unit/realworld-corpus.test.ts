import fs from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { indexPaths, type IndexSummary } from '../../src-main/core/ingest/indexer.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { REPO, tempDir } from '../helpers.js';

/**
 * The folders of ../shared/realworld/ (real log lines that admins published, beside the repository
 * as in CI) indexed with no options: at most 1 % of the lines unparsed, each file its format. The
 * lines that stay unparsed are named with the publisher's artefact that made them so.
 */

const REALWORLD = path.resolve(REPO, '..', 'shared', 'realworld');

/** The format of every corpus file, by its folder's server and what SOURCES.md says it is. */
function expectedFormat(rel: string): string {
  const [folder, name] = [rel.split('/')[0]!, path.basename(rel)];
  if (folder === 'iis-ftp' || folder === 'xferlog') return folder === 'iis-ftp' ? 'w3c' : 'xferlog';
  if (folder === 'filezilla') return name.startsWith('filezilla-server') ? 'filezilla' : 'filezilla-legacy';
  if (folder === 'pure-ftpd' || folder === 'sftp-server') return 'syslog';
  if (folder === 'vsftpd') return name.startsWith('vsftpd.log') ? 'vsftpd' : 'syslog';
  // proftpd/
  if (name.startsWith('extended.log')) return 'proftpd-extended';
  if (/^(?:sftp|tls)/.test(name)) return 'proftpd-modlog';
  if (name.startsWith('syslog')) return 'syslog';
  return 'proftpd-system';
}

/** Lines the publishers broke, that no parser should read (SOURCES.md notes each). */
const PUBLISHER_ARTEFACTS = [
  // The blog wrapped FileZilla's welcome message onto a line of its own.
  'filezilla/fzs-2007-03-23.log:3: pirate.sourceforge.net',
  // The blog's own "..." ending the excerpt.
  'vsftpd/vsftpd.log.thunisoft-2020:13: ...',
];

describe('the real-world corpus, indexed with no options', () => {
  let db: Db;
  let summary: IndexSummary;
  let sources: { id: number; path: string; format: string | null; format_detail: string | null }[];
  const rel = (p: string) => path.relative(REALWORLD, p).split(path.sep).join('/');

  beforeAll(async () => {
    const dir = tempDir();
    db = openDatabase(path.join(dir, 'index.sqlite'));
    const folders = fs.readdirSync(REALWORLD, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => path.join(REALWORLD, e.name));
    summary = await indexPaths(db, folders, { timeZone: 'UTC' });
    sources = db.prepare('SELECT id, path, format, format_detail FROM sources ORDER BY path').all() as typeof sources;
    return () => {
      db.close();
      fs.rmSync(dir, { recursive: true, force: true });
    };
  });

  it('reads all 65 files and leaves at most 1 % of the lines unparsed', () => {
    expect(summary.errors).toEqual([]);
    expect(sources).toHaveLength(65);
    expect(summary.lines).toBe(704);
    expect(summary.unparsed).toBeLessThanOrEqual(Math.floor(summary.lines * 0.01));
  });

  it('leaves unparsed only the lines the publishers broke', () => {
    const rows = db.prepare('SELECT source_id, line_no FROM events WHERE kind = 2 ORDER BY source_id, line_no').all() as { source_id: number; line_no: number }[];
    const named = rows.map((r) => {
      const file = sources.find((s) => s.id === r.source_id)!.path;
      return `${rel(file)}:${r.line_no}: ${fs.readFileSync(file, 'utf8').split('\n')[r.line_no - 1]}`;
    });
    expect(named).toEqual(PUBLISHER_ARTEFACTS);
  });

  it('gives each file its format', () => {
    const wrong = sources.filter((s) => s.format !== expectedFormat(rel(s.path))).map((s) => `${rel(s.path)}: ${s.format}`);
    expect(wrong).toEqual([]);
  });

  it('says in sources which layout it assumed for header-less W3C files and which LogFormat it guessed', () => {
    const detail = (name: string) => sources.find((s) => s.path.endsWith(name))!.format_detail;
    expect(detail('ex_ossec_sample1.log')).toMatch(/^no #Fields header: columns assumed to be the IIS 4\/5 MSFTPSVC default/);
    expect(detail('u_ex160625.log')).toMatch(/IIS 7\.5\+ FTP default/);
    expect(detail('u_ex231229.log')).toBeNull();
    expect(detail('extended.log.issue1611')).toMatch(/^LogFormat inferred: %a %t %\{UNIQUE_ID\}e %u "%r" %s %b \(guessed/);
  });

  it('gives every line a time, header lines included, but in the one excerpt that has none', () => {
    const undated = db.prepare('SELECT source_id AS id, count(*) AS n FROM events WHERE ts IS NULL GROUP BY source_id').all() as { id: number; n: number }[];
    // The OSSEC excerpt of Pure-FTPd lines carries no date at all (OSSEC shows the program part).
    const excerpt = sources.find((s) => s.path.endsWith('ossec-pureftpd.log'))!;
    expect(undated).toEqual([{ id: excerpt.id, n: 11 }]);
  });

  it('rebuilds sessions and transfers from the lines that allow it', () => {
    // IIS 7.5 x-session: one session with its login; checked by hand against u_ex160625.log.
    const iis = sources.find((s) => s.path.endsWith('u_ex160625.log'))!;
    const sessions = db.prepare('SELECT DISTINCT session_id FROM events WHERE source_id = ? AND session_id IS NOT NULL').all(iis.id);
    expect(sessions).toHaveLength(1);
    // xferlog.symfonos3: 11 transfer lines, 11 transfers.
    const xfer = sources.find((s) => s.path.endsWith('xferlog.symfonos3'))!;
    const transfers = db.prepare('SELECT DISTINCT transfer_id FROM events WHERE source_id = ? AND transfer_id IS NOT NULL').all(xfer.id);
    expect(transfers).toHaveLength(11);
  });
});
