import fs from 'node:fs';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { ID_BITS, STRING_DIMS, StringInterner, valueHash } from '../../src-main/core/store/strings.js';
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

/**
 * 50,000 paths, more than the interner remembers, each used again after the others pushed it out
 * of memory; 1,000 case variants (other strings); one path as a user (another column, another
 * string). Returns each path's id.
 */
function internPaths(strings: StringInterner): Map<string, number> {
  const paths = Array.from({ length: 50_000 }, (_, i) => `/in/File${i}.csv`);
  const first = new Map<string, number>();
  db.transaction(() => {
    for (const p of paths) first.set(p, strings.id('path', p)!);
    for (const p of paths) expect(strings.id('path', p)).toBe(first.get(p));
    for (const p of paths.slice(0, 1000)) expect(strings.id('path', p.toLowerCase())).not.toBe(first.get(p));
    expect(strings.id('user', '/in/File1.csv')).not.toBe(first.get('/in/File1.csv'));
  })();
  return first;
}

/** A batch that adds a value and is rolled back; after reset, the value is added again. */
function rollBackThenAddAgain(strings: StringInterner): void {
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
}

describe('StringInterner', () => {
  it('gives each exact spelling of each column one id, however far apart its uses are', () => {
    const strings = new StringInterner(db);
    const first = internPaths(strings);
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
    rollBackThenAddAgain(new StringInterner(db));
  });
});

