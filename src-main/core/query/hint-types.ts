/** What `queryHints` (hints.ts) answers. Types only: the API contract and the renderer use it. */
export interface QueryHint {
  /** What to tell the user: "did you mean …?", "no rows in this time range…". */
  text: string;
  /** The query to run instead. */
  query: string;
  /** How many rows it finds. */
  count: number;
  /** For a time filter past the data: where the rows without it begin and end (UTC ms). */
  from?: number;
  to?: number;
}
