/**
 * A page cursor positioned at a value of the sort column, for "jump to a time" in a table sorted by
 * time. Keyset paging cannot skip N rows, but it can start at any key: this writes the key the way
 * the query module's cursors hold one (src-main/core/query/page.ts `encodeCursor`: base64url JSON of
 * the sort column `s`, order `o`, value `v` and row id `i`), with no plan hint so the back end plans
 * the page itself. The id is chosen so that rows at exactly `value` are included: ascending pages
 * start after (value, 0), descending ones after (value, the largest id).
 *
 * Kept here because the contract's cursors are otherwise opaque; if the query module ever changes
 * its cursor format, the e2e jump-to-time test fails.
 */
import type { SortOrder } from '../src-main/api/contract.js';

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

export function cursorAt(sort: string, order: SortOrder, value: number): string {
  return base64url(JSON.stringify({ s: sort, o: order, v: value, i: order === 'asc' ? 0 : Number.MAX_SAFE_INTEGER }));
}
