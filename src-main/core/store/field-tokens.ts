/**
 * The tokens of events_fields (store/full-text.ts), the full-text file's postings lists of the rows
 * that hold each user, client IP, code and path: a row holding string 42 as its user holds the
 * token `u42`. A row with a path also holds a token for each folder above it (`folderToken`), so
 * that a folder's rows are one list, however many paths it holds. The query layer writes them into
 * its matches (query/to-sql.ts).
 */
import type { Db } from './db.js';
import type { StringColumn } from './strings.js';

/** The string columns whose rows events_fields finds, and each one's token letter. */
export const FIELD_TOKENS = { user: 'u', client_ip: 'i', status: 'c', path: 'p' } as const satisfies Partial<Record<StringColumn, string>>;
export type FieldColumn = keyof typeof FIELD_TOKENS;

/** The token of the rows whose `column` is the string `id`. */
export const fieldToken = (column: FieldColumn, id: number): string => FIELD_TOKENS[column] + id;

/** An FTS5 expression for the rows whose `column` is any of the strings `ids` (and any of `more` tokens). */
export const anyFieldToken = (column: FieldColumn, ids: readonly number[], more: readonly string[] = []): string =>
  [...more, ...ids.map((id) => fieldToken(column, id))].join(' OR ');

const SLASH = 47;
const BACKSLASH = 92;

/** Folders of a path that get a token, from the top (a deeper folder's path: is not met on the lists). */
export const FOLDER_TOKEN_DEPTH = 8;

/**
 * Writes into `hashes` the hash of each folder of `path`, from the top, up to FOLDER_TOKEN_DEPTH of
 * them, and answers how many folders it has (all of them): each part that ends with a name before a
 * `/` or `\`, its ASCII letters folded as SQLite's NOCASE folds them (path: compares so). A
 * folder's hash has 53 bits (two FNV-1a variants over the same characters): folders are named in no
 * table (no lookup on the writer's thread, and none to keep), and the odds that a folder's token is
 * also another's are about n / 2^53 among n folders (10^-12 for 10^4). Its hash at each separator
 * is the hash of the part so far: one pass gives them all.
 */
function folderHashes(path: string, hashes: Float64Array): number {
  let a = 0x811c9dc5 | 0;
  let b = 0x9e3779b9 | 0;
  let n = 0;
  let afterName = false; // the part so far ends with a name, not a separator
  for (let i = 0; i < path.length; i++) {
    let c = path.charCodeAt(i);
    const separator = c === SLASH || c === BACKSLASH;
    if (separator && afterName && n++ < FOLDER_TOKEN_DEPTH) hashes[n - 1] = (a >>> 0) * 0x200000 + ((b >>> 0) >>> 11);
    afterName = !separator;
    if (c >= 65 && c <= 90) c += 32;
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return n;
}

const folderTokenOf = (hash: number) => 'f' + hash;

/**
 * The tokens of the folders above `path` (see folderHashes), separated by spaces ('' for none):
 * what folderTokensSql gives on the full-text thread, which the tests compare the lists with.
 */
export function folderTokens(path: string): string {
  const hashes = new Float64Array(FOLDER_TOKEN_DEPTH);
  return Array.from(hashes.subarray(0, Math.min(folderHashes(path, hashes), FOLDER_TOKEN_DEPTH)), folderTokenOf).join(' ');
}

/**
 * The token of the rows whose path lies under `folder` (as path: reads it: without a trailing
 * separator), or null for none: '' or a root (`/`), whose paths no token lists, or a folder deeper
 * than FOLDER_TOKEN_DEPTH.
 */
export function folderToken(folder: string): string | null {
  if (!folder || /[/\\]$/.test(folder)) return null;
  const hashes = new Float64Array(FOLDER_TOKEN_DEPTH);
  const n = folderHashes(folder + '/', hashes);
  return n >= 1 && n <= FOLDER_TOKEN_DEPTH ? folderTokenOf(hashes[n - 1]!) : null;
}

/**
 * SQL for the folder tokens of the path `pathSql` (NULL for none), on a connection with
 * ensureFieldFunctions: the functions give numbers, not text (a JavaScript function returning text
 * on the full-text thread took the peak RSS of a 1M-line first index from 250 to 300-316 MB).
 */
export function folderTokensSql(pathSql: string): string {
  const token = (k: number) => `'f' || CAST(xl_folder_hash(${k}) AS INTEGER)`;
  const upTo = (n: number) => Array.from({ length: n }, (_, k) => token(k + 1)).join(" || ' ' || ");
  const cases = Array.from({ length: FOLDER_TOKEN_DEPTH }, (_, k) => `WHEN ${k + 1} THEN ${upTo(k + 1)}`).join(' ');
  return `CASE xl_path_folders(${pathSql}) ${cases} END`;
}

const withFieldFunctions = new WeakSet<Db>();

/**
 * Registers on a connection that writes events_fields the functions of folderTokensSql:
 * `xl_path_folders(path)` reads a path's folders and answers how many (up to FOLDER_TOKEN_DEPTH),
 * `xl_folder_hash(k)` gives the k-th folder's hash of the path read last: a CASE evaluates its
 * operand before the branch it picks, and a connection evaluates one row at a time.
 */
export function ensureFieldFunctions(db: Db): void {
  if (withFieldFunctions.has(db)) return;
  const hashes = new Float64Array(FOLDER_TOKEN_DEPTH);
  let count = 0;
  let last: string | null = null;
  // Neither is deterministic: xl_folder_hash(1) declared so would be computed once per statement.
  db.function('xl_path_folders', { deterministic: false }, (path: unknown) => {
    if (typeof path !== 'string') return 0;
    if (path !== last) {
      count = Math.min(folderHashes(path, hashes), FOLDER_TOKEN_DEPTH);
      last = path;
    }
    return count;
  });
  db.function('xl_folder_hash', { deterministic: false }, (k: unknown) => (typeof k === 'number' && k >= 1 && k <= count ? hashes[k - 1]! : null));
  withFieldFunctions.add(db);
}
