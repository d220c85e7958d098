/**
 * electron-builder.yml, parsed with js-yaml (what electron-builder itself reads it with) and
 * validated against electron-builder's own JSON schema (app-builder-lib/scheme.json); then the
 * choices the app depends on: targets, the .log association, icons, the native module.
 */
import fs from 'node:fs';
import path from 'node:path';
import { Ajv } from 'ajv';
import yaml from 'js-yaml';
import { describe, expect, it } from 'vitest';
import { electronNativeDir, NATIVE_BINDING_FILE } from '../../src-main/electron/launch.js';
import { REPO } from '../helpers.js';

interface Target {
  target: string;
  arch?: string[];
}
interface BuilderConfig {
  appId: string;
  productName: string;
  directories: { output: string; buildResources: string };
  files: string[];
  npmRebuild: boolean;
  beforePack: string;
  extraResources: { from: string; to: string; filter?: string[] }[];
  asarUnpack: string[];
  fileAssociations: { ext: string | string[]; name?: string }[];
  win: { icon: string; target: Target[] };
  mac: { icon: string; target: Target[] };
  linux: { icon: string; target: Target[] };
  nsis: { perMachine: boolean };
}

const config = yaml.load(fs.readFileSync(path.join(REPO, 'electron-builder.yml'), 'utf8')) as BuilderConfig;

/** PNG width and height from the IHDR chunk. */
function pngSize(file: string): [number, number] {
  const b = fs.readFileSync(file);
  expect(b.subarray(1, 4).toString('latin1')).toBe('PNG');
  return [b.readUInt32BE(16), b.readUInt32BE(20)];
}

describe('electron-builder.yml', () => {
  it('is valid against electron-builder\'s JSON schema', () => {
    const schema = JSON.parse(fs.readFileSync(path.join(REPO, 'node_modules', 'app-builder-lib', 'scheme.json'), 'utf8')) as object;
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile(schema);
    const valid = validate(config);
    expect(validate.errors ?? [], ajv.errorsText(validate.errors)).toEqual([]);
    expect(valid).toBe(true);
    // The validator does reject a broken config (so the check above means something).
    expect(validate({ ...config, win: { target: 'nsis', iconn: 'x' } })).toBe(false);
  });

  it('names the app and writes installers to release/', () => {
    expect(config.productName).toBe('xferlens');
    expect(config.appId).toMatch(/^[a-z0-9.-]+$/);
    expect(config.directories.output).toBe('release');
  });

  it('builds the Windows NSIS installer and portable exe, a macOS dmg and a Linux AppImage', () => {
    expect(config.win.target.map((t) => t.target)).toEqual(['nsis', 'portable']);
    expect(config.mac.target.map((t) => t.target)).toEqual(['dmg']);
    expect(config.linux.target.map((t) => t.target)).toEqual(['AppImage']);
    // NSIS registers file associations only for per-machine installs.
    expect(config.nsis.perMachine).toBe(true);
  });

  it('associates .log files', () => {
    expect(config.fileAssociations.flatMap((a) => a.ext)).toContain('log');
  });

  it('uses icons that exist in assets/ with the sizes each platform needs', () => {
    for (const icon of [config.win.icon, config.mac.icon, config.linux.icon]) expect(fs.existsSync(path.join(REPO, icon)), icon).toBe(true);
    expect(config.directories.buildResources).toBe('assets');
    expect(pngSize(path.join(REPO, config.linux.icon))).toEqual([512, 512]);
    expect(pngSize(path.join(REPO, 'assets', 'icon-256.png'))).toEqual([256, 256]);

    const ico = fs.readFileSync(path.join(REPO, config.win.icon));
    expect(ico.readUInt16LE(2)).toBe(1); // icon resource
    const sizes = Array.from({ length: ico.readUInt16LE(4) }, (_, i) => ico[6 + 16 * i] || 256);
    expect(sizes).toEqual([16, 32, 48, 256]);

    const icns = fs.readFileSync(path.join(REPO, config.mac.icon));
    expect(icns.subarray(0, 4).toString('latin1')).toBe('icns');
    expect(icns.readUInt32BE(4)).toBe(icns.length);
    const types: string[] = [];
    for (let at = 8; at < icns.length; at += icns.readUInt32BE(at + 4)) types.push(icns.subarray(at, at + 4).toString('latin1'));
    expect(types).toEqual(expect.arrayContaining(['ic07', 'ic08', 'ic09', 'ic10']));
  });

  it('ships the Electron-ABI SQLite beside the asar and never rebuilds node_modules (which keep Node\'s ABI)', () => {
    expect(config.npmRebuild).toBe(false);
    expect(config.asarUnpack).toContain('**/*.node');
    const native = config.extraResources.find((r) => r.to === 'native');
    expect(native?.from).toBe('build/electron-native/${os}-${arch}');
    // The folder electron-builder copies is the one the script fills and the app reads.
    expect(electronNativeDir(REPO, 'win32', 'x64')).toBe(path.join(REPO, 'build', 'electron-native', 'win-x64'));
    expect(native?.filter).toEqual(['*.node']);
    expect(NATIVE_BINDING_FILE).toMatch(/\.node$/);
    // Node's build of better-sqlite3 is left out of the package.
    expect(config.files).toContain('!**/node_modules/better-sqlite3/{build,deps,src}{,/**/*}');
    // The hook that makes it for each packaged platform/arch exists and exports beforePack.
    expect(fs.readFileSync(path.join(REPO, config.beforePack), 'utf8')).toMatch(/export async function beforePack\(/);
  });

  it('packages the built app without tests or source maps', () => {
    expect(config.files).toEqual(expect.arrayContaining(['dist/**/*', '!dist/test{,/**/*}', '!dist/**/*.map', 'package.json']));
  });
});
