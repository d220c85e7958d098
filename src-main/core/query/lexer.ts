import { QuerySyntaxError } from './errors.js';

/**
 * Tokens of the search language. Columns are 1-based positions in the query string, for error
 * messages that point at the character.
 */
export type Token =
  | { t: 'lparen' | 'rparen' | 'or' | 'and'; col: number }
  /** `NOT` or a `-` prefix. */
  | { t: 'not'; col: number; dash: boolean }
  | TermToken;

export interface TermToken {
  t: 'term';
  col: number;
  /** Lower-case field name for `field:value`, else undefined (free text). */
  field?: string;
  /** The value (the text, or the part after `field:`), quotes removed. */
  value: string;
  /** Whether the value (or the whole free-text term) was written in quotes. */
  quoted: boolean;
  /** Column where the value starts. */
  valueCol: number;
  /** The term as written. */
  raw: string;
}

const isSpace = (c: string) => c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\f' || c === '\v' || c === '\u00a0';

/** `name:` at the start of a word: letters, then letters, digits, `_` or `-`. */
const FIELD_PREFIX = /^([A-Za-z][A-Za-z0-9_-]*):/;

/** Reads a quoted string starting at `start` (the opening quote): `\"` and `\\` are escapes. */
function readQuoted(q: string, start: number): { text: string; end: number } {
  let text = '';
  let i = start + 1;
  while (i < q.length) {
    const c = q[i]!;
    if (c === '\\' && (q[i + 1] === '"' || q[i + 1] === '\\')) {
      text += q[i + 1];
      i += 2;
    } else if (c === '"') {
      return { text, end: i + 1 };
    } else {
      text += c;
      i++;
    }
  }
  throw new QuerySyntaxError('unclosed quote', start + 1, 'add the closing "');
}

/**
 * Splits a query into tokens. Words end at white space; `(` groups only at the start of a word and
 * `)` ends a word unless the word opened its own `(`, so `file(1).txt` stays one word. `OR`, `AND`
 * and `NOT` are operators only in upper case; `-` before a term negates it.
 */
export function tokenize(q: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < q.length) {
    const c = q[i]!;
    if (isSpace(c)) {
      i++;
    } else if (c === '(') {
      tokens.push({ t: 'lparen', col: i + 1 });
      i++;
    } else if (c === ')') {
      tokens.push({ t: 'rparen', col: i + 1 });
      i++;
    } else if (c === '-' && (i + 1 >= q.length || isSpace(q[i + 1]!) || q[i + 1] === ')')) {
      throw new QuerySyntaxError('"-" must be followed by a term', i + 1, 'write -word or -field:value without a space; to search for a dash, quote it: "-"');
    } else if (c === '-' && /[\p{L}\p{N}_("*]/u.test(q[i + 1]!)) {
      // Only before a word, a group or a phrase: `->` or `--` are text.
      tokens.push({ t: 'not', col: i + 1, dash: true });
      i++;
    } else if (c === '"') {
      const { text, end } = readQuoted(q, i);
      tokens.push({ t: 'term', col: i + 1, value: text, quoted: true, valueCol: i + 2, raw: q.slice(i, end) });
      i = end;
    } else {
      const start = i;
      let depth = 0;
      let quotedValue: { text: string; end: number } | undefined;
      while (i < q.length) {
        const ch = q[i]!;
        if (isSpace(ch)) break;
        if (ch === ')') {
          if (depth === 0) break;
          depth--;
        } else if (ch === '(') {
          depth++;
        } else if (ch === '"' && FIELD_PREFIX.exec(q.slice(start, i))?.[0].length === i - start) {
          // `field:"a value"`: the quoted value ends the word.
          quotedValue = readQuoted(q, i);
          i = quotedValue.end;
          break;
        }
        i++;
      }
      const raw = q.slice(start, i);
      if (!quotedValue && (raw === 'OR' || raw === 'AND')) {
        tokens.push({ t: raw === 'OR' ? 'or' : 'and', col: start + 1 });
        continue;
      }
      if (!quotedValue && raw === 'NOT') {
        tokens.push({ t: 'not', col: start + 1, dash: false });
        continue;
      }
      const m = FIELD_PREFIX.exec(raw);
      // A one-letter prefix is a Windows drive (C:\logs) and `x://` a URL: both are text.
      if (m && m[1]!.length > 1 && !raw.startsWith('//', m[0].length)) {
        const nameLen = m[0].length;
        tokens.push({
          t: 'term', col: start + 1, field: m[1]!.toLowerCase(),
          value: quotedValue ? quotedValue.text : raw.slice(nameLen),
          quoted: !!quotedValue, valueCol: start + nameLen + 1 + (quotedValue ? 1 : 0), raw,
        });
      } else {
        tokens.push({ t: 'term', col: start + 1, value: raw, quoted: false, valueCol: start + 1, raw });
      }
    }
  }
  return tokens;
}
