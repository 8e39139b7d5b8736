/**
 * One shape run as an SVG chart, written as text (no charting dependency): each request a point at
 * its send time and latency (log scale), coloured by the hop that served it, failures as red
 * crosses, the outage shaded, and the "p99 back to normal" threshold as a dashed line. (A sliding
 * p99 line is left out on purpose: its windows count completions, and on a send-time axis it would
 * sit where a hung request ended, not where it was sent.)
 */
import { formatRate } from './render-table.js';
import type { ShapeSummary } from './summarize.js';
import type { Sample, ShapeRun } from './types.js';

const WIDTH = 960;
const HEIGHT = 460;
const MARGIN = { left: 72, right: 24, top: 64, bottom: 52 };
/** Colours for hops 1, 2, 3, ... (cycled past the end). */
const HOP_COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#9467bd', '#8c564b', '#17becf'];
const FAILED_COLOUR = '#d62728';
const UNKNOWN_COLOUR = '#7f7f7f';
const LOG_STEPS = [1, 2, 5];

export interface ChartScale {
  /** Seconds since the run's baseline began, at the left and right edges. */
  x0: number;
  x1: number;
  /** Latency in ms at the bottom and top (log scale). */
  y0: number;
  y1: number;
}

export function renderSvg(run: ShapeRun, summary: ShapeSummary): string {
  const scale = chartScale(run);
  const x = (seconds: number) => MARGIN.left + ((seconds - scale.x0) / (scale.x1 - scale.x0)) * plotWidth();
  const y = (ms: number) => {
    const clamped = Math.min(Math.max(ms, scale.y0), scale.y1);
    return MARGIN.top + plotHeight() - ((Math.log10(clamped) - Math.log10(scale.y0)) / (Math.log10(scale.y1) - Math.log10(scale.y0))) * plotHeight();
  };
  const sec = (t: number) => (t - run.marks.startT) / 1000;
  const parts: string[] = [];

  parts.push(`<rect class="outage" x="${n(x(sec(run.marks.outageT)))}" y="${MARGIN.top}" width="${n(x(sec(run.marks.recoveryT)) - x(sec(run.marks.outageT)))}" height="${plotHeight()}" fill="#f4cccc" fill-opacity="0.55"/>`);
  parts.push(`<text x="${n(x(sec(run.marks.outageT)) + 4)}" y="${MARGIN.top + 14}" font-size="11" fill="#a61c00">outage: ${esc(faultLabel(run))}</text>`);

  for (const tick of logTicks(scale.y0, scale.y1)) {
    parts.push(`<line x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${n(y(tick))}" y2="${n(y(tick))}" stroke="#e5e5e5"/>`);
    parts.push(`<text x="${MARGIN.left - 6}" y="${n(y(tick) + 4)}" font-size="11" text-anchor="end" fill="#555">${formatTick(tick)}</text>`);
  }
  for (const tick of secondTicks(scale.x0, scale.x1)) {
    parts.push(`<line x1="${n(x(tick))}" x2="${n(x(tick))}" y1="${MARGIN.top + plotHeight()}" y2="${MARGIN.top + plotHeight() + 4}" stroke="#555"/>`);
    parts.push(`<text x="${n(x(tick))}" y="${MARGIN.top + plotHeight() + 17}" font-size="11" text-anchor="middle" fill="#555">${tick}</text>`);
  }
  parts.push(`<rect x="${MARGIN.left}" y="${MARGIN.top}" width="${plotWidth()}" height="${plotHeight()}" fill="none" stroke="#999"/>`);

  const threshold = summary.p99Back.thresholdMs;
  if (threshold !== null) {
    parts.push(`<line class="threshold" x1="${MARGIN.left}" x2="${WIDTH - MARGIN.right}" y1="${n(y(threshold))}" y2="${n(y(threshold))}" stroke="#333" stroke-dasharray="5 4"/>`);
  }

  for (const s of run.samples) {
    const cx = n(x(sec(s.t)));
    const cy = n(y(s.latencyMs));
    if (s.ok) {
      parts.push(`<circle cx="${cx}" cy="${cy}" r="2.3" fill="${hopColour(s.hop)}" fill-opacity="0.75"/>`);
    } else {
      const px = Number(cx);
      const py = Number(cy);
      parts.push(`<path class="failed" d="M${n(px - 3)},${n(py - 3)}L${n(px + 3)},${n(py + 3)}M${n(px - 3)},${n(py + 3)}L${n(px + 3)},${n(py - 3)}" stroke="${FAILED_COLOUR}" stroke-width="1.4"/>`);
    }
  }

  parts.push(...legend(run, threshold));
  const outage = summary.phases.outage;
  const title = `${run.shape} (${run.mode}): primary ${run.primary} broken for ${((run.marks.recoveryT - run.marks.outageT) / 1000).toFixed(1)} s`;
  const absorbed = summary.absorb.absorbedMs === null ? 'never' : `${Math.round(summary.absorb.absorbedMs)} ms`;
  const subtitle = `outage success ${formatRate(outage.successRate)} · absorbed ${absorbed} · p99 b/o/r ${[summary.phases.baseline, outage, summary.phases.recovery].map((p) => (p.latencyMs ? Math.round(p.latencyMs.p99) : '-')).join(' / ')} ms · ${summary.brokeChain ? 'BROKE the chain' : 'chain held'}`;

  return [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${WIDTH}" height="${HEIGHT}" viewBox="0 0 ${WIDTH} ${HEIGHT}" font-family="system-ui, -apple-system, 'Segoe UI', sans-serif">`,
    `<title>${esc(title)}</title>`,
    `<rect width="${WIDTH}" height="${HEIGHT}" fill="#fff"/>`,
    `<text x="${MARGIN.left}" y="22" font-size="15" font-weight="600" fill="#222">${esc(title)}</text>`,
    `<text x="${MARGIN.left}" y="40" font-size="12" fill="#444">${esc(subtitle)}</text>`,
    ...parts,
    `<text x="${MARGIN.left + plotWidth() / 2}" y="${HEIGHT - 10}" font-size="12" text-anchor="middle" fill="#333">seconds since this shape's baseline began (request send time)</text>`,
    `<text transform="translate(16 ${MARGIN.top + plotHeight() / 2}) rotate(-90)" font-size="12" text-anchor="middle" fill="#333">latency ms (log scale)</text>`,
    '</svg>',
    '',
  ].join('\n');
}

