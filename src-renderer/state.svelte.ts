/**
 * The UI's shared state (Svelte 5 runes): what the back end holds (sources, totals, settings), the
 * current search, per-table preferences, and the running jobs. Views read it and call its methods;
 * only this file and the views talk to the API.
 */
import type {
  AppInfo,
  DatabaseStatsInfo,
  FollowBatchInfo,
  FollowStatus,
  FormatInfo,
  IndexProgressInfo,
  Insight,
  IndexResult,
  QueryKind,
  QuerySchema,
  SavedSearch,
  Settings,
  SortOrder,
  SourceInfo,
} from '../src-main/api/contract.js';
import { ApiError, type ApiClient } from './api-client.js';
import { zoneOf, type TimeDisplay } from './format.js';
import { addFilter as addFilterTerm, filterTerm } from './query-edit.js';

export type View = 'events' | 'sessions' | 'transfers' | 'charts' | 'insights' | 'sources';
export const VIEWS: { id: View; label: string }[] = [
  { id: 'events', label: 'Events' },
  { id: 'sessions', label: 'Sessions' },
  { id: 'transfers', label: 'Transfers' },
  { id: 'charts', label: 'Charts' },
  { id: 'insights', label: 'Insights' },
  { id: 'sources', label: 'Sources' },
];
export const KINDS: QueryKind[] = ['events', 'sessions', 'transfers'];
export const isKind = (v: string): v is QueryKind => (KINDS as string[]).includes(v);

export interface Job {
  paths: string[];
  progress: IndexProgressInfo | null;
  started: number;
}

export interface TablePrefs {
  /** Null: the kind's default sort. */
  sort: string | null;
  order: SortOrder | null;
  /** Visible columns in order; null: the kind's defaults. */
  columns: string[] | null;
  /** Column widths in px, by name. */
  widths: Record<string, number>;
}

export interface QueryProblem {
  message: string;
  /** 1-based column in the query, for search-language mistakes. */
  column: number | null;
}

const DEFAULT_SETTINGS: Settings = { timeDisplay: 'utc', theme: 'system', savedSearches: [], history: [], notifications: false, notifyLiveInsights: false };
const PREFS_KEY = 'xferlens-table-prefs';
const HISTORY_MAX = 100;
/**
 * While indexing, tables refresh at most this often (the first rows show at once): often at first,
 * then less, so that counting millions of rows again does not keep the back end busy.
 */
const LIVE_REFRESH_MS = 400;
const LIVE_REFRESH_SLOW_MS = 2000;
const LIVE_REFRESH_FAST_FOR_MS = 5000;
/** Follow batches refresh tables, counts and charts at most this often. */
const FOLLOW_REFRESH_MS = 1000;

function loadPrefs(): Record<QueryKind, TablePrefs> {
  const empty = (): TablePrefs => ({ sort: null, order: null, columns: null, widths: {} });
  const prefs: Record<QueryKind, TablePrefs> = { events: empty(), sessions: empty(), transfers: empty() };
  try {
    const stored = JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as Partial<Record<QueryKind, Partial<TablePrefs>>>;
    for (const kind of KINDS) {
      const p = stored[kind];
      if (!p || typeof p !== 'object') continue;
      prefs[kind] = {
        sort: typeof p.sort === 'string' ? p.sort : null,
        order: p.order === 'asc' || p.order === 'desc' ? p.order : null,
        columns: Array.isArray(p.columns) && p.columns.every((c) => typeof c === 'string') ? p.columns : null,
        widths: p.widths && typeof p.widths === 'object' ? p.widths : {},
      };
    }
  } catch {
    // Unreadable preferences: the defaults.
  }
  return prefs;
}

export class AppState {
  info = $state.raw<AppInfo | null>(null);
  schema = $state.raw<QuerySchema | null>(null);
  formats = $state.raw<FormatInfo[]>([]);
  sources = $state.raw<SourceInfo[]>([]);
  stats = $state.raw<DatabaseStatsInfo | null>(null);
  settings = $state<Settings>(structuredClone(DEFAULT_SETTINGS));
  jobs = $state<Record<string, Job>>({});
  lastResult = $state.raw<IndexResult | null>(null);

