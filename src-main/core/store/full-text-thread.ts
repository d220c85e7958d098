/**
 * The full-text thread (see full-text.ts): on each message, adds to the index the lines committed
 * since, on a connection of its own to the database (only read) and the index. Imports nothing from
 * Electron.
 */
import Database from 'better-sqlite3';
import { parentPort, workerData } from 'node:worker_threads';
import { busyTimeoutMs } from './db.js';
import { addMissingLines, fullTextFile, type FromFullTextThread, type FullTextThreadData } from './full-text.js';
import { ensureLineFunctions } from './line-blocks.js';
import { yieldToWriter } from './helper-priority.js';

/** The schema the database is attached as. */
const EVENTS = 'src';

function open(data: FullTextThreadData): Database.Database {
  const db = new Database(':memory:', { timeout: busyTimeoutMs(), ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
  db.prepare(`ATTACH ? AS ${EVENTS}`).run(data.databasePath);
  db.prepare('ATTACH ? AS fts').run(fullTextFile(data.databasePath));
  db.pragma('fts.synchronous = NORMAL');
  ensureLineFunctions(db, 2); // lines are read in order
  return db;
}

const data = workerData as FullTextThreadData | undefined;
if (parentPort && data?.role === 'xferlens-full-text') {
  yieldToWriter();
  const port = parentPort;
  const post = (m: FromFullTextThread) => port.postMessage(m);
  let db: Database.Database | undefined;
  port.on('message', () => {
    try {
      db ??= open(data);
      addMissingLines(db, EVENTS);
      post({ type: 'synced' });
    } catch (err) {
      post({ type: 'failed', message: (err as Error)?.message ?? String(err), code: (err as { code?: string }).code });
    }
  });
}
