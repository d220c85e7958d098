import type Database from 'better-sqlite3';
import { ensureLineFunctions, lineOffsetSql, lineSql } from '../src-main/core/store/line-blocks.js';
import { matchName } from '../src-main/core/store/match-key.js';
import { eventsWide, SESSIONS_WIDE, TRANSFERS_WIDE } from './event-rows.js';

/**
 * Takes schema 19's transfers' rollup out (the columns migration 19 adds), and the columns later
 * migrations add (22's text of deleted lines, 24's and 25's spans of ids, 27's offsets in the line
 * blocks, 30's report figures), which they would add again.
 */
export function undoTransferRollup(db: Database.Database): void {
  db.exec('DROP INDEX IF EXISTS transfer_values_top');
  dropColumns(db, { event_values: ['transfers'], event_minutes: ['transfers', 'transfer_bytes', 'transfer_failures'], fts_deleted: ['text'] });
  undoIdSpans(db);
}

/** Schema 30's columns of the rollup: the figures of a report of every row (and schema 31's sessions). */
export function undoReportFigures(db: Database.Database): void {
  undoSessionIds(db);
  dropColumns(db, { event_minutes: ['logins_ok', 'logins_failed', 'uploads', 'upload_bytes', 'downloads', 'download_bytes', 'transfer_max_bytes'] });
}

/** Schema 30's sessions: their user, client IP, server and protocol as text, their login and end as words, their key whole (schema 31 holds ids, codes and a key in two parts). */
export function undoSessionIds(db: Database.Database): void {
  if (!db.prepare("SELECT 1 FROM pragma_table_info('sessions') WHERE name = 'user_id'").get()) return;
  const columns = `id, conn_key, server, format, source_id, start_ts, end_ts, client_ip, client_port, user, protocol, login, login_reason, login_code,
    commands, uploads, downloads, deletes, renames, failures, failed_logins, bytes_up, bytes_down, events, end_reason, open, pending,
    first_event_id, last_event_id`;
  db.exec(`CREATE TABLE sessions_v30 (id INTEGER PRIMARY KEY, conn_key TEXT NOT NULL, server TEXT, format TEXT, source_id INTEGER,
      start_ts INTEGER, end_ts INTEGER, duration_ms INTEGER GENERATED ALWAYS AS (end_ts - start_ts) VIRTUAL, client_ip TEXT, client_port INTEGER,
      user TEXT, protocol TEXT, login TEXT NOT NULL DEFAULT 'none', login_reason TEXT, login_code TEXT,
      commands INTEGER NOT NULL DEFAULT 0, uploads INTEGER NOT NULL DEFAULT 0, downloads INTEGER NOT NULL DEFAULT 0,
      deletes INTEGER NOT NULL DEFAULT 0, renames INTEGER NOT NULL DEFAULT 0, failures INTEGER NOT NULL DEFAULT 0,
      failed_logins INTEGER NOT NULL DEFAULT 0, bytes_up INTEGER NOT NULL DEFAULT 0, bytes_down INTEGER NOT NULL DEFAULT 0,
      events INTEGER NOT NULL DEFAULT 0, end_reason TEXT, open INTEGER NOT NULL DEFAULT 1, pending TEXT, first_event_id INTEGER, last_event_id INTEGER);
    INSERT INTO sessions_v30 (${columns}) SELECT ${columns} FROM ${SESSIONS_WIDE} ORDER BY id;
    DROP TABLE sessions;
    DROP TABLE IF EXISTS session_keys;
    ALTER TABLE sessions_v30 RENAME TO sessions;
    CREATE INDEX sessions_start ON sessions(start_ts);
    CREATE INDEX sessions_user ON sessions(user COLLATE NOCASE, start_ts) WHERE user IS NOT NULL;
    CREATE INDEX sessions_ip ON sessions(client_ip, start_ts);
    CREATE INDEX sessions_conn ON sessions(substr(conn_key, -16), start_ts);
    CREATE INDEX sessions_open ON sessions(open) WHERE open = 1;
    CREATE INDEX sessions_failed ON sessions(start_ts) WHERE login = 'failed' OR failures > 0;`);
}

/**
 * Schema 23's way of finding a session's events and a file's lines (indexes), instead of the spans
 * of their ids that schemas 24 and 25 record.
 */
export function undoIdSpans(db: Database.Database): void {
  undoBlockOffsets(db);
  dropColumns(db, { sessions: ['first_event_id', 'last_event_id'] });
  db.exec(`CREATE INDEX IF NOT EXISTS events_session ON events(session_id, ts) WHERE session_id IS NOT NULL;
    DROP TABLE IF EXISTS line_spans;
    CREATE UNIQUE INDEX IF NOT EXISTS events_source_line ON events(source_id, line_no);`);
}

/** Schema 26's byte offset in every event's row instead of in its line block (schema 27), and the later columns (30's). */
export function undoBlockOffsets(db: Database.Database): void {
  ensureLineFunctions(db);
  const has = new Set(db.prepare("SELECT name FROM pragma_table_info('events')").pluck().all());
  if (!has.has('byte_offset')) {
    db.exec(`ALTER TABLE events ADD COLUMN byte_offset INTEGER NOT NULL DEFAULT 0;
      UPDATE events SET byte_offset = coalesce(${lineOffsetSql('events')}, 0);`);
  }
  dropColumns(db, { line_blocks: ['offsets'] });
  undoReportFigures(db);
}

