/**
 * A database of an older schema opened by a host's writer (the app, `xferlens serve`): the writer
 * worker (the built dist/src-main/worker/, as the hosts run it) tells each step of the upgrade, in
 * order, before it is ready; until the host says ready, the API answers only `app/status`; the
 * lines serve prints are the CLI's, with the database's path escaped; the window's words.
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AppStatus, UpgradeProgress } from '../../src-main/api/contract.js';
import { createHandlers, type ApiHandlers } from '../../src-main/api/handlers.js';
import { errorReply } from '../../src-main/api/errors.js';
import { logValue, upgradeReporter } from '../../src-main/cli/upgrade-report.js';
import { indexPaths } from '../../src-main/core/ingest/indexer.js';
import { countRows } from '../../src-main/core/query/index.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { startupText } from '../../src-renderer/format.js';
import { EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';
import { undoLeanStore } from '../schema-downgrade.js';

type StartWriterModule = typeof import('../../src-main/worker/start-writer.js');

/** A database of schema 4 holding the EFT sample: indexed today, then turned back (undoLeanStore). */
async function schema4Database(dir: string): Promise<string> {
  const file = path.join(dir, 'old.sqlite');
  const log = path.join(dir, 'u_ex100408.log');
  writeLines(log, EFT_W3C_SAMPLE);
  const db = openDatabase(file);
  await indexPaths(db, [log], { timeZone: 'UTC' });
  undoLeanStore(db);
  db.pragma('user_version = 4');
  db.close();
  fs.rmSync(log); // every row must come from the database
  return file;
}

describe('the writer worker upgrading a database of schema 4', () => {
  const dir = tempDir('xferlens-writer-upgrade-');
  let file: string;
  const told: { step: UpgradeProgress; ready: boolean }[] = [];
  let stop: () => Promise<void>;
  let readOnly: string | null;

  beforeAll(async () => {
    file = await schema4Database(dir);
    const { startWriter } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'start-writer.js')).href)) as StartWriterModule;
    let ready = false;
    const started = startWriter({ databasePath: file, onMigrate: (step) => told.push({ step, ready }) });
    const { writer, readOnly: why } = await started;
    ready = true;
    stop = () => writer.stop();
    readOnly = why;
  });
  afterAll(async () => {
    await stop?.();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('tells every step, then the end, in order, all before startWriter resolves', () => {
    const steps = SCHEMA_VERSION - 4;
    expect(readOnly).toBeNull();
    expect(told.map((t) => t.step)).toEqual(Array.from({ length: steps + 1 }, (_, i) => ({ from: 4, to: SCHEMA_VERSION, step: i + 1, steps })));
    expect(told.every((t) => !t.ready)).toBe(true);
  });

  it('leaves a database of the current schema that holds every line', () => {
    const db = openDatabase(file, { readonly: true });
    try {
      expect(db.pragma('user_version', { simple: true })).toBe(SCHEMA_VERSION);
      expect(countRows(db, 'events', '')).toBe(EFT_W3C_SAMPLE.length);
      expect(countRows(db, 'events', 'user:test')).toBeGreaterThan(0);
    } finally {
      db.close();
    }
  });
});

describe('the API while the writer is not ready', () => {
  let status: AppStatus = { state: 'starting' };
  const dir = tempDir('xferlens-writer-upgrade-');
  const databasePath = path.join(dir, 'missing.sqlite');
  let reads = 0;
  let handlers: ApiHandlers;
  beforeAll(() => {
    handlers = createHandlers({
      mode: 'browser',
      databasePath,
      readDb: () => {
        reads++;
        return openDatabase(databasePath, { readonly: true }) as Db;
      },
      openReadDb: () => openDatabase(databasePath, { readonly: true }),
      writer: undefined as never, // never reached: every call is refused first
      emit: () => undefined,
      canOpenPaths: true,
      status: () => status,
    });
  });
  afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

  const refusal = async (call: () => Promise<unknown>) => {
    try {
      await call();
    } catch (err) {
      return errorReply(err);
    }
    throw new Error('the call was answered');
  };

  it('app/status answers what the writer is doing; every other method is refused with a 503 saying it', async () => {
    expect(await handlers['app/status']()).toEqual({ state: 'starting' });
    expect(await refusal(() => handlers['db/stats']())).toEqual({ status: 503, body: { error: 'db/stats: the database is being opened; try again when it is done (app/status says when)' } });
    status = { state: 'upgrading', from: 4, to: SCHEMA_VERSION, step: 3, steps: SCHEMA_VERSION - 4 };
    expect(await handlers['app/status']()).toEqual(status);
    for (const call of [() => handlers['query/page']({ kind: 'events', query: '' }), () => handlers['settings/set']({ theme: 'dark' }), () => handlers['app/info']()]) {
      const { status: code, body } = await refusal(call);
      expect(code).toBe(503);
      expect(body.error).toMatch(new RegExp(`: the database is being upgraded from schema 4 to ${SCHEMA_VERSION} \\(step 3 of ${SCHEMA_VERSION - 4}\\); try again`));
    }
    status = { state: 'upgrading', from: 4, to: SCHEMA_VERSION, step: SCHEMA_VERSION - 3, steps: SCHEMA_VERSION - 4 };
    expect((await refusal(() => handlers['sources/list']())).body.error).toMatch(/\(finishing\); try again/);
    // Input is still checked first: app/status takes none.
    expect((await refusal(() => (handlers['app/status'] as (input: unknown) => Promise<unknown>)({ x: 1 }))).status).toBe(400);
    expect(reads).toBe(0);
  });
});

describe('what serve says and the window shows', () => {
  it('serve prints the CLI lines, the path escaped: a newline in it cannot start a line of its own', () => {
    const lines: string[] = [];
    const report = upgradeReporter('/data/x\nxferlens: forged\u001b[2J.sqlite', (line) => lines.push(line));
    for (let step = 1; step <= 9; step++) report({ from: 4, to: 12, step, steps: 8 });
    expect(lines).toHaveLength(2);
    expect(lines[0]).toBe('xferlens: upgrading /data/x\\u000axferlens: forged\\u001b[2J.sqlite from schema 4 to 12 (a big database takes minutes; nothing is lost if it is stopped)\n');
    expect(lines[1]).toMatch(/^xferlens: upgraded in \d+\.\d s\n$/);
    expect(logValue('C:\\ProgramData\\xferlens\\index.sqlite')).toBe('C:\\ProgramData\\xferlens\\index.sqlite');
  });

  it('the window says which step it is at', () => {
    expect(startupText({ state: 'starting' })).toBe('Opening the database…');
    expect(startupText({ state: 'upgrading', from: 4, to: 12, step: 2, steps: 8 })).toBe('Upgrading the database from schema 4 to 12 (step 2 of 8)…');
    expect(startupText({ state: 'upgrading', from: 4, to: 12, step: 9, steps: 8 })).toBe('Upgrading the database from schema 4 to 12 (finishing)…');
    expect(startupText({ state: 'ready' })).toBeNull();
  });
});
