/**
 * A circuit breaker for one deployment (or one provider key), with four states:
 *
 *   healthy ──failures──▶ failed ──cooldown over──▶ recovering ──enough successes──▶ healthy
 *      ▲  │                  ▲                          │
 *      │  └─some failures─▶ degraded                    └──a failure──▶ failed (longer cooldown)
 *      └──────────────────────┘
 *
 * Passive signals only (real traffic): failure rate over a sliding window, consecutive failures,
 * and an upstream's own `retry-after`. A failed breaker lets nothing through until its cooldown
 * ends; a recovering one lets a trickle through (half-open).
 */
import type { FailureShape } from '../errors.js';

export type HealthState = 'healthy' | 'degraded' | 'failed' | 'recovering';

export interface BreakerOptions {
  /** The sliding window over which the failure rate is measured. */
  windowMs: number;
  /** Calls in the window before its failure rate counts. */
  minCalls: number;
  /** Failure rate that opens the circuit. */
  failRate: number;
  /** Failure rate that marks the deployment degraded (still used, behind healthy peers). */
  degradeRate: number;
  /** Consecutive failures that open the circuit whatever the rate (a hard outage trips fast). */
  consecutiveFailures: number;
  /** First cooldown; each failed recovery doubles it, up to `maxCooldownMs`. */
  cooldownMs: number;
  maxCooldownMs: number;
  /** Cooldown after `quota_exhausted` or `auth_error`: not transient. */
  longCooldownMs: number;
  /** Successes in a row that close a recovering circuit. */
  recoverySuccesses: number;
  /** Calls a recovering circuit lets through at once. */
  recoveryConcurrency: number;
}

export const DEFAULT_BREAKER_OPTIONS: BreakerOptions = {
  windowMs: 10_000,
  minCalls: 5,
  failRate: 0.5,
  degradeRate: 0.2,
  consecutiveFailures: 3,
  cooldownMs: 5_000,
  maxCooldownMs: 60_000,
  longCooldownMs: 300_000,
  recoverySuccesses: 2,
  recoveryConcurrency: 1,
};

/** Shapes that say nothing about the deployment's health. */
const NOT_HEALTH: ReadonlySet<FailureShape> = new Set(['client_error', 'guardrail_block', 'context_overflow', 'quality_floor_miss']);

export interface Transition {
  from: HealthState;
  to: HealthState;
  reason: string;
  at: number;
}

/** Buckets of one second: the window costs a fixed few numbers, whatever the traffic. */
const BUCKET_MS = 1_000;

export class CircuitBreaker {
  state: HealthState = 'healthy';
  private openUntil = 0;
  private cooldown: number;
  private consecutive = 0;
  private recoveryOk = 0;
  private recoveryInflight = 0;
  private readonly calls: number[];
  private readonly failures: number[];
  private bucketStart = 0;
  readonly transitions: Transition[] = [];

  constructor(
    readonly name: string,
    private readonly options: BreakerOptions = DEFAULT_BREAKER_OPTIONS,
    private readonly onTransition: (breaker: CircuitBreaker, transition: Transition) => void = () => {},
  ) {
    this.cooldown = options.cooldownMs;
    const buckets = Math.max(1, Math.ceil(options.windowMs / BUCKET_MS));
    this.calls = new Array<number>(buckets).fill(0);
    this.failures = new Array<number>(buckets).fill(0);
  }

  /** Whether a call may go to this deployment now. A `true` must be followed by `succeeded` or `failed`. */
  tryAcquire(now = Date.now()): boolean {
    if (this.state === 'failed') {
      if (now < this.openUntil) return false;
      this.move('recovering', 'cooldown over: letting a trickle through', now);
    }
    if (this.state === 'recovering') {
      if (this.recoveryInflight >= this.options.recoveryConcurrency) return false;
      this.recoveryInflight++;
    }
    return true;
  }

  /** Gives back a call taken with `tryAcquire` that says nothing about health (the client left). */
  release(): void {
    if (this.state === 'recovering') this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
  }

  /** When the circuit will let a call through again (0 when it does now). */
  retryAt(): number {
    return this.state === 'failed' ? this.openUntil : 0;
  }

