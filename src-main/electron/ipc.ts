/**
 * The Electron transport of the API: one `ipcMain.handle` per contract method (channel = method
 * name), each refusing senders other than the app's own page, and events sent to app windows only.
 * Answers are `IpcReply`s: Electron keeps only the message of an Error thrown by a handler, and a
 * search mistake must also carry its column to the UI.
 */
import type { IpcMain, WebContents } from 'electron';
import type { ApiEventName, ApiEvents, ApiMethod, IpcReply } from '../api/contract.js';
import { ApiError, errorReply } from '../api/errors.js';
import type { ApiHandlers } from '../api/handlers.js';
import { assertTrustedSender, isAppUrl } from './security.js';

/** Registers every handler; returns the function that removes them. */
export function registerIpc(ipcMain: Pick<IpcMain, 'handle' | 'removeHandler'>, handlers: ApiHandlers): () => void {
  const methods = Object.keys(handlers) as ApiMethod[];
  for (const method of methods) {
    const handler = handlers[method] as (input: unknown) => Promise<unknown>;
    ipcMain.handle(method, async (event, input: unknown): Promise<IpcReply<unknown>> => {
      // A foreign sender gets no answer at all, not even an error body.
      assertTrustedSender(event);
      try {
        return { value: await handler(input) };
      } catch (err) {
        const { status, body } = errorReply(err);
        if (status >= 500 && !(err instanceof ApiError)) console.error(`xferlens: ${method} failed: ${(err as Error)?.stack ?? String(err)}`);
        return { error: body };
      }
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
