/**
 * The full-text thread (see full-text.ts): on each message, adds to the index the lines committed
 * since, on a connection of its own to the database (only read) and the index. Imports nothing from
 * Electron.
 */
import Database from 'better-sqlite3';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { parentPort, receiveMessageOnPort, workerData } from 'node:worker_threads';
import { busyTimeoutMs, WAL_AUTOCHECKPOINT_PAGES } from './db.js';
import { addMissingLines, fullTextFile, THREAD_LINES_PER_COMMIT, type FromFullTextThread, type FullTextThreadData } from './full-text.js';
import { ensureLineFunctions } from './line-blocks.js';
import { ensureFieldFunctions } from './field-tokens.js';
import { yieldToWriter } from './helper-priority.js';

/** The schema the database is attached as. */
const EVENTS = 'src';

/**
 * Transactions (2,048 lines each) between two full collections of this thread's heap. Each block
 * of lines it reads is inflated into new Buffers (about 220 KB with zlib's chunks); those that die
 * young go at the next scavenge, but the blocks kept while their lines are read (ensureLineFunctions)
 * are promoted, and V8 frees a promoted Buffer only at a full collection or once 64 MB have piled
 * up outside its heap, which this thread, allocating little that lives, seldom reaches otherwise. A
 * 10M-line first index peaked at 356–371 MB; collecting every 16 transactions (about 7 MB of
 * Buffers; a collection of this small heap takes 2–3 ms, about 1 s in all at 10M lines) 314 MB.
 */
const TRANSACTIONS_PER_COLLECTION = 16;

/**
 * This thread's full garbage collection: V8's `gc`, exposed to a context of its own (the flag is
 * process-wide; a process started with --expose-gc already has it). Where V8 will not expose it,
 * none: the Buffers are then freed as before.
 */
function garbageCollector(): () => void {
  const given = (globalThis as { gc?: unknown }).gc;
  if (typeof given === 'function') return given as () => void;
  try {
    setFlagsFromString('--expose-gc');
    return runInNewContext('gc') as () => void;
  } catch {
    return () => {};
  }
}

function open(data: FullTextThreadData): Database.Database {
  const db = new Database(':memory:', { timeout: busyTimeoutMs(), ...(data.nativeBinding ? { nativeBinding: data.nativeBinding } : {}) });
  db.prepare(`ATTACH ? AS ${EVENTS}`).run(data.databasePath);
  db.prepare('ATTACH ? AS fts').run(fullTextFile(data.databasePath));
  db.pragma('fts.synchronous = NORMAL');
  // As the writer's (it had SQLite's 4 MB: adding 1M EFT lines in its steps of 2,048, 200 fsyncs
  // and 83k page reads, against 20 and 56k).
  db.pragma(`wal_autocheckpoint = ${WAL_AUTOCHECKPOINT_PAGES}`);
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
  const collect = garbageCollector();
  let transactions = 0;
  const stopRequested = () => {
    if (++transactions % TRANSACTIONS_PER_COLLECTION === 0) collect();
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
      // Whole steps only: what is left is added by a later sync, or by the writer at the run's end.
      addMissingLines(db, EVENTS, stopRequested, true, THREAD_LINES_PER_COMMIT);
      if (stopAsked) return end();
      for (; syncs > 0; syncs--) post({ type: 'synced' });
    } catch (err) {
      post({ type: 'failed', message: (err as Error)?.message ?? String(err), code: (err as { code?: string }).code });
    }
  });
}
