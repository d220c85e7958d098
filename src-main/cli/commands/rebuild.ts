import fs from 'node:fs';
import { defaultDatabasePath } from '../../core/paths.js';
import { readOnlyRefusal } from '../../core/store/faults.js';
import { rebuildDatabase } from '../../core/store/recover.js';
import { formatCount, progressBar, UsageError } from '../output.js';
import { stringOption, type CommandRun } from '../command.js';
import { describeSummary } from './index.js';

export const runRebuildCommand: CommandRun = ({ values, args }) => {
  if (args.length) throw new UsageError(`rebuild takes no arguments (got ${args[0]}); the database is --db FILE`);
  const file = defaultDatabasePath(stringOption(values, 'db'));
  if (values['read-only'] === true) throw readOnlyRefusal(file, 'rebuild');
  return runRebuild(file, values.json === true);
};

async function runRebuild(file: string, json: boolean): Promise<number> {
  if (!fs.existsSync(file)) {
    process.stderr.write(`xferlens: ${file} does not exist: nothing to rebuild (xferlens index PATH... creates it)\n`);
    return 1;
  }
  const bar = progressBar();
  const { movedTo, remembered, summary } = await rebuildDatabase(file, { onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, p.file) });
  bar.done();
  if (json) {
    process.stdout.write(JSON.stringify({ movedTo, remembered: remembered?.length ?? null, ...summary }) + '\n');
  } else {
    process.stdout.write(`moved the old database to ${movedTo}; created a new one at ${file}\n`);
    if (remembered === null) {
      process.stdout.write('the list of indexed files could not be read from the old database: index your logs again (xferlens index PATH...)\n');
    } else if (!remembered.length) {
      process.stdout.write('the old database held no files: index your logs (xferlens index PATH...)\n');
    } else {
      process.stdout.write(describeSummary(summary));
    }
  }
  for (const e of summary.errors) process.stderr.write(`xferlens: ${e.path}: ${e.reason}\n`);
  if (summary.errors.length && remembered) {
    process.stderr.write(`xferlens: ${formatCount(summary.errors.length)} of ${formatCount(remembered.length)} files could not be indexed again; their lines are not in the new database\n`);
  }
  return summary.errors.length ? 1 : 0;
}
