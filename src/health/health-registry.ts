/**
 * Every breaker of the gateway: one per deployment, and one per provider key (a rejected or
 * exhausted key fails every deployment that uses it, and nothing else). Kept by the gateway across
 * config reloads. In memory now; the cluster issue puts it behind Redis so replicas share it.
 */
import { EventEmitter } from 'node:events';
import { CircuitBreaker, type BreakerOptions, type HealthState, type Transition } from './circuit-breaker.js';

export interface HealthSnapshot {
  name: string;
  state: HealthState;
  /** When a failed circuit lets a call through again (epoch ms), if it is failed. */
  retryAt: number | undefined;
  transitions: Transition[];
}

export class HealthRegistry {
  private readonly deployments = new Map<string, CircuitBreaker>();
  private readonly keys = new Map<string, CircuitBreaker>();
  /** Emits `transition` (breaker name, transition) for telemetry. */
  readonly events = new EventEmitter();

  constructor(private options: BreakerOptions) {}

  /** New limits apply to breakers made from now on; the ones that exist keep their state and limits. */
  configure(options: BreakerOptions): void {
    this.options = options;
  }

  deployment(name: string): CircuitBreaker {
    return this.deployments.get(name) ?? this.make(this.deployments, name, `deployment:${name}`);
  }

  key(provider: string): CircuitBreaker {
    return this.keys.get(provider) ?? this.make(this.keys, provider, `key:${provider}`);
  }

  snapshot(): HealthSnapshot[] {
    return [...this.deployments.values(), ...this.keys.values()].map((breaker) => ({
      name: breaker.name,
      state: breaker.state,
      retryAt: breaker.state === 'failed' ? breaker.retryAt() : undefined,
      transitions: [...breaker.transitions],
    }));
  }

  private make(into: Map<string, CircuitBreaker>, key: string, name: string): CircuitBreaker {
    const breaker = new CircuitBreaker(name, this.options, (b, transition) => this.events.emit('transition', b.name, transition));
    into.set(key, breaker);
    return breaker;
  }
}
