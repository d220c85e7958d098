/**
 * A database written by the release before the lean store (schema 4, test/fixtures/db/README.md)
 * opens, is migrated in place and loses nothing: every line's text and fields, the sessions and
 * transfers, the sources' counters, and what searches find. Its logs were indexed on another machine
 * and are nowhere on this one, so the rows can only come from the database itself.
 */
import Database from 'better-sqlite3';
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { countRows, iterateRows } from '../../src-main/core/query/index.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { ensureLineFunctions, lineOffsetSql, lineSql } from '../../src-main/core/store/line-blocks.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { EFT_W3C_SAMPLE, REPO, runCli, tempDir } from '../helpers.js';
import { ALL_TRANSFERS, SESSIONS_WIDE } from '../event-rows.js';
import { expectSessionsFoundBySpans } from '../spans.js';
import { expectAsColumnFilter, listedFieldTokens, rowsFieldTokens } from '../field-lists.js';

const FIXTURE = path.join(REPO, 'test', 'fixtures', 'db', 'schema4.sqlite');

type Row = Record<string, unknown>;

const TERMS = ['partner_nordbank', 'STOR', 'ftp', 'alice', 'Login'];

/** What the old database holds, read with plain SQL in its own schema. */
function readOld(file: string) {
  const old = new Database(file, { readonly: true });
  try {
    return {
      version: old.pragma('user_version', { simple: true }) as number,
      events: old.prepare(`SELECT id, source_id, line_no, byte_offset, ts, kind, server, client_ip, client_port, user, protocol, session_key,
        verb, path, status, bytes, duration_ms, message, pid, extra, raw, session_id, transfer_id, op, outcome FROM events ORDER BY id`).all() as Row[],
      sessions: old.prepare('SELECT * FROM sessions ORDER BY id').all() as Row[],
      transfers: old.prepare('SELECT * FROM transfers ORDER BY id').all() as Row[],
      sources: old.prepare('SELECT id, path, format, events, directives, unparsed, lines_indexed, bytes_indexed, first_ts, last_ts FROM sources ORDER BY id').all() as Row[],
      termCounts: new Map(TERMS.map((term) => [term, (old.prepare('SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?').get(`"${term}"`) as { n: number }).n])),
    };
  } finally {
    old.close();
  }
}

const pick = (row: Row, names: readonly string[]) => Object.fromEntries(names.map((n) => [n, row[n] ?? null]));

/**
 * Schema 17 gives each transfer its first record's event's id: the old rows as the new schema has
 * them, transfers ordered by their new ids and events linked to those.
 */
function withEventIds(old: { events: Row[]; transfers: Row[] }): { events: Row[]; transfers: Row[] } {
  const newId = new Map(old.transfers.map((t) => [t.id, t.event_id]));
  expect(new Set(newId.values()).size).toBe(old.transfers.length); // an event heads one transfer at most
  return {
    events: old.events.map((e) => (e.transfer_id === null ? e : { ...e, transfer_id: newId.get(e.transfer_id) })),
    transfers: old.transfers.map((t) => ({ ...t, id: t.event_id })).sort((a, b) => (a.id as number) - (b.id as number)),
  };
}

