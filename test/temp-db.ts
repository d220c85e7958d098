import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach } from 'vitest';
import { openDatabase, type Db } from '../src-main/core/store/db.js';
import { tempDir } from './helpers.js';

/** A folder and an index database in it, new for each test of a file and removed after it. */
export interface TempDatabase {
  dir: string;
  db: Db;
  /** The database file. */
  readonly file: string;
  /** Closes the database, removes the folder and starts again with new ones (a test of many cases). */
  renew(): void;
}

/** Call at the top of a test file: `const t = tempDatabasePerTest();`, then `t.dir`, `t.db`. */
export function tempDatabasePerTest(): TempDatabase {
  const open = () => {
    t.dir = tempDir();
    t.db = openDatabase(t.file);
  };
  const close = () => {
    t.db.close();
    fs.rmSync(t.dir, { recursive: true, force: true });
  };
  const t: TempDatabase = {
    dir: '',
    db: undefined as unknown as Db,
    get file() {
      return path.join(t.dir, 'index.sqlite');
    },
    renew() {
      close();
      open();
    },
  };
  beforeEach(open);
  afterEach(close);
  return t;
}
