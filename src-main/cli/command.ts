import type { ParseArgsConfig } from 'node:util';
import type { NamedLogFormat } from '../core/formats/types.js';
import { defaultProftpdConfFile, tryReadProftpdConf, type ProftpdConf } from '../core/ingest/proftpd-conf.js';
import type { Db } from '../core/store/db.js';
import { assertTimeZone } from '../core/time.js';
import { UsageError } from './output.js';

/** Options every command understands. */
export const COMMON_OPTIONS = {
  db: { type: 'string' },
  'read-only': { type: 'boolean', default: false },
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
  /**
   * Opens the database (`--db`, `$XFERLENS_DB` or the per-user default), runs, closes. 'read'
   * (the default) opens it read-only when it cannot be written or `--read-only` says so; 'write'
   * refuses then.
   */
  withDb(run: (db: Db) => Promise<number> | number, access?: DbAccess): Promise<number>;
}

export type DbAccess = 'read' | 'write';

/** What a command does, given its parsed options; answers the exit code. */
export type CommandRun = (ctx: CommandContext) => Promise<number> | number;

/**
 * One CLI command: its help lines, its own options, and the module that runs it. Adding a command is
 * one file in `commands/` (exporting its CommandRun) and its entry in `COMMANDS` (registry.ts).
 */
export interface CliCommand {
  name: string;
  /** Usage line(s) for --help, without the leading `xferlens `. */
  usage: string;
  summary: string;
  /** Help lines for the command's own options (indented by main). */
  optionHelp?: string;
  options?: NonNullable<ParseArgsConfig['options']>;
  /** Imports the command's module (only when this command runs) and answers what runs it. */
  load(): Promise<CommandRun>;
  /** Whether the run goes to a worker thread whose young generation is bounded (see cli/in-worker.ts). */
  inWorker?(values: OptionValues): boolean;
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const v = values[name];
  return typeof v === 'string' ? v : undefined;
}

export function stringsOption(values: OptionValues, name: string): string[] {
  const v = values[name];
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/** `--tz ZONE`, checked: an unknown zone is a usage error. */
export function timeZoneOption(values: OptionValues): string | undefined {
  const zone = stringOption(values, 'tz');
  if (zone === undefined) return undefined;
  try {
    assertTimeZone(zone);
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  return zone;
}

/** `--logformat NAME=FORMAT`s, as in ProFTPD's `LogFormat NAME "FORMAT"`. */
export function logFormatsOption(values: OptionValues): NamedLogFormat[] {
  return stringsOption(values, 'logformat').map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--logformat wants NAME=FORMAT, e.g. custom='%h %u %t "%r" %s %b' (got ${spec})`);
    return { name: spec.slice(0, eq), format: spec.slice(eq + 1) };
  });
}

/** ProFTPD's configuration for an index run, and what went wrong reading it (in words). */
export interface ProftpdConfChoice {
  conf?: ProftpdConf;
  /** The file `conf` was read from. */
  file?: string;
  /** Problems that do not stop indexing: an Include that failed, the default conf unreadable. */
  warnings: string[];
  /** The conf given with --proftpd-conf could not be read: indexing goes on without it, exit code 1. */
  error?: string;
}

/**
 * `--proftpd-conf FILE`; without it the system's proftpd.conf ($XFERLENS_PROFTPD_CONF, else
 * /etc/proftpd/proftpd.conf; an empty $XFERLENS_PROFTPD_CONF for none) when it exists.
 */
export function proftpdConfOption(values: OptionValues, env: NodeJS.ProcessEnv = process.env): ProftpdConfChoice {
  const given = stringOption(values, 'proftpd-conf');
  const file = given ?? defaultProftpdConfFile(env);
  if (!file) return { warnings: [] };
  const read = tryReadProftpdConf(file);
  if (read.conf) return { conf: read.conf, file, warnings: read.conf.problems.map((p) => `proftpd.conf: ${p}`) };
  const reason = `${read.error}; indexing without it`;
  return given === undefined ? { warnings: [reason] } : { warnings: [], error: reason };
}

/** For commands that take no positional arguments. */
export function noArguments(command: string, args: string[]): void {
  if (args.length) throw new UsageError(`${command} takes no arguments (got ${args[0]})`);
}
