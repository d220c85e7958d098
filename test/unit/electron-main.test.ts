/**
 * The compiled Electron main process (dist/src-main/electron/main.js) run under plain Node with a
 * recording fake of Electron (test/fake-electron/): what it registers, the window it creates, and
 * a command-line folder and a second launch's folder indexed through the writer worker, with the
 * events reaching the window, and a followed log whose new failed logins make a native
 * notification. SQLite for "Electron" is Node's build copied to where the app looks.
 */
import Database from 'better-sqlite3';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { electronNativeDir } from '../../src-main/electron/launch.js';
import { INPUTS } from '../../src-main/api/inputs.js';
import { SCHEMA_VERSION } from '../../src-main/core/store/schema.js';
import { SECURE_WEB_PREFERENCES } from '../../src-main/electron/security.js';
import { CLI, EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';
import { SmallVolume, storageFaultsUnavailable } from '../storage-volume.js';

const RUN_MAIN = path.join(REPO, 'dist', 'test', 'fake-electron', 'run-main.js');
const LIVE_HEADER = ['#Software: Globalscape EFT Server', '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port'];

/** The app folder, the log folders and the live log that run-main is given (see prepareMain). */
type Prepared = ReturnType<typeof prepareMain>;

function runMain(opts: { withNative: boolean; database?: Buffer; messageBoxResponse?: number }) {
  return spawnMain(prepareMain(opts), opts);
}

function prepareMain(opts: { withNative: boolean; database?: Buffer }) {
  const dir = tempDir('xferlens-main-');
  const appPath = path.join(dir, 'app');
  if (opts.withNative) {
    const native = electronNativeDir(appPath, process.platform, process.arch);
    fs.mkdirSync(native, { recursive: true });
    fs.copyFileSync(path.join(REPO, 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node'), path.join(native, 'better_sqlite3.node'));
  }
  const [first, second] = [path.join(dir, 'logs1'), path.join(dir, 'logs2')];
  for (const [folder, name] of [[first, 'ex100408.log'], [second, 'ex100409.log']] as const) {
    fs.mkdirSync(folder);
    writeLines(path.join(folder, name), EFT_W3C_SAMPLE);
  }
  const live = path.join(dir, 'live', 'u_ex260401.log');
  fs.mkdirSync(path.dirname(live));
  writeLines(live, [...LIVE_HEADER, '2026-04-01 09:59:00 198.51.100.4 - alice [19]user alice - 331 - - - 21']);
  const userData = path.join(dir, 'user-data');
  if (opts.database) fs.writeFileSync(path.join(dir, 'index.sqlite'), opts.database);
  return { dir, appPath, first, second, live, userData, databasePath: path.join(dir, 'index.sqlite') };
}

/** Runs the main process under the fake Electron; `scenario` picks what run-main does once the window is up. */
function spawnMain(prepared: Prepared, opts: { messageBoxResponse?: number; scenario?: 'follow-again' | 'read-only' | 'upgrade' }) {
  const { dir, appPath, first, second, live, userData, databasePath } = prepared;
  const r = spawnSync(process.execPath, [RUN_MAIN, first, second, live], {
    encoding: 'utf8',
    env: {
      ...process.env,
      FAKE_MESSAGE_BOX_RESPONSE: String(opts.messageBoxResponse ?? 0),
      FAKE_APP_PATH: appPath,
      FAKE_SCENARIO: opts.scenario ?? '',
      XFERLENS_DB: databasePath,
      XFERLENS_USER_DATA_DIR: userData,
      XFERLENS_QUIET_SLOW: '1',
      // FAKE_SCENARIO=upgrade holds the database's write lock: the writer waits for it, however long.
      XFERLENS_BUSY_TIMEOUT_MS: opts.scenario === 'upgrade' ? '600000' : (process.env.XFERLENS_BUSY_TIMEOUT_MS ?? ''),
    },
    timeout: 60_000,
  });
  if (r.status !== 0) throw new Error(`run-main exited ${r.status}: ${r.stderr}`);
  return { report: JSON.parse(r.stdout) as Record<string, any>, first, second, live, userData, dir };
}

describe('Electron main process (fake Electron)', () => {
  it('hardens, registers the API, opens the window, and indexes the files it is given', () => {
    const result = runMain({ withNative: true });
    const { report, first, second, userData, dir } = result;
    expect(report.errorBoxes).toEqual([]);
    expect(report.sandboxEnabled).toBe(true);
    expect(report.singleInstanceData).toEqual({ paths: [first] });
    expect(report.privilegedSchemes).toEqual([{ scheme: 'app', privileges: { standard: true, secure: true, supportFetchAPI: true, corsEnabled: true } }]);
    expect(report.protocolHandlers).toEqual(['app']);
    expect(report.ipcChannels).toEqual(Object.keys(INPUTS).sort());
    expect(report.sessionHandlers).toEqual(['beforeRequest', 'devicePermission', 'headersReceived', 'permissionCheck', 'permissionRequest']);

    expect(report.windowOptions.webPreferences).toEqual({ ...SECURE_WEB_PREFERENCES, preload: path.join(REPO, 'dist', 'src-main', 'electron', 'preload.cjs') });
    expect(fs.existsSync(report.windowOptions.webPreferences.preload)).toBe(true);
    expect(report.windowOptions.show).toBe(false);
    expect(report.url).toBe('app://xferlens/index.html');
    // The window was hardened through 'web-contents-created'.
    expect(report.windowOpenHandlerSet).toBe(true);
    expect(report.navigationListeners).toBe(1);

    // The command-line folder, then the second launch's, each indexed with events to the window.
    const channels = report.events.map((e: { channel: string }) => e.channel);
    expect(channels.filter((c: string) => c !== 'index/progress' && c !== 'follow/changed')).toEqual(['index/started', 'index/finished', 'sources/changed', 'index/started', 'index/finished', 'sources/changed']);
    // At start, what was followed before is followed again: nothing, on a new database.
    expect(report.events.filter((e: { channel: string }) => e.channel === 'follow/changed').map((e: { payload: unknown }) => e.payload)).toEqual([{ paused: false, paths: [] }]);
    const started = report.events.filter((e: { channel: string }) => e.channel === 'index/started').map((e: { payload: { paths: string[] } }) => e.payload.paths);
    expect(started).toEqual([[first], [second]]);
    const done = report.events.filter((e: { channel: string }) => e.channel === 'index/finished').map((e: { payload: object }) => e.payload);
    expect(done.map((d: { files: number; events: number; cancelled: boolean }) => [d.files, d.events, d.cancelled])).toEqual([[1, 7, false], [1, 7, false]]);

    // IPC answers the app's page from the read connection, and refuses anyone else.
    expect(report.stats.ok.value).toMatchObject({ path: path.join(dir, 'index.sqlite'), sources: 1, events: 7 });
    expect(report.status.ok.value).toEqual({ state: 'ready' });
    expect(report.foreign.error).toMatch(/refused IPC from https:\/\/evil\.example/);
    expect(report.sources.ok.value.map((s: { path: string }) => path.dirname(s.path)).sort()).toEqual([first, second].sort());
    // A failed call answers its error as data (with the column of a search mistake), not as a throw.
    expect(report.badQuery.ok).toEqual({ error: { error: expect.stringMatching(/unknown field "usr" at column 1/), column: 1 } });
    expect(report.badInput.ok).toEqual({ error: { error: expect.stringMatching(/^query\/page: limit must be an integer 1\.\.1000/) } });

    // Open Recent and the OS's recent documents got both folders, newest first.
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'recent.json'), 'utf8'))).toEqual([second, first]);
    expect(report.recentDocuments).toEqual([first, second]);
    const file = report.lastMenu.find((m: { label: string }) => m.label === '&File');
    const recent = file.submenu.find((m: { label: string }) => m.label === 'Open Recent').submenu.map((m: { label?: string }) => m.label);
    expect(recent.slice(0, 2)).toEqual([second, first]);

    // Follow mode: the live log is followed (its source says so), and six failed logins appended
    // to it made exactly one native notification, whose click brought the window back.
    const { live } = result;
    expect(report.followStarted.ok.value).toEqual({ paused: false, paths: [{ path: live, files: 0, error: null }] });
    const followChannels = report.followEvents.map((e: { channel: string }) => e.channel);
    expect(followChannels).toContain('follow/batch');
    expect(followChannels.filter((c: string) => c === 'insights/live')).toHaveLength(1);
    const burst = report.followEvents.find((e: { channel: string }) => e.channel === 'insights/live').payload;
    expect(burst).toMatchObject({ id: 'failed-login-bursts', findings: [{ subject: '203.0.113.9', count: 6, kind: 'events' }] });
    expect(report.notifications).toEqual([{ title: 'xferlens: Failed-login bursts', body: '203.0.113.9: 6 failed logins in 1 min (mallory)' }]);
    expect(report.focusedByClick).toBe(1);
    const liveSource = report.followedSources.ok.value.find((s: { path: string }) => s.path === live);
    expect(liveSource).toMatchObject({ following: true, followPaused: false, events: 13 });
    expect(report.followedSources.ok.value.filter((s: { following: boolean }) => s.following)).toHaveLength(1);
    expect(report.followStopped.ok.value).toEqual({ paused: false, paths: [] });

    // Closing the window remembered its place.
    expect(JSON.parse(fs.readFileSync(path.join(userData, 'window-state.json'), 'utf8'))).toEqual({ x: 10, y: 20, width: 1111, height: 777, maximized: false });
  });

  it('offers a new index when its database file is damaged, keeping the old file aside', () => {
    const garbage = Buffer.from('SQLite format 3\0' + 'x'.repeat(5000));
    const { report, dir } = runMain({ withNative: true, database: garbage });
    expect(report.messageBoxes).toHaveLength(1);
    expect(report.messageBoxes[0]).toMatchObject({ message: 'xferlens cannot open its database', buttons: ['Start a new index', 'Quit'] });
    expect(report.messageBoxes[0].detail).toMatch(/source of truth/);
    expect(report).toMatchObject({ relaunched: true, exitCode: 0 });
    const aside = fs.readdirSync(dir).filter((f) => f.startsWith('index.sqlite.broken-'));
    expect(aside).toHaveLength(1);
    expect(fs.readFileSync(path.join(dir, aside[0]!)).equals(garbage)).toBe(true);
    expect(fs.existsSync(path.join(dir, 'index.sqlite'))).toBe(false);

    // "Quit" leaves the file where it is.
    const quit = runMain({ withNative: true, database: garbage, messageBoxResponse: 1 });
    expect(quit.report).toMatchObject({ relaunched: false, exitCode: 1 });
    expect(fs.readFileSync(path.join(quit.dir, 'index.sqlite')).equals(garbage)).toBe(true);
  });

  it('follows again at start what was followed when the database was last used', async () => {
    const prepared = prepareMain({ withNative: true });
    // An earlier run followed the live log (the writer worker remembers it in the database).
    const { IndexWorkerClient } = (await import(pathToFileURL(path.join(REPO, 'dist', 'src-main', 'worker', 'index-worker-client.js')).href)) as typeof import('../../src-main/worker/index-worker-client.js');
    const earlier = new IndexWorkerClient({ databasePath: prepared.databasePath });
    try {
      await earlier.follow({ paths: [prepared.live] });
    } finally {
      await earlier.stop();
    }
    const { report } = spawnMain(prepared, { scenario: 'follow-again' });
    expect(report.errorBoxes).toEqual([]);
    expect(report.followStatus.ok.value).toEqual({ paused: false, paths: [{ path: prepared.live, files: 1, error: null }] });
    // A line appended after the start reached the window as a batch.
    expect(report.followBatch).toMatchObject({ path: prepared.live, files: [prepared.live], lines: 1, events: 1 });
  });

  it.skipIf(!!storageFaultsUnavailable())('started on a full disk, keeps running read-only: reads answer, the status says why, indexing is refused', () => {
    const volume = new SmallVolume(64);
    try {
      const databasePath = path.join(volume.dir, 'index.sqlite');
      const logs = tempDir();
      writeLines(path.join(logs, 'ex100408.log'), EFT_W3C_SAMPLE);
      expect(spawnSync(process.execPath, [CLI, 'index', '--db', databasePath, logs]).status).toBe(0);
      volume.fill();
      const { report } = spawnMain({ ...prepareMain({ withNative: true }), databasePath }, { scenario: 'read-only' });
      expect(report.errorBoxes).toEqual([]);
      const full = `its disk is full (${volume.dir})`;
      expect(report.info.ok.value.readOnly).toBe(`${databasePath} is read-only: ${full}; free space on ${volume.dir}, then start xferlens again to index`);
      expect(report.stats.ok.value).toMatchObject({ sources: 1, events: 7 });
      expect(report.page.ok.value.total).toBeGreaterThan(0);
      expect(report.commandLine.error).toBe(`${databasePath}: cannot index: ${full}. Reading (stats, search, export…) works; free space on ${volume.dir}, then start xferlens again to index.`);
    } finally {
      volume.unmount();
    }
  });

  it('opens its window at once on a database of an older release: app/status says the upgrade step, the rest waits', () => {
    const fixture = path.join(REPO, 'test', 'fixtures', 'db', 'schema4.sqlite');
    const old = new Database(fixture, { readonly: true });
    const oldEvents = (old.prepare('SELECT count(*) AS n FROM events WHERE kind = 0').get() as { n: number }).n;
    old.close();
    const { report } = spawnMain(prepareMain({ withNative: true, database: fs.readFileSync(fixture) }), { scenario: 'upgrade' });
    expect(report.during.ok.value).toEqual({ state: 'upgrading', from: 4, to: SCHEMA_VERSION, step: 1, steps: SCHEMA_VERSION - 4 });
    expect(report.refused.ok.error.error).toBe(`db/stats: the database is being upgraded from schema 4 to ${SCHEMA_VERSION} (step 1 of ${SCHEMA_VERSION - 4}); try again when it is done (app/status says when)`);
    // The command-line folder waited for the upgrade, then was indexed into the upgraded database.
    expect(report.indexedMeanwhile).toBe(0);
    expect(report.indexed).toMatchObject({ files: 1, events: 7, errors: [] });
    expect(report.after.ok.value).toEqual({ state: 'ready' });
    expect(report.stats.ok.value).toMatchObject({ events: oldEvents + 7 });
    expect(report.errorBoxes).toEqual([]);
  });

  it('says where SQLite for Electron is missing instead of starting without a database', () => {
    const { report } = runMain({ withNative: false });
    expect(report.exitCode).toBe(1);
    expect(report.errorBoxes).toHaveLength(1);
    expect(report.errorBoxes[0]).toMatch(/SQLite for Electron was not found at .*electron-native.*better_sqlite3\.node.*npm start/s);
  });
});
