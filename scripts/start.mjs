#!/usr/bin/env node
/**
 * `npm start`: the desktop app when the Electron runtime is installed; otherwise the same UI in the
 * browser (`xferlens serve`). Arguments after `npm start --` are passed on (files to open).
 */
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { ensureElectronNative } from './electron-native.mjs';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const CLI = path.join(ROOT, 'dist', 'src-main', 'cli', 'main.js');
const args = process.argv.slice(2);

function runAndExit(command, commandArgs, env = process.env) {
  const child = spawn(command, commandArgs, { cwd: ROOT, stdio: 'inherit', env });
  child.on('exit', (code, signal) => process.exit(signal ? 1 : (code ?? 1)));
  for (const s of ['SIGINT', 'SIGTERM']) process.on(s, () => child.kill(s));
}

async function main() {
  const built = ['dist/src-main/electron/main.js', 'dist/src-main/electron/preload.cjs', 'dist/renderer/index.html', 'dist/src-main/cli/main.js'];
  const missing = built.filter((f) => !fs.existsSync(path.join(ROOT, f)));
  if (missing.length) {
    console.error(`xferlens is not built (missing ${missing.join(', ')}): run \`npm run build\` first.`);
    return 1;
  }

  const { electronBinary } = await import(pathToFileURL(path.join(ROOT, 'dist', 'src-main', 'electron', 'launch.js')).href);
  const electron = electronBinary(ROOT);
  if (electron) {
    try {
      await ensureElectronNative();
    } catch (err) {
      console.error(`xferlens: ${err.message}`);
      return 1;
    }
    const env = { ...process.env };
    delete env.ELECTRON_RUN_AS_NODE; // would start Electron as plain Node
    runAndExit(electron, ['.', ...args], env);
    return null;
  }

  console.log(
    'Electron runtime not installed here (node_modules/electron has no binary: its download failed or was skipped; ' +
      '`npx install-electron` fetches it where there is internet); serving the same UI in your browser instead.',
  );
  runAndExit(process.execPath, [CLI, 'serve', ...args]); // prints the address to open
  return null;
}

const code = await main();
if (code !== null) process.exitCode = code;
