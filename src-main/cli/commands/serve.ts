/**
 * `xferlens serve`: the app in a browser. The writer worker owns the database (as in the desktop
 * app), the API handlers read on a read-only connection, and the HTTP server (serve/http-server.ts)
 * carries both to the page. The first line on stdout is the address to open, token included.
 */
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Server } from 'node:http';
import type { ApiEventName, ApiEvents, AppStatus } from '../../api/contract.js';
import { createHandlers, refuseUntilReady, relayFollowEvents, type ApiBackend } from '../../api/handlers.js';
import { defaultDatabasePath } from '../../core/paths.js';
import { openDatabase, type Db } from '../../core/store/db.js';
import { ReadOnlyWriter, startWriter, type HostWriter } from '../../worker/start-writer.js';
import { logFormatsOption, proftpdConfOption, stringOption, timeZoneOption, type CommandRun } from '../command.js';
import { DEFAULT_PORT } from '../registry.js';
import { formatBytes, formatCount, UsageError } from '../output.js';
import { createApiServer, isLoopbackHost } from '../serve/http-server.js';
import { chromiumPrinter, findChromium, NoChromiumError } from '../../core/report/pdf.js';
import { untilStopSignal } from '../signals.js';
import { upgradeReporter } from '../upgrade-report.js';

const RENDERER_DIR = fileURLToPath(new URL('../../../renderer/', import.meta.url));

