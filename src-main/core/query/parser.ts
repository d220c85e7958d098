/**
 * Query string → tree. Precedence: NOT (and `-`) binds tightest, then AND (implicit between
 * terms, or written), then OR; parentheses group. Every error names its column.
 */
import { QuerySyntaxError } from './errors.js';
import { FieldValueError, parseFieldValue, resolveField, suggestField, FIELD_NAMES, type FieldName, type FieldValue, type ValueContext } from './fields.js';
import { tokenize, type Token } from './lexer.js';

export type QueryNode =
  | { type: 'all' }
  | { type: 'and'; items: QueryNode[] }
  | { type: 'or'; items: QueryNode[] }
  | { type: 'not'; item: QueryNode; col: number }
  /** Free text: a word (`quoted` false) or a "quoted phrase". */
  | { type: 'text'; value: string; quoted: boolean; col: number }
  | { type: 'field'; field: FieldName; value: FieldValue; col: number };

/**
 * Limits that keep any query within what the compiler (recursive) and SQLite (expressions at most
 * 1000 deep) can take; no one types more, and a pasted runaway query gets an error, not a crash.
 */
export const MAX_TERMS = 256;
export const MAX_NESTING = 64;

export function parseQuery(query: string, ctx: ValueContext): QueryNode {
  const tokens = tokenize(query);
  let pos = 0;
  let terms = 0;
  let nesting = 0;
  const endCol = query.length + 1;
  const peek = (): Token | undefined => tokens[pos];
  const nest = (col: number) => {
    if (++nesting > MAX_NESTING) throw new QuerySyntaxError(`too deeply nested (at most ${MAX_NESTING} levels of parentheses and NOT)`, col);
  };

  const startsTerm = (t: Token | undefined) => !!t && (t.t === 'term' || t.t === 'lparen' || t.t === 'not');

  function parseOr(): QueryNode {
    const items = [parseAnd()];
    while (peek()?.t === 'or') {
      pos++;
      if (!startsTerm(peek())) throw new QuerySyntaxError('"OR" needs a term after it', peek()?.col ?? endCol);
      items.push(parseAnd());
    }
    return items.length === 1 ? items[0]! : { type: 'or', items };
  }

  function parseAnd(): QueryNode {
    const items = [parseUnary()];
    for (;;) {
      const t = peek();
      if (t?.t === 'and') {
        pos++;
        if (!startsTerm(peek())) throw new QuerySyntaxError('"AND" needs a term after it', peek()?.col ?? endCol);
      } else if (!startsTerm(t)) {
        break;
      }
      items.push(parseUnary());
    }
    return items.length === 1 ? items[0]! : { type: 'and', items };
  }

  function parseUnary(): QueryNode {
    const t = peek();
    if (t?.t === 'not') {
      pos++;
      if (!startsTerm(peek())) throw new QuerySyntaxError(t.dash ? '"-" must be followed by a term' : '"NOT" needs a term after it', peek()?.col ?? endCol);
      nest(t.col);
      const item = parseUnary();
      nesting--;
      return { type: 'not', item, col: t.col };
    }
    return parsePrimary();
  }

  function parsePrimary(): QueryNode {
    const t = tokens[pos];
    if (!t) throw new QuerySyntaxError('a term is missing', endCol);
    switch (t.t) {
      case 'lparen': {
        pos++;
        if (peek()?.t === 'rparen') throw new QuerySyntaxError('empty parentheses', t.col, 'put a term between them');
        if (!peek()) throw new QuerySyntaxError('missing ")"', endCol, `to close the "(" at column ${t.col}`);
        nest(t.col);
        const inner = parseOr();
        nesting--;
        const close = peek();
        if (close?.t !== 'rparen') throw new QuerySyntaxError('missing ")"', close?.col ?? endCol, `to close the "(" at column ${t.col}`);
        pos++;
        return inner;
      }
      case 'rparen':
        throw new QuerySyntaxError('unexpected ")"', t.col, 'no "(" opened it');
      case 'or':
      case 'and':
        throw new QuerySyntaxError(`"${t.t.toUpperCase()}" needs a term before it`, t.col);
      case 'not':
        throw new QuerySyntaxError('unexpected "NOT"', t.col);
      case 'term': {
        pos++;
        if (++terms > MAX_TERMS) throw new QuerySyntaxError(`too many terms (at most ${MAX_TERMS})`, t.col, 'narrow the search with fewer, broader terms');
        if (t.field === undefined) {
          // The bare word `failed` is the shorthand for status:failed; "failed" in quotes is text.
          if (t.quoted && t.value === '') throw new QuerySyntaxError('empty quotes', t.col, 'put the text to search for between them');
          if (!t.quoted && t.value.toLowerCase() === 'failed') return { type: 'field', field: 'status', value: { field: 'status', outcome: 'failed' }, col: t.col };
          return { type: 'text', value: t.value, quoted: t.quoted, col: t.col };
        }
        const field = resolveField(t.field);
        // `Error:` ending a word, or an IPv6 address (fe80::1), is text rather than a field.
        if (!field && !t.quoted && (t.value === '' || t.value.startsWith(':') || /\d/.test(t.field))) {
          return { type: 'text', value: t.raw, quoted: false, col: t.col };
        }
        if (!field) {
          const guess = suggestField(t.field);
          throw new QuerySyntaxError(
            `unknown field "${t.field}"`, t.col,
            guess ? `did you mean ${guess}?` : `fields: ${FIELD_NAMES.join(', ')}; to search for the text, put it in quotes`,
          );
        }
        try {
          return { type: 'field', field, value: parseFieldValue(field, t.value, ctx), col: t.col };
        } catch (err) {
          if (err instanceof FieldValueError) throw new QuerySyntaxError(err.reason, t.valueCol, err.hint);
          throw err;
        }
      }
    }
  }

  if (!tokens.length) return { type: 'all' };
  const tree = parseOr();
  const rest = peek();
  if (rest) {
    // parseAnd consumes every term, so what is left is a ")" without its "(".
    throw new QuerySyntaxError(`unexpected "${rest.t === 'rparen' ? ')' : rest.t.toUpperCase()}"`, rest.col, rest.t === 'rparen' ? 'no "(" opened it' : undefined);
  }
  return tree;
}
