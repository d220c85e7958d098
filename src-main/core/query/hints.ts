/**
 * Searches that silently find too little: when a query finds few or no rows and a near rewrite of
 * it finds more, say so. The rewrites are the mistakes admins make most:
 * - a word that is an operation (`failed login`: the word "login" appears in few lines, whereas
 *   `dir:login` is every login);
 * - an unquoted path with a space (`path:/in/Q4 report.csv` is `path:/in/Q4` AND the word
 *   `report.csv`), or the `+` a W3C line writes for a space (`path:/in/Q4+report.csv`);
 * - a time filter past the data (`after:24h` on last month's logs): where the rows are instead.
 * Each suggestion is counted before it is offered, so a hint never leads to nothing.
 */
import type { Db } from '../store/db.js';
import { timeSpan } from './aggregate.js';
import type { QueryKind } from './columns.js';
import { tokenize, type TermToken } from './lexer.js';
import type { QueryHint } from './hint-types.js';
import { countRows, type CompileOptions } from './page.js';

export type { QueryHint } from './hint-types.js';

/** Hints are looked for when a query finds fewer rows than this. */
export const FEW_ROWS = 20;

const OPERATIONS = new Set(['login', 'logout', 'connect', 'upload', 'download', 'delete', 'rename', 'mkdir', 'rmdir']);
const KIND_OPERATIONS: Readonly<Record<QueryKind, (op: string) => boolean>> = {
  events: () => true,
  sessions: () => true,
  transfers: (op) => op !== 'login' && op !== 'logout' && op !== 'connect',
};
const TIME_FIELDS = new Set(['after', 'before', 'since', 'until']);
const PATH_FIELDS = new Set(['path', 'file']);

const quote = (value: string) => `"${value.replace(/(["\\])/g, '\\$1')}"`;

/** `q` with the terms from `first` to `last` (inclusive) replaced by `text` (and the space after a removed one). */
function replaceTerms(q: string, first: TermToken, last: TermToken, text: string): string {
  const start = first.col - 1;
  let end = last.col - 1 + last.raw.length;
  if (!text) while (q[end] === ' ') end++;
  return (q.slice(0, start) + text + q.slice(end)).trim();
}

/** Rewrites of `q` worth counting, each with the words that introduce it. */
function rewrites(q: string, kind: QueryKind): { query: string; text: (rewritten: string) => string }[] {
  const tokens = tokenize(q);
  const out: { query: string; text: (rewritten: string) => string }[] = [];
  const didYouMean = (r: string) => `did you mean ${r}?`;
  tokens.forEach((tok, i) => {
    if (tok.t !== 'term') return;
    const word = tok.value.toLowerCase();
    // A bare operation word: the operation, not the word.
    if (!tok.field && !tok.quoted && OPERATIONS.has(word) && KIND_OPERATIONS[kind](word)) {
      out.push({ query: replaceTerms(q, tok, tok, `dir:${word}`), text: didYouMean });
    }
    if (!tok.field || !PATH_FIELDS.has(tok.field) || tok.quoted) return;
    // `path:/in/Q4 report.csv`: the words right after the value belong to it.
    let last = tok;
    const parts = [tok.value];
    for (let j = i + 1; j < tokens.length; j++) {
      const next = tokens[j]!;
      if (next.t !== 'term' || next.field || next.quoted || next.col !== last.col + last.raw.length + 1) break;
      parts.push(next.value);
      last = next;
    }
    const field = q.slice(tok.col - 1, tok.valueCol - 1);
    if (last !== tok) out.push({ query: replaceTerms(q, tok, last, field + quote(parts.join(' '))), text: (r) => `a value with spaces needs quotes: ${r}?` });
    // The `+` of a raw W3C line is a space in the path.
    if (tok.value.includes('+')) out.push({ query: replaceTerms(q, tok, tok, field + quote(tok.value.replace(/\+/g, ' '))), text: (r) => `W3C logs write a space as +: did you mean ${r}?` });
  });
  return out;
}

/** Hints for a query that found `total` rows (best first; none when it found enough). */
export function queryHints(db: Db, kind: QueryKind, query: string, total: number, opts: CompileOptions = {}): QueryHint[] {
  if (total >= FEW_ROWS) return [];
  const hints: QueryHint[] = [];
  const seen = new Set<string>([query.trim()]);
  for (const r of rewrites(query, kind)) {
    if (seen.has(r.query)) continue;
    seen.add(r.query);
    let count: number;
    try {
      count = countRows(db, kind, r.query, opts);
    } catch {
      continue; // a rewrite the language refuses is no hint
    }
    if (count > total) hints.push({ text: r.text(r.query), query: r.query, count });
  }
  hints.sort((a, b) => b.count - a.count);
  if (total === 0) {
    const tokens = tokenize(query).filter((t): t is TermToken => t.t === 'term' && !!t.field && TIME_FIELDS.has(t.field));
    if (tokens.length) {
      let without = query;
      for (const t of [...tokens].reverse()) without = replaceTerms(without, t, t, '');
      const span = timeSpan(db, kind, without, opts);
      if (span) {
        const count = countRows(db, kind, without, opts);
        hints.push({ text: 'no rows in this time range: the rows are elsewhere', query: without, count, from: span.first, to: span.last });
      }
    }
  }
  return hints;
}
