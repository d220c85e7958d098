/**
 * Repeated strings stored once (schema 6). A log line repeats its user, client IP, command, code,
 * server and protocol, and often its path and message, on line after line: events hold the id of
 * each such value in `strings`, one row per distinct value of each column (its dim), so an event row
 * and the indexes on these columns are a few integers wide. 1M EFT lines: events 144 → 80 MB, the
 * user/IP/code/path indexes 117 → 67 MB, for 43 MB of strings and their index (most of it the
 * 356k distinct paths); 1.3 s of interning, about what the narrower index builds save.
 *
 * Values keep their exact spelling; the index compares them case-insensitively, as the search
 * language does (user:, path:), and exact comparisons check the spelling on top. A string is never
 * changed or removed once added (readers cache them by id), even when the rows using it go.
 */
import type { Db } from './db.js';

/** The events' columns held as string ids (`<name>_id`), with their dim numbers (never renumber). */
export const STRING_DIMS = {
  user: 0,
  client_ip: 1,
  path: 2,
  status: 3,
  verb: 4,
  message: 5,
  server: 6,
  protocol: 7,
  session_key: 8,
} as const;
export type StringColumn = keyof typeof STRING_DIMS;
export const STRING_COLUMNS = Object.keys(STRING_DIMS) as StringColumn[];

export const isStringColumn = (name: string): name is StringColumn => Object.hasOwn(STRING_DIMS, name);

/**
 * The transfers' columns held as string ids (schema 9), with the dim each value is among: a
 * transfer's user, client IP, server, protocol and paths are the same strings as its records'.
 */
export const TRANSFER_STRING_DIMS = {
  user: 'user',
  client_ip: 'client_ip',
  server: 'server',
  protocol: 'protocol',
  path: 'path',
  path_to: 'path',
} as const satisfies Record<string, StringColumn>;
export type TransferStringColumn = keyof typeof TRANSFER_STRING_DIMS;

/**
 * The sessions' columns held as string ids (schema 31), with the dim each value is among: a
 * session's user, client IP, server and protocol are its events' strings.
 */
export const SESSION_STRING_DIMS = {
  user: 'user',
  client_ip: 'client_ip',
  server: 'server',
  protocol: 'protocol',
} as const satisfies Record<string, StringColumn>;
export const SESSION_STRING_COLUMNS = Object.keys(SESSION_STRING_DIMS) as (keyof typeof SESSION_STRING_DIMS)[];
export const TRANSFER_STRING_COLUMNS = Object.keys(TRANSFER_STRING_DIMS) as TransferStringColumn[];

/**
 * SQL for the value of the string column `column` (held as `<column>_id`) of the row aliased
 * `alias`; `schema` names an attached database.
 */
export function stringSql(alias: string, column: string, schema = 'main'): string {
  return `(SELECT value FROM ${schema}.strings WHERE id = ${alias}.${column}_id)`;
}

/** SQL naming the values of the string columns `columns` of the row aliased `alias`, each `AS` its column's name (a select list). */
export function namedStringsSql(alias: string, columns: readonly string[], schema = 'main'): string {
  return columns.map((c) => `${stringSql(alias, c, schema)} AS ${c}`).join(', ');
}

/**
 * SQL that is true when the value of the string column `column` (its values among `dim`) of the
 * row aliased `alias` meets `condition`, given SQL for the value: the matching strings are found on
 * their index (a few hundred rows at most for every dim but path), then the rows through the
 * column's own index.
 */
export function stringCondition(alias: string, column: string, dim: StringColumn, condition: (valueSql: string) => string): string {
  return `${alias}.${column}_id IN (SELECT id FROM strings WHERE dim = ${STRING_DIMS[dim]} AND ${condition('value')})`;
}

/** Distinct values remembered per dim before the memory starts again (paths are often all distinct). */
const REMEMBERED = 20_000;

/** The strings' index, which a bulk load builds at its end (see StringInterner.beginBulkLoad). */
export const STRING_INDEX = 'CREATE INDEX IF NOT EXISTS strings_value ON strings(dim, value COLLATE NOCASE)';

