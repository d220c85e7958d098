import type { Db } from '../../core/store/db.js';
import { databaseStats, listSources } from '../../core/store/stats.js';
import { formatBytes, formatCount, isoOrDash, table, UsageError } from '../output.js';
import { FORMATS } from '../../core/formats/registry.js';
import type { CliCommand } from '../command.js';
import { formatInfos, indexedSource } from '../../api/handlers.js';

function noArgs(name: string, args: string[]): void {
  if (args.length) throw new UsageError(`${name} takes no arguments (got ${args[0]})`);
}

export const statsCommand: CliCommand = {
  name: 'stats',
  usage: 'stats [--db FILE] [--json]',
  summary: 'totals for the whole database',
  run: ({ values, args, withDb }) => (noArgs('stats', args), withDb((db) => runStats(db, { json: values.json === true }))),
};

export const sourcesCommand: CliCommand = {
  name: 'sources',
  usage: 'sources [--db FILE] [--json]',
  summary: 'indexed files with format and counts',
  run: ({ values, args, withDb }) => (noArgs('sources', args), withDb((db) => runSources(db, { json: values.json === true }))),
};

export const formatsCommand: CliCommand = {
  name: 'formats',
  usage: 'formats [--json]',
  summary: 'the log formats xferlens reads',
  run({ values, args }) {
    noArgs('formats', args);
    if (values.json) process.stdout.write(JSON.stringify(formatInfos()) + '\n');
    else for (const f of FORMATS) process.stdout.write(`${f.id.padEnd(14)} ${f.label}\n`);
    return 0;
  },
};

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
      `formats: ${formats}\n`,
  );
  return 0;
}

export function runSources(db: Db, opts: { json: boolean }): number {
  const rows = listSources(db).map(indexedSource);
  if (opts.json) {
    process.stdout.write(JSON.stringify(rows) + '\n');
    return 0;
  }
  if (!rows.length) {
    process.stdout.write('no sources yet: run `xferlens index PATH...`\n');
    return 0;
  }
  process.stdout.write(
    table(
      ['FORMAT', 'ENCODING', 'LINES', 'UNPARSED', 'LAST INDEXED', 'PATH'],
      rows.map((r) => [(r.format ?? 'unknown') + (r.formatDetail ? ` (${r.formatDetail})` : ''), r.encoding ?? '-', formatCount(r.lines), formatCount(r.unparsed), isoOrDash(r.indexedAt), r.path]),
    ),
  );
  return 0;
}
