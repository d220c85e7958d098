/**
 * The contract every log format module fulfils. A format is small and declarative in the spirit of
 * lnav's format definitions: how to recognise it, how to turn one line into named fields, which
 * timestamp it carries, and verbatim sample lines that the test suite parses.
 */

/** What one stored row is. Numeric codes keep the events table small. */
export const EventKind = { event: 0, directive: 1, unparsed: 2 } as const;
export type EventKindName = keyof typeof EventKind;

/** Normalised columns; a format fills what its lines carry and leaves the rest undefined. */
export interface EventFields {
  /** UTC epoch milliseconds. */
  ts?: number;
  /** True when the source wrote local time that was converted with the source's zone. */
  tsLocal?: boolean;
  server?: string;
  clientIp?: string;
  clientPort?: number;
  serverPort?: number;
  user?: string;
  protocol?: string;
  /** Identifies one connection within a source (e.g. EFT `[N]`, IIS x-session, a pid). */
  sessionKey?: string;
  verb?: string;
  /** Decoded path (W3C `+` turned into spaces); the raw line keeps the original. */
  path?: string;
  status?: string;
  bytes?: number;
  durationMs?: number;
  message?: string;
  pid?: number;
  /** Format-specific fields that have no column (kept as JSON). */
  extra?: Record<string, string | number | boolean>;
}

export interface ParsedLine {
  kind: 'event' | 'directive';
  fields: EventFields;
}

/** Settings that influence parsing but are not in the file. */
export interface ParseContext {
  /** IANA zone used for formats that log local time. */
  timeZone: string;
  /** The file's modification time, for formats whose dates have no year. */
  fileMtimeMs: number;
  /**
   * ProFTPD `LogFormat` strings the admin supplied (`--logformat NAME=FORMAT`), tried before the
   * built-in ones by formats that compile LogFormats.
   */
  logFormats?: readonly NamedLogFormat[];
}

export interface NamedLogFormat {
  name: string;
  format: string;
}

/**
 * A stateful line parser for one source. `state()` must be JSON-serialisable: it is stored with the
 * source's checkpoint so that indexing can continue after the last complete line (e.g. the current
 * W3C `#Fields`).
 */
export interface LineParser {
  /** Returns null when the line is not understood (it is then stored as unparsed). */
  parse(line: string): ParsedLine | null;
  state(): unknown;
  /**
   * A short note on choices the parser made that the user should be able to check, shown by
   * `xferlens sources` (e.g. "dates read as day/month/year", "LogFormat auth").
   */
  detail?(): string | undefined;
}

export interface FormatSample {
  /** A verbatim line from the vendor's documentation or a real log. */
  line: string;
  /** Fields the test suite expects the parser to produce for this line (a subset). */
  expect?: EventFields & { kind?: ParsedLine['kind'] };
}

export interface FormatDefinition {
  /** Stable identifier stored in the database, e.g. `eft-w3c`. */
  id: string;
  label: string;
  /** File names this format is usually written to: a hint for detection only. */
  fileNameHint?: RegExp;
  /** Human description of the timestamp, for docs/formats.md and Help. */
  timestamp: string;
  /** Human description of what is extracted, for docs/formats.md and Help. */
  extracts: string;
  /**
   * Scores a sample of the file's first non-empty lines: the fraction of lines this format
   * understands (0..1). Detection picks the best score. `ctx` (when the caller has one) carries
   * settings such as the admin's LogFormats that decide what a format understands.
   */
  detect(lines: readonly string[], ctx?: ParseContext): number;
  createParser(ctx: ParseContext, state?: unknown): LineParser;
  /**
   * Verbatim sample lines; parsed in order by one parser (so header lines can precede data lines).
   */
  samples: readonly FormatSample[];
}
