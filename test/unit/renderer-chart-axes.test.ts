/** The time charts' axes (src-renderer/chart-axes.ts): distinct tick labels, whole-number count steps, the dense range. */
import { describe, expect, it } from 'vitest';
import { denseRange, timeTickLabels, WHOLE_INCREMENTS } from '../../src-renderer/chart-axes.js';

const s = (iso: string) => Date.parse(iso) / 1000;

describe('chart axes', () => {
  it('labels three days of 6-hour ticks with distinct dates and times (not "01-01 01-01 01-01")', () => {
    const splits = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11].map((i) => s('2026-01-01T00:00:00Z') + i * 6 * 3600);
    const labels = timeTickLabels(splits, 'utc');
    expect(new Set(labels).size).toBe(labels.length);
    expect(labels.slice(0, 5)).toEqual(['01-01 00:00', '01-01 06:00', '01-01 12:00', '01-01 18:00', '01-02 00:00']);
  });

  it('keeps labels short where they stay distinct: hours within a day, days within a year, months, years', () => {
    expect(timeTickLabels([s('2026-01-01T10:00:00Z'), s('2026-01-01T11:00:00Z')], 'utc')).toEqual(['10:00', '11:00']);
    expect(timeTickLabels([s('2026-01-01T10:00:00Z'), s('2026-01-01T10:00:30Z')], 'utc')).toEqual(['10:00:00', '10:00:30']);
    expect(timeTickLabels([s('2026-01-01T00:00:00Z'), s('2026-01-08T00:00:00Z')], 'utc')).toEqual(['01-01', '01-08']);
    expect(timeTickLabels([s('2025-12-25T00:00:00Z'), s('2026-01-01T00:00:00Z')], 'utc')).toEqual(['2025-12-25', '2026-01-01']);
    expect(timeTickLabels([s('2026-01-01T00:00:00Z'), s('2026-04-01T00:00:00Z')], 'utc')).toEqual(['2026-01', '2026-04']);
    const years = [2006, 2011, 2016, 2021, 2026].map((y) => s(`${y}-01-01T00:00:00Z`));
    expect(timeTickLabels(years, 'utc')).toEqual(['2006', '2011', '2016', '2021', '2026']);
  });

  it('steps count axes by whole numbers only (no 0.5 or 2.5 events)', () => {
    expect(WHOLE_INCREMENTS.every((n) => Number.isInteger(n))).toBe(true);
    expect(WHOLE_INCREMENTS.slice(0, 6)).toEqual([1, 2, 5, 10, 20, 25]);
  });

  it('finds where the data is dense, leaving a few old lines out', () => {
    const DAY = 86_400_000;
    // One old line twenty years back, then 500 lines over the last days: monthly buckets.
    const timeline = Array.from({ length: 240 }, (_, i) => ({ t: i * 30 * DAY, count: i === 0 ? 1 : i >= 238 ? 250 : 0 }));
    expect(denseRange(timeline, 30 * DAY)).toEqual({ from: 238 * 30 * DAY, to: 240 * 30 * DAY });
    // Spread data: no narrowing.
    expect(denseRange(Array.from({ length: 50 }, (_, i) => ({ t: i, count: 3 })), 1)).toBeNull();
  });
});