  view = $state<View>('events');
  /** The search applied to every view. */
  query = $state('');
  /** The mistake in `query` the last request found, shown under the search bar. */
  queryProblem = $state.raw<QueryProblem | null>(null);
  /** Matching rows per kind for `query` (null: not counted yet). */
  totals = $state<Record<QueryKind, number | null>>({ events: null, sessions: null, transfers: null });
  /** Bumped when the indexed data changed, also while indexing goes on: tables reload what they show. */
  revision = $state(0);
  /** Bumped when an index run or a change of sources ended: for the heavier views (charts, insights). */
  settledRevision = $state(0);
  prefs = $state<Record<QueryKind, TablePrefs>>(loadPrefs());

  /** What the back end follows (follow mode). */
  follow = $state.raw<FollowStatus>({ paused: false, paths: [] });
  /** The last batch of followed lines. */
  lastBatch = $state.raw<FollowBatchInfo | null>(null);
  /** Events view: keep the newest rows in view as they arrive (tail -f); scrolling up turns it off. */
  stickToNewest = $state(false);
  /** A live insight shown in the page (browser mode without notification permission). */
  liveInsight = $state.raw<Insight | null>(null);

  error = $state<string | null>(null);
  notice = $state<string | null>(null);
  exportOpen = $state(false);
  reportOpen = $state(false);
  /** Set by the search bar: puts the keyboard focus in it (Ctrl+F). */
  focusSearch: () => void = () => undefined;
  /** Set by the table on screen: puts the keyboard focus in it (Tab from the search box); false without one. */
  focusResults: () => boolean = () => false;
  /** The last change a click made to the search (a value added as a filter), shown with Undo. */
  searchChange = $state.raw<{ text: string; before: string } | null>(null);
  /** Set by the sources view (browser mode): puts the focus in its path field (Ctrl+O). */
  focusOpenPath: (() => void) | null = null;

  readonly timeDisplay = $derived<TimeDisplay>(this.settings.timeDisplay);
  /** The zone of dates typed in queries and of chart buckets: the one times are shown in. */
  readonly timeZone = $derived(zoneOf(this.settings.timeDisplay));
  readonly running = $derived(Object.entries(this.jobs));
  readonly empty = $derived(this.stats !== null && this.stats.sources === 0 && this.running.length === 0);
  /** The kind counted in the header: the view's, or events for the views without one. */
  readonly currentKind = $derived<QueryKind>(isKind(this.view) ? this.view : 'events');
  readonly following = $derived(this.follow.paths.length > 0);

  private liveTimer: ReturnType<typeof setTimeout> | null = null;
  private followTimer: ReturnType<typeof setTimeout> | null = null;
  private lastFollowRefresh = 0;

  constructor(readonly api: ApiClient) {}

  show = (err: unknown): void => {
    this.error = err instanceof Error ? err.message : String(err);
  };

  /** Loads what every view needs and follows the back end's events; returns the unsubscriber. */
  start(): () => void {
    const api = this.api;
    const stop = [
      api.subscribe('index/started', (e) => {
        this.jobs[e.jobId] = { paths: e.paths, progress: null, started: Date.now() };
      }),
      api.subscribe('index/progress', (p) => {
        const job = this.jobs[p.jobId];
        // The job's first progress, and its first with lines committed (the rows to show at once).
        const first = job !== undefined && (job.progress === null || (job.progress.bytesDone === 0 && p.bytesDone > 0));
        if (job) job.progress = p;
        this.liveRefresh(first, job ? Date.now() - job.started : 0);
      }),
      api.subscribe('index/finished', (r) => {
        delete this.jobs[r.jobId];
        if ('error' in r) this.error = r.error;
        else this.lastResult = r;
        void this.refreshSources();
        this.changed();
      }),
      api.subscribe('sources/changed', () => {
        void this.refreshSources();
        this.changed();
      }),
      api.subscribe('app/command', ({ command }) => {
        if (command === 'export') this.exportOpen = true;
        if (command === 'report') this.reportOpen = true;
      }),
      api.subscribe('follow/batch', (batch) => {
        this.lastBatch = batch;
        this.followRefresh();
      }),
      api.subscribe('follow/changed', (status) => {
        this.follow = status;
        void this.refreshSources();
      }),
      api.subscribe('insights/live', (insight) => this.showLiveInsight(insight)),
    ];
    api.call('follow/status').then((s) => {
      if (s && Array.isArray(s.paths)) this.follow = s;
    }, () => undefined);
    api.call('app/info').then((i) => (this.info = i), () => undefined);
    api.call('formats/list').then((f) => (this.formats = f), this.show);
    api.call('query/schema').then((s) => (this.schema = s), () => undefined);
    api.call('settings/get').then((s) => {
      if (s && typeof s === 'object') this.settings = { ...DEFAULT_SETTINGS, ...s };
    }, () => undefined);
    void this.refreshSources();
    return () => {
      stop.forEach((off) => off());
      if (this.liveTimer) clearTimeout(this.liveTimer);
      if (this.followTimer) clearTimeout(this.followTimer);
    };
  }

