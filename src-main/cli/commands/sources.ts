/** `xferlens sources` and `xferlens formats`: what is indexed, and what can be (as the app's Sources view shows them). */
import type { Db } from '../../core/store/db.js';
import { listSources } from '../../core/store/stats.js';
import { FORMATS } from '../../core/formats/registry.js';
import { formatInfos, indexedSource } from '../../api/handlers.js';
import { formatCount, isoOrDash, table } from '../output.js';
import { readOnlyNote } from './stats.js';
import { noArguments, type CommandRun } from '../command.js';

export const runSourcesCommand: CommandRun = ({ values, args, withDb }) => (noArguments('sources', args), withDb((db) => runSources(db, { json: values.json === true })));

export const runFormatsCommand: CommandRun = ({ values, args }) => {
  noArguments('formats', args);
  if (values.json) process.stdout.write(JSON.stringify(formatInfos()) + '\n');
  else for (const f of FORMATS) process.stdout.write(`${f.id.padEnd(14)} ${f.label}\n`);
  return 0;
};

export function runSources(db: Db, opts: { json: boolean }): number {
  const rows = listSources(db).map(indexedSource);
  if (opts.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return 0;
  }
  if (!rows.length) process.stdout.write('no sources yet: run `xferlens index PATH...`\n');
  else {
    process.stdout.write(
      table(
        ['FORMAT', 'ENCODING', 'LINES', 'UNPARSED', 'LAST INDEXED', 'PATH'],
        rows.map((r) => [(r.format ?? 'unknown') + (r.formatDetail ? ` (${r.formatDetail})` : ''), r.encoding ?? '-', formatCount(r.lines), formatCount(r.unparsed), isoOrDash(r.indexedAt), r.path]),
      ),
    );
  }
  if (db.readonly) process.stdout.write(readOnlyNote(db));
  return 0;
}
