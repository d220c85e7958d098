/**
 * Lines a container log collector prefixed with the service's name: docker compose writes
 * `pureftpd    | ftp.info: May 21 18:09:56 pure-ftpd: …` (the name padded to align the bars). The
 * format is detected and the line parsed without the prefix; the name is kept as extra.container.
 */
const COLLECTOR_PREFIX = /^([A-Za-z0-9][A-Za-z0-9_.-]*) *\| /;

export interface CollectorSplit {
  container: string;
  /** The line as the server wrote it. */
  line: string;
}

export function splitCollectorPrefix(line: string): CollectorSplit | undefined {
  const m = COLLECTOR_PREFIX.exec(line);
  return m ? { container: m[1]!, line: line.slice(m[0].length) } : undefined;
}

/** A file is read as prefixed when most of its first non-blank lines carry the prefix. */
export function hasCollectorPrefix(lines: readonly string[]): boolean {
  let seen = 0, prefixed = 0;
  for (const l of lines) {
    if (l.trim() === '') continue;
    seen++;
    if (COLLECTOR_PREFIX.test(l)) prefixed++;
    if (seen === 50) break;
  }
  return seen > 0 && prefixed * 2 > seen;
}
