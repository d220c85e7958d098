/**
 * Seeded, deterministic generators of synthetic but realistic file-transfer server logs for benchmarks
 * and large-scale tests. Same options (seed, startMs, lines) => byte-identical output.
 *
 * Output is written in ~1 MB chunks with fs.writeSync, so memory stays flat whatever the line count.
 * Only Node built-ins are used. Formats follow /work/shared/FORMATS.md sections 1-3:
 *  - generateEftW3c:        EFT Server W3C Extended activity log (CRLF, UTC), with service restarts
 *                           (new header block, session numbers restart, sometimes a different #Fields);
 *                           generateEftW3cDays: a folder of them, one per day (u_exYYMMDD.log)
 *  - generateEftClientLog:  EFT client log (cl*.log, `;`-separated, local time, CRLF)
 *  - generateProftpd:       ProFTPD SystemLog + TransferLog (xferlog) + ExtendedLog (`default` LogFormat), LF
 */
import { closeSync, mkdirSync, openSync, writeSync } from 'node:fs';
import { dirname, join } from 'node:path';

export interface GenerateOptions {
  /** Number of physical lines to write (header lines included). For ProFTPD: total over the three files. */
  lines: number;
  /** PRNG seed (default 1). */
  seed?: number;
  /** UTC epoch ms of the first line (default Date.UTC(2026, 0, 1)). */
  startMs?: number;
  /**
   * Lines between simulated service restarts (default 200000). EFT W3C: a new #Version/#Software/#Date/#Fields
   * block and session numbers restart at 1. ProFTPD: SHUTDOWN/STARTUP in the SystemLog, new daemon pid.
   */
  restartEvery?: number;
}

export interface GenerateResult {
  path: string;
  lines: number;
  bytes: number;
}

const DEFAULT_START = Date.UTC(2026, 0, 1);
const CHUNK = 1 << 20;
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

// ---------------------------------------------------------------------------------------------------------
// PRNG (mulberry32) and sampling helpers
// ---------------------------------------------------------------------------------------------------------

export class Rng {
  private s: number;
  constructor(seed: number) {
    // Scramble the seed so that neighbouring seeds give unrelated streams.
    let h = (Math.floor(seed) ^ 0x9e3779b9) >>> 0;
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
    this.s = (h ^ (h >>> 16)) >>> 0;
  }
  /** Uniform in [0, 1). */
  next(): number {
    let t = (this.s = (this.s + 0x6d2b79f5) | 0);
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  /** Integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }
  /** Integer in [lo, hi]. */
  range(lo: number, hi: number): number {
    return lo + this.int(hi - lo + 1);
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(a: readonly T[]): T {
    return a[this.int(a.length)] as T;
  }
  /** Exponential with the given mean. */
  exp(mean: number): number {
    return -Math.log(1 - this.next()) * mean;
  }
  normal(): number {
    const u = 1 - this.next();
    const v = this.next();
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
  }
  logNormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
  /** Geometric-ish count in [min, max] with roughly the given mean. */
  count(mean: number, min: number, max: number): number {
    const n = min + Math.floor(this.exp(Math.max(mean - min, 0.01)));
    return n > max ? max : n;
  }
  shuffle<T>(a: T[]): T[] {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const x = a[i] as T;
      a[i] = a[j] as T;
      a[j] = x;
    }
    return a;
  }
}

class Weighted<T> {
  private readonly cum: number[] = [];
  private readonly total: number;
  constructor(
    private readonly items: readonly T[],
    weights: readonly number[],
  ) {
    let acc = 0;
    for (const w of weights) this.cum.push((acc += w));
    this.total = acc;
  }
  pick(rng: Rng): T {
    const x = rng.next() * this.total;
    let lo = 0;
    let hi = this.cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.cum[mid] as number) > x) hi = mid;
      else lo = mid + 1;
    }
    return this.items[lo] as T;
  }
}

function wpick<T extends string | number>(rng: Rng, table: readonly (readonly [T, number])[]): T {
  let total = 0;
  for (const [, w] of table) total += w;
  let x = rng.next() * total;
  for (const [v, w] of table) {
    if ((x -= w) < 0) return v;
  }
  return (table[table.length - 1] as readonly [T, number])[0];
}

// ---------------------------------------------------------------------------------------------------------
// Output sink and time formatting
// ---------------------------------------------------------------------------------------------------------

class Sink {
  lines = 0;
  bytes = 0;
  private readonly buf = Buffer.allocUnsafe(CHUNK);
  private used = 0;
  private readonly fd: number;
  constructor(
    readonly path: string,
    private readonly eol: string,
  ) {
    mkdirSync(dirname(path), { recursive: true });
    this.fd = openSync(path, 'w');
  }
  line(s: string): void {
    // Worst case 3 UTF-8 bytes per UTF-16 unit; lines here are short, so this rarely flushes early.
    const need = (s.length + this.eol.length) * 3;
    if (this.used + need > CHUNK) {
      this.flush();
      if (need > CHUNK) {
        this.writeAll(Buffer.from(s + this.eol, 'utf8'));
        this.lines++;
        return;
      }
    }
    this.used += this.buf.write(s, this.used, 'utf8');
    this.used += this.buf.write(this.eol, this.used, 'latin1');
    this.lines++;
  }
  private writeAll(b: Buffer): void {
    let off = 0;
    while (off < b.length) off += writeSync(this.fd, b, off, b.length - off);
    this.bytes += b.length;
  }
  flush(): void {
    if (this.used === 0) return;
    this.writeAll(this.buf.subarray(0, this.used));
    this.used = 0;
  }
  close(): GenerateResult {
    try {
      this.flush();
    } finally {
      closeSync(this.fd);
    }
    return { path: this.path, lines: this.lines, bytes: this.bytes };
  }
  abort(): void {
    try {
      closeSync(this.fd);
    } catch {
      /* already closed */
    }
  }
}

const P2: readonly string[] = Array.from({ length: 100 }, (_, i) => (i < 10 ? '0' : '') + i);
const P3: readonly string[] = Array.from({ length: 1000 }, (_, i) => String(i).padStart(3, '0'));
const MON = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;
const DOW = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'] as const;

/** Formats integer epoch ms (treated as wall-clock UTC) in the shapes the logs use; caches per day/second. */
class TimeFmt {
  private day = Number.NaN;
  private sec = Number.NaN;
  private ymd = '';
  private xfPrefix = '';
  private clfPrefix = '';
  private year = 0;
  private hms = '';
  private set(ms: number): void {
    const day = Math.floor(ms / DAY);
    if (day !== this.day) {
      this.day = day;
      const d = new Date(day * DAY);
      const y = d.getUTCFullYear();
      const mo = d.getUTCMonth();
      const dd = d.getUTCDate();
      this.year = y;
      this.ymd = `${y}-${P2[mo + 1]}-${P2[dd]}`;
      this.xfPrefix = `${DOW[d.getUTCDay()]} ${MON[mo]} ${dd < 10 ? ' ' + dd : dd}`;
      this.clfPrefix = `${P2[dd]}/${MON[mo]}/${y}`;
    }
    const s = Math.floor(ms / SEC);
    if (s !== this.sec) {
      this.sec = s;
      const r = s - day * 86400;
      this.hms = `${P2[Math.floor(r / 3600)]}:${P2[Math.floor(r / 60) % 60]}:${P2[r % 60]}`;
    }
  }
  /** `2026-01-01 10:11:03` */
  w3c(ms: number): string {
    this.set(ms);
    return this.ymd + ' ' + this.hms;
  }
  /** `2026-11-23 18:51:02,079` */
  sys(ms: number): string {
    this.set(ms);
    return `${this.ymd} ${this.hms},${P3[ms % 1000]}`;
  }
  /** `Mon Nov  3 18:51:05 2026` */
  xfer(ms: number): string {
    this.set(ms);
    return `${this.xfPrefix} ${this.hms} ${this.year}`;
  }
  /** `23/Nov/2026:18:51:03 +0000` (without the brackets) */
  clf(ms: number): string {
    this.set(ms);
    return `${this.clfPrefix}:${this.hms} +0000`;
  }
}

