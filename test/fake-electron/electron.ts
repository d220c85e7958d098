/**
 * A recording stand-in for the parts of Electron that src-main/electron/main.ts uses. Everything
 * it is given (handlers, options, menus, sent events) lands in `fake`, which run-main.ts reads.
 */
import { EventEmitter } from 'node:events';
import path from 'node:path';

type Listener = (...args: any[]) => unknown;

export const fake = {
  sandboxEnabled: false,
  singleInstanceData: undefined as unknown,
  privilegedSchemes: [] as unknown[],
  protocolHandlers: new Map<string, Listener>(),
  ipcHandlers: new Map<string, Listener>(),
  menus: [] as unknown[],
  errorBoxes: [] as string[],
  messageBoxes: [] as { message: string; detail?: string; buttons?: string[] }[],
  relaunched: false,
  exitCode: undefined as number | undefined,
  recentDocuments: [] as string[],
  session: {} as Record<string, Listener>,
  windows: [] as FakeBrowserWindow[],
  /** Shown notifications; `click` does what a person's click on it does. */
  notifications: [] as { title?: string; body?: string; click: () => void }[],
  focusCalls: 0,
};
(globalThis as Record<string, unknown>).__fakeElectron = fake;

class FakeApp extends EventEmitter {
  isPackaged = false;
  private ready = false;
  private readonly paths = new Map<string, string>([['userData', process.env.FAKE_USER_DATA ?? '/nonexistent']]);
  getAppPath = () => process.env.FAKE_APP_PATH ?? process.cwd();
  getPath = (name: string) => this.paths.get(name) ?? path.join('/nonexistent', name);
  setPath = (name: string, value: string) => void this.paths.set(name, value);
  enableSandbox = () => void (fake.sandboxEnabled = true);
  requestSingleInstanceLock = (data: unknown) => ((fake.singleInstanceData = data), true);
  whenReady = () => new Promise<void>((resolve) => setImmediate(() => ((this.ready = true), resolve())));
  isReady = () => this.ready;
  quit = () => undefined;
  exit = (code: number) => void (fake.exitCode = code);
  relaunch = () => void (fake.relaunched = true);
  addRecentDocument = (p: string) => void fake.recentDocuments.push(p);
  clearRecentDocuments = () => void (fake.recentDocuments = []);
}
export const app = new FakeApp();

class FakeWebContents extends EventEmitter {
  url = '';
  sent: [string, unknown][] = [];
  setWindowOpenHandler = (h: Listener) => void (this.windowOpenHandler = h);
  windowOpenHandler: Listener | null = null;
  getURL = () => this.url;
  isDestroyed = () => false;
  send = (channel: string, payload: unknown) => void this.sent.push([channel, payload]);
}

export class FakeBrowserWindow extends EventEmitter {
  static getAllWindows = () => fake.windows;
  readonly webContents = new FakeWebContents();
  constructor(readonly options: Record<string, unknown>) {
    super();
    fake.windows.push(this);
    app.emit('web-contents-created', {}, this.webContents);
  }
  loadURL = async (url: string) => void (this.webContents.url = url);
  maximize = () => undefined;
  isMinimized = () => false;
  restore = () => undefined;
  focus = () => void fake.focusCalls++;
  show = () => undefined;
  isMaximized = () => false;
  getNormalBounds = () => ({ x: 10, y: 20, width: 1111, height: 777 });
}
export const BrowserWindow = FakeBrowserWindow;

export const protocol = {
  registerSchemesAsPrivileged: (schemes: unknown[]) => void fake.privilegedSchemes.push(...schemes),
  handle: (scheme: string, handler: Listener) => void fake.protocolHandlers.set(scheme, handler),
};
export const ipcMain = {
  handle: (channel: string, handler: Listener) => void fake.ipcHandlers.set(channel, handler),
  removeHandler: (channel: string) => void fake.ipcHandlers.delete(channel),
};
export const Menu = {
  buildFromTemplate: (template: unknown) => template,
  setApplicationMenu: (menu: unknown) => void fake.menus.push(menu),
};
export const dialog = {
  showErrorBox: (title: string, content: string) => void fake.errorBoxes.push(`${title}: ${content}`),
  showOpenDialog: async () => ({ canceled: true, filePaths: [] }),
  showMessageBox: async (...args: unknown[]) => {
    const options = args[args.length - 1] as { message: string; detail?: string; buttons?: string[] };
    fake.messageBoxes.push({ message: options.message, ...(options.detail ? { detail: options.detail } : {}), ...(options.buttons ? { buttons: options.buttons } : {}) });
    return { response: Number(process.env.FAKE_MESSAGE_BOX_RESPONSE ?? 0) };
  },
};
export class Notification extends EventEmitter {
  static isSupported = () => true;
  constructor(private readonly options: { title?: string; body?: string }) {
    super();
  }
  show = () => void fake.notifications.push({ title: this.options.title, body: this.options.body, click: () => this.emit('click') });
}
export const nativeTheme = { shouldUseDarkColors: false };
export const screen = { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] };
const record = (name: string) => (handler: Listener) => void (fake.session[name] = handler);
export const session = {
  defaultSession: {
    setPermissionRequestHandler: record('permissionRequest'),
    setPermissionCheckHandler: record('permissionCheck'),
    setDevicePermissionHandler: record('devicePermission'),
    webRequest: { onBeforeRequest: record('beforeRequest'), onHeadersReceived: record('headersReceived') },
  },
};
export const shell = { openExternal: async () => undefined };
