import fs from 'node:fs';
import path from 'node:path';
import { PassThrough, Writable } from 'node:stream';
import { parse } from 'csv-parse/sync';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { neutraliseCell, quoteCell, writeCsv, type ColumnSpec } from '../../src-main/core/export/csv.js';
import { isoUtc } from '../../src-main/core/export/iso-time.js';
import { NDJSON_COLUMNS, writeNdjson } from '../../src-main/core/export/ndjson.js';
import { COLUMNS, QUERY_KINDS } from '../../src-main/core/query/columns.js';
import { EFT_W3C_SAMPLE, REPO, runCli, tempDir, writeLines } from '../helpers.js';

let dir: string;
beforeEach(() => {
  dir = tempDir('xferlens-export-');
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** Collects what a writer sends to a stream. */
function sink(): { stream: PassThrough; text(): string } {
  const stream = new PassThrough();
  const chunks: Buffer[] = [];
  stream.on('data', (c: Buffer) => chunks.push(c));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const parseCsv = (text: string, opts: { bom?: boolean } = {}): string[][] => parse(text, { bom: opts.bom ?? false, relax_column_count: false });

/** Values a remote client can put in a user name, a path or a command, with the cell expected in the CSV. */
const HOSTILE: readonly [string | null, string][] = [
  ["=cmd|' /C calc'!A0", "'=cmd|' /C calc'!A0"],
  ['+SUM(1)', "'+SUM(1)"],
  ['-2+3', "'-2+3"],
  ['@x', "'@x"],
  ['\tabc', "'\tabc"],
  ['\rabc', "'\rabc"],
  ['＝1+1', "'＝1+1"],
  ['-', '-'],
  ['', ''],
  [null, ''],
  ['say "hi"', 'say "hi"'],
  ['a,b', 'a,b'],
  ['line1\nline2', 'line1\nline2'],
  ['line1\r\nline2', 'line1\r\nline2'],
  ['Ünïcödé', 'Ünïcödé'],
  ['📁 rapport 🚀.pdf', '📁 rapport 🚀.pdf'],
  ["it's fine", "it's fine"],
  ['a=b', 'a=b'],
];

describe('neutraliseCell', () => {
  it('prefixes what a spreadsheet would evaluate, and nothing else', () => {
    for (const [value, expected] of HOSTILE) if (value !== null) expect(neutraliseCell(value)).toBe(expected);
    expect(neutraliseCell('－5')).toBe("'－5");
    expect(neutraliseCell('/data/in/file.csv')).toBe('/data/in/file.csv');
  });

  it('never writes a lone quote or a lone quoted dash', () => {
    fc.assert(
      fc.property(fc.string(), (s) => {
        const out = neutraliseCell(s);
        // A quote is only ever added: "'" or "'-" come out only when they went in.
        if (s !== "'") expect(out).not.toBe("'");
        if (s !== "'-") expect(out).not.toBe("'-");
        expect(out === s || out === "'" + s).toBe(true);
      }),
    );
  });
});

describe('writeCsv', () => {
  const columns: ColumnSpec[] = [
    { name: 'id', type: 'int' },
    { name: 'ts', type: 'time' },
    { name: 'user', type: 'text' },
    { name: 'bytes', type: 'bytes' },
  ];

  it('round-trips hostile values through a real CSV parser, neutralised', async () => {
    const file = path.join(dir, 'hostile.csv');
    const rows = HOSTILE.map(([user], i) => ({ id: i, ts: Date.UTC(2026, 0, 2, 3, 4, 5), user, bytes: 10 * i }));
    const result = await writeCsv(rows, file, { columns });
    const text = fs.readFileSync(file, 'utf8');
    expect(result).toEqual({ rows: HOSTILE.length, bytes: Buffer.byteLength(text) });
    const [header, ...cells] = parseCsv(text);
    expect(header).toEqual(['id', 'ts', 'user', 'bytes']);
    expect(cells).toEqual(HOSTILE.map(([, expected], i) => [String(i), '2026-01-02T03:04:05.000Z', expected, String(10 * i)]));
    // RFC 4180 on the bytes: quoted only when needed, quotes doubled, LF line ends, no BOM.
    expect(text.startsWith('id,ts,user,bytes\n')).toBe(true);
    expect(text).toContain(',"say ""hi""",');
    expect(text).toContain(',"a,b",');
    expect(text).toContain(',Ünïcödé,');
    expect(text).toContain(',-,');
    expect(text).toContain(',2026-01-02T03:04:05.000Z,,'); // the empty string and the null: empty cells
    expect(fs.existsSync(file + '.partial')).toBe(false);
  });

  it('writes rows given as arrays of values in column order exactly as rows given as objects', async () => {
    const rows = HOSTILE.map(([user], i) => ({ id: i % 3 ? i : `=${i}`, ts: i % 4 ? Date.UTC(2026, 0, 2, 3, 4, 5, i) : null, user, bytes: i % 5 ? 10 * i : '-1' }));
    for (const excel of [false, true]) {
      for (const neutralise of [true, false]) {
        const asObjects = sink();
        const asArrays = sink();
        await writeCsv(rows, asObjects.stream, { columns, excel, neutralise });
        // Values after the columns' (explanation inputs a stream carries along) are not written.
        await writeCsv(rows.map((r) => [r.id, r.ts, r.user, r.bytes, 'not a column']), asArrays.stream, { columns, excel, neutralise });
        expect(asArrays.text()).toBe(asObjects.text());
        expect(parseCsv(asArrays.text(), { bom: excel })).toHaveLength(HOSTILE.length + 1);
      }
    }
  });

  it('keeps every value as it is with neutralise: false', async () => {
    const out = sink();
    await writeCsv(HOSTILE.map(([user]) => ({ user })), out.stream, { columns: [{ name: 'user', type: 'text' }], neutralise: false });
    expect(parseCsv(out.text()).slice(1).map((r) => r[0])).toEqual(HOSTILE.map(([v]) => v ?? ''));
  });

  it('writes numbers as plain integers and times as UTC ISO; text in a numeric column is still neutralised', async () => {
    const out = sink();
    const rows = [
      { id: 1, ts: 0, user: 42, bytes: 12_345_678_901 },
      { id: null, ts: null, user: -7, bytes: '=1+1' },
      { id: '@SUM(A1)', ts: '-1', user: undefined, bytes: -5 },
    ];
    await writeCsv(rows, out.stream, { columns });
    expect(parseCsv(out.text()).slice(1)).toEqual([
      ['1', '1970-01-01T00:00:00.000Z', '42', '12345678901'],
      ['', '', '-7', "'=1+1"],
      ["'@SUM(A1)", "'-1", '', '-5'],
    ]);
  });

  it('formats times exactly as Date#toISOString', () => {
    const instant = fc.integer({ min: -8_640_000_000_000_000, max: 8_640_000_000_000_000 });
    const sameAsDate = (ms: number) => isoUtc(ms) === new Date(ms).toISOString();
    fc.assert(fc.property(instant, sameAsDate));
    // Days in the cache's range, one after another (the day part is reused from the previous call).
    fc.assert(fc.property(fc.array(fc.integer({ min: 0, max: 4_102_444_800_000 }), { minLength: 2 }), (list) => list.every(sameAsDate)));
    // Instants close together, as a log's rows are: the same millisecond, second or minute again.
    const nearby = fc.tuple(fc.integer({ min: 0, max: 4_102_444_800_000 }), fc.array(fc.integer({ min: -1500, max: 1500 }), { minLength: 2 }));
    fc.assert(fc.property(nearby, ([start, steps]) => steps.reduce<number[]>((list, step) => [...list, Math.max(0, list[list.length - 1]! + step)], [start]).every(sameAsDate)));
    expect(isoUtc(Number.NaN)).toBeUndefined();
    expect(isoUtc(9e15)).toBeUndefined();
  });

  it('for Excel: BOM, CRLF after every record, line breaks inside cells kept', async () => {
    const file = path.join(dir, 'excel.csv');
    await writeCsv([{ user: 'Zoë' }, { user: 'two\nlines' }, { user: '+1' }], file, { columns: [{ name: 'user', type: 'text' }], excel: true });
    const bytes = fs.readFileSync(file);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8');
    expect(text).toBe('\uFEFFuser\r\nZoë\r\n"two\nlines"\r\n\'+1\r\n');
    expect(parseCsv(text, { bom: true })).toEqual([['user'], ['Zoë'], ['two\nlines'], ["'+1"]]);
  });

  it('writes only the chosen columns, in their order', async () => {
    const out = sink();
    await writeCsv([{ id: 1, ts: 0, user: 'u', bytes: 2 }], out.stream, { columns: [columns[3]!, columns[0]!] });
    expect(out.text()).toBe('bytes,id\n2,1\n');
    expect(quoteCell('plain')).toBe('plain');
  });

  it('streams: the output never holds more than its highWaterMark and one chunk, rows are pulled lazily', async () => {
    const highWaterMark = 16 * 1024;
    let maxBuffered = 0;
    let rowsPulled = 0;
    let bytesReceived = 0;
    let rowsReceived = 0;
    let maxRowsAhead = 0;
    const slow = new Writable({
      highWaterMark,
      write(chunk: Buffer, _enc, done) {
        maxBuffered = Math.max(maxBuffered, slow.writableLength);
        bytesReceived += chunk.length;
        for (const byte of chunk) if (byte === 10) rowsReceived++;
        // Rows are formatted only as the output takes them: at most a chunk or two ahead (~70 bytes a row).
        maxRowsAhead = Math.max(maxRowsAhead, rowsPulled - rowsReceived);
        setImmediate(done);
      },
    });
    function* rows() {
      for (let i = 0; i < 200_000; i++) {
        rowsPulled++;
        yield { id: i, ts: 1_767_225_600_000 + i, user: `user${i} "quoted", with comma`, bytes: i * 1000 };
      }
    }
    let progressCalls = 0;
    const result = await writeCsv(rows(), slow, { columns, onProgress: () => progressCalls++ });
    expect(result.rows).toBe(200_000);
    expect(bytesReceived).toBe(result.bytes);
    expect(result.bytes).toBeGreaterThan(10_000_000);
    expect(maxBuffered).toBeLessThanOrEqual(highWaterMark + 70 * 1024);
    expect(maxRowsAhead).toBeLessThan(3_000);
    expect(progressCalls).toBeGreaterThan(100);
    expect(slow.writableEnded).toBe(false); // a stream belongs to the caller
  });

  it('cancel: no file and no .partial; an existing file is left as it was', async () => {
    const file = path.join(dir, 'out.csv');
    fs.writeFileSync(file, 'previous export\n');
    const controller = new AbortController();
    function* rows() {
      for (let i = 0; i < 1_000_000; i++) yield { id: i, ts: i, user: 'u', bytes: i };
    }
    const run = writeCsv(rows(), file, {
      columns,
      signal: controller.signal,
      onProgress: (n) => {
        if (n > 10_000) controller.abort(new Error('user cancelled'));
      },
    });
    await expect(run).rejects.toThrow('user cancelled');
    expect(fs.readFileSync(file, 'utf8')).toBe('previous export\n');
    expect(fs.readdirSync(dir)).toEqual(['out.csv']);
  });

  it('a failing row source or an unwritable path leaves no file behind', async () => {
    const file = path.join(dir, 'broken.csv');
    function* rows() {
      for (let i = 0; i < 50_000; i++) yield { id: i, ts: i, user: 'u', bytes: i };
      throw new Error('database went away');
    }
    await expect(writeCsv(rows(), file, { columns })).rejects.toThrow('database went away');
    expect(fs.readdirSync(dir)).toEqual([]);
    await expect(writeCsv([], path.join(dir, 'missing', 'x.csv'), { columns })).rejects.toThrow(/ENOENT/);
    const aborted = AbortSignal.abort(new Error('before start'));
    await expect(writeCsv([], file, { columns, signal: aborted })).rejects.toThrow('before start');
    expect(fs.readdirSync(dir)).toEqual([]);
  });
});

/** Every key of every nested object, asserting ECS nesting (no dotted keys) on the way. */
function assertNested(doc: unknown, where = ''): void {
  if (doc === null || typeof doc !== 'object' || Array.isArray(doc)) return;
  for (const [key, value] of Object.entries(doc)) {
    if (key !== '@timestamp') expect(key, `${where}${key}`).not.toContain('.');
    expect(value, `${where}${key}`).not.toBeNull();
    assertNested(value, `${where}${key}.`);
  }
}

describe('writeNdjson (Elastic Common Schema)', () => {
  it('asks only for columns the query offers', () => {
    for (const kind of QUERY_KINDS) {
      const names = COLUMNS[kind].map((c) => c.name);
      expect(NDJSON_COLUMNS[kind].filter((c) => !names.includes(c))).toEqual([]);
    }
  });

  it('events: one nested ECS document per line', async () => {
    const out = sink();
    const rows = [
      {
        id: 7, ts: Date.UTC(2026, 0, 2, 3, 4, 5, 6), kind: 'event', server: 'ftp1', client_ip: '10.0.0.5', client_port: 50123,
        server_port: 21, user: '=evil', protocol: 'FTP', session_key: '[1]', session_id: 3, transfer_id: 9, verb: 'STOR',
        op: 'upload', path: '/in/a,b "c".txt', status: '226', outcome: 'success', bytes: 54, duration_ms: 1500, message: null,
        explanation: 'Transfer complete', pid: 4711, extra: '{"k":"v"}', raw: 'raw line', format: 'w3c', source_path: '/logs/ex.log',
        line_no: 5, byte_offset: 321,
      },
      { id: 8, ts: null, kind: 'unparsed', client_ip: 'client.example.com', raw: 'garbage', verb: null, op: null, outcome: null, protocol: 'https', path: '/web/x' },
    ];
    const result = await writeNdjson(rows, out.stream, { kind: 'events' });
    const lines = out.text().split('\n');
    expect(lines.pop()).toBe('');
    expect(result.rows).toBe(2);
    const [first, second] = lines.map((l) => JSON.parse(l));
    for (const doc of [first, second]) assertNested(doc);
    expect(first).toEqual({
      '@timestamp': '2026-01-02T03:04:05.006Z',
      ecs: { version: '8.11.0' },
      event: {
        kind: 'event', category: ['file'], type: ['creation'], action: 'upload', outcome: 'success', code: '226',
        duration: 1_500_000_000, id: '7', original: 'raw line',
      },
      message: 'raw line',
      source: { address: '10.0.0.5', ip: '10.0.0.5', port: 50123 },
      destination: { port: 21 },
      user: { name: '=evil' },
      network: { protocol: 'ftp', bytes: 54 },
      file: { path: '/in/a,b "c".txt', size: 54 },
      host: { name: 'ftp1' },
      process: { pid: 4711 },
      log: { file: { path: '/logs/ex.log' }, offset: 321 },
      xferlens: {
        format: 'w3c', explanation: 'Transfer complete', line_kind: 'event', line_no: 5, command: 'STOR', session_key: '[1]',
        session: { id: 3 }, transfer: { id: 9 }, extra: '{"k":"v"}',
      },
    });
    expect(second).toEqual({
      ecs: { version: '8.11.0' },
      event: { kind: 'pipeline_error', id: '8', original: 'garbage' },
      message: 'garbage',
      source: { address: 'client.example.com', domain: 'client.example.com' },
      url: { path: '/web/x' },
      network: { protocol: 'https' },
      xferlens: { line_kind: 'unparsed' },
    });
  });

  it('sessions and transfers: event.start/end, outcome, bytes by direction, rename target', async () => {
    const sessions = sink();
    await writeNdjson(
      [{ id: 1, start_ts: 1000, end_ts: 61_000, duration_ms: 60_000, client_ip: '::1', client_port: 2000, user: 'bob', protocol: 'SFTP', login: 'failed', login_reason: 'bad password', login_code: '530', bytes_up: 10, bytes_down: 5, uploads: 1, downloads: 0, open: 0, end_reason: 'quit', conn_key: 'pid|1', format: 'proftpd-system' }],
      sessions.stream,
      { kind: 'sessions' },
    );
    const session = JSON.parse(sessions.text());
    assertNested(session);
    expect(session).toMatchObject({
      '@timestamp': '1970-01-01T00:00:01.000Z',
      event: { category: ['session'], type: ['end'], outcome: 'failure', code: '530', reason: 'bad password', start: '1970-01-01T00:00:01.000Z', end: '1970-01-01T00:01:01.000Z', duration: 60_000_000_000 },
      source: { ip: '::1', port: 2000, bytes: 10 },
      destination: { bytes: 5 },
      network: { bytes: 15, protocol: 'sftp' },
      xferlens: { session: { id: 1, open: false, end_reason: 'quit', uploads: 1, downloads: 0, conn_key: 'pid|1' } },
    });

    const transfers = sink();
    await writeNdjson(
      [
        { id: 2, ts: 5000, op: 'rename', path: '/a.txt', path_to: '/b.txt', status: 'success', code: '250', user: 'bob', session_id: 1, records: 2 },
        { id: 3, ts: 6000, op: 'download', path: '/big.iso', bytes: 1000, status: 'incomplete', code: '426', rate_bps: 500 },
      ],
      transfers.stream,
      { kind: 'transfers' },
    );
    const [rename, download] = transfers.text().trim().split('\n').map((l) => JSON.parse(l));
    expect(rename).toMatchObject({ event: { action: 'rename', category: ['file'], type: ['change'], outcome: 'success', code: '250' }, file: { path: '/a.txt', target_path: '/b.txt' }, xferlens: { session: { id: 1 }, transfer: { id: 2, records: 2 } } });
    // An incomplete download is a failure, and the bytes moved are not the file's size.
    expect(download.event.outcome).toBe('failure');
    expect(download.file).toEqual({ path: '/big.iso' });
    expect(download.network.bytes).toBe(1000);
  });
});

describe('xferlens export', () => {
  let db: string;
  beforeEach(() => {
    db = path.join(dir, 'index.sqlite');
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    writeLines(path.join(logs, 'ex100408.log'), [
      ...EFT_W3C_SAMPLE,
      // A client that logs in as `@x` and deletes a file named like a formula (`+` is a space in W3C).
      "2010-04-08 20:11:00 192.168.241.9 - @x [2]dele =cmd|'/C+calc'!A0 - 550 - - - 22",
    ]);
    const r = runCli(['index', '--db', db, logs]);
    expect(r.status, r.stderr).toBe(0);
  });

  it('exports events as CSV with chosen columns, neutralised, with a summary on stderr', () => {
    const out = path.join(dir, 'events.csv');
    const r = runCli(['export', '--db', db, '--kind', 'events', '--query', 'kind:event', '--columns', 'ts,user,verb,path,status,bytes', '--out', out]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(new RegExp(`^exported 8 rows to ${out.replace(/[\\^$.*+?()[\]{}|]/g, '\\$&')} \\(`));
    const rows = parseCsv(fs.readFileSync(out, 'utf8'));
    expect(rows[0]).toEqual(['ts', 'user', 'verb', 'path', 'status', 'bytes']);
    expect(rows).toContainEqual(['2010-04-08T20:07:16.000Z', 'test', 'created', '/Test File 1.txt', '226', '54']);
    // Remote clients choose user names and paths: both reach the CSV neutralised.
    expect(rows.at(-1)).toEqual(['2010-04-08T20:11:00.000Z', "'@x", 'dele', "'=cmd|'/C calc'!A0", '550', '']);
  });

  it('--excel, --out - and a query', () => {
    const r = runCli(['export', '--db', db, '--kind', 'events', '--query', 'user:test', '--columns', 'user,status', '--excel', '--out', '-']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.startsWith('\uFEFFuser,status\r\ntest,331\r\n')).toBe(true);
    expect(parseCsv(r.stdout, { bom: true })).toHaveLength(8);
    expect(r.stderr).toMatch(/^exported 7 rows to stdout/);
  });

  it('exports ECS NDJSON of events, sessions and transfers', () => {
    for (const kind of QUERY_KINDS) {
      const out = path.join(dir, `${kind}.ndjson`);
      // Directive lines (`#Fields`) have no time: leave them out, as a data stream would refuse them.
      const r = runCli(['export', '--db', db, '--kind', kind, ...(kind === 'events' ? ['--query', 'kind:event'] : []), '--out', out]);
      expect(r.status, r.stderr).toBe(0);
      const docs = fs.readFileSync(out, 'utf8').trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(docs.length).toBeGreaterThan(0);
      for (const doc of docs) {
        assertNested(doc);
        expect(doc['@timestamp']).toMatch(/^2010-04-08T20:\d\d:\d\d\.000Z$/);
        expect(doc.ecs.version).toBe('8.11.0');
        expect(doc.source.ip).toMatch(/^192\.168\.241\.\d$/);
      }
      if (kind === 'transfers') {
        expect(docs.map((d) => `${d.event.action} ${d.event.outcome}`).sort()).toEqual(['delete failure', 'delete success', 'download success', 'rename success', 'upload success']);
        expect(docs.find((d) => d.event.outcome === 'failure').file).toEqual({ path: "=cmd|'/C calc'!A0" }); // JSON: no neutralising
        expect(docs.find((d) => d.event.action === 'rename').file).toEqual({ path: '/Test File 1.txt', target_path: '/Test File 2.txt' });
      }
    }
  });

  it('usage errors exit 2: unknown column (lists the valid ones), bad query (column), CSV-only options with NDJSON', () => {
    const unknown = runCli(['export', '--db', db, '--kind', 'events', '--columns', 'user,nope', '--out', path.join(dir, 'x.csv')]);
    expect(unknown.status).toBe(2);
    expect(unknown.stderr).toContain('unknown events column nope; valid: id, ts, kind,');
    const badQuery = runCli(['export', '--db', db, '--kind', 'events', '--query', '(user:x', '--out', path.join(dir, 'x.csv')]);
    expect(badQuery.status).toBe(2);
    expect(badQuery.stderr).toBe('xferlens: invalid query: missing ")" at column 8 (to close the "(" at column 1)\n  (user:x\n         ^\n');
    const ndjsonColumns = runCli(['export', '--db', db, '--kind', 'events', '--format', 'ndjson', '--columns', 'user', '--out', path.join(dir, 'x.ndjson')]);
    expect(ndjsonColumns.status).toBe(2);
    expect(runCli(['export', '--db', db, '--out', path.join(dir, 'x.csv')]).status).toBe(2);
    expect(runCli(['export', '--db', db, '--kind', 'events']).status).toBe(2);
    expect(fs.readdirSync(dir).filter((f) => /^x\./.test(f))).toEqual([]);
  });
});

// The ProFTPD fixtures: real logs of several formats, sessions across files.
describe('xferlens export on the ProFTPD fixtures', () => {
  it('exports every kind; each NDJSON line is a valid nested ECS document', () => {
    const db = path.join(dir, 'proftpd.sqlite');
    const scenario = JSON.parse(fs.readFileSync(path.join(REPO, 'test/fixtures/proftpd/scenario.json'), 'utf8'));
    const logFormat = `custom=${scenario.log_formats['ext-custom.log'].format}`;
    const r = runCli(['index', '--db', db, '--tz', 'UTC', '--logformat', logFormat, path.join(REPO, 'test/fixtures/proftpd/logs')]);
    expect(r.status, r.stderr).toBe(0);
    for (const kind of QUERY_KINDS) {
      const csv = runCli(['export', '--db', db, '--kind', kind, '--columns', 'all', '--out', '-']);
      expect(csv.status, csv.stderr).toBe(0);
      const rows = parseCsv(csv.stdout);
      expect(rows[0]).toEqual(COLUMNS[kind].map((c) => c.name));
      expect(rows.length).toBeGreaterThan(1);
      const ndjson = runCli(['export', '--db', db, '--kind', kind, '--format', 'ndjson', '--out', '-']);
      expect(ndjson.status, ndjson.stderr).toBe(0);
      const docs = ndjson.stdout.trimEnd().split('\n').map((l) => JSON.parse(l));
      expect(docs).toHaveLength(rows.length - 1);
      for (const doc of docs) assertNested(doc);
    }
  });
});
