import type { Db } from './db.js';
import { byteLengthsOf } from './batch-rows.js';
import { blockId, decodeOffsets, decompressLines, encodeOffsets, followingOffsets, LINES_PER_BLOCK, LineBlockBuilder } from './line-blocks.js';
import { LINE_SPANS_SCHEMA, storeLineSpans } from './line-spans.js';
import { SESSION_KEYS_SCHEMA, splitConnKey } from './session-keys.js';
import { matchKey } from './match-key.js';
import { PLAIN_ROW_SQL, PLAIN_TRANSFER_INDEXES } from './plain-transfers.js';
import { writeMeta } from './meta.js';
import { TOP_INDEXES_SQL, fillFigureColumns, markRollupStale } from './rollup.js';
import { END_REASONS, EVENT_FLAGS_SQL, EVENT_MORE_SQL, EVENT_OPS, LOGIN_STATES, OUTCOMES, PACKED_EVENT_COLUMNS, TRANSFER_OPS, wordColumn } from './op-codes.js';
import {
  SESSION_STRING_COLUMNS, SESSION_STRING_DIMS, STRING_COLUMNS, STRING_DIMS, STRING_INDEX, TRANSFER_STRING_COLUMNS, TRANSFER_STRING_DIMS,
} from './strings.js';

/** The columns of an event's place (file, line, time) and values, in every shape of the events table. */
const EVENT_PLACE_COLUMNS = (offset: 'byte_offset' | 'in blocks' = 'byte_offset') => `    id             INTEGER PRIMARY KEY,
    source_id      INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    line_no        INTEGER NOT NULL,
${offset === 'byte_offset' ? '    byte_offset    INTEGER NOT NULL,\n' : ''}    ts             INTEGER,
`;
const EVENT_VALUE_COLUMNS = `    user_id        INTEGER,
    client_ip_id   INTEGER,
    path_id        INTEGER,
    status_id      INTEGER,
    verb_id        INTEGER,
    message_id     INTEGER,
    server_id      INTEGER,
    protocol_id    INTEGER,
    session_key_id INTEGER,
    client_port    INTEGER,
    server_port    INTEGER,
    bytes          INTEGER,
`;

/**
 * One row per line of every source. kind: 0 event, 1 directive, 2 unparsed. The line's text is in
 * line_blocks, its repeated strings in strings (`<column>_id`); what is left is numbers. `ops`:
 * what the line does and how it ended as words (schemas 6–13) or as codes (14, store/op-codes.ts).
 */
const EVENTS_TABLE = (name: string, ops: 'words' | 'codes') => `CREATE TABLE ${name} (
${EVENT_PLACE_COLUMNS()}    ts_local       INTEGER,
    kind           INTEGER NOT NULL,
${EVENT_VALUE_COLUMNS}    duration_ms    INTEGER,
    pid            INTEGER,
    extra          TEXT,
    session_id     INTEGER,
    transfer_id    INTEGER,
    ${ops === 'words' ? `op             TEXT,
    outcome        TEXT` : `op_code        INTEGER,
    outcome_code   INTEGER,
    ${wordColumn('op', 'op_code', EVENT_OPS)},
    ${wordColumn('outcome', 'outcome_code', OUTCOMES)}`}
  );`;

/**
 * A transfer's strings are ids (schema 9); what is left is numbers, and its operation and status as
 * words (schemas 9–13) or codes (14). From schema 17 a transfer's id is its first record's event's
 * (`event_id` is read from it): see migration 17.
 */
const TRANSFERS_TABLE = (name: string, ops: 'words' | 'codes', ids: 'own' | 'event' = 'own') => `CREATE TABLE ${name} (
    id             INTEGER PRIMARY KEY,
    session_id     INTEGER,
    ts             INTEGER,
    server_id      INTEGER,
    user_id        INTEGER,
    client_ip_id   INTEGER,
    protocol_id    INTEGER,
    ${ops === 'words' ? 'op             TEXT NOT NULL,     -- upload, download, delete, rename, mkdir, rmdir' : `op_code        INTEGER NOT NULL,
    ${wordColumn('op', 'op_code', TRANSFER_OPS)},`}
    path_id        INTEGER,
    path_to_id     INTEGER,           -- rename target
    bytes          INTEGER,
    duration_ms    INTEGER,
    rate_bps       INTEGER GENERATED ALWAYS AS (CASE WHEN duration_ms > 0 AND bytes IS NOT NULL THEN bytes * 1000 / duration_ms END) VIRTUAL,
    ${ops === 'words' ? 'status         TEXT NOT NULL,     -- success, failed, incomplete' : `status_code    INTEGER NOT NULL,
    ${wordColumn('status', 'status_code', OUTCOMES)},`}
    code           TEXT,
    source_id      INTEGER,
    ${ids === 'own' ? 'event_id       INTEGER,           -- the first record\'s event' : 'event_id       INTEGER GENERATED ALWAYS AS (id) VIRTUAL, -- the first record\'s event'}
    records        INTEGER NOT NULL DEFAULT 1,
    record_sources TEXT NOT NULL DEFAULT '',  -- ",3,7,": sources holding a record (one log never records one operation twice)
    match_key      INTEGER NOT NULL DEFAULT 0 -- operation + file name, as records of other logs are compared (store/match-key.ts)
  );`;

/**
 * The events as schema 26 packs them (store/op-codes.ts: eventFlags, eventMore); from schema 27 a
 * line's byte offset is in its line block.
 */
const EVENTS_TABLE_26 = (name: string, offset: 'byte_offset' | 'in blocks' = 'byte_offset') => `CREATE TABLE ${name} (
${EVENT_PLACE_COLUMNS(offset)}${EVENT_VALUE_COLUMNS}    session_id     INTEGER,
    transfer_id    INTEGER,
    flags          INTEGER NOT NULL,
    more           TEXT,
    ${PACKED_EVENT_COLUMNS}
  );`;

/** The columns schema 27 copies as they are. */
const EVENT_COLUMNS_27 = `id, source_id, line_no, ts, user_id, client_ip_id, path_id, status_id, verb_id, message_id, server_id,
    protocol_id, session_key_id, client_port, server_port, bytes, session_id, transfer_id`;
