import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import { describe, expect, it } from 'vitest';
import { indexPaths, type IndexSummary } from '../../src-main/core/ingest/indexer.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { generateEftW3c } from '../bench/generate.js';
import { EFT_W3C_SAMPLE, writeLines } from '../helpers.js';
import { tempDatabasePerTest } from '../temp-db.js';
import { lineOffsetSql, lineSql } from '../../src-main/core/store/line-blocks.js';
import { EVENTS_WIDE } from '../event-rows.js';
import { removeSource } from '../../src-main/core/store/source-admin.js';

const t = tempDatabasePerTest();
const index = (...paths: string[]): Promise<IndexSummary> => indexPaths(t.db, paths, { timeZone: 'UTC' });
const rows = (sql = `SELECT line_no, kind, ${lineSql('events')} AS raw FROM events ORDER BY source_id, line_no`) => t.db.prepare(sql).all() as any[];
const count = (where = '1') => (t.db.prepare(`SELECT count(*) AS n FROM ${EVENTS_WIDE} AS events WHERE ${where}`).get() as { n: number }).n;

describe('indexing a file', () => {
  it('stores every line as one row with its line number and byte offset', async () => {
    const file = path.join(t.dir, 'ex100408.log');
    writeLines(file, [...EFT_W3C_SAMPLE, 'this line is not W3C']);
    const s = await index(file);
    expect(s).toMatchObject({ files: 1, lines: 12, events: 7, directives: 4, unparsed: 1, formats: { w3c: 1 }, errors: [] });
    expect(s.lines).toBe(s.events + s.directives + s.unparsed);
    expect(s.bytes).toBe(fs.statSync(file).size);
    const all = rows(`SELECT line_no, ${lineOffsetSql('events')} AS byte_offset, kind, ${lineSql('events')} AS raw FROM events ORDER BY line_no`);
    const bytes = fs.readFileSync(file);
    for (const r of all) {
      // The raw text is exactly the bytes at the stored offset (the CR of CRLF is not part of it).
      expect(bytes.subarray(r.byte_offset, r.byte_offset + Buffer.byteLength(r.raw)).toString()).toBe(r.raw);
    }
    expect(all.at(-1)).toMatchObject({ line_no: 12, kind: 2, raw: 'this line is not W3C' });
  });

  it('finds words and path fragments through the full-text index', async () => {
    const file = path.join(t.dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE);
    await index(file);
    const hits = (q: string) => (t.db.prepare('SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?').get(q) as { n: number }).n;
    expect(hits('"File 2"')).toBe(3); // decoded path: rnto, sent, dele
    expect(hits('"Test File 1"')).toBe(2); // W3C writes Test+File+1.txt
    expect(hits('Tes*')).toBe(7); // prefix: the user name, and the paths
    expect(hits('rnfr OR rnto')).toBe(2);
    expect(hits('"192.168.241"')).toBe(7);
  });

  it('a file read again from its start leaves no full-text entry of its old lines; removing it leaves none at all', async () => {
    const file = path.join(t.dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE);
    await index(file);
    const hits = (q: string) => (t.db.prepare('SELECT count(*) AS n FROM events_fts WHERE events_fts MATCH ?').get(q) as { n: number }).n;
    expect(hits('"192.168.241"')).toBe(7);
    // Rewritten with other addresses and one line fewer: the old text must not be found any more.
    writeLines(file, EFT_W3C_SAMPLE.slice(0, -1).map((l) => l.replaceAll('192.168.241.1', '10.9.8.7')));
    await index(file);
    expect(hits('"192.168.241"')).toBe(0);
    expect(hits('"10.9.8.7"')).toBe(6);
    expect(hits('test')).toBe(count("(SELECT value FROM strings WHERE id = user_id) = 'test'"));
    const id = (t.db.prepare('SELECT id FROM sources WHERE path = ?').get(file) as { id: number }).id;
    expect(removeSource(t.db, id)).toBe(true);
    expect(hits('"10.9.8.7"') + hits('test') + hits('"File 2"')).toBe(0);
  });

  it('reads only appended bytes on the next run and waits for an incomplete last line', async () => {
    const file = path.join(t.dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 6));
    fs.appendFileSync(file, EFT_W3C_SAMPLE[6]!); // no newline yet: the server is still writing it
    expect((await index(file)).lines).toBe(6);
    fs.appendFileSync(file, '\r\n' + EFT_W3C_SAMPLE.slice(7).join('\r\n') + '\r\n');
    const second = await index(file);
    expect(second.lines).toBe(5);
    expect(second.bytes).toBe(fs.statSync(file).size - Buffer.byteLength(EFT_W3C_SAMPLE.slice(0, 6).join('\r\n') + '\r\n'));
    expect((await index(file)).lines).toBe(0);
    expect(rows().map((r) => r.raw)).toEqual(EFT_W3C_SAMPLE);
    // The #Fields of the first run still apply to lines appended later.
    expect(count('kind = 0')).toBe(7);
  });

  it('re-indexes a truncated file from the start, replacing its rows', async () => {
    const file = path.join(t.dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE);
    await index(file);
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 5));
    const s = await index(file);
    expect(s.lines).toBe(5);
    expect(rows().map((r) => r.raw)).toEqual(EFT_W3C_SAMPLE.slice(0, 5));
    expect(t.db.prepare('SELECT lines_indexed, events FROM sources').get()).toEqual({ lines_indexed: 5, events: 1 });
  });

  it('re-indexes a file whose first bytes changed (replaced by another file of the same name)', async () => {
    const file = path.join(t.dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE);
    await index(file);
    const other = EFT_W3C_SAMPLE.map((l) => l.replace('2010-04-08', '2011-05-09'));
    writeLines(file, [...other, ...other.slice(4)]);
    expect((await index(file)).lines).toBe(other.length + 7);
    expect(count(`${lineSql('events')} LIKE '2010-%'`)).toBe(0);
    expect(count()).toBe(other.length + 7);
  });

  it('continues a rotated file under its new name and indexes the new file from the start', async () => {
    const file = path.join(t.dir, 'proftpd.log');
    writeLines(file, EFT_W3C_SAMPLE.slice(0, 8));
    await index(t.dir);
    fs.appendFileSync(file, EFT_W3C_SAMPLE.slice(8).join('\r\n') + '\r\n');
    fs.renameSync(file, file + '.1');
    writeLines(file, EFT_W3C_SAMPLE.map((l) => l.replace('2010-04-08', '2010-04-09')));
    const s = await index(t.dir);
    expect(s.lines).toBe(3 + EFT_W3C_SAMPLE.length);
    expect(count()).toBe(2 * EFT_W3C_SAMPLE.length);
    const sources = t.db.prepare('SELECT path, lines_indexed FROM sources ORDER BY path').all();
    expect(sources).toEqual([
      { path: file, lines_indexed: EFT_W3C_SAMPLE.length },
      { path: file + '.1', lines_indexed: EFT_W3C_SAMPLE.length },
    ]);
  });

  it('indexes the same file once when given twice or through a symbolic link', async () => {
    const file = path.join(t.dir, 'ex.log');
    writeLines(file, EFT_W3C_SAMPLE);
    fs.symlinkSync(file, path.join(t.dir, 'link.log'));
    const s = await index(file, path.join(t.dir, 'link.log'), t.dir, path.join(t.dir, '*.log'));
    expect(s.files).toBe(1);
    expect(count()).toBe(EFT_W3C_SAMPLE.length);
  });
});