/**
 * The bulk load's table of value hashes: one Int32 a slot, a value's id in its low ID_BITS bits and
 * its hash's high bits above them (0: an empty slot). It starts at FIRST_HASH_SLOTS (4 MB) and
 * doubles when GROW_AT of it is used, up to MAX_HASH_SLOTS (16 MB), which it fills up to
 * FULL_AT: 3.67M values. At 1 << 20 slots of two Int32 arrays it held 734k values, and a 10M-line
 * EFT log (3.5M values, nearly all paths) went on from its 2.1 millionth line with the index,
 * whose new entries land on random pages: 235.6, 230.1 → 186.9, 179.8 s with room for them all.
 */
export const ID_BITS = 22;
const ID_MASK = (1 << ID_BITS) - 1;
const FIRST_HASH_SLOTS = 1 << 20;
const MAX_HASH_SLOTS = 1 << 22;
const GROW_AT = 0.75;
const FULL_AT = 0.875;

/**
 * Values remembered by id in a bulk load, in the slot of their id's low bits (see hashedId): ids
 * given close together are remembered together, as the lines that use them are close together.
 */
const RECENT_BITS = 16;
const RECENT_MASK = (1 << RECENT_BITS) - 1;

/** The bulk load's table of value hashes (see ID_BITS), with the values met last by id (RECENT_BITS). */
interface HashTable {
  slots: Int32Array;
  count: number;
  lastId: number;
  recentIds: Int32Array;
  recentDims: Uint8Array;
  recentValues: (string | undefined)[];
}

const hashTable = (slots: number): HashTable => ({
  slots: new Int32Array(slots),
  count: 0,
  lastId: 0,
  recentIds: new Int32Array(1 << RECENT_BITS),
  recentDims: new Uint8Array(1 << RECENT_BITS),
  recentValues: new Array<string | undefined>(1 << RECENT_BITS).fill(undefined),
});

/** FNV-1a over the UTF-16 code units, seeded by the dim: a 32-bit hash of (dim, value). */
export function valueHash(dim: number, value: string): number {
  let h = (0x811c9dc5 ^ dim) | 0;
  for (let i = 0; i < value.length; i++) h = Math.imul(h ^ value.charCodeAt(i), 0x01000193);
  return h;
}

/**
 * Gives each value its id, adding new values, inside the writer's transaction. The values met last
 * are remembered (most lines repeat the previous lines' users, IPs and commands); the others are
 * looked up on the index.
 *
 * In a bulk load the index is not kept up to date value by value: a table of the hashes of every
 * value in `strings` tells a new value without a lookup (a hash met before is checked against the
 * row it names), and the index is built once at the end (300k EFT lines, 130k distinct values:
 * interning 1.64 → 0.96 s of CPU, commits 0.92 → 0.50 s). Past what the table holds the index is
 * built and used as usual.
 */
export class StringInterner {
  private readonly find;
  private readonly add;
  private readonly valueOf;
  private readonly newer;
  private readonly known: Map<string, number>[] = STRING_COLUMNS.map(() => new Map());
  /** Values by id, for valueOfId. */
  private readonly names: Map<number, string>[] = STRING_COLUMNS.map(() => new Map());
  /**
   * The last value of each dim and its id: consecutive lines mostly repeat their server, protocol,
   * client and user, and comparing with the last one is cheaper than hashing a new string for the
   * map (1M EFT lines: 9M lookups).
   */
  private readonly lastValue: (string | undefined)[] = STRING_COLUMNS.map(() => undefined);
  private readonly lastId: number[] = STRING_COLUMNS.map(() => 0);
  /** In a bulk load: the table of value hashes (see ID_BITS), the values it holds and the highest id. */
  private hashes: HashTable | undefined;

