/**
 * Browser mode: the built CLI's `xferlens serve` as a user starts it, probed over real HTTP. The
 * token on every API route (event stream and download included), the Host check, the static file
 * map (headers, no listing, no traversal), the API and its errors, index progress over server-sent
 * events, the CSV download, the warning off loopback, and a clean stop on Ctrl+C.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI, EFT_W3C_SAMPLE, REPO, tempDir, writeLines } from '../helpers.js';

const FIXTURES = path.join(REPO, 'test', 'fixtures', 'proftpd', 'logs');

interface Served {
  child: ChildProcess;
  base: URL;
  token: string;
  stderr: () => string;
  exited: Promise<number | null>;
}

/** Starts `xferlens serve ARGS` and resolves once it printed its address (its first stdout line). */
function startServe(args: string[]): Promise<Served> {
  // No system proftpd.conf: the fixtures are read the same on every machine.
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, XFERLENS_QUIET_SLOW: '1', XFERLENS_PROFTPD_CONF: '' }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => (stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => {
      stdout += d.toString();
      const line = stdout.split('\n')[0]!;
      if (!stdout.includes('\n')) return;
      const m = /^(http:\/\/[^/]+)\/#token=([\w-]+)$/.exec(line);
      if (!m) return reject(new Error(`unexpected first line: ${line}`));
      resolve({ child, base: new URL(m[1]!), token: m[2]!, stderr: () => stderr, exited });
    });
    void exited.then((code) => reject(new Error(`serve exited ${code}: ${stderr}`)));
  });
}

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A raw HTTP request: the path goes out exactly as written, headers (Host too) as given. */
function request(base: URL, opts: { method?: string; path: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request({ host: base.hostname, port: base.port, method: opts.method ?? 'GET', path: opts.path, headers: opts.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('error', reject);
    req.end(opts.body);
  });
}

const api = (s: Served, method: string, input: unknown, token = s.token) =>
  request(s.base, { method: 'POST', path: `/api/${method}`, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' }, body: JSON.stringify(input ?? null) });

async function until(what: string, ok: () => boolean | Promise<boolean>): Promise<void> {
  for (let i = 0; i < 1000; i++) {
    if (await ok()) return;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error(`timed out waiting for ${what}`);
}

describe('xferlens serve', () => {
  const dir = tempDir('xferlens-serve-');
  let s: Served;

  beforeAll(async () => {
    s = await startServe(['--port', '0', '--db', path.join(dir, 'index.sqlite'), FIXTURES]);
    // The fixtures are indexed in the background; the server answers meanwhile.
    await until('the fixtures to be indexed', () => s.stderr().includes('indexed 8 file(s)'));
  });

  afterAll(async () => {
    if (s && s.child.exitCode === null) {
      s.child.kill('SIGKILL');
      await s.exited;
    }
  });

  it('prints a loopback address with a long random token, nothing else on stdout first', () => {
    expect(s.base.hostname).toBe('127.0.0.1');
    expect(Number(s.base.port)).toBeGreaterThan(0);
    expect(s.token.length).toBeGreaterThanOrEqual(43);
    expect(s.stderr()).not.toMatch(/WARNING/);
  });

  it('every API route answers 401 without the token or with a wrong one', async () => {
    const wrong = 'x'.repeat(s.token.length);
    const routes: { method: string; path: string; body?: string }[] = [
      { method: 'POST', path: '/api/db/stats', body: 'null' },
      { method: 'POST', path: '/api/query/page', body: '{"kind":"events","query":""}' },
      { method: 'POST', path: '/api/index/open', body: '{"paths":["/etc"]}' },
      { method: 'POST', path: '/api/no/such-method', body: 'null' },
      { method: 'GET', path: '/api/events' },
      { method: 'GET', path: '/api/export/download?kind=events' },
      { method: 'POST', path: '/api/export/ticket', body: '{"kind":"events"}' },
      { method: 'GET', path: '/api/' },
      { method: 'GET', path: '/api' },
    ];
    for (const route of routes) {
      const headers = { 'Content-Type': 'application/json' };
      const none = await request(s.base, { ...route, headers });
      expect(none.status, `${route.method} ${route.path} without token`).toBe(401);
      expect(JSON.parse(none.body).error).toMatch(/token|ticket/);
      const bearer = await request(s.base, { ...route, headers: { ...headers, Authorization: `Bearer ${wrong}` } });
      expect(bearer.status, `${route.method} ${route.path} wrong bearer`).toBe(401);
      const sep = route.path.includes('?') ? '&' : '?';
      const query = await request(s.base, { ...route, path: `${route.path}${sep}token=${wrong}`, headers });
      expect(query.status, `${route.method} ${route.path} wrong ?token`).toBe(401);
      // A token one character short, or with a prefix, is still wrong.
      const prefix = await request(s.base, { ...route, headers: { ...headers, Authorization: `Bearer ${s.token.slice(0, -1)}` } });
      expect(prefix.status).toBe(401);
    }
    // The query-string token is for GET streams only: a POST with it but no header is refused.
    const post = await request(s.base, { method: 'POST', path: `/api/db/stats?token=${s.token}`, headers: { 'Content-Type': 'application/json' }, body: 'null' });
    expect(post.status).toBe(401);
  });

  it('refuses a Host header that is not this server (DNS rebinding)', async () => {
    const port = s.base.port;
    const withHost = (host: string) => request(s.base, { method: 'POST', path: '/api/db/stats', headers: { Host: host, Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: 'null' });
    expect((await withHost(`evil.example:${port}`)).status).toBe(421);
    expect((await withHost(`127.0.0.1:${Number(port) + 1}`)).status).toBe(421);
    expect((await withHost('127.0.0.1')).status).toBe(421);
    expect((await request(s.base, { path: '/', headers: { Host: `attacker.test:${port}` } })).status).toBe(421);
    expect((await withHost(`127.0.0.1:${port}`)).status).toBe(200);
    expect((await withHost(`localhost:${port}`)).status).toBe(200);
  });

  it('serves the built page with its security headers, and nothing else from the disk', async () => {
    const index = fs.readFileSync(path.join(REPO, 'dist', 'renderer', 'index.html'), 'utf8');
    for (const p of ['/', '/index.html']) {
      const page = await request(s.base, { path: p });
      expect(page.status).toBe(200);
      expect(page.body).toBe(index);
      expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(page.headers['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self'; .*frame-ancestors 'none'/);
      expect(page.headers['x-content-type-options']).toBe('nosniff');
      expect(page.headers['referrer-policy']).toBe('no-referrer');
      expect(page.headers['cache-control']).toBe('no-cache');
    }
    const script = /src="\.?(\/assets\/[^"]+\.js)"/.exec(index)![1]!;
    const asset = await request(s.base, { path: script });
    expect(asset.status).toBe(200);
    expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    expect(asset.headers['cache-control']).toMatch(/immutable/);
    expect(asset.body).toBe(fs.readFileSync(path.join(REPO, 'dist', 'renderer', script), 'utf8'));

    for (const p of [
      '/assets/', '/assets', '/api/../etc/passwd', '/..%2f..%2fetc/passwd', '/%2e%2e/%2e%2e/etc/passwd', '/../../../../etc/passwd',
      '/assets/..%2f..%2f..%2fpackage.json', '/assets/%2e%2e/%2e%2e/package.json', '/package.json', '/dist/renderer/index.html', '/index.html%00.js',
      '/src-main/cli/main.js', '//etc/passwd', '/assets/.',
    ]) {
      const r = await request(s.base, { path: p });
      expect(r.status, p).toBe(404);
      expect(r.body, p).not.toMatch(/root:|"name": "xferlens"|<a href/);
    }
    expect((await request(s.base, { method: 'POST', path: '/index.html', body: 'x' })).status).toBe(405);
  });

  it('answers the API over HTTP: pages, and a search mistake as {error, column}', async () => {
    const page = await api(s, 'query/page', { kind: 'transfers', query: 'user:alice status:failed' });
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(page.headers['cache-control']).toBe('no-store');
    const body = JSON.parse(page.body) as { rows: { path: string }[]; total: number };
    expect(body.total).toBe(2);
    expect(body.rows.map((r) => r.path).sort()).toEqual(['/sftp/nope.bin', 'missing.txt']);

    const mistake = await api(s, 'query/page', { kind: 'events', query: 'user:alice usr:x' });
    expect(mistake.status).toBe(400);
    expect(JSON.parse(mistake.body)).toEqual({ error: 'unknown field "usr" at column 12 (did you mean user?)', column: 12 });

    const bad = await api(s, 'query/page', { kind: 'events', query: '', limit: 5000 });
    expect(bad.status).toBe(400);
    expect(JSON.parse(bad.body)).toEqual({ error: 'query/page: limit must be an integer 1..1000 (got 5000)' });
    expect((await api(s, 'no/such-method', null)).status).toBe(404);
    expect((await request(s.base, { method: 'POST', path: '/api/db/stats', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'text/plain' }, body: 'null' })).status).toBe(415);
    expect((await request(s.base, { method: 'POST', path: '/api/db/stats', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: '{nope' })).status).toBe(400);
    expect((await request(s.base, { method: 'GET', path: '/api/db/stats', headers: { Authorization: `Bearer ${s.token}` } })).status).toBe(405);
    const huge = await request(s.base, { method: 'POST', path: '/api/settings/set', headers: { Authorization: `Bearer ${s.token}`, 'Content-Type': 'application/json' }, body: JSON.stringify({ history: ['x'.repeat(5 << 20)] }) });
    expect(huge.status).toBe(413);
    // The server is still up after all that.
    expect((await api(s, 'db/stats', null)).status).toBe(200);
  });

  it('answers the page (X-Xferlens-Reply: envelope) with 200 and the outcome inside, so its console stays clean', async () => {
    const asPage = (route: string, input: unknown, token = s.token) =>
      request(s.base, { method: 'POST', path: `/api/${route}`, headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json', 'X-Xferlens-Reply': 'envelope' }, body: JSON.stringify(input) });
    const mistake = await asPage('query/page', { kind: 'events', query: 'user:alice usr:x' });
    expect(mistake.status).toBe(200);
    expect(JSON.parse(mistake.body)).toEqual({ error: { error: 'unknown field "usr" at column 12 (did you mean user?)', column: 12 } });
    const invalid = await asPage('query/count', { kind: 'nope', query: '' });
    expect([invalid.status, JSON.parse(invalid.body)]).toEqual([200, { error: { error: 'query/count: kind must be one of events, sessions, transfers (got "nope")' } }]);
    const count = await asPage('query/count', { kind: 'transfers', query: 'user:alice status:failed' });
    expect([count.status, JSON.parse(count.body)]).toEqual([200, { value: { total: 2 } }]);
    const ticket = await asPage('export/ticket', { kind: 'events', format: 'xlsx' });
    expect([ticket.status, JSON.parse(ticket.body)]).toEqual([200, { error: { error: 'export/ticket: format must be one of csv, ndjson (got "xlsx")' } }]);
    const issued = JSON.parse((await asPage('export/ticket', { kind: 'events', query: 'user:alice' })).body) as { value: { url: string } };
    expect(issued.value.url).toMatch(/^\/api\/export\/download\?ticket=[\w-]+$/);
    // A request that is itself wrong keeps its status: no token, an unknown method.
    expect((await asPage('db/stats', null, 'wrong')).status).toBe(401);
    expect((await asPage('no/such-method', null)).status).toBe(404);
  });

  it('does not write files on the server: export/start points to the download', async () => {
    const refused = await api(s, 'export/start', { kind: 'events', query: '', format: 'csv', path: path.join(dir, 'out.csv') });
    expect(refused.status).toBe(403);
    expect(JSON.parse(refused.body).error).toMatch(/\/api\/export\/ticket/);
    expect(fs.existsSync(path.join(dir, 'out.csv'))).toBe(false);
  });

  it('streams index progress as server-sent events', async () => {
    const logs = path.join(dir, 'logs');
    fs.mkdirSync(logs);
    writeLines(path.join(logs, 'ex100408.log'), EFT_W3C_SAMPLE);
    let stream = '';
    const req = http.get({ host: s.base.hostname, port: s.base.port, path: `/api/events?token=${s.token}` });
    const response = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
    response.on('data', (d: Buffer) => (stream += d.toString()));
    await until('the stream to open', () => stream.startsWith(': xferlens events'));

    const opened = await api(s, 'index/open', { paths: [logs] });
    expect(opened.status).toBe(200);
    const result = JSON.parse(opened.body) as { jobId: string; files: number; events: number };
    expect(result).toMatchObject({ files: 1, events: 7 });
    await until('the finished event', () => stream.includes('event: sources/changed'));
    req.destroy();
    const frames = stream.split('\n\n').filter((f) => f.startsWith('event: ')).map((f) => {
      const [event, data] = f.split('\n');
      return { event: event!.slice('event: '.length), data: JSON.parse(data!.slice('data: '.length)) as { jobId: string } };
    });
    expect(frames.map((f) => f.event).filter((e) => e !== 'index/progress')).toEqual(['index/started', 'index/finished', 'sources/changed']);
    expect(frames[0]!.data).toEqual({ jobId: result.jobId, paths: [logs] });
    const progress = frames.filter((f) => f.event === 'index/progress');
    expect(progress.length).toBeGreaterThan(0);
    expect(progress.every((f) => f.data.jobId === result.jobId)).toBe(true);
    expect(frames.find((f) => f.event === 'index/finished')!.data).toEqual(result);
  });

  /** A one-time download URL for these parameters, as the page gets it (POST with the token). */
  const ticket = async (params: Record<string, string>) => {
    const r = await api(s, 'export/ticket', params);
    expect(r.status, r.body).toBe(200);
    const { url } = JSON.parse(r.body) as { url: string };
    expect(url).toMatch(/^\/api\/export\/download\?ticket=[\w-]{43}$/);
    expect(url).not.toContain(s.token);
    return url;
  };

  it('downloads an export as a CSV attachment', async () => {
    const csv = await request(s.base, { path: await ticket({ kind: 'transfers', query: 'status:failed', columns: 'user,path,code' }) });
    expect(csv.status).toBe(200);
    expect(csv.headers['content-type']).toBe('text/csv; charset=utf-8');
    expect(csv.headers['content-disposition']).toMatch(/^attachment; filename="xferlens-transfers-[\dT-]+\.csv"$/);
    const [header, ...rows] = csv.body.trim().split('\n');
    expect(header).toBe('user,path,code');
    expect(rows.sort()).toEqual(['alice,/sftp/nope.bin,2', 'alice,missing.txt,550']);

    const ndjson = await request(s.base, { path: await ticket({ kind: 'sessions', query: 'user:bob', format: 'ndjson' }) });
    expect(ndjson.status).toBe(200);
    const docs = ndjson.body.trim().split('\n').map((l) => JSON.parse(l) as { user?: { name?: string } });
    expect(docs).toHaveLength(4);
    expect(docs.every((d) => d.user?.name === 'bob')).toBe(true);

    // A field that is not allowed is refused with the ticket; a search mistake when the download runs.
    const mistake = await api(s, 'export/ticket', { kind: 'events', query: 'usr:x' });
    expect(mistake.status).toBe(200); // the query is compiled when the download runs…
    const run = await request(s.base, { path: (JSON.parse(mistake.body) as { url: string }).url });
    expect(run.status).toBe(400); // …and answered as JSON there, before any header of a file
    expect(JSON.parse(run.body)).toMatchObject({ column: 1 });
    const extra = await api(s, 'export/ticket', { kind: 'events', path: '/etc/passwd' });
    expect(extra.status).toBe(400);
    expect(JSON.parse(extra.body).error).toMatch(/unknown field "path"/);
  });

  it('a download URL works once, carries no token, and the session token does not replace it', async () => {
    const url = await ticket({ kind: 'events', query: '' });
    expect((await request(s.base, { path: url })).status).toBe(200);
    const again = await request(s.base, { path: url });
    expect(again.status).toBe(401);
    expect(JSON.parse(again.body).error).toMatch(/used already/);
    // The old form, with the session token in the URL, is no longer a way in.
    const old = await request(s.base, { path: `/api/export/download?${new URLSearchParams({ token: s.token, kind: 'events' })}` });
    expect(old.status).toBe(401);
    // A ticket with anything added to its URL is refused: the export is the one it was issued for.
    const tampered = await ticket({ kind: 'events' });
    expect((await request(s.base, { path: `${tampered}&kind=sessions` })).status).toBe(401);
    expect((await request(s.base, { path: tampered })).status).toBe(200);
  });

  it('stops cleanly on Ctrl+C', async () => {
    s.child.kill('SIGINT');
    expect(await s.exited).toBe(0);
    expect(s.stderr()).toMatch(/stopping/);
  });
});

describe('xferlens serve on a read-only database', () => {
  it('--read-only: the page reads and says read-only; writes are refused with a 409 and the server stays up', async () => {
    const dir = tempDir('xferlens-serve-ro-');
    const db = path.join(dir, 'index.sqlite');
    writeLines(path.join(dir, 'ex.log'), EFT_W3C_SAMPLE);
    expect(spawnSync(process.execPath, [CLI, 'index', '--db', db, path.join(dir, 'ex.log')]).status).toBe(0);
    const s = await startServe(['--port', '0', '--db', db, '--read-only']);
    try {
      expect(s.stderr()).toMatch(/is read-only: it was opened read-only \(--read-only\): serving it read-only/);
      const info = JSON.parse((await api(s, 'app/info', null)).body) as { readOnly: string | null };
      expect(info.readOnly).toBe(`${db} is read-only: it was opened read-only (--read-only)`);
      for (const [method, input, action] of [
        ['index/open', { paths: [dir] }, 'index'],
        ['follow/start', { paths: [dir] }, 'follow'],
        ['sources/remove', { id: 1 }, 'remove a source'],
        ['settings/set', { theme: 'dark' }, 'save settings'],
      ] as const) {
        const r = await api(s, method, input);
        expect(r.status, method).toBe(409);
        expect(JSON.parse(r.body).error).toBe(`${db}: cannot ${action}: it was opened read-only (--read-only). Reading (stats, search, export…) works; leave out --read-only or use a database you can write.`);
      }
      const stats = await api(s, 'db/stats', null);
      expect(stats.status).toBe(200);
      expect(JSON.parse(stats.body)).toMatchObject({ sources: 1, events: 7 });
      const page = await api(s, 'query/page', { kind: 'events', query: 'user:test' });
      expect(page.status).toBe(200);
      expect(s.child.exitCode).toBeNull();
    } finally {
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
    }
  });

  it('--read-only with PATHs to index: one line and exit 1', () => {
    const dir = tempDir('xferlens-serve-ro-');
    const r = spawnSync(process.execPath, [CLI, 'serve', '--port', '0', '--db', path.join(dir, 'index.sqlite'), '--read-only', dir], { encoding: 'utf8' });
    expect(r.status).toBe(1);
    expect(r.stderr).toMatch(/cannot index .*: the database is read-only/);
  });
});

describe('xferlens serve stopping', () => {
  it('Ctrl+C as soon as the address is printed stops it cleanly (exit 0), every time', async () => {
    // The address is printed before following is resumed: a signal then once met no handler.
    for (let i = 0; i < 3; i++) {
      const dir = tempDir('xferlens-serve-stop-');
      const s = await startServe(['--port', '0', '--db', path.join(dir, 'index.sqlite')]);
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('xferlens serve beyond loopback', () => {
  it('warns on stderr, and the page may not open paths without --allow-open', async () => {
    const dir = tempDir('xferlens-serve-');
    const s = await startServe(['--host', '0.0.0.0', '--port', '0', '--db', path.join(dir, 'index.sqlite')]);
    try {
      await until('the warning', () => s.stderr().includes('WARNING'));
      expect(s.stderr()).toMatch(/WARNING: listening on 0\.0\.0\.0, not only this machine/);
      const info = JSON.parse((await api(s, 'app/info', null)).body) as { canOpenPaths: boolean; mode: string };
      expect(info).toMatchObject({ mode: 'browser', canOpenPaths: false });
      expect((await api(s, 'index/open', { paths: ['/etc'] })).status).toBe(403);
    } finally {
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
    }
  });
});

/** A new temporary folder holding logs/ex100408.log, the EFT sample. */
function sampleLogFolder(prefix: string): { dir: string; logs: string; log: string } {
  const dir = tempDir(prefix);
  const logs = path.join(dir, 'logs');
  fs.mkdirSync(logs);
  const log = path.join(logs, 'ex100408.log');
  writeLines(log, EFT_W3C_SAMPLE);
  return { dir, logs, log };
}

describe('xferlens serve --follow', () => {
  it('follows the PATHs given (even where the page may not open paths): new lines arrive as follow/batch events', async () => {
    const { dir, logs, log } = sampleLogFolder('xferlens-serve-follow-');
    const s = await startServe(['--host', '0.0.0.0', '--port', '0', '--db', path.join(dir, 'index.sqlite'), '--follow', logs]);
    try {
      const status = async () => JSON.parse((await api(s, 'follow/status', null)).body) as { paused: boolean; paths: { path: string; files: number }[] };
      await until('the folder to be followed', async () => (await status()).paths[0]?.files === 1);
      expect(await status()).toEqual({ paused: false, paths: [{ path: logs, files: 1, error: null }] });
      expect(s.stderr()).toContain(`following ${logs}`);
      // The page may not add paths off loopback, but may pause, resume and stop.
      expect((await api(s, 'follow/start', { paths: ['/etc'] })).status).toBe(403);

      let stream = '';
      const req = http.get({ host: '127.0.0.1', port: s.base.port, path: `/api/events?token=${s.token}` });
      const response = await new Promise<http.IncomingMessage>((resolve) => req.on('response', resolve));
      response.on('data', (d: Buffer) => (stream += d.toString()));
      await until('the stream to open', () => stream.startsWith(': xferlens events'));
      fs.appendFileSync(log, '2010-04-08 20:11:00 192.168.241.1 - test [1]sent /Test+File+3.txt - 226 - 54 - 22\r\n');
      await until('the follow/batch event', () => stream.includes('event: follow/batch'));
      const frame = stream.split('\n\n').find((f) => f.startsWith('event: follow/batch'))!;
      expect(JSON.parse(frame.split('\n')[1]!.slice('data: '.length))).toMatchObject({ path: logs, files: [log], lines: 1, events: 1 });
      const count = JSON.parse((await api(s, 'query/count', { kind: 'events', query: 'kind:event' })).body) as { total: number };
      expect(count.total).toBe(8);

      expect(JSON.parse((await api(s, 'follow/pause', null)).body)).toMatchObject({ paused: true });
      await until('the follow/changed event', () => stream.includes('event: follow/changed'));
      expect(JSON.parse((await api(s, 'follow/stop', {})).body)).toEqual({ paused: true, paths: [] });
      req.destroy();
    } finally {
      s.child.kill('SIGINT');
      expect(await s.exited).toBe(0);
    }
  });

  it('a restarted serve on the same database follows again what was followed, without the PATHs or --allow-open', async () => {
    const { dir, logs, log } = sampleLogFolder('xferlens-serve-follow-again-');
    const db = path.join(dir, 'index.sqlite');
    const status = async (s: Served) => JSON.parse((await api(s, 'follow/status', null)).body) as { paused: boolean; paths: { path: string; files: number }[] };
    const events = async (s: Served) => (JSON.parse((await api(s, 'query/count', { kind: 'events', query: 'kind:event' })).body) as { total: number }).total;

    const first = await startServe(['--port', '0', '--db', db, '--follow', logs]);
    try {
      await until('the folder to be followed', async () => (await status(first)).paths[0]?.files === 1);
    } finally {
      first.child.kill('SIGINT');
      expect(await first.exited).toBe(0);
    }

    const again = await startServe(['--host', '0.0.0.0', '--port', '0', '--db', db]);
    try {
      await until('the folder to be followed again', async () => (await status(again)).paths[0]?.files === 1);
      expect(again.stderr()).toContain(`following again ${logs}`);
      expect(await events(again)).toBe(7);
      fs.appendFileSync(log, '2010-04-08 20:11:00 192.168.241.1 - test [1]sent /Test+File+3.txt - 226 - 54 - 22\r\n');
      await until('the line appended after the restart', async () => (await events(again)) === 8);
    } finally {
      again.child.kill('SIGINT');
      expect(await again.exited).toBe(0);
    }
  });

  it('--follow needs a PATH', () => {
    const r = spawnSync(process.execPath, [CLI, 'serve', '--follow', '--port', '0'], { encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/--follow follows the PATHs given/);
  });
});
