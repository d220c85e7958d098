/**
 * Every command of the CLI, in the order --help lists them: its usage, help and options, and the
 * module that runs it. That module is imported only when its command runs, so `xferlens --help`
 * and each command load no more than they need (SQLite, the indexer, the HTTP server and the
 * explanation tables each cost tens of milliseconds to load). Keep this file's imports light.
 */
import { localTimeZone } from '../core/time.js';
import type { CliCommand } from './command.js';

/** Rows a search page shows by default, and the most it may ask for (core/query's MAX_PAGE: a test holds them equal). */
export const SEARCH_LIMIT = { default: 50, max: 10_000 } as const;
/** Matching events `search --follow` shows before following, as tail shows its last 10 lines. */
export const FOLLOW_TAIL = 10;
export const DEFAULT_PORT = 7428;

const SEARCH_OPTIONS = {
  limit: { type: 'string' },
  sort: { type: 'string' },
  tz: { type: 'string' },
  cursor: { type: 'string' },
} as const;

const searchUsage = (name: string) =>
  `${name} [--db FILE] [--json] [--limit N] [--sort COL[:asc|desc]] [--tz ZONE] [--cursor C]${name === 'search' ? ' [--follow]' : ''} [QUERY...]`;
const loadSearch = (kind: 'events' | 'sessions' | 'transfers') => async () => (await import('./commands/search.js')).searchRunner(kind);

