/** Gateway-wide state that outlives a config reload. */
import type { Config } from '../config/schema.js';
import { ResponseCache } from '../cache/response-cache.js';
import { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { RecentRequests } from './recent-requests.js';
import { HealthRegistry } from '../health/health-registry.js';
import { breakerOptionsFor } from '../health/breaker-options.js';
import type { HealthStore } from '../health/health-store.js';
import type { Telemetry } from '../telemetry/request-event.js';

export interface GatewayServices {
  cache: ResponseCache;
  idempotency: IdempotencyStore;
  recent: RecentRequests;
  /** Circuit breakers; undefined when `health.enabled` is false. */
  health(): HealthRegistry | undefined;
  /** The registry itself, whether or not health is on (closing, the admin API). */
  healthRegistry: HealthRegistry;
  /** Where finished requests are reported; undefined when no sink listens (the hot path then builds no event). */
  telemetry: Telemetry | undefined;
  /** The idempotency settings in force (they change on reload). */
  idempotencyConfig(): Config['idempotency'];
}

/** `telemetry` starts unset: the gateway points it at its sinks (and again after a reload). */
export function createServices(config: () => Config, healthStore?: HealthStore): GatewayServices {
  const initial = config();
  const health = new HealthRegistry((target) => breakerOptionsFor(initial.health, target), healthStore);
  health.startWatch();
  return {
    healthRegistry: health,
    telemetry: undefined,
    health: () => (config().health.enabled ? health : undefined),
    cache: new ResponseCache(cacheOptions(initial)),
    idempotency: new IdempotencyStore(idempotencyOptions(initial)),
    recent: new RecentRequests(initial.server.recent_requests),
    idempotencyConfig: () => config().idempotency,
  };
}

/** Applies a reloaded config's limits to the long-lived stores. */
export function reconfigureServices(services: GatewayServices, config: Config): void {
  services.cache.configure(cacheOptions(config));
  services.idempotency.configure(idempotencyOptions(config));
  services.healthRegistry.configure((target) => breakerOptionsFor(config.health, target));
  services.recent.resize(config.server.recent_requests);
}

function idempotencyOptions(config: Config) {
  return { ttlMs: config.idempotency.ttl_ms, maxEntries: config.idempotency.max_entries, maxBytes: config.idempotency.max_bytes };
}

function cacheOptions(config: Config) {
  return { ttlMs: config.cache.ttl_ms, maxEntries: config.cache.max_entries, maxBytes: config.cache.max_bytes };
}
