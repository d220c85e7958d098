/**
 * The Electron main process: kept thin. It wires the security policy (security.ts), serves the
 * renderer over app:// (app-protocol.ts), exposes the API handlers over IPC (ipc.ts), and leaves
 * writes to the writer worker (src-main/worker/index-worker.ts) so it never blocks.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { app, BrowserWindow, dialog, ipcMain, Menu, nativeTheme, Notification, protocol, screen, session, shell } from 'electron';
import type { ApiEventName, ApiEvents, AppStatus } from '../api/contract.js';
import { createHandlers, formatInfos, relayFollowEvents, type Dialogs } from '../api/handlers.js';
import { defaultProftpdConfFile } from '../core/ingest/proftpd-conf.js';
import { defaultDatabasePath } from '../core/paths.js';
import { openDatabase, type Db } from '../core/store/db.js';
import { moveDatabaseAside } from '../core/store/recover.js';
import { VERSION } from '../core/version.js';
import { APP_SCHEME_PRIVILEGES, serveAppProtocol } from './app-protocol.js';
import { ReadOnlyWriter, startWriter, type HostWriter } from '../worker/start-writer.js';
import { DatabaseError, needsRebuild } from '../core/store/faults.js';
import { createEventSender, registerIpc } from './ipc.js';
import { readJsonFile, writeJsonFile } from './json-file.js';
import { nativeBindingPath, pathsFromArgv, windowIconPath, type AppLocation } from './launch.js';
import { formatsHelpText, menuTemplate } from './menu.js';
import { createLiveInsightNotifier } from './notify.js';
import { electronPdfPrinter } from './print-pdf.js';
import { addRecent, parseRecent } from './recent.js';
import { hardenApp, hardenSession, RENDERER_URL } from './security.js';
import { fitToScreens, mainWindowOptions, parseWindowState, type WindowState } from './window-state.js';

// Tests (and admins who keep separate profiles) can move the settings folder.
if (process.env.XFERLENS_USER_DATA_DIR) app.setPath('userData', path.resolve(process.env.XFERLENS_USER_DATA_DIR));

const location: AppLocation = {
  isPackaged: app.isPackaged,
  appPath: app.getAppPath(),
  resourcesPath: process.resourcesPath,
  platform: process.platform,
  arch: process.arch,
};
const LOG_FILE_FILTERS: Electron.FileFilter[] = [
  { name: 'Log files', extensions: ['log', 'txt', 'gz'] },
  { name: 'All files', extensions: ['*'] },
];
const SAVE_FILTERS: Record<'csv' | 'ndjson' | 'html' | 'pdf', Electron.FileFilter> = {
  csv: { name: 'CSV', extensions: ['csv'] },
  ndjson: { name: 'NDJSON', extensions: ['ndjson', 'jsonl'] },
  html: { name: 'HTML report', extensions: ['html', 'htm'] },
  pdf: { name: 'PDF report', extensions: ['pdf'] },
};
const settingsFile = (name: string) => path.join(app.getPath('userData'), name);
const launchPaths = () => pathsFromArgv(process.argv, { isPackaged: app.isPackaged, cwd: process.cwd() });

app.enableSandbox();
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);
hardenApp(app, (url) => shell.openExternal(url));

if (!app.requestSingleInstanceLock({ paths: launchPaths() })) {
  // The first instance received our files through 'second-instance'.
  app.quit();
} else {
  start();
}

function start(): void {
  let mainWindow: BrowserWindow | null = null;
  /** Paths to open once the window has loaded (command line, macOS open-file before ready). */
  let pending: string[] = launchPaths();
  let rendererLoaded = false;
  let recent = parseRecent(readJsonFile(settingsFile('recent.json')));

  const nativeBinding = nativeBindingPath(location);
  const databasePath = defaultDatabasePath();
  // Set once started (startWriter): the index worker, or a writer refusing writes to a read-only database.
  let indexer: HostWriter = new ReadOnlyWriter(databasePath, 'it is not open yet');
  // The window opens at once and shows this until the writer is ready (an older database is upgraded first).
  let status: AppStatus = { state: 'starting' };
  let readConnection: Db | null = null;
  const readDb = () => (readConnection ??= openDatabase(databasePath, { readonly: true, nativeBinding }));

  const remember = (paths: readonly string[]) => {
    recent = addRecent(recent, paths);
    writeJsonFile(settingsFile('recent.json'), recent);
    for (const p of paths) app.addRecentDocument(p);
    installMenu();
  };

  const send = createEventSender(() => BrowserWindow.getAllWindows().map((w) => w.webContents));
  const notifyLiveInsight = createLiveInsightNotifier(Notification, () => focus());
  const emit = <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => {
    if (event === 'index/started') remember((payload as ApiEvents['index/started']).paths);
    if (event === 'insights/live') notifyLiveInsight(payload as ApiEvents['insights/live']);
    send(event, payload);
  };
  const dialogs: Dialogs = {
    async open({ folders }) {
      const options: Electron.OpenDialogOptions = {
        title: folders ? 'Open log folders' : 'Open log files',
        properties: folders ? ['openDirectory', 'multiSelections'] : ['openFile', 'multiSelections'],
        filters: LOG_FILE_FILTERS,
      };
      const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
      return result.canceled ? [] : result.filePaths;
    },
    async save({ defaultName, format }) {
      const options: Electron.SaveDialogOptions = {
        title: format === 'html' || format === 'pdf' ? 'Save report' : 'Export',
        defaultPath: path.join(app.getPath('documents'), defaultName),
        filters: [SAVE_FILTERS[format]],
      };
      const result = mainWindow ? await dialog.showSaveDialog(mainWindow, options) : await dialog.showSaveDialog(options);
      return result.canceled || !result.filePath ? null : result.filePath;
    },
  };
  const backend = {
    mode: 'desktop' as const,
    databasePath,
    readDb,
    openReadDb: () => openDatabase(databasePath, { readonly: true, nativeBinding }),
    exportThreads: { nativeBinding },
    printPdf: electronPdfPrinter({ BrowserWindow, session }),
    get writer() {
      return indexer;
    },
    readOnly: null as string | null,
    // $XFERLENS_PROFTPD_CONF, else /etc/proftpd/proftpd.conf when it exists (as the CLI's index).
    proftpdConf: defaultProftpdConfFile(),
    emit,
    canOpenPaths: true,
    dialogs,
    status: () => status,
  };
  const handlers = createHandlers(backend);

  const openPaths = (paths: readonly string[]) => {
    if (!paths.length) return;
    if (!rendererLoaded || status.state !== 'ready') {
      pending.push(...paths);
      return;
    }
    // Progress and the result reach the window as events; failures too ('index/finished').
    handlers['index/open']({ paths: [...paths] }).catch((err: unknown) => console.error(`xferlens: ${(err as Error).message}`));
  };

  const chooseAndOpen = async (properties: Electron.OpenDialogOptions['properties'], title: string) => {
    const options: Electron.OpenDialogOptions = {
      title,
      properties,
      filters: LOG_FILE_FILTERS,
    };
    const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
    if (!result.canceled) openPaths(result.filePaths);
  };

  const message = (options: Electron.MessageBoxOptions) =>
    void (mainWindow ? dialog.showMessageBox(mainWindow, options) : dialog.showMessageBox(options));

  function installMenu(): void {
    const template = menuTemplate({
      platform: process.platform,
      isPackaged: app.isPackaged,
      recent,
      actions: {
        openFiles: () => void chooseAndOpen(['openFile', 'multiSelections'], 'Open log files'),
        openFolder: () => void chooseAndOpen(['openDirectory', 'multiSelections'], 'Open log folders'),
        openRecent: (p) => openPaths([p]),
        clearRecent: () => {
          recent = [];
          writeJsonFile(settingsFile('recent.json'), recent);
          app.clearRecentDocuments();
          installMenu();
        },
        exportData: () => emit('app/command', { command: 'export' }),
        report: () => emit('app/command', { command: 'report' }),
        showFormats: () =>
          message({ type: 'info', title: 'Supported formats', message: 'xferlens reads these log formats', detail: formatsHelpText(formatInfos()) }),
        showAbout: () =>
          message({
            type: 'info',
            title: 'About xferlens',
            message: `xferlens ${VERSION}`,
            detail: `Index, search and explain file-transfer server logs.\n\nDatabase: ${databasePath}\nElectron ${process.versions.electron}, Chromium ${process.versions.chrome}, Node ${process.versions.node}`,
          }),
      },
    });
    Menu.setApplicationMenu(Menu.buildFromTemplate(template));
  }

  function createWindow(): BrowserWindow {
    const stateFile = settingsFile('window-state.json');
    const state = fitToScreens(parseWindowState(readJsonFile(stateFile)), screen.getAllDisplays().map((d) => d.workArea));
    const icon = windowIconPath(location);
    const options = mainWindowOptions(state, {
      preload: fileURLToPath(new URL('./preload.cjs', import.meta.url)),
      ...(fs.existsSync(icon) ? { icon } : {}),
      backgroundColor: nativeTheme.shouldUseDarkColors ? '#16181d' : '#f7f8fa',
      title: 'xferlens',
    });
    const win = new BrowserWindow({
      ...options,
      // SECURE_WEB_PREFERENCES already holds these; they are spelled out at the call as well so that
      // static checkers (electronegativity, in npm test) can see them.
      webPreferences: { ...options.webPreferences, contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick' },
    });
    if (state.maximized) win.maximize();
    win.once('ready-to-show', () => win.show());
    win.on('close', () => {
      const bounds = win.getNormalBounds();
      const saved: WindowState = { ...bounds, maximized: win.isMaximized() };
      writeJsonFile(stateFile, saved);
    });
    win.on('closed', () => {
      if (mainWindow === win) mainWindow = null;
      rendererLoaded = false;
    });
    win.webContents.on('did-finish-load', () => {
      rendererLoaded = true;
      const paths = pending;
      pending = [];
      openPaths(paths);
    });
    void win.loadURL(RENDERER_URL);
    return win;
  }

  const focus = () => {
    if (!mainWindow) mainWindow = createWindow();
    if (mainWindow.isMinimized()) mainWindow.restore();
    mainWindow.focus();
  };

  app.on('second-instance', (_event, argv, cwd, additionalData) => {
    const sent = (additionalData as { paths?: unknown } | null)?.paths;
    const paths = Array.isArray(sent) && sent.every((p) => typeof p === 'string') ? (sent as string[]) : pathsFromArgv(argv, { isPackaged: app.isPackaged, cwd });
    if (app.isReady()) focus();
    openPaths(paths);
  });

  // macOS: files dropped on the Dock icon or opened from Finder (may arrive before 'ready').
  app.on('open-file', (event, file) => {
    event.preventDefault();
    openPaths([file]);
  });

  app.on('window-all-closed', () => {
    if (process.platform !== 'darwin') app.quit();
  });

  app.on('activate', () => {
    if (app.isReady() && !mainWindow) mainWindow = createWindow();
  });

  app.on('will-quit', () => {
    readConnection?.close();
    readConnection = null;
    void indexer.stop();
  });

  /**
   * A damaged or foreign database file: the logs are the source of truth, so offer a new index (the
   * old file is kept aside) instead of failing at every start. A newer xferlens's file is left alone.
   */
  async function offerRebuild(reason: string): Promise<void> {
    if (!fs.existsSync(databasePath) || /newer xferlens/.test(reason)) {
      dialog.showErrorBox('xferlens cannot open its database', reason);
      app.exit(1);
      return;
    }
    const { response } = await dialog.showMessageBox({
      type: 'error',
      title: 'xferlens',
      message: 'xferlens cannot open its database',
      detail: `${reason}\n\nThe logs are the source of truth: "Start a new index" keeps this file aside (as ${path.basename(databasePath)}.broken-…) and starts with an empty index; open your logs again with File › Open Recent.`,
      buttons: ['Start a new index', 'Quit'],
      defaultId: 0,
      cancelId: 1,
    });
    if (response === 0) {
      moveDatabaseAside(databasePath);
      app.relaunch();
      app.exit(0);
    } else {
      app.exit(1);
    }
  }

  app.whenReady().then(async () => {
    hardenSession(session.defaultSession);
    serveAppProtocol(protocol, path.join(app.getAppPath(), 'dist', 'renderer'));
    if (!fs.existsSync(nativeBinding)) {
      dialog.showErrorBox(
        'xferlens cannot open its database',
        `SQLite for Electron was not found at ${nativeBinding}.\n\nIn a checkout, \`npm start\` builds it (this needs internet once). See docs/app.md, "Desktop app".`,
      );
      app.exit(1);
      return;
    }
    registerIpc(ipcMain, handlers);
    installMenu();
    mainWindow = createWindow();
    try {
      const started = await startWriter({ databasePath, nativeBinding, proftpdConf: backend.proftpdConf, onMigrate: (p) => (status = { state: 'upgrading', ...p }) });
      indexer = started.writer;
      backend.readOnly = started.readOnly;
      relayFollowEvents(backend); // the started writer's batches and changes reach the window
    } catch (err) {
      // A new index only for a file that is itself the problem; a full disk or a permission is fixed where it is.
      if (err instanceof DatabaseError && !needsRebuild(err) && err.code !== 'NEWER_SCHEMA') {
        dialog.showErrorBox('xferlens cannot open its database', err.message);
        app.exit(1);
      } else {
        await offerRebuild((err as Error).message);
      }
      return;
    }
    status = { state: 'ready' };
    // What was followed when the app (or a serve) last used the database is followed again.
    indexer.resumeFollowing().catch((err: unknown) => console.error(`xferlens: could not follow again what was followed: ${(err as Error).message}`));
    if (rendererLoaded) openPaths(pending.splice(0)); // those that came while the database was opened
  }, (err: unknown) => {
    console.error(`xferlens: ${(err as Error).stack ?? String(err)}`);
    app.exit(1);
  });
}
