/**
 * The desktop app for real: Playwright's `_electron.launch` on the built app, with a fresh
 * database and settings folder. Needs the Electron binary (node_modules/electron/dist) and
 * better-sqlite3 built for Electron (`npm start` or `node scripts/electron-native.mjs`, which
 * need internet once); skipped, saying which is missing, where they are not installed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { _electron as electron, type ElectronApplication } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { electronBinary, nativeBindingPath } from '../../src-main/electron/launch.js';
import { EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';

const binary = electronBinary(REPO);
const native = nativeBindingPath({ isPackaged: false, appPath: REPO, resourcesPath: '', platform: process.platform, arch: process.arch });
const skipReason = !binary
  ? 'no Electron binary installed (node_modules/electron/dist is missing: its download failed or was skipped; `npx install-electron` with internet)'
  : !fs.existsSync(native)
    ? `better-sqlite3 for Electron is missing at ${path.relative(REPO, native)} (run \`node scripts/electron-native.mjs\` with internet)`
    : !fs.existsSync(path.join(REPO, 'dist', 'renderer', 'index.html'))
      ? 'the app is not built (npm run build)'
      : null;
if (skipReason) console.warn(`Electron e2e skipped: ${skipReason}`);

describe.skipIf(skipReason !== null)('desktop app (Electron)', () => {
  let app: ElectronApplication;
  const dir = tempDir('xferlens-electron-');
  const logs = path.join(dir, 'logs');

  beforeAll(async () => {
    fs.mkdirSync(logs);
    writeLines(path.join(logs, 'ex100408.log'), EFT_W3C_SAMPLE);
    const env: Record<string, string | undefined> = { ...process.env, XFERLENS_DB: path.join(dir, 'index.sqlite'), XFERLENS_USER_DATA_DIR: path.join(dir, 'user-data') };
    delete env.ELECTRON_RUN_AS_NODE;
    app = await electron.launch({ executablePath: binary!, args: [REPO], cwd: REPO, env: env as Record<string, string> });
  });

  afterAll(async () => {
    await app?.close();
  });

  it('opens one hardened window showing the empty state with the supported formats', async () => {
    const page = await app.firstWindow();
    await page.getByTestId('empty-state').waitFor();
    expect(page.url()).toBe('app://xferlens/index.html');
    expect(await page.getByTestId('formats').locator('li').count()).toBeGreaterThan(5);
    // Nothing of Node or Electron in the page: only the contract's bridge.
    expect(await page.evaluate(() => typeof (globalThis as { require?: unknown }).require)).toBe('undefined');
    expect(await page.evaluate(() => typeof (globalThis as { process?: unknown }).process)).toBe('undefined');
    expect(await page.evaluate(() => Object.keys((globalThis as unknown as { xferlens: object }).xferlens).sort())).toEqual(['call', 'pathForFile', 'subscribe']);
    expect(await app.evaluate(({ BrowserWindow }) => BrowserWindow.getAllWindows().length)).toBe(1);
  });

  it('indexes a folder through the API and shows its files', async () => {
    const page = await app.firstWindow();
    await page.getByLabel('Log file or folder').fill(logs);
    await page.getByRole('button', { name: 'Index', exact: true }).click();
    await page.getByTestId('sources').waitFor();
    expect(await page.getByTestId('sources').textContent()).toContain('ex100408.log');
    expect(await page.getByTestId('totals').textContent()).toContain('1 files');
  });
});
