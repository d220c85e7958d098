/**
 * Everything that explains a result row: its code (status, transfer code or login code) with the
 * row's protocol, format and command, and for catalogued messages its message. The API's details
 * (`events/context`, `sessions/get`) and reports both use it.
 */
import type { QueryKind } from '../query/column-types.js';
import { explainCode, explainText } from './index.js';
import type { Explanation } from './types.js';

/** An explanation with only its declared fields (no table-internal ones such as aliases). */
export const plainExplanation = ({ code, title, meaning, severity, advice, name, table }: Explanation): Explanation => ({
  code, title, meaning, severity, advice, table, ...(name ? { name } : {}),
});

/** Everything that explains a row's code (and, for catalogued messages, its message). */
export function rowExplanations(kind: QueryKind, row: Readonly<Record<string, unknown>>): Explanation[] {
  const s = (k: string) => (typeof row[k] === 'string' ? (row[k] as string) : undefined);
  const code = kind === 'events' ? s('status') : kind === 'transfers' ? s('code') : s('login_code');
  const opts = {
    ...(s('protocol') ? { protocol: s('protocol')! } : {}), ...(s('format') ? { format: s('format')! } : {}),
    ...(kind === 'events' ? (s('verb') ? { verb: s('verb')! } : {}) : { answers: kind === 'sessions' ? ('login' as const) : ('transfer' as const) }),
  };
  const found = code ? explainCode(code, opts) : [];
  const message = kind === 'events' ? s('message') : kind === 'sessions' ? s('login_reason') : undefined;
  if (message) {
    const seen = new Set(found.map((x) => `${x.table}:${x.code}`));
    for (const x of explainText(message)) if (!seen.has(`${x.table}:${x.code}`)) found.push(x);
  }
  return found.map(plainExplanation);
}
