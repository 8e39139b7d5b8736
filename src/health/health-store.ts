/**
 * Where breaker states are shared. A replica publishes each transition it decides; every replica
 * adopts the states the others publish, so one replica's detection routes traffic around an outage
 * on all of them. The in-memory store shares between gateways of one process (tests, a library
 * user running several); the cluster issue adds a Redis store behind the same interface.
 */
import type { HealthState } from './circuit-breaker.js';

export interface SharedHealthState {
  /** The breaker's name (`deployment:NAME` or `key:PROVIDER`). */
  breaker: string;
  state: HealthState;
  /** When a failed circuit may let a call through again (epoch ms). */
  openUntil: number;
  reason: string;
  at: number;
  /** Which gateway published it, so it does not adopt its own. */
  origin: string;
}

export interface HealthStore {
  publish(update: SharedHealthState): void;
  /** Calls back with every state published from now on; returns the unsubscribe. */
  subscribe(onUpdate: (update: SharedHealthState) => void): () => void;
  /** The last state published per breaker. */
  latest(): SharedHealthState[];
}

export class MemoryHealthStore implements HealthStore {
  private readonly listeners = new Set<(update: SharedHealthState) => void>();
  private readonly states = new Map<string, SharedHealthState>();

  publish(update: SharedHealthState): void {
    this.states.set(update.breaker, update);
    for (const listener of this.listeners) listener(update);
  }

  subscribe(onUpdate: (update: SharedHealthState) => void): () => void {
    this.listeners.add(onUpdate);
    return () => this.listeners.delete(onUpdate);
  }

  latest(): SharedHealthState[] {
    return [...this.states.values()];
  }
}
