import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { StringInterner } from '../../src-main/core/store/strings.js';
import { tempDir } from '../helpers.js';

let dir: string;
let db: Db;
beforeEach(() => {
  dir = tempDir();
  db = openDatabase(path.join(dir, 'strings.sqlite'));
});
afterEach(() => {
  db.close();
  fs.rmSync(dir, { recursive: true, force: true });
});

/** Every string of the table as `dim|value`, with how many rows hold it. */
const stored = () => db.prepare("SELECT dim || '|' || value AS v, count(*) AS n FROM strings GROUP BY dim, value").all() as { v: string; n: number }[];

describe('StringInterner', () => {
  it('gives each exact spelling of each column one id, however far apart its uses are', () => {
    const strings = new StringInterner(db);
    // More paths than it remembers, each used again after the others pushed it out of memory;
    // case variants are different strings that share an index entry.
    const paths = Array.from({ length: 50_000 }, (_, i) => `/in/File${i}.csv`);
    const first = new Map<string, number>();
    db.transaction(() => {
      for (const p of paths) first.set(p, strings.id('path', p)!);
      for (const p of paths) expect(strings.id('path', p)).toBe(first.get(p));
      for (const p of paths.slice(0, 1000)) expect(strings.id('path', p.toLowerCase())).not.toBe(first.get(p));
      expect(strings.id('user', '/in/File1.csv')).not.toBe(first.get('/in/File1.csv')); // another column, another string
    })();
    const rows = stored();
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(rows).toHaveLength(50_000 + 1000 + 1);
  });

  it('looks values up again once another writer has added strings', () => {
    const mine = new StringInterner(db);
    db.transaction(() => {
      mine.id('user', 'alice');
    })();
    // Another process (here a second interner on its own) adds strings this one never saw: it finds
    // them on the index rather than adding them twice.
    const other = new StringInterner(db);
    const bob = db.transaction(() => {
      return other.id('user', 'bob');
    })();
    db.transaction(() => {
      expect(mine.id('user', 'bob')).toBe(bob);
      expect(mine.id('user', 'carol')).toBeGreaterThan(bob!);
    })();
    expect(stored()).toEqual([{ v: '0|alice', n: 1 }, { v: '0|bob', n: 1 }, { v: '0|carol', n: 1 }]);
  });

  it('after a rolled-back batch, adds again what the rollback removed', () => {
    const strings = new StringInterner(db);
    expect(() =>
      db.transaction(() => {
        strings.id('path', '/lost.bin');
        throw new Error('disk full');
      })(),
    ).toThrow('disk full');
    strings.reset();
    db.transaction(() => {
      const id = strings.id('path', '/lost.bin');
      expect(db.prepare('SELECT value FROM strings WHERE id = ?').pluck().get(id)).toBe('/lost.bin');
    })();
  });
});
