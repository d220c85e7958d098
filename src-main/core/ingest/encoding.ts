import { isAscii, isUtf8 } from 'node:buffer';

/**
 * Text encodings of log files. Windows servers write UTF-8 (with or without BOM), UTF-16 with a BOM
 * (Windows tools) or the ANSI code page; bytes that are not valid UTF-8 are read as Windows-1252,
 * line by line, so one stray byte never costs a whole file.
 */
export type Encoding = 'utf-8' | 'utf-8-bom' | 'utf-16le' | 'utf-16be';

export interface Sniffed {
  encoding: Encoding;
  /** Bytes of byte-order mark at the start of the file. */
  bomLength: number;
}

const BINARY_SNIFF_BYTES = 4096;

/** Recognises the encoding from the first bytes; returns a reason string for binary files. */
export function sniffEncoding(head: Buffer): Sniffed | { binary: string } {
  if (head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf) return { encoding: 'utf-8-bom', bomLength: 3 };
  if (head[0] === 0xff && head[1] === 0xfe) return { encoding: 'utf-16le', bomLength: 2 };
  if (head[0] === 0xfe && head[1] === 0xff) return { encoding: 'utf-16be', bomLength: 2 };
  const sample = head.subarray(0, BINARY_SNIFF_BYTES);
  const firstNul = sample.indexOf(0);
  if (firstNul < 0) return { encoding: 'utf-8', bomLength: 0 };
  // UTF-16 without a BOM: text where every other byte is NUL.
  let evenNul = 0, oddNul = 0;
  for (let i = 0; i < sample.length; i++) if (sample[i] === 0) (i % 2 ? oddNul++ : evenNul++);
  const half = sample.length / 2;
  if (oddNul > half * 0.9 && evenNul === 0) return { encoding: 'utf-16le', bomLength: 0 };
  if (evenNul > half * 0.9 && oddNul === 0) return { encoding: 'utf-16be', bomLength: 0 };
  return { binary: `binary file (NUL byte at offset ${firstNul} in the first ${BINARY_SNIFF_BYTES} bytes)` };
}

const windows1252 = new TextDecoder('windows-1252');
const utf16le = new TextDecoder('utf-16le');
const utf16be = new TextDecoder('utf-16be');

export function decodeUtf16(bytes: Uint8Array, encoding: 'utf-16le' | 'utf-16be'): string {
  return (encoding === 'utf-16le' ? utf16le : utf16be).decode(bytes);
}

/** One line of an 8-bit file: UTF-8 when valid, otherwise Windows-1252. */
export function decodeLine8(bytes: Buffer): { text: string; fallback: boolean } {
  if (isAscii(bytes)) return { text: bytes.toString('latin1'), fallback: false };
  if (isUtf8(bytes)) return { text: bytes.toString('utf8'), fallback: false };
  return { text: windows1252.decode(bytes), fallback: true };
}