/** Per-session date strings used in file names. */
function dateParts(ms: number): { ymd: string; compact: string; ym: string; monthName: string; hh: string } {
  const d = new Date(ms);
  const y = d.getUTCFullYear();
  const m = P2[d.getUTCMonth() + 1] as string;
  const dd = P2[d.getUTCDate()] as string;
  return {
    ymd: `${y}-${m}-${dd}`,
    compact: `${y}${m}${dd}`,
    ym: `${y}-${m}`,
    monthName: `${MON[d.getUTCMonth()]} ${y}`,
    hh: P2[d.getUTCHours()] as string,
  };
}

/** Relative load by hour of day / day of week (1 = weekday business hours). */
function activity(ms: number): number {
  const day = Math.floor(ms / DAY);
  const dow = (day + 4) % 7; // 1970-01-01 was a Thursday
  const h = (ms - day * DAY) / HOUR;
  let a: number;
  if (h < 6) a = 0.15;
  else if (h < 8) a = 0.15 + ((h - 6) / 2) * 0.85;
  else if (h < 18) a = 1;
  else if (h < 22) a = 1 - ((h - 18) / 4) * 0.75;
  else a = 0.25;
  if (dow === 0 || dow === 6) a *= 0.3;
  return a;
}

function checkOpts(opts: GenerateOptions): { total: number; seed: number; start: number; restartEvery: number } {
  const total = opts.lines;
  if (!Number.isInteger(total) || total < 0) throw new RangeError(`lines must be a non-negative integer, got ${total}`);
  const start = opts.startMs ?? DEFAULT_START;
  if (!Number.isFinite(start)) throw new RangeError(`startMs must be finite, got ${start}`);
  const restartEvery = opts.restartEvery ?? 200_000;
  if (!(restartEvery > 0)) throw new RangeError(`restartEvery must be > 0, got ${restartEvery}`);
  return { total, seed: opts.seed ?? 1, start: Math.floor(start), restartEvery };
}

const yieldLoop = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

// ---------------------------------------------------------------------------------------------------------
// Shared vocabulary
// ---------------------------------------------------------------------------------------------------------

const COMPANIES = [
  'acme', 'globex', 'initech', 'umbrella', 'hooli', 'stark', 'wayne', 'wonka', 'cyberdyne', 'soylent',
  'tyrell', 'aperture', 'vandelay', 'dunder', 'piedpiper', 'massive', 'oscorp', 'gringotts', 'monarch',
  'nakatomi', 'virtucon', 'bluth', 'sterling', 'prestige', 'vehement', 'rekall', 'weyland', 'kramerica',
  'contoso', 'fabrikam', 'northwind', 'adventureworks', 'tailspin', 'woodgrove', 'litware', 'proseware',
  'fourthcoffee', 'wingtip', 'alpine', 'treyresearch', 'lucerne', 'coho', 'humongous', 'wideworld',
  'blueyonder', 'consolidated', 'datum', 'relecloud', 'southridge', 'fincorp', 'medisys', 'logiship',
  'agrinova', 'eurofreight', 'polarlog', 'sunpharma', 'nordbank', 'ironclad', 'brightpath', 'quantix',
  'helix', 'orbital', 'zenith', 'pinnacle', 'evergreen', 'redwood', 'bluewave', 'silverline', 'keystone',
  'meridian',
] as const;

const LAST_NAMES = [
  'smith', 'jones', 'brown', 'taylor', 'wilson', 'davies', 'evans', 'thomas', 'johnson', 'roberts', 'walker',
  'wright', 'robinson', 'thompson', 'white', 'hughes', 'edwards', 'green', 'hall', 'wood', 'harris', 'lewis',
  'martin', 'jackson', 'clarke', 'turner', 'hill', 'scott', 'cooper', 'morris', 'ward', 'moore', 'king',
  'watson', 'baker', 'harrison', 'morgan', 'patel', 'young', 'allen', 'mitchell', 'anderson', 'phillips',
  'lee', 'bell', 'parker', 'davis', 'miller', 'garcia', 'rodriguez', 'martinez', 'lopez', 'gonzalez',
  'muller', 'schmidt', 'schneider', 'fischer', 'weber', 'meyer', 'wagner', 'becker', 'hoffmann', 'dubois',
  'moreau', 'laurent', 'rossi', 'russo', 'ferrari', 'bianchi', 'tanaka', 'suzuki', 'kim', 'nguyen', 'chen',
  'wang', 'singh', 'kumar', 'silva', 'santos', 'novak', 'kowalski', 'jensen', 'larsen', 'berg',
] as const;

const FIRST_NAMES = [
  'alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'karl', 'liam', 'mia',
  'noah', 'olivia', 'peggy', 'quinn', 'rupert', 'sybil', 'trent', 'uma', 'victor', 'walter', 'xena', 'yara',
  'zoe', 'anna', 'ben', 'chloe', 'dan', 'emma', 'felix', 'gina', 'hugo', 'iris', 'jack', 'kate', 'leo',
  'maria', 'nina', 'oscar', 'paul', 'rosa', 'sam', 'tom', 'vera', 'will', 'yusuf', 'omar', 'lena',
] as const;

const BRUTE_USERS = [
  'admin', 'administrator', 'root', 'test', 'ftp', 'ftpuser', 'user', 'guest', 'anonymous', 'backup',
  'oracle', 'postgres', 'ubuntu', 'support', 'info', 'sales', 'upload', 'www', 'web', 'demo', 'user1',
  'test1', 'ftpadmin', 'admin1', 'office', 'scanner', 'pi', 'operator', 'service', 'data',
] as const;

const PUBLIC_A = [
  23, 24, 31, 37, 45, 46, 50, 52, 54, 62, 64, 66, 67, 68, 71, 72, 73, 74, 76, 77, 78, 79, 80, 81, 82, 83, 84,
  85, 86, 87, 88, 89, 90, 91, 92, 93, 94, 95, 96, 98, 99, 104, 107, 108, 109, 141, 151, 152, 162, 173, 174,
  176, 178, 185, 188, 193, 194, 195, 198, 199, 203, 206, 207, 208, 209, 212, 213, 216, 217,
] as const;

function publicIp(rng: Rng): string {
  return `${rng.pick(PUBLIC_A)}.${rng.int(256)}.${rng.int(256)}.${rng.range(1, 254)}`;
}
function internalIp(rng: Rng): string {
  return rng.chance(0.7)
    ? `10.${rng.pick([1, 10, 20, 30, 40, 100])}.${rng.range(0, 31)}.${rng.range(2, 254)}`
    : `192.168.${rng.range(0, 9)}.${rng.range(2, 254)}`;
}

type Kind = 'partner' | 'person' | 'service';

function fileSize(rng: Rng, name: string): number {
  if (rng.chance(0.01)) return 0;
  const dot = name.lastIndexOf('.');
  const ext = dot >= 0 ? name.slice(dot + 1).toLowerCase() : '';
  let v: number;
  switch (ext) {
    case 'csv': case 'xml': case 'edi': case 'txt': case 'json':
      v = rng.logNormal(30_000, 1.3); break;
    case 'pdf': case 'docx': case 'xlsx': case 'pptx':
      v = rng.logNormal(400_000, 1.2); break;
    case 'jpg': case 'png':
      v = rng.logNormal(2_500_000, 0.6); break;
    case 'bak': case 'iso': case 'gz':
      v = rng.logNormal(800_000_000, 1.0); break;
    case 'zip': case 'dat': case 'bin': case 'tar':
      v = rng.logNormal(20_000_000, 1.5); break;
    default:
      v = rng.logNormal(200_000, 1.8);
  }
  return Math.max(1, Math.min(Math.round(v), 12_000_000_000));
}

