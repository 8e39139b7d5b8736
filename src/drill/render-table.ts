/**
 * The end-of-drill summary as plain text: one row per shape run, and for a shape that broke the
 * chain a line saying how. Columns are fixed-width so the output pastes into Markdown as a code block.
 */
import type { PhaseSummary, ShapeSummary } from './summarize.js';

const HEADERS = ['shape', 'mode', 'chain', 'success b / o / r', 'p50 ms b / o / r', 'p99 ms b / o / r', 'hops (outage)', 'attempts (outage)', 'absorbed', '1st fallback', 'p99 back', 'p99 back (sent)', 'breaker detect / recover'];

export function renderTable(summaries: readonly ShapeSummary[]): string {
  const rows = summaries.map((s) => [
    s.shape,
    s.mode,
    s.brokeChain ? 'BROKE' : 'held',
    triple(s, (p) => formatRate(p.successRate)),
    triple(s, (p) => formatMs(p.latencyMs?.p50)),
    triple(s, (p) => formatMs(p.latencyMs?.p99)),
    formatShares(s.phases.outage.hops),
    formatShares(s.phases.outage.attempts),
    s.absorb.absorbedMs === null ? 'never' : `${formatMs(s.absorb.absorbedMs)} ms`,
    s.absorb.firstFallback === null ? '-' : `${formatMs(s.absorb.firstFallback.latencyMs)} ms`,
    s.p99Back.backMs === null ? 'never' : `${formatMs(s.p99Back.backMs)} ms`,
    s.p99Back.bySendMs === null ? 'never' : `${formatMs(s.p99Back.bySendMs)} ms`,
    formatOutages(s.outages),
  ]);
  return `${formatTable(HEADERS, rows)}\n`;
}

/** The breaker's MTTR figures for the run's first outage: `12 / 640 ms`; `-` when no breaker opened or the target cannot tell. */
function formatOutages(outages: ShapeSummary['outages']): string {
  const first = outages?.[0];
  if (!first) return '-';
  return `${formatMs(first.detectMs)} / ${first.recoverMs === undefined ? 'open' : formatMs(first.recoverMs)} ms`;
}

/** Why a shape broke the chain: its outage success rate and what the failed requests got. */
export function brokeLine(s: ShapeSummary, minSuccess: number): string {
  const outage = s.phases.outage;
  const errors = Object.entries(outage.errors)
    .sort((a, b) => b[1] - a[1])
    .map(([error, n]) => `${n} × ${error}`)
    .join(', ');
  return `${s.shape} (${s.mode}) broke the chain: ${formatRate(outage.successRate)} of outage requests succeeded (floor ${formatRate(minSuccess)})${errors ? `; failures: ${errors}` : ''}`;
}

export function formatTable(headers: readonly string[], rows: readonly string[][]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: readonly string[]) => cells.map((cell, i) => cell.padEnd(widths[i] as number)).join('  ').trimEnd();
  return [line(headers), line(widths.map((w) => '-'.repeat(w))), ...rows.map(line)].join('\n');
}

/** 100% only when every request succeeded; otherwise one decimal, rounded down so 99.96% never prints as 100.0%. */
export function formatRate(rate: number | null): string {
  if (rate === null) return '-';
  if (rate === 1) return '100%';
  return `${(Math.floor(rate * 1000) / 10).toFixed(1)}%`;
}

export function formatMs(ms: number | undefined): string {
  return ms === undefined ? '-' : String(Math.round(ms));
}

/** `2 (100%)`, or `1 (4%), 2 (96%)`: keys in numeric order, shares of the total. */
export function formatShares(counts: Record<string, number>): string {
  const total = Object.values(counts).reduce((a, b) => a + b, 0);
  if (total === 0) return '-';
  return Object.entries(counts)
    .filter(([, n]) => n > 0)
    .sort((a, b) => Number(a[0]) - Number(b[0]))
    .map(([key, n]) => `${key} (${formatShare(n / total)})`)
    .join(', ');
}

function formatShare(share: number): string {
  if (share === 1) return '100%';
  const pct = share * 100;
  return pct < 1 ? '<1%' : `${Math.min(99, Math.round(pct))}%`;
}

function triple(s: ShapeSummary, pick: (p: PhaseSummary) => string): string {
  return [pick(s.phases.baseline), pick(s.phases.outage), pick(s.phases.recovery)].join(' / ');
}
