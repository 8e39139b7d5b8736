/** Hand-made samples and runs for the drill's pure parts. */
import type { Phase, Sample, ShapeRun } from '../../src/drill/types.js';

export function sample(fields: Partial<Sample> & { t: number }): Sample {
  return { sinceOutageMs: 0, phase: 'outage', latencyMs: 50, status: 200, ok: true, hop: 1, attempts: 1, ...fields };
}

/** A run of `perPhase` requests per phase, 100 ms apart; `shape(phase, i)` fills in each. */
export function run(perPhase: number, shape: (phase: Phase, index: number) => Partial<Sample>): ShapeRun {
  const samples: Sample[] = [];
  const phases: Phase[] = ['baseline', 'outage', 'recovery'];
  phases.forEach((phase, p) => {
    for (let i = 0; i < perPhase; i++) {
      const t = (p * perPhase + i) * 100;
      samples.push(sample({ t, phase, sinceOutageMs: t - perPhase * 100, ...shape(phase, i) }));
    }
  });
  return {
    shape: 'upstream_5xx',
    mode: 'json',
    primary: 'mock-primary',
    fault: { kind: 'error', status: 503 },
    marks: { startT: 0, outageT: perPhase * 100, recoveryT: 2 * perPhase * 100, endT: 3 * perPhase * 100 + 200 },
    samples,
  };
}
