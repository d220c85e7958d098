import type { ParseArgsConfig } from 'node:util';
import type { Db } from '../core/store/db.js';

/** Options every command understands. */
export const COMMON_OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const satisfies NonNullable<ParseArgsConfig['options']>;

export type OptionValues = Record<string, string | boolean | (string | boolean)[] | undefined>;

export interface CommandContext {
  /** Option values (common ones plus the command's own), as parsed by node:util parseArgs. */
  values: OptionValues;
  /** Positional arguments after the command name. */
  args: string[];
  /** Opens the database (`--db`, `$XFERLENS_DB` or the per-user default), runs, closes. */
  withDb(run: (db: Db) => Promise<number> | number, opts?: { readonly?: boolean }): Promise<number>;
}

/**
 * One CLI command: its help lines, its own options and what it does. Adding a command is one file in
 * `commands/` and one line in `COMMANDS` (main.ts).
 */
export interface CliCommand {
  name: string;
  /** Usage line(s) for --help, without the leading `xferlens `. */
  usage: string;
  summary: string;
  /** Help lines for the command's own options (indented by main). */
  optionHelp?: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  run(ctx: CommandContext): Promise<number> | number;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringsOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}
