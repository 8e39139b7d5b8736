/**
 * The enrichment step in front of the telemetry sinks: prices the event (`event.cost`) once, so the
 * request log, the metrics and the traces all see the same figures. Pricing is in memory (the
 * package's bundled data, matched once per model), so it may run on the request's tick.
 */
import type { Config } from '../config/schema.js';
import type { Telemetry } from '../telemetry/request-event.js';
import { pricerFor, unpricedDeployments, type UnpricedDeployment } from './create-pricer.js';
import { priceRequest } from './price-request.js';

export interface CostOptions {
  /** The config in force (its overrides change on reload). */
  config: () => Config;
  /** A price that cannot be computed is reported here; the event still reaches the sinks, without cost. */
  onError: (err: unknown) => void;
  /** The config's deployments whose model has no price, told once when the config is applied (only if there are any). */
  onUnpriced?: (deployments: UnpricedDeployment[]) => void;
}

/** A usage to ask a price with: whether there is one, not what it comes to. */
const ONE_TOKEN_EACH = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 };

/** Wraps the sinks so every event carries its cost before any sink sees it. */
export function withCost(sinks: Telemetry | undefined, options: CostOptions): Telemetry | undefined {
  if (!sinks) return undefined;
  // The config's pricer is made now (reading every deployment's price), so no request waits for it.
  const unpriced = unpricedDeployments(options.config());
  if (unpriced.length > 0) options.onUnpriced?.(unpriced);
  return {
    // The tracing seam (if a sink traces) passes through untouched: the core asks it before the request runs.
    ...(sinks.tracing ? { tracing: sinks.tracing } : {}),
    priced(provider, model) {
      const config = options.config();
      return config.telemetry.pricing.enabled && pricerFor(config)(provider, model, ONE_TOKEN_EACH) !== undefined;
    },
    requestFinished(event) {
      const config = options.config();
      if (config.telemetry.pricing.enabled && event.cost === undefined) {
        try {
          event.cost = priceRequest(event, pricerFor(config));
        } catch (err) {
          options.onError(err);
        }
      }
      sinks.requestFinished(event);
    },
    close: () => sinks.close(),
  };
}
