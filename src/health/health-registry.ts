/**
 * Every breaker of the gateway: one per deployment, and one per provider key (a rejected or
 * exhausted key fails every deployment that uses it, and nothing else). Kept by the gateway across
 * config reloads. Transitions are events (`transition`) for telemetry and are shared through a
 * HealthStore; a timer looks for stalled calls.
 */
import { randomUUID } from 'node:crypto';
import { EventEmitter } from 'node:events';
import { CircuitBreaker, type BreakerOptions, type HealthState, type Transition } from './circuit-breaker.js';
import { MemoryHealthStore, type HealthStore, type SharedHealthState } from './health-store.js';
import type { Outage } from './outage-clock.js';

/** How often in-flight calls are checked for stalls. */
export const STALL_CHECK_INTERVAL_MS = 50;

export type BreakerTarget = { kind: 'deployment'; name: string; provider: string } | { kind: 'key'; provider: string };

export interface HealthSnapshot {
  name: string;
  kind: 'deployment' | 'key';
  state: HealthState;
  drained: boolean;
  /** When a failed circuit lets a call through again (epoch ms), if it is failed and not waiting on a probe. */
  retryAt: number | undefined;
  window: ReturnType<CircuitBreaker['window']>;
  counters: CircuitBreaker['counters'];
  inflight: number;
  transitions: Transition[];
  /** The last outages, the current one last, with their MTTR figures. */
  outages: Outage[];
}

export interface TransitionEvent {
  breaker: string;
  transition: Transition;
}

export class HealthRegistry {
  private readonly deployments = new Map<string, CircuitBreaker>();
  private readonly keys = new Map<string, CircuitBreaker>();
  /** Emits `transition` (TransitionEvent) for telemetry. */
  readonly events = new EventEmitter();
  private readonly origin = randomUUID();
  private readonly unsubscribe: () => void;
  private watch: NodeJS.Timeout | undefined;

  constructor(
    private resolve: (target: BreakerTarget) => BreakerOptions,
    private readonly store: HealthStore = new MemoryHealthStore(),
  ) {
    this.unsubscribe = store.subscribe((update) => this.adopt(update));
  }

  /** New limits apply to breakers made from now on; the ones that exist keep their state and limits. */
  configure(resolve: (target: BreakerTarget) => BreakerOptions): void {
    this.resolve = resolve;
  }

  deployment(name: string, provider: string): CircuitBreaker {
    return this.deployments.get(name) ?? this.make(this.deployments, name, { kind: 'deployment', name, provider });
  }

  key(provider: string): CircuitBreaker {
    return this.keys.get(provider) ?? this.make(this.keys, provider, { kind: 'key', provider });
  }

  /** An existing breaker by its kind and name (the admin API's lookup). */
  find(kind: 'deployment' | 'key', name: string): CircuitBreaker | undefined {
    return (kind === 'deployment' ? this.deployments : this.keys).get(name);
  }

  snapshot(now = Date.now()): HealthSnapshot[] {
    const view = (kind: 'deployment' | 'key') => (breaker: CircuitBreaker): HealthSnapshot => ({
      name: breaker.name,
      kind,
      state: breaker.state,
      drained: breaker.drained,
      retryAt: breaker.state === 'failed' && breaker.retryAt() < Number.MAX_SAFE_INTEGER ? breaker.retryAt() : undefined,
      window: breaker.window(now),
      counters: { ...breaker.counters },
      inflight: breaker.inflight.size,
      transitions: [...breaker.transitions],
      outages: breaker.outageHistory(),
    });
    return [...[...this.deployments.values()].map(view('deployment')), ...[...this.keys.values()].map(view('key'))];
  }

  /** Starts looking for stalled calls (idempotent). */
  startWatch(): void {
    if (this.watch) return;
    this.watch = setInterval(() => {
      const now = Date.now();
      for (const breaker of this.deployments.values()) if (breaker.inflight.size > 0) breaker.checkStalls(now);
    }, STALL_CHECK_INTERVAL_MS);
    this.watch.unref();
  }

  close(): void {
    if (this.watch) clearInterval(this.watch);
    this.watch = undefined;
    this.unsubscribe();
  }

  private make(into: Map<string, CircuitBreaker>, key: string, target: BreakerTarget): CircuitBreaker {
    const name = target.kind === 'deployment' ? `deployment:${target.name}` : `key:${target.provider}`;
    const breaker = new CircuitBreaker(name, this.resolve(target), (b, transition) => this.emit(b, transition));
    into.set(key, breaker);
    const shared = this.store.latest().find((state) => state.breaker === name && state.origin !== this.origin);
    if (shared && shared.state !== 'healthy') breaker.adopt(shared.state, shared.openUntil, `${shared.reason} (shared)`);
    return breaker;
  }

  private emit(breaker: CircuitBreaker, transition: Transition): void {
    this.events.emit('transition', { breaker: breaker.name, transition } satisfies TransitionEvent);
    this.store.publish({ breaker: breaker.name, state: transition.to, openUntil: breaker.retryAt(), reason: transition.reason, at: transition.at, origin: this.origin });
  }

  private adopt(update: SharedHealthState): void {
    if (update.origin === this.origin) return;
    const [kind, ...rest] = update.breaker.split(':');
    const breaker = this.find(kind === 'key' ? 'key' : 'deployment', rest.join(':'));
    // A breaker this replica has not made yet adopts the shared state when it is made.
    breaker?.adopt(update.state, update.openUntil, `${update.reason} (shared)`, update.at);
  }
}