function dropColumns(db: Database.Database, columns: Record<string, string[]>): void {
  for (const [table, names] of Object.entries(columns)) {
    const has = new Set(db.prepare('SELECT name FROM pragma_table_info(?)').pluck().all(table));
    for (const name of names) if (has.has(name)) db.exec(`ALTER TABLE ${table} DROP COLUMN ${name}`);
  }
}

/**
 * Turns a database of today's schema back into schema 4's shape (events with their text columns and
 * each line's text in a raw column; no strings, no line blocks; transfers with text columns, matched by name; the full-text index
 * in the database's file), for tests of the migrations of older databases. Migrations 5 to 12 move it forward again.
 */
export function undoLeanStore(db: Database.Database): void {
  ensureLineFunctions(db);
  undoTransferRollup(db);
  // Schema 12's full-text index back into the database's own file.
  db.exec(`DROP TABLE IF EXISTS fts_deleted;
    CREATE VIRTUAL TABLE main.events_fts USING fts5(text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2');
    INSERT INTO main.events_fts (rowid, text) SELECT id, coalesce(${lineSql('events')}, '') FROM events;`);
  // Schema 8's rollup of values by id: the rollup is rebuilt after the migrations anyway.
  if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'event_values'").get()) {
    db.exec(`DROP TABLE event_values;
      CREATE TABLE event_values (dim INTEGER NOT NULL, value TEXT NOT NULL, events INTEGER NOT NULL, PRIMARY KEY (dim, value)) WITHOUT ROWID;
      CREATE INDEX event_values_top ON event_values(dim, events);`);
  }
  // Schema 9's transfer string ids back into text columns.
  db.exec(`CREATE TABLE transfers_v8 (id INTEGER PRIMARY KEY, session_id INTEGER, ts INTEGER, server TEXT, user TEXT, client_ip TEXT, protocol TEXT,
      op TEXT NOT NULL, path TEXT, path_to TEXT, bytes INTEGER, duration_ms INTEGER,
      rate_bps INTEGER GENERATED ALWAYS AS (CASE WHEN duration_ms > 0 AND bytes IS NOT NULL THEN bytes * 1000 / duration_ms END) VIRTUAL,
      status TEXT NOT NULL, code TEXT, source_id INTEGER, event_id INTEGER, records INTEGER NOT NULL DEFAULT 1,
      record_sources TEXT NOT NULL DEFAULT '', match_key INTEGER NOT NULL DEFAULT 0);
    INSERT INTO transfers_v8 (id, session_id, ts, server, user, client_ip, protocol, op, path, path_to, bytes, duration_ms, status, code, source_id,
      event_id, records, record_sources, match_key)
    SELECT id, session_id, ts, server, user, client_ip, protocol, op, path, path_to, bytes, duration_ms, status, code, source_id,
      event_id, records, record_sources, match_key FROM ${TRANSFERS_WIDE};
    DROP TABLE transfers;
    ALTER TABLE transfers_v8 RENAME TO transfers;
    CREATE INDEX transfers_match ON transfers(match_key, ts);
    CREATE INDEX transfers_ts ON transfers(ts);
    CREATE INDEX transfers_user ON transfers(user COLLATE NOCASE, ts) WHERE user IS NOT NULL;
    CREATE INDEX transfers_ip ON transfers(client_ip, ts);
    CREATE INDEX transfers_path ON transfers(path COLLATE NOCASE, ts);
    CREATE INDEX transfers_failed ON transfers(ts) WHERE status = 'failed';
    CREATE INDEX transfers_session ON transfers(session_id) WHERE session_id IS NOT NULL;`);
  // Schema 7's match keys back into names (the first record's name, as the path's name here).
  db.function('xl_match_name', (p: unknown) => matchName(typeof p === 'string' ? p : null));
  db.exec(`ALTER TABLE transfers ADD COLUMN match_name TEXT NOT NULL DEFAULT '';
    UPDATE transfers SET match_name = xl_match_name(path);
    DROP INDEX transfers_match;
    ALTER TABLE transfers DROP COLUMN match_key;
    CREATE INDEX transfers_match ON transfers(op, match_name, ts);`);
  // Schema 6's strings back into text columns.
  db.exec(`CREATE TABLE events_v5 (id INTEGER PRIMARY KEY, source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
      line_no INTEGER NOT NULL, byte_offset INTEGER NOT NULL, ts INTEGER, ts_local INTEGER, kind INTEGER NOT NULL, server TEXT, client_ip TEXT,
      client_port INTEGER, server_port INTEGER, user TEXT, protocol TEXT, session_key TEXT, verb TEXT, path TEXT, status TEXT, bytes INTEGER,
      duration_ms INTEGER, message TEXT, pid INTEGER, extra TEXT, session_id INTEGER, transfer_id INTEGER, op TEXT, outcome TEXT);
    INSERT INTO events_v5 SELECT id, source_id, line_no, byte_offset, ts, ts_local, kind, server, client_ip, client_port, server_port, user, protocol,
      session_key, verb, path, status, bytes, duration_ms, message, pid, extra, session_id, transfer_id, op, outcome FROM ${eventsWide('main', false)};
    DROP TABLE events;
    ALTER TABLE events_v5 RENAME TO events;
    DROP TABLE strings;`);
  // Schema 5's line blocks back into a raw column.
  db.exec(`ALTER TABLE events ADD COLUMN raw TEXT NOT NULL DEFAULT '';
    UPDATE events SET raw = coalesce(${lineSql('events')}, '');
    DROP TABLE line_blocks;`);
}
