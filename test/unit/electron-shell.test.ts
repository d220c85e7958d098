/**
 * The desktop shell's pure parts: remembered window placement, Open Recent, files named on the
 * command line, where the Electron-ABI SQLite and the icon are found, the menu, and the native
 * notifications of live insights.
 */
import fs from 'node:fs';
import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it } from 'vitest';
import { formatInfos } from '../../src-main/api/handlers.js';
import { readJsonFile, writeJsonFile } from '../../src-main/electron/json-file.js';
import { electronBinary, nativeBindingPath, pathsFromArgv, windowIconPath } from '../../src-main/electron/launch.js';
import { formatsHelpText, menuTemplate, type MenuActions } from '../../src-main/electron/menu.js';
import { createLiveInsightNotifier, type NotificationClass } from '../../src-main/electron/notify.js';
import type { Insight } from '../../src-main/api/contract.js';
import { addRecent, MAX_RECENT, parseRecent } from '../../src-main/electron/recent.js';
import { DEFAULT_WINDOW_STATE, fitToScreens, MIN_HEIGHT, MIN_WIDTH, parseWindowState } from '../../src-main/electron/window-state.js';
import { REPO, tempDir } from '../helpers.js';

const SCREEN = { x: 0, y: 0, width: 1920, height: 1040 };
const RIGHT_SCREEN = { x: 1920, y: 0, width: 1280, height: 1000 };

describe('window state', () => {
  it('survives a round trip through its JSON file, and a damaged file gives the default', () => {
    const file = path.join(tempDir(), 'sub', 'window-state.json');
    writeJsonFile(file, { x: 100, y: 50, width: 1000, height: 700, maximized: true });
    expect(parseWindowState(readJsonFile(file))).toEqual({ x: 100, y: 50, width: 1000, height: 700, maximized: true });
    fs.writeFileSync(file, '{"width": 10');
    expect(parseWindowState(readJsonFile(file))).toEqual(DEFAULT_WINDOW_STATE);
    expect(parseWindowState(readJsonFile(path.join(tempDir(), 'missing.json')))).toEqual(DEFAULT_WINDOW_STATE);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['window-state.json']); // no temporary file left
  });

  it('ignores malformed values and keeps a usable minimum size', () => {
    expect(parseWindowState({ x: 'a', y: 3, width: 10, height: Number.NaN, maximized: 'yes' })).toEqual({ width: MIN_WIDTH, height: DEFAULT_WINDOW_STATE.height, maximized: false });
    expect(parseWindowState({ width: 100, height: 100 })).toMatchObject({ width: MIN_WIDTH, height: MIN_HEIGHT });
  });

  it('keeps the place on a screen that is still there, including a second monitor', () => {
    const onRight = { x: 2000, y: 100, width: 1000, height: 700, maximized: false };
    expect(fitToScreens(onRight, [SCREEN, RIGHT_SCREEN])).toEqual(onRight);
  });

  it('drops the place when that monitor is gone, and shrinks the window to the largest screen', () => {
    const onRight = { x: 2000, y: 100, width: 1000, height: 700, maximized: false };
    expect(fitToScreens(onRight, [SCREEN])).toEqual({ width: 1000, height: 700, maximized: false });
    const huge = { x: 0, y: 0, width: 4000, height: 3000, maximized: true };
    expect(fitToScreens(huge, [SCREEN])).toEqual({ x: 0, y: 0, width: 1920, height: 1040, maximized: true });
    // Title bar above the top of the screen: unreachable.
    expect(fitToScreens({ x: 100, y: -200, width: 800, height: 600, maximized: false }, [SCREEN])).not.toHaveProperty('x');
  });
});

describe('Open Recent', () => {
  it('puts the newest first, without duplicates, up to the limit', () => {
    let recent: string[] = [];
    for (let i = 0; i < MAX_RECENT + 3; i++) recent = addRecent(recent, [`/logs/${i}`]);
    expect(recent).toHaveLength(MAX_RECENT);
    expect(recent[0]).toBe(`/logs/${MAX_RECENT + 2}`);
    recent = addRecent(recent, ['/logs/5', '/new']);
    expect(recent.slice(0, 2)).toEqual(['/logs/5', '/new']);
    expect(recent.filter((p) => p === '/logs/5')).toHaveLength(1);
  });

  it('reads only strings back', () => {
    expect(parseRecent(['/a', 3, '', null, '/b'])).toEqual(['/a', '/b']);
    expect(parseRecent({ not: 'a list' })).toEqual([]);
  });
});