/** Milliseconds a transfer of `bytes` takes (think time + size / bandwidth). */
function transferMs(rng: Rng, bytes: number): number {
  const bw = rng.logNormal(6_000_000, 1.0); // bytes per second
  return 150 + rng.exp(2500) + (bytes / bw) * 1000;
}

// ---------------------------------------------------------------------------------------------------------
// EFT W3C activity log
// ---------------------------------------------------------------------------------------------------------

const W3C_CANON = [
  'date', 'time', 'c-ip', 'c-port', 'cs-username', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'sc-status',
  'sc-bytes', 'cs-bytes', 's-name', 's-port',
] as const;
type W3cField = (typeof W3C_CANON)[number];
const W3C_LAYOUTS: readonly (readonly W3cField[])[] = [
  W3C_CANON,
  // s-port before s-name
  ['date', 'time', 'c-ip', 'c-port', 'cs-username', 'cs-method', 'cs-uri-stem', 'cs-uri-query', 'sc-status',
    'sc-bytes', 'cs-bytes', 's-port', 's-name'],
  // fewer fields (c-port and cs-uri-query not logged)
  ['date', 'time', 'c-ip', 'cs-username', 'cs-method', 'cs-uri-stem', 'sc-status', 'sc-bytes', 'cs-bytes',
    's-name', 's-port'],
];

interface W3cUser {
  name: string;
  kind: Kind;
  ips: string[];
  port: number;
  site: string;
  rename: boolean;
  cmdMean: number;
  seq: number;
}

interface W3cEv {
  /** ms after the previous event of the same session */
  dt: number;
  /** non-null: this event opens a new connection (new session number) from this IP */
  ip: string | null;
  user: string;
  verb: string;
  uri: string;
  status: number;
  sc: number;
  cs: number;
}

interface W3cSess {
  nextAt: number;
  ev: W3cEv[];
  i: number;
  n: number;
  ip: string;
  cport: string;
  sport: string;
  site: string;
}

interface Campaign {
  prefix: string;
  port: number;
  distributed: boolean;
  targets: string[];
}

class W3cWorld {
  readonly users: W3cUser[] = [];
  readonly picker: Weighted<W3cUser>;
  readonly campaigns: Campaign[] = [];

  constructor(private readonly rng: Rng) {
    const taken = new Set<string>();
    const add = (name: string, kind: Kind): void => {
      let n = name;
      for (let k = 2; taken.has(n); k++) n = name + k;
      taken.add(n);
      let ips: string[];
      let port: number;
      let site: string;
      let cmdMean: number;
      if (kind === 'partner') {
        ips = Array.from({ length: rng.range(1, 3) }, () => publicIp(rng));
        port = wpick(rng, [[22, 50], [21, 35], [443, 15]]);
        site = 'Partners';
        cmdMean = 6;
      } else if (kind === 'person') {
        ips = [internalIp(rng)];
        for (let k = rng.int(3); k > 0; k--) ips.push(publicIp(rng));
        port = wpick(rng, [[443, 50], [21, 30], [22, 20]]);
        site = 'Internal';
        cmdMean = 5;
      } else {
        ips = [internalIp(rng)];
        port = wpick(rng, [[22, 60], [21, 40]]);
        site = n.startsWith('bank') || n.startsWith('edi') ? 'Partners' : 'Internal';
        cmdMean = n === 'svc_monitor' ? 0 : 14;
      }
      this.users.push({ name: n, kind, ips, port, site, rename: rng.chance(0.4), cmdMean, seq: rng.range(1, 900) });
    };
    for (const c of COMPANIES) add(`partner_${c}`, 'partner');
    for (const c of rng.shuffle([...COMPANIES]).slice(0, 20)) add(`edi_${c}`, 'partner');
    for (let k = 0; k < 200; k++) add(`${String.fromCharCode(97 + rng.int(26))}${rng.pick(LAST_NAMES)}`, 'person');
    for (const s of [
      'svc_backup', 'svc_reports', 'sap_export', 'payroll_batch', 'edi_gateway', 'scanner01', 'scanner02',
      'crm_sync', 'wms_feed', 'bank_sftp', 'hr_export', 'gl_interface', 'svc_archive', 'svc_monitor', 'dwh_load',
    ]) add(s, 'service');

    // Zipf-like activity over a shuffled order; service accounts are busier.
    const order = rng.shuffle(this.users.map((_, i) => i));
    const weights = new Array<number>(this.users.length).fill(0);
    order.forEach((ui, rank) => {
      const u = this.users[ui] as W3cUser;
      weights[ui] = (1 / Math.pow(rank + 1, 0.8)) * (u.kind === 'service' ? 4 : 1) * (u.name === 'svc_monitor' ? 6 : 1);
    });
    this.picker = new Weighted(this.users, weights);

    for (let k = 0; k < 10; k++) {
      const targets: string[] = [...BRUTE_USERS];
      for (let j = 0; j < 5; j++) targets.push((rng.pick(this.users) as W3cUser).name);
      this.campaigns.push({
        prefix: `${rng.pick([45, 185, 193, 141, 91, 103, 61, 218, 222, 36, 117, 190])}.${rng.int(256)}`,
        port: rng.chance(0.6) ? 22 : 21,
        distributed: k % 3 === 0,
        targets,
      });
    }
  }

  legit(t: number): { ev: W3cEv[]; sport: number; site: string } {
    const rng = this.rng;
    const u = this.picker.pick(rng);
    const ev: W3cEv[] = [];
    const ip = rng.chance(0.04) ? publicIp(rng) : rng.pick(u.ips);
    const push = (dt: number, verb: string, uri: string, status: number, sc = -1, cs = -1): void => {
      ev.push({ dt: Math.round(dt), ip: null, user: u.name, verb, uri, status, sc, cs });
    };
    ev.push({ dt: 0, ip, user: u.name, verb: 'user', uri: u.name, status: 331, sc: -1, cs: -1 });
    if (rng.chance(0.035)) {
      push(rng.range(80, 900), 'pass', '*******', 530);
      if (rng.chance(0.6)) {
        push(rng.range(2000, 9000), 'user', u.name, 331);
        push(rng.range(80, 900), 'pass', '*******', 230);
      } else {
        if (rng.chance(0.5)) push(rng.range(200, 3000), 'quit', '-', 221);
        return { ev, sport: u.port, site: u.site };
      }
    } else {
      push(rng.range(50, 900), 'pass', '*******', 230);
    }
    const d = dateParts(t);
    const n = u.cmdMean === 0 ? 0 : rng.count(u.cmdMean, 1, 50);
    const think = (): number => 200 + rng.exp(u.kind === 'service' ? 600 : 4000);
    for (let k = 0; k < n; k++) this.command(u, d, push, think);
    if (rng.chance(0.88)) push(think(), 'quit', '-', 221);
    const sport = rng.chance(0.05) ? rng.pick([21, 22, 443]) : u.port;
    return { ev, sport, site: u.site };
  }

