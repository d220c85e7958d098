import { indexPaths } from '../../core/ingest/indexer.js';
import type { Db } from '../../core/store/db.js';
import type { NamedLogFormat } from '../../core/formats/types.js';
import { formatBytes, formatCount, progressBar } from '../output.js';

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
