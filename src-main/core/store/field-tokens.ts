/**
 * The tokens of events_fields (store/full-text.ts), the full-text file's postings lists of the rows
 * that hold each user, client IP and code: a row holding string 42 as its user holds the token
 * `u42`. The query layer writes them into its matches (query/to-sql.ts).
 */
import type { StringColumn } from './strings.js';

/** The string columns whose rows events_fields finds, and each one's token letter. */
// Not paths: a folder (path:/inbound/) is thousands of strings, whose rows a B-tree index on the
// path finds by probing each (10M EFT lines, 18k paths under /backup/: reading each one's postings
// list took 0.8 s), and paths' tokens were most of the lists.
export const FIELD_TOKENS = { user: 'u', client_ip: 'i', status: 'c' } as const satisfies Partial<Record<StringColumn, string>>;
export type FieldColumn = keyof typeof FIELD_TOKENS;

/** The token of the rows whose `column` is the string `id`. */
export const fieldToken = (column: FieldColumn, id: number): string => FIELD_TOKENS[column] + id;

