/**
 * A breaker's limits from config: gateway-wide `health`, then the provider's override, then the
 * deployment's (most specific wins). Probe settings resolve the same way.
 */
import type { BreakerOverrideConfig, HealthConfig } from '../config/schema.js';
import type { BreakerOptions } from './circuit-breaker.js';
import type { BreakerTarget } from './health-registry.js';
import type { ProbeSettings } from './prober.js';

/** Calls a recovering circuit lets through at once. */
const RECOVERY_CONCURRENCY = 1;

export function breakerOptionsFor(health: HealthConfig, target: BreakerTarget): BreakerOptions {
  const layers = overridesFor(health, target.provider, target.kind === 'deployment' ? target.name : undefined);
  const pick = <K extends keyof BreakerOverrideConfig & keyof HealthConfig>(key: K): NonNullable<HealthConfig[K]> => {
    let value = health[key];
    for (const layer of layers) if (layer[key] !== undefined) value = layer[key] as HealthConfig[K];
    return value as NonNullable<HealthConfig[K]>;
  };
  const probes = probeSettingsFor(health, target.provider, target.kind === 'deployment' ? target.name : undefined);
  return {
    windowMs: pick('window_ms'),
    minCalls: pick('min_calls'),
    failRate: pick('fail_rate'),
    degradeRate: pick('degrade_rate'),
    consecutiveFailures: pick('consecutive_failures'),
    cooldownMs: pick('cooldown_ms'),
    maxCooldownMs: pick('max_cooldown_ms'),
    longCooldownMs: pick('long_cooldown_ms'),
    recoverySuccesses: pick('recovery_successes'),
    recoveryConcurrency: RECOVERY_CONCURRENCY,
    slowCallMs: pick('slow_call_ms'),
    stallFactor: pick('stall_factor'),
    stallMinMs: pick('stall_min_ms'),
    stallCalls: pick('stall_calls'),
    // Only deployments are probed; a key's breaker recovers by its cooldown.
    probeGated: target.kind === 'deployment' && probes.enabled,
  };
}

export function probeSettingsFor(health: HealthConfig, provider: string, deployment: string | undefined): ProbeSettings {
  const merged = { ...health.probes };
  for (const layer of overridesFor(health, provider, deployment)) Object.assign(merged, definedOnly(layer.probes ?? {}));
  return {
    enabled: merged.enabled,
    kind: merged.kind,
    intervalMs: merged.interval_ms,
    all: merged.all,
    allIntervalMs: merged.all_interval_ms,
    timeoutMs: merged.timeout_ms,
  };
}

function overridesFor(health: HealthConfig, provider: string, deployment: string | undefined): BreakerOverrideConfig[] {
  const layers: BreakerOverrideConfig[] = [];
  const byProvider = health.providers[provider];
  if (byProvider) layers.push(byProvider);
  const byDeployment = deployment === undefined ? undefined : health.deployments[deployment];
  if (byDeployment) layers.push(byDeployment);
  return layers;
}

function definedOnly<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}
