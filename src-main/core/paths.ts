import os from 'node:os';
import path from 'node:path';

export const APP_NAME = 'xferlens';

/** The per-user data folder, as Electron's `app.getPath('userData')` computes it for this app. */
export function userDataDir(env: NodeJS.ProcessEnv = process.env, platform: NodeJS.Platform = process.platform): string {
  if (platform === 'win32') return path.join(env.APPDATA || path.join(os.homedir(), 'AppData', 'Roaming'), APP_NAME);
  if (platform === 'darwin') return path.join(os.homedir(), 'Library', 'Application Support', APP_NAME);
  return path.join(env.XDG_CONFIG_HOME || path.join(os.homedir(), '.config'), APP_NAME);
}

/** `--db` wins, then `XFERLENS_DB`, then `index.sqlite` in the user data folder. */
export function defaultDatabasePath(explicit?: string, env: NodeJS.ProcessEnv = process.env): string {
  if (explicit) return path.resolve(explicit);
  if (env.XFERLENS_DB) return path.resolve(env.XFERLENS_DB);
  return path.join(userDataDir(env), 'index.sqlite');
}
