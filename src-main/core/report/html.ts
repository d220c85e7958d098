/**
 * A report as one self-contained HTML document: its style inline (allowed by hash in its own
 * Content-Security-Policy, which forbids scripts, fonts, frames and any request), the activity chart
 * as inline SVG, system fonts only. It opens offline from an e-mail attachment and prints cleanly:
 * page numbers and the title in the page margins, table headers repeated on every page, no row cut
 * across pages. Every value from a log goes through `html` templates, which escape whatever they
 * insert: a user named `<script>` or `=HYPERLINK(…)` is text.
 */
import { createHash } from 'node:crypto';
import type { Insight } from '../analysis/insight-types.js';
import type { TimelineBucket, TopEntry } from '../query/aggregate-types.js';
import { formatBytes, formatCount } from '../units.js';
import type { NotApplicable, ReportData, ReportFigure } from './report-types.js';

/** Markup that is already safe (made by `html`); anything else inserted into `html` is escaped. */
export class Html {
  constructor(readonly markup: string) {}
  toString(): string {
    return this.markup;
  }
}

const ENTITIES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** Text for HTML content and quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ENTITIES[c]!);
}

type Part = Html | string | number | null | undefined | false | readonly Part[];

const insert = (v: Part): string =>
  v === null || v === undefined || v === false ? '' : v instanceof Html ? v.markup : Array.isArray(v) ? v.map(insert).join('') : escapeHtml(String(v));

/** A template whose inserted values are escaped (Html values and arrays of them stay markup). */
export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0]!;
  for (let i = 0; i < values.length; i++) out += insert(values[i]!) + strings[i + 1]!;
  return new Html(out);
}

/** A CSS string literal holding any text: every character but letters, digits and spaces as a \hex escape. */
function cssString(text: string): string {
  return `"${[...text].map((c) => (/[\p{L}\p{N} ]/u.test(c) ? c : `\\${c.codePointAt(0)!.toString(16)} `)).join('')}"`;
}

/** Times as a log shows them, in one zone: `2026-01-31 08:00:05`. */
function timeFormatter(timeZone: string): (ms: number | null | undefined) => string {
  const f = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  return (ms) => {
    if (ms === null || ms === undefined) return '–';
    const p = Object.fromEntries(f.formatToParts(ms).map((x) => [x.type, x.value]));
    return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
  };
}

const isNa = (v: object): v is NotApplicable => 'notApplicable' in v;
const notApplicable = (v: NotApplicable) => html`<p class="note">Not applicable to this search: ${v.notApplicable}.</p>`;