describe('launch', () => {
  it('takes the files from a command line, without the executable, the app folder or switches', () => {
    const cwd = '/home/admin';
    expect(pathsFromArgv(['/opt/xferlens/xferlens', '--enable-logging', 'ex260101.log', '/var/log/proftpd'], { isPackaged: true, cwd })).toEqual([
      path.resolve(cwd, 'ex260101.log'),
      '/var/log/proftpd',
    ]);
    // `electron . file` in a checkout: '.' is the app, not a file to open.
    expect(pathsFromArgv(['/repo/node_modules/electron/dist/electron', '--inspect=0', '.', 'logs/x.log'], { isPackaged: false, cwd })).toEqual([path.resolve(cwd, 'logs/x.log')]);
    expect(pathsFromArgv(['xferlens', '--', '-odd-name.log'], { isPackaged: true, cwd })).toEqual([path.resolve(cwd, '-odd-name.log')]);
    expect(pathsFromArgv(['xferlens'], { isPackaged: true, cwd })).toEqual([]);
  });

  it('finds the Electron-ABI SQLite and the icon in a checkout and in the installed app', () => {
    const dev = { isPackaged: false, appPath: '/repo', resourcesPath: '/unused', platform: 'win32' as const, arch: 'x64' };
    expect(nativeBindingPath(dev)).toBe(path.join('/repo', 'build', 'electron-native', 'win-x64', 'better_sqlite3.node'));
    expect(windowIconPath({ ...dev, appPath: REPO })).toBe(path.join(REPO, 'assets', 'icon.png'));
    expect(fs.existsSync(windowIconPath({ ...dev, appPath: REPO }))).toBe(true);
    const installed = { ...dev, isPackaged: true, appPath: '/opt/x/resources/app.asar', resourcesPath: '/opt/x/resources' };
    expect(nativeBindingPath(installed)).toBe(path.join('/opt/x/resources', 'native', 'better_sqlite3.node'));
    expect(windowIconPath(installed)).toBe(path.join('/opt/x/resources', 'icon.png'));
  });

  it('knows whether the Electron binary is installed from the files its installer leaves', () => {
    const root = tempDir();
    const dir = path.join(root, 'node_modules', 'electron');
    fs.mkdirSync(path.join(dir, 'dist'), { recursive: true });
    expect(electronBinary(root)).toBeNull(); // no path.txt: the download never finished
    fs.writeFileSync(path.join(dir, 'path.txt'), 'electron');
    expect(electronBinary(root)).toBeNull(); // path.txt but no binary
    fs.writeFileSync(path.join(dir, 'dist', 'electron'), '');
    expect(electronBinary(root)).toBe(path.join(dir, 'dist', 'electron'));
  });
});

