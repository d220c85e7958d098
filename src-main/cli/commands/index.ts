import path from 'node:path';
import { follow, type FollowBatch } from '../../core/ingest/follow.js';
import { indexPaths, type IndexSummary } from '../../core/ingest/indexer.js';
import type { Db } from '../../core/store/db.js';
import type { NamedLogFormat } from '../../core/formats/types.js';
import { formatBytes, formatCount, isoOrDash, progressBar, UsageError } from '../output.js';
import { assertTimeZone, localTimeZone } from '../../core/time.js';
import { stringOption, stringsOption, type CliCommand } from '../command.js';
import { untilStopSignal } from '../signals.js';

/** `--logformat NAME=FORMAT`, as in ProFTPD's `LogFormat NAME "FORMAT"`. */
export function parseLogFormats(specs: string[]): NamedLogFormat[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--logformat wants NAME=FORMAT, e.g. custom='%h %u %t "%r" %s %b' (got ${spec})`);
    return { name: spec.slice(0, eq), format: spec.slice(eq + 1) };
  });
}

export const indexCommand: CliCommand = {
  name: 'index',
  usage: 'index [--db FILE] [--json] [--tz ZONE] [--logformat NAME=FORMAT]... [--follow] PATH...',
  summary: 'index files, folders (recursive), globs, .gz',
  options: { tz: { type: 'string' }, logformat: { type: 'string', multiple: true }, follow: { type: 'boolean', default: false } },
  optionHelp: `--tz ZONE    IANA time zone for local-time formats (default: the zone a file was first indexed with,
             else this machine's, ${localTimeZone()}); a new zone converts those files again
--logformat NAME=FORMAT
             a ProFTPD LogFormat used by your ExtendedLog files (repeatable)
--follow     keep running and index new lines as servers write them (tail -f), new files
             in followed folders too when their content is a log format; prints a line per
             batch (--json: one object per line); Ctrl+C stops with everything committed`,
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
    const opts = { json: values.json === true, timeZone, logFormats };
    return withDb((db) => (values.follow === true ? runFollow(db, args, opts) : runIndex(db, args, opts)));
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
  process.stdout.write(opts.json ? JSON.stringify(summary) + '\n' : describeSummary(summary));
  for (const e of summary.errors) process.stderr.write(`xferlens: ${e.path}: ${e.reason}\n`);
  return summary.errors.length ? 1 : 0;
}

export function describeSummary(summary: IndexSummary): string {
  const formats = Object.entries(summary.formats).map(([f, n]) => `${f} ${n}`).join(', ') || 'none';
  return (
    `indexed ${formatCount(summary.files)} file(s): ${formatCount(summary.lines)} new lines ` +
    `(${formatCount(summary.events)} events, ${formatCount(summary.directives)} directives, ` +
    `${formatCount(summary.unparsed)} unparsed), ${formatBytes(summary.bytes)} in ${formatCount(summary.ms)} ms\n` +
    `formats: ${formats}\n`
  );
}

/** `index --follow`: the inputs' lines so far, then a line (or JSON object) per batch of new lines. */
async function runFollow(db: Db, paths: string[], opts: { json: boolean; timeZone: string | undefined; logFormats: NamedLogFormat[] }): Promise<number> {
  const printBatch = (b: FollowBatch) => {
    const s = b.summary;
    if (opts.json) {
      const { errors: _errors, ...counts } = s;
      process.stdout.write(JSON.stringify({ time: isoOrDash(b.committedAt), initial: b.initial, changed: b.files, ...counts }) + '\n');
    } else if (b.initial) {
      process.stdout.write(describeSummary(s));
    } else {
      const names = b.files.map((f) => path.basename(f)).join(', ');
      process.stdout.write(`${isoOrDash(b.committedAt)}  ${names}  +${formatCount(s.lines)} lines (${formatCount(s.events)} events)\n`);
    }
  };
  const stopped = untilStopSignal();
  const follower = follow(db, paths, {
    timeZone: opts.timeZone,
    logFormats: opts.logFormats,
    onBatch: printBatch,
    onError: (e) => process.stderr.write(`xferlens: ${e.path}: ${e.reason}\n`),
  });
  await follower.ready;
  process.stderr.write(`xferlens: following ${paths.join(', ')} (Ctrl+C to stop)\n`);
  await stopped;
  await follower.stop();
  return 0;
}
