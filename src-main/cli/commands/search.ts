import type { Db } from '../../core/store/db.js';
import { eventsAfter, latestEvents } from '../../core/query/follow.js';
import { columnDef, COLUMNS, DEFAULT_VISIBLE, MAX_PAGE, queryHints, queryPage, QuerySyntaxError, sortableColumns, type ColumnType, type QueryKind } from '../../core/query/index.js';
import { zoneOffsetMs } from '../../core/time.js';
import { stringOption, timeZoneOption, type CommandRun, type OptionValues } from '../command.js';
import { FOLLOW_TAIL, SEARCH_LIMIT } from '../registry.js';
import { formatBytes, formatCount, isoOrDash, table, UsageError } from '../output.js';
import { untilStopSignal } from '../signals.js';

/** How often --follow looks for newly committed events. */
const FOLLOW_POLL_MS = 250;
/** Longest cell in the terminal table; the JSON output keeps everything. */
const MAX_CELL = 60;

interface SearchOptions {
  json: boolean;
  limit: number;
  sort?: string;
  order?: 'asc' | 'desc';
  timeZone?: string;
  cursor?: string;
  /** --limit as given (--follow uses it for the rows shown first). */
  limitGiven: boolean;
}

function readOptions(kind: QueryKind, values: OptionValues): SearchOptions {
  const limitText = stringOption(values, 'limit');
  const limit = limitText === undefined ? SEARCH_LIMIT.default : Number(limitText);
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new UsageError(`--limit wants a whole number from 1 to ${MAX_PAGE} (got ${limitText})`);
  let sort: string | undefined, order: 'asc' | 'desc' | undefined;
  const sortText = stringOption(values, 'sort');
  if (sortText !== undefined) {
    const [name, dir, ...rest] = sortText.split(':');
    if (rest.length || (dir !== undefined && dir !== 'asc' && dir !== 'desc')) throw new UsageError(`--sort wants COLUMN or COLUMN:asc or COLUMN:desc (got ${sortText})`);
    if (!columnDef(kind, name!)?.sortable) throw new UsageError(`cannot sort ${kind} by "${name}" (sortable: ${sortableColumns(kind).join(', ')})`);
    sort = name;
    order = dir as 'asc' | 'desc' | undefined;
  }
  const timeZone = timeZoneOption(values);
  return { json: values.json === true, limit, sort, order, timeZone, cursor: stringOption(values, 'cursor'), limitGiven: limitText !== undefined };
}

/** ISO 8601 in a zone, with its offset (UTC keeps the `Z` form). */
function isoIn(ms: number, timeZone: string | undefined): string {
  if (!timeZone || timeZone === 'UTC') return isoOrDash(ms);
  const offset = zoneOffsetMs(timeZone, ms);
  const abs = Math.abs(offset) / 60_000;
  const sign = offset < 0 ? '-' : '+';
  return new Date(ms + offset).toISOString().replace('.000Z', 'Z').replace('Z', `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`);
}

function formatDuration(ms: number): string {
  if (ms < 1000) return `${ms} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const s = Math.round(ms / 1000);
  return s < 3600 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${Math.floor(s / 3600)} h ${Math.floor((s % 3600) / 60)} min`;
}

function cell(type: ColumnType, v: unknown, timeZone: string | undefined): string {
  if (v === null || v === undefined || v === '') return '-';
  if (type === 'time' && typeof v === 'number') return isoIn(v, timeZone);
  if (type === 'bytes' && typeof v === 'number') return formatBytes(v);
  if (type === 'duration' && typeof v === 'number') return formatDuration(v);
  const text = String(v).replace(/[\r\n\t]+/g, ' ');
  return text.length > MAX_CELL ? text.slice(0, MAX_CELL - 1) + '…' : text;
}

/** Runs a query, turning the user's mistakes into usage errors. */
function userQuery<T>(query: string, run: () => T): T {
  try {
    return run();
  } catch (err) {
    if (err instanceof QuerySyntaxError) {
      // The query, and a caret under the column the error names.
      throw new UsageError(`${err.message}\n  ${query}\n  ${' '.repeat(Math.max(0, err.column - 1))}^`);
    }
    if (err instanceof RangeError) throw new UsageError(err.message);
    throw err;
  }
}

