/**
 * The full-text thread (see full-text.ts): on each message, adds to the index the lines committed
 * since, on a connection of its own to the database (only read) and the index. Imports nothing from
 * Electron.
 */
import Database from 'better-sqlite3';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { busyTimeoutMs } from './db.js';
import { addMissingLines, fullTextFile, type FromFullTextThread, type FullTextThreadData } from './full-text.js';
import { ensureLineFunctions } from './line-blocks.js';
import { ensureFieldFunctions } from './field-tokens.js';
import { yieldToWriter } from './helper-priority.js';

/** The schema the database is attached as. */
const EVENTS = 'src';

function open(data: FullTextThreadData): Database.Database {
  const db = new Database(':memory:', { timeout: busyTimeoutMs(), ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
  db.prepare(`ATTACH ? AS ${EVENTS}`).run(data.databasePath);
  db.prepare('ATTACH ? AS fts').run(fullTextFile(data.databasePath));
  db.pragma('fts.synchronous = NORMAL');
  ensureLineFunctions(db, 2); // lines are read in order
  ensureFieldFunctions(db);
  return db;
}

const data = workerData as FullTextThreadData | undefined;
if (parentPort && data?.role === 'xferlens-full-text') {
  yieldToWriter();
  const port = parentPort;
  const post = (m: FromFullTextThread) => port.postMessage(m);
  let db: Database.Database | undefined;
  // Messages that arrive while lines are added are read between transactions: a stop ends the
  // work there, and each sync is answered once the lines are added (they are the same work).
  let stopAsked = false;
  let syncs = 0;
  const stopRequested = () => {
    for (let m = receiveMessageOnPort(port); m; m = receiveMessageOnPort(port)) {
      if (m.message === 'stop') stopAsked = true;
      else syncs++;
    }
    return stopAsked;
  };
  const end = () => {
    // Closed cleanly between transactions, the thread ends.
    db?.close();
    port.close();
  };
  port.on('message', (m: 'sync' | 'stop') => {
    if (m === 'stop' || stopAsked) return end();
    try {
      db ??= open(data);
      syncs = 1;
      addMissingLines(db, EVENTS, stopRequested);
      if (stopAsked) return end();
      for (; syncs > 0; syncs--) post({ type: 'synced' });
    } catch (err) {
      post({ type: 'failed', message: (err as Error)?.message ?? String(err), code: (err as { code?: string }).code });
    }
  });
}
