/**
 * The application menu as a template (pure: `Menu.buildFromTemplate` happens in main.ts).
 * File: Open Files…, Open Folder…, Open Recent, Export…, Report…, Quit. Help: Supported Formats, About.
 */
import type { MenuItemConstructorOptions } from 'electron';
import type { FormatInfo } from '../api/contract.js';

export interface MenuActions {
  openFiles(): void;
  openFolder(): void;
  openRecent(path: string): void;
  clearRecent(): void;
  exportData(): void;
  report(): void;
  showFormats(): void;
  showAbout(): void;
}

export function menuTemplate(opts: {
  platform: NodeJS.Platform;
  isPackaged: boolean;
  recent: readonly string[];
  actions: MenuActions;
}): MenuItemConstructorOptions[] {
  const { actions } = opts;
  const mac = opts.platform === 'darwin';
  const recent: MenuItemConstructorOptions[] = opts.recent.length
    ? [...opts.recent.map((p) => ({ label: p, click: () => actions.openRecent(p) })), { type: 'separator' }, { label: 'Clear Recent', click: actions.clearRecent }]
    : [{ label: 'No recent files', enabled: false }];
  const file: MenuItemConstructorOptions = {
    label: '&File',
    submenu: [
      { label: 'Open Files…', accelerator: 'CmdOrCtrl+O', click: actions.openFiles },
      { label: 'Open Folder…', accelerator: 'CmdOrCtrl+Shift+O', click: actions.openFolder },
      { label: 'Open Recent', submenu: recent },
      { type: 'separator' },
      { label: 'Export…', accelerator: 'CmdOrCtrl+E', click: actions.exportData },
      { label: 'Report…', accelerator: 'CmdOrCtrl+Shift+R', click: actions.report },
      // macOS keeps Quit in the application menu.
      ...(mac ? [] : [{ type: 'separator' } as const, { label: 'Quit', role: 'quit', accelerator: 'CmdOrCtrl+Q' } as const]),
    ],
  };
  const view: MenuItemConstructorOptions = {
    label: '&View',
    submenu: [
      { role: 'resetZoom' },
      { role: 'zoomIn' },
      { role: 'zoomOut' },
      { type: 'separator' },
      { role: 'togglefullscreen' },
      ...(opts.isPackaged ? [] : [{ type: 'separator' } as const, { role: 'reload' } as const, { role: 'toggleDevTools' } as const]),
    ],
  };
  const help: MenuItemConstructorOptions = {
    label: '&Help',
    role: 'help',
    submenu: [
      { label: 'Supported Formats', click: actions.showFormats },
      ...(mac ? [] : [{ label: 'About xferlens', click: actions.showAbout }]),
    ],
  };
  return [
    ...(mac ? [{ label: 'xferlens', submenu: [{ label: 'About xferlens', click: actions.showAbout }, { type: 'separator' }, { role: 'hide' }, { role: 'hideOthers' }, { role: 'unhide' }, { type: 'separator' }, { role: 'quit' }] } satisfies MenuItemConstructorOptions] : []),
    file,
    { label: '&Edit', role: 'editMenu' },
    view,
    help,
  ];
}

/** The text of Help ▸ Supported Formats. */
export function formatsHelpText(formats: readonly FormatInfo[]): string {
  return formats.map((f) => `• ${f.label} (${f.id})\n   time: ${f.timestamp}`).join('\n');
}
