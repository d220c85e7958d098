/**
 * The preload of the sandboxed renderer (CommonJS: sandboxed preloads cannot be ES modules, and
 * can require only `electron`, so everything it needs is in this file). It exposes exactly the
 * API contract as `window.xferlens`: no ipcRenderer, no Electron event objects, no Node.
 */
import { contextBridge, ipcRenderer, webUtils, type IpcRendererEvent } from 'electron';
import type { ApiCallError, ApiEventName, ApiReply, DesktopBridge } from '../api/contract.js';

/** The events the UI may listen to: the renderer cannot subscribe to any other channel. */
const EVENTS = [
  'index/started', 'index/progress', 'index/finished', 'export/progress', 'export/finished', 'report/progress', 'report/finished', 'sources/changed', 'app/command',
  'follow/batch', 'follow/changed', 'insights/live',
] as const satisfies readonly ApiEventName[];
// Compile-time check that EVENTS lists every event of the contract.
const everyEventListed: Exclude<ApiEventName, (typeof EVENTS)[number]> extends never ? true : never = true;
void everyEventListed;

const bridge = {
  call: async (method, ...args) => {
    const reply = (await ipcRenderer.invoke(method, args[0])) as ApiReply<never>;
    if ('error' in reply) {
      // A plain object: the context bridge copies its fields, where an Error would lose `column`.
      const failure: ApiCallError = { name: 'ApiError', message: reply.error.error, ...(reply.error.column !== undefined ? { column: reply.error.column } : {}) };
      throw failure;
    }
    return reply.value;
  },
  subscribe(event, listener) {
    if (!(EVENTS as readonly string[]).includes(event)) throw new Error(`unknown event ${String(event)}`);
    // The IpcRendererEvent (which holds the sender) never reaches the page: only the payload does.
    const relay = (_event: IpcRendererEvent, payload: unknown) => listener(payload as never);
    ipcRenderer.on(event, relay);
    return () => {
      ipcRenderer.removeListener(event, relay);
    };
  },
  pathForFile: (file) => webUtils.getPathForFile(file as File),
} satisfies DesktopBridge;

contextBridge.exposeInMainWorld('xferlens', bridge);
