/** Display helpers (Intl: the user's locale; times shown in the user's zone). */

const count = new Intl.NumberFormat();
const bytes = new Intl.NumberFormat(undefined, { notation: 'compact', style: 'unit', unit: 'byte', unitDisplay: 'narrow', maximumFractionDigits: 1 });
const dateTime = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export const formatCount = (n: number): string => count.format(n);
export const formatBytes = (n: number): string => bytes.format(n);
export const formatTime = (ms: number | null): string => (ms === null ? '–' : dateTime.format(ms));
export const percent = (done: number, total: number): number => (total > 0 ? Math.min(100, Math.round((done / total) * 100)) : 0);
