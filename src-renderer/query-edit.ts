/**
 * Small edits of a search-language query made by the UI (click-to-filter, the chart brush, the
 * autocomplete). The back end parses queries; this only needs to find the words of a query the way
 * its lexer splits them (white space ends a word, quotes hold spaces, parentheses nest) so that
 * terms are added or replaced without changing the meaning of the rest. Pure: no DOM.
 */

export interface Word {
  /** Offsets in the query: `text = query.slice(start, end)`. */
  start: number;
  end: number;
  text: string;
  /** Parentheses open around the word (0 = top level). */
  depth: number;
}

/** The white space that ends a word: the lexer's own set (a U+2028 inside a word is text). */
const SPACE = /[ \t\n\r\f\v\u00a0]/;
const FIELD_PREFIX = /^([A-Za-z][A-Za-z0-9_-]*):/;
/** What may follow a `-` that negates (the lexer's rule); before anything else a dash is text. */
const NEGATABLE = /[\p{L}\p{N}_("*]/u;

/** Index just past a quoted string starting at `i` (the quote), or the end when it is not closed. */
function skipQuoted(q: string, i: number): number {
  let j = i + 1;
  while (j < q.length) {
    if (q[j] === '\\' && (q[j + 1] === '"' || q[j + 1] === '\\')) j += 2;
    else if (q[j] === '"') return j + 1;
    else j++;
  }
  return j;
}

/** The words of a query with their nesting depth; parentheses that group are not part of words. */
export function words(q: string): Word[] {
  const out: Word[] = [];
  let depth = 0;
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (SPACE.test(c)) {
      i++;
    } else if (c === '(') {
      depth++;
      i++;
    } else if (c === ')') {
      depth = Math.max(0, depth - 1);
      i++;
    } else if (c === '-' && q[i + 1] === '(') {
      i++; // `-(…)`: the dash negates the group that follows; it is not a word
    } else {
      const start = i;
      // `-` before a word or a phrase negates it (the lexer's rule): the word keeps its dash and is
      // read after it, so that `-user:"a b"` and `-"a b"` hold their quoted spaces.
      if (c === '-' && NEGATABLE.test(q[i + 1] ?? '')) i++;
      const body = i;
      let inner = 0;
      if (q[i] === '"') {
        i = skipQuoted(q, i);
      } else {
        while (i < q.length) {
          const ch = q[i]!;
          if (SPACE.test(ch)) break;
          if (ch === ')') {
            if (inner === 0) break;
            inner--;
          } else if (ch === '(') {
            inner++;
          } else if (ch === '"' && FIELD_PREFIX.exec(q.slice(body, i))?.[0].length === i - body) {
            i = skipQuoted(q, i);
            break;
          }
          i++;
        }
      }
      out.push({ start, end: i, text: q.slice(start, i), depth });
    }
  }
  return out;
}

/** A value as the search language needs it: bare when it is one plain word, else in quotes. */
export function quoteValue(value: string): string {
  if (value !== '' && /^[^\s"()\\]+$/.test(value) && !value.startsWith('-')) return value;
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`)}"`;
}

export const filterTerm = (field: string, value: string): string => `${field}:${quoteValue(value)}`;

const hasTopLevelOr = (q: string): boolean => words(q).some((w) => w.depth === 0 && w.text === 'OR');

/**
 * `q` AND `term`: appended, with `q` in parentheses when it has a top-level OR (`a OR b` becomes
 * `(a OR b) term`, not `a OR (b term)`). A term already there at the top level is not repeated.
 */
export function andTerm(q: string, term: string): string {
  const base = q.trim();
  if (!base) return term;
  if (hasTopLevelOr(base)) {
    // A last word with an open parenthesis (`b(`) would take the closing one in: a space keeps it out.
    const absorbed = words(`${base})`).at(-1)?.end === base.length + 1;
    return `(${base}${absorbed ? ' ' : ''}) ${term}`;
  }
  if (words(base).some((w) => w.depth === 0 && w.text === term)) return base;
  return `${base} ${term}`;
}

/** Adds `field:value` to the query (click-to-filter). */
export const addFilter = (q: string, field: string, value: string): string => andTerm(q, filterTerm(field, value));

const TIME_TERM = /^(after|before|since|until):/i;

/** The query without its top-level time terms (`after:`/`before:` and their aliases). */
function withoutTimeTerms(q: string): string {
  let out = q;
  // Right to left, so earlier offsets stay valid.
  for (const w of words(q).reverse()) {
    if (w.depth !== 0 || !TIME_TERM.test(w.text)) continue;
    const before = out.slice(0, w.start).replace(/\s+$/, '');
    const after = out.slice(w.end).replace(/^\s+/, '');
    out = before && after ? `${before} ${after}` : before + after;
  }
  return out.trim();
}

/**
 * Replaces the query's top-level time range by [from, to) (UTC ISO instants, so the zone setting
 * cannot shift them); null ends are left open. Both null clears the range.
 */
export function setTimeRange(q: string, from: number | null, to: number | null): string {
  let out = withoutTimeTerms(q);
  if (from !== null) out = andTerm(out, `after:${new Date(from).toISOString()}`);
  if (to !== null) out = andTerm(out, `before:${new Date(to).toISOString()}`);
  return out;
}

/** The top-level `after:`/`before:` values as written (for the "time filter" chip), if any. */
export function timeRangeOf(q: string): { after: string | null; before: string | null } {
  let after: string | null = null;
  let before: string | null = null;
  for (const w of words(q)) {
    if (w.depth !== 0) continue;
    const m = /^(after|since|before|until):(.*)$/i.exec(w.text);
    if (!m) continue;
    const value = m[2]!.replace(/^"(.*)"$/, '$1');
    if (/^(after|since)$/i.test(m[1]!)) after = value;
    else before = value;
  }
  return { after, before };
}

/** The word being typed at `caret` (for autocomplete): its bounds, and its field and value so far. */
export interface TermAtCaret {
  start: number;
  end: number;
  /** Lower-case field name when the word is `field:…` (the caret after the colon). */
  field: string | null;
  /** What is typed of the value (or of the whole word), up to the caret, quotes and `-` removed. */
  prefix: string;
  /** A leading `-` (negation) kept when the word is replaced. */
  negated: boolean;
}

export function termAtCaret(q: string, caret: number): TermAtCaret | null {
  // The word under the caret as the lexer sees it (a quoted value may hold spaces).
  const word = words(q).find((w) => w.start < caret && caret <= w.end);
  if (!word) return null;
  let typed = q.slice(word.start, caret);
  const negated = typed.startsWith('-');
  if (negated) typed = typed.slice(1);
  if (typed.startsWith('"')) return null; // a phrase: nothing to complete
  const m = FIELD_PREFIX.exec(typed);
  if (m) return { start: word.start, end: word.end, field: m[1]!.toLowerCase(), prefix: typed.slice(m[0].length).replace(/^"/, ''), negated };
  return { start: word.start, end: word.end, field: null, prefix: typed, negated };
}

/** Puts `replacement` in place of the word at the caret; returns the new query and caret. */
export function replaceTerm(q: string, term: TermAtCaret, replacement: string, trailingSpace: boolean): { query: string; caret: number } {
  const text = (term.negated ? '-' : '') + replacement;
  const rest = q.slice(term.end);
  const space = trailingSpace && !/^\s/.test(rest) ? ' ' : '';
  return { query: q.slice(0, term.start) + text + space + rest, caret: term.start + text.length + space.length };
}
