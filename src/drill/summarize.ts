/**
 * The figures of a shape run, computed from its samples alone (pure, so each definition is tested
 * on hand-made samples). docs/drills.md defines each figure in words; the comments here say the
 * same thing next to the code that does it.
 */
import { PHASES, type BreakerOutage, type Phase, type RunMarks, type Sample, type ShapeRun } from './types.js';

/** Width of the sliding window the p99 recovery figure looks through. */
export const P99_WINDOW_MS = 1000;
/** How often (ms of drill time) that window is evaluated. */
export const P99_STEP_MS = 100;
/** "Back to normal" for p99: at most this much above the baseline p99. */
export const P99_TOLERANCE = 0.2;

export interface LatencySummary {
  p50: number;
  p90: number;
  p99: number;
  max: number;
}

export interface PhaseSummary {
  sent: number;
  ok: number;
  failed: number;
  /** ok / sent; null when nothing was sent. */
  successRate: number | null;
  /** Over every request of the phase, failed ones included (a failure is time a client waited too). */
  latencyMs: LatencySummary | null;
  /** HTTP status → count (0: no response). */
  statuses: Record<string, number>;
  /** x-switchyard-hop → count, over the requests that carried it. */
  hops: Record<string, number>;
  /** x-switchyard-attempts → count. */
  attempts: Record<string, number>;
  /** Failure reason → count. */
  errors: Record<string, number>;
}

export interface AbsorbSummary {
  /**
   * From the fault being set to the send time of the first outage request after which every outage
   * request succeeded: 0 when none failed, null ("never") when the last one failed. Left out: requests
   * the primary served that finished after the fault was cleared (they may have reached it healed).
   */
  absorbedMs: number | null;
  /** The first outage request (by send time) that a fallback hop served. */
  firstFallback: { sinceOutageMs: number; latencyMs: number; completedSinceOutageMs: number } | null;
}

export interface WindowPoint {
  /** Window end, ms since drill start: the window holds completions in (at - width, at]. */
  at: number;
  p99: number | null;
  count: number;
  failed: number;
  /** Non-empty, no failure, p99 within the threshold. */
  within: boolean;
}

export interface P99BackSummary {
  /** The baseline p99 compared with (see `SummaryOptions.baseline`). */
  baselineP99: number | null;
  /** How many baseline requests that p99 is taken over. */
  baselineSamples: number;
  /** baselineP99 × (1 + tolerance). */
  thresholdMs: number | null;
  /**
   * From the fault being set to the start of the last unbroken run of "within" windows that lasts
   * to the end of the outage: 0 when every window was within, null ("never") when the window that
   * ends as the fault is cleared is not.
   */
  backMs: number | null;
  /**
   * The same question asked of requests by send time, which a trailing window of completions cannot
   * answer in under its own width: from the fault being set to the start of the last unbroken run of
   * "within" windows [t, t + 1 s) of *sent* requests that reaches the end of the outage. It says when
   * a client sending from then on saw baseline latency again. null ("never") when the last window
   * is not within.
   */
  bySendMs: number | null;
}

export interface ShapeSummary {
  shape: string;
  mode: ShapeRun['mode'];
  phases: Record<Phase, PhaseSummary>;
  absorb: AbsorbSummary;
  p99Back: P99BackSummary;
  /** The primary's breaker outages during the run (MTTR), when the target reports them. */
  outages: BreakerOutage[] | undefined;
  /** The outage success rate fell below the floor (or nothing was sent during the outage). */
  brokeChain: boolean;
}

export interface SummaryOptions {
  minSuccess: number;
  /**
   * The baseline requests the p99 threshold is taken from. Default: this run's own baseline phase.
   * A drill passes the baseline phases of all its runs of the same mode (`pooledBaseline`): they run
   * under identical conditions, and one short baseline's p99 swings too much to judge by.
   */
  baseline?: readonly Sample[];
}

