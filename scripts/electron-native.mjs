#!/usr/bin/env node
/**
 * better-sqlite3 for Electron, built apart from node_modules.
 *
 * node_modules/better-sqlite3 stays compiled for Node's ABI (the CLI and the tests load it). The
 * desktop app needs the same module compiled for Electron's ABI: this script puts it in
 * build/electron-native/<os>-<arch>/better_sqlite3.node, working on a temporary copy of the
 * package so node_modules is never touched. It first downloads better-sqlite3's prebuilt binary
 * for Electron (prebuild-install); if there is none, it compiles against Electron's headers
 * (node-gyp). Both need internet once; afterwards a stamp file makes it a no-op.
 *
 *   node scripts/electron-native.mjs [--platform win32|darwin|linux] [--arch x64|arm64]
 *
 * Also electron-builder's `beforePack` hook (electron-builder.yml), so every packaged target gets
 * its own platform's and architecture's build.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const MODULES = path.join(ROOT, 'node_modules');
/** electron-builder's Arch enum, by value. */
const BUILDER_ARCHES = ['ia32', 'x64', 'armv7l', 'arm64', 'universal'];
/** npm settings that would steer native builds at Node instead of Electron (e.g. nodedir in ~/.npmrc). */
const STEERING_ENV = /^npm_config_(nodedir|target|runtime|disturl|dist_url|arch|target_arch|platform|build_from_source)$/i;

const versionOf = (pkg) => JSON.parse(fs.readFileSync(path.join(MODULES, pkg, 'package.json'), 'utf8')).version;

async function layout() {
  const launch = path.join(ROOT, 'dist', 'src-main', 'electron', 'launch.js');
  if (!fs.existsSync(launch)) throw new Error('xferlens is not built yet: run `npm run build` first.');
  return import(pathToFileURL(launch).href);
}

function run(command, args, cwd, timeoutMs) {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !STEERING_ENV.test(k)));
  const r = spawnSync(process.execPath, [command, ...args], { cwd, env, encoding: 'utf8', timeout: timeoutMs });
  return { ok: r.status === 0, output: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

/** Makes sure the Electron-ABI build exists for this platform/arch; returns its path. */
export async function ensureElectronNative({ platform = process.platform, arch = process.arch, log = (m) => console.log(m) } = {}) {
  const { electronNativeDir, NATIVE_BINDING_FILE } = await layout();
  const electron = versionOf('electron');
  const sqlite = versionOf('better-sqlite3');
  const dir = electronNativeDir(ROOT, platform, arch);
  const target = path.join(dir, NATIVE_BINDING_FILE);
  const stampFile = path.join(dir, 'stamp.json');
  const stamp = JSON.stringify({ electron, betterSqlite3: sqlite, platform, arch });
  if (fs.existsSync(target) && fs.existsSync(stampFile) && fs.readFileSync(stampFile, 'utf8') === stamp) return target;

  log(`xferlens: getting better-sqlite3 ${sqlite} for Electron ${electron} (${platform}-${arch})…`);
  const work = fs.mkdtempSync(path.join(os.tmpdir(), 'xferlens-native-'));
  try {
    const pkg = path.join(work, 'better-sqlite3');
    fs.cpSync(path.join(MODULES, 'better-sqlite3'), pkg, {
      recursive: true,
      filter: (src) => path.relative(path.join(MODULES, 'better-sqlite3'), src).split(path.sep)[0] !== 'build',
    });
    const built = path.join(pkg, 'build', 'Release', NATIVE_BINDING_FILE);
    const prebuilt = run(
      path.join(MODULES, 'prebuild-install', 'bin.js'),
      ['--runtime', 'electron', '--target', electron, '--platform', platform, '--arch', arch],
      pkg,
      5 * 60_000,
    );
    let compiled = null;
    if (!prebuilt.ok || !fs.existsSync(built)) {
      if (platform !== process.platform) {
        throw new Error(
          `no prebuilt better-sqlite3 ${sqlite} for Electron ${electron} on ${platform}-${arch} could be downloaded, and it can only be compiled on ${platform} itself.\n${prebuilt.output}`,
        );
      }
      log('xferlens: no prebuilt binary; compiling against Electron\'s headers…');
      compiled = run(
        path.join(MODULES, 'node-gyp', 'bin', 'node-gyp.js'),
        ['rebuild', '--release', '--runtime=electron', `--target=${electron}`, `--arch=${arch}`, '--dist-url=https://electronjs.org/headers'],
        pkg,
        20 * 60_000,
      );
    }
    if (!fs.existsSync(built)) {
      throw new Error(
        `could not get better-sqlite3 ${sqlite} built for Electron ${electron} (${platform}-${arch}). ` +
          'This step needs internet once (a prebuilt binary from GitHub, or Electron\'s headers from electronjs.org to compile). ' +
          'node_modules/better-sqlite3 (Node\'s build, used by the CLI and the tests) was not touched.\n' +
          `prebuild-install: ${lastLines(prebuilt.output)}` +
          (compiled ? `\nnode-gyp: ${lastLines(compiled.output)}` : ''),
      );
    }
    fs.mkdirSync(dir, { recursive: true });
    fs.copyFileSync(built, target);
    fs.writeFileSync(stampFile, stamp);
    log(`xferlens: ${path.relative(ROOT, target)} ready`);
    return target;
  } finally {
    fs.rmSync(work, { recursive: true, force: true });
  }
}

/** The lines of a tool's output that say what went wrong. */
function lastLines(text, n = 3) {
  const lines = text.split('\n').filter(Boolean);
  const errors = lines.filter((l) => /ERR! stack (?!\s*at )|\b(ENOTFOUND|ECONNREFUSED|ETIMEDOUT|EAI_AGAIN)\b/.test(l));
  return (errors.length ? errors : lines).slice(0, n).join('\n  ') || '(no output)';
}

/** electron-builder hook: the native module of the platform and architecture being packaged. */
export async function beforePack(context) {
  const arch = BUILDER_ARCHES[context.arch];
  if (!arch || arch === 'universal') throw new Error(`xferlens: build each architecture separately (got ${arch ?? context.arch})`);
  await ensureElectronNative({ platform: context.electronPlatformName, arch });
}

if (process.argv[1] && pathToFileURL(path.resolve(process.argv[1])).href === import.meta.url) {
  const { values } = parseArgs({ options: { platform: { type: 'string' }, arch: { type: 'string' } } });
  try {
    await ensureElectronNative({ platform: values.platform ?? process.platform, arch: values.arch ?? process.arch });
  } catch (err) {
    console.error(`xferlens: ${err.message}`);
    process.exitCode = 1;
  }
}
