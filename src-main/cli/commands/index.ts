import path from 'node:path';
import { follow, type FollowBatch } from '../../core/ingest/follow.js';
import { indexPaths, type IndexSummary } from '../../core/ingest/indexer.js';
import { describeInputError } from '../../core/ingest/inputs.js';
import type { Db } from '../../core/store/db.js';
import type { NamedLogFormat } from '../../core/formats/types.js';
import { formatBytes, formatCount, isoOrDash, progressBar, UsageError } from '../output.js';
import { logFormatsOption, proftpdConfOption, timeZoneOption, type CommandRun, type ProftpdConfChoice } from '../command.js';
import { untilStopSignal } from '../signals.js';

export const runIndexCommand: CommandRun = ({ values, args, withDb }) => {
  if (!args.length) throw new UsageError('index needs at least one PATH');
  const timeZone = timeZoneOption(values);
  const logFormats = logFormatsOption(values);
  const proftpd = proftpdConfOption(values);
  for (const w of proftpd.warnings) process.stderr.write(`xferlens: warning: ${w}\n`);
  if (proftpd.error) process.stderr.write(`xferlens: ${proftpd.error}\n`);
  const opts = { json: values.json === true, timeZone, logFormats, proftpd };
  return withDb((db) => (values.follow === true ? runFollow(db, args, opts) : runIndex(db, args, opts)), 'write');
};

interface IndexRunOptions {
  json: boolean;
  timeZone: string | undefined;
  logFormats: NamedLogFormat[];
  proftpd?: ProftpdConfChoice;
}

export async function runIndex(db: Db, paths: string[], opts: IndexRunOptions): Promise<number> {
  const bar = progressBar();
  const summary = await indexPaths(db, paths, {
    timeZone: opts.timeZone,
    logFormats: opts.logFormats,
    proftpdConf: opts.proftpd?.conf,
    onProgress: (p) => bar.update(p.bytesDone, p.bytesTotal, p.file),
  });
  bar.done();
  process.stdout.write(opts.json ? JSON.stringify(summary) + '\n' : describeSummary(summary));
  for (const e of summary.errors) process.stderr.write(`xferlens: ${describeInputError(e)}\n`);
  return summary.errors.length || opts.proftpd?.error ? 1 : 0;
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
async function runFollow(db: Db, paths: string[], opts: IndexRunOptions): Promise<number> {
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
    proftpdConf: opts.proftpd?.conf,
    onBatch: printBatch,
    onError: (e) => process.stderr.write(`xferlens: ${describeInputError(e)}\n`),
  });
  await follower.ready;
  process.stderr.write(`xferlens: following ${paths.join(', ')} (Ctrl+C to stop)\n`);
  await stopped;
  await follower.stop();
  return 0;
}
