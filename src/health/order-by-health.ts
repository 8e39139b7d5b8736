/**
 * Degraded deployments move behind their healthy peers: within each run of deployment steps (a
 * cache or manual step stays where the chain put it), the steps keep their order, healthy first,
 * degraded after. Failed ones stay in place: they are skipped, and the skip is recorded.
 */
import type { ChainStep } from '../fallback/run-chain.js';
import type { HealthRegistry } from './health-registry.js';

export function orderByHealth<S extends ChainStep>(steps: readonly S[], health: HealthRegistry): readonly S[] {
  let degraded = 0;
  for (const step of steps) if (step.kind === 'deployment' && health.deployment(step.name, step.providerName).state === 'degraded') degraded++;
  if (degraded === 0) return steps;
  const ordered: S[] = [];
  let ahead: S[] = [];
  let behind: S[] = [];
  const flush = () => {
    ordered.push(...ahead, ...behind);
    ahead = [];
    behind = [];
  };
  for (const step of steps) {
    if (step.kind !== 'deployment') {
      flush();
      ordered.push(step);
    } else if (health.deployment(step.name, step.providerName).state === 'degraded') behind.push(step);
    else ahead.push(step);
  }
  flush();
  return ordered;
}
