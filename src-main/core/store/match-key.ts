/**
 * How records of one transfer written by different logs find each other (analysis/analyzer.ts):
 * by operation and file name, compared the way xferlog writes names. The transfers table keeps a
 * 52-bit hash of both (match_key, schema 7) instead of the name itself: an integer index is a third
 * of the size of (op, name, ts) on text and cheaper to keep up while loading; two different names
 * share a key with a chance of 2^-52.
 */

/** xferlog writes spaces and control characters as `_`; compare names the way it writes them. */
export function matchName(p: string | null): string {
  if (!p) return '';
  const base = p.slice(Math.max(p.lastIndexOf('/'), p.lastIndexOf('\\')) + 1);
  return base.replace(/[\s\x00-\x1f]/g, '_').toLowerCase();
}

/** The match key of an operation on a file whose matchName is `name`: two 32-bit FNV-1a hashes, 52 bits in all. */
export function matchKey(op: string, name: string): number {
  const text = `${op}\0${name}`;
  let a = 0x811c9dc5, b = 0x9747b28c;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
  }
  return (a >>> 0) * 2 ** 20 + ((b >>> 0) & 0xfffff);
}
