/** What the gateway tells about how a request was served (response headers, attempt log). */
import { GatewayError } from '../errors.js';
import type { AttemptRecord, FallbackReason } from '../fallback/run-chain.js';

export interface Served {
  requestId: string;
  /** The route the client asked for (its `model`). */
  route: string;
  /** The step that served (a deployment, `cache`, or a manual handler), or that failed last. */
  deployment: string | undefined;
  provider: string | undefined;
  /** 1-based hop that served (or failed last). */
  hop: number;
  /** Every call made for this request, and every step not taken. */
  attempts: AttemptRecord[];
  /** The failure shape (or open circuit) that first moved the request off its first step. */
  fallbackReason: FallbackReason | undefined;
  /** Served from the response cache after every live hop failed. */
  cache?: { ageMs: number };
  /** Served by a manual handler. */
  manual?: string;
  /** A replay of an earlier answer for the same idempotency key (the attempts are the original's). */
  replayOf?: string;
}

/** A request that the gateway could not serve, with how far it got. */
export class RequestError extends GatewayError {
  readonly served: Served | undefined;
  constructor(error: GatewayError, served: Served | undefined) {
    super(error.message, {
      status: error.status,
      code: error.code,
      type: error.type,
      param: error.param,
      shape: error.shape,
      retryAfterMs: error.retryAfterMs,
      upstreamStatus: error.upstreamStatus,
      headers: error.headers,
      cause: error.cause,
    });
    this.name = 'RequestError';
    this.served = served;
  }
}
