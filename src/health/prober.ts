/**
 * Active probes: a cheap request per deployment (a 1-token completion, or a models listing), on an
 * interval, for failed and recovering deployments (and, with `all`, for every deployment), so
 * recovery and silent degradation are seen within seconds without spending user requests on them.
 * Probes bypass the request pipeline: they are never a tenant's request, never cached, never in the
 * request log; a gateway-wide cap bounds how many start per second.
 */
import { CancelSource } from '../cancel.js';
import { GatewayError } from '../errors.js';
import type { Provider } from '../providers/types.js';
import type { CircuitBreaker } from './circuit-breaker.js';
import type { HealthRegistry } from './health-registry.js';

/** How often the prober looks for a probe that is due. */
export const PROBE_TICK_MS = 100;
/** What a completion probe asks. */
const PROBE_BODY_TEXT = 'ping';
/** Sent with every probe, so an upstream's logs (and tests) can tell probes from user traffic. */
export const PROBE_HEADER = 'x-switchyard-probe';

export interface ProbeSettings {
  enabled: boolean;
  kind: 'completion' | 'models';
  intervalMs: number;
  all: boolean;
  allIntervalMs: number;
  timeoutMs: number;
}

export interface ProbeTarget {
  deployment: string;
  providerName: string;
  provider: Provider;
  model: string;
  settings: ProbeSettings;
}

export interface ProberOptions {
  registry: HealthRegistry;
  /** The deployments of the config in force (it changes on reload). */
  targets(): ProbeTarget[];
  maxPerSecond: number;
  onProbe?(result: { deployment: string; ok: boolean; shape?: string; durationMs: number }): void;
}

export class Prober {
  private timer: NodeJS.Timeout | undefined;
  private readonly lastProbeAt = new Map<string, number>();
  private readonly running = new Map<string, CancelSource>();
  private windowStart = 0;
  private startedInWindow = 0;

  constructor(private readonly options: ProberOptions) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.tick(Date.now()), PROBE_TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const controller of this.running.values()) controller.abort();
    this.running.clear();
  }

  /** Starts every probe that is due now, within the rate cap. Public for tests. */
  tick(now: number): void {
    for (const target of this.options.targets()) {
      if (!target.settings.enabled || this.running.has(target.deployment)) continue;
      const breaker = this.options.registry.deployment(target.deployment, target.providerName);
      const interval = this.intervalFor(breaker, target.settings, now);
      if (interval === undefined) continue;
      if (now - (this.lastProbeAt.get(target.deployment) ?? 0) < interval) continue;
      if (!this.takeToken(now)) return;
      this.lastProbeAt.set(target.deployment, now);
      void this.probe(target, breaker);
    }
  }

  /** The pause between probes of this breaker now, or undefined when it is not to be probed. */
  private intervalFor(breaker: CircuitBreaker, settings: ProbeSettings, now: number): number | undefined {
    if (breaker.drained) return undefined;
    if (breaker.state === 'failed') return now < breaker.probeNotBefore() ? undefined : settings.intervalMs;
    if (breaker.state === 'recovering') return settings.intervalMs;
    return settings.all ? settings.allIntervalMs : undefined;
  }

  private takeToken(now: number): boolean {
    if (now - this.windowStart >= 1000) {
      this.windowStart = now;
      this.startedInWindow = 0;
    }
    if (this.startedInWindow >= this.options.maxPerSecond) return false;
    this.startedInWindow++;
    return true;
  }

  private async probe(target: ProbeTarget, breaker: CircuitBreaker): Promise<void> {
    const controller = new CancelSource();
    this.running.set(target.deployment, controller);
    const timer = setTimeout(() => controller.abort(), target.settings.timeoutMs);
    const started = performance.now();
    const call = {
      model: target.model,
      cancel: controller,
      headers: { [PROBE_HEADER]: '1' },
      timeouts: { firstByteMs: target.settings.timeoutMs, idleMs: target.settings.timeoutMs, totalMs: target.settings.timeoutMs },
    };
    try {
      if (target.settings.kind === 'models' && target.provider.listModels) await target.provider.listModels(call);
      else await target.provider.chat({ ...call, body: { model: target.model, messages: [{ role: 'user', content: PROBE_BODY_TEXT }], max_tokens: 1 } });
      breaker.probeSucceeded();
      this.options.onProbe?.({ deployment: target.deployment, ok: true, durationMs: performance.now() - started });
    } catch (err) {
      if (!this.timer && controller.aborted) return; // stopped
      const shape = err instanceof GatewayError ? (err.code === 'client_closed' ? 'timeout' : err.shape ?? 'unknown_upstream_error') : 'unknown_upstream_error';
      breaker.probeFailed(shape, err instanceof GatewayError ? err.retryAfterMs : undefined);
      this.options.onProbe?.({ deployment: target.deployment, ok: false, shape, durationMs: performance.now() - started });
    } finally {
      clearTimeout(timer);
      this.running.delete(target.deployment);
    }
  }
}