/** The columns schema 26 copies as they are. */
const EVENT_COLUMNS_26 = EVENT_COLUMNS_27.replace('line_no, ts', 'line_no, byte_offset, ts');

/** The columns schema 14 copies as they are. */
const EVENT_COLUMNS_14 = `id, source_id, line_no, byte_offset, ts, ts_local, kind, user_id, client_ip_id, path_id, status_id, verb_id, message_id,
    server_id, protocol_id, session_key_id, client_port, server_port, bytes, duration_ms, pid, extra, session_id, transfer_id`;
const TRANSFER_COLUMNS_14 = `id, session_id, ts, server_id, user_id, client_ip_id, protocol_id, path_id, path_to_id, bytes, duration_ms, code,
    source_id, event_id, records, record_sources, match_key`;

/** The columns schema 17 copies as they are (the id becomes the event's). */
const TRANSFER_COLUMNS_17 = `session_id, ts, server_id, user_id, client_ip_id, protocol_id, op_code, path_id, path_to_id, bytes, duration_ms,
    status_code, code, source_id, records, record_sources, match_key`;

/** SQL for the code of the word in `column` (schema 14). */
const codesSql = (column: string, words: readonly string[]) => `CASE ${column} ${words.map((w, i) => `WHEN '${w}' THEN ${i}`).join(' ')} END`;

/** SQL selecting `what` of the string of `dim` spelled exactly as `valueSql` (the index compares without case). */
const exactString = (dim: keyof typeof STRING_DIMS, valueSql: string, what: string) =>
  `SELECT ${what} FROM strings s WHERE s.dim = ${STRING_DIMS[dim]} AND s.value = ${valueSql} COLLATE NOCASE AND s.value = ${valueSql}`;

/**
 * What `sessions_conn` indexed of a session's connection key from schema 28 to 30: its end, which
 * holds the client and the connection's number, where the whole key also holds the log's folder.
 * Schema 31 splits the key (store/session-keys.ts).
 */
const SESSION_KEY_TAIL = 'substr(conn_key, -16)';

/** A session's counts, the same columns since schema 2. */
const SESSION_COUNT_COLUMNS = `commands      INTEGER NOT NULL DEFAULT 0,
    uploads       INTEGER NOT NULL DEFAULT 0,
    downloads     INTEGER NOT NULL DEFAULT 0,
    deletes       INTEGER NOT NULL DEFAULT 0,
    renames       INTEGER NOT NULL DEFAULT 0,
    failures      INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    bytes_up      INTEGER NOT NULL DEFAULT 0,
    bytes_down    INTEGER NOT NULL DEFAULT 0,
    events        INTEGER NOT NULL DEFAULT 0,`;

/**
 * The sessions as schema 31 stores them: the user, client IP, server and protocol as string ids
 * (SESSION_STRING_DIMS), how the login went and how the session ended as codes (op-codes.ts), read
 * as words through generated columns of their old names. 10M EFT lines: a session row was 164
 * bytes, its text 30 of them.
 */
const SESSIONS_TABLE_31 = (name: string) => `CREATE TABLE ${name} (
    id            INTEGER PRIMARY KEY,
    conn_head_id  INTEGER,                        -- session_keys.id: the key through its last |
    conn_tail     TEXT NOT NULL,                  -- the rest of the key
    server_id     INTEGER,
    format        TEXT,
    source_id     INTEGER,
    start_ts      INTEGER,
    end_ts        INTEGER,
    duration_ms   INTEGER GENERATED ALWAYS AS (end_ts - start_ts) VIRTUAL,
    client_ip_id  INTEGER,
    client_port   INTEGER,
    user_id       INTEGER,
    protocol_id   INTEGER,
    login_state   INTEGER NOT NULL DEFAULT ${LOGIN_STATES.indexOf('none')},
    ${wordColumn('login', 'login_state', LOGIN_STATES)},
    login_reason  TEXT,
    login_code    TEXT,
    ${SESSION_COUNT_COLUMNS}
    end_code      INTEGER,                        -- none while open
    ${wordColumn('end_reason', 'end_code', END_REASONS)},
    open          INTEGER NOT NULL DEFAULT 1,
    pending       TEXT,                           -- JSON: analyser state of an open session
    first_event_id INTEGER,
    last_event_id INTEGER
  )`;

/** The sessions' columns schema 31 copies as they are. */
const SESSION_COLUMNS_31 = `id, format, source_id, start_ts, end_ts, client_port, login_reason, login_code, commands, uploads, downloads,
    deletes, renames, failures, failed_logins, bytes_up, bytes_down, events, open, pending, first_event_id, last_event_id`;

/**
 * The indexes the analysis finds sessions on (by connection key, client IP, openness), kept
 * through a bulk load; the others are SESSION_INDEXES.
 */
const SESSION_LOOKUP_INDEXES: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS sessions_conn ON sessions(conn_tail, conn_head_id, start_ts)',
  'CREATE INDEX IF NOT EXISTS sessions_ip ON sessions(client_ip_id, start_ts)',
  'CREATE INDEX IF NOT EXISTS sessions_open ON sessions(open) WHERE open = 1',
];

/** One step of the schema: SQL, or a function for what SQL alone cannot do (it runs in the step's transaction). */
export type Migration = string | ((db: Db) => void);

/**
 * The database schema as an ordered list of migrations. `PRAGMA user_version` records how many have
 * run. Never edit a released migration: append a new one.
 */
