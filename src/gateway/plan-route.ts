/** The route a request takes, after its own overrides (forced deployment, no fallback, its own deadline). */
import { cancelOf, NEVER_CANCELLED, type Cancel } from '../cancel.js';
import { GatewayError, invalidRequest } from '../errors.js';
import type { HealthRegistry } from '../health/health-registry.js';
import { orderByHealth } from '../health/order-by-health.js';
import type { ChainOptions } from '../fallback/run-chain.js';
import type { StreamChunk } from '../providers/types.js';
import type { Route, Runtime, Step } from './runtime.js';
import type { Served } from './served.js';

export interface RequestOverrides {
  /** Pin the request to this deployment: no other step is tried. */
  deployment?: string;
  /** `false`: only the first step of the chain (retries on it still apply). */
  fallback?: boolean;
  /** The request's own deadline; it can only shorten the route's. */
  deadlineMs?: number;
}

export interface CallOptions {
  /** Aborts every upstream call of the request (a client that went away). */
  signal?: AbortSignal;
  /** The same as `signal`, in the gateway's own cheaper form (the HTTP server gives this); wins over `signal`. */
  cancel?: Cancel;
  /** Carried into logs and response headers; generated when absent. */
  requestId?: string;
  /** The client's Idempotency-Key. */
  idempotencyKey?: string;
  /** Who is asking; scopes idempotency keys and cached answers. */
  tenant?: string;
  /** The subject of the client certificate the connection was verified with (mTLS): named in the access log and the request's span. */
  clientCertificate?: string;
  overrides?: RequestOverrides;
  /** The raw body's size in bytes, when known: a free upper bound for the context-window check. */
  bodyBytes?: number;
  /** The W3C trace context the client sent (`traceparent`, `tracestate`), handed to telemetry. */
  traceparent?: string;
  tracestate?: string;
  /**
   * A stream's chunks up to its first content (the role-only first chunk, then the first content
   * chunk), handed over as they arrive, with what is streaming them (`from`: its deployment, hop
   * and the attempts so far, to be read during the call: the walk goes on changing its attempts);
   * they are then left out of the outcome's chunks. The first content goes out before the served
   * call's bookkeeping, so the time to a stream's first text is not spent on it. The request can
   * still fall back after the chunks before it: the next deployment's early chunks follow, with
   * their own `from`, and the outcome's `served` names what served in the end. Without it, these
   * chunks wait for the first content and come first in the outcome's chunks. Never called on a route
   * that hedges, where two calls may be streaming at once. It must not throw: an error thrown
   * there fails the call as an upstream's failure would.
   */
  onEarlyChunk?: (chunk: StreamChunk, from: Served) => void;
}

export interface RoutePlan {
  route: Route;
  steps: readonly Step[];
  deadlineMs: number;
  maxHops: number;
}

/**
 * The chain walk for this plan, with the caller's cancellation, attempt function and (with tracing)
 * span ids. With health on and the route's order `health`, degraded deployments go behind healthy
 * peers. One object literal: this runs for every request.
 */
export function chainOptions<T>(
  plan: RoutePlan,
  health: HealthRegistry | undefined,
  walk: { cancel: Cancel; attempt: ChainOptions<Step, T>['attempt']; hedgeAfterMs?: number | undefined; newSpanId?: (() => string) | undefined },
): ChainOptions<Step, T> {
  const options: ChainOptions<Step, T> = {
    steps: health && plan.route.order === 'health' ? orderByHealth(plan.steps, health) : plan.steps,
    resolve: plan.route.resolve,
    policy: plan.route.policy,
    maxHops: plan.maxHops,
    deadlineAt: performance.now() + plan.deadlineMs,
    cancel: walk.cancel,
    attempt: walk.attempt,
  };
  if (walk.hedgeAfterMs !== undefined) options.hedgeAfterMs = walk.hedgeAfterMs;
  if (walk.newSpanId !== undefined) options.newSpanId = walk.newSpanId;
  return options;
}

export function planRoute(runtime: Runtime, model: string, options: CallOptions): RoutePlan {
  const route = runtime.routes.get(model);
  if (!route) {
    throw new GatewayError(`The model '${model}' does not exist. Ask GET /v1/models for the models this gateway serves.`, {
      status: 404,
      code: 'model_not_found',
      param: 'model',
      shape: 'client_error',
    });
  }
  const overrides = options.overrides;
  if (!overrides) return { route, steps: route.chain, deadlineMs: route.deadlineMs, maxHops: route.maxHops };
  let steps: readonly Step[] = route.chain;
  if (overrides.deployment !== undefined) {
    const pinned = route.resolve(overrides.deployment);
    if (!pinned || pinned.kind !== 'deployment') {
      throw invalidRequest(`x-switchyard-force-deployment names '${overrides.deployment}', which is not a deployment of this gateway.`, 'x-switchyard-force-deployment', 'unknown_deployment');
    }
    steps = [pinned];
  } else if (overrides.fallback === false) {
    steps = route.chain.slice(0, 1);
  }
  const deadlineMs = overrides.deadlineMs !== undefined ? Math.min(route.deadlineMs, overrides.deadlineMs) : route.deadlineMs;
  return { route, steps, deadlineMs, maxHops: route.maxHops };
}

/** The request's cancellation, from either form a caller may give. */
export function cancelOfCall(options: CallOptions): Cancel {
  return options.cancel ?? (options.signal ? cancelOf(options.signal) : NEVER_CANCELLED);
}