export function summarizeRun(run: ShapeRun, options: SummaryOptions): ShapeSummary {
  const phases = Object.fromEntries(PHASES.map((phase) => [phase, summarizePhase(run.samples.filter((s) => s.phase === phase))])) as Record<Phase, PhaseSummary>;
  const outage = phases.outage;
  return {
    shape: run.shape,
    mode: run.mode,
    phases,
    absorb: absorbTime(run.samples, run.marks),
    p99Back: p99Back(run, options.baseline ?? run.samples.filter((s) => s.phase === 'baseline')),
    outages: run.outages,
    brokeChain: outage.successRate === null || outage.successRate < options.minSuccess,
  };
}

export function summarizePhase(samples: readonly Sample[]): PhaseSummary {
  const ok = samples.filter((s) => s.ok).length;
  const errors: Record<string, number> = {};
  for (const s of samples) if (!s.ok) count(errors, s.error ?? 'failed');
  return {
    sent: samples.length,
    ok,
    failed: samples.length - ok,
    successRate: samples.length === 0 ? null : ok / samples.length,
    latencyMs: summarizeLatency(samples.map((s) => s.latencyMs)),
    statuses: tally(samples, (s) => String(s.status)),
    hops: tally(samples, (s) => (s.hop === undefined ? undefined : String(s.hop))),
    attempts: tally(samples, (s) => (s.attempts === undefined ? undefined : String(s.attempts))),
    errors,
  };
}

export function summarizeLatency(values: readonly number[]): LatencySummary | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  return { p50: percentile(sorted, 0.5), p90: percentile(sorted, 0.9), p99: percentile(sorted, 0.99), max: sorted[sorted.length - 1] as number };
}

/** Nearest-rank percentile of ascending values: the smallest value with at least q of them at or below it. */
export function percentile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const rank = Math.max(1, Math.ceil(q * sorted.length));
  return sorted[Math.min(rank, sorted.length) - 1] as number;
}

export function absorbTime(samples: readonly Sample[], marks: Pick<RunMarks, 'outageT' | 'recoveryT'>): AbsorbSummary {
  const outage = samples.filter((s) => s.phase === 'outage').sort((a, b) => a.t - b.t);
  const evidence = outage.filter((s) => !servedByHealedPrimary(s, marks.recoveryT));
  let lastFailed = -1;
  evidence.forEach((s, index) => {
    if (!s.ok) lastFailed = index;
  });
  let absorbedMs: number | null;
  if (lastFailed === evidence.length - 1 && lastFailed !== -1) absorbedMs = null;
  else if (lastFailed === -1) absorbedMs = outage.length === 0 ? null : 0;
  else absorbedMs = Math.max(0, (evidence[lastFailed + 1] as Sample).t - marks.outageT);

  const fallback = outage.find((s) => s.ok && s.hop !== undefined && s.hop > 1);
  return {
    absorbedMs,
    firstFallback: fallback
      ? { sinceOutageMs: fallback.t - marks.outageT, latencyMs: fallback.latencyMs, completedSinceOutageMs: fallback.t + fallback.latencyMs - marks.outageT }
      : null,
  };
}

/**
 * A success from the first hop that finished after the fault was cleared: sent during the outage,
 * but it may have reached the primary once healed, so it says nothing about the chain.
 */
function servedByHealedPrimary(s: Sample, recoveryT: number): boolean {
  return s.ok && (s.hop ?? 1) === 1 && s.t + s.latencyMs > recoveryT;
}

/**
 * The sliding-window p99 over completion times, every `stepMs` from `from` to `to` (both ms since
 * drill start; `to` is always evaluated). A window holding a failure or nothing at all is never within.
 */
