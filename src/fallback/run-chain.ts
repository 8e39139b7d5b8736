/**
 * The hop loop: try each step of a route's chain in order, ask the policy after every classified
 * failure, stop at the first success, the hop budget or the deadline. Every call is recorded, so
 * a response can say how it was served and the attempt log can show why.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { GatewayError, type FailureShape } from '../errors.js';
import { classifyFailure, type Failure } from './classify-failure.js';
import type { Policy } from './policy.js';

export interface ChainStep {
  /** The deployment's name. */
  name: string;
  providerName: string;
  model: string;
}

export interface AttemptRecord {
  /** 1-based position in the chain. */
  hop: number;
  deployment: string;
  provider: string;
  model: string;
  outcome: 'served' | 'failed';
  shape?: FailureShape;
  status?: number;
  code?: string;
  message?: string;
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
  durationMs: number;
}

export interface ChainOptions<S extends ChainStep, T> {
  steps: readonly S[];
  policy: Policy;
  maxHops: number;
  /** `performance.now()` time after which no new call starts. */
  deadlineAt: number;
  signal: AbortSignal;
  /** Makes one call; `remainingMs` is what is left of the request's deadline. */
  attempt(step: S, remainingMs: number): Promise<T>;
}

export interface ChainReport<S> {
  attempts: AttemptRecord[];
  /** The shape of the first failure that moved the request off its first hop. */
  fallbackReason: FailureShape | undefined;
  /** 1-based hop that served or failed last. */
  hop: number;
  step: S | undefined;
}

export type ChainResult<S, T> = ({ ok: true; value: T; step: S } & ChainReport<S>) | ({ ok: false; error: GatewayError } & ChainReport<S>);

export async function runChain<S extends ChainStep, T>(options: ChainOptions<S, T>): Promise<ChainResult<S, T>> {
  const attempts: AttemptRecord[] = [];
  let fallbackReason: FailureShape | undefined;
  let lastFailure: Failure | undefined;
  const hops = Math.min(options.maxHops, options.steps.length);

  for (let index = 0; index < hops; index++) {
    const step = options.steps[index] as S;
    for (let attemptsOnHop = 1; ; attemptsOnHop++) {
      const remainingMs = options.deadlineAt - performance.now();
      if (remainingMs <= 0) {
        return fail(deadlineError(lastFailure), attempts, fallbackReason, index + 1, step);
      }
      const startedAt = Date.now();
      const started = performance.now();
      try {
        const value = await options.attempt(step, remainingMs);
        attempts.push(record(step, index, 'served', startedAt, started));
        return { ok: true, value, step, attempts, fallbackReason, hop: index + 1 };
      } catch (err) {
        const failure = classifyFailure(err);
        attempts.push({ ...record(step, index, 'failed', startedAt, started), shape: failure.shape, status: failure.error.status, code: failure.error.code, message: failure.error.message });
        lastFailure = failure;
        const decision = options.policy(failure, { hop: index, attemptsOnHop });
        if (decision.action === 'stop') return fail(failure.error, attempts, fallbackReason, index + 1, step);
        if (decision.action === 'retry') {
          const waitMs = Math.min(decision.inMs, options.deadlineAt - performance.now());
          if (waitMs > 0) await sleep(waitMs, undefined, { signal: options.signal });
          continue;
        }
        fallbackReason ??= failure.shape;
        break;
      }
    }
  }
  return fail(exhaustedError(lastFailure, attempts.length), attempts, fallbackReason, hops, options.steps[hops - 1]);
}

function record(step: ChainStep, index: number, outcome: AttemptRecord['outcome'], startedAt: number, started: number): AttemptRecord {
  return {
    hop: index + 1,
    deployment: step.name,
    provider: step.providerName,
    model: step.model,
    outcome,
    startedAt,
    durationMs: Math.round((performance.now() - started) * 100) / 100,
  };
}

function fail<S, T>(error: GatewayError, attempts: AttemptRecord[], fallbackReason: FailureShape | undefined, hop: number, step: S | undefined): ChainResult<S, T> {
  return { ok: false, error, attempts, fallbackReason, hop, step };
}

/** Every hop failed: the client sees the last failure's status, with a message that says so. */
function exhaustedError(last: Failure | undefined, calls: number): GatewayError {
  if (!last) return new GatewayError('The route has no deployment to call.', { status: 502, code: 'no_route_available', shape: 'unknown_upstream_error' });
  if (calls === 1) return last.error;
  return new GatewayError(`All ${calls} attempts failed; the last: ${last.error.message}`, {
    status: last.error.status,
    code: last.error.code,
    param: last.error.param,
    shape: last.shape,
    retryAfterMs: last.retryAfterMs,
  });
}

function deadlineError(last: Failure | undefined): GatewayError {
  const suffix = last ? ` The last failure: ${last.error.message}` : '';
  return new GatewayError(`The request's deadline passed before a deployment answered.${suffix}`, { status: 504, code: 'deadline_exceeded', shape: 'timeout' });
}
