import type { FormatDefinition, ParseContext, ParsedLine } from './types.js';

/** The context detection uses when the caller has none: UTC, no file date. */
const DETECT_CONTEXT: ParseContext = { timeZone: 'UTC', fileMtimeMs: 0 };

/**
 * `detect` and `createParser` for a format whose lines parse independently of each other (no state
 * carried from line to line): detection is the share of sample lines the parse function accepts.
 */
export function lineByLine(
  parse: (line: string, ctx: ParseContext) => ParsedLine | null,
): Pick<FormatDefinition, 'detect' | 'createParser'> {
  return {
    detect(lines, ctx) {
      const c = ctx ?? DETECT_CONTEXT;
      let ok = 0;
      for (const line of lines) if (parse(line, c)) ok++;
      return lines.length ? ok / lines.length : 0;
    },
    createParser(ctx) {
      return { parse: (line) => parse(line, ctx), state: () => null };
    },
  };
}
