/**
 * What an index run reports (indexer.ts): its progress and its summary. Types only, importing
 * nothing: the API contract builds its index results from them, and the renderer type-checks them
 * without Node types.
 */

/** A path that could not be read, and why in words. */
export interface InputError {
  path: string;
  reason: string;
}

export interface IndexProgress {
  /** The file being read. */
  file: string;
  filesDone: number;
  filesTotal: number;
  bytesDone: number;
  bytesTotal: number;
  /**
   * Why the run is waiting instead of reading (the database's disk is full), in one line; absent
   * once it goes on. A waiting run tries again by itself every few seconds.
   */
  stalled?: string;
}

/** How much was indexed: by one run (IndexSummary) or in the whole database (DatabaseStats). */
export interface IndexedTotals {
  files: number;
  lines: number;
  events: number;
  directives: number;
  unparsed: number;
  bytes: number;
  /** Number of files per format id. */
  formats: Record<string, number>;
}

/** What one index run did (the CLI's `index --json`). */
export interface IndexSummary extends IndexedTotals {
  ms: number;
  errors: InputError[];
}
