/**
 * Why the walk reached each call (`gen_ai.fallback.reason` of a hop) and why a request ended as it
 * did (the server span's), from the attempt log alone. The values: a failure shape (`upstream_5xx`,
 * `timeout`, ...), `circuit_open`, `step_skipped` (a step passed over for no failure: no cached
 * answer), `hedge` (started because the previous call was slow), `upstream_total_failure` (every
 * live deployment failed: a cache or manual step, or the request's error), `automation_exhausted`
 * (the hop budget or the deadline ran out first).
 */
import type { AttemptRecord } from '../../fallback/run-chain.js';
import type { RequestEvent } from '../request-event.js';

export interface HopReason {
  reason: string;
  /** How long the outage behind an open circuit took to route around, when that is why. */
  mttrMs?: number;
}

/** Per record: why its hop was reached, or undefined for the first step's own calls. */
export function hopReasons(attempts: readonly AttemptRecord[]): (HopReason | undefined)[] {
  const byHop = new Map<number, HopReason | undefined>();
  return attempts.map((record, index) => {
    if (record.hedge) return { reason: 'hedge' };
    if (byHop.has(record.hop)) return byHop.get(record.hop);
    const reason = record.hop === 1 ? undefined : reasonToReach(record, attempts.slice(0, index));
    byHop.set(record.hop, reason);
    return reason;
  });
}

function reasonToReach(record: AttemptRecord, before: readonly AttemptRecord[]): HopReason | undefined {
  const live = before.filter((earlier) => earlier.step === 'deployment');
  if (record.step !== 'deployment' && live.length > 0 && live.every((earlier) => earlier.outcome !== 'served')) return { reason: 'upstream_total_failure' };
  const last = [...before].reverse().find((earlier) => earlier.hop < record.hop && !earlier.hedge);
  if (!last) return undefined;
  if (last.outcome === 'skipped') return skipReason(last);
  return { reason: last.shape ?? 'unknown_upstream_error' };
}

function skipReason(record: AttemptRecord): HopReason {
  if (record.shape) return { reason: record.shape };
  // A circuit-open skip carries its MTTR when the breaker measured one; its message says so either way.
  if (record.mttrMs !== undefined) return { reason: 'circuit_open', mttrMs: record.mttrMs };
  if (record.message?.startsWith('circuit open')) return { reason: 'circuit_open' };
  return { reason: 'step_skipped' };
}

/** Why the request left its first step (or failed), for the server span; undefined when the first step served. */
export function requestReason(event: RequestEvent): string | undefined {
  const code = event.error?.code;
  if (event.status >= 400 && (code === 'hop_budget_exhausted' || code === 'deadline_exceeded')) return 'automation_exhausted';
  const calls = event.served.attempts;
  if (event.status >= 400 && calls.length > 1 && calls.every((record) => record.outcome !== 'served')) return 'upstream_total_failure';
  return event.served.fallbackReason;
}
