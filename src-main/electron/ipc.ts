/**
 * The Electron transport of the API: one `ipcMain.handle` per contract method (channel = method
 * name), each refusing senders other than the app's own page, and events sent to app windows only.
 */
import type { IpcMain, WebContents } from 'electron';
import type { ApiEventName, ApiEvents, ApiMethod } from '../api/contract.js';
import type { ApiHandlers } from '../api/handlers.js';
import { assertTrustedSender, isAppUrl } from './security.js';

/** Registers every handler; returns the function that removes them. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, handlers: ApiHandlers): () => void {
  const methods = Object.keys(handlers) as ApiMethod[];
  for (const method of methods) {
    const handler = handlers[method] as (input: unknown) => unknown;
    ipcMain.handle(method, async (event, input: unknown) => {
      assertTrustedSender(event);
      return handler(input);
    });
  }
  return () => {
    for (const method of methods) ipcMain.removeHandler(method);
  };
}

/** Sends an event to every window currently showing the app's page (never to foreign content). */
export function createEventSender(windows: () => Iterable<Pick<WebContents, 'getURL' | 'send' | 'isDestroyed'>>) {
  return <E extends ApiEventName>(event: E, payload: ApiEvents[E]): void => {
    for (const contents of windows()) {
      if (!contents.isDestroyed() && isAppUrl(contents.getURL())) contents.send(event, payload);
    }
  };
}
