/**
 * The UI's edits of a query (src-renderer/query-edit.ts): click-to-filter, the chart brush's time
 * range, autocomplete. Each edited query is also parsed by the real query module, so an edit can
 * never produce a query the back end reads differently than intended.
 */
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { QuerySyntaxError } from '../../src-main/core/query/errors.js';
import { countRows } from '../../src-main/core/query/index.js';
import { tokenize } from '../../src-main/core/query/lexer.js';
import { openDatabase, type Db } from '../../src-main/core/store/db.js';
import { addFilter, andTerm, quoteValue, replaceTerm, setTimeRange, termAtCaret, timeRangeOf, words } from '../../src-renderer/query-edit.js';
import { tempDir } from '../helpers.js';
import { loadFixture, makeFixture, T0 } from './query-fixture.js';

/**
 * True when the search language's own lexer finds a quoted string that is never closed. The lexer
 * stops at its first error; a lone `-` (its only other one) becomes a space so that it reads on.
 */
function hasUnclosedQuote(q: string): boolean {
  let query = q;
  for (;;) {
    try {
      tokenize(query);
      return false;
    } catch (e) {
      if (!(e instanceof QuerySyntaxError)) throw e;
      if (e.reason === 'unclosed quote') return true;
      query = `${query.slice(0, e.column - 1)} ${query.slice(e.column)}`;
    }
  }
}

let db: Db;
const fx = makeFixture(11, 300);
beforeAll(() => {
  db = openDatabase(path.join(tempDir(), 'q.sqlite'));
  loadFixture(db, fx);
});
afterAll(() => db?.close());

