import fs from 'node:fs';
import path from 'node:path';
import { globSync, isDynamicPattern } from 'tinyglobby';
import type { NamedLogFormat } from '../formats/types.js';

/**
 * ProFTPD's own configuration (`proftpd.conf` and the files its `Include`s name): every `LogFormat`,
 * and which log file each `ExtendedLog`, `TransferLog`, `SystemLog`, `SFTPLog` and `TLSLog` names,
 * so that those files are read with their format (and an ExtendedLog with its LogFormat) without the
 * admin typing them. Only these directives are read; `<IfModule>`, `<VirtualHost>` and the rest of
 * the file are passed over.
 */

/** Where Debian, Ubuntu and the ProFTPD packages of other distributions put it. */
export const DEFAULT_PROFTPD_CONF = '/etc/proftpd/proftpd.conf';

export interface ProftpdConfLog {
  /** Absolute path as the conf names it. */
  path: string;
  /** The xferlens format id its lines are in. */
  format: string;
  /** ExtendedLog: the LogFormat name it is written with (`default` when none is named). */
  logFormat?: string;
}

export interface ProftpdConf {
  /** The files read, the conf first. */
  files: string[];
  logFormats: NamedLogFormat[];
  logs: ProftpdConfLog[];
  /** What could not be read (an Include that matched nothing, an unreadable file…), in words. */
  problems: string[];
}

const FORMAT_BY_DIRECTIVE: Record<string, string> = {
  transferlog: 'xferlog', systemlog: 'proftpd-system', sftplog: 'proftpd-modlog', tlslog: 'proftpd-modlog', extendedlog: 'proftpd-extended',
};

/** Includes nest at most this deep (a conf that includes itself stops here). */
const MAX_INCLUDE_DEPTH = 8;

/**
 * Splits a directive line into words the way ProFTPD does: spaces separate, double quotes group,
 * a backslash escapes the next character inside quotes (`"%h \"%r\""`).
 */
export function confWords(line: string): string[] {
  const words: string[] = [];
  let i = 0;
  while (i < line.length) {
    while (line[i] === ' ' || line[i] === '\t') i++;
    if (i >= line.length) break;
    let word = '';
    if (line[i] === '"') {
      i++;
      while (i < line.length && line[i] !== '"') {
        if (line[i] === '\\' && i + 1 < line.length) i++;
        word += line[i++];
      }
      i++;
    } else {
      while (i < line.length && line[i] !== ' ' && line[i] !== '\t') word += line[i++];
    }
    words.push(word);
  }
  return words;
}

/** The conf's logical lines: comments and blank lines dropped, `\`-continued lines joined. */
function logicalLines(text: string): string[] {
  const out: string[] = [];
  let pending = '';
  for (const raw of text.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const whole = (pending + line).trim();
    pending = '';
    if (whole !== '' && !whole.startsWith('#')) out.push(whole);
  }
  if (pending.trim()) out.push(pending.trim());
  return out;
}

function includedFiles(pattern: string, from: string): string[] {
  const target = path.resolve(path.dirname(from), pattern);
  if (isDynamicPattern(target.replace(/\\/g, '/'))) return globSync(target.replace(/\\/g, '/'), { absolute: true, onlyFiles: true }).sort();
  const stat = fs.statSync(target);
  if (stat.isDirectory()) return fs.readdirSync(target).sort().map((f) => path.join(target, f)).filter((f) => fs.statSync(f).isFile());
  return [target];
}

/**
 * Reads a proftpd.conf and what it includes. Throws only when the conf itself cannot be read; a
 * problem further down (an Include) is listed in `problems` and the rest is still read.
 */
