import path from 'node:path';
import { FORMATS } from '../formats/registry.js';
import type { FormatDefinition, ParseContext } from '../formats/types.js';

/** How many non-empty lines detection looks at. */
export const DETECT_SAMPLE_LINES = 200;

export interface Detection {
  format: FormatDefinition;
  score: number;
}

/**
 * Picks the format that understands the largest share of the sample. Content decides; a file name
 * matching a format's usual name only breaks near-ties. `ctx` is passed on to each format's detect
 * (e.g. the admin's ProFTPD LogFormats).
 */
export function detectFormat(lines: readonly string[], fileName: string, formats: readonly FormatDefinition[] = FORMATS, ctx?: ParseContext): Detection | undefined {
  const sample = lines.filter((l) => l.trim() !== '').slice(0, DETECT_SAMPLE_LINES);
  if (!sample.length) return undefined;
  const base = path.basename(fileName);
  let best: Detection | undefined;
  for (const format of formats) {
    let score = format.detect(sample, ctx);
    if (score <= 0) continue;
    if (format.fileNameHint?.test(base)) score += 0.01;
    if (!best || score > best.score) best = { format, score };
  }
  return best;
}
