import { indexPaths } from '../../core/ingest/indexer.js';
import type { Db } from '../../core/store/db.js';
import type { NamedLogFormat } from '../../core/formats/types.js';
import { formatBytes, formatCount, progressBar, UsageError } from '../output.js';
import { assertTimeZone, localTimeZone } from '../../core/time.js';
import { stringOption, stringsOption, type CliCommand } from '../command.js';

/** `--logformat NAME=FORMAT`, as in ProFTPD's `LogFormat NAME "FORMAT"`. */
function parseLogFormats(specs: string[]): NamedLogFormat[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--logformat wants NAME=FORMAT, e.g. custom='%h %u %t "%r" %s %b' (got ${spec})`);
    return { name: spec.slice(0, eq), format: spec.slice(eq + 1) };
  });
}

export const indexCommand: CliCommand = {
  name: 'index',
  usage: 'index [--db FILE] [--json] [--tz ZONE] [--logformat NAME=FORMAT]... PATH...',
  summary: 'index files, folders (recursive), globs, .gz',
  options: { tz: { type: 'string' }, logformat: { type: 'string', multiple: true } },
  optionHelp: `--tz ZONE    IANA time zone for local-time formats (default: the zone a file was first indexed with,
             else this machine's, ${localTimeZone()}); a new zone converts those files again
--logformat NAME=FORMAT
             a ProFTPD LogFormat used by your ExtendedLog files (repeatable)`,
  run({ values, args, withDb }) {
    if (!args.length) throw new UsageError('index needs at least one PATH');
    const timeZone = stringOption(values, 'tz');
    if (timeZone) {
      try {
        assertTimeZone(timeZone);
      } catch (err) {
        throw new UsageError((err as Error).message);
      }
    }
    const logFormats = parseLogFormats(stringsOption(values, 'logformat'));
    return withDb((db) => runIndex(db, args, { json: values.json === true, timeZone, logFormats }));
  },
};

export async function runIndex(db: Db, paths: string[], opts: { json: boolean; timeZone: string | undefined; logFormats: NamedLogFormat[] }): Promise<number> {
  const bar = progressBar();
  const summary = await indexPaths(db, paths, {
    timeZone: opts.timeZone,
    logFormats: opts.logFormats,
    onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, p.file),
  });
  bar.done();
  if (opts.json) {
    process.stdout.write(JSON.stringify(summary) + '\n');
  } else {
    const formats = Object.entries(summary.formats).map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
    process.stdout.write(
      `indexed ${formatCount(summary.files)} file(s): ${formatCount(summary.lines)} new lines ` +
        `(${formatCount(summary.events)} events, ${formatCount(summary.directives)} directives, ` +
        `${formatCount(summary.unparsed)} unparsed), ${formatBytes(summary.bytes)} in ${formatCount(summary.ms)} ms\n` +
        `formats: ${formats}\n`,
    );
  }
  for (const e of summary.errors) process.stderr.write(`xferlens: ${e.path}: ${e.reason}\n`);
  return summary.errors.length ? 1 : 0;
}