export function readProftpdConf(file: string): ProftpdConf {
  const conf: ProftpdConf = { files: [], logFormats: [], logs: [], problems: [] };
  const visit = (f: string, depth: number, text: string) => {
    conf.files.push(f);
    for (const line of logicalLines(text)) {
      const [directive, ...args] = confWords(line);
      const name = directive!.toLowerCase();
      if (name === 'logformat' && args.length >= 2) {
        conf.logFormats = conf.logFormats.filter((lf) => lf.name !== args[0]);
        conf.logFormats.push({ name: args[0]!, format: args[1]! });
      } else if (name === 'logformat') {
        conf.problems.push(`${f}: ${directive} needs a name and a format (got ${args.length ? args.join(' ') : 'nothing'}); ignored`);
      } else if (name in FORMAT_BY_DIRECTIVE && args[0] && args[0].startsWith('/')) {
        const format = FORMAT_BY_DIRECTIVE[name]!;
        conf.logs.push(format === 'proftpd-extended' ? { path: args[0], format, logFormat: args[2] ?? 'default' } : { path: args[0], format });
      } else if (name in FORMAT_BY_DIRECTIVE && args[0]?.toLowerCase() !== 'none') {
        // ProFTPD itself refuses these: a log is named by its absolute path (or `none`).
        conf.problems.push(`${f}: ${directive} ${args[0] ?? ''}: not an absolute path; ignored`);
      } else if (name === 'include' && args[0]) {
        if (depth >= MAX_INCLUDE_DEPTH) {
          conf.problems.push(`${f}: Include ${args[0]}: includes nest deeper than ${MAX_INCLUDE_DEPTH} levels; not followed`);
          continue;
        }
        let files: string[];
        try {
          files = includedFiles(args[0], f);
        } catch (err) {
          conf.problems.push(`${f}: Include ${args[0]}: ${(err as Error).message}`);
          continue;
        }
        for (const inc of files) {
          try {
            visit(inc, depth + 1, fs.readFileSync(inc, 'utf8'));
          } catch (err) {
            conf.problems.push(`${inc}: ${(err as Error).message}`);
          }
        }
      }
    }
  };
  visit(path.resolve(file), 0, fs.readFileSync(file, 'utf8'));
  return conf;
}

/**
 * The conf used when none is named: `$XFERLENS_PROFTPD_CONF` (empty: none), else
 * /etc/proftpd/proftpd.conf, when that file exists; null for none.
 */
export function defaultProftpdConfFile(env: NodeJS.ProcessEnv = process.env): string | null {
  const file = env.XFERLENS_PROFTPD_CONF ?? DEFAULT_PROFTPD_CONF;
  return file !== '' && fs.existsSync(file) ? file : null;
}

/**
 * A conf read for an index run: the conf, or why it could not be read in words
 * (`cannot read ProFTPD configuration FILE: reason`; indexing goes on without it).
 */
export function tryReadProftpdConf(file: string): { conf: ProftpdConf; error?: undefined } | { conf?: undefined; error: string } {
  try {
    return { conf: readProftpdConf(file) };
  } catch (err) {
    return { error: `cannot read ProFTPD configuration ${file}: ${(err as Error).message}` };
  }
}

const realPath = (p: string) => {
  try {
    return fs.realpathSync(p);
  } catch {
    return path.resolve(p);
  }
};

/** How long the real paths of a conf's logs are taken as found (a log created, a link moved later). */
const REAL_LOG_PATHS_MS = 10_000;

/**
 * The real paths of a conf's logs, found once per conf read and REAL_LOG_PATHS_MS: a folder of 300
 * daily logs looked them up for each file (Debian's conf names logs that do not exist: 0.5 ms a
 * file, mostly the exceptions of realpath), and a follow keeps its conf for days.
 */
const realLogPaths = new WeakMap<ProftpdConf, { at: number; reals: string[] }>();

/** The log the conf names at `file` (compared as resolved paths), if any. */
export function confLogFor(conf: ProftpdConf, file: string): ProftpdConfLog | undefined {
  const resolved = path.resolve(file);
  const direct = conf.logs.find((l) => path.resolve(l.path) === resolved);
  if (direct || conf.logs.length === 0) return direct;
  const now = Date.now();
  let found = realLogPaths.get(conf);
  if (!found || now - found.at > REAL_LOG_PATHS_MS) realLogPaths.set(conf, (found = { at: now, reals: conf.logs.map((l) => realPath(l.path)) }));
  const real = realPath(resolved);
  const { reals } = found;
  return conf.logs.find((_, i) => reals[i] === real);
}

/**
 * The LogFormats to try for a file: the admin's (`--logformat`) first, then for an ExtendedLog the
 * one the conf names for it, then the conf's others.
 */
export function logFormatsWithConf(given: readonly NamedLogFormat[] | undefined, conf: ProftpdConf | undefined, log: ProftpdConfLog | undefined): NamedLogFormat[] | undefined {
  if (!conf?.logFormats.length) return given?.length ? [...given] : undefined;
  const own = log?.logFormat ? conf.logFormats.filter((lf) => lf.name === log.logFormat) : [];
  const rest = conf.logFormats.filter((lf) => !own.includes(lf));
  return [...(given ?? []), ...own, ...rest];
}