describe('menu', () => {
  const calls: string[] = [];
  const actions: MenuActions = {
    openFiles: () => calls.push('openFiles'),
    openFolder: () => calls.push('openFolder'),
    openRecent: (p) => calls.push(`openRecent ${p}`),
    clearRecent: () => calls.push('clearRecent'),
    exportData: () => calls.push('exportData'),
    report: () => calls.push('report'),
    showFormats: () => calls.push('showFormats'),
    showAbout: () => calls.push('showAbout'),
  };
  const labels = (items: MenuItemConstructorOptions[]) => items.map((i) => i.label ?? i.role ?? i.type);
  const submenu = (items: MenuItemConstructorOptions[], label: string) => items.find((i) => i.label === label)!.submenu as MenuItemConstructorOptions[];
  const click = (item: MenuItemConstructorOptions | undefined) => (item!.click as () => void)();

  it('File: Open Files…, Open Folder…, Open Recent, Export…, Report…, Quit; Help: Supported Formats, About', () => {
    const menu = menuTemplate({ platform: 'win32', isPackaged: true, recent: ['/logs/a', '/logs/b'], actions });
    expect(labels(menu)).toEqual(['&File', '&Edit', '&View', '&Help']);
    const file = submenu(menu, '&File');
    expect(labels(file)).toEqual(['Open Files…', 'Open Folder…', 'Open Recent', 'separator', 'Export…', 'Report…', 'separator', 'Quit']);
    expect(file.find((i) => i.label === 'Quit')?.role).toBe('quit');
    const recent = submenu(file, 'Open Recent');
    expect(labels(recent)).toEqual(['/logs/a', '/logs/b', 'separator', 'Clear Recent']);
    expect(labels(submenu(menu, '&Help'))).toEqual(['Supported Formats', 'About xferlens']);

    calls.length = 0;
    for (const label of ['Open Files…', 'Open Folder…', 'Export…', 'Report…']) click(file.find((i) => i.label === label));
    click(recent[1]);
    click(recent.find((i) => i.label === 'Clear Recent'));
    click(submenu(menu, '&Help')[0]);
    expect(calls).toEqual(['openFiles', 'openFolder', 'exportData', 'report', 'openRecent /logs/b', 'clearRecent', 'showFormats']);
  });

  it('says when there is nothing recent, and hides developer tools in the installed app', () => {
    const packaged = menuTemplate({ platform: 'linux', isPackaged: true, recent: [], actions });
    expect(submenu(submenu(packaged, '&File'), 'Open Recent')).toEqual([{ label: 'No recent files', enabled: false }]);
    expect(submenu(packaged, '&View').map((i) => i.role)).not.toContain('toggleDevTools');
    expect(submenu(menuTemplate({ platform: 'linux', isPackaged: false, recent: [], actions }), '&View').map((i) => i.role)).toContain('toggleDevTools');
  });

  it('on macOS, Quit and About live in the application menu', () => {
    const menu = menuTemplate({ platform: 'darwin', isPackaged: true, recent: [], actions });
    expect(labels(menu)[0]).toBe('xferlens');
    expect((menu[0]!.submenu as MenuItemConstructorOptions[]).map((i) => i.role ?? i.label)).toContain('quit');
    expect(labels(submenu(menu, '&File'))).not.toContain('Quit');
  });

  it('Supported Formats lists every format of the registry', () => {
    const text = formatsHelpText(formatInfos());
    for (const f of formatInfos()) expect(text).toContain(`${f.label} (${f.id})`);
  });
});

describe('live-insight notifications', () => {
  const burst = (n: number): Insight => ({
    id: 'failed-login-bursts', title: 'Failed-login bursts', severity: 'critical', description: '',
    findings: Array.from({ length: n }, (_, i) => ({ label: `203.0.113.${i}: 5 failed logins in 1 min`, count: 5, kind: 'events' as const, query: `ip:203.0.113.${i}`, subject: `203.0.113.${i}` })),
  });
  function fakeNotification(supported: boolean) {
    const shown: { title?: string; body?: string }[] = [];
    const clicks: (() => void)[] = [];
    const Fake = class {
      static isSupported = () => supported;
      constructor(private readonly options: { title?: string; body?: string }) {}
      show() {
        shown.push({ title: this.options.title, body: this.options.body });
      }
      on(_event: 'click', listener: () => void) {
        clicks.push(listener);
      }
    };
    return { Fake: Fake as unknown as NotificationClass, shown, clicks };
  }

  it('shows each new burst, a summary for many at once, and a click brings the window back', () => {
    const { Fake, shown, clicks } = fakeNotification(true);
    let focused = 0;
    const notify = createLiveInsightNotifier(Fake, () => void focused++);
    notify(burst(2));
    expect(shown).toEqual([
      { title: 'xferlens: Failed-login bursts', body: '203.0.113.0: 5 failed logins in 1 min' },
      { title: 'xferlens: Failed-login bursts', body: '203.0.113.1: 5 failed logins in 1 min' },
    ]);
    notify(burst(5));
    expect(shown).toHaveLength(3);
    expect(shown[2]).toEqual({ title: 'xferlens: 5 new failed-login bursts', body: '203.0.113.0: 5 failed logins in 1 min\n203.0.113.1: 5 failed logins in 1 min\n203.0.113.2: 5 failed logins in 1 min\n…' });
    clicks[2]!();
    expect(focused).toBe(1);
  });

  it('shows nothing where the system has no notifications', () => {
    const { Fake, shown } = fakeNotification(false);
    createLiveInsightNotifier(Fake, () => undefined)(burst(1));
    expect(shown).toEqual([]);
  });
});