export function slidingP99(samples: readonly Sample[], range: { from: number; to: number; thresholdMs: number | null }, widthMs = P99_WINDOW_MS, stepMs = P99_STEP_MS): WindowPoint[] {
  const done = samples.map((s) => ({ end: s.t + s.latencyMs, latency: s.latencyMs, ok: s.ok })).sort((a, b) => a.end - b.end);
  const points: WindowPoint[] = [];
  const ends: number[] = [];
  for (let at = range.from; at < range.to; at += stepMs) ends.push(at);
  ends.push(range.to);
  for (const at of ends) {
    const inside = done.filter((d) => d.end > at - widthMs && d.end <= at);
    const failed = inside.filter((d) => !d.ok).length;
    const p99 = inside.length === 0 ? null : percentile(inside.map((d) => d.latency).sort((a, b) => a - b), 0.99);
    const within = p99 !== null && failed === 0 && range.thresholdMs !== null && p99 <= range.thresholdMs;
    points.push({ at, p99, count: inside.length, failed, within });
  }
  return points;
}

/** The baseline requests of every run of `mode`, for `SummaryOptions.baseline`. */
export function pooledBaseline(runs: readonly ShapeRun[], mode: ShapeRun['mode']): Sample[] {
  return runs.filter((run) => run.mode === mode).flatMap((run) => run.samples.filter((s) => s.phase === 'baseline'));
}

export function p99Back(run: ShapeRun, baseline: readonly Sample[], tolerance = P99_TOLERANCE): P99BackSummary {
  const baselineP99 = summarizeLatency(baseline.map((s) => s.latencyMs))?.p99 ?? null;
  const thresholdMs = baselineP99 === null ? null : Math.round(baselineP99 * (1 + tolerance) * 100) / 100;
  const { outageT, recoveryT } = run.marks;
  const points = slidingP99(run.samples, { from: outageT, to: recoveryT, thresholdMs });
  let backMs: number | null = null;
  if (points.at(-1)?.within) {
    let first = points.length - 1;
    while (first > 0 && (points[first - 1] as WindowPoint).within) first--;
    backMs = (points[first] as WindowPoint).at - outageT;
  }
  const sendPoints = forwardSendP99(run.samples, { from: outageT, to: recoveryT, thresholdMs });
  let bySendMs: number | null = null;
  if (sendPoints.at(-1)?.within) {
    let first = sendPoints.length - 1;
    while (first > 0 && (sendPoints[first - 1] as WindowPoint).within) first--;
    bySendMs = (sendPoints[first] as WindowPoint).at - outageT;
  }
  return { baselineP99, baselineSamples: baseline.length, thresholdMs, backMs, bySendMs };
}

/**
 * Windows of send times [at, at + width) every `stepMs` from `from` while the window fits before
 * `to`: the p99 latency of the requests sent in each. A window holding a failure or nothing is never within.
 */
export function forwardSendP99(samples: readonly Sample[], range: { from: number; to: number; thresholdMs: number | null }, widthMs = P99_WINDOW_MS, stepMs = P99_STEP_MS): WindowPoint[] {
  const sent = [...samples].sort((a, b) => a.t - b.t);
  const points: WindowPoint[] = [];
  for (let at = range.from; at + widthMs <= range.to; at += stepMs) {
    const inside = sent.filter((s) => s.t >= at && s.t < at + widthMs);
    const failed = inside.filter((s) => !s.ok).length;
    const p99 = inside.length === 0 ? null : percentile(inside.map((s) => s.latencyMs).sort((a, b) => a - b), 0.99);
    points.push({ at, p99, count: inside.length, failed, within: p99 !== null && failed === 0 && range.thresholdMs !== null && p99 <= range.thresholdMs });
  }
  return points;
}

function tally(samples: readonly Sample[], key: (s: Sample) => string | undefined): Record<string, number> {
  const out: Record<string, number> = {};
  for (const s of samples) {
    const k = key(s);
    if (k !== undefined) count(out, k);
  }
  return out;
}

function count(into: Record<string, number>, key: string): void {
  into[key] = (into[key] ?? 0) + 1;
}