export const runServeCommand: CommandRun = async ({ values, args }) => {
  const portText = stringOption(values, 'port') ?? String(DEFAULT_PORT);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65535) throw new UsageError(`--port must be a number 0..65535 (got ${portText})`);
  const host = stringOption(values, 'host') ?? '127.0.0.1';
  if (!host || /[\s/?#@]/.test(host)) throw new UsageError(`--host must be an address or a host name (got ${host})`);
  const timeZone = timeZoneOption(values);
  const logFormats = logFormatsOption(values);
  const loopback = isLoopbackHost(host);
  if (values.follow === true && !args.length) throw new UsageError('--follow follows the PATHs given: name at least one');
  // Read once now to say what is wrong with it; the writer reads it again for each job.
  const proftpd = proftpdConfOption(values);
  for (const w of proftpd.warnings) process.stderr.write(`xferlens: warning: ${w}\n`);
  if (proftpd.error) process.stderr.write(`xferlens: ${proftpd.error}\n`);
  const given = stringOption(values, 'proftpd-conf');
  return serve({
    databasePath: defaultDatabasePath(stringOption(values, 'db')),
    host,
    port: Number(portText),
    canOpenPaths: loopback || values['allow-open'] === true,
    paths: args.map((p) => path.resolve(p)),
    follow: values.follow === true,
    ...(timeZone ? { timeZone } : {}),
    logFormats,
    readOnly: values['read-only'] === true,
    // One given that cannot be read now is kept (each job says so); the system's only when readable.
    proftpdConf: given ? path.resolve(given) : (proftpd.file ?? null),
  });
};

interface ServeOptions {
  databasePath: string;
  host: string;
  port: number;
  canOpenPaths: boolean;
  paths: string[];
  /** Follow the paths once indexed. */
  follow: boolean;
  timeZone?: string;
  logFormats: { name: string; format: string }[];
  /** `--read-only`: the database is read and never written. */
  readOnly: boolean;
  /** The proftpd.conf for files without one of their own, or null. */
  proftpdConf: string | null;
}

async function serve(opts: ServeOptions): Promise<number> {
  // The page is served before the writer is ready: an older database is upgraded first (minutes for
  // a big one), meanwhile the API answers only app/status (see refuseUntilReady).
  let status: AppStatus = { state: 'starting' };
  let writer: HostWriter = new ReadOnlyWriter(opts.databasePath, 'it is not open yet');
  let readOnly: string | null = null;
  let reader = null as Db | null;
  const openReadDb = () => openDatabase(opts.databasePath, { readonly: true });
  let broadcast: <E extends ApiEventName>(event: E, payload: ApiEvents[E]) => void = () => undefined;
  // PDF reports are printed by an installed Chromium, found once at start.
  const chromium = findChromium();
  const pdf = chromium ? { printPdf: chromiumPrinter() } : { pdfUnavailable: new NoChromiumError('and none was found on this server').message };
  const backend: ApiBackend = {
    ...pdf,
    mode: 'browser',
    databasePath: opts.databasePath,
    readDb: () => (reader ??= openReadDb()),
    openReadDb,
    exportThreads: {},
    get writer() {
      return writer;
    },
    emit: (event, payload) => broadcast(event, payload),
    canOpenPaths: opts.canOpenPaths,
    get readOnly() {
      return readOnly;
    },
    status: () => status,
    proftpdConf: opts.proftpdConf,
  };
  const token = randomBytes(32).toString('base64url');
  let api;
  try {
    const openDownloadDb = () => (refuseUntilReady(status, 'export/download'), openReadDb());
    api = createApiServer({ handlers: createHandlers(backend), token, rendererDir: RENDERER_DIR, host: opts.host, openReadDb: openDownloadDb, databasePath: opts.databasePath, exportThreads: {}, ...pdf });
  } catch (err) {
    process.stderr.write(`xferlens: ${(err as Error).message}\n`);
    return 1;
  }
  broadcast = api.broadcast;
  const { server } = api;
  // Listens once an upgrade begins (the page shows its progress), else once the writer is ready.
  let listening: Promise<number | null> | null = null;
  const listen = () => (listening ??= listenAndTell(server, token, opts));
  const reportUpgrade = upgradeReporter(opts.databasePath);

  try {
    ({ writer, readOnly } = await startWriter({
      databasePath: opts.databasePath,
      readOnly: opts.readOnly,
      proftpdConf: opts.proftpdConf,
      onMigrate: (p) => {
        status = { state: 'upgrading', ...p };
        reportUpgrade(p);
        void listen();
      },
    }));
  } catch (err) {
    process.stderr.write(`xferlens: ${(err as Error).message}\n`);
    await api.close();
    return 1;
  }
  if (readOnly) process.stderr.write(`xferlens: ${readOnly}: serving it read-only (searching works; indexing and following do not)\n`);
  if (readOnly && opts.paths.length) {
    process.stderr.write(`xferlens: cannot index ${opts.paths.join(', ')}: the database is read-only\n`);
    await api.close();
    await writer.stop();
    return 1;
  }
  status = { state: 'ready' };
  // Ctrl+C is ours from here: the address is printed next, and a signal that came before the
  // handler (while following was resumed) killed the process instead of stopping it.
  const stopped = untilStopSignal();
  if ((await listen()) === null) {
    await writer.stop();
    return 1;
  }
  const stopRelay = relayFollowEvents(backend);
  process.stderr.write(`xferlens: serving ${opts.databasePath}; Ctrl+C stops\n`);

  // What was followed when the database was last used (by the app, or a serve): followed again,
  // whatever --allow-open says. Every such path was chosen by someone allowed to at the time (the
  // desktop user, a command line, or a page that could open paths), and no page can add to the list.
  try {
    const resumed = await writer.resumeFollowing();
    if (resumed.inputs.length) {
      process.stderr.write(`xferlens: following again${resumed.paused ? ' (paused)' : ''} ${resumed.inputs.map((i) => i.path).join(', ')}\n`);
    }
  } catch (err) {
    process.stderr.write(`xferlens: could not follow again what was followed: ${(err as Error).message}\n`);
  }

  if (opts.paths.length) {
    // The paths on the command line are the user's own request: indexed whatever --allow-open says.
    const startup = createHandlers({ ...backend, canOpenPaths: true });
    const request = { paths: opts.paths, ...(opts.timeZone ? { timeZone: opts.timeZone } : {}), ...(opts.logFormats.length ? { logFormats: opts.logFormats } : {}) };
    startup['index/open'](request).then(
      async (r) => {
        process.stderr.write(`xferlens: indexed ${formatCount(r.files)} file(s): ${formatCount(r.lines)} new lines, ${formatBytes(r.bytes)}${r.cancelled ? ' (cancelled)' : ''}\n`);
        for (const e of r.errors) process.stderr.write(`xferlens: ${e.path}: ${e.reason}\n`);
        // Following after the first index run: its progress showed in the page; nothing written meanwhile is lost.
        if (opts.follow && !r.cancelled) {
          await startup['follow/start'](request);
          process.stderr.write(`xferlens: following ${opts.paths.join(', ')}\n`);
        }
      },
      (err: unknown) => process.stderr.write(`xferlens: indexing failed: ${(err as Error).message}\n`),
    ).catch((err: unknown) => process.stderr.write(`xferlens: following failed: ${(err as Error).message}\n`));
  }

  await stopped;
  process.stderr.write('xferlens: stopping\n');
  stopRelay();
  await api.close();
  reader?.close();
  await writer.stop();
  return 0;
}

/**
 * Listens, then prints the address (the first line of stdout, whole: `npm start` and the tests read
 * it) and the warning off loopback; answers the port, or null when it cannot listen (said on stderr).
 */
async function listenAndTell(server: Server, token: string, opts: ServeOptions): Promise<number | null> {
  const listening = new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port, opts.host, () => resolve());
  });
  try {
    await listening;
  } catch (err) {
    const e = err as NodeJS.ErrnoException;
    const hint = e.code === 'EADDRINUSE' ? ` (another program uses port ${opts.port}: try --port 0)` : '';
    process.stderr.write(`xferlens: cannot listen on ${opts.host}:${opts.port}: ${e.message}${hint}\n`);
    return null;
  }
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : opts.port;
  const shownHost = net6(opts.host === '0.0.0.0' || opts.host === '::' ? '127.0.0.1' : opts.host);
  await new Promise<void>((resolve) => process.stdout.write(`http://${shownHost}:${port}/#token=${token}\n`, () => resolve()));
  if (!isLoopbackHost(opts.host)) {
    process.stderr.write(
      `xferlens: WARNING: listening on ${opts.host}, not only this machine: anyone who can reach port ${port} and has the address above (its token) can read every indexed log` +
        `${opts.canOpenPaths ? ' and index files on this machine' : ''}. The connection is plain HTTP.\n`,
    );
  }
  return port;
}

/** An IPv6 literal in a URL goes in brackets. */
function net6(host: string): string {
  return host.includes(':') && !host.startsWith('[') ? `[${host}]` : host;
}
