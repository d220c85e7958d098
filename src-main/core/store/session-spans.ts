/**
 * Where a session's events are (schema 24): per log, the first and last id of the events the
 * analysis linked to it (analysis/analyzer.ts keeps them). A session's events are read in those id
 * ranges of the events' rowid rather than on an index of events.session_id, which took 18.9 MB of
 * a database of 1M EFT lines: a session spans a few hundred ids in the middle (at most 45k there).
 * The log that opened the session has its span in the row's first_event_id and last_event_id,
 * the others theirs in `pending` (JSON, `spans`: source id → [first, last]).
 */
import type { Db } from './db.js';
import type { IdRange } from './line-spans.js';

/** The id ranges holding session `id`'s events, or null when none is recorded (no such session, or no events). */
export function sessionEventSpans(db: Db, id: number): IdRange[] | null {
  const row = db.prepare('SELECT first_event_id AS first, last_event_id AS last, pending FROM sessions WHERE id = ?').get(id) as
    { first: number | null; last: number | null; pending: string | null } | undefined;
  if (!row) return null;
  const spans = new Map<string, IdRange>();
  if (row.first !== null && row.last !== null) spans.set(`${row.first},${row.last}`, [row.first, row.last]);
  const others = row.pending ? (JSON.parse(row.pending) as { spans?: Record<string, [number, number]> }).spans : undefined;
  for (const span of Object.values(others ?? {})) spans.set(`${span[0]},${span[1]}`, span);
  return spans.size ? [...spans.values()] : null;
}