  succeeded(now = Date.now()): void {
    this.record(now, false);
    this.consecutive = 0;
    if (this.state === 'recovering') {
      this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
      if (++this.recoveryOk >= this.options.recoverySuccesses) {
        this.cooldown = this.options.cooldownMs;
        this.resetWindow();
        this.move('healthy', `${this.recoveryOk} successes while recovering`, now);
      }
      return;
    }
    this.reassess(now);
  }

  failed(shape: FailureShape, retryAfterMs: number | undefined, now = Date.now()): void {
    if (NOT_HEALTH.has(shape)) {
      // Not the deployment's fault, but a recovering slot must still be given back.
      if (this.state === 'recovering') this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
      return;
    }
    this.record(now, true);
    this.consecutive++;
    if (shape === 'quota_exhausted' || shape === 'auth_error') return this.open(now, this.options.longCooldownMs, shape);
    if (shape === 'rate_limit_429' && retryAfterMs !== undefined && retryAfterMs > 0) return this.open(now, retryAfterMs, `rate_limit_429 (retry-after ${retryAfterMs} ms)`);
    if (this.state === 'recovering') {
      this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
      this.cooldown = Math.min(this.cooldown * 2, this.options.maxCooldownMs);
      return this.open(now, this.cooldown, `${shape} while recovering`);
    }
    if (this.consecutive >= this.options.consecutiveFailures) return this.open(now, this.cooldown, `${this.consecutive} consecutive failures (${shape})`);
    this.reassess(now);
  }

  /** Opens the circuit by hand (an operator draining a deployment). */
  force(state: 'failed' | 'healthy', reason: string, untilMs = Number.MAX_SAFE_INTEGER, now = Date.now()): void {
    if (state === 'failed') {
      this.openUntil = untilMs;
      this.move('failed', reason, now);
    } else {
      this.resetWindow();
      this.consecutive = 0;
      this.cooldown = this.options.cooldownMs;
      this.move('healthy', reason, now);
    }
  }

  private open(now: number, forMs: number, reason: string): void {
    this.openUntil = now + forMs;
    this.recoveryOk = 0;
    this.recoveryInflight = 0;
    this.move('failed', reason, now);
  }

  private reassess(now: number): void {
    if (this.state !== 'healthy' && this.state !== 'degraded') return;
    const { calls, failures } = this.totals(now);
    if (calls < this.options.minCalls) return;
    const rate = failures / calls;
    if (rate >= this.options.failRate) return this.open(now, this.cooldown, `failure rate ${(rate * 100).toFixed(0)}% over ${calls} calls`);
    if (rate >= this.options.degradeRate && this.state === 'healthy') this.move('degraded', `failure rate ${(rate * 100).toFixed(0)}% over ${calls} calls`, now);
    else if (rate < this.options.degradeRate && this.state === 'degraded') this.move('healthy', `failure rate back to ${(rate * 100).toFixed(0)}%`, now);
  }

  private move(to: HealthState, reason: string, now: number): void {
    if (this.state === to) return;
    const transition = { from: this.state, to, reason, at: now };
    this.state = to;
    if (to === 'recovering') {
      this.recoveryOk = 0;
      this.recoveryInflight = 0;
    }
    this.transitions.push(transition);
    if (this.transitions.length > 20) this.transitions.shift();
    this.onTransition(this, transition);
  }

  private record(now: number, failure: boolean): void {
    this.advance(now);
    const index = Math.floor(now / BUCKET_MS) % this.calls.length;
    this.calls[index] = (this.calls[index] as number) + 1;
    if (failure) this.failures[index] = (this.failures[index] as number) + 1;
  }

  /** Clears the buckets that fell out of the window since the last call. */
  private advance(now: number): void {
    const bucket = Math.floor(now / BUCKET_MS);
    const last = Math.floor(this.bucketStart / BUCKET_MS);
    const stale = Math.min(bucket - last, this.calls.length);
    for (let i = 1; i <= stale; i++) {
      const index = (last + i) % this.calls.length;
      this.calls[index] = 0;
      this.failures[index] = 0;
    }
    this.bucketStart = now;
  }

  private totals(now: number): { calls: number; failures: number } {
    this.advance(now);
    let calls = 0;
    let failures = 0;
    for (let i = 0; i < this.calls.length; i++) {
      calls += this.calls[i] as number;
      failures += this.failures[i] as number;
    }
    return { calls, failures };
  }

  private resetWindow(): void {
    this.calls.fill(0);
    this.failures.fill(0);
  }
}
