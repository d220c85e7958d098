/**
 * Runs the compiled Electron main process (dist/src-main/electron/main.js) under plain Node with
 * the fake Electron of ./electron.ts, drives it like Electron would (window loaded, a second
 * launch with files, IPC calls, following a live log with live-insight notifications on, window
 * closed) and prints what it did as JSON. Used by test/unit/electron-main.test.ts; argv: LOG_FOLDER
 * SECOND_LOG_FOLDER LIVE_LOG (a W3C log that this script appends failed logins to).
 * FAKE_SCENARIO=follow-again: only checks that the live log, followed by an earlier run, is followed
 * again (a line appended to it arrives as a batch). FAKE_SCENARIO=read-only: only what the window
 * gets from a database that cannot be written (app/info, reads, the command-line folder refused).
 * FAKE_SCENARIO=upgrade: XFERLENS_DB is of an older schema and this script holds its write lock, so
 * the writer stops at the upgrade's first step (no timing); it asks app/status and db/stats there,
 * lets go, and asks again once the command-line folder is indexed.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import fs from 'node:fs';
import { createRequire, register } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { FakeBrowserWindow } from './electron.js';

register('./hooks.js', import.meta.url);

const [first, second, live] = process.argv.slice(2) as [string, string, string];
// As `electron . FOLDER` would see it.
process.argv = [process.execPath, '.', first];

const until = async (what: string, ok: () => boolean) => {
  for (let i = 0; i < 3000 && !ok(); i++) await new Promise((r) => setTimeout(r, 10));
  if (!ok()) throw new Error(`timed out waiting for ${what}`);
};
const sent = (w: FakeBrowserWindow) => w.webContents.sent;
const finished = (w: FakeBrowserWindow) => sent(w).filter(([channel]) => channel === 'index/finished').length;

const APP_URL = 'app://xferlens/index.html';
/**
 * The test's hold on the database (FAKE_SCENARIO=upgrade), taken before the app starts, by a process
 * of its own: a connection of this process would share its POSIX locks with the app's (closing it
 * would drop theirs), and be of another SQLite than the app's copy of better-sqlite3.
 */
let lock: { release(): Promise<void> } | null = null;
if (process.env.FAKE_SCENARIO === 'upgrade') {
  const hold = `const Database = require(process.argv[1]); const db = new Database(process.argv[2]);
    db.pragma('journal_mode = WAL'); db.exec('BEGIN IMMEDIATE'); process.stdout.write('held\\n');
    process.stdin.resume(); process.stdin.on('end', () => { db.exec('ROLLBACK'); db.close(); });`;
  const holder = spawn(process.execPath, ['-e', hold, createRequire(import.meta.url).resolve('better-sqlite3'), process.env.XFERLENS_DB!], { stdio: ['pipe', 'pipe', 'inherit'] });
  await once(holder.stdout!, 'data');
  lock = {
    release: async () => {
      holder.stdin!.end();
      await once(holder, 'exit');
    },
  };
}

const dist = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'src-main', 'electron', 'main.js');
await import(pathToFileURL(dist).href);
// The same module instance main.js got for 'electron' (the hook resolves it to this file).
const { app, fake } = await import('./electron.js');
// The window opens at once (it shows the database being opened or upgraded); the paths wait for the writer.
await until('the window', () => fake.windows.length > 0 || fake.exitCode !== undefined);
const win = fake.windows[0];
win?.webContents.emit('did-finish-load');

const invoke = async (channel: string, url: string, input?: unknown) => {
  try {
    return { ok: await fake.ipcHandlers.get(channel)!({ senderFrame: { url } }, input) };
  } catch (err) {
    return { error: (err as Error).message };
  }
};

if (lock && win) {
  const upgrading = (reply: { ok?: unknown }) => (reply.ok as { value?: { state?: string } } | undefined)?.value?.state === 'upgrading';
  let during: { ok?: unknown; error?: string } = {};
  for (let i = 0; i < 3000 && !upgrading(during); i++) {
    during = await invoke('app/status', APP_URL);
    if (!upgrading(during)) await new Promise((r) => setTimeout(r, 10));
  }
  const refused = await invoke('db/stats', APP_URL);
  const indexedMeanwhile = finished(win);
  await lock.release();
  await until('the command-line folder to be indexed', () => finished(win) >= 1);
  const after = await invoke('app/status', APP_URL);
  const stats = await invoke('db/stats', APP_URL);
  const indexed = sent(win).find(([channel]) => channel === 'index/finished')?.[1];
  process.stdout.write(JSON.stringify({ during, refused, indexedMeanwhile, indexed, after, stats, errorBoxes: fake.errorBoxes }));
  app.emit('will-quit');
  await new Promise((r) => setTimeout(r, 200));
  process.exit(0);
}
await until('the command-line folder to be indexed', () => (win !== undefined && finished(win) >= 1) || fake.exitCode !== undefined);
if (fake.exitCode !== undefined || !win) {
  process.stdout.write(JSON.stringify({ errorBoxes: fake.errorBoxes, messageBoxes: fake.messageBoxes, relaunched: fake.relaunched, exitCode: fake.exitCode }));
  process.exit(0);
}

