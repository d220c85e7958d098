/**
 * The rows a result table holds: a sliding window of consecutive keyset pages of one query and
 * sort. Scrolling down appends the next page and, past `maxRows`, drops the first one; scrolling
 * up does the reverse. So the table stays as light at 10 million matching rows as at 100, and no
 * page ever costs more than the first (the API pages by the sort key, never by OFFSET).
 *
 * Why not a full-height list: browsers cap an element's height (about 33 million px in Chromium),
 * i.e. about a million rows, and keyset paging has no "row number N" to jump to anyway. Jumping goes
 * by value instead (a time: `jumpTo`), or to either end (`loadFirst`, `loadLast`).
 *
 * Pure TypeScript (no DOM, no Svelte): the component mirrors `rows` into its state after each call.
 */
import type { Page, Row } from '../src-main/api/contract.js';

export interface FetchArgs {
  cursor: string | null;
  direction: 'next' | 'prev';
  count: boolean;
}

export type PageFetcher = (args: FetchArgs) => Promise<Page>;

interface LoadedPage {
  rows: Row[];
  /** Where the rows before this page start (null: nothing before it). */
  prevCursor: string | null;
  /** Where the rows after this page start (null: nothing after it). */
  nextCursor: string | null;
  /** The cursor that loads this page again going forward (null: from the start; undefined: unknown). */
  from?: string | null;
}

/** What a load did to the window, so the view can keep its scroll position and selection. */
export interface WindowChange {
  /** Rows added at the top (the view scrolls down by as many rows to stay in place). */
  prepended: number;
  /** Rows removed from the top. */
  droppedHead: number;
  /** Whether the window was replaced (a new query or a jump): the view goes to `focusIndex`. */
  replaced: boolean;
  /** Row to show after a replacement. */
  focusIndex: number;
}

const NOTHING: WindowChange = { prepended: 0, droppedHead: 0, replaced: false, focusIndex: 0 };

export class PageWindow {
  private pages: LoadedPage[] = [];
  /** Bumped by every reset: answers to the requests of an earlier generation are dropped. */
  private generation = 0;
  private busy: Partial<Record<'next' | 'prev', Promise<WindowChange>>> = {};
  rows: Row[] = [];
  total: number | null = null;

  constructor(
    private readonly fetch: PageFetcher,
    private readonly maxRows = 2000,
  ) {}

  get atStart(): boolean {
    return this.pages.length === 0 || this.pages[0]!.prevCursor === null;
  }

  get atEnd(): boolean {
    return this.pages.length === 0 || this.pages[this.pages.length - 1]!.nextCursor === null;
  }

  get loading(): boolean {
    return !!(this.busy.next || this.busy.prev);
  }

  /** Replaces the window by the page `args` fetches. */
  private async replace(args: FetchArgs, focus: (rows: Row[]) => number): Promise<WindowChange> {
    const generation = ++this.generation;
    this.busy = {};
    const page = await this.fetch(args);
    if (generation !== this.generation) return NOTHING;
    this.pages = [{ rows: page.rows, prevCursor: page.prevCursor, nextCursor: page.nextCursor, ...(args.direction === 'next' && { from: args.cursor }) }];
    if (page.total !== null) this.total = page.total;
    this.sync();
    return { prepended: 0, droppedHead: 0, replaced: true, focusIndex: focus(page.rows) };
  }

  /** The first page (and the exact total). */
  loadFirst(): Promise<WindowChange> {
    return this.replace({ cursor: null, direction: 'next', count: true }, () => 0);
  }

  /** The last page. */
  loadLast(): Promise<WindowChange> {
    return this.replace({ cursor: null, direction: 'prev', count: this.total === null }, (rows) => Math.max(0, rows.length - 1));
  }

  /** The rows from a position of the sort order (a cursor made for it), e.g. a time. */
  jumpTo(cursor: string): Promise<WindowChange> {
    return this.replace({ cursor, direction: 'next', count: this.total === null }, () => 0);
  }

