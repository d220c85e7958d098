/** The File ▸ Open Recent list (newest first), remembered in `recent.json` under userData. */

export const MAX_RECENT = 10;

export function parseRecent(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((p): p is string => typeof p === 'string' && p.length > 0).slice(0, MAX_RECENT) : [];
}

/** Puts `opened` first (in the order given), drops older duplicates, keeps MAX_RECENT. */
export function addRecent(recent: readonly string[], opened: readonly string[]): string[] {
  const out: string[] = [];
  for (const p of [...opened, ...recent]) if (!out.includes(p)) out.push(p);
  return out.slice(0, MAX_RECENT);
}
