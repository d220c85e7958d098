/**
 * Where each file's lines are among the events' ids (schema 25). A batch stores consecutive lines
 * of one file under consecutive ids: one span (its first id, the file, its first line, how many
 * lines), which the file's next batch extends when it continues it (a file read in one run is one
 * span; a followed file, a span per batch another file's batch interrupted). A file's rows, or a
 * line of it, are then rowid ranges. The spans replaced the index on (source_id, line_no): 13.1 MB
 * of a database of 1M EFT lines, and one of the indexes a bulk load builds at its end.
 */
import type { Db } from './db.js';
import { preparedOnce } from './prepared.js';

export const LINE_SPANS_SCHEMA = `CREATE TABLE line_spans (
    first_id   INTEGER PRIMARY KEY,
    source_id  INTEGER NOT NULL,
    first_line INTEGER NOT NULL,
    lines      INTEGER NOT NULL
  );
  CREATE INDEX line_spans_source ON line_spans(source_id, first_line);`;

/** A range of event ids, both ends included. */
export type IdRange = [first: number, last: number];

/** Records that lines firstLine… of `sourceId` (`lines` of them) are the events firstId… (in the batch's transaction). */
export function recordLineSpan(db: Db, sourceId: number, firstId: number, firstLine: number, lines: number): void {
  if (lines <= 0) return;
  const last = preparedOnce(db, 'SELECT first_id, first_line, lines FROM line_spans WHERE source_id = ? ORDER BY first_line DESC LIMIT 1')
    .raw().get(sourceId) as [number, number, number] | undefined;
  if (last && last[0] + last[2] === firstId && last[1] + last[2] === firstLine) {
    preparedOnce(db, 'UPDATE line_spans SET lines = lines + ? WHERE first_id = ?').run(lines, last[0]);
  } else {
    preparedOnce(db, 'INSERT INTO line_spans (first_id, source_id, first_line, lines) VALUES (?, ?, ?, ?)').run(firstId, sourceId, firstLine, lines);
  }
}

/**
 * The id ranges holding the rows of these sources, in id order, a range spanning adjacent spans of
 * them (a folder read in one run is one range); null when there are more than `most`.
 */
export function sourcesIdRanges(db: Db, sourceIds: readonly number[], most = Infinity): IdRange[] | null {
  if (!sourceIds.length) return [];
  const spans = db.prepare(`SELECT first_id, first_id + lines - 1 FROM line_spans WHERE source_id IN (SELECT value FROM json_each(?)) ORDER BY first_id`)
    .raw().all(JSON.stringify(sourceIds)) as IdRange[];
  const ranges: IdRange[] = [];
  for (const [first, last] of spans) {
    const prev = ranges[ranges.length - 1];
    if (prev && prev[1] + 1 === first) prev[1] = last;
    else if (ranges.push([first, last]) > most) return null;
  }
  return ranges;
}

/**
 * SQL joining the rows of source `@source` (a parameter the caller binds) as `alias`: each of its
 * spans is a rowid range of events. Ends in a WHERE that more `AND` terms may follow.
 */
export const sourceRowsFrom = (alias: string): string =>
  `line_spans sp JOIN events ${alias} ON ${alias}.id BETWEEN sp.first_id AND sp.first_id + sp.lines - 1 WHERE sp.source_id = @source`;

/**
 * SQL joining lines @from…@to of source @source (parameters the caller binds) as `alias`, each span
 * they are in a rowid range of events. Ends in a WHERE that more `AND` terms may follow.
 */
export const sourceLinesFrom = (alias: string): string =>
  `line_spans sp JOIN events ${alias} ON ${alias}.id BETWEEN sp.first_id + max(@from - sp.first_line, 0) AND sp.first_id + min(@to - sp.first_line, sp.lines - 1)
  WHERE sp.source_id = @source AND sp.first_line <= @to AND sp.first_line + sp.lines > @from`;

/** Deletes a source's events and its spans (in the caller's transaction). */
export function deleteSourceEvents(db: Db, sourceId: number): void {
  const del = db.prepare('DELETE FROM events WHERE id BETWEEN ? AND ?');
  for (const [first, last] of sourcesIdRanges(db, [sourceId])!) del.run(first, last);
  db.prepare('DELETE FROM line_spans WHERE source_id = ?').run(sourceId);
}

/** Writes the spans again from the events' own source and line (migration 25; tests that write rows themselves). */
export function storeLineSpans(db: Db): void {
  db.exec('DELETE FROM line_spans');
  const spans: [number, number, number, number][] = [];
  let span: [number, number, number, number] | undefined;
  for (const [id, source, line] of db.prepare('SELECT id, source_id, line_no FROM events ORDER BY id').raw().iterate() as IterableIterator<[number, number, number]>) {
    if (span && span[1] === source && span[0] + span[3] === id && span[2] + span[3] === line) span[3]++;
    else spans.push((span = [id, source, line, 1]));
  }
  const insert = db.prepare('INSERT INTO line_spans (first_id, source_id, first_line, lines) VALUES (?, ?, ?, ?)');
  for (const s of spans) insert.run(...s);
}