describe('a schema 4 database (the release before the lean store)', () => {
  let dir: string;
  let file: string;
  let before: ReturnType<typeof readOld>;
  let db: Db;

  beforeAll(() => {
    dir = tempDir();
    file = path.join(dir, 'old.sqlite');
    fs.copyFileSync(FIXTURE, file);
    before = readOld(file);
    db = openDatabase(file);
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is the fixture it claims to be: schema 4, logs of several formats that are not on this machine', () => {
    expect(before.version).toBe(4);
    expect(before.events.length).toBeGreaterThan(2000);
    expect(new Set(before.sources.map((s) => s.format))).toEqual(new Set(['proftpd-extended', 'proftpd-modlog', 'proftpd-system', 'xferlog', 'w3c', null]));
    for (const s of before.sources) expect(fs.existsSync(s.path as string)).toBe(false);
  });

  it('is migrated to the current schema', () => {
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
  });

  it('keeps every line: its text, kind, time and fields, in every format (unparsed lines too)', () => {
    const names = ['id', 'source_id', 'line_no', 'byte_offset', 'ts', 'server', 'client_ip', 'client_port', 'user', 'protocol', 'session_key',
      'verb', 'path', 'status', 'bytes', 'duration_ms', 'message', 'pid', 'extra', 'raw', 'session_id', 'transfer_id', 'op', 'outcome'];
    const after = [...iterateRows(db, 'events', '', { sort: 'id', columns: [...names, 'kind'] })];
    const kinds = ['event', 'directive', 'unparsed'];
    expect(after.map((r) => pick(r, names))).toEqual(withEventIds(before).events.map((r) => pick(r, names)));
    expect(after.map((r) => r.kind)).toEqual(before.events.map((r) => kinds[r.kind as number]));
    expect(after.filter((r) => r.transfer_id !== null).length).toBeGreaterThan(100);
    expect(after.filter((r) => r.kind === 'unparsed').length).toBe(169);
  });

  it('keeps the sessions, the transfers and the sources', () => {
    const sessionCols = ['id', 'start_ts', 'end_ts', 'user', 'client_ip', 'protocol', 'login', 'login_reason', 'login_code', 'uploads', 'downloads',
      'deletes', 'renames', 'failures', 'failed_logins', 'bytes_up', 'bytes_down', 'events', 'end_reason', 'open', 'conn_key', 'format'];
    // Older analyses kept PASS's masked argument as a failed login's reason: it reads as none.
    const masked = before.sessions.filter((r) => r.login_reason === '*******').length;
    expect(masked).toBeGreaterThan(0);
    const expected = before.sessions.map((r) => pick(r, sessionCols)).map((r) => (r.login_reason === '*******' ? { ...r, login_reason: null } : r));
    expect([...iterateRows(db, 'sessions', '', { sort: 'id', columns: sessionCols })]).toEqual(expected);
    const transferCols = ['id', 'ts', 'session_id', 'user', 'client_ip', 'protocol', 'op', 'path', 'path_to', 'bytes', 'duration_ms', 'status', 'code', 'records', 'event_id'];
    expect([...iterateRows(db, 'transfers', '', { sort: 'id', columns: transferCols })]).toEqual(withEventIds(before).transfers.map((r) => pick(r, transferCols)));
    const sources = db.prepare('SELECT id, path, format, events, directives, unparsed, lines_indexed, bytes_indexed, first_ts, last_ts FROM sources ORDER BY id').all();
    expect(sources).toEqual(before.sources);
  });

  it('finds what the old full-text index found, and searches fields and text alike', () => {
    for (const term of TERMS) {
      expect(before.termCounts.get(term), term).toBeGreaterThan(0);
      expect(countRows(db, 'events', term), term).toBe(before.termCounts.get(term));
    }
    const failed = before.events.filter((e) => e.outcome === 'failed').length;
    expect(countRows(db, 'events', 'status:failed')).toBe(failed);
    // Text without a letter or digit is looked for in each line's text.
    expect(countRows(db, 'events', '"->"')).toBe(before.events.filter((e) => (e.raw as string).includes('->')).length);
  });

  it('is upgraded when a reader opens it first (xferlens insights, a second app window)', () => {
    const copy = path.join(dir, 'read-first.sqlite');
    fs.copyFileSync(FIXTURE, copy);
    const reader = openDatabase(copy, { readonly: true });
    try {
      expect(reader.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(countRows(reader, 'events', '')).toBe(before.events.length);
      expect([...iterateRows(reader, 'events', 'kind:unparsed', { columns: ['raw'] })]).toHaveLength(169);
    } finally {
      reader.close();
    }
  });

  it('the CLI says it is upgrading, and how long it took', () => {
    const copy = path.join(dir, 'cli.sqlite');
    fs.copyFileSync(FIXTURE, copy);
    const r = runCli(['stats', '--db', copy, '--json']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`upgrading .*cli\\.sqlite from schema 4 to ${SCHEMA_VERSION}`));
    expect(r.stderr).toMatch(/upgraded in \d+\.\d s/);
    expect(JSON.parse(r.stdout)).toMatchObject({ lines: before.events.length });
    // Once upgraded, nothing more is said.
    expect(runCli(['stats', '--db', copy]).stderr).toBe('');
  });

  it('opens again without migrating twice, and takes new logs', async () => {
    db.close();
    db = openDatabase(file);
    const log = path.join(dir, 'u_ex100408.log');
    fs.writeFileSync(log, EFT_W3C_SAMPLE.join('\r\n') + '\r\n');
    const summary = await indexPaths(db, [log], { timeZone: 'UTC' });
    expect(summary.lines).toBe(EFT_W3C_SAMPLE.length);
    const raws = [...iterateRows(db, 'events', `source:${path.basename(log)}`, { sort: 'id', columns: ['raw'] })].map((r) => r.raw);
    expect(raws).toEqual(EFT_W3C_SAMPLE);
    expect(countRows(db, 'events', '')).toBe(before.events.length + EFT_W3C_SAMPLE.length);
  });
});