export const MIGRATIONS: readonly Migration[] = [
  // 1: sources, events, full-text index.
  `
  CREATE TABLE sources (
    id            INTEGER PRIMARY KEY,
    path          TEXT NOT NULL UNIQUE,
    dev           TEXT,
    ino           TEXT,
    size          INTEGER NOT NULL DEFAULT 0,
    mtime_ms      INTEGER NOT NULL DEFAULT 0,
    fp_len        INTEGER NOT NULL DEFAULT 0,
    fp_hash       TEXT,
    compression   TEXT,
    format        TEXT,
    format_detail TEXT,
    encoding      TEXT,
    options       TEXT,
    bytes_indexed INTEGER NOT NULL DEFAULT 0,
    lines_indexed INTEGER NOT NULL DEFAULT 0,
    events        INTEGER NOT NULL DEFAULT 0,
    directives    INTEGER NOT NULL DEFAULT 0,
    unparsed      INTEGER NOT NULL DEFAULT 0,
    parser_state  TEXT,
    first_ts      INTEGER,
    last_ts       INTEGER,
    added_at      INTEGER NOT NULL,
    indexed_at    INTEGER
  );

  -- One row per line of every source. kind: 0 event, 1 directive, 2 unparsed.
  CREATE TABLE events (
    id          INTEGER PRIMARY KEY,
    source_id   INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
    line_no     INTEGER NOT NULL,
    byte_offset INTEGER NOT NULL,
    ts          INTEGER,
    ts_local    INTEGER,
    kind        INTEGER NOT NULL,
    server      TEXT,
    client_ip   TEXT,
    client_port INTEGER,
    server_port INTEGER,
    user        TEXT,
    protocol    TEXT,
    session_key TEXT,
    verb        TEXT,
    path        TEXT,
    status      TEXT,
    bytes       INTEGER,
    duration_ms INTEGER,
    message     TEXT,
    pid         INTEGER,
    extra       TEXT,
    raw         TEXT NOT NULL
  );
  -- Full-text index of every line's text (user, path and message are all part of it). Contentless:
  -- the text lives once, in events. unicode61 splits on punctuation, so path pieces, IP octets and
  -- words are tokens and phrases like "INV_2026-01" match; measured against trigram on 100k EFT lines:
  -- 2.4 s and 52 MB vs 4.9 s and 101 MB. True infix search goes through the path column instead.
  CREATE VIRTUAL TABLE events_fts USING fts5(
    text, content='', contentless_delete=1, tokenize='unicode61 remove_diacritics 2'
  );
  `,
  // 2: sessions and transfers reconstructed from events (src-main/core/analysis), and each event's
  // link to them plus its operation and outcome, so that `dir:` and `status:` filter events too.
  `
  -- path: filters are case-insensitive (Windows paths): the index is rebuilt NOCASE (events_path_ci).
  DROP INDEX IF EXISTS events_path;
  ALTER TABLE events ADD COLUMN session_id INTEGER;
  ALTER TABLE events ADD COLUMN transfer_id INTEGER;
  -- login, logout, connect, upload, download, delete, rename, mkdir, rmdir, or NULL (other command)
  ALTER TABLE events ADD COLUMN op TEXT;
  -- success, failed, incomplete, or NULL (no outcome in the record)
  ALTER TABLE events ADD COLUMN outcome TEXT;

  CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;

  -- One connection. conn_key names it within its server (e.g. "w3c|[12]|10.0.0.5", "pid|4711").
  CREATE TABLE sessions (
    id            INTEGER PRIMARY KEY,
    conn_key      TEXT NOT NULL,
    server        TEXT,
    format        TEXT,
    source_id     INTEGER,
    start_ts      INTEGER,
    end_ts        INTEGER,
    duration_ms   INTEGER GENERATED ALWAYS AS (end_ts - start_ts) VIRTUAL,
    client_ip     TEXT,
    client_port   INTEGER,
    user          TEXT,
    protocol      TEXT,
    login         TEXT NOT NULL DEFAULT 'none',   -- success, failed, none
    login_reason  TEXT,
    login_code    TEXT,
    ${SESSION_COUNT_COLUMNS}
    end_reason    TEXT,                           -- quit, timeout, disconnected, unknown
    open          INTEGER NOT NULL DEFAULT 1,
    pending       TEXT                            -- JSON: analyser state of an open session
  );
  CREATE INDEX sessions_start ON sessions(start_ts);
  CREATE INDEX sessions_user ON sessions(user COLLATE NOCASE, start_ts) WHERE user IS NOT NULL;
  CREATE INDEX sessions_ip ON sessions(client_ip, start_ts);
  CREATE INDEX sessions_conn ON sessions(conn_key, start_ts);
  CREATE INDEX sessions_open ON sessions(open) WHERE open = 1;
  CREATE INDEX sessions_failed ON sessions(start_ts) WHERE login = 'failed' OR failures > 0;

  -- One real file operation, however many log records describe it (records counts them).
  CREATE TABLE transfers (
    id          INTEGER PRIMARY KEY,
    session_id  INTEGER,
    ts          INTEGER,
    server      TEXT,
    user        TEXT,
    client_ip   TEXT,
    protocol    TEXT,
    op          TEXT NOT NULL,     -- upload, download, delete, rename, mkdir, rmdir
    path        TEXT,
    path_to     TEXT,              -- rename target
    bytes       INTEGER,
    duration_ms INTEGER,
    rate_bps    INTEGER GENERATED ALWAYS AS (CASE WHEN duration_ms > 0 AND bytes IS NOT NULL THEN bytes * 1000 / duration_ms END) VIRTUAL,
    status      TEXT NOT NULL,     -- success, failed, incomplete
    code        TEXT,
    source_id   INTEGER,
    event_id    INTEGER,           -- the first record's event
    records     INTEGER NOT NULL DEFAULT 1,
    match_name  TEXT NOT NULL DEFAULT '',     -- the file name as records of other logs are compared (analysis/analyzer.ts)
    record_sources TEXT NOT NULL DEFAULT ''   -- ",3,7,": sources holding a record (one log never records one operation twice)
  );
  CREATE INDEX transfers_ts ON transfers(ts);
  CREATE INDEX transfers_user ON transfers(user COLLATE NOCASE, ts) WHERE user IS NOT NULL;
  CREATE INDEX transfers_ip ON transfers(client_ip, ts);
  CREATE INDEX transfers_path ON transfers(path COLLATE NOCASE, ts);
  CREATE INDEX transfers_failed ON transfers(ts) WHERE status = 'failed';
  CREATE INDEX transfers_match ON transfers(op, match_name, ts);
  CREATE INDEX transfers_session ON transfers(session_id) WHERE session_id IS NOT NULL;
  `,
  // 3: pre-aggregated events (src-main/core/store/rollup.ts), so that charting everything does not
  // group millions of rows: counts per minute, and per value of the columns the top lists show (the
  // index on the count gives a top list without reading them all). Kept in step with the events by
  // the writer, like the sources' counters.
  `
  CREATE TABLE event_minutes (
    minute    INTEGER PRIMARY KEY,   -- ts / 60000
    events    INTEGER NOT NULL,
    bytes     INTEGER NOT NULL,
    failures  INTEGER NOT NULL
  );
  CREATE TABLE event_values (
    dim       INTEGER NOT NULL,   -- 0 user, 1 client IP, 2 path, 3 status code
    value     TEXT NOT NULL,
    events    INTEGER NOT NULL,
    PRIMARY KEY (dim, value)
  ) WITHOUT ROWID;
  CREATE INDEX event_values_top ON event_values(dim, events);
  INSERT INTO meta (key, value) VALUES ('rollup_dirty', '1') ON CONFLICT (key) DO UPDATE SET value = '1';
  `,
  // 4: how far each file's times go back (query/ordered-text.ts). Logs are written in time order, so
  // read in line order each file's times rarely fall behind the latest seen: ts_disorder_ms is the
  // most they ever do (0: never; NULL: not known), ts_seen_max the latest time seen so far (every
  // line kind). The writer keeps them; here they are computed from the rows.
  `
  ALTER TABLE sources ADD COLUMN ts_seen_max INTEGER;
  ALTER TABLE sources ADD COLUMN ts_disorder_ms INTEGER;
  UPDATE sources SET
    ts_seen_max = (SELECT max(ts) FROM events WHERE source_id = sources.id),
    ts_disorder_ms = (SELECT max(0, coalesce(max(behind), 0)) FROM (
      SELECT max(ts) OVER (ORDER BY line_no ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING) - ts AS behind
      FROM events WHERE source_id = sources.id AND ts IS NOT NULL));
  `,
  // 5: each line's text once, deflated in blocks of 1,024 lines (store/line-blocks.ts), instead of
  // a raw column in every row.
  (db) => {
    db.exec('CREATE TABLE line_blocks (id INTEGER PRIMARY KEY, gen INTEGER NOT NULL, data BLOB NOT NULL)');
    moveRawTextToBlocks(db);
    db.exec('ALTER TABLE events DROP COLUMN raw');
  },
  // 6: repeated strings stored once (store/strings.ts): the events' text columns become ids.
  `
  CREATE TABLE strings (id INTEGER PRIMARY KEY, dim INTEGER NOT NULL, value TEXT NOT NULL);
  CREATE INDEX strings_value ON strings(dim, value COLLATE NOCASE);
  ${STRING_COLUMNS.map((c) => `INSERT INTO strings (dim, value) SELECT DISTINCT ${STRING_DIMS[c]}, ${c} FROM events WHERE ${c} IS NOT NULL;`).join('\n  ')}
  ${EVENTS_TABLE('events_v6', 'words')}
  INSERT INTO events_v6 (id, source_id, line_no, byte_offset, ts, ts_local, kind, client_port, server_port, bytes, duration_ms, pid, extra,
    session_id, transfer_id, op, outcome, ${STRING_COLUMNS.map((c) => `${c}_id`).join(', ')})
  SELECT id, source_id, line_no, byte_offset, ts, ts_local, kind, client_port, server_port, bytes, duration_ms, pid, extra,
    session_id, transfer_id, op, outcome,
    ${STRING_COLUMNS.map((c) => `(SELECT s.id FROM strings s WHERE s.dim = ${STRING_DIMS[c]} AND s.value = e.${c} COLLATE NOCASE AND s.value = e.${c})`).join(',\n    ')}
  FROM events e ORDER BY id;
  DROP TABLE events;
  ALTER TABLE events_v6 RENAME TO events;
  `,
  // 7: transfers find their records in other logs by a hash of operation and name (store/match-key.ts).
  (db) => {
    db.function('xl_match_key', { deterministic: true }, (op: unknown, name: unknown) => matchKey(String(op), String(name)));
    db.exec(`ALTER TABLE transfers ADD COLUMN match_key INTEGER NOT NULL DEFAULT 0;
      UPDATE transfers SET match_key = xl_match_key(op, match_name);
      DROP INDEX IF EXISTS transfers_match;
      ALTER TABLE transfers DROP COLUMN match_name;
      CREATE INDEX transfers_match ON transfers(match_key, ts);`);
  },
  // 8: the rollup's values by string id (a path's text was stored again for its count).
  `
  DROP TABLE event_values;
  CREATE TABLE event_values (
    dim       INTEGER NOT NULL,   -- 0 user, 1 client IP, 2 path, 3 status code (store/rollup.ts)
    value_id  INTEGER NOT NULL,   -- strings.id
    events    INTEGER NOT NULL,
    PRIMARY KEY (dim, value_id)
  ) WITHOUT ROWID;
  CREATE INDEX event_values_top ON event_values(dim, events);
  INSERT INTO meta (key, value) VALUES ('rollup_dirty', '1') ON CONFLICT (key) DO UPDATE SET value = '1';
  `,
  // 9: the transfers' user, client IP, server, protocol and paths as string ids, like their events'
  // (a function: the indexes are defined below). transfers_match is built when first needed
  // (analysis/analyzer.ts, ensureMatchIndex).
  (db) => db.exec(`
  ${TRANSFER_STRING_COLUMNS.map((c) => `INSERT INTO strings (dim, value) SELECT DISTINCT ${STRING_DIMS[TRANSFER_STRING_DIMS[c]]}, ${c} FROM transfers t
    WHERE ${c} IS NOT NULL AND NOT EXISTS (${exactString(TRANSFER_STRING_DIMS[c], `t.${c}`, '1')});`).join('\n  ')}
  ${TRANSFERS_TABLE('transfers_v9', 'words')}
  INSERT INTO transfers_v9 (id, session_id, ts, op, bytes, duration_ms, status, code, source_id, event_id, records, record_sources, match_key,
    ${TRANSFER_STRING_COLUMNS.map((c) => `${c}_id`).join(', ')})
  SELECT id, session_id, ts, op, bytes, duration_ms, status, code, source_id, event_id, records, record_sources, match_key,
    ${TRANSFER_STRING_COLUMNS.map((c) => `(${exactString(TRANSFER_STRING_DIMS[c], `t.${c}`, 's.id')})`).join(',\n    ')}
  FROM transfers t ORDER BY id;
  DROP TABLE transfers;
  ALTER TABLE transfers_v9 RENAME TO transfers;
  ${TRANSFER_INDEXES.join(';\n  ')};
  `),
  // 10: the full-text index merges its segments in bigger, rarer steps. Measured on 300k EFT lines
  // (FTS5 alone, batches of 16k): inserting 1.49–2.24 s → 1.02–1.19 s, the same size after the
  // load (23.0 MB) and the same query times. FTS5 keeps these settings in events_fts_config.
  `
  INSERT INTO events_fts (events_fts, rank) VALUES ('automerge', 8);
  INSERT INTO events_fts (events_fts, rank) VALUES ('crisismerge', 64);
  `,
  // 11: the transfers no session holds yet, which every run tries to link (analysis/analyzer.ts,
  // relinkTransfers), found without reading every transfer (see TRANSFER_INDEXES).
  (db) => db.exec(TRANSFER_INDEXES.find((sql) => sql.includes('transfers_unlinked'))!),
  // 12: the full-text index moves to a file of its own, written by a second thread while the rows
  // are (store/full-text.ts); opening the database for writing then adds every line to it again
  // from line_blocks. Rows deleted are listed until their lines have left it.
  `
  DROP TABLE IF EXISTS main.events_fts;
  CREATE TABLE fts_deleted (id INTEGER PRIMARY KEY);
  `,
  // 13: events_transfer served only the linking of keyless transfers to their sessions, which now
  // finds a transfer's records by time (analysis/analyzer.ts, relinkTransfers): 1M EFT lines, 7.9 MB
  // and 230 ms of a first index's end.
  'DROP INDEX IF EXISTS events_transfer',
  // 14: what a row does and how it ended as small integers, read as words through generated
  // columns (store/op-codes.ts). The tables are copied (dropped indexes are built again at open).
  (db) => {
    const hadMatchIndex = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'transfers_match'").get() !== undefined;
    db.exec(`
    ${EVENTS_TABLE('events_v14', 'codes')}
    INSERT INTO events_v14 (${EVENT_COLUMNS_14}, op_code, outcome_code)
    SELECT ${EVENT_COLUMNS_14}, ${codesSql('op', EVENT_OPS)}, ${codesSql('outcome', OUTCOMES)} FROM events ORDER BY id;
    DROP TABLE events;
    ALTER TABLE events_v14 RENAME TO events;
    ${TRANSFERS_TABLE('transfers_v14', 'codes')}
    INSERT INTO transfers_v14 (${TRANSFER_COLUMNS_14}, op_code, status_code)
    SELECT ${TRANSFER_COLUMNS_14}, ${codesSql('op', TRANSFER_OPS)}, ${codesSql('status', OUTCOMES)} FROM transfers ORDER BY id;
    DROP TABLE transfers;
    ALTER TABLE transfers_v14 RENAME TO transfers;
    ${hadMatchIndex ? 'CREATE INDEX transfers_match ON transfers(match_key, ts);' : ''}`);
  },
  // 15: the rows of a user, client IP or code are found on the full-text file's postings lists
  // (store/full-text.ts, events_fields) instead of three B-tree indexes (1M EFT lines: 53 MB, about
  // 1.5 s of a first index's end, and many of the pages an append writes).
  'DROP INDEX IF EXISTS events_user; DROP INDEX IF EXISTS events_ip; DROP INDEX IF EXISTS events_status;',
  // 16: events_fields keeps no sizes per row (12.6 MB at 1M lines): a row leaves it by naming its
  // tokens again, which are listed with its id when it is deleted (store/full-text.ts).
  'ALTER TABLE fts_deleted ADD COLUMN fields TEXT',
  // 17: a transfer takes the id of its first record's event (an event heads one transfer at most),
  // so that transfers and events share one space of ids: a transfer is found by its event's id, and
  // event_id needs no column of its own. The events' links follow. A transfer with no event (none
  // is written so) is left to the next rebuild of the analysis, which any writer runs first.
  (db) => {
    const hadMatchIndex = db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'transfers_match'").get() !== undefined;
    const orphans = db.prepare('SELECT count(*) FROM transfers WHERE event_id IS NULL').pluck().get() as number;
    const shared = db.prepare('SELECT count(*) FROM (SELECT event_id FROM transfers WHERE event_id IS NOT NULL GROUP BY event_id HAVING count(*) > 1)').pluck().get() as number;
    db.exec(`
    ${TRANSFERS_TABLE('transfers_v17', 'codes', 'event')}
    INSERT INTO transfers_v17 (id, ${TRANSFER_COLUMNS_17})
    SELECT event_id, ${TRANSFER_COLUMNS_17} FROM transfers WHERE id IN (SELECT min(id) FROM transfers WHERE event_id IS NOT NULL GROUP BY event_id)
    ORDER BY event_id;
    UPDATE events SET transfer_id = (SELECT t.event_id FROM transfers t WHERE t.id = events.transfer_id) WHERE transfer_id IS NOT NULL;
    DROP TABLE transfers;
    ALTER TABLE transfers_v17 RENAME TO transfers;
    ${hadMatchIndex ? 'CREATE INDEX transfers_match ON transfers(match_key, ts);' : ''}`);
    if (orphans + shared > 0) writeMeta(db, 'analysis_dirty', '1');
  },
  // 18: a transfer whose every value is its one record's event's is that event, marked
  // (store/plain-transfers.ts): its row and its entries in the transfers' indexes go (1M EFT lines:
  // 602k of 667k transfers). Not while transfers_match exists: records of other logs are matched
  // against rows. The transfers' indexes are dropped for the deletes and built again at open.
  (db) => {
    db.exec('ALTER TABLE events ADD COLUMN plain_transfer INTEGER NOT NULL DEFAULT 0');
    if (db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'transfers_match'").get()) return;
    for (const sql of TRANSFER_INDEXES) db.exec(`DROP INDEX IF EXISTS ${indexName(sql)}`);
    db.exec(`UPDATE events SET plain_transfer = 1 WHERE id IN (SELECT t.id FROM transfers t JOIN events e ON e.id = t.id WHERE ${PLAIN_ROW_SQL});
      DELETE FROM transfers WHERE id IN (SELECT id FROM events WHERE plain_transfer = 1);`);
  },
  // 19: the transfers' rollup (store/rollup.ts), beside the events' in the same rows: the chart of
  // every transfer grouped them all (1M EFT lines: 3.8 s; 10M: about 30 s). Its top lists walk
  // their own count index, of the values transfers hold only.
  (db) => {
    db.exec(`ALTER TABLE event_minutes ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE event_minutes ADD COLUMN transfer_bytes INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE event_minutes ADD COLUMN transfer_failures INTEGER NOT NULL DEFAULT 0;
      ALTER TABLE event_values ADD COLUMN transfers INTEGER NOT NULL DEFAULT 0;
      CREATE INDEX transfer_values_top ON event_values(dim, transfers) WHERE transfers > 0;`);
    // Rebuilt whole after the upgrade, by the code of the schema reached (computing the transfers'
    // part here with today's code would write columns later schemas add).
    markRollupStale(db);
  },
  // 20: the plain transfers' users, client IPs and codes are found on the events' postings lists
  // (events_fields), as the events' are: their two indexes go (1M EFT lines: 21.6 MB).
  'DROP INDEX IF EXISTS events_transfer_user; DROP INDEX IF EXISTS events_transfer_ip;',
  // 21: the plain transfers are walked in time order on the events' time index (store/plain-transfers.ts).
  'DROP INDEX IF EXISTS events_transfer_ts;',
  // 22: the full-text index keeps no sizes per row (store/full-text.ts, FULL_TEXT_NO_SIZES_SCHEMA):
  // a deleted row's line is removed by its text, kept until then. The index file is built again.
  'ALTER TABLE fts_deleted ADD COLUMN text TEXT;',
  // 23: the top lists' count indexes hold only the values met at least TOP_INDEX_MIN_COUNT times
  // (store/rollup.ts): 1M EFT lines, 8.8 MB.
  `DROP INDEX IF EXISTS event_values_top; DROP INDEX IF EXISTS transfer_values_top; ${TOP_INDEXES_SQL}`,
  // 24: a session's events are found in the id ranges they span per log (analysis/analyzer.ts,
  // `spans`), instead of an index on events.session_id (1M EFT lines: 18.9 MB).
  (db) => {
    db.exec(`ALTER TABLE sessions ADD COLUMN first_event_id INTEGER; ALTER TABLE sessions ADD COLUMN last_event_id INTEGER;
      CREATE INDEX IF NOT EXISTS events_session ON events(session_id, ts) WHERE session_id IS NOT NULL;`);
    storeSessionSpans(db);
    db.exec('DROP INDEX events_session');
  },
  // 25: a file's rows are found in the id ranges its lines were stored under (store/line-spans.ts),
  // instead of an index on events(source_id, line_no) (1M EFT lines: 13.1 MB).
  (db) => {
    db.exec(LINE_SPANS_SCHEMA);
    storeLineSpans(db);
    db.exec('DROP INDEX IF EXISTS events_source_line');
  },
  // 26: an event's kind, operation, outcome and marks in one integer, its rare fields (duration,
  // pid, extra) in one JSON column, read under their old names (store/op-codes.ts): eight columns
  // become two, six bytes less of every row's header. The rows are copied; the indexes, dropped
  // with the old table, are built again at open.
  `${EVENTS_TABLE_26('events_v26')}
  INSERT INTO events_v26 (${EVENT_COLUMNS_26}, flags, more) SELECT ${EVENT_COLUMNS_26}, ${EVENT_FLAGS_SQL}, ${EVENT_MORE_SQL} FROM events ORDER BY id;
  DROP TABLE events;
  ALTER TABLE events_v26 RENAME TO events;`,
  // 27: a line's byte offset is kept in its line block (store/line-blocks.ts: encodeOffsets), a few
  // bytes a block instead of a column of every row (1M EFT lines: 4.9 MB).
  (db) => {
    db.exec('ALTER TABLE line_blocks ADD COLUMN offsets BLOB');
    moveOffsetsToBlocks(db);
    db.exec(`${EVENTS_TABLE_26('events_v27', 'in blocks')}
      INSERT INTO events_v27 (${EVENT_COLUMNS_27}, flags, more) SELECT ${EVENT_COLUMNS_27}, flags, more FROM events ORDER BY id;
      DROP TABLE events;
      ALTER TABLE events_v27 RENAME TO events;`);
  },
  // 28: sessions are found by the end of their key (SESSION_KEY_TAIL) instead of the whole key,
  // which repeats the log's folder (1M EFT lines: 5.3 → 3.0 MB; more with Windows' long folders).
  `DROP INDEX IF EXISTS sessions_conn;
  CREATE INDEX sessions_conn ON sessions(${SESSION_KEY_TAIL}, start_ts);`,
  // 29: a path's rows, and a folder's, are found on events_fields' postings lists (store/field-tokens.ts,
  // which bindFullText fills again after the migrations) instead of the events' path index (1M EFT
  // lines: 13.6 MB, and the most pages an append rewrote of any index).
  'DROP INDEX IF EXISTS events_path',
  // 30: the figures a report of every row shows, per minute in the rollup (store/rollup.ts,
  // FIGURE_COLUMNS): they took grouping every event and transfer (10M EFT lines: 13 s).
  (db) => {
    db.exec(['logins_ok', 'logins_failed', 'uploads', 'upload_bytes', 'downloads', 'download_bytes', 'transfer_max_bytes']
      .map((c) => `ALTER TABLE event_minutes ADD COLUMN ${c} INTEGER NOT NULL DEFAULT 0;`).join('\n'));
    fillFigureColumns(db);
  },
  // 31: the sessions' user, client IP, server and protocol as string ids, their login and end as
  // codes, their connection key in two parts (SESSIONS_TABLE_31, store/session-keys.ts). Values no event holds (a server named after the log's folder) are
  // added to the strings first; the rows are copied and their indexes built again. A word without a
  // code (none was ever written) is read as none and unknown, never lost as an open session.
  (db) => {
    db.exec(STRING_INDEX); // a bulk load killed before its end left it missing: each value is looked up on it
    db.function('xl_key_head', { deterministic: true }, (key: unknown) => splitConnKey(String(key)).head);
    db.function('xl_key_tail', { deterministic: true }, (key: unknown) => splitConnKey(String(key)).tail);
    db.exec(`${SESSION_STRING_COLUMNS.map((c) => `INSERT INTO strings (dim, value) SELECT DISTINCT ${STRING_DIMS[SESSION_STRING_DIMS[c]]}, ${c}
      FROM sessions x WHERE ${c} IS NOT NULL AND NOT EXISTS (${exactString(SESSION_STRING_DIMS[c], `x.${c}`, '1')});`).join('\n')}
      ${SESSION_KEYS_SCHEMA};
      INSERT OR IGNORE INTO session_keys (head) SELECT xl_key_head(conn_key) FROM sessions WHERE xl_key_head(conn_key) IS NOT NULL ORDER BY 1;
      ${SESSIONS_TABLE_31('sessions_v31')};
      INSERT INTO sessions_v31 (${SESSION_COLUMNS_31}, conn_head_id, conn_tail, login_state, end_code, ${SESSION_STRING_COLUMNS.map((c) => `${c}_id`).join(', ')})
      SELECT ${SESSION_COLUMNS_31}, (SELECT k.id FROM session_keys k WHERE k.head = xl_key_head(x.conn_key)), xl_key_tail(x.conn_key), coalesce(${codesSql('login', LOGIN_STATES)}, ${LOGIN_STATES.indexOf('none')}),
        coalesce(${codesSql('end_reason', END_REASONS)}, CASE WHEN open = 0 THEN ${END_REASONS.indexOf('unknown')} END),
        ${SESSION_STRING_COLUMNS.map((c) => `(${exactString(SESSION_STRING_DIMS[c], `x.${c}`, 's.id')})`).join(',\n        ')}
      FROM sessions x ORDER BY id;
      DROP TABLE sessions;
      ALTER TABLE sessions_v31 RENAME TO sessions;
      ${[...SESSION_LOOKUP_INDEXES, ...SESSION_INDEXES].join(';\n')};`);
  },
];

/**
 * Records where each session's events are from the events' links (migration 24, with the index it
 * drops; tests that write rows themselves): the span in the log that opened it in its row, those in
 * other logs in its `pending` JSON, beside the counts the analysis keeps there (analysis/analyzer.ts).
 */
export function storeSessionSpans(db: Db): void {
  db.exec(`UPDATE sessions SET (first_event_id, last_event_id) = (SELECT min(e.id), max(e.id) FROM events e
    WHERE e.session_id = sessions.id AND e.source_id = sessions.source_id)`);
  const others = db.prepare(`SELECT e.session_id, e.source_id, min(e.id), max(e.id) FROM events e JOIN sessions s ON s.id = e.session_id
    WHERE e.source_id IS NOT s.source_id GROUP BY 1, 2`).raw().all() as [number, number, number, number][];
  const bySession = new Map<number, Record<string, [number, number]>>();
  for (const [session, source, first, last] of others) {
    const spans = bySession.get(session) ?? {};
    spans[source] = [first, last];
    bySession.set(session, spans);
  }
  const read = db.prepare('SELECT source_id, first_event_id, last_event_id, pending, commands, failures, failed_logins FROM sessions WHERE id = ?');
  const write = db.prepare('UPDATE sessions SET pending = ? WHERE id = ?');
  for (const [id, spans] of bySession) {
    const r = read.get(id) as { source_id: number; first_event_id: number | null; last_event_id: number | null; pending: string | null;
      commands: number; failures: number; failed_logins: number };
    const pending = r.pending
      ? (JSON.parse(r.pending) as Record<string, unknown>)
      : { perSource: { [r.source_id]: { commands: r.commands, failures: r.failures, failedLogins: r.failed_logins } }, renameFrom: null, awaiting: null };
    if (r.first_event_id !== null) spans[r.source_id] = [r.first_event_id, r.last_event_id!];
    write.run(JSON.stringify({ ...pending, spans }), id);
  }
}

export const SCHEMA_VERSION = MIGRATIONS.length;

/**
 * Indexes on events for the filters users apply. Kept apart from the migrations because a first bulk
 * load drops them and builds them once at the end (about 1.5x faster than maintaining them row by
 * row); `ensureIndexes` puts back any that a killed run left missing.
 */
export const EVENT_INDEXES: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS events_ts ON events(ts)',
  // (user:alice finds the ids of alice's spellings on the strings index, then her rows in the full-text
  // file's events_fields, schema 15, as client IPs, codes and paths, schema 29: a folder's too.)
  // Failures are few and looked for often (insights, `failed`): a small index of just them.
  "CREATE INDEX IF NOT EXISTS events_failed ON events(op, ts) WHERE outcome = 'failed'",
  ...PLAIN_TRANSFER_INDEXES,
];

