#!/usr/bin/env node
import { parseArgs } from 'node:util';
import { openDatabase, DatabaseError, type Db } from '../core/store/db.js';
import { defaultDatabasePath } from '../core/paths.js';
import { assertTimeZone, localTimeZone } from '../core/time.js';
import { FORMATS } from '../core/formats/registry.js';
import type { NamedLogFormat } from '../core/formats/types.js';
import { runIndex } from './commands/index.js';
import { runSources, runStats } from './commands/stats.js';
import { UsageError } from './output.js';

const HELP = `xferlens: index, search and explain file-transfer server logs

Usage:
  xferlens index [--db FILE] [--json] [--tz ZONE] [--logformat NAME=FORMAT]... PATH...
                                                            index files, folders (recursive), globs, .gz
  xferlens stats [--db FILE] [--json]                       totals for the whole database
  xferlens sources [--db FILE] [--json]                     indexed files with format and counts
  xferlens formats                                          the log formats xferlens reads

Options:
  --db FILE    database file (default: $XFERLENS_DB, else the per-user data folder)
  --json       machine-readable output
  --tz ZONE    IANA time zone for local-time formats (default: the zone a file was first indexed with,
               else this machine's, ${localTimeZone()}); a new zone converts those files again
  --logformat NAME=FORMAT
               a ProFTPD LogFormat used by your ExtendedLog files (repeatable)
  -h, --help   this help
  --version    the version

Exit codes: 0 success, 1 something failed (each problem is printed), 2 usage error.
`;

const OPTIONS = {
  db: { type: 'string' },
  json: { type: 'boolean', default: false },
  tz: { type: 'string' },
  logformat: { type: 'string', multiple: true },
  help: { type: 'boolean', short: 'h', default: false },
  version: { type: 'boolean', default: false },
} as const;

/** `--logformat NAME=FORMAT`, as in ProFTPD's `LogFormat NAME "FORMAT"`. */
function parseLogFormats(specs: string[]): NamedLogFormat[] {
  return specs.map((spec) => {
    const eq = spec.indexOf('=');
    if (eq <= 0 || eq === spec.length - 1) throw new UsageError(`--logformat wants NAME=FORMAT, e.g. custom='%h %u %t "%r" %s %b' (got ${spec})`);
    return { name: spec.slice(0, eq), format: spec.slice(eq + 1) };
  });
}

async function main(argv: string[]): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: OPTIONS, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  const [command, ...rest] = positionals;
  if (values.version) {
    process.stdout.write(`${(await import('../core/version.js')).VERSION}\n`);
    return 0;
  }
  if (values.help || !command || command === 'help') {
    process.stdout.write(HELP);
    return command || values.help ? 0 : 2;
  }
  const timeZone = values.tz;
  if (values.tz) {
    try {
      assertTimeZone(values.tz);
    } catch (err) {
      throw new UsageError((err as Error).message);
    }
  }
  const withDb = async (run: (db: Db) => Promise<number> | number, readonly = false): Promise<number> => {
    const db = openDatabase(defaultDatabasePath(values.db), { readonly });
    try {
      return await run(db);
    } finally {
      db.close();
    }
  };
  switch (command) {
    case 'index':
      if (!rest.length) throw new UsageError('index needs at least one PATH');
      return withDb((db) => runIndex(db, rest, { json: values.json, timeZone, logFormats: parseLogFormats(values.logformat ?? []) }));
    case 'stats':
      if (rest.length) throw new UsageError(`stats takes no arguments (got ${rest[0]})`);
      return withDb((db) => runStats(db, { json: values.json }));
    case 'sources':
      if (rest.length) throw new UsageError(`sources takes no arguments (got ${rest[0]})`);
      return withDb((db) => runSources(db, { json: values.json }));
    case 'formats':
      if (values.json) process.stdout.write(JSON.stringify(FORMATS.map(({ id, label, timestamp, extracts }) => ({ id, label, timestamp, extracts }))) + '\n');
      else for (const f of FORMATS) process.stdout.write(`${f.id.padEnd(14)} ${f.label}\n`);
      return 0;
    default:
      throw new UsageError(`unknown command "${command}" (see xferlens --help)`);
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`xferlens: ${err.message}\n`);
      process.exitCode = 2;
    } else if (err instanceof DatabaseError) {
      process.stderr.write(`xferlens: ${err.message}\n`);
      process.exitCode = 1;
    } else {
      process.stderr.write(`xferlens: ${(err as Error)?.stack ?? String(err)}\n`);
      process.exitCode = 1;
    }
  },
);