/**
 * A database written by the release before schema 14 (test/fixtures/db/README.md), which stored each
 * row's operation and outcome as words: migrated to codes, it reads exactly as before, row by row.
 */
describe('a schema 13 database (words for operations and outcomes)', () => {
  const FIXTURE_13 = path.join(REPO, 'test', 'fixtures', 'db', 'schema13.sqlite');
  let dir: string;
  let file: string;
  let db: Db;
  const read = (f: string) => {
    const d = new Database(f, { readonly: true });
    ensureLineFunctions(d);
    try {
      const version = d.pragma('user_version', { simple: true }) as number;
      return {
        version,
        // From schema 27 a line's byte offset is in its line block.
        events: d.prepare(version >= 27 ? `SELECT e.*, ${lineOffsetSql('e')} AS byte_offset FROM events e ORDER BY id` : 'SELECT * FROM events ORDER BY id').all() as Row[],
        // From schema 18 most transfers are their events (store/plain-transfers.ts): read them all.
        transfers: d.prepare(`SELECT * FROM ${version >= 18 ? ALL_TRANSFERS : 'transfers'} ORDER BY id`).all() as Row[],
        // From schema 31 their strings are ids, their login and end codes.
        sessions: d.prepare(version >= 31 ? `SELECT * FROM ${SESSIONS_WIDE} ORDER BY id` : 'SELECT * FROM sessions ORDER BY id').all() as Row[],
        sources: d.prepare('SELECT * FROM sources ORDER BY id').all() as Row[],
      };
    } finally {
      d.close();
    }
  };
  let before: ReturnType<typeof read>;

  beforeAll(() => {
    dir = tempDir();
    file = path.join(dir, 'old13.sqlite');
    fs.copyFileSync(FIXTURE_13, file);
    fs.copyFileSync(`${FIXTURE_13}-fts`, `${file}-fts`);
    before = read(file);
    db = openDatabase(file);
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('is the fixture it claims to be: schema 13, operations and outcomes of every kind, logs not on this machine', () => {
    expect(before.version).toBe(13);
    const words = (rows: Row[], col: string) => new Set(rows.map((r) => r[col]));
    expect(words(before.events, 'op')).toEqual(new Set([null, 'upload', 'download', 'delete', 'rename', 'mkdir', 'login', 'logout', 'connect', 'rmdir']));
    expect(words(before.events, 'outcome')).toEqual(new Set([null, 'success', 'failed', 'incomplete']));
    expect(words(before.transfers, 'status')).toEqual(new Set(['success', 'failed', 'incomplete']));
    for (const s of before.sources) expect(fs.existsSync(s.path as string)).toBe(false);
  });

  it('keeps every row as it was, the words read from their codes', () => {
    db.close();
    const after = read(file);
    db = openDatabase(file);
    expect(after.version).toBe(SCHEMA_VERSION);
    const old = (rows: Row[], drop: string[]) => rows.map((r) => Object.fromEntries(Object.entries(r).filter(([k]) => !drop.includes(k))));
    const expected = withEventIds(before);
    expect(old(after.events, ['op_code', 'outcome_code', 'plain_transfer', 'flags', 'more'])).toEqual(expected.events);
    // Its logs overlap (transfers_match exists: records are matched against rows): none is plain.
    expect(after.events.filter((e) => e.plain_transfer === 1)).toEqual([]);
    expect(old(after.transfers, ['op_code', 'status_code'])).toEqual(expected.transfers);
    // Schema 24 records where each session's events are (its own log's span in the row, the others' in `pending`).
    const withoutSpans = (r: Row) => {
      const { first_event_id: _f, last_event_id: _l, pending, user_id: _u, client_ip_id: _i, server_id: _sv, protocol_id: _p, login_state: _ls,
        end_code: _e, conn_head_id: _kh, conn_tail: _kt, ...rest } = r;
      const { spans: _s, ...kept } = pending ? (JSON.parse(pending as string) as Record<string, unknown>) : {};
      return { ...rest, pending: Object.keys(kept).length ? kept : null };
    };
    expect(after.sessions.map(withoutSpans)).toEqual(before.sessions.map((r) => ({ ...r, pending: r.pending ? JSON.parse(r.pending as string) : null })));
    expect(old(after.sources, [])).toEqual(before.sources);
    // The codes are what is stored: the words take no room in the rows.
    expect(after.events.filter((r) => r.op !== null).every((r) => typeof r.op_code === 'number')).toBe(true);
  });

  it('finds with the search language what the words found', () => {
    const count = (rows: Row[], test: (r: Row) => boolean) => rows.filter(test).length;
    expect(countRows(db, 'events', 'status:failed')).toBe(count(before.events, (e) => e.outcome === 'failed'));
    expect(countRows(db, 'transfers', 'status:failed')).toBe(count(before.transfers, (t) => t.status === 'failed'));
    expect(countRows(db, 'transfers', 'dir:upload')).toBe(count(before.transfers, (t) => t.op === 'upload'));
    expect(countRows(db, 'events', 'dir:login status:failed')).toBe(count(before.events, (e) => e.op === 'login' && e.outcome === 'failed'));
    expect(countRows(db, 'events', 'alice')).toBeGreaterThan(0);
  });

  it("finds each session's events in the spans the upgrade recorded, also those other logs linked to it", () => {
    expectSessionsFoundBySpans(db);
    const ofOtherLogs = db.prepare(`SELECT count(DISTINCT e.session_id) FROM events e JOIN sessions s ON s.id = e.session_id WHERE e.source_id <> s.source_id`).pluck().get() as number;
    expect(ofOtherLogs).toBeGreaterThan(3);
    expect(db.prepare(`SELECT count(*) FROM sessions WHERE pending LIKE '%"spans"%'`).pluck().get()).toBe(ofOtherLogs);
  });
});

describe('schema 17 on transfers that name no event, or one event twice (none is written so)', () => {
  it('keeps the others under their events\' ids, links no event to a transfer that is gone, and leaves the rest to the rebuild', () => {
    const dir = tempDir();
    try {
      const file = path.join(dir, 'odd.sqlite');
      fs.copyFileSync(path.join(REPO, 'test', 'fixtures', 'db', 'schema13.sqlite'), file);
      fs.copyFileSync(path.join(REPO, 'test', 'fixtures', 'db', 'schema13.sqlite-fts'), `${file}-fts`);
      const raw = new Database(file);
      const [first, second, third] = raw.prepare('SELECT id, event_id FROM transfers ORDER BY id LIMIT 3').all() as { id: number; event_id: number }[];
      raw.prepare('UPDATE transfers SET event_id = NULL WHERE id = ?').run(first!.id);
      raw.prepare('UPDATE transfers SET event_id = ? WHERE id = ?').run(second!.event_id, third!.id);
      const count = raw.prepare('SELECT count(*) FROM transfers').pluck().get() as number;
      raw.close();
      const db = openDatabase(file);
      try {
        expect(db.prepare(`SELECT count(*) FROM ${ALL_TRANSFERS}`).pluck().get()).toBe(count - 2);
        expect(db.prepare(`SELECT id FROM ${ALL_TRANSFERS} WHERE id = ?`).pluck().get(second!.event_id)).toBe(second!.event_id);
        expect(db.prepare(`SELECT count(*) FROM events e WHERE transfer_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM ${ALL_TRANSFERS} t WHERE t.id = e.transfer_id)`).pluck().get()).toBe(0);
        expect(db.prepare("SELECT value FROM meta WHERE key = 'analysis_dirty'").pluck().get()).toBe('1');
      } finally {
        db.close();
      }
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** events_fields holds each row under the tokens of its user, client IP, code, path and the path's folders, and no others. */
function expectFieldsOfRows(db: Db): void {
  const stored = rowsFieldTokens(db);
  expect([...stored.keys()].filter((t) => t.startsWith('f')).length).toBeGreaterThan(10);
  expect(listedFieldTokens(db)).toEqual(stored);
  db.exec("INSERT INTO fts.events_fields (events_fields) VALUES ('integrity-check')");
}

/**
 * A database written by the release before schema 29 (test/fixtures/db/README.md), whose events kept
 * a B-tree index on their paths: the upgrade drops it and fills events_fields again with each row's
 * path and folders (store/field-tokens.ts), in the index file it had; path: then finds what the
 * paths themselves say.
 */
describe('a schema 28 database (the events\' path index)', () => {
  const FIXTURE_28 = path.join(REPO, 'test', 'fixtures', 'db', 'schema28.sqlite');
  let dir: string;
  let file: string;
  let db: Db;
  const textMatches = (d: Database.Database) => TERMS.map((term) => d.prepare('SELECT rowid FROM fts.events_fts WHERE events_fts MATCH ? ORDER BY rowid').pluck().all(`"${term}"`));
  let before: { version: number; owner: unknown; matches: unknown[][]; events: number };

  beforeAll(() => {
    dir = tempDir();
    file = path.join(dir, 'old28.sqlite');
    fs.copyFileSync(FIXTURE_28, file);
    fs.copyFileSync(`${FIXTURE_28}-fts`, `${file}-fts`);
    const old = new Database(file, { readonly: true });
    old.prepare('ATTACH ? AS fts').run(`${file}-fts`);
    before = {
      version: old.pragma('user_version', { simple: true }) as number,
      owner: old.prepare('SELECT id FROM fts.owner').pluck().get(),
      matches: textMatches(old),
      events: old.prepare('SELECT count(*) FROM events').pluck().get() as number,
    };
    expect(old.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events_path'").get()).toBeDefined();
    for (const p of old.prepare('SELECT path FROM sources').pluck().all() as string[]) expect(fs.existsSync(p)).toBe(false);
    old.close();
    db = openDatabase(file);
  });
  afterAll(() => {
    db.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('drops the path index and keeps its full-text file, whose words are as they were', () => {
    expect(before.version).toBe(28);
    expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
    expect(db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'events_path'").get()).toBeUndefined();
    expect(db.prepare('SELECT id FROM fts.owner').pluck().get()).toBe(before.owner);
    expect(textMatches(db)).toEqual(before.matches);
    expect(before.matches.flat().length).toBeGreaterThan(100);
  });

  it("fills events_fields with each row's user, client IP, code, path and the path's folders, and nothing else", () => {
    expectFieldsOfRows(db);
  });

  it('removes first the lines an older run listed for removal, by the tokens their lists held then', () => {
    const other = path.join(dir, 'pending28.sqlite');
    fs.copyFileSync(FIXTURE_28, other);
    fs.copyFileSync(`${FIXTURE_28}-fts`, `${other}-fts`);
    // As the release before listed a file's rows when it read the file again (store/full-text.ts).
    const old = new Database(other);
    ensureLineFunctions(old);
    const source = old.prepare("SELECT id FROM sources WHERE path LIKE '%ext-default.log'").pluck().get() as number;
    const gone = old.prepare(`INSERT INTO fts_deleted (id, fields, text) SELECT e.id, concat_ws(' ', 'u' || e.user_id, 'i' || e.client_ip_id, 'c' || e.status_id),
      coalesce(${lineSql('e')}, '') FROM events e WHERE e.source_id = ? RETURNING id`).pluck().all(source) as number[];
    old.prepare('DELETE FROM events WHERE source_id = ?').run(source);
    old.close();
    expect(gone.length).toBeGreaterThan(5);
    const upgraded = openDatabase(other);
    try {
      expect(upgraded.prepare('SELECT count(*) FROM fts_deleted').pluck().get()).toBe(0);
      expectFieldsOfRows(upgraded);
      upgraded.exec("CREATE VIRTUAL TABLE IF NOT EXISTS temp.text_rows USING fts5vocab(fts, events_fts, 'instance')");
      const held = new Set(upgraded.prepare('SELECT DISTINCT doc FROM temp.text_rows').pluck().all() as number[]);
      expect(gone.filter((id) => held.has(id))).toEqual([]);
      expect(held.size).toBe(upgraded.prepare(`SELECT count(*) FROM events e WHERE coalesce(${lineSql('e')}, '') <> ''`).pluck().get());
      upgraded.exec("INSERT INTO fts.events_fts (events_fts) VALUES ('integrity-check')");
    } finally {
      upgraded.close();
    }
  });

  it.each(['path:/inbound', 'path:/INBOUND/', 'path:/home', 'path:/inbound/*.xml', 'file:*.csv', '-path:/exports', 'path:/var user:*'])(
    '%s finds the rows whose paths say so', (query) => {
      const want = expectAsColumnFilter(db, query);
      if (!query.startsWith('path:/var')) expect(want.length).toBeGreaterThan(0);
    },
  );
});
