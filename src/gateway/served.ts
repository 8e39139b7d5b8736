/** What the gateway tells about how a request was served (response headers, attempt log). */
import { GatewayError, type FailureShape } from '../errors.js';
import type { AttemptRecord } from '../fallback/run-chain.js';

export interface Served {
  requestId: string;
  /** The route the client asked for (its `model`). */
  route: string;
  /** The deployment that served, or that failed last. */
  deployment: string | undefined;
  provider: string | undefined;
  /** 1-based hop that served (or failed last). */
  hop: number;
  /** Every upstream call made for this request. */
  attempts: AttemptRecord[];
  /** The failure shape that first moved the request off its first hop. */
  fallbackReason: FailureShape | undefined;
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
      headers: error.headers,
      cause: error.cause,
    });
    this.name = 'RequestError';
    this.served = served;
  }
}
