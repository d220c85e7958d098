/** Counts and sizes as people read them, the same in the CLI and in reports. */

/** One formatter for every call: toLocaleString builds its own each time (~50 µs, per progress update). */
let countFormat: Intl.NumberFormat | undefined;

/** 1,234,567 (en-US). */
export function formatCount(n: number): string {
  // Whole numbers, nearly every call, without Intl: a process's first Intl formatter costs ~25 ms
  // (ICU's data), which a quick `xferlens search` printing "50 of 1,234" would pay for a comma.
  if (Number.isSafeInteger(n)) return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
  return (countFormat ??= new Intl.NumberFormat('en-US')).format(n);
}

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n, u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(1)} ${units[u]}`;
}
