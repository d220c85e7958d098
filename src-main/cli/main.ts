#!/usr/bin/env node
// Start-up matters here (`xferlens --help`, a quick search): this file and registry.ts import only
// what every run needs. Each command's module, SQLite included, is imported when that command runs.
import { parseArgs } from 'node:util';
import { isMainThread, workerData } from 'node:worker_threads';
import type { Db, DatabaseError, OpenOptions } from '../core/store/db.js';
import { defaultDatabasePath } from '../core/paths.js';
import { COMMON_OPTIONS, stringOption, type DbAccess } from './command.js';
import { COMMANDS } from './registry.js';
import { UsageError } from './output.js';

const indent = (text: string, by: string) => text.split('\n').map((l) => by + l).join('\n');

function help(): string {
  const usage = COMMANDS.map((c) => `  xferlens ${c.usage}\n${' '.repeat(6)}${c.summary}`).join('\n');
  const own = COMMANDS.filter((c) => c.optionHelp).map((c) => `${c.name}:\n${indent(c.optionHelp!, '  ')}`).join('\n');
  return `xferlens: index, search and explain file-transfer server logs

Usage:
${usage}

Options of every command:
  --db FILE    database file (default: $XFERLENS_DB, else the per-user data folder)
  --read-only  open the database read-only: reading commands work, writing ones (index,
               rebuild) refuse. A database this user cannot write is opened so anyway
  --json       machine-readable output
  -h, --help   this help
  --version    the version

${indent(own, '  ')}

Environment: XFERLENS_DB (the database, as --db), XFERLENS_BUSY_TIMEOUT_MS (how long to wait while
another xferlens process writes to the database; default 30000).

Exit codes: 0 success, 1 something failed (each problem is printed), 2 usage error.
`;
}

async function main(argv: string[]): Promise<number> {
  if (!isMainThread) (await import('./in-worker.js')).takeCallersTerminal(workerData);
  const commandName = argv.find((a) => !a.startsWith('-'));
  const command = COMMANDS.find((c) => c.name === commandName);
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options: { ...COMMON_OPTIONS, ...command?.options }, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (values.version) {
    process.stdout.write(`${(await import('../core/version.js')).VERSION}\n`);
    return 0;
  }
  if (values.help || !commandName || commandName === 'help') {
    process.stdout.write(help());
    return commandName || values.help ? 0 : 2;
  }
  if (!command) throw new UsageError(`unknown command "${commandName}" (see xferlens --help)`);
  if (isMainThread && command.inWorker?.(values)) return (await import('./in-worker.js')).runInWorker(argv);
  const runCommand = await command.load();
  const withDb = async (run: (db: Db) => Promise<number> | number, access: DbAccess = 'read'): Promise<number> => {
    const { asDatabaseError, openDatabase, openForReading } = await import('../core/store/db.js');
    const { readOnlyRefusal } = await import('../core/store/faults.js');
    const file = defaultDatabasePath(stringOption(values, 'db'));
    const readOnly = values['read-only'] === true;
    if (access === 'write' && readOnly) throw readOnlyRefusal(file, commandName ?? 'write');
    const onMigrate: OpenOptions['onMigrate'] = (await import('./upgrade-report.js')).upgradeReporter(file);
    const db = access === 'write' ? openDatabase(file, { onMigrate }) : openForReading(file, { readOnly, onMigrate });
    try {
      return await run(db);
    } catch (err) {
      // Damage SQLite finds only now, on a page this command read; a full disk met while indexing
      // (an IndexStoppedError carries what the run had committed, which is kept).
      const linesKept = (err as { summary?: { lines?: unknown } }).summary?.lines;
      throw asDatabaseError(err, file, typeof linesKept === 'number' ? { linesKept } : {});
    } finally {
      db.close();
    }
  };
  return runCommand({ values, args: positionals.slice(1), withDb });
}

/** What to do about a database xferlens refused (printed after the message). */
function rebuildHint(err: DatabaseError): string | undefined {
  // Only a file that is itself the problem: a full disk, a permission or a lock is fixed where it is.
  if (err.code !== 'NOT_A_DATABASE' && err.code !== 'DAMAGED' && err.code !== 'NEWER_SCHEMA') return undefined;
  return `The logs are the source of truth: \`xferlens rebuild --db "${err.file}"\` moves it aside to FILE.broken-<time>, ` +
    'creates a new database and indexes its files again; or choose another file with --db and index again.';
}

// `xferlens search … | head`: the reader has what it wanted and closed the pipe. Stop quietly, as
// Unix tools do; a batch being written is not committed (the next run continues from the last one).
process.stdout.on('error', (err: NodeJS.ErrnoException) => {
  if (err.code !== 'EPIPE') throw err;
  process.exit(0);
});

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  async (err: unknown) => {
    if (err instanceof UsageError) {
      process.stderr.write(`xferlens: ${err.message}\n`);
      process.exitCode = 2;
      return;
    }
    // A DatabaseError comes from db.js, loaded by then: importing it again costs nothing.
    const { DatabaseError } = await import('../core/store/db.js');
    const { describeFileSystemFault } = await import('../core/store/faults.js');
    const fsFault = describeFileSystemFault(err);
    if (err instanceof DatabaseError) {
      const hint = rebuildHint(err);
      process.stderr.write(`xferlens: ${hint ? `${err.message.replace(/\.$/, '')}. ${hint}` : err.message}\n`);
    } else if (fsFault) {
      process.stderr.write(`xferlens: ${fsFault}\n`);
    } else {
      process.stderr.write(`xferlens: ${(err as Error)?.stack ?? String(err)}\n`);
    }
    process.exitCode = 1;
  },
);