function duration(ms: number | null): string {
  if (ms === null) return '';
  if (ms < 1000) return `${ms} ms`;
  const s = ms / 1000;
  return s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${Math.round(s % 60)} s`;
}

/** The activity chart: a bar per bucket (failures drawn over them in red), inline SVG. */
function chart(timeline: readonly TimelineBucket[], label: string, time: (ms: number) => string): Html {
  const W = 960, H = 220, left = 56, bottom = 24, top = 8;
  const max = Math.max(1, ...timeline.map((b) => b.count));
  const width = (W - left) / Math.max(1, timeline.length);
  const y = (n: number) => top + (H - top - bottom) * (1 - n / max);
  const bars = timeline.map((b, i) => {
    const x = (left + i * width).toFixed(1), w = Math.max(0.5, width - 1).toFixed(1);
    return html`<g><title>${time(b.t)}: ${formatCount(b.count)} lines, ${formatCount(b.failures)} failed</title>${
      b.count ? html`<rect class="bar" x="${x}" y="${y(b.count).toFixed(1)}" width="${w}" height="${(H - bottom - y(b.count)).toFixed(1)}"/>` : ''}${
      b.failures ? html`<rect class="fail" x="${x}" y="${y(b.failures).toFixed(1)}" width="${w}" height="${(H - bottom - y(b.failures)).toFixed(1)}"/>` : ''}</g>`;
  });
  const ticks = timeline.length ? [0, Math.floor(timeline.length / 2), timeline.length - 1] : [];
  return html`<svg class="chart" viewBox="0 0 ${W} ${H}" role="img" aria-label="Log lines per ${label}, failures in red">
<line class="axis" x1="${left}" y1="${H - bottom}" x2="${W}" y2="${H - bottom}"/>
<text class="tick" x="${left - 6}" y="${top + 10}" text-anchor="end">${formatCount(max)}</text>
<text class="tick" x="${left - 6}" y="${H - bottom}" text-anchor="end">0</text>
${bars}
${[...new Set(ticks)].map((i, n) => html`<text class="tick" x="${(left + i * width + (n === 2 ? width : 0)).toFixed(1)}" y="${H - 6}" text-anchor="${n === 0 ? 'start' : n === 1 ? 'middle' : 'end'}">${time(timeline[i]!.t)}</text>`)}
</svg>`;
}

function topTable(title: string, entries: readonly TopEntry[], id: string): Html {
  return html`<table class="top" data-top="${id}"><thead><tr><th>${title}</th><th class="n">Lines</th></tr></thead><tbody>${
    entries.length ? entries.map((e) => html`<tr><td class="w">${e.value}</td><td class="n">${formatCount(e.count)}</td></tr>`) : html`<tr><td colspan="2" class="note">none</td></tr>`
  }</tbody></table>`;
}

function figureRow(f: ReportFigure): Html {
  const command = `xferlens ${f.kind === 'events' ? 'search' : f.kind} ${f.query || "''"}`;
  return html`<tr data-figure="${f.id}"><td>${f.label}</td><td class="n">${f.count === null ? 'n/a' : formatCount(f.count)}</td><td class="n">${
    f.bytes !== undefined && f.count !== null ? formatBytes(f.bytes) : ''}</td><td><code>${command}</code></td></tr>`;
}

function insightBlock(i: Insight, time: (ms: number) => string): Html {
  return html`<div class="insight ${i.severity}"><h3>${i.title} <span class="sev">${i.severity}</span></h3><p class="note">${i.description}</p><ul>${
    i.findings.map((f) => html`<li>${f.ts !== undefined ? html`<span class="when">${time(f.ts)}</span> ` : ''}${f.label}<br><code>xferlens ${f.kind === 'events' ? 'search' : f.kind} ${f.query}</code></li>`)
  }</ul></div>`;
}

const CSS_BASE = `
:root { color-scheme: light; --ink: #1b1f24; --muted: #5b6470; --line: #d5dae0; --soft: #f3f5f7; --accent: #2f6db3; --bad: #c0392b; --warn: #b8860b; }
* { box-sizing: border-box; }
html { font: 10pt/1.4 system-ui, -apple-system, "Segoe UI", Roboto, "Liberation Sans", Arial, sans-serif; color: var(--ink); background: #fff; }
body { margin: 0 auto; max-width: 1100px; padding: 24px; }
h1 { font-size: 20pt; margin: 0 0 4px; }
h2 { font-size: 14pt; margin: 22px 0 8px; padding-bottom: 3px; border-bottom: 2px solid var(--accent); break-after: avoid; }
h3 { font-size: 11pt; margin: 14px 0 6px; break-after: avoid; }
p { margin: 4px 0 8px; }
.sub, .note { color: var(--muted); }
code { font-family: ui-monospace, "DejaVu Sans Mono", "Liberation Mono", Consolas, monospace; font-size: 8.5pt; overflow-wrap: anywhere; }
table { width: 100%; border-collapse: collapse; margin: 4px 0 10px; }
thead { display: table-header-group; }
tr { break-inside: avoid; page-break-inside: avoid; }
th, td { text-align: left; vertical-align: top; padding: 3px 6px; border-bottom: 1px solid var(--line); overflow-wrap: break-word; }
td.w { overflow-wrap: anywhere; min-width: 7em; } td.t, td.c { white-space: nowrap; }
.keep { break-inside: avoid; }
th { background: var(--soft); font-weight: 600; }
td.n, th.n { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.kv th { width: 11em; background: none; }
.tops { display: grid; grid-template-columns: repeat(3, 1fr); gap: 12px; }
table.transfers { table-layout: fixed; font-size: 8.5pt; }
table.transfers th { white-space: nowrap; } table.transfers td:first-child { white-space: nowrap; }
table.transfers col.t { width: 11.5em; } table.transfers col.u { width: 9%; } table.transfers col.ip { width: 10%; }
table.transfers col.op { width: 11%; } table.transfers col.b { width: 8%; } table.transfers col.d { width: 8%; } table.transfers col.s { width: 9%; }
.failed { color: var(--bad); }
.chart { width: 100%; height: auto; display: block; }
.chart .bar { fill: var(--accent); } .chart .fail { fill: var(--bad); } .chart .axis { stroke: var(--muted); stroke-width: 1; }
.chart .tick { font-size: 11px; fill: var(--muted); }
.insight { border-left: 4px solid var(--line); padding: 2px 10px; margin: 8px 0; break-inside: avoid; }
.insight.critical { border-color: var(--bad); } .insight.warning { border-color: var(--warn); }
.insight ul { margin: 4px 0; padding-left: 18px; } .insight li { margin: 3px 0; break-inside: avoid; }
.sev { font-size: 8pt; text-transform: uppercase; color: var(--muted); font-weight: normal; }
.when { color: var(--muted); white-space: nowrap; }
footer { margin-top: 24px; padding-top: 8px; border-top: 1px solid var(--line); color: var(--muted); font-size: 8.5pt; }
@media print {
  body { max-width: none; padding: 0; }
  section { break-before: auto; }
  a { color: inherit; text-decoration: none; }
}`;

/** The document. `generatedAt` and the data decide everything: the same data gives the same bytes. */
export function renderReportHtml(r: ReportData): string {
  const time = timeFormatter(r.timeZone);
  const zone = r.timeZone === 'UTC' ? 'UTC' : r.timeZone;
  const period = `${time(r.period.from)} – ${time(r.period.to === null ? null : r.period.to - 1)} (${zone})`;
  const css = `${CSS_BASE}
@page { margin: 16mm 13mm 18mm;
  @bottom-left { content: ${cssString(r.title)}; font: 8pt system-ui, sans-serif; color: #5b6470; }
  @bottom-right { content: "Page " counter(page) " of " counter(pages); font: 8pt system-ui, sans-serif; color: #5b6470; } }`;
  const styleHash = createHash('sha256').update(css, 'utf8').digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src data:; base-uri 'none'; form-action 'none'`;

  const sourcesTable = html`<table class="sources"><thead><tr><th>File</th><th>Format</th><th>First line</th><th>Last line</th><th class="n">Lines</th><th>Zone</th></tr></thead><tbody>${
    r.sources.list.map((s) => html`<tr><td class="w"><code>${s.path}</code></td><td class="c">${s.format ?? 'unknown'}</td><td class="t">${time(s.firstTs)}</td><td class="t">${time(s.lastTs)}</td><td class="n">${formatCount(s.lines)}</td><td class="c">${s.timeZone ?? ''}</td></tr>`)
  }</tbody></table>${r.sources.total > r.sources.list.length ? html`<p class="note">and ${formatCount(r.sources.total - r.sources.list.length)} more files.</p>` : ''}`;

  const activity = isNa(r.activity) ? notApplicable(r.activity) : r.activity.timeline.length
    ? html`<div class="keep"><p class="note">${formatCount(r.activity.total)} log lines with a time, ${formatCount(r.activity.failures)} of them failed, per ${r.activity.bucketLabel} (${zone}).</p>${chart(r.activity.timeline, r.activity.bucketLabel, time)}</div>`
    : html`<p class="note">No log line of this search has a time.</p>`;

  const top = isNa(r.top) ? notApplicable(r.top)
    : html`<div class="tops">${topTable('User', r.top.users, 'users')}${topTable('Client IP', r.top.ips, 'ips')}${topTable('Path', r.top.paths, 'paths')}</div>`;

  const more = (shown: number, total: number, what: string) => (total > shown ? html`<p class="note">The ${formatCount(shown)} largest of ${formatCount(total)} ${what}.</p>` : '');

  const failedLogins = isNa(r.failedLogins) ? notApplicable(r.failedLogins) : r.failedLogins.groups.length
    ? html`<table class="failed-logins"><thead><tr><th>Client IP</th><th>User</th><th class="n">Failed</th><th>First</th><th>Last</th><th>Why</th></tr></thead><tbody>${
      r.failedLogins.groups.map((g) => html`<tr><td class="w">${g.clientIp ?? '–'}</td><td class="w">${g.user ?? '–'}</td><td class="n">${formatCount(g.count)}</td><td class="t">${time(g.first)}</td><td class="t">${time(g.last)}</td><td>${g.reasons.map((x, i) => html`${i ? html`<br>` : ''}${x}`)}</td></tr>`)
    }</tbody></table>${more(r.failedLogins.groups.length, r.failedLogins.totalGroups, 'groups')}<p class="note">Search: <code>${r.failedLogins.query}</code></p>`
    : html`<p class="note">No failed login.</p>`;

  const failedTransfers = isNa(r.failedTransfers) ? notApplicable(r.failedTransfers) : r.failedTransfers.groups.length
    ? html`<table class="failed-transfers"><thead><tr><th>Code</th><th>Operation</th><th>Protocol</th><th class="n">Failed</th><th>What it means</th></tr></thead><tbody>${
      r.failedTransfers.groups.map((g) => html`<tr><td class="c">${g.code ?? '–'}</td><td class="c">${g.op ?? '–'}</td><td class="c">${g.protocol ?? ''}</td><td class="n">${formatCount(g.count)}</td><td>${
        g.explanations.length ? g.explanations.map((x) => html`<strong>${x.title}</strong>: ${x.meaning} <span class="note">${x.advice}</span><br>`) : html`<span class="note">no explanation for this code</span>`}</td></tr>`)
    }</tbody></table>${more(r.failedTransfers.groups.length, r.failedTransfers.totalGroups, 'groups')}<p class="note">Search: <code>xferlens transfers ${r.failedTransfers.query}</code></p>`
    : html`<p class="note">No failed file operation.</p>`;

  const transfers = isNa(r.transfers) ? notApplicable(r.transfers) : html`<p class="note" data-transfers-shown="${r.transfers.rows.length}" data-transfers-total="${r.transfers.total}">${
    r.transfers.total > r.transfers.rows.length
      ? html`The first ${formatCount(r.transfers.rows.length)} of ${formatCount(r.transfers.total)} file operations, oldest first; ${formatCount(r.transfers.total - r.transfers.rows.length)} more are left out. All of them: <code>${r.transfers.exportCommand}</code>`
      : html`All ${formatCount(r.transfers.total)} file operations, oldest first. As CSV: <code>${r.transfers.exportCommand}</code>`
  }</p>${r.transfers.rows.length ? html`<table class="transfers"><colgroup><col class="t"><col class="u"><col class="ip"><col class="op"><col><col class="b"><col class="d"><col class="s"></colgroup>
<thead><tr><th>Time</th><th>User</th><th>Client IP</th><th>Operation</th><th>Path</th><th class="n">Bytes</th><th class="n">Duration</th><th>Status</th></tr></thead><tbody>${
    r.transfers.rows.map((t) => html`<tr${t.status === 'failed' ? html` class="failed"` : ''}><td>${time(t.ts)}</td><td class="w">${t.user ?? ''}</td><td class="w">${t.clientIp ?? ''}</td><td class="w">${t.op ?? ''}</td><td class="w">${t.path ?? ''}${t.pathTo ? html` → ${t.pathTo}` : ''}</td><td class="n">${t.bytes === null ? '' : formatCount(t.bytes)}</td><td class="n">${duration(t.durationMs)}</td><td>${t.status ?? ''}${t.code ? ` ${t.code}` : ''}</td></tr>`)
  }</tbody></table>` : ''}`;

  const doc = html`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="xferlens ${r.version}">
<title>${r.title}</title>
<style>${new Html(css)}</style>
</head>
<body>
<header>
<h1>${r.title}</h1>
<p class="sub">${period}${r.query.trim() ? html` · search <code>${r.query}</code>` : ''}</p>
</header>
<section id="summary">
<h2>Summary</h2>
<table class="kv"><tbody>
<tr><th>Period</th><td>${period}</td></tr>
<tr><th>Search</th><td>${r.query.trim() ? html`<code>${r.query}</code>` : 'everything'}</td></tr>
<tr><th>Servers</th><td>${r.servers.length ? r.servers.map((s, i) => html`${i ? ', ' : ''}${s.value}`) : html`<span class="note">not named in the logs</span>`}</td></tr>
<tr><th>Files indexed</th><td>${formatCount(r.sources.total)} (listed below)</td></tr>
</tbody></table>
<table class="figures"><thead><tr><th>What</th><th class="n">Count</th><th class="n">Bytes</th><th>Counted by</th></tr></thead><tbody>
${r.figures.map(figureRow)}
</tbody></table>
<h3>Files indexed and their time coverage</h3>
${sourcesTable}
</section>
<section id="activity">
<h2>Activity over time</h2>
${activity}
</section>
<section id="top">
<h2>Top users, client IPs and paths</h2>
${top}
</section>
<section id="failed-logins">
<h2>Failed logins by client IP and user</h2>
${failedLogins}
</section>
<section id="failed-transfers">
<h2>Failed transfers and what their codes mean</h2>
${failedTransfers}
</section>
<section id="transfers">
<h2>Transfers</h2>
${transfers}
</section>
<section id="insights">
<h2>Insights</h2>
${r.insights.length ? r.insights.map((i) => insightBlock(i, time)) : html`<p class="note">No insight fired over the period.</p>`}
<p class="note">Insights look at every indexed log over the period, whatever the search.</p>
</section>
<footer>
Made by xferlens ${r.version} on ${time(r.generatedAt)} (${zone}) from ${formatCount(r.sources.total)} indexed log file${r.sources.total === 1 ? '' : 's'} (listed under "Files indexed"), with the search <code>${r.scopeQuery || '(everything)'}</code>.
Times are in ${zone}${r.sources.list.some((s) => s.timeZone) ? '; files that log local time were read in the zone shown beside each' : ''}.
</footer>
</body>
</html>
`;
  return doc.markup;
}