if (process.env.FAKE_SCENARIO === 'read-only') {
  const APP = 'app://xferlens/index.html';
  const report = {
    errorBoxes: fake.errorBoxes,
    info: await invoke('app/info', APP),
    stats: await invoke('db/stats', APP),
    page: await invoke('query/page', APP, { kind: 'sessions', query: '', limit: 5 }),
    commandLine: sent(win).find(([channel]) => channel === 'index/finished')![1],
  };
  process.stdout.write(JSON.stringify(report));
  app.emit('will-quit');
  await new Promise((r) => setTimeout(r, 200));
  process.exit(0);
}

if (process.env.FAKE_SCENARIO === 'follow-again') {
  const followedAgain = (e: [string, unknown]) => e[0] === 'follow/changed' && (e[1] as { paths: { path: string; files: number }[] }).paths.some((p) => p.path === live && p.files === 1);
  await until('the live log to be followed again', () => sent(win).some(followedAgain));
  const followStatus = await invoke('follow/status', 'app://xferlens/index.html');
  const batches = () => sent(win).filter(([channel]) => channel === 'follow/batch');
  const before = batches().length;
  fs.appendFileSync(live, '2026-04-01 10:00:01 198.51.100.4 - alice [19]pass ******* - 230 - - - 21\r\n');
  await until('the appended line', () => batches().length > before);
  const followBatch = batches()[before]![1];
  process.stdout.write(JSON.stringify({ errorBoxes: fake.errorBoxes, followStatus, followBatch }));
  app.emit('will-quit');
  await new Promise((r) => setTimeout(r, 200));
  process.exit(0);
}
const stats = await invoke('db/stats', 'app://xferlens/index.html');
const status = await invoke('app/status', 'app://xferlens/index.html');
const foreign = await invoke('db/stats', 'https://evil.example/');

app.emit('second-instance', {}, ['xferlens', '--flag'], '/', { paths: [second] });
await until('the second launch\'s folder to be indexed', () => finished(win) >= 2);
const sources = await invoke('sources/list', 'app://xferlens/index.html');
const badQuery = await invoke('query/page', 'app://xferlens/index.html', { kind: 'events', query: 'usr:x' });
const badInput = await invoke('query/page', 'app://xferlens/index.html', { kind: 'events', query: '', limit: 1e9 });
const eventsBeforeFollow = sent(win).length;

// Follow mode with live-insight notifications on: six failed logins from one IP appended to a
// followed log make one native notification; a click on it brings the window back.
const APP = 'app://xferlens/index.html';
await invoke('settings/set', APP, { notifyLiveInsights: true });
const followStarted = await invoke('follow/start', APP, { paths: [live] });
const followed = (e: [string, unknown]) => e[0] === 'follow/changed' && (e[1] as { paths: { files: number }[] }).paths[0]?.files === 1;
await until('the live log to be followed', () => sent(win).some(followed));
const failedLogins = Array.from({ length: 6 }, (_, i) => [
  `2026-04-01 10:00:0${i + 1} 203.0.113.9 - mallory [${20 + i}]user mallory - 331 - - - 21`,
  `2026-04-01 10:00:0${i + 1} 203.0.113.9 - mallory [${20 + i}]pass ******* - 530 - - - 21`,
]).flat();
fs.appendFileSync(live, failedLogins.map((l) => l + '\r\n').join(''));
await until('the live-insight notification', () => fake.notifications.length > 0);
const focusBeforeClick = fake.focusCalls;
fake.notifications[0]!.click();
const focusedByClick = fake.focusCalls - focusBeforeClick;
const followedSources = await invoke('sources/list', APP);
const followStopped = await invoke('follow/stop', APP, {});

win.emit('close');

process.stdout.write(
  JSON.stringify({
    sandboxEnabled: fake.sandboxEnabled,
    singleInstanceData: fake.singleInstanceData,
    privilegedSchemes: fake.privilegedSchemes,
    protocolHandlers: [...fake.protocolHandlers.keys()],
    ipcChannels: [...fake.ipcHandlers.keys()].sort(),
    sessionHandlers: Object.keys(fake.session).sort(),
    windowOptions: win.options,
    windowOpenHandlerSet: win.webContents.windowOpenHandler !== null,
    navigationListeners: win.webContents.listenerCount('will-navigate'),
    url: win.webContents.url,
    events: sent(win).slice(0, eventsBeforeFollow).map(([channel, payload]) => ({ channel, payload })),
    followEvents: sent(win).slice(eventsBeforeFollow).map(([channel, payload]) => ({ channel, payload })),
    followStarted,
    followStopped,
    followedSources,
    notifications: fake.notifications.map(({ title, body }) => ({ title, body })),
    focusedByClick,
    stats,
    status,
    foreign,
    sources,
    badQuery,
    badInput,
    lastMenu: fake.menus.at(-1),
    recentDocuments: fake.recentDocuments,
    errorBoxes: fake.errorBoxes,
  }),
);
app.emit('will-quit');
setTimeout(() => process.exit(0), 200);