describe('encodings and line endings', () => {
  const text = [...EFT_W3C_SAMPLE.slice(0, 4), '2010-04-08 20:07:16 192.168.241.1 - müller [1]created /Größe+Ü.txt - 226 - 54 - 22'];
  const expectMuller = async (file: string, encoding: string) => {
    const s = await index(file);
    expect(s).toMatchObject({ events: 1, directives: 4, unparsed: 0 });
    expect(t.db.prepare(`SELECT user, path FROM ${EVENTS_WIDE} WHERE kind = 0`).get()).toEqual({ user: 'müller', path: '/Größe Ü.txt' });
    expect(t.db.prepare('SELECT encoding FROM sources').get()).toEqual({ encoding });
  };

  it('UTF-8 with LF', async () => {
    const f = path.join(t.dir, 'u_ex.log');
    writeLines(f, text, '\n');
    await expectMuller(f, 'utf-8');
  });
  it('UTF-8 with BOM and CRLF', async () => {
    const f = path.join(t.dir, 'u_ex.log');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(text.join('\r\n') + '\r\n')]));
    await expectMuller(f, 'utf-8-bom');
    expect(t.db.prepare(`SELECT ${lineOffsetSql('events')} AS byte_offset FROM events WHERE line_no = 1`).get()).toEqual({ byte_offset: 3 });
  });
  it('UTF-16LE with BOM', async () => {
    const f = path.join(t.dir, 'ex.log');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text.join('\r\n') + '\r\n', 'utf16le')]));
    await expectMuller(f, 'utf-16le');
  });
  it('UTF-16BE with BOM', async () => {
    const f = path.join(t.dir, 'ex.log');
    const le = Buffer.from(text.join('\r\n') + '\r\n', 'utf16le');
    fs.writeFileSync(f, Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]));
    await expectMuller(f, 'utf-16be');
  });
  it('Windows-1252 (ANSI) bytes, read line by line', async () => {
    const f = path.join(t.dir, 'ex.log');
    const latin = Buffer.from(text.join('\r\n') + '\r\n', 'latin1');
    fs.writeFileSync(f, latin);
    await expectMuller(f, 'windows-1252');
  });
  it('gzip-compressed files, including a last line without newline', async () => {
    const f = path.join(t.dir, 'ex.log.gz');
    fs.writeFileSync(f, zlib.gzipSync(text.join('\r\n')));
    await expectMuller(f, 'utf-8');
    expect(t.db.prepare('SELECT compression FROM sources').get()).toEqual({ compression: 'gzip' });
    expect((await index(f)).lines).toBe(0); // unchanged archive: nothing to do
  });
});

