import { readsACopy, type Db } from '../../core/store/db.js';
import { databaseStats } from '../../core/store/stats.js';
import { formatBytes, formatCount } from '../output.js';
import { noArguments, type CommandRun } from '../command.js';

export const runStatsCommand: CommandRun = ({ values, args, withDb }) => (noArguments('stats', args), withDb((db) => runStats(db, { json: values.json === true })));

export function runStats(db: Db, opts: { json: boolean }): number {
  const s = databaseStats(db);
  if (opts.json) {
    process.stdout.write(JSON.stringify(s) + '\n');
    return 0;
  }
  const formats = Object.entries(s.formats).map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
  process.stdout.write(
    `${formatCount(s.sources)} source(s), ${formatCount(s.lines)} lines (${formatCount(s.events)} events, ` +
      `${formatCount(s.directives)} directives, ${formatCount(s.unparsed)} unparsed), ${formatBytes(s.bytes)} indexed\n` +
      `formats: ${formats}\n` +
      (db.readonly ? readOnlyNote(db) : ''),
  );
  return 0;
}

/** The line `stats` and `sources` end with when the database is read-only (where a user looks for it). */
export function readOnlyNote(db: Db): string {
  return `read-only: ${db.readonly && readsACopy(db) ? 'read from a private copy made when this command started; ' : ''}index, follow, remove and rebuild cannot write to this database\n`;
}
