/**
 * What `databaseStats` (stats.ts) answers. Types only, importing only types: the API contract
 * builds its `db/stats` answer from it, and the renderer type-checks it without Node types.
 */
import type { IndexedTotals } from '../ingest/index-types.js';

/** Totals for the whole database; `formats` counts sources, `unknown` those of no recognised format. */
export interface DatabaseStats extends IndexedTotals {
  /** Indexed files (the same as `files`: the CLI's `stats --json` has both). */
  sources: number;
}