describe('StringInterner in a bulk load (no index until its end)', () => {
  const hasIndex = () => !!db.prepare("SELECT 1 FROM sqlite_schema WHERE name = 'strings_value'").get();

  it('tells new values by their hashes: each exact spelling once, values stored before the load found, the index built at the end', () => {
    const before = db.transaction(() => new StringInterner(db).id('path', '/in/File7.csv'))();
    const strings = new StringInterner(db);
    strings.beginBulkLoad();
    expect(hasIndex()).toBe(false);
    const first = internPaths(strings);
    expect(first.get('/in/File7.csv')).toBe(before);
    strings.endBulkLoad();
    expect(hasIndex()).toBe(true);
    const rows = stored();
    expect(rows.every((r) => r.n === 1)).toBe(true);
    expect(rows).toHaveLength(50_000 + 1000 + 1);
    // After the load, values are looked up on the index again.
    db.transaction(() => expect(strings.id('path', '/in/File49999.csv')).toBe(first.get('/in/File49999.csv')))();
  });

  it('finds a value again once later ids took its place among the values it remembers, and tells columns apart', () => {
    const strings = new StringInterner(db);
    strings.beginBulkLoad();
    // More values than it remembers by id (RECENT_BITS): each id's place is taken by a later one.
    const paths = Array.from({ length: 140_000 }, (_, i) => `/in/F${i}.csv`);
    db.transaction(() => {
      const ids = paths.map((p) => strings.id('path', p)!);
      for (let i = paths.length - 1; i >= 0; i--) expect(strings.id('path', paths[i])).toBe(ids[i]);
      // The same values in another column are other strings, found again as theirs.
      const asMessages = paths.map((p) => strings.id('message', p)!);
      expect(asMessages.every((id, i) => id !== ids[i])).toBe(true);
      expect(paths.every((p, i) => strings.id('message', p) === asMessages[i] && strings.id('path', p) === ids[i])).toBe(true);
    })();
    strings.endBulkLoad();
    const rows = stored();
    expect(rows).toHaveLength(2 * paths.length);
    expect(rows.every((r) => r.n === 1)).toBe(true);
  });

  it('does not take a value of another column for this one when their hashes meet in its table', () => {
    // In a table of 1,024 slots: a value whose hashes as a path and as a message have the same high
    // bits, the path's slot just after the message's, and a path that takes the message's slot.
    // Looking the message up then meets the path's id (remembered) on its way.
    const slots = 1 << 10;
    const slot = (h: number) => h & (slots - 1);
    const tag = (h: number) => h >>> ID_BITS;
    const hash = (dim: keyof typeof STRING_DIMS, v: string) => valueHash(STRING_DIMS[dim], v);
    let value = '';
    for (let i = 0; !value; i++) {
      const v = `/x/${i}`;
      const p = hash('path', v), m = hash('message', v);
      if (tag(p) === tag(m) && slot(p) === slot(slot(m) + 1)) value = v;
    }
    let blocker = '';
    for (let i = 0; !blocker; i++) if (slot(hash('path', `/y/${i}`)) === slot(hash('message', value))) blocker = `/y/${i}`;
    const strings = new StringInterner(db, { first: slots, max: slots });
    strings.beginBulkLoad();
    db.transaction(() => {
      strings.id('path', blocker);
      const asPath = strings.id('path', value)!;
      const asMessage = strings.id('message', value)!;
      expect(asMessage).not.toBe(asPath);
      expect(db.prepare('SELECT dim FROM strings WHERE id = ?').pluck().get(asMessage)).toBe(STRING_DIMS.message);
      expect(strings.id('message', value)).toBe(asMessage);
    })();
  });

  it("joins another writer's values before each batch rather than adding them twice", () => {
    const mine = new StringInterner(db);
    mine.beginBulkLoad();
    db.transaction(() => mine.id('user', 'alice'))();
    // Another process adds a string between two batches (its interner looks up without the index).
    const bob = db.transaction(() => new StringInterner(db).id('user', 'bob'))();
    db.transaction(() => {
      mine.catchUp();
      expect(mine.id('user', 'bob')).toBe(bob);
      mine.id('user', 'carol');
    })();
    mine.endBulkLoad();
    expect(stored()).toEqual([{ v: '0|alice', n: 1 }, { v: '0|bob', n: 1 }, { v: '0|carol', n: 1 }]);
  });

  it('grows its table as values come (and as another writer adds them), and past its largest size goes on with the index: each value once', () => {
    // Tables of 4,096 slots doubling up to 32,768: grown at 3,072, 6,144 and 12,288 values, ended
    // at 28,672. More values than the interner remembers (20,000 a column), so that earlier ones are
    // found in the table itself.
    const strings = new StringInterner(db, { first: 1 << 12, max: 1 << 15 });
    strings.beginBulkLoad();
    const ids = new Map<string, number>();
    const seen: boolean[] = [];
    const other = db.prepare('INSERT INTO strings (dim, value) VALUES (2, ?)');
    for (let batch = 0; batch < 6; batch++) {
      // Another process adds 2,000 values between two batches: more than the first table has room for.
      db.transaction(() => {
        for (let i = 0; i < 2000; i++) ids.set(`/other/${batch}/F${i}.csv`, Number(other.run(`/other/${batch}/F${i}.csv`).lastInsertRowid));
      })();
      db.transaction(() => {
        strings.catchUp();
        for (let i = 0; i < 4000; i++) {
          const v = `/in/batch${batch}/F${i}.csv`;
          ids.set(v, strings.id('path', v)!);
        }
        // Values of every earlier batch, and the other process's, are found again.
        for (const [v, id] of [...ids].filter((_, k) => k % 97 === 0)) expect(strings.id('path', v), v).toBe(id);
      })();
      seen.push(hasIndex());
    }
    expect(seen).toEqual([false, false, false, false, true, true]);
    strings.endBulkLoad();
    expect(stored().every((r) => r.n === 1)).toBe(true);
    expect(stored()).toHaveLength(36_000);
  });

  it('a batch rolled back after the load ended in it (its table full) builds the index again', () => {
    const strings = new StringInterner(db, { first: 1 << 10, max: 1 << 10 });
    strings.beginBulkLoad();
    expect(() =>
      db.transaction(() => {
        for (let i = 0; i < 1000; i++) strings.id('path', `/f${i}`); // full at 896: the index is built in this transaction
        expect(hasIndex()).toBe(true);
        throw new Error('disk full');
      })(),
    ).toThrow('disk full');
    expect(hasIndex()).toBe(false); // rolled back with it
    strings.reset();
    expect(hasIndex()).toBe(true);
  });

  it('does not start with an id too big for its table: the index stays and is used', () => {
    db.prepare("INSERT INTO strings (id, dim, value) VALUES (5000000, 0, 'alice')").run();
    const strings = new StringInterner(db);
    strings.beginBulkLoad();
    expect(hasIndex()).toBe(true);
    db.transaction(() => {
      expect(strings.id('user', 'alice')).toBe(5000000);
      expect(strings.id('user', 'bob')).toBe(5000001);
    })();
  });

  it('after a rolled-back batch, goes back to the index and adds again what the rollback removed', () => {
    const strings = new StringInterner(db);
    strings.beginBulkLoad();
    rollBackThenAddAgain(strings);
    expect(hasIndex()).toBe(true);
    expect(stored()).toEqual([{ v: '2|/lost.bin', n: 1 }]);
  });
});
