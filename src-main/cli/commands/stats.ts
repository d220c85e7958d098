import type { Db } from '../../core/store/db.js';
import { databaseStats, listSources } from '../../core/store/stats.js';
import { formatBytes, formatCount, isoOrDash, table } from '../output.js';

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
  const rows = listSources(db).map((s) => ({
    id: s.id,
    path: s.path,
    format: s.format,
    formatDetail: s.format_detail,
    encoding: s.encoding,
    compression: s.compression,
    size: s.size,
    bytesIndexed: s.bytes_indexed,
    lines: s.lines_indexed,
    events: s.events,
    directives: s.directives,
    unparsed: s.unparsed,
    firstTs: s.first_ts,
    lastTs: s.last_ts,
    timeZone: s.options ? (JSON.parse(s.options) as { timeZone?: string }).timeZone ?? null : null,
    indexedAt: s.indexed_at,
  }));
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
