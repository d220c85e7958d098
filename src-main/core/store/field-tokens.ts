/**
 * The tokens of events_fields (store/full-text.ts), the full-text file's postings lists of the rows
 * that hold each user, client IP, code and path: a row holding string 42 as its user holds the token
 * `u42`. The query layer writes them into its matches (query/to-sql.ts).
 */
import type { StringColumn } from './strings.js';

/** The string columns whose rows events_fields finds, and each one's token letter. */
export const FIELD_TOKENS = { user: 'u', client_ip: 'i', status: 'c', path: 'p' } as const satisfies Partial<Record<StringColumn, string>>;
export type FieldColumn = keyof typeof FIELD_TOKENS;

/** The token of the rows whose `column` is the string `id`. */
export const fieldToken = (column: FieldColumn, id: number): string => FIELD_TOKENS[column] + id;