describe('query edits', () => {
  it('quotes values only when the language needs it, escaping quotes and backslashes', () => {
    expect(quoteValue('alice')).toBe('alice');
    expect(quoteValue('10.0.0.5')).toBe('10.0.0.5');
    expect(quoteValue('::ffff:10.0.0.7')).toBe('::ffff:10.0.0.7');
    expect(quoteValue('john smith')).toBe('"john smith"');
    expect(quoteValue('-x')).toBe('"-x"');
    expect(quoteValue('a"b\\c')).toBe('"a\\"b\\\\c"');
    expect(quoteValue('f(1).txt')).toBe('"f(1).txt"');
    expect(quoteValue('')).toBe('""');
  });

  it('a clicked value selects exactly the rows with that value', () => {
    for (const user of ['alice', 'john smith', 'bob']) {
      const q = addFilter('', 'user', user);
      expect(countRows(db, 'events', q)).toBe(fx.events.filter((e) => e.user?.toLowerCase() === user).length);
    }
    const p = '/a b/c.csv';
    expect(countRows(db, 'events', addFilter('', 'path', p))).toBe(fx.events.filter((e) => e.path === p).length);
  });

  it('adding a term keeps the meaning of a query with OR, and is not repeated', () => {
    expect(andTerm('user:alice OR user:bob', 'ip:10.0.0.5')).toBe('(user:alice OR user:bob) ip:10.0.0.5');
    expect(andTerm('(a OR b) c', 'd')).toBe('(a OR b) c d');
    expect(andTerm('a OR f(', 'd')).toBe('(a OR f( ) d');
    expect(andTerm('user:bob', 'user:bob')).toBe('user:bob');
    expect(andTerm('  ', 'user:bob')).toBe('user:bob');
    const q = 'user:alice OR user:bob';
    const both = fx.events.filter((e) => (e.user?.toLowerCase() === 'alice' || e.user === 'bob') && e.client_ip === '10.0.0.5').length;
    expect(countRows(db, 'events', andTerm(q, 'ip:10.0.0.5'))).toBe(both);
  });

  it('the time range replaces the top-level after:/before: terms and selects [from, to)', () => {
    const from = T0 + 86_400_000;
    const to = T0 + 3 * 86_400_000 + 123;
    const q = setTimeRange('user:alice after:2020-01-01 (before:2030-01-01 OR x) since:7d', from, to);
    expect(q).toBe(`user:alice (before:2030-01-01 OR x) after:${new Date(from).toISOString()} before:${new Date(to).toISOString()}`);
    expect(timeRangeOf(q)).toEqual({ after: new Date(from).toISOString(), before: new Date(to).toISOString() });
    const expected = fx.events.filter((e) => e.ts !== null && e.ts >= from && e.ts < to).length;
    expect(countRows(db, 'events', setTimeRange('', from, to))).toBe(expected);
    expect(setTimeRange(q, null, null)).toBe('user:alice (before:2030-01-01 OR x)');
  });

  it('never changes the words it does not touch (any query whose quotes are closed)', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), fc.integer({ min: 0, max: 2e12 }), (q, from) => {
        // An open quote swallows whatever follows it: that query is an error whatever is added.
        // The back end's lexer decides which quotes open a string (`*"` is text, `"` after it opens).
        fc.pre(!hasUnclosedQuote(q));
        const edited = setTimeRange(q, from, from + 1000);
        const kept = words(q).filter((w) => !(w.depth === 0 && /^(after|before|since|until):/i.test(w.text)));
        const keptAfter = words(edited).map((w) => w.text);
        for (const w of kept) expect(keptAfter).toContain(w.text);
      }),
      { examples: [['*" "', 0], ['- "', 0], ['a"b c"', 0], ['-")"', 0], ['-path:"x after:1 y" -(after:2 b)', 0], ['a OR b(', 0]] },
    );
  });

  it('splits a query into the words that the back end reads (any query its lexer accepts)', () => {
    const queryChar = fc.constantFrom('"', '-', ' ', '\t', '\u00a0', '\u2028', '(', ')', 'a', 'é', ':', '\\', '*', 'user:', 'OR', 'NOT');
    fc.assert(
      fc.property(fc.array(queryChar, { maxLength: 24 }).map((a) => a.join('')), (q) => {
        let tokens;
        try {
          tokens = tokenize(q);
        } catch {
          fc.pre(false);
          return;
        }
        // A dash that negates a term is part of the word; one before a group is not.
        const expected: string[] = [];
        tokens.forEach((t, k) => {
          const prev = tokens[k - 1];
          const dash = prev?.t === 'not' && prev.dash && prev.col === t.col - 1 ? '-' : '';
          if (t.t === 'term') expected.push(dash + t.raw);
          else if (t.t === 'or') expected.push(`${dash}OR`);
          else if (t.t === 'and') expected.push(`${dash}AND`);
          else if (t.t === 'not' && !t.dash) expected.push(`${dash}NOT`);
        });
        expect(words(q).map((w) => w.text)).toEqual(expected);
      }),
      { numRuns: 2000, examples: [['-user:"a b"'], ['-"a b"'], ['-(a b)'], ['a\u2028b']] },
    );
  });

  it('finds the word being typed for autocomplete and replaces it', () => {
    expect(termAtCaret('user:al', 7)).toEqual({ start: 0, end: 7, field: 'user', prefix: 'al', negated: false });
    expect(termAtCaret('failed -ip:10.', 14)).toEqual({ start: 7, end: 14, field: 'ip', prefix: '10.', negated: true });
    expect(termAtCaret('(us', 3)).toEqual({ start: 1, end: 3, field: null, prefix: 'us', negated: false });
    expect(termAtCaret('path:"/a b', 10)?.prefix).toBe('/a b');
    const term = termAtCaret('x us y', 4)!;
    expect(replaceTerm('x us y', term, 'user:', false)).toEqual({ query: 'x user: y', caret: 7 });
    const value = termAtCaret('-user:jo', 8)!;
    expect(replaceTerm('-user:jo', value, 'user:"john smith"', true)).toEqual({ query: '-user:"john smith" ', caret: 19 });
  });
});