  private command(
    u: W3cUser,
    d: ReturnType<typeof dateParts>,
    push: (dt: number, verb: string, uri: string, status: number, sc?: number, cs?: number) => void,
    think: () => number,
  ): void {
    const rng = this.rng;
    const seq4 = (): string => String((u.seq = (u.seq % 9999) + 1)).padStart(4, '0');
    const enc = (p: string): string => p.replace(/ /g, '+');
    const op =
      u.kind === 'partner'
        ? wpick(rng, [['up', 45], ['down', 30], ['dele', 8], ['mkd', 3], ['rmd', 1], ['ren', 4]])
        : u.kind === 'person'
          ? wpick(rng, [['up', 30], ['down', 40], ['dele', 10], ['mkd', 8], ['rmd', 4], ['ren', 8]])
          : wpick(rng, [['up', 40], ['down', 45], ['dele', 10], ['mkd', 2], ['rmd', 1], ['ren', 2]]);
    const home =
      u.kind === 'partner' ? `/inbound/${u.name}` : u.kind === 'person' ? `/home/${u.name}` : `/imports/${u.name}`;
    switch (op) {
      case 'up': {
        let p: string;
        if (u.kind === 'partner') {
          p = rng.pick([
            `${home}/INV_${d.ymd}_${seq4()}.csv`,
            `${home}/PO_${d.compact}_${seq4()}.xml`,
            `${home}/Remittance Advice ${d.ymd} ${seq4()}.pdf`,
            `${home}/EDI/850_${d.compact}${seq4()}.edi`,
            `${home}/Price List ${d.monthName}.xlsx`,
          ]);
        } else if (u.kind === 'person') {
          p = `${home}/${rng.pick(['Documents', 'Documents', 'Desktop', 'Scans', 'Projects/Apollo', 'Projects/Migration 2026'])}/${rng.pick([
            'Q1 Budget.xlsx', 'Meeting Notes.docx', `scan_${seq4()}.pdf`, `IMG_${seq4()}.jpg`, 'report_final_v2.docx',
            'Project Plan.pptx', 'contract signed.pdf', `timesheet_${d.ymd}.xlsx`, 'notes.txt', `export_${seq4()}.csv`,
          ])}`;
        } else {
          p = rng.chance(0.15)
            ? `/backup/${u.name}/db_${d.ymd}_${d.hh}.bak`
            : `${home}/GL_${d.compact}_${seq4()}.txt`;
        }
        const bytes = fileSize(rng, p);
        const dt = think() + transferMs(rng, bytes);
        if (rng.chance(0.04)) {
          const code = wpick(rng, [[426, 50], [451, 20], [553, 15], [550, 15]]);
          push(dt * (code === 426 ? rng.next() : 0.05), 'created', enc(p), code, -1, code === 426 ? Math.floor(bytes * rng.next()) : -1);
        } else if (u.rename && u.kind !== 'person') {
          const tmp = p + rng.pick(['.part', '.tmp', '.filepart']);
          push(dt, 'created', enc(tmp), 226, -1, bytes);
          push(rng.range(30, 600), 'rnfr', enc(tmp), 350);
          push(rng.range(10, 200), 'rnto', enc(p), 250);
        } else {
          push(dt, 'created', enc(p), 226, -1, bytes);
        }
        break;
      }
      case 'down': {
        let p: string;
        if (u.kind === 'partner') {
          const out = `/outbound/${u.name}`;
          p = rng.pick([`${out}/ACK_${d.ymd}_${seq4()}.xml`, `${out}/Statement ${d.ym}.pdf`, `${out}/997_${d.compact}${seq4()}.edi`]);
        } else if (u.kind === 'person') {
          p = `/shared/${rng.pick(['Finance', 'HR', 'Sales', 'IT', 'Marketing', 'Legal Docs'])}/${rng.pick([
            'Price List 2026.xlsx', 'Org Chart.pdf', 'handbook.pdf', `invoice_${seq4()}.pdf`, 'setup.zip', 'logo.png',
            'Quarterly Review.pptx', `minutes_${d.ymd}.docx`,
          ])}`;
        } else {
          p = rng.pick([
            `/exports/${u.name}/EXPORT_${d.compact}_${seq4()}.dat`,
            `/exports/${u.name}/payroll_${d.ymd}.zip`,
            `/exports/${u.name}/orders_${d.compact}_${seq4()}.csv`,
          ]);
        }
        const bytes = fileSize(rng, p);
        const dt = think() + transferMs(rng, bytes);
        if (rng.chance(0.045)) {
          const code = wpick(rng, [[550, 65], [426, 35]]);
          push(code === 426 ? dt * rng.next() : think() * 0.2, 'sent', enc(p), code, code === 426 ? Math.floor(bytes * rng.next()) : -1, -1);
        } else {
          push(dt, 'sent', enc(p), 226, bytes, -1);
          if (u.kind !== 'person' && rng.chance(0.5)) push(rng.range(40, 900), 'dele', enc(p), 250);
        }
        break;
      }
      case 'dele': {
        const p = `${home}/${rng.pick([`old_${seq4()}.csv`, `INV_${d.ymd}_${seq4()}.csv`, 'tmp.txt', `scan_${seq4()}.pdf`, 'Copy of report.docx'])}`;
        push(think(), 'dele', enc(p), rng.chance(0.06) ? 550 : 250);
        break;
      }
      case 'mkd': {
        const p =
          u.kind === 'partner'
            ? `${home}/${d.ym}`
            : u.kind === 'person'
              ? `${home}/Projects/${rng.pick(['Apollo', 'New Folder', 'Migration 2026', 'Q1', 'tmp'])}`
              : `/archive/${u.name}/${d.ymd}`;
        push(think(), 'mkd', enc(p), rng.chance(0.12) ? 550 : 257);
        break;
      }
      case 'rmd': {
        const p = u.kind === 'person' ? `${home}/Projects/${rng.pick(['old', 'New Folder', 'tmp'])}` : `${home}/tmp`;
        push(think(), 'rmd', enc(p), rng.chance(0.12) ? 550 : 250);
        break;
      }
      default: {
        const name = rng.pick([`INV_${d.ymd}_${seq4()}.csv`, `report ${d.ymd}.pdf`, `data_${seq4()}.xml`]);
        const from = `${home}/${name}`;
        if (rng.chance(0.04)) {
          push(think(), 'rnfr', enc(from), 550);
        } else {
          push(think(), 'rnfr', enc(from), 350);
          const to = u.kind === 'person' ? `${home}/Archive/${name}` : `/archive/${u.name}/${name}`;
          push(rng.range(20, 400), 'rnto', enc(to), rng.chance(0.03) ? 553 : 250);
        }
      }
    }
  }

  attack(): { ev: W3cEv[]; sport: number } {
    const rng = this.rng;
    const c = rng.pick(this.campaigns);
    const ev: W3cEv[] = [];
    const fixed = `${c.prefix}.${rng.int(256)}.${rng.range(1, 254)}`;
    const conns = rng.count(c.distributed ? 25 : 12, 1, 120);
    for (let k = 0; k < conns; k++) {
      const ip = c.distributed ? `${c.prefix}.${rng.int(256)}.${rng.range(1, 254)}` : fixed;
      const attempts = rng.range(1, 3);
      for (let a = 0; a < attempts; a++) {
        const user = rng.pick(c.targets);
        const dt = k === 0 && a === 0 ? 0 : a === 0 ? 150 + rng.exp(c.distributed ? 4000 : 1200) : 80 + rng.exp(500);
        ev.push({ dt: Math.round(dt), ip: a === 0 ? ip : null, user, verb: 'user', uri: user, status: 331, sc: -1, cs: -1 });
        ev.push({ dt: rng.range(60, 700), ip: null, user, verb: 'pass', uri: '*******', status: 530, sc: -1, cs: -1 });
      }
      if (rng.chance(0.15)) {
        const last = ev[ev.length - 1] as W3cEv;
        ev.push({ dt: rng.range(20, 300), ip: null, user: last.user, verb: 'quit', uri: '-', status: 221, sc: -1, cs: -1 });
      }
    }
    return { ev, sport: c.port };
  }
}

/** Index of the session due first (the first of equals), or -1 when none is active. */
function indexOfEarliest(active: readonly { nextAt: number }[]): number {
  let bi = -1;
  let bt = Infinity;
  for (let k = 0; k < active.length; k++) {
    if (active[k]!.nextAt < bt) {
      bt = active[k]!.nextAt;
      bi = k;
    }
  }
  return bi;
}