  /** `hashSlots`: the table's first and largest sizes in a bulk load (powers of two; tests lower them). */
  constructor(
    private readonly db: Db,
    private readonly hashSlots = { first: FIRST_HASH_SLOTS, max: MAX_HASH_SLOTS },
  ) {
    const powerOfTwo = (n: number) => Number.isInteger(Math.log2(n));
    if (!powerOfTwo(hashSlots.first) || !powerOfTwo(hashSlots.max) || hashSlots.max < hashSlots.first) {
      throw new RangeError(`the string table's sizes must be powers of two, the first no larger: ${JSON.stringify(hashSlots)}`);
    }
    this.find = db.prepare('SELECT id, value FROM strings WHERE dim = ? AND value = ? COLLATE NOCASE');
    this.add = db.prepare('INSERT INTO strings (dim, value) VALUES (?, ?)');
    this.valueOf = db.prepare('SELECT dim, value FROM strings WHERE id = ?');
    this.newer = db.prepare('SELECT id, dim, value FROM strings WHERE id > ? ORDER BY id').raw();
  }

  id(column: StringColumn, value: string | undefined | null): number | null {
    if (value === undefined || value === null) return null;
    const dim = STRING_DIMS[column];
    if (value === this.lastValue[dim]) return this.lastId[dim]!;
    let id: number | undefined;
    if (this.hashes) {
      id = this.hashedId(dim, value);
    } else {
      const known = this.known[dim]!;
      id = known.get(value);
      if (id === undefined) {
        id = this.indexedId(dim, value);
        if (known.size >= REMEMBERED) known.clear();
        known.set(value, id);
      }
    }
    this.lastValue[dim] = value;
    this.lastId[dim] = id;
    return id;
  }

  /** `value`, whose id is `id`, is the one of its column met last (see id()): given without a lookup. */
  metLast(column: StringColumn, value: string, id: number): void {
    const dim = STRING_DIMS[column];
    this.lastValue[dim] = value;
    this.lastId[dim] = id;
  }

  /**
   * The value of a stored string id of `column`, remembered both ways: a rebuild reads the rows'
   * ids and hands their values to the analysis, whose id() then finds them without a lookup.
   */
  valueOfId(column: StringColumn, id: number | null): string | null {
    if (id === null) return null;
    const dim = STRING_DIMS[column];
    if (id === this.lastId[dim]) return this.lastValue[dim]!;
    const names = this.names[dim]!;
    let value = names.get(id);
    if (value === undefined) {
      const row = this.valueOf.get(id) as { dim: number; value: string } | undefined;
      if (!row) return null;
      if (row.dim !== dim) throw new Error(`string ${id} is a value of dim ${row.dim}, not of ${column}`);
      value = row.value;
      if (names.size >= REMEMBERED) names.clear();
      names.set(id, value);
    }
    const known = this.known[dim]!;
    if (!known.has(value)) {
      if (known.size >= REMEMBERED) known.clear();
      known.set(value, id);
    }
    this.lastValue[dim] = value;
    this.lastId[dim] = id;
    return value;
  }

  private indexedId(dim: number, value: string): number {
    // Case variants share the index entry: the exact spelling is picked here.
    for (const row of this.find.all(dim, value) as { id: number; value: string }[]) if (row.value === value) return row.id;
    return Number(this.add.run(dim, value).lastInsertRowid);
  }

  /**
   * A value's id in a bulk load: its hash's slots, each checked against the value met last under
   * that id (`recent`) or else against its row. Values looked up in a Map of those met recently, as
   * outside a bulk load, cost more than the table (1M EFT lines, --cpu-prof: the Map's gets and sets
   * 0.79 s of the writer's thread).
   */
  private hashedId(dim: number, value: string): number {
    const t = this.hashes!;
    const slots = t.slots;
    const h = valueHash(dim, value);
    const tag = h & ~ID_MASK;
    const mask = slots.length - 1;
    // It ends at an empty slot: the table is never more than FULL_AT full (see place).
    for (let slot = h & mask; slots[slot] !== 0; slot = (slot + 1) & mask) {
      if ((slots[slot]! & ~ID_MASK) !== tag) continue;
      const id = slots[slot]! & ID_MASK;
      const at = id & RECENT_MASK;
      if (t.recentIds[at] === id) {
        // A value met under this id: the id is the value's when the value and its dim are.
        if (t.recentValues[at] === value && t.recentDims[at] === dim) return id;
        continue;
      }
      const row = this.valueOf.get(id) as { dim: number; value: string } | undefined;
      if (row && row.dim === dim && row.value === value) {
        this.recent(id, dim, value);
        return id;
      }
    }
    const id = Number(this.add.run(dim, value).lastInsertRowid);
    const placed = this.place(h, id);
    if (placed !== 'placed') this.makeRoom(placed); // which puts it in the grown table, or ends
    else this.recent(id, dim, value);
    return id;
  }