  async refreshSources(): Promise<void> {
    try {
      [this.stats, this.sources] = await Promise.all([this.api.call('db/stats'), this.api.call('sources/list')]);
    } catch (err) {
      this.show(err);
    }
  }

  /** The indexed data changed and the change is over: every view reloads. */
  changed(): void {
    this.revision++;
    this.settledRevision++;
  }

  /** While indexing: at once for a job's first progress and its first rows, then at most every LIVE_REFRESH_MS (later, _SLOW_MS). */
  private liveRefresh(now: boolean, runningFor: number): void {
    if (now) {
      if (this.liveTimer) clearTimeout(this.liveTimer);
      this.liveTimer = null;
      this.revision++;
      // After the views have asked for their rows (their effects run first): the server answers in
      // the order asked, and the first rows are what the user waits for.
      setTimeout(() => void this.refreshSources());
      return;
    }
    this.liveTimer ??= setTimeout(
      () => {
        this.liveTimer = null;
        this.revision++;
        void this.refreshSources();
      },
      runningFor < LIVE_REFRESH_FAST_FOR_MS ? LIVE_REFRESH_MS : LIVE_REFRESH_SLOW_MS,
    );
  }

  /** Indexes paths (with progress and Cancel), then, with `follow`, follows them. */
  open(paths: string[], opts: { follow?: boolean } = {}): void {
    const clean = paths.map((p) => p.trim()).filter((p) => p.length > 0);
    if (!clean.length) return;
    this.error = null;
    this.api.call('index/open', { paths: clean }).then((r) => {
      this.lastResult = r;
      void this.refreshSources();
      this.changed();
      // Following starts where the index run ended: what was written meanwhile comes in its first batch.
      if (opts.follow && !r.cancelled) this.followPaths(clean);
    }, this.show);
  }

  /** Desktop: the native Open dialog, then indexing (and following). */
  async openDialog(folders: boolean, opts: { follow?: boolean } = {}): Promise<void> {
    try {
      const { paths } = await this.api.call('dialog/open', { folders });
      this.open(paths, opts);
    } catch (err) {
      this.show(err);
    }
  }

  // --- follow mode ---------------------------------------------------------------------------------

  followPaths(paths: string[]): void {
    this.api.call('follow/start', { paths }).then((s) => {
      this.follow = s;
      void this.refreshSources();
    }, this.show);
  }

  /** Stops following these paths (as followed), or all. */
  unfollow(paths?: string[]): void {
    this.api.call('follow/stop', paths ? { paths } : {}).then((s) => {
      this.follow = s;
      void this.refreshSources();
    }, this.show);
  }

  /** The global Pause/Resume. */
  toggleFollowPaused(): void {
    this.api.call(this.follow.paused ? 'follow/resume' : 'follow/pause').then((s) => {
      this.follow = s;
      void this.refreshSources();
    }, this.show);
  }

  /** Turns live-insight notifications on or off; in a browser, asks for permission to notify. */
  async setLiveInsightNotifications(on: boolean): Promise<void> {
    if (on && this.api.mode === 'browser' && typeof Notification !== 'undefined' && Notification.permission === 'default') {
      // Asked on the click that turned it on (browsers ask only during a user gesture), without
      // waiting for the answer; refused or unanswered: notices in the page.
      void Notification.requestPermission().catch(() => undefined);
    }
    await this.saveSettings({ notifyLiveInsights: on });
  }

  /**
   * A new live insight: the desktop app's main process shows it natively; in a browser it is a
   * system notification when allowed, else a notice in the page.
   */
  private showLiveInsight(insight: Insight): void {
    if (this.api.mode === 'desktop') return;
    if (typeof Notification !== 'undefined' && Notification.permission === 'granted') {
      for (const finding of insight.findings) {
        const notification = new Notification(`xferlens: ${insight.title}`, { body: finding.label, tag: `${insight.id}:${finding.subject ?? finding.label}` });
        notification.onclick = () => {
          window.focus();
          this.setQuery(finding.query, finding.kind);
        };
      }
      return;
    }
    this.liveInsight = insight;
  }

