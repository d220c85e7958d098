import { expect } from 'vitest';
import { iterateRows } from '../src-main/core/query/index.js';
import type { Db } from '../src-main/core/store/db.js';
import { sessionEventSpans } from '../src-main/core/store/session-spans.js';
import { ALL_TRANSFERS } from './event-rows.js';

/**
 * Each session's events lie in the id spans it records (schema 24), whose ends are its events, and
 * `session:N` finds exactly the events and transfers linked to it.
 */
export function expectSessionsFoundBySpans(db: Db): void {
  const ids = (kind: 'events' | 'transfers', query: string) => [...iterateRows(db, kind, query, { columns: ['id'] })].map((r) => r.id as number).sort((a, b) => a - b);
  const linked = (table: string, session: number) => db.prepare(`SELECT id FROM ${table} WHERE session_id = ? ORDER BY id`).pluck().all(session) as number[];
  for (const id of db.prepare('SELECT id FROM sessions').pluck().all() as number[]) {
    const events = linked('events', id);
    const spans = sessionEventSpans(db, id) ?? [];
    expect(events.filter((e) => !spans.some(([first, last]) => e >= first && e <= last)), `session ${id}`).toEqual([]);
    expect(spans.flat().filter((end) => !events.includes(end)), `session ${id}`).toEqual([]);
    expect(ids('events', `session:${id}`)).toEqual(events);
    expect(ids('transfers', `session:${id}`)).toEqual(linked(ALL_TRANSFERS, id));
  }
}

/**
 * The line spans (schema 25) say where every event is: each event lies in one span of its source,
 * at its line, no two spans overlap, and they count every row.
 */
export function expectLineSpansInStep(db: Db): void {
  const misplaced = db.prepare(`SELECT count(*) FROM events e WHERE NOT EXISTS (SELECT 1 FROM line_spans sp WHERE sp.first_id <= e.id
    AND e.id < sp.first_id + sp.lines AND sp.source_id = e.source_id AND sp.first_line + (e.id - sp.first_id) = e.line_no)`).pluck().get();
  expect(misplaced).toBe(0);
  expect(db.prepare('SELECT coalesce(sum(lines), 0) FROM line_spans').pluck().get()).toBe(db.prepare('SELECT count(*) FROM events').pluck().get());
  expect(db.prepare('SELECT count(*) FROM line_spans a JOIN line_spans b ON b.first_id > a.first_id AND b.first_id < a.first_id + a.lines').pluck().get()).toBe(0);
}