function runSearch(db: Db, kind: QueryKind, query: string, opts: SearchOptions): number {
  const page = userQuery(query, () =>
    queryPage(db, { kind, query, sort: opts.sort, order: opts.order, limit: opts.limit, cursor: opts.cursor ?? null, count: true }, { timeZone: opts.timeZone }),
  );
  if (opts.json) {
    process.stdout.write(JSON.stringify({ total: page.total, rows: page.rows, nextCursor: page.nextCursor }) + '\n');
    return 0;
  }
  if (!page.rows.length) {
    process.stdout.write(`no matching ${kind}\n`);
  } else {
    const cols = visibleColumns(kind);
    process.stdout.write(table(cols.map((c) => c.label.toUpperCase()), page.rows.map((r) => cols.map((c) => cell(c.type, r[c.name], opts.timeZone)))));
    const shown = `${formatCount(page.rows.length)} of ${formatCount(page.total ?? page.rows.length)} ${kind}`;
    process.stdout.write(page.nextCursor ? `${shown}; next page: --cursor ${page.nextCursor}\n` : `${shown}\n`);
  }
  // A search that finds little says what would find more (on stderr: the table stays the output).
  if (!opts.cursor) {
    for (const h of queryHints(db, kind, query, page.total ?? page.rows.length, { timeZone: opts.timeZone })) {
      const span = h.from !== undefined ? ` (${cell('time', h.from, opts.timeZone)} … ${cell('time', h.to, opts.timeZone)})` : '';
      process.stderr.write(`hint: ${h.text}${span}: ${formatCount(h.count)} ${kind} with ${JSON.stringify(h.query)}\n`);
    }
  }
  return 0;
}

const visibleColumns = (kind: QueryKind) => DEFAULT_VISIBLE[kind].map((name) => COLUMNS[kind].find((c) => c.name === name)!);

/**
 * `search --follow`: the last matching events, then each new one as it is committed to the
 * database (by `index --follow` or the app running elsewhere), until Ctrl+C. Table rows (the header
 * once) or one JSON row object per line.
 */
async function followSearch(db: Db, query: string, opts: SearchOptions): Promise<number> {
  if (opts.sort || opts.cursor) throw new UsageError('--follow shows events as they arrive: it takes no --sort or --cursor');
  const queryOpts = { timeZone: opts.timeZone };
  const cols = visibleColumns('events');
  const header = cols.map((c) => c.label.toUpperCase());
  const print = (rows: Record<string, unknown>[], withHeader: boolean) => {
    if (opts.json) {
      for (const r of rows) process.stdout.write(JSON.stringify(r) + '\n');
    } else if (rows.length || withHeader) {
      const text = table(header, rows.map((r) => cols.map((c) => cell(c.type, r[c.name], opts.timeZone))));
      process.stdout.write(withHeader ? text : text.slice(text.indexOf('\n') + 1));
    }
  };
  const first = userQuery(query, () => latestEvents(db, query, opts.limitGiven ? opts.limit : FOLLOW_TAIL, queryOpts));
  print(first.rows, true);
  let lastId = first.lastId;
  const stopped = untilStopSignal();
  const timer = setInterval(() => {
    try {
      for (;;) {
        const next = eventsAfter(db, query, lastId, MAX_PAGE, queryOpts);
        lastId = next.lastId;
        print(next.rows, false);
        if (next.rows.length < MAX_PAGE) break;
      }
    } catch (err) {
      process.stderr.write(`xferlens: ${(err as Error).message}\n`); // e.g. the database is busy: next time
    }
  }, FOLLOW_POLL_MS);
  await stopped;
  clearInterval(timer);
  return 0;
}

/** What runs `search`, `sessions` or `transfers` (registry.ts has their options and help). */
export function searchRunner(kind: QueryKind): CommandRun {
  return ({ values, args, withDb }) => {
    const opts = readOptions(kind, values);
    if (values.follow === true) return withDb((db) => followSearch(db, args.join(' '), opts));
    return withDb((db) => runSearch(db, kind, args.join(' '), opts));
  };
}
