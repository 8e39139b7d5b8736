/**
 * The failure classifier's entry: decides whether something thrown by a hop is a failure the
 * policy may act on. Providers already map their wire errors to shapes (each in its own folder);
 * what reaches here without a shape is not an upstream failure: a client that left, or a bug, and
 * both are rethrown rather than retried.
 */
import { GatewayError, type FailureShape } from '../errors.js';
import type { FinishReason } from '../providers/types.js';

export interface Failure {
  shape: FailureShape;
  error: GatewayError;
  /** Upstream asked us to wait this long before calling it again. */
  retryAfterMs: number | undefined;
}

export function classifyFailure(err: unknown): Failure {
  if (err instanceof GatewayError && err.shape !== undefined) {
    return { shape: err.shape, error: err, retryAfterMs: err.retryAfterMs };
  }
  throw err;
}

/**
 * A 200 can still be a failure: an answer whose every choice was stopped by the upstream's content
 * filter is a refusal, and another deployment may answer.
 */
export function failureOfAnswer(finishReasons: readonly FinishReason[]): GatewayError | undefined {
  if (finishReasons.length > 0 && finishReasons.every((reason) => reason.unified === 'content_filter')) {
    return new GatewayError("The upstream's content filter blocked the answer.", { status: 400, code: 'content_filter', shape: 'guardrail_block' });
  }
  return undefined;
}