/**
 * The transfers' secondary indexes, deferred in a bulk load like the events' (migration 9 created them
 * with these same definitions). transfers_match is not among them: matching records while loading
 * needs it.
 */
export const TRANSFER_INDEXES: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS transfers_ts ON transfers(ts)',
  'CREATE INDEX IF NOT EXISTS transfers_user ON transfers(user_id, ts) WHERE user_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS transfers_ip ON transfers(client_ip_id, ts) WHERE client_ip_id IS NOT NULL',
  'CREATE INDEX IF NOT EXISTS transfers_path ON transfers(path_id, ts) WHERE path_id IS NOT NULL',
  "CREATE INDEX IF NOT EXISTS transfers_failed ON transfers(ts) WHERE status = 'failed'",
  'CREATE INDEX IF NOT EXISTS transfers_session ON transfers(session_id) WHERE session_id IS NOT NULL',
  // Each run looks for transfers without a session: few or none (an EFT log has none), but reading
  // every transfer to find them cost 150 ms per 200k transfers on every append.
  'CREATE INDEX IF NOT EXISTS transfers_unlinked ON transfers(client_ip_id) WHERE session_id IS NULL AND client_ip_id IS NOT NULL',
];

/**
 * The sessions' indexes that only queries read (by time, user, failures), deferred in a bulk load
 * like the events' (migration 2 created them with these definitions): the analysis looks sessions
 * up by connection key, client IP and openness, whose indexes stay. Keeping these three up to date
 * cost a third of writing the sessions (1M EFT lines, 94k sessions inserted and updated in memory:
 * 990 → 660 ms); building them at the end, about 50 ms.
 */