describe('inputs that cannot be indexed', () => {
  it('reports each bad input by name and reason and still indexes the others', async () => {
    const good = path.join(t.dir, 'ex.log');
    writeLines(good, EFT_W3C_SAMPLE);
    const binary = path.join(t.dir, 'image.bin');
    fs.writeFileSync(binary, Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0x0d, 1, 2, 3]));
    const s = await index(path.join(t.dir, 'missing.log'), binary, '/proc/self/mem', good, path.join(t.dir, 'nothing-*.log'));
    expect(s.files).toBe(1);
    expect(s.events).toBe(7);
    const reasons = Object.fromEntries(s.errors.map((e) => [e.path, e.reason]));
    expect(reasons[path.join(t.dir, 'missing.log')]).toBe('no such file or directory');
    expect(reasons[binary]).toMatch(/^binary file \(NUL byte at offset 4/);
    expect(reasons['/proc/self/mem']).toMatch(/input\/output error|EIO/i);
    expect(reasons[path.join(t.dir, 'nothing-*.log')]).toBe('no file matches this pattern');
  });

  it.skipIf(process.getuid?.() === 0)('reports a file without read permission', async () => {
    const f = path.join(t.dir, 'secret.log');
    writeLines(f, EFT_W3C_SAMPLE);
    fs.chmodSync(f, 0);
    expect((await index(f)).errors).toEqual([{ path: f, reason: 'permission denied' }]);
  });

  it('never indexes its own database file', async () => {
    writeLines(path.join(t.dir, 'ex.log'), EFT_W3C_SAMPLE);
    const s = await index(t.dir);
    expect(s).toMatchObject({ files: 1, errors: [] });
  });
});

describe('two writers on one database', () => {
  it('two runs indexing the same file at once store each line once; the one that lost says why', async () => {
    const file = path.join(t.dir, 'u_ex260110.log');
    await generateEftW3c(file, { lines: 40_000, seed: 9 }); // about 4 MB: several 512 KiB batches each
    const other = openDatabase(path.join(t.dir, 'index.sqlite'));
    try {
      const [a, b] = await Promise.all([index(file), indexPaths(other, [file], { timeZone: 'UTC' })]);
      expect(count()).toBe(40_000);
      expect(count('line_no IN (SELECT line_no FROM events GROUP BY source_id, line_no HAVING count(*) > 1)')).toBe(0);
      const errors = [...a.errors, ...b.errors];
      for (const e of errors) expect(e).toEqual({ path: file, reason: expect.stringMatching(/^another xferlens process indexed this file at the same time/) });
      // Whoever lost a batch continues from where the other stopped on the next run.
      const again = await index(file);
      expect(again.lines).toBe(0);
      expect(count()).toBe(40_000);
      console.log(`concurrent runs: ${a.lines} + ${b.lines} lines, ${errors.length} batch(es) refused`);
    } finally {
      other.close();
    }
  });
});

describe('a compressed file stopped part-way', () => {
  it('is read again from its start on the next run (it cannot be continued), each line once', async () => {
    const plain = path.join(t.dir, 'plain.log');
    await generateEftW3c(plain, { lines: 30_000, seed: 4 }); // several 512 KiB batches once inflated
    const gz = path.join(t.dir, 'u_ex260104.log.gz');
    fs.writeFileSync(gz, zlib.gzipSync(fs.readFileSync(plain)));
    fs.rmSync(plain);
    const stop = new AbortController();
    const first = await indexPaths(t.db, [gz], { timeZone: 'UTC', signal: stop.signal, onBatch: () => stop.abort() });
    expect(first.lines).toBeGreaterThan(0);
    expect(first.lines).toBeLessThan(30_000);
    const second = await index(gz);
    expect(second.lines).toBe(30_000);
    expect(count()).toBe(30_000);
    expect((await index(gz)).lines).toBe(0); // now complete: unchanged
  });
});
