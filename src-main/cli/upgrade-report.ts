/**
 * What the CLI says while it upgrades a database written by an older xferlens (every command that
 * opens one, and `xferlens serve`, whose writer worker upgrades it): a line when the upgrade starts,
 * another with how long it took. Loaded by every command that opens a database: it imports only types.
 */
import type { UpgradeProgress } from '../api/contract.js';

/**
 * A value as it goes into a log line: control characters written as `\uXXXX` (a newline in a path
 * would start a line of its own, an ESC would drive the terminal). Backslashes stay as they are: they
 * are how Windows writes paths.
 */
export function logValue(text: string): string {
  return text.replace(/[\x00-\x1f\x7f-\x9f\u2028\u2029]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** Reports the upgrade of `file` on `write` (stderr), for `onMigrate`. */
export function upgradeReporter(file: string, write: (line: string) => void = (line) => process.stderr.write(line)): (p: UpgradeProgress) => void {
  let started = 0;
  return ({ from, to, step, steps }) => {
    if (step === 1) {
      started = performance.now();
      write(`xferlens: upgrading ${logValue(file)} from schema ${from} to ${to} (a big database takes minutes; nothing is lost if it is stopped)\n`);
    } else if (step > steps) {
      write(`xferlens: upgraded in ${((performance.now() - started) / 1000).toFixed(1)} s\n`);
    }
  };
}