export const SESSION_INDEXES: readonly string[] = [
  'CREATE INDEX IF NOT EXISTS sessions_start ON sessions(start_ts)',
  // By the string ids of the user (schema 31): user:alice finds her spellings on the strings' index.
  'CREATE INDEX IF NOT EXISTS sessions_user ON sessions(user_id, start_ts) WHERE user_id IS NOT NULL',
  "CREATE INDEX IF NOT EXISTS sessions_failed ON sessions(start_ts) WHERE login = 'failed' OR failures > 0",
];

const indexName = (sql: string) => /EXISTS (\w+)/.exec(sql)![1]!;
export const EVENT_INDEX_NAMES = EVENT_INDEXES.map(indexName);
export const SESSION_INDEX_NAMES = SESSION_INDEXES.map(indexName);
/** Every index a bulk load may drop: of events, transfers and sessions (ensureIndexes puts back any that is missing). */
export const DEFERRED_INDEXES: readonly string[] = [...EVENT_INDEXES, ...TRANSFER_INDEXES, ...SESSION_INDEXES];
/** The definition of the deferred index named `name`. */
export function deferredIndexSql(name: string): string {
  const sql = DEFERRED_INDEXES.find((s) => indexName(s) === name);
  if (!sql) throw new Error(`no deferred index is named ${name}`);
  return sql;
}
/**
 * Partial indexes of the few failed or unlinked rows stay through a bulk load: keeping them costs
 * next to nothing, while building each at the end read the whole table (1M EFT lines: 270 ms).
 * transfers_ts stays too: a record that names no file is looked for in other logs on it (without
 * it, each such record read every transfer stored).
 */
