/** Gateway-wide state that outlives a config reload. */
import type { Config } from '../config/schema.js';
import { ResponseCache } from '../cache/response-cache.js';
import { IdempotencyStore } from '../idempotency/idempotency-store.js';
import { RecentRequests } from './recent-requests.js';
import { HealthRegistry } from '../health/health-registry.js';
import type { BreakerOptions } from '../health/circuit-breaker.js';

export interface GatewayServices {
  cache: ResponseCache;
  idempotency: IdempotencyStore;
  recent: RecentRequests;
  /** Circuit breakers; undefined when `health.enabled` is false. */
  health(): HealthRegistry | undefined;
  /** The idempotency settings in force (they change on reload). */
  idempotencyConfig(): Config['idempotency'];
}

export function createServices(config: () => Config): GatewayServices {
  const initial = config();
  const health = new HealthRegistry(breakerOptions(initial));
  return {
    health: () => (config().health.enabled ? health : undefined),
    cache: new ResponseCache(cacheOptions(initial)),
    idempotency: new IdempotencyStore(idempotencyOptions(initial)),
    recent: new RecentRequests(),
    idempotencyConfig: () => config().idempotency,
  };
}

/** Applies a reloaded config's limits to the long-lived stores. */
export function reconfigureServices(services: GatewayServices, config: Config): void {
  services.cache.configure(cacheOptions(config));
  services.idempotency.configure(idempotencyOptions(config));
  services.health()?.configure(breakerOptions(config));
}

function idempotencyOptions(config: Config) {
  return { ttlMs: config.idempotency.ttl_ms, maxEntries: config.idempotency.max_entries, maxBytes: config.idempotency.max_bytes };
}

function breakerOptions(config: Config): BreakerOptions {
  const h = config.health;
  return {
    windowMs: h.window_ms,
    minCalls: h.min_calls,
    failRate: h.fail_rate,
    degradeRate: h.degrade_rate,
    consecutiveFailures: h.consecutive_failures,
    cooldownMs: h.cooldown_ms,
    maxCooldownMs: h.max_cooldown_ms,
    longCooldownMs: h.long_cooldown_ms,
    recoverySuccesses: h.recovery_successes,
    recoveryConcurrency: 1,
  };
}

function cacheOptions(config: Config) {
  return { ttlMs: config.cache.ttl_ms, maxEntries: config.cache.max_entries, maxBytes: config.cache.max_bytes };
}
