/**
 * A policy is a plain function: given a classified failure and where the request stands, it says
 * what to do next. `createRoutePolicy` builds one from a route's config; anyone may pass their own.
 */
import type { ActionConfig, RetryConfig } from '../config/schema.js';
import type { FailureShape } from '../errors.js';
import type { Failure } from './classify-failure.js';
import { backoffMs } from './backoff.js';

export type Decision =
  | { action: 'next' }
  | { action: 'retry'; inMs: number }
  | { action: 'downgrade'; to: string }
  | { action: 'stop' };

export interface AttemptState {
  /** 0-based position of the failed step in the chain. */
  hop: number;
  /** Calls made so far on this step (1 after the first failure). */
  attemptsOnHop: number;
}

export type Policy = (failure: Failure, state: AttemptState) => Decision;

/**
 * What a route does for a shape its config leaves out. Transient server and connection errors get
 * one quick retry; everything else moves on at once (waiting on a 429 or a hang only adds latency
 * when another deployment can answer now).
 */
export const DEFAULT_ACTIONS: Partial<Record<FailureShape, ActionConfig>> = {
  upstream_5xx: { retry: 1, then: 'next' },
  connection_error: { retry: 1, then: 'next' },
};

export function createRoutePolicy(actions: Partial<Record<FailureShape, ActionConfig | undefined>>, retry: RetryConfig, random: () => number = Math.random): Policy {
  return (failure, state) => {
    if (failure.shape === 'client_error') return { action: 'stop' };
    const action = actions[failure.shape] ?? DEFAULT_ACTIONS[failure.shape] ?? 'next';
    if (typeof action === 'string') return { action };
    if ('downgrade' in action) return { action: 'downgrade', to: action.downgrade };
    const then = typeof action.then === 'string' ? { action: action.then } : { action: 'downgrade' as const, to: action.then.downgrade };
    const retriesUsed = state.attemptsOnHop - 1;
    // Out of credit is not transient: backing off on it only burns the deadline.
    if (retriesUsed >= action.retry || failure.shape === 'quota_exhausted' || failure.shape === 'auth_error') return then;
    if (failure.retryAfterMs !== undefined) {
      return failure.retryAfterMs <= retry.max_retry_after_ms ? { action: 'retry', inMs: failure.retryAfterMs } : then;
    }
    return { action: 'retry', inMs: backoffMs(retriesUsed, retry.schedule_ms, retry.jitter, random) };
  };
}
