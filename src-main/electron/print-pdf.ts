/**
 * PDF reports in the desktop app, printed by Electron's own Chromium (`webContents.printToPDF`):
 * the report's HTML is written to a private temporary file and loaded into a hidden window of its
 * own session, with JavaScript off and every request but that one file refused, then printed on A4
 * or Letter. Page numbers, margins and repeated table headers come from the document's print style
 * (as in the CLI's PDF, printed by playwright-core).
 */
import fs from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { BrowserWindow as BrowserWindowType, Session } from 'electron';
import type { PdfPrinter } from '../core/report/pdf.js';
import { withPrivateTempDir } from '../core/report/pdf.js';
import { isPermissionAllowed, SECURE_WEB_PREFERENCES } from './security.js';

/** The session the print window uses: no cache, no storage shared with the app's page. */
export const PRINT_PARTITION = 'xferlens-report-print';

export interface PrintDeps {
  BrowserWindow: typeof BrowserWindowType;
  session: { fromPartition(partition: string, options?: { cache: boolean }): Session };
}

export function electronPdfPrinter({ BrowserWindow, session }: PrintDeps): PdfPrinter {
  return (html, { paper }) =>
    withPrivateTempDir(async (dir) => {
      const file = path.join(dir, 'report.html');
      await fs.promises.writeFile(file, html, { mode: 0o600 });
      const url = pathToFileURL(file).href;
      const printSession = session.fromPartition(PRINT_PARTITION, { cache: false });
      printSession.setPermissionRequestHandler((_contents, permission, callback) => callback(isPermissionAllowed(permission)));
      printSession.setPermissionCheckHandler((_contents, permission) => isPermissionAllowed(permission));
      // The document needs nothing but itself: any other request (there should be none) is refused.
      printSession.webRequest.onBeforeRequest((details, callback) => callback({ cancel: details.url !== url }));
      const win = new BrowserWindow({
        show: false,
        // SECURE_WEB_PREFERENCES already holds the checklist's settings; they are spelled out as well
        // so that static checkers (electronegativity, in npm test) can see them.
        webPreferences: { ...SECURE_WEB_PREFERENCES, contextIsolation: true, sandbox: true, nodeIntegration: false, disableBlinkFeatures: 'Auxclick', javascript: false, session: printSession },
      });
      try {
        await win.loadURL(url);
        return await win.webContents.printToPDF({
          pageSize: paper === 'letter' ? 'Letter' : 'A4',
          printBackground: true,
          generateTaggedPDF: true,
          generateDocumentOutline: true,
        });
      } finally {
        win.destroy();
      }
    });
}