const KEPT_IN_BULK_LOADS = new Set(['events_failed', 'events_transfer_failed', 'transfers_failed', 'transfers_unlinked', 'transfers_ts']);
/** The indexes a bulk load drops and builds at its end. */
export const DEFERRED_INDEX_NAMES = DEFERRED_INDEXES.map(indexName).filter((name) => !KEPT_IN_BULK_LOADS.has(name));

/**
 * Migration 27: each block's offsets from its rows' byte_offset. Rows are read in id order, in which
 * each file's lines come in order (files read side by side interleave), so a block is written when
 * its file's next row is in another block, or when more than OPEN_BLOCKS files have one open (it
 * is the one touched least recently); one met again is merged with what it holds. A line without a
 * row starts where the one before it ended.
 */
function moveOffsetsToBlocks(db: Db): void {
  const page = db.prepare('SELECT id, source_id, line_no, byte_offset FROM events WHERE id > ? ORDER BY id LIMIT ?').raw();
  const read = db.prepare('SELECT data, offsets FROM line_blocks WHERE id = ?');
  const write = db.prepare('UPDATE line_blocks SET offsets = ? WHERE id = ?');
  const open = new Map<number, { id: number; offsets: Float64Array }>();
  const flush = (block: { id: number; offsets: Float64Array }) => {
    const stored = read.get(block.id) as { data: Buffer; offsets: Buffer | null } | undefined;
    if (!stored) return;
    const lines = decompressLines(stored.data);
    const lengths = byteLengthsOf(lines);
    const before = stored.offsets ? decodeOffsets(stored.offsets, lengths, lines.length) : undefined;
    const known = Array.from(lines, (_, i) => (Number.isNaN(block.offsets[i]!) && before ? before[i]! : block.offsets[i]!));
    write.run(encodeOffsets(followingOffsets(known, lengths), lengths), block.id);
  };
  for (let after = 0; ; ) {
    const rows = page.all(after, MOVE_PAGE) as [number, number, number, number][];
    if (!rows.length) break;
    for (const [, sourceId, lineNo, offset] of rows) {
      const id = blockId(sourceId, lineNo);
      let block = open.get(sourceId);
      open.delete(sourceId); // the Map's order is recency
      if (block?.id !== id) {
        if (block) flush(block);
        block = { id, offsets: new Float64Array(LINES_PER_BLOCK).fill(NaN) };
        if (open.size >= OPEN_BLOCKS) {
          const [oldest, stale] = open.entries().next().value!;
          flush(stale);
          open.delete(oldest);
        }
      }
      open.set(sourceId, block);
      block.offsets[(lineNo - 1) % LINES_PER_BLOCK] = offset;
    }
    after = rows[rows.length - 1]![0];
  }
  for (const block of open.values()) flush(block);
}

/** Files whose current block moveOffsetsToBlocks keeps (8 KB each): 10k daily logs would hold 80 MB. */
const OPEN_BLOCKS = 64;

/** Rows read at a time while moving the lines' text into blocks. */
const MOVE_PAGE = 16 * LINES_PER_BLOCK;

function moveRawTextToBlocks(db: Db): void {
  const blocks = new LineBlockBuilder(db, 'text only');
  const page = db.prepare('SELECT source_id AS sourceId, line_no AS lineNo, raw FROM events WHERE (source_id, line_no) > (?, ?) ORDER BY source_id, line_no LIMIT ?');
  let after = { sourceId: -1, lineNo: 0 };
  for (;;) {
    const rows = page.all(after.sourceId, after.lineNo, MOVE_PAGE) as { sourceId: number; lineNo: number; raw: string }[];
    if (!rows.length) break;
    for (const r of rows) blocks.add(r.sourceId, r.lineNo, r.raw);
    after = rows[rows.length - 1]!;
  }
  blocks.finish();
}