  /**
   * Appends the next page ('next') or prepends the previous one ('prev'); one load per side at a
   * time. The change is reported once, to the caller that started the load (a view must not shift
   * its scroll position twice for one page); other callers get "nothing" when it is in.
   */
  extend(direction: 'next' | 'prev'): Promise<WindowChange> {
    if (direction === 'next' ? this.atEnd : this.atStart) return Promise.resolve(NOTHING);
    const running = this.busy[direction];
    if (running) return running.then(() => NOTHING);
    const generation = this.generation;
    const edge = direction === 'next' ? this.pages[this.pages.length - 1]! : this.pages[0]!;
    const cursor = direction === 'next' ? edge.nextCursor : edge.prevCursor;
    const load = (async (): Promise<WindowChange> => {
      try {
        const page = await this.fetch({ cursor, direction, count: false });
        if (generation !== this.generation) return NOTHING;
        const loaded: LoadedPage = { rows: page.rows, prevCursor: page.prevCursor, nextCursor: page.nextCursor, ...(direction === 'next' && { from: cursor }) };
        let change: WindowChange;
        if (direction === 'next') {
          if (!page.rows.length) edge.nextCursor = null;
          if (page.rows.length) this.pages.push(loaded);
          change = { ...NOTHING, droppedHead: this.trim('head') };
        } else {
          if (!page.rows.length) edge.prevCursor = null;
          if (page.rows.length) this.pages.unshift(loaded);
          this.trim('tail');
          change = { ...NOTHING, prepended: page.rows.length };
        }
        this.sync();
        return change;
      } finally {
        if (generation === this.generation) delete this.busy[direction];
      }
    })();
    this.busy[direction] = load;
    return load;
  }

  /** Drops whole pages from one side while the window holds more than `maxRows`; returns the rows dropped. */
  private trim(side: 'head' | 'tail'): number {
    let dropped = 0;
    while (this.pages.length > 1 && this.rowCount() > this.maxRows) {
      const page = side === 'head' ? this.pages.shift()! : this.pages.pop()!;
      dropped += page.rows.length;
    }
    return dropped;
  }

  private rowCount(): number {
    return this.pages.reduce((n, p) => n + p.rows.length, 0);
  }

  private sync(): void {
    this.rows = this.pages.length === 1 ? this.pages[0]!.rows : this.pages.flatMap((p) => p.rows);
  }

  /**
   * New rows may have arrived (indexing goes on): a window of one page reloads it (the first
   * rows of a file show while the rest is read), a window at the end of the order reloads its last
   * page; a window the user scrolled into stays as it is. The total is the caller's (a count).
   */
  async refresh(): Promise<WindowChange> {
    if (this.busy.next || this.busy.prev) return NOTHING;
    const n = this.pages.length;
    // The cursor that reloads the page to refresh: its predecessor's end, or how it was loaded.
    const index = n <= 1 ? 0 : this.atEnd ? n - 1 : -1;
    const from = index === 0 ? (this.pages[0] ? this.pages[0].from : null) : index > 0 ? this.pages[index - 1]!.nextCursor : undefined;
    // A lone page loaded backwards from the end (`loadLast`) is reloaded the same way.
    const fromEnd = from === undefined && n === 1 && this.atEnd;
    if (from === undefined && !fromEnd) return NOTHING;
    const generation = ++this.generation;
    const page = await this.fetch(fromEnd ? { cursor: null, direction: 'prev', count: false } : { cursor: from ?? null, direction: 'next', count: false });
    if (generation !== this.generation) return NOTHING;
    const old = this.pages[index];
    this.pages[index] = fromEnd
      ? { rows: page.rows, prevCursor: page.prevCursor, nextCursor: null }
      : { rows: page.rows, prevCursor: old ? old.prevCursor : null, nextCursor: page.nextCursor, from };
    // The last rows again, read backwards: as many rows as arrived at the end left at the top (the
    // view moves up by as many, so the rows in view stay where they are).
    const shifted = fromEnd && old ? leadingRowsGone(old.rows, page.rows) : 0;
    const droppedHead = shifted + this.trim('head');
    this.sync();
    return { ...NOTHING, droppedHead };
  }
}

/** How many of the first rows of `before` are not in `after` (those before the first kept row). */
function leadingRowsGone(before: readonly Row[], after: readonly Row[]): number {
  const kept = new Set(after.map((r) => r.id));
  const first = before.findIndex((r) => kept.has(r.id));
  return first < 0 ? before.length : first;
}
