/**
 * The failure classifier's entry: decides whether something thrown by a hop is a failure the
 * policy may act on. Providers already map their wire errors to shapes (each in its own folder);
 * what reaches here without a shape is not an upstream failure: a client that left, or a bug, and
 * both are rethrown rather than retried.
 */
import { GatewayError, type FailureShape } from '../errors.js';

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