  /** Remembers that `value` of `dim` is string `id` (in the slot of its id: the one met last there). */
  private recent(id: number, dim: number, value: string): void {
    const t = this.hashes!;
    const at = id & RECENT_MASK;
    t.recentIds[at] = id;
    t.recentDims[at] = dim;
    t.recentValues[at] = value;
  }

  /**
   * Puts a value's id in the table, unless the id is too big for it or the table is full enough:
   * GROW_AT of it below the largest size (it doubles), FULL_AT at it (its probes would grow long,
   * and a full one would never end). Then makeRoom.
   */
  private place(hash: number, id: number): 'placed' | 'full' | 'id too big' {
    const t = this.hashes!;
    if (id > ID_MASK) return 'id too big';
    if (t.count >= t.slots.length * (t.slots.length < this.hashSlots.max ? GROW_AT : FULL_AT)) return 'full';
    const mask = t.slots.length - 1;
    let slot = hash & mask;
    while (t.slots[slot] !== 0) slot = (slot + 1) & mask;
    t.slots[slot] = (hash & ~ID_MASK) | id;
    t.count++;
    t.lastId = Math.max(t.lastId, id);
    return 'placed';
  }

  /**
   * A table that is full enough doubles, its values read again (its hashes are not kept whole), up
   * to the largest size; past that, or for an id too big for it, the bulk load ends: the index again.
   */
  private makeRoom(why: 'full' | 'id too big'): void {
    const t = this.hashes;
    if (!t) return;
    if (why === 'id too big' || t.slots.length >= this.hashSlots.max) return this.endBulkLoad();
    this.hashes = hashTable(t.slots.length * 2);
    this.hashAll(this.newer.iterate(0));
  }

  /**
   * Puts each row's value in the table. Making room waits until the rows have been read: no other
   * statement may run meanwhile (better-sqlite3), and growing reads them all again anyway.
   */
  private hashAll(rows: Iterable<unknown>): void {
    let placed: ReturnType<StringInterner['place']> = 'placed';
    for (const [id, dim, value] of rows as Iterable<[number, number, string]>) {
      if ((placed = this.place(valueHash(dim, value), id)) !== 'placed') break;
    }
    if (placed !== 'placed') this.makeRoom(placed);
  }

  /**
   * A bulk load starts (into a database with no events): values are told apart by their hashes
   * and the index goes until endBulkLoad. Not when `strings` already holds too many values.
   */
  beginBulkLoad(): void {
    if (this.hashes) return;
    const count = this.db.prepare('SELECT count(*) FROM strings').pluck().get() as number;
    let size = this.hashSlots.first;
    while (count > size * GROW_AT && size < this.hashSlots.max) size *= 2;
    if (count > size * GROW_AT) return;
    this.hashes = hashTable(size);
    this.hashAll(this.newer.iterate(0));
    if (!this.hashes) return;
    this.db.exec('DROP INDEX IF EXISTS strings_value');
  }

  /**
   * Before each batch of a bulk load: values another process added meanwhile (two writers take
   * turns) join the table, so that none is added twice.
   */
  catchUp(): void {
    if (this.hashes) this.hashAll(this.newer.iterate(this.hashes.lastId));
  }

  /** The bulk load ends (or has too many values): the index is built and used again. */
  endBulkLoad(): void {
    this.hashes = undefined;
    this.db.exec(STRING_INDEX);
  }

  /**
   * Forgets the remembered ids: a rolled-back transaction may have added some of them. Its table
   * too: the index is the truth again (built again if the rolled-back transaction had built it,
   * ending the bulk load).
   */
  reset(): void {
    for (const m of this.known) m.clear();
    for (const m of this.names) m.clear();
    this.lastValue.fill(undefined);
    this.lastId.fill(0);
    this.endBulkLoad();
  }
}
