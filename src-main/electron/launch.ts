/**
 * Where the desktop app finds its files, and which files it was asked to open. Pure functions
 * (no Electron import) shared with `scripts/electron-native.mjs` and the tests.
 */
import fs from 'node:fs';
import path from 'node:path';

/** electron-builder's `${os}` names, used for the per-platform native module folder. */
export function builderOsName(platform: NodeJS.Platform): 'mac' | 'win' | 'linux' {
  return platform === 'darwin' ? 'mac' : platform === 'win32' ? 'win' : 'linux';
}

export const NATIVE_BINDING_FILE = 'better_sqlite3.node';

/**
 * better-sqlite3 built for Electron's ABI lives apart from node_modules (which keeps Node's build
 * for the CLI and tests): `build/electron-native/<os>-<arch>/` in a checkout, `resources/native/`
 * in the installed app (electron-builder's extraResources).
 */
export function electronNativeDir(repoRoot: string, platform: NodeJS.Platform, arch: string): string {
  return path.join(repoRoot, 'build', 'electron-native', `${builderOsName(platform)}-${arch}`);
}

export interface AppLocation {
  isPackaged: boolean;
  /** `app.getAppPath()`: the checkout in development, `.../resources/app.asar` when installed. */
  appPath: string;
  /** `process.resourcesPath` (installed app only). */
  resourcesPath: string;
  platform: NodeJS.Platform;
  arch: string;
}

export function nativeBindingPath(loc: AppLocation): string {
  return loc.isPackaged
    ? path.join(loc.resourcesPath, 'native', NATIVE_BINDING_FILE)
    : path.join(electronNativeDir(loc.appPath, loc.platform, loc.arch), NATIVE_BINDING_FILE);
}

/** The window icon (Linux shows it; Windows and macOS take the executable's). */
export function windowIconPath(loc: AppLocation): string {
  return loc.isPackaged ? path.join(loc.resourcesPath, 'icon.png') : path.join(loc.appPath, 'assets', 'icon.png');
}

/**
 * Files and folders named on a command line: everything after the executable (and, when not
 * packaged, after the app folder that `electron .` receives), minus switches; relative paths are
 * taken from `cwd` (the launching shell's folder for a second instance).
 */
export function pathsFromArgv(argv: readonly string[], opts: { isPackaged: boolean; cwd: string }): string[] {
  const args = argv.slice(1);
  const out: string[] = [];
  let appPathSkipped = opts.isPackaged;
  let afterDashes = false;
  for (const arg of args) {
    if (!afterDashes && arg === '--') {
      afterDashes = true;
      continue;
    }
    if (!afterDashes && arg.startsWith('-')) continue;
    if (!appPathSkipped) {
      appPathSkipped = true;
      continue;
    }
    out.push(path.resolve(opts.cwd, arg));
  }
  return out;
}

/**
 * The Electron executable installed in node_modules, or null when its download failed or was
 * skipped. Read from the files electron's installer leaves: importing the `electron` package from
 * Node would try to download the binary.
 */
export function electronBinary(repoRoot: string): string | null {
  const dir = path.join(repoRoot, 'node_modules', 'electron');
  let relative: string;
  try {
    relative = fs.readFileSync(path.join(dir, 'path.txt'), 'utf8').trim();
  } catch {
    return null;
  }
  const binary = path.join(dir, 'dist', relative);
  return relative && fs.existsSync(binary) ? binary : null;
}
