import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository: the first folder up from here with a package.json (also when run compiled, from dist/test). */
export const REPO = (function repoRoot(dir: string): string {
  return fs.existsSync(path.join(dir, 'package.json')) || path.dirname(dir) === dir ? dir : repoRoot(path.dirname(dir));
})(path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..'));
/** The built CLI: tests run what users run (`npm test` builds first). */
export const CLI = path.join(REPO, 'dist', 'src-main', 'cli', 'main.js');

export function tempDir(prefix = 'xferlens-test-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function runCli(args: string[], opts: { env?: NodeJS.ProcessEnv; input?: string } = {}): SpawnSyncReturns<string> {
  return spawnSync(process.execPath, [CLI, ...args], {
    encoding: 'utf8',
    // No system proftpd.conf (/etc/proftpd) unless a test names one: results must not depend on the machine.
    env: { ...process.env, XFERLENS_QUIET_SLOW: '1', XFERLENS_PROFTPD_CONF: '', ...opts.env },
    input: opts.input,
    maxBuffer: 64 << 20,
  });
}

/** Runs the CLI with --json and parses stdout; fails loudly with stderr when it is not JSON. */
export function cliJson<T = any>(args: string[], expectCode = 0): T {
  const r = runCli([...args, '--json']);
  if (r.status !== expectCode) throw new Error(`exit ${r.status} (expected ${expectCode}): ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
}

/** The EFT W3C sample block of FORMATS.md, verbatim, with CRLF endings as EFT writes them. */
export const EFT_W3C_SAMPLE = [
  '#Version: 1.0',
  '#Software: CuteLogger',
  '#Date: 2010-04-08 20:07:50',
  '#Fields: date time c-ip c-port cs-username cs-method cs-uri-stem cs-uri-query sc-status sc-bytes cs-bytes s-name s-port',
  '2010-04-08 20:07:07 192.168.241.1 - test [1]user test - 331 - - - 22',
  '2010-04-08 20:07:07 192.168.241.1 - test [1]pass ******* - 230 - - - 22',
  '2010-04-08 20:07:16 192.168.241.1 - test [1]created /Test+File+1.txt - 226 - 54 - 22',
  '2010-04-08 20:08:23 192.168.241.1 - test [1]rnfr /Test+File+1.txt - 350 - - - 22',
  '2010-04-08 20:08:23 192.168.241.1 - test [1]rnto /Test+File+2.txt - 250 - - - 22',
  '2010-04-08 20:08:26 192.168.241.1 - test [1]sent /Test+File+2.txt - 226 - 54 - 22',
  '2010-04-08 20:10:02 192.168.241.1 - test [1]dele /Test+File+2.txt - 250 - - - 22',
];

export function writeLines(file: string, lines: readonly string[], eol = '\r\n'): void {
  fs.writeFileSync(file, lines.map((l) => l + eol).join(''));
}
