/**
 * The running commentary: one line per second while a shape runs (requests sent and finished in
 * that second, the phase's p50 so far, requests still in flight), so a drill is never a silent wait.
 */
import { percentile } from './summarize.js';
import type { Phase, Sample } from './types.js';

/** How often a progress line is printed. */
export const PROGRESS_INTERVAL_MS = 1000;

export interface ProgressMeter {
  sent(): void;
  finished(sample: Sample): void;
  /** Called when the phase changes, so lines say which phase they belong to. */
  enter(phase: Phase | 'drain'): void;
  stop(): void;
}

export function startProgress(label: string, write: (line: string) => void, intervalMs = PROGRESS_INTERVAL_MS): ProgressMeter {
  let phase: Phase | 'drain' = 'baseline';
  let phaseStarted = performance.now();
  let sent = 0;
  let ok = 0;
  let failed = 0;
  let inFlight = 0;
  const latencies: Record<Phase, number[]> = { baseline: [], outage: [], recovery: [] };

  const tick = () => {
    const since = ((performance.now() - phaseStarted) / 1000).toFixed(0);
    const current = phase === 'drain' ? latencies.recovery : latencies[phase];
    const p50 = current.length === 0 ? '-' : `${Math.round(percentile([...current].sort((a, b) => a - b), 0.5))} ms`;
    write(`  ${label}  ${phase.padEnd(8)} +${since.padStart(2)}s  sent ${String(sent).padStart(4)}  ok ${String(ok).padStart(4)}  failed ${String(failed).padStart(4)}  p50 ${p50.padStart(8)}  in flight ${inFlight}`);
    sent = 0;
    ok = 0;
    failed = 0;
  };
  const timer = setInterval(tick, intervalMs);

  return {
    sent() {
      sent++;
      inFlight++;
    },
    finished(sample) {
      inFlight--;
      if (sample.ok) ok++;
      else failed++;
      latencies[sample.phase].push(sample.latencyMs);
    },
    enter(next) {
      phase = next;
      phaseStarted = performance.now();
    },
    stop() {
      clearInterval(timer);
    },
  };
}
