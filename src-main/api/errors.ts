/**
 * Errors as the transports carry them (`ApiErrorBody`: a message for people and, for a mistake in
 * a search, its column). Internal failures keep their message but never their stack.
 */
import { QuerySyntaxError } from '../core/query/errors.js';
import { DatabaseError } from '../core/store/faults.js';
import type { ApiErrorBody, ApiReply } from './contract.js';

/** A refusal with its HTTP status: 400 bad input, 403 not offered in this mode, 404 not found. */
export class ApiError extends Error {
  readonly status: number;
  readonly column: number | undefined;
  constructor(message: string, opts: { status: number; column?: number }) {
    super(message);
    this.name = 'ApiError';
    this.status = opts.status;
    this.column = opts.column;
  }
}

/** The status and body a transport sends for an error a handler threw. */
export function errorReply(err: unknown): { status: number; body: ApiErrorBody } {
  if (err instanceof ApiError) return { status: err.status, body: { error: err.message, ...(err.column !== undefined ? { column: err.column } : {}) } };
  if (err instanceof QuerySyntaxError) return { status: 400, body: { error: err.message, column: err.column } };
  // The query module reports bad sort columns, cursors and limits as RangeErrors: the caller's mistake.
  if (err instanceof RangeError) return { status: 400, body: { error: err.message } };
  // The database's storage (full disk, lock, I/O error, damage): the server is fine, the file is not.
  if (err instanceof DatabaseError) return { status: 503, body: { error: err.message } };
  const message = err instanceof Error ? err.message : String(err);
  return { status: 500, body: { error: message || 'internal error' } };
}

/** Whether a failure is ours to log: a 5xx that is not a refusal (ApiError, e.g. 503 while the database is upgraded). */
export function isOwnFailure(err: unknown, status: number): boolean {
  return status >= 500 && !(err instanceof ApiError);
}

/**
 * Runs a handler and answers its outcome as one value (IPC, and HTTP when the page asks for it).
 * A failure of ours (see isOwnFailure) is also given to `logFailure`, with its stack.
 */
export async function replyOf(run: () => Promise<unknown>, logFailure: (err: unknown) => void): Promise<ApiReply<unknown>> {
  try {
    return { value: await run() };
  } catch (err) {
    const { status, body } = errorReply(err);
    if (isOwnFailure(err, status)) logFailure(err);
    return { error: body };
  }
}