export async function generateEftW3c(path: string, opts: GenerateOptions): Promise<GenerateResult> {
  const { total, seed, start, restartEvery } = checkOpts(opts);
  const rng = new Rng(seed);
  const world = new W3cWorld(rng);
  const tf = new TimeFmt();
  const sink = new Sink(path, '\r\n');
  try {
    let t = start;
    let nextN = 1;
    let active: W3cSess[] = [];
    const LEGIT_GAP = 2200; // mean ms between new sessions at full activity
    const ATTACK_GAP = 50 * MIN;
    let nextArrival = t + Math.round(rng.exp(LEGIT_GAP / activity(t)));
    let nextAttack = t + Math.round(rng.exp(ATTACK_GAP));

    let layoutId = 0; // index into W3C_LAYOUTS; 0 and 1 have fast paths below
    let layout: number[] = W3C_CANON.map((_, i) => i);
    let logCport = false;
    let logSname = false;
    const header = (dateMs: number): void => {
      const hs = [
        '#Version: 1.0',
        '#Software: CuteLogger',
        `#Date: ${tf.w3c(dateMs)}`,
        `#Fields: ${layout.map((i) => W3C_CANON[i]).join(' ')}`,
      ];
      for (const h of hs) if (sink.lines < total) sink.line(h);
    };
    // The #Date header of a new file can be later than its first rows (FORMATS.md §1).
    header(t + rng.range(1, 90) * SEC);
    let sinceRestart = 0;
    let restarts = 0;
    let restartAt = Math.round(restartEvery * (0.9 + 0.2 * rng.next()));
    const vals: string[] = new Array<string>(W3C_CANON.length).fill('-');

    while (sink.lines < total) {
      if (sinceRestart >= restartAt) {
        // Service restart: in-flight sessions vanish, numbering restarts, new header (maybe new layout).
        active = [];
        t += rng.range(20, 300) * SEC;
        nextN = 1;
        // The first restart always changes the field order (s-port before s-name) so that every file longer
        // than restartEvery exercises a mid-file #Fields change; later restarts pick a layout at random.
        const li = ++restarts === 1 ? 1 : wpick(rng, [[0, 60], [1, 28], [2, 12]]);
        layoutId = li;
        layout = (W3C_LAYOUTS[li] as readonly W3cField[]).map((f) => W3C_CANON.indexOf(f));
        logCport = rng.chance(0.4);
        logSname = rng.chance(0.5);
        header(t);
        nextArrival = t + Math.round(rng.exp(LEGIT_GAP / activity(t)));
        if (nextAttack < t) nextAttack = t + Math.round(rng.exp(ATTACK_GAP));
        sinceRestart = 0;
        restartAt = Math.round(restartEvery * (0.9 + 0.2 * rng.next()));
        continue;
      }
      const bi = indexOfEarliest(active);
      const bt = bi < 0 ? Infinity : (active[bi] as { nextAt: number }).nextAt;
      if (nextArrival <= bt || nextAttack <= bt) {
        if (nextAttack < nextArrival) {
          const a = world.attack();
          active.push({ nextAt: nextAttack, ev: a.ev, i: 0, n: 0, ip: '-', cport: '-', sport: String(a.sport), site: 'Partners' });
          nextAttack += Math.round(rng.exp(ATTACK_GAP));
        } else {
          const l = world.legit(nextArrival);
          active.push({ nextAt: nextArrival, ev: l.ev, i: 0, n: 0, ip: '-', cport: '-', sport: String(l.sport), site: l.site });
          nextArrival += Math.max(1, Math.round(rng.exp(LEGIT_GAP / activity(nextArrival))));
        }
        continue;
      }
      const s = active[bi] as W3cSess;
      const e = s.ev[s.i] as W3cEv;
      t = bt;
      if (e.ip !== null) {
        s.n = nextN++;
        s.ip = e.ip;
        s.cport = logCport ? String(rng.range(49152, 65535)) : '-';
      }
      const when = tf.w3c(t);
      const method = `[${s.n}]${e.verb}`;
      const sc = e.sc < 0 ? '-' : String(e.sc);
      const cs = e.cs < 0 ? '-' : String(e.cs);
      const sname = logSname ? s.site : '-';
      let line: string;
      if (layoutId === 0) {
        line = `${when} ${s.ip} ${s.cport} ${e.user} ${method} ${e.uri} - ${e.status} ${sc} ${cs} ${sname} ${s.sport}`;
      } else if (layoutId === 1) {
        line = `${when} ${s.ip} ${s.cport} ${e.user} ${method} ${e.uri} - ${e.status} ${sc} ${cs} ${s.sport} ${sname}`;
      } else {
        vals[0] = when.slice(0, 10);
        vals[1] = when.slice(11);
        vals[2] = s.ip;
        vals[3] = s.cport;
        vals[4] = e.user;
        vals[5] = method;
        vals[6] = e.uri;
        vals[7] = '-';
        vals[8] = String(e.status);
        vals[9] = sc;
        vals[10] = cs;
        vals[11] = sname;
        vals[12] = s.sport;
        line = vals[layout[0] as number] as string;
        for (let k = 1; k < layout.length; k++) line += ' ' + (vals[layout[k] as number] as string);
      }
      sink.line(line);
      sinceRestart++;
      if (++s.i >= s.ev.length) {
        active[bi] = active[active.length - 1] as W3cSess;
        active.pop();
      } else {
        s.nextAt = t + (s.ev[s.i] as W3cEv).dt;
      }
      if ((sink.lines & 0xffff) === 0) await yieldLoop();
    }
    return sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// EFT client log (cl*.log)
// ---------------------------------------------------------------------------------------------------------

type ClProto = 'ftp' | 'ftps' | 'sftp' | 'http';
interface ClEndpoint {
  proto: ClProto;
  host: string;
  port: number;
  user: string;
  remoteDir: string;
  localDir: string;
  ops: readonly (readonly [string, number])[];
  prefix: string;
  ext: string;
  flaky: number;
}

/**
 * A folder of daily EFT W3C logs laid out as EFT writes them: `days` files named u_exYYMMDD.log, one
 * per UTC day from the day of `startMs`, each of `lines` lines starting at its midnight (day k with
 * seed + k, so that no two days repeat each other).
 */
export async function generateEftW3cDays(dir: string, days: number, opts: GenerateOptions): Promise<{ files: number; lines: number; bytes: number }> {
  const { seed, start } = checkOpts(opts);
  mkdirSync(dir, { recursive: true });
  let lines = 0;
  let bytes = 0;
  for (let k = 0; k < days; k++) {
    const midnight = (Math.floor(start / DAY) + k) * DAY;
    const name = `u_ex${new Date(midnight).toISOString().slice(2, 10).replaceAll('-', '')}.log`;
    const r = await generateEftW3c(join(dir, name), { ...opts, seed: seed + k, startMs: midnight });
    lines += r.lines;
    bytes += r.bytes;
  }
  return { files: days, lines, bytes };
}

export async function generateEftClientLog(path: string, opts: GenerateOptions): Promise<GenerateResult> {
  const { total, seed, start } = checkOpts(opts);
  const rng = new Rng(seed);
  const tf = new TimeFmt();
  const sink = new Sink(path, '\r\n');
  try {
    const endpoints: ClEndpoint[] = [];
    const localRoots = ['C:\\EFT\\Partners', 'D:\\Data\\Transfers', 'C:\\InetPub\\EFTRoot\\Site1\\Usr', '\\\\fs01\\transfer', 'E:\\Exchange'];
    for (let k = 0; k < 36; k++) {
      const c = COMPANIES[k % COMPANIES.length] as string;
      const proto = wpick<ClProto>(rng, [['ftp', 30], ['ftps', 20], ['sftp', 40], ['http', 10]]);
      const port =
        proto === 'ftp' ? 21 : proto === 'ftps' ? rng.pick([21, 990]) : proto === 'sftp' ? rng.pick([22, 22, 2222]) : rng.pick([80, 443, 8080]);
      const host = rng.chance(0.5) ? publicIp(rng) : rng.chance(0.3) ? internalIp(rng) : `${proto === 'sftp' ? 'sftp' : proto === 'http' ? 'www' : 'ftp'}.${c}.com`;
      const outbound = rng.chance(0.5);
      endpoints.push({
        proto,
        host,
        port,
        user: rng.pick([`Client${String.fromCharCode(65 + (k % 26))}`, `${c}_xfer`, 'eftsvc', `${c.toUpperCase()}01`, 'transfer']),
        remoteDir: rng.pick(['', '/in', '/out', `/${c}/incoming`, '/home/eft/outbound', '/pub/data', '/Reports Archive']),
        localDir: `${rng.pick(localRoots)}\\${c}\\${outbound ? 'Outbound' : 'Inbound'}`,
        ops: outbound
          ? [['upload', 60], ['copy', 20], ['move', 20]]
          : [['download', 85], ['delete', 15]],
        prefix: rng.pick(['INV', 'PO', 'ORDERS', 'ACK', 'REPORT', 'Statement', 'Price List', 'payroll', 'test']),
        ext: rng.pick(['csv', 'xml', 'txt', 'pdf', 'zip', 'edi']),
        flaky: rng.chance(0.2) ? 0.15 : 0.02,
      });
    }
    const successCode = (proto: ClProto, op: string): number =>
      proto === 'sftp' ? 0 : proto === 'http' ? 200 : op === 'delete' ? 250 : 226;
    const connFail = (proto: ClProto): number =>
      wpick(rng, [
        [10060, 30], [10061, 20], [10054, 8], [10053, 4], [10051, 3], [10064, 2], [10065, 3], [11001, 6], [2000, 12],
        [1, 2], [3, 2], [4, 2], [5, 2], [7, 1], [12, 1], [proto === 'sftp' ? -1 : 421, 4],
      ]);
    const authFail = (proto: ClProto): number => (proto === 'sftp' ? rng.pick([-1, 4, 3]) : proto === 'http' ? 401 : 530);
    const fileFail = (proto: ClProto): number =>
      proto === 'sftp'
        ? wpick(rng, [[2, 50], [3, 30], [4, 20]])
        : proto === 'http'
          ? wpick(rng, [[404, 60], [403, 20], [500, 20]])
          : wpick(rng, [[550, 60], [553, 10], [451, 10], [426, 15], [452, 5]]);

    let tenth = rng.chance(0.5);
    let segLeft = rng.range(2000, 60000);
    let t = start;
    const emit = (ep: ClEndpoint, op: string, local: string, remote: string, code: number, ok: boolean): void => {
      if (--segLeft <= 0) {
        tenth = !tenth;
        segLeft = rng.range(2000, 60000);
      }
      // Empty fields are written as `;;` (FORMATS.md §2 sample), others as `; value`.
      const f = (v: string): string => (v === '' ? ';' : `; ${v}`);
      const host = rng.chance(0.015) ? '' : ep.host;
      let line = `${tf.w3c(t)}; ${ep.proto}${f(host)}; ${ep.port}; ${ep.user}${f(local)}${f(remote)}; ${op}; ${code};`;
      if (tenth) line += ok ? ' 0;' : ' 1;';
      sink.line(line);
    };
    let seq = rng.range(1, 5000);
    let lastYield = 0;
    while (sink.lines < total) {
      t += Math.max(1, Math.round(rng.exp((25 * SEC) / activity(t))));
      const ep = rng.pick(endpoints);
      const op = wpick(rng, ep.ops);
      const files = rng.count(4, 1, 40);
      const d = dateParts(t);
      const mk = (): { local: string; remote: string } => {
        const s = String((seq = (seq % 99999) + 1)).padStart(5, '0');
        const name = rng.chance(0.8) ? `${ep.prefix}_${d.compact}_${s}.${ep.ext}` : `${ep.prefix} ${d.ymd} ${s}.${ep.ext}`;
        return { local: `${ep.localDir}\\${name}`, remote: `${ep.remoteDir}/${name}` };
      };
      const r = rng.next();
      if (r < ep.flaky) {
        // Connection failure, with a few rule retries.
        const f = mk();
        const code = connFail(ep.proto);
        for (let k = rng.range(1, 3); k > 0 && sink.lines < total; k--) {
          emit(ep, op, f.local, f.remote, code, false);
          t += rng.range(15, 120) * SEC;
        }
        continue;
      }
      if (r < ep.flaky + 0.01) {
        const f = mk();
        emit(ep, op, f.local, f.remote, authFail(ep.proto), false);
        continue;
      }
      for (let k = 0; k < files && sink.lines < total; k++) {
        const f = mk();
        t += Math.round(rng.exp(1500));
        const local = op === 'delete' && rng.chance(0.5) ? '' : f.local;
        if (rng.chance(0.03)) {
          emit(ep, op, local, f.remote, fileFail(ep.proto), false);
        } else {
          emit(ep, op, local, f.remote, successCode(ep.proto, op), true);
          if (op === 'download' && sink.lines < total && rng.chance(0.3)) {
            t += rng.range(100, 900);
            emit(ep, 'delete', '', f.remote, successCode(ep.proto, 'delete'), true);
          }
        }
      }
      if (sink.lines - lastYield >= 65536) {
        lastYield = sink.lines;
        await yieldLoop();
      }
    }
    return sink.close();
  } catch (err) {
    sink.abort();
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------------------
// ProFTPD: SystemLog + TransferLog (xferlog) + ExtendedLog (default LogFormat)
// ---------------------------------------------------------------------------------------------------------

const PF_HOST = 'ftp01';
const PF_VHOST = 'ftp.example.com';
const PF_SERVER_IP = '192.0.2.10';
const PF_VERSION = 'ProFTPD 1.3.8';

interface PfXfer {
  secs: number;
  bytes: number;
  file: string;
  type: 'a' | 'b';
  dir: 'o' | 'i' | 'd';
  mode: 'r' | 'a';
  user: string;
  svc: 'ftp' | 'sftp';
  done: 'c' | 'i';
}

interface PfEv {
  dt: number;
  /** non-null: a new connection (new pid) from this IP starts with this event */
  ip: string | null;
  sys: string | null;
  /** %r of the ExtendedLog line, or null for no ExtendedLog line */
  r: string | null;
  st: number;
  b: number;
  u: string;
  x: PfXfer | null;
}

interface PfSess {
  nextAt: number;
  ev: PfEv[];
  i: number;
  pid: number;
  ip: string;
}

interface PfUser {
  name: string;
  ips: string[];
  sftp: boolean;
  cmdMean: number;
  seq: number;
}

class PfWorld {
  readonly users: PfUser[] = [];
  readonly picker: Weighted<PfUser>;
  constructor(private readonly rng: Rng) {
    const names: string[] = [...FIRST_NAMES];
    for (const c of COMPANIES.slice(0, 40)) names.push(c);
    names.push('backup', 'deploy', 'www', 'reports', 'scanner');
    for (const n of names) {
      const partner = COMPANIES.includes(n as (typeof COMPANIES)[number]);
      const ips = partner
        ? Array.from({ length: rng.range(1, 3) }, () => publicIp(rng))
        : [rng.chance(0.6) ? internalIp(rng) : publicIp(rng)];
      this.users.push({ name: n, ips, sftp: rng.chance(0.2), cmdMean: n === 'backup' || n === 'deploy' ? 12 : 5, seq: rng.range(1, 500) });
    }
    const weights = rng.shuffle(this.users.map((_, i) => i)).map((rank) => 1 / Math.pow(rank + 1, 0.7));
    this.picker = new Weighted(this.users, weights);
  }

  legit(t: number): PfEv[] {
    const rng = this.rng;
    const anon = rng.chance(0.05);
    const u = anon ? null : this.picker.pick(rng);
    const name = u ? u.name : 'anonymous';
    const sftp = u ? (rng.chance(0.05) ? !u.sftp : u.sftp) : false;
    const svc = sftp ? 'sftp' : 'ftp';
    const ip = u ? (rng.chance(0.04) ? publicIp(rng) : rng.pick(u.ips)) : publicIp(rng);
    const home = u ? `/srv/ftp/${u.name}` : '/srv/ftp/pub';
    const ev: PfEv[] = [];
    let who = '-';
    const e = (dt: number, sys: string | null, r: string | null = null, st = 0, b = -1, x: PfXfer | null = null): void => {
      ev.push({ dt: Math.round(dt), ip: null, sys, r, st, b, u: who, x });
    };
    ev.push({ dt: 0, ip, sys: `${sftp ? 'SSH2' : 'FTP'} session opened.`, r: null, st: 0, b: -1, u: '-', x: null });
    const close = (): void => {
      const r = rng.next();
      if (r < 0.85) {
        e(200 + rng.exp(2000), null, sftp ? null : 'QUIT', 221);
        e(rng.range(0, 5), `${sftp ? 'SSH2' : 'FTP'} session closed.`);
      } else if (r < 0.95) {
        e(600 * SEC + rng.range(0, 999), 'Client session idle timeout, disconnected');
        e(rng.range(0, 3), `${sftp ? 'SSH2' : 'FTP'} session closed.`);
      } else {
        e(200 + rng.exp(3000), `${sftp ? 'SSH2' : 'FTP'} session closed.`);
      }
    };
    if (!sftp) e(rng.range(20, 400), null, `USER ${name}`, 331);
    if (u && rng.chance(0.04)) {
      // Wrong password, then retry or give up.
      let fails = 1;
      e(rng.range(50, 900), `USER ${name} (Login failed): Incorrect password`, sftp ? null : 'PASS (hidden)', 530);
      while (fails < 3 && rng.chance(0.35)) {
        if (!sftp) e(rng.range(1500, 6000), null, `USER ${name}`, 331);
        e(rng.range(50, 900), `USER ${name} (Login failed): Incorrect password`, sftp ? null : 'PASS (hidden)', 530);
        fails++;
      }
      if (fails >= 3) {
        e(rng.range(1, 30), 'Maximum login attempts (3) exceeded');
        e(rng.range(0, 5), `${sftp ? 'SSH2' : 'FTP'} session closed.`);
        return ev;
      }
      if (rng.chance(0.4)) {
        close();
        return ev;
      }
      if (!sftp) e(rng.range(1500, 6000), null, `USER ${name}`, 331);
    }
    who = name;
    e(rng.range(50, 900), `${anon ? 'ANON' : 'USER'} ${name}: Login successful.`, sftp ? null : 'PASS (hidden)', 230);
    if (!sftp) {
      e(rng.range(10, 300), null, 'SYST', 215);
      if (rng.chance(0.6)) e(rng.range(10, 200), null, 'FEAT', 211);
      e(rng.range(10, 200), null, 'PWD', 257);
      e(rng.range(10, 200), null, 'TYPE I', 200);
    }
    const d = dateParts(t);
    const think = (): number => 150 + rng.exp(3000);
    const n = rng.count(u ? u.cmdMean : 3, 1, 50);
    const xferUser = anon ? rng.pick(['mozilla@example.com', 'guest@example.org', 'anonymous@', 'ftp@example.net']) : name;
    const mode = anon ? 'a' : 'r';
    const seq4 = (): string => {
      if (!u) return String(rng.range(1, 9999)).padStart(4, '0');
      return String((u.seq = (u.seq % 9999) + 1)).padStart(4, '0');
    };
    const dataCmd = (): void => {
      if (sftp) return;
      if (rng.chance(0.8)) e(rng.range(5, 120), null, 'PASV', 227);
      else e(rng.range(5, 120), null, 'EPSV', 229);
    };
    for (let k = 0; k < n; k++) {
      const op = anon
        ? wpick(rng, [['retr', 70], ['list', 25], ['cwd', 5]])
        : wpick(rng, [['retr', 30], ['stor', 30], ['list', 15], ['cwd', 6], ['dele', 8], ['mkd', 4], ['rmd', 2], ['ren', 4], ['size', 1]]);
      switch (op) {
        case 'retr':
        case 'stor': {
          const down = op === 'retr';
          const rel = anon
            ? rng.pick(['README.txt', 'linux/linux-6.1.tar', `releases/app-1.${rng.int(20)}.zip`, 'docs/manual.pdf'])
            : down
              ? rng.pick([`out/report_${seq4()}.csv`, `invoice ${seq4()}.pdf`, 'data.bin', `export_${seq4()}.xml`, 'Monthly Report.xlsx'])
              : rng.pick([`up_${seq4()}.bin`, `in/order_${seq4()}.xml`, `scan ${seq4()}.pdf`, `backup_${seq4()}.tar`, 'notes.txt']);
          const bytes = fileSize(rng, rel);
          const ms = think() + transferMs(rng, bytes);
          const ascii = rel.endsWith('.txt') && rng.chance(0.5);
          const file = `${home}/${rel}`.replace(/[\s\x00-\x1f]/g, '_');
          dataCmd();
          const fail = rng.next();
          const verb = down ? 'RETR' : 'STOR';
          if (fail < 0.03) {
            e(think() * 0.2, null, `${verb} ${rel}`, down ? 550 : rng.pick([550, 553]));
          } else if (fail < 0.05) {
            const part = Math.floor(bytes * rng.next());
            const dt = ms * rng.next();
            e(dt, null, `${verb} ${rel}`, 426, part, {
              secs: Math.round(dt / 1000), bytes: part, file, type: ascii ? 'a' : 'b', dir: down ? 'o' : 'i', mode, user: xferUser, svc, done: 'i',
            });
          } else {
            e(ms, null, `${verb} ${rel}`, 226, bytes, {
              secs: Math.round((ms - 150) / 1000), bytes, file, type: ascii ? 'a' : 'b', dir: down ? 'o' : 'i', mode, user: xferUser, svc, done: 'c',
            });
          }
          break;
        }
        case 'list':
          dataCmd();
          e(think(), null, rng.chance(0.3) ? 'LIST -la' : rng.chance(0.5) ? 'MLSD' : 'LIST', 226, rng.range(0, 8000));
          break;
        case 'cwd':
          e(think(), null, `CWD ${rng.pick(['out', 'in', 'archive', '/', '..', 'Reports 2026', 'missing'])}`, rng.chance(0.08) ? 550 : 250);
          break;
        case 'dele': {
          const rel = rng.pick([`old_${seq4()}.csv`, 'tmp.txt', `up_${seq4()}.bin`, `scan ${seq4()}.pdf`]);
          if (rng.chance(0.06)) e(think(), null, `DELE ${rel}`, 550);
          else
            e(think(), null, `DELE ${rel}`, 250, -1, {
              secs: 0, bytes: fileSize(rng, rel), file: `${home}/${rel}`.replace(/\s/g, '_'), type: 'b', dir: 'd', mode, user: xferUser, svc, done: 'c',
            });
          break;
        }
        case 'mkd':
          e(think(), null, `MKD ${rng.pick(['archive', d.ym, 'tmp', 'New folder', 'in/2026'])}`, rng.chance(0.12) ? 550 : 257);
          break;
        case 'rmd':
          e(think(), null, `RMD ${rng.pick(['tmp', 'New folder', 'old'])}`, rng.chance(0.15) ? 550 : 250);
          break;
        case 'ren': {
          const name1 = `upload_${seq4()}.tmp`;
          if (rng.chance(0.04)) e(think(), null, `RNFR ${name1}`, 550);
          else {
            e(think(), null, `RNFR ${name1}`, 350);
            e(rng.range(10, 300), null, `RNTO ${name1.replace('.tmp', '.csv')}`, 250);
          }
          break;
        }
        default:
          e(think(), null, `SIZE ${rng.pick(['data.bin', 'README.txt', 'missing.txt'])}`, rng.chance(0.3) ? 550 : 213);
      }
    }
    close();
    return ev;
  }

  /** Connections that never log in: health checks from localhost, port scanners. */
  probe(): PfEv[] {
    const rng = this.rng;
    const local = rng.chance(0.6);
    const ip = local ? '127.0.0.1' : publicIp(rng);
    const ev: PfEv[] = [{ dt: 0, ip, sys: 'FTP session opened.', r: null, st: 0, b: -1, u: '-', x: null }];
    if (local || rng.chance(0.5)) {
      ev.push({ dt: rng.range(2, 200), ip: null, sys: 'FTP session closed.', r: null, st: 0, b: -1, u: '-', x: null });
    } else {
      ev.push({ dt: 300 * SEC + rng.range(0, 999), ip: null, sys: 'Login timeout exceeded', r: null, st: 0, b: -1, u: '-', x: null });
      ev.push({ dt: rng.range(0, 3), ip: null, sys: 'FTP session closed.', r: null, st: 0, b: -1, u: '-', x: null });
    }
    return ev;
  }

  /** A brute-force burst: many connections, 1-3 failed logins each. */
  attack(): PfEv[] {
    const rng = this.rng;
    const rngPrefix = `${rng.pick([45, 185, 193, 141, 91, 103, 61, 218])}.${rng.int(256)}`;
    const distributed = rng.chance(0.3);
    const fixed = `${rngPrefix}.${rng.int(256)}.${rng.range(1, 254)}`;
    const targets: string[] = [...BRUTE_USERS, 'mallory'];
    for (let j = 0; j < 4; j++) targets.push(this.picker.pick(rng).name);
    const real = new Set(this.users.map((x) => x.name));
    const ev: PfEv[] = [];
    const conns = rng.count(distributed ? 20 : 10, 1, 100);
    for (let k = 0; k < conns; k++) {
      const ip = distributed ? `${rngPrefix}.${rng.int(256)}.${rng.range(1, 254)}` : fixed;
      const base = (dt: number, sys: string | null, r: string | null, st: number): void => {
        ev.push({ dt: Math.round(dt), ip: null, sys, r, st, b: -1, u: '-', x: null });
      };
      ev.push({ dt: k === 0 ? 0 : Math.round(100 + rng.exp(distributed ? 5000 : 800)), ip, sys: 'FTP session opened.', r: null, st: 0, b: -1, u: '-', x: null });
      const attempts = rng.chance(0.7) ? 3 : rng.range(1, 2);
      for (let a = 0; a < attempts; a++) {
        const user = rng.pick(targets);
        base(rng.range(30, 600), null, `USER ${user}`, 331);
        const msg = real.has(user)
          ? `USER ${user} (Login failed): Incorrect password`
          : `USER ${user}: no such user found from ${ip} [${ip}] to ${PF_SERVER_IP}:21`;
        base(rng.range(30, 600), msg, 'PASS (hidden)', 530);
      }
      if (attempts === 3) base(rng.range(1, 20), 'Maximum login attempts (3) exceeded', null, 0);
      base(rng.range(0, 30), 'FTP session closed.', null, 0);
    }
    return ev;
  }
}

export async function generateProftpd(
  dir: string,
  opts: GenerateOptions,
): Promise<{ system: GenerateResult; xferlog: GenerateResult; extended: GenerateResult }> {
  const { total, seed, start, restartEvery } = checkOpts(opts);
  const rng = new Rng(seed);
  const world = new PfWorld(rng);
  const tf = new TimeFmt();
  mkdirSync(dir, { recursive: true });
  const sys = new Sink(join(dir, 'proftpd.log'), '\n');
  const xfer = new Sink(join(dir, 'xferlog'), '\n');
  const ext = new Sink(join(dir, 'extended.log'), '\n');
  const written = (): number => sys.lines + xfer.lines + ext.lines;
  try {
    let t = start;
    let daemonPid = rng.range(600, 4000);
    let nextPid = daemonPid;
    const newPid = (): number => {
      nextPid += rng.range(1, 9);
      if (nextPid > 32768) nextPid = rng.range(300, 400);
      return nextPid;
    };
    const daemon = (msg: string): void => {
      if (written() < total) sys.line(`${tf.sys(t)} ${PF_HOST} proftpd[${daemonPid}] ${PF_VHOST}: ${msg}`);
    };
    const startup = (): void =>
      daemon(`${PF_VERSION} (stable) (built Fri May 1 2026 20:02:15 UTC) standalone mode STARTUP`);
    startup();
    let active: PfSess[] = [];
    const GAP = 1800;
    const ATTACK_GAP = 45 * MIN;
    const PROBE_GAP = 90 * SEC;
    let nextArrival = t + Math.round(rng.exp(GAP / activity(t)));
    let nextAttack = t + Math.round(rng.exp(ATTACK_GAP));
    let nextProbe = t + Math.round(rng.exp(PROBE_GAP));
    let restartAt = Math.round(restartEvery * (0.9 + 0.2 * rng.next()));
    let sinceRestart = 0;
    let lastYield = 0;

    while (written() < total) {
      if (sinceRestart >= restartAt) {
        t += rng.range(100, 2000);
        daemon('ProFTPD killed (signal 15)');
        daemon(`${PF_VERSION} standalone mode SHUTDOWN`);
        active = [];
        t += rng.range(2, 30) * SEC;
        daemonPid = nextPid = newPid();
        startup();
        nextArrival = t + Math.round(rng.exp(GAP / activity(t)));
        if (nextAttack < t) nextAttack = t + Math.round(rng.exp(ATTACK_GAP));
        if (nextProbe < t) nextProbe = t + Math.round(rng.exp(PROBE_GAP));
        sinceRestart = 0;
        restartAt = Math.round(restartEvery * (0.9 + 0.2 * rng.next()));
        continue;
      }
      const bi = indexOfEarliest(active);
      const bt = bi < 0 ? Infinity : (active[bi] as { nextAt: number }).nextAt;
      const na = Math.min(nextArrival, nextAttack, nextProbe);
      if (na <= bt) {
        let ev: PfEv[];
        if (na === nextAttack) {
          ev = world.attack();
          nextAttack += Math.max(1, Math.round(rng.exp(ATTACK_GAP)));
        } else if (na === nextProbe) {
          ev = world.probe();
          nextProbe += Math.max(1, Math.round(rng.exp(PROBE_GAP)));
        } else {
          ev = world.legit(nextArrival);
          nextArrival += Math.max(1, Math.round(rng.exp(GAP / activity(nextArrival))));
        }
        active.push({ nextAt: na, ev, i: 0, pid: 0, ip: '-' });
        continue;
      }
      const s = active[bi] as PfSess;
      const e = s.ev[s.i] as PfEv;
      t = bt;
      if (e.ip !== null) {
        s.pid = newPid();
        s.ip = e.ip;
      }
      const chost = s.ip === '127.0.0.1' ? 'localhost' : s.ip;
      const before = written();
      if (e.sys !== null && written() < total) {
        sys.line(`${tf.sys(t)} ${PF_HOST} proftpd[${s.pid}] ${PF_VHOST} (${chost}[${s.ip}]): ${e.sys}`);
      }
      if (e.x !== null && written() < total) {
        const x = e.x;
        xfer.line(
          `${tf.xfer(t)} ${x.secs} ${chost} ${x.bytes} ${x.file} ${x.type} _ ${x.dir} ${x.mode} ${x.user} ${x.svc} 0 * ${x.done}`,
        );
      }
      if (e.r !== null && written() < total) {
        ext.line(`${chost} UNKNOWN ${e.u} [${tf.clf(t)}] "${e.r}" ${e.st} ${e.b < 0 ? '-' : e.b}`);
      }
      sinceRestart += written() - before;
      if (++s.i >= s.ev.length) {
        active[bi] = active[active.length - 1] as PfSess;
        active.pop();
      } else {
        s.nextAt = t + (s.ev[s.i] as PfEv).dt;
      }
      if (written() - lastYield >= 65536) {
        lastYield = written();
        await yieldLoop();
      }
    }
    return { system: sys.close(), xferlog: xfer.close(), extended: ext.close() };
  } catch (err) {
    sys.abort();
    xfer.abort();
    ext.abort();
    throw err;
  }
}
