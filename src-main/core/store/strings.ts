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
export const TRANSFER_STRING_COLUMNS = Object.keys(TRANSFER_STRING_DIMS) as TransferStringColumn[];

/**
 * SQL for the value of the string column `column` (held as `<column>_id`) of the row aliased
 * `alias`; `schema` names an attached database.
 */
export function stringSql(alias: string, column: string, schema = 'main'): string {
  return `(SELECT value FROM ${schema}.strings WHERE id = ${alias}.${column}_id)`;
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

/**
 * Gives each value its id, adding new values, inside the writer's transaction. The values met last
 * are remembered (most lines repeat the previous lines' users, IPs and commands); the others are
 * looked up on the index.
 */
export class StringInterner {
  private readonly find;
  private readonly add;
  private readonly known: Map<string, number>[] = STRING_COLUMNS.map(() => new Map());

  constructor(db: Db) {
    this.find = db.prepare('SELECT id, value FROM strings WHERE dim = ? AND value = ? COLLATE NOCASE');
    this.add = db.prepare('INSERT INTO strings (dim, value) VALUES (?, ?)');
  }

  id(column: StringColumn, value: string | undefined | null): number | null {
    if (value === undefined || value === null) return null;
    const dim = STRING_DIMS[column];
    const known = this.known[dim]!;
    let id = known.get(value);
    if (id !== undefined) return id;
    // Case variants share the index entry: the exact spelling is picked here.
    for (const row of this.find.all(dim, value) as { id: number; value: string }[]) if (row.value === value) id = row.id;
    id ??= Number(this.add.run(dim, value).lastInsertRowid);
    if (known.size >= REMEMBERED) known.clear();
    known.set(value, id);
    return id;
  }

  /** Forgets the remembered ids: a rolled-back transaction may have added some of them. */
  reset(): void {
    for (const m of this.known) m.clear();
  }
}
