/** A query string that cannot be understood; `column` (1-based) points at the offending character. */
export class QuerySyntaxError extends Error {
  constructor(
    /** What is wrong, without the position (the message adds "at column N"). */
    readonly reason: string,
    readonly column: number,
    readonly hint?: string,
  ) {
    super(`${reason} at column ${column}${hint ? ` (${hint})` : ''}`);
    this.name = 'QuerySyntaxError';
  }
}
