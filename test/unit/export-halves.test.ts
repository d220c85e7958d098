/**
 * A big CSV export shared by two threads (core/export/halves.ts): the same bytes as one thread's, for
 * every kind and sort direction, with rows without a time, for Excel, to a file and to a stream;
 * progress counts both halves; a cancel leaves no file and no temporary file. The worker is compiled
 * JavaScript, so the export modules are loaded from dist here.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import Database from 'better-sqlite3';
import { generateEftW3c } from '../bench/generate.js';
import { cliJson, REPO, tempDir } from '../helpers.js';
import type { QueryExportRequest } from '../../src-main/core/export/query-export.js';

type ExportModule = typeof import('../../src-main/core/export/query-export.js');
type DbModule = typeof import('../../src-main/core/store/db.js');
const dist = (p: string) => pathToFileURL(path.join(REPO, 'dist', 'src-main', 'core', p)).href;

const dir = tempDir('xferlens-halves-');
const dbFile = path.join(dir, 'index.sqlite');
let exporter: ExportModule;
let store: DbModule;

beforeAll(async () => {
  exporter = (await import(dist('export/query-export.js'))) as ExportModule;
  store = (await import(dist('store/db.js'))) as DbModule;
  const log = path.join(dir, 'u_ex260101.log');
  await generateEftW3c(log, { lines: 6000, seed: 7 });
  expect(cliJson(['index', '--db', dbFile, log])).toMatchObject({ lines: 6000 });
  // Rows without a time sort first ascending and last descending: each half must keep them once.
  const db = new Database(dbFile);
  db.prepare('UPDATE events SET ts = NULL WHERE id IN (SELECT id FROM events WHERE kind = 0 ORDER BY id LIMIT 3)').run();
  db.prepare('UPDATE transfers SET ts = NULL WHERE id IN (SELECT id FROM transfers ORDER BY id LIMIT 2)').run();
  db.close();
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

const tempFolders = () => fs.readdirSync(os.tmpdir()).filter((n) => n.startsWith('xferlens-export-')).sort();

async function exportTo(req: QueryExportRequest, threads: boolean, target?: PassThrough) {
  const db = store.openDatabase(dbFile, { readonly: true });
  const progress: number[] = [];
  try {
    const prepared = exporter.prepareExport(db, req, threads ? { threads: { minRows: 1 } } : {});
    const file = path.join(dir, `out-${threads ? 2 : 1}.csv`);
    const chunks: Buffer[] = [];
    target?.on('data', (c: Buffer) => chunks.push(c));
    const result = await prepared.write(target ?? file, { onProgress: (n) => progress.push(n) });
    const bytes = target ? Buffer.concat(chunks) : fs.readFileSync(file);
    return { result, bytes, progress };
  } finally {
    db.close();
  }
}

describe('a CSV export shared by two threads', () => {
  const cases: [string, QueryExportRequest][] = [
    ['every event (ascending, rows without a time first)', { kind: 'events', query: '', format: 'csv', columns: ['ts', 'id', 'user', 'path', 'status', 'explanation'] }],
    ['a filter, for Excel', { kind: 'events', query: 'status:failed OR user:partner*', format: 'csv', excel: true }],
    ['transfers (descending, rows without a time last)', { kind: 'transfers', query: '', format: 'csv', columns: ['ts', 'id', 'op', 'path', 'bytes', 'explanation'] }],
    ['sessions', { kind: 'sessions', query: '', format: 'csv' }],
  ];
  it.each(cases)('%s: the same bytes as one thread', async (_, req) => {
    const one = await exportTo(req, false);
    const two = await exportTo(req, true);
    expect(one.result.rows).toBeGreaterThan(10);
    expect(two.result).toEqual(one.result);
    expect(two.bytes.equals(one.bytes)).toBe(true);
    // Both halves are counted, never more than there are, and the last report is the total.
    expect(two.progress.at(-1)).toBe(one.result.rows);
    expect(Math.max(...two.progress)).toBe(one.result.rows);
  });

  it('to a stream (a download, stdout): the same bytes', async () => {
    const req: QueryExportRequest = { kind: 'events', query: 'kind:event', format: 'csv' };
    const one = await exportTo(req, false);
    const two = await exportTo(req, true, new PassThrough());
    expect(two.bytes.equals(one.bytes)).toBe(true);
  });

  it('really splits: each half holds part of the rows', async () => {
    const db = store.openDatabase(dbFile, { readonly: true });
    try {
      const page = (await import(dist('query/page.js'))) as typeof import('../../src-main/core/query/page.js');
      const at = page.timeSplitPoint(db, 'events');
      expect(at).not.toBeNull();
      const count = (part: 1 | 2) => [...page.iterateRowArrays(db, 'events', '', { columns: ['id'], half: { at: at!, part } })].length;
      const all = [...page.iterateRowArrays(db, 'events', '', { columns: ['id'] })].length;
      expect(count(1)).toBeGreaterThan(all / 4);
      expect(count(2)).toBeGreaterThan(all / 4);
      expect(count(1) + count(2)).toBe(all);
      expect(page.timeSplitPoint(db, 'events', {}, all + 1)).toBeNull();
    } finally {
      db.close();
    }
  });

  it('cancel: no file, no .partial, no temporary file of the second half', async () => {
    const before = tempFolders();
    const db = store.openDatabase(dbFile, { readonly: true });
    const file = path.join(dir, 'cancelled.csv');
    const controller = new AbortController();
    let during: string[] = [];
    try {
      const prepared = exporter.prepareExport(db, { kind: 'events', query: '', format: 'csv' }, { threads: { minRows: 1 } });
      const onProgress = () => {
        during = tempFolders();
        controller.abort(new Error('stop'));
      };
      await expect(prepared.write(file, { signal: controller.signal, onProgress })).rejects.toThrow('stop');
    } finally {
      db.close();
    }
    // The worker was writing its half meanwhile.
    expect(during.length).toBe(before.length + 1);
    expect(fs.existsSync(file)).toBe(false);
    expect(fs.existsSync(file + '.partial')).toBe(false);
    expect(tempFolders()).toEqual(before);
  });
});