  /** After follow batches: tables, counts, charts and sources reload, at most every FOLLOW_REFRESH_MS. */
  private followRefresh(): void {
    if (this.followTimer) return;
    const wait = Math.max(0, this.lastFollowRefresh + FOLLOW_REFRESH_MS - Date.now());
    this.followTimer = setTimeout(() => {
      this.followTimer = null;
      this.lastFollowRefresh = Date.now();
      this.changed();
      void this.refreshSources();
    }, wait);
  }

  cancel(jobId: string): void {
    this.api.call('index/cancel', { jobId }).catch(this.show);
  }

  // --- the search --------------------------------------------------------------------------------

  /** Applies a search (from the search bar, a click on a value, an insight, the chart brush). */
  setQuery(query: string, view?: View): void {
    const q = query.trim();
    this.searchChange = null;
    if (q !== this.query) {
      this.query = q;
      this.queryProblem = null;
      this.totals = { events: null, sessions: null, transfers: null };
    }
    if (view) this.view = view;
    if (q) this.remember(q);
  }

  /** Adds `field:value` to the search, and says so (with Undo): a click never changes the search unseen. */
  addFilter(field: string, value: string): void {
    const before = this.query;
    const term = filterTerm(field, value);
    this.setQuery(addFilterTerm(before, field, value));
    this.searchChange = { text: `Added ${term} to the search.`, before };
  }

  /** Records a failed request of the current query: search mistakes inline, anything else as an alert. */
  reportQueryError(err: unknown): void {
    if (err instanceof ApiError && err.column !== null) this.queryProblem = { message: err.message, column: err.column };
    else this.show(err);
  }

  private remember(q: string): void {
    const history = [q, ...this.settings.history.filter((h) => h !== q)].slice(0, HISTORY_MAX);
    if (history[0] === this.settings.history[0] && history.length === this.settings.history.length) return;
    void this.saveSettings({ history });
  }

  saveSearch(name: string): void {
    const kind = this.currentKind;
    const entry: SavedSearch = { name: name.trim().slice(0, 100), kind, query: this.query };
    const savedSearches = [entry, ...this.settings.savedSearches.filter((s) => s.name !== entry.name)].slice(0, 200);
    void this.saveSettings({ savedSearches });
  }

  deleteSavedSearch(name: string): void {
    void this.saveSettings({ savedSearches: this.settings.savedSearches.filter((s) => s.name !== name) });
  }

  clearHistory(): void {
    void this.saveSettings({ history: [] });
  }

  async saveSettings(change: Partial<Settings>): Promise<void> {
    Object.assign(this.settings, change);
    try {
      const stored = await this.api.call('settings/set', change);
      if (stored && typeof stored === 'object') this.settings = { ...DEFAULT_SETTINGS, ...stored };
    } catch {
      // A host without settings storage: the change holds for this window.
    }
  }

  // --- tables --------------------------------------------------------------------------------------

  sortOf(kind: QueryKind): { sort: string; order: SortOrder } {
    const p = this.prefs[kind];
    // The app opens every table newest first (the CLI's `search` reads like a log, oldest first).
    const fallback = { sort: this.schema?.defaultSort[kind]?.sort ?? (kind === 'sessions' ? 'start_ts' : 'ts'), order: 'desc' as const };
    return { sort: p.sort ?? fallback.sort, order: p.order ?? fallback.order };
  }

  visibleColumns(kind: QueryKind): string[] {
    const chosen = this.prefs[kind].columns;
    if (chosen) return chosen;
    const defaults = this.schema?.defaultColumns[kind] ?? [];
    // The Transfers view shows the rate too (the export's default columns stay the back end's).
    if (kind === 'transfers' && !defaults.includes('rate_bps')) {
      const at = defaults.indexOf('duration_ms');
      return at < 0 ? [...defaults, 'rate_bps'] : [...defaults.slice(0, at + 1), 'rate_bps', ...defaults.slice(at + 1)];
    }
    return defaults;
  }

  updatePrefs(kind: QueryKind, change: Partial<TablePrefs>): void {
    Object.assign(this.prefs[kind], change);
    try {
      localStorage.setItem(PREFS_KEY, JSON.stringify(this.prefs));
    } catch {
      // Storage full or disabled: preferences last for this window.
    }
  }
}