export const COMMANDS: readonly CliCommand[] = [
  {
    name: 'index',
    usage: 'index [--db FILE] [--json] [--tz ZONE] [--logformat NAME=FORMAT]... [--proftpd-conf FILE] [--follow] PATH...',
    summary: 'index files, folders (recursive), globs, .gz',
    options: { 'tz': { type: 'string' }, 'logformat': { type: 'string', multiple: true }, 'proftpd-conf': { type: 'string' }, 'follow': { type: 'boolean', default: false } },
    // A getter: naming this machine's zone loads ICU's data (~25 ms), which only --help needs.
    get optionHelp() {
      return `--tz ZONE    IANA time zone for local-time formats (default: the zone a file was first indexed with,
             else this machine's, ${localTimeZone()}); a new zone converts those files again
--logformat NAME=FORMAT
             a ProFTPD LogFormat used by your ExtendedLog files (repeatable)
--proftpd-conf FILE
             read ProFTPD's proftpd.conf (and its Includes): its LogFormats, and the format of
             each log its ExtendedLog, TransferLog, SystemLog, SFTPLog, TLSLog names (default:
             /etc/proftpd/proftpd.conf when it exists; $XFERLENS_PROFTPD_CONF names another, empty for none)
--follow     keep running and index new lines as servers write them (tail -f), new files
             in followed folders too when their content is a log format; prints a line per
             batch (--json: one object per line); Ctrl+C stops with everything committed`;
    },
    load: async () => (await import('./commands/index.js')).runIndexCommand,
    // --follow stays on the main thread, which alone receives Ctrl+C.
    inWorker: (values) => values.follow !== true,
  },
  {
    name: 'stats',
    usage: 'stats [--db FILE] [--json]',
    summary: 'totals for the whole database',
    load: async () => (await import('./commands/stats.js')).runStatsCommand,
  },
  {
    name: 'sources',
    usage: 'sources [--db FILE] [--json]',
    summary: 'indexed files with format and counts',
    load: async () => (await import('./commands/sources.js')).runSourcesCommand,
  },
  {
    name: 'formats',
    usage: 'formats [--json]',
    summary: 'the log formats xferlens reads',
    load: async () => (await import('./commands/sources.js')).runFormatsCommand,
  },
  {
    name: 'search',
    usage: searchUsage('search'),
    summary: 'search events (log lines) with the search language',
    options: { ...SEARCH_OPTIONS, follow: { type: 'boolean', default: false } },
    optionHelp: `QUERY        the search language (docs/search.md), e.g. user:alice failed after:24h;
             several arguments are joined with spaces; none = everything. A query that
             begins with - goes after -- (options first): xferlens search --limit 5 -- -user:bob
--limit N    rows per page (default ${SEARCH_LIMIT.default}, at most ${SEARCH_LIMIT.max})
--sort COL[:asc|desc]
             a column of the results (default: time; events oldest first, sessions and
             transfers newest first)
--tz ZONE    IANA zone for dates in the query and times shown (default UTC)
--cursor C   the next page, as printed after a table (nextCursor with --json)
--follow     the last matching events (--limit, default ${FOLLOW_TAIL}), then new ones as they are
             indexed, until Ctrl+C (--json: one row object per line). It does not index: it
             follows the database that \`index --follow\` (or the app) writes
(sessions and transfers take the same options but --follow)`,
    load: loadSearch('events'),
  },
  {
    name: 'sessions',
    usage: searchUsage('sessions'),
    summary: 'list sessions (connections) matching a query',
    options: SEARCH_OPTIONS,
    load: loadSearch('sessions'),
  },
  {
    name: 'transfers',
    usage: searchUsage('transfers'),
    summary: 'list transfers (file operations) matching a query',
    options: SEARCH_OPTIONS,
    load: loadSearch('transfers'),
  },
  {
    name: 'export',
    usage: 'export --kind events|sessions|transfers [--query Q] [--columns a,b] [--format csv|ndjson] [--excel] [--tz ZONE] --out FILE|-',
    summary: 'write the rows of a query as CSV, or as NDJSON in the Elastic Common Schema',
    options: {
      kind: { type: 'string' },
      query: { type: 'string', short: 'q' },
      columns: { type: 'string' },
      format: { type: 'string' },
      excel: { type: 'boolean', default: false },
      'no-neutralise': { type: 'boolean', default: false },
      tz: { type: 'string' },
      out: { type: 'string', short: 'o' },
    },
    get optionHelp() {
      return `--kind K     events, sessions or transfers
--query Q    a search (see the search language); default: every row
--columns a,b
             CSV columns in this order (default: the ones the app shows; "all" for every column)
--format F   csv (default) or ndjson (Elastic Common Schema; the default when FILE ends in .ndjson or .jsonl)
--excel      CSV for Excel: UTF-8 BOM and CRLF line ends
--no-neutralise
             keep cells starting with = + - @ TAB CR as they are (by default they get a leading ',
             so that a spreadsheet shows them instead of running them); only for programs, not spreadsheets
--tz ZONE    IANA zone for dates in the query (default: this machine's, ${localTimeZone()}); exported times are UTC
--out FILE   the file to write (written as FILE.partial, renamed when complete); - for stdout`;
    },
    load: async () => (await import('./commands/export.js')).runExportCommand,
  },
  {
    name: 'report',
    usage: 'report [--db FILE] [--query Q] [--from T] [--to T] [--tz ZONE] [--title TEXT] [--format html|pdf] [--paper a4|letter] --out FILE|-',
    summary: 'a report of a search an auditor can read: one HTML file, or PDF printed by Chromium',
    options: {
      query: { type: 'string', short: 'q' },
      from: { type: 'string' },
      to: { type: 'string' },
      tz: { type: 'string' },
      title: { type: 'string' },
      format: { type: 'string' },
      paper: { type: 'string' },
      'max-transfers': { type: 'string' },
      out: { type: 'string', short: 'o' },
    },
    get optionHelp() {
      return `--query Q    a search (see the search language); default: everything
--from T, --to T
             only what happened at or after T and before T (as after: and before:
             read them: 2026-01-31, 2026-01-31T08:00, 30d, yesterday; in --tz)
--tz ZONE    IANA zone of the times shown and of dates without an offset (default: this
             machine's, ${localTimeZone()})
--title TEXT the report's title (default "Transfer report")
--format F   html (default) or pdf (the default when FILE ends in .pdf): PDF is printed by
             Chromium, Chrome or Edge (XFERLENS_CHROMIUM names its program)
--paper P    a4 (default) or letter, for PDF
--max-transfers N
             transfers listed at most (default 1000, at most 10000); the report names the
             export command that gives all of them
--out FILE   the file to write (written as FILE.partial, renamed when complete); - for stdout
--json       print the report's figures as JSON on stdout`;
    },
    load: async () => (await import('./commands/report.js')).runReportCommand,
  },
  {
    name: 'insights',
    usage: 'insights [--db FILE] [--json] [--burst N/MINUTES] [--top N]',
    summary: 'failed-login bursts, attacked accounts, new clients, largest and repeatedly failing transfers',
    options: { burst: { type: 'string' }, top: { type: 'string' } },
    optionHelp: `--burst N/MINUTES
             a failed-login burst is N failures from one IP within MINUTES (default 5/10)
--top N      findings per insight (default 10)`,
    load: async () => (await import('./commands/insights.js')).runInsightsCommand,
  },
  {
    name: 'explain',
    usage: 'explain CODE|TEXT [--protocol P] [--format F] [--json]',
    summary: 'what a result code or log message means and what to do about it',
    optionHelp: [
      '--protocol P   the protocol of the row: ftp, ftps, sftp, ssh2, http(s); or one table: eft (socks),',
      '               eft-sftp, eft-action-result, winsock, strerror, http, xferlog, vsftpd, proftpd, login-reason',
      '--format F     the log format that wrote it (e.g. eft-client: GetLastCode 2 on an ftp row is a SOCKS code)',
      'A negative code goes after --: xferlens explain --format eft-client --protocol sftp -- -1',
    ].join('\n'),
    options: {
      protocol: { type: 'string' },
      format: { type: 'string' },
    },
    load: async () => (await import('./commands/explain.js')).runExplainCommand,
  },
  {
    name: 'serve',
    usage: 'serve [--db FILE] [--port N] [--host H] [--allow-open] [--follow] [--tz ZONE] [--logformat NAME=FORMAT]... [--proftpd-conf FILE] [PATH...]',
    summary: 'the app in your browser: prints an address to open (PATHs are indexed meanwhile)',
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      'allow-open': { type: 'boolean', default: false },
      follow: { type: 'boolean', default: false },
      tz: { type: 'string' },
      logformat: { type: 'string', multiple: true },
      'proftpd-conf': { type: 'string' },
    },
    optionHelp: `--port N     port to listen on (default ${DEFAULT_PORT}; 0 picks a free one)
--host H     address to listen on (default 127.0.0.1, this machine only). Anything else lets other
             machines connect: anyone with the printed address (its token) can read the logs
--allow-open let the page index and follow paths typed in it (default: on for 127.0.0.1/localhost
             only; PATHs given here are always indexed)
--follow     then follow the PATHs: new lines are indexed as servers write them, and the page
             shows them as they arrive (pause, resume or stop in the page)
--tz ZONE, --logformat NAME=FORMAT
             as for index, for the PATHs given here
--proftpd-conf FILE
             as for index, for every file indexed or followed (from here or the page) that has
             no proftpd.conf of its own (Sources › Settings)`,
    load: async () => (await import('./commands/serve.js')).runServeCommand,
  },
  {
    name: 'rebuild',
    usage: 'rebuild [--db FILE] [--json]',
    summary: 'move a damaged database aside to FILE.broken-<time> and index its files again',
    load: async () => (await import('./commands/rebuild.js')).runRebuildCommand,
    inWorker: () => true, // it indexes every file again
  },
];