/** The axes' ranges: the whole run in x; in y, decades (1-2-5 steps) around every latency seen. */
export function chartScale(run: ShapeRun): ChartScale {
  const lastSend = Math.max(run.marks.recoveryT, ...run.samples.map((s) => s.t));
  const latencies = run.samples.map((s) => s.latencyMs).filter((v) => v > 0);
  const lo = latencies.length === 0 ? 10 : Math.min(...latencies);
  const hi = latencies.length === 0 ? 1000 : Math.max(...latencies);
  let y0 = stepBelow(Math.max(lo, 1));
  let y1 = stepAbove(hi);
  if (y1 <= y0) y1 = stepAbove(y0 * 1.01);
  if (y1 / y0 < 10) y0 = Math.max(1, y1 / 10);
  return { x0: 0, x1: Math.max(1, Math.ceil((lastSend - run.marks.startT) / 1000)), y0, y1 };
}

/** Gridlines at 1, 2, 5 × 10^k within [lo, hi]. */
export function logTicks(lo: number, hi: number): number[] {
  const ticks: number[] = [];
  for (let exp = Math.floor(Math.log10(lo)); exp <= Math.ceil(Math.log10(hi)); exp++) {
    for (const step of LOG_STEPS) {
      const value = step * 10 ** exp;
      if (value >= lo * 0.999 && value <= hi * 1.001) ticks.push(value);
    }
  }
  return ticks;
}

function secondTicks(x0: number, x1: number): number[] {
  const span = x1 - x0;
  const every = span <= 15 ? 1 : span <= 40 ? 5 : span <= 120 ? 10 : 30;
  const ticks: number[] = [];
  for (let t = Math.ceil(x0 / every) * every; t <= x1; t += every) ticks.push(t);
  return ticks;
}

function legend(run: ShapeRun, threshold: number | null): string[] {
  const hops = [...new Set(run.samples.filter((s) => s.ok).map((s) => s.hop ?? 0))].sort((a, b) => a - b);
  const entries: { mark: string; label: string }[] = hops.map((hop) => ({
    mark: `<circle r="4" fill="${hopColour(hop === 0 ? undefined : hop)}"/>`,
    label: hop === 0 ? 'served (no hop header)' : `hop ${hop}${deploymentOf(run.samples, hop)}`,
  }));
  if (run.samples.some((s) => !s.ok)) entries.push({ mark: `<path d="M-4,-4L4,4M-4,4L4,-4" stroke="${FAILED_COLOUR}" stroke-width="1.6"/>`, label: 'failed' });
  if (threshold !== null) entries.push({ mark: '<line x1="-8" x2="8" stroke="#333" stroke-dasharray="4 3"/>', label: `baseline p99 + 20% (${Math.round(threshold)} ms)` });
  const out: string[] = [];
  let cursor = MARGIN.left + 8;
  const rowY = MARGIN.top - 10;
  for (const entry of entries) {
    out.push(`<g transform="translate(${n(cursor)} ${rowY - 4})">${entry.mark}</g>`);
    out.push(`<text x="${n(cursor + 12)}" y="${rowY}" font-size="11" fill="#333">${esc(entry.label)}</text>`);
    cursor += 24 + entry.label.length * 6;
  }
  return out;
}

function deploymentOf(samples: readonly Sample[], hop: number): string {
  const names = new Set(samples.filter((s) => s.ok && s.hop === hop && s.deployment).map((s) => s.deployment as string));
  return names.size === 0 ? '' : ` · ${[...names].join(', ')}`;
}

function hopColour(hop: number | undefined): string {
  if (hop === undefined || hop < 1) return UNKNOWN_COLOUR;
  return HOP_COLOURS[(hop - 1) % HOP_COLOURS.length] as string;
}

function faultLabel(run: ShapeRun): string {
  const { kind, ...rest } = run.fault as { kind: string } & Record<string, unknown>;
  const extra = Object.entries(rest).map(([key, value]) => `${key} ${typeof value === 'object' ? JSON.stringify(value) : String(value)}`);
  return [kind, ...extra].join(', ');
}

function stepBelow(value: number): number {
  const exp = Math.floor(Math.log10(value));
  const candidates = LOG_STEPS.map((step) => step * 10 ** exp).filter((v) => v <= value);
  return candidates.at(-1) ?? 10 ** exp;
}

function stepAbove(value: number): number {
  const exp = Math.floor(Math.log10(value));
  for (const step of [...LOG_STEPS, 10]) if (step * 10 ** exp >= value) return step * 10 ** exp;
  return 10 ** (exp + 1);
}

function formatTick(ms: number): string {
  return ms >= 1000 ? `${ms / 1000} s` : `${ms}`;
}

function plotWidth(): number {
  return WIDTH - MARGIN.left - MARGIN.right;
}

function plotHeight(): number {
  return HEIGHT - MARGIN.top - MARGIN.bottom;
}

/** Two decimals at most: coordinates, not data. */
function n(value: number): string {
  return String(Math.round(value * 100) / 100);
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
