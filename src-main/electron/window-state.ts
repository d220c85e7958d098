/**
 * The main window: where it was (remembered in `window-state.json` under userData) and the options
 * it is created with. Pure functions, so tests check them without Electron.
 */
import type { BrowserWindowConstructorOptions, Rectangle } from 'electron';
import { webPreferences } from './security.js';

export interface WindowState {
  x?: number;
  y?: number;
  width: number;
  height: number;
  maximized: boolean;
}

export const MIN_WIDTH = 720;
export const MIN_HEIGHT = 480;
export const DEFAULT_WINDOW_STATE: WindowState = { width: 1280, height: 800, maximized: false };

/** A state read from disk, or the default for anything missing or malformed. */
export function parseWindowState(value: unknown): WindowState {
  const v = (value && typeof value === 'object' ? value : {}) as Record<string, unknown>;
  const int = (n: unknown) => (typeof n === 'number' && Number.isFinite(n) ? Math.round(n) : undefined);
  const width = int(v.width), height = int(v.height), x = int(v.x), y = int(v.y);
  return {
    width: Math.max(MIN_WIDTH, width ?? DEFAULT_WINDOW_STATE.width),
    height: Math.max(MIN_HEIGHT, height ?? DEFAULT_WINDOW_STATE.height),
    maximized: v.maximized === true,
    ...(x !== undefined && y !== undefined ? { x, y } : {}),
  };
}

/** How much of the window's top strip (its title bar) must be on a screen for it to be reachable. */
const VISIBLE_TITLE_BAR = { width: 100, height: 24 };

/**
 * Keeps the remembered place only if the title bar is on one of today's screens (a monitor may have
 * been unplugged), and shrinks the window to fit the largest screen.
 */
export function fitToScreens(state: WindowState, workAreas: readonly Rectangle[]): WindowState {
  if (!workAreas.length) return state;
  const widest = Math.max(...workAreas.map((a) => a.width));
  const tallest = Math.max(...workAreas.map((a) => a.height));
  const width = Math.min(state.width, widest), height = Math.min(state.height, tallest);
  const { x, y } = state;
  const reachable =
    x !== undefined &&
    y !== undefined &&
    workAreas.some(
      (a) =>
        Math.min(x + width, a.x + a.width) - Math.max(x, a.x) >= Math.min(VISIBLE_TITLE_BAR.width, width) &&
        y >= a.y &&
        y + VISIBLE_TITLE_BAR.height <= a.y + a.height,
    );
  return reachable ? { x, y, width, height, maximized: state.maximized } : { width, height, maximized: state.maximized };
}

export function mainWindowOptions(
  state: WindowState,
  opts: { preload: string; icon?: string; backgroundColor: string; title: string },
): BrowserWindowConstructorOptions {
  return {
    ...(state.x !== undefined && state.y !== undefined ? { x: state.x, y: state.y } : {}),
    width: state.width,
    height: state.height,
    minWidth: MIN_WIDTH,
    minHeight: MIN_HEIGHT,
    show: false,
    title: opts.title,
    backgroundColor: opts.backgroundColor,
    ...(opts.icon ? { icon: opts.icon } : {}),
    webPreferences: webPreferences(opts.preload),
  };
}
