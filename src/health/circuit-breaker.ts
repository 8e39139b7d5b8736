/**
 * A circuit breaker for one deployment (or one provider key), with four states:
 *
 *   healthy ──failures──▶ failed ──probe ok / cooldown over──▶ recovering ──enough successes──▶ healthy
 *      ▲  │                  ▲                                     │
 *      │  └─some failures─▶ degraded                               └──a failure──▶ failed (longer cooldown)
 *      └──────────────────────┘
 *
 * Signals: the failure rate and slow-call rate over a sliding window, consecutive failures, an
 * upstream's own `retry-after`, calls stalled in flight (a hang is seen before any timeout fires),
 * and active probes (health/prober.ts). A failed breaker lets no user call through; with probes on,
 * only a successful probe moves it to recovering, so no user request is spent finding out that an
 * upstream is still down. A recovering one lets a trickle through (half-open).
 */
import type { FailureShape } from '../errors.js';
import { OutageClock, type Outage } from './outage-clock.js';

export type HealthState = 'healthy' | 'degraded' | 'failed' | 'recovering';

export interface BreakerOptions {
  /** The sliding window over which the failure and slow-call rates are measured. */
  windowMs: number;
  /** Calls in the window before its rates count. */
  minCalls: number;
  /** Failure rate that opens the circuit. */
  failRate: number;
  /** Failure (or slow-call) rate that marks the deployment degraded (still used, behind healthy peers). */
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
  /** A successful call slower than this counts as slow (latency degradation); 0: off. */
  slowCallMs: number;
  /**
   * Stall detection: a call in flight longer than `stallFactor` × the deployment's recent p99
   * (and at least `stallMinMs`) is stalled; `stallCalls` stalled at once, with no success meanwhile,
   * open the circuit before any timeout fires. 0 stall calls: off.
   */
  stallFactor: number;
  stallMinMs: number;
  stallCalls: number;
  /** Active probes decide when a failed breaker may recover: its cooldown alone lets no user call through. */
  probeGated: boolean;
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
  slowCallMs: 0,
  stallFactor: 4,
  stallMinMs: 500,
  stallCalls: 3,
  probeGated: false,
};

/** Shapes that say nothing about the deployment's health. */
const NOT_HEALTH: ReadonlySet<FailureShape> = new Set(['client_error', 'guardrail_block', 'context_overflow', 'quality_floor_miss']);

export interface Transition {
  from: HealthState;
  to: HealthState;
  reason: string;
  at: number;
}

/** A call in flight, which stall detection may abandon. */
export interface InFlight {
  startedAt: number;
  abandon(reason: string): void;
}

/** Buckets of one second: the window costs a fixed few numbers, whatever the traffic. */
const BUCKET_MS = 1_000;
/** Recent successful latencies kept for the stall threshold. */
const LATENCY_SAMPLES = 64;
/** Samples needed before stall detection trusts the p99 (a cold deployment is never judged stalled). */
const MIN_LATENCY_SAMPLES = 10;
/** Transitions kept per breaker. */
const TRANSITIONS_KEPT = 20;

export class CircuitBreaker {
  state: HealthState = 'healthy';
  /** Held failed by an operator: neither cooldowns nor probes bring it back, only a restore. */
  drained = false;
  private openUntil = 0;
  private cooldown: number;
  private consecutive = 0;
  private recoveryOk = 0;
  private recoveryInflight = 0;
  private readonly calls: number[];
  private readonly failures: number[];
  private readonly slow: number[];
  private bucketStart = 0;
  private readonly latencies = new Float64Array(LATENCY_SAMPLES);
  private latencyCount = 0;
  private lastSuccessAt = 0;
  readonly inflight = new Set<InFlight>();
  readonly transitions: Transition[] = [];
  readonly outages: OutageClock;
  /** Totals since the breaker was made. */
  readonly counters = { calls: 0, failures: 0, skipped: 0, stalls: 0, probes: 0, probeFailures: 0 };

  constructor(
    readonly name: string,
    readonly options: BreakerOptions = DEFAULT_BREAKER_OPTIONS,
    private readonly onTransition: (breaker: CircuitBreaker, transition: Transition) => void = () => {},
  ) {
    this.cooldown = options.cooldownMs;
    const buckets = Math.max(1, Math.ceil(options.windowMs / BUCKET_MS));
    this.calls = new Array<number>(buckets).fill(0);
    this.failures = new Array<number>(buckets).fill(0);
    this.slow = new Array<number>(buckets).fill(0);
    this.outages = new OutageClock(options.windowMs);
  }

  /** Whether a call may go to this deployment now. A `true` must be followed by `succeeded`, `failed` or `release`. */
  tryAcquire(now = Date.now()): boolean {
    if (this.state === 'failed') {
      if (now < this.openUntil || this.drained || this.options.probeGated) {
        this.counters.skipped++;
        return false;
      }
      this.move('recovering', 'cooldown over: letting a trickle through', now);
    }
    if (this.state === 'recovering') {
      if (this.recoveryInflight >= this.options.recoveryConcurrency) {
        this.counters.skipped++;
        return false;
      }
      this.recoveryInflight++;
    }
    return true;
  }

  /** Gives back a call taken with `tryAcquire` that says nothing about health (the client left). */
  release(): void {
    if (this.state === 'recovering') this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
  }

  /** When the circuit will let a call through again (0 when it does now; far future when drained or waiting on a probe). */
  retryAt(): number {
    if (this.state !== 'failed') return 0;
    return this.drained ? Number.MAX_SAFE_INTEGER : this.openUntil;
  }

  /** When a failed breaker may first be probed: not before an upstream's own retry-after or a long cooldown. */
  probeNotBefore(): number {
    return this.probeWaitsForCooldown ? this.openUntil : 0;
  }
  private probeWaitsForCooldown = false;

  /** How long the current outage took to route around (first failure to open circuit), if one is going on. */
  detectMs(): number | undefined {
    return this.outages.current?.detectMs;
  }

  succeeded(now = Date.now(), latencyMs?: number): void {
    this.counters.calls++;
    this.lastSuccessAt = now;
    const slow = latencyMs !== undefined && this.options.slowCallMs > 0 && latencyMs >= this.options.slowCallMs;
    this.record(now, false, slow);
    if (latencyMs !== undefined) this.latencies[this.latencyCount++ % LATENCY_SAMPLES] = latencyMs;
    this.consecutive = 0;
    if (this.state === 'recovering') {
      this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
      this.outages.success(now);
      this.recoverySucceeded(now, 'successes while recovering');
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
    this.counters.calls++;
    this.counters.failures++;
    this.record(now, true, false);
    this.outages.failure(now);
    this.consecutive++;
    if (shape === 'quota_exhausted' || shape === 'auth_error') return this.open(now, this.options.longCooldownMs, shape, true);
    if (shape === 'rate_limit_429' && retryAfterMs !== undefined && retryAfterMs > 0) return this.open(now, retryAfterMs, `rate_limit_429 (retry-after ${retryAfterMs} ms)`, true);
    if (this.state === 'recovering') {
      this.recoveryInflight = Math.max(0, this.recoveryInflight - 1);
      return this.reopen(now, `${shape} while recovering`);
    }
    if (this.state === 'failed') return; // a call that started before the circuit opened
    if (this.consecutive >= this.options.consecutiveFailures) return this.open(now, this.cooldown, `${this.consecutive} consecutive failures (${shape})`);
    this.reassess(now);
  }

  /** A probe's answer. A success moves a failed breaker to recovering and counts toward closing a recovering one. */
  probeSucceeded(now = Date.now()): void {
    this.counters.probes++;
    if (this.drained) return;
    if (this.state === 'failed') {
      this.outages.success(now);
      this.move('recovering', 'a probe succeeded', now);
      this.recoverySucceeded(now, 'successes while recovering (probes included)');
    } else if (this.state === 'recovering') {
      this.outages.success(now);
      this.recoverySucceeded(now, 'successes while recovering (probes included)');
    }
  }

  /** A probe's failure: a recovering breaker goes back to failed; a healthy one takes it as a failure signal. */
  probeFailed(shape: FailureShape, retryAfterMs: number | undefined, now = Date.now()): void {
    this.counters.probes++;
    this.counters.probeFailures++;
    if (this.drained || NOT_HEALTH.has(shape)) return;
    if (this.state === 'failed') {
      if (retryAfterMs !== undefined && retryAfterMs > 0) {
        this.openUntil = Math.max(this.openUntil, now + retryAfterMs);
        this.probeWaitsForCooldown = true;
      }
      return;
    }
    if (this.state === 'recovering') return this.reopen(now, `probe failed while recovering (${shape})`);
    // A silent degradation: the probe is the only traffic that noticed.
    this.failed(shape, retryAfterMs, now);
  }

  /**
   * Opens the circuit when enough calls are stalled in flight and nothing succeeded meanwhile, and
   * abandons every call in flight so they move to their next hop now rather than at their timeout.
   * Called on a timer; returns whether it opened.
   */
  checkStalls(now = Date.now()): boolean {
    const { stallCalls, stallFactor, stallMinMs } = this.options;
    if (stallCalls === 0 || this.latencyCount < MIN_LATENCY_SAMPLES) return false;
    let oldest = now;
    for (const call of this.inflight) oldest = Math.min(oldest, call.startedAt);
    if (now - oldest < stallMinMs) return false;
    const threshold = Math.max(stallMinMs, stallFactor * this.recentP99());
    if (this.state === 'failed' && !this.drained) {
      // Calls that were sent just before the circuit opened meet the same stalled upstream: each
      // is abandoned once it is as late as the ones that opened it, rather than at its timeout.
      for (const call of this.inflight) {
        if (now - call.startedAt < threshold) continue;
        this.inflight.delete(call);
        this.counters.stalls++;
        call.abandon(`stalled over ${Math.round(threshold)} ms while the circuit is open`);
      }
      return false;
    }
    if (this.inflight.size < stallCalls || (this.state !== 'healthy' && this.state !== 'degraded')) return false;
    if (now - this.lastSuccessAt < threshold) return false;
    const stalled = [...this.inflight].filter((call) => now - call.startedAt >= threshold);
    if (stalled.length < stallCalls) return false;
    this.counters.stalls += stalled.length;
    const reason = `${stalled.length} calls stalled over ${Math.round(threshold)} ms (${stallFactor}× recent p99), none answered meanwhile`;
    for (let i = 0; i < stalled.length; i++) this.outages.failure(now - threshold);
    this.open(now, this.cooldown, reason);
    // Every call in flight is going to the same stalled upstream: they all move on now, the ones
    // sent a moment ago included, rather than each waiting to be as late as these.
    for (const call of [...this.inflight]) {
      this.inflight.delete(call);
      call.abandon(reason);
    }
    return true;
  }

  /** Holds the circuit open by hand (an operator draining a deployment) or closes it (a restore). */
  force(state: 'failed' | 'healthy', reason: string, now = Date.now()): void {
    if (state === 'failed') {
      this.drained = true;
      this.openUntil = Number.MAX_SAFE_INTEGER;
      this.outages.discard();
      this.move('failed', reason, now);
    } else {
      this.drained = false;
      this.resetWindow();
      this.consecutive = 0;
      this.cooldown = this.options.cooldownMs;
      this.outages.discard();
      this.move('healthy', reason, now);
    }
  }

  /** Takes on a state another replica decided (a shared health store); no event is re-published. */
  adopt(state: HealthState, openUntil: number, reason: string, now = Date.now()): void {
    if (state === 'failed') {
      this.openUntil = openUntil;
      this.outages.opened(now, reason);
    }
    if (state === 'healthy') this.outages.closed(now);
    this.move(state, reason, now, false);
  }

  /** The window's totals, for the admin API. */
  window(now = Date.now()): { calls: number; failures: number; slow: number; consecutiveFailures: number; p99Ms: number | null } {
    const totals = this.totals(now);
    return { ...totals, consecutiveFailures: this.consecutive, p99Ms: this.latencyCount === 0 ? null : this.recentP99() };
  }

  outageHistory(): Outage[] {
    return this.outages.current ? [...this.outages.history, this.outages.current] : [...this.outages.history];
  }

  private recoverySucceeded(now: number, reason: string): void {
    this.consecutive = 0;
    if (++this.recoveryOk >= this.options.recoverySuccesses) {
      this.cooldown = this.options.cooldownMs;
      this.resetWindow();
      this.move('healthy', `${this.recoveryOk} ${reason}`, now);
    }
  }

  private reopen(now: number, reason: string): void {
    this.cooldown = Math.min(this.cooldown * 2, this.options.maxCooldownMs);
    this.open(now, this.cooldown, reason);
  }

  private open(now: number, forMs: number, reason: string, probeWaits = false): void {
    this.openUntil = now + forMs;
    this.probeWaitsForCooldown = probeWaits;
    this.recoveryOk = 0;
    this.recoveryInflight = 0;
    this.outages.opened(now, reason);
    this.move('failed', reason, now);
  }

  private reassess(now: number): void {
    if (this.state !== 'healthy' && this.state !== 'degraded') return;
    const { calls, failures, slow } = this.totals(now);
    if (calls < this.options.minCalls) return;
    const rate = failures / calls;
    const slowRate = slow / calls;
    if (rate >= this.options.failRate) return this.open(now, this.cooldown, `failure rate ${percent(rate)} over ${calls} calls`);
    const worse = Math.max(rate, slowRate);
    if (worse >= this.options.degradeRate && this.state === 'healthy') {
      this.move('degraded', rate >= slowRate ? `failure rate ${percent(rate)} over ${calls} calls` : `${percent(slowRate)} of ${calls} calls slower than ${this.options.slowCallMs} ms`, now);
    } else if (worse < this.options.degradeRate && this.state === 'degraded') {
      this.move('healthy', `failure rate ${percent(rate)}, slow ${percent(slowRate)}`, now);
    }
  }

  private move(to: HealthState, reason: string, now: number, notify = true): void {
    if (this.state === to) return;
    const transition = { from: this.state, to, reason, at: now };
    this.state = to;
    if (to === 'recovering') {
      this.recoveryOk = 0;
      this.recoveryInflight = 0;
    }
    if (to === 'healthy' && transition.from !== 'degraded') this.outages.closed(now);
    this.transitions.push(transition);
    if (this.transitions.length > TRANSITIONS_KEPT) this.transitions.shift();
    if (notify) this.onTransition(this, transition);
  }

  private recentP99(): number {
    const count = Math.min(this.latencyCount, LATENCY_SAMPLES);
    const sorted = Array.from(this.latencies.subarray(0, count)).sort((a, b) => a - b);
    return sorted[Math.min(count - 1, Math.floor(count * 0.99))] ?? 0;
  }

  private record(now: number, failure: boolean, slow: boolean): void {
    this.advance(now);
    const index = Math.floor(now / BUCKET_MS) % this.calls.length;
    this.calls[index] = (this.calls[index] as number) + 1;
    if (failure) this.failures[index] = (this.failures[index] as number) + 1;
    if (slow) this.slow[index] = (this.slow[index] as number) + 1;
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
      this.slow[index] = 0;
    }
    if (now > this.bucketStart) this.bucketStart = now;
  }

  private totals(now: number): { calls: number; failures: number; slow: number } {
    this.advance(now);
    let calls = 0;
    let failures = 0;
    let slow = 0;
    for (let i = 0; i < this.calls.length; i++) {
      calls += this.calls[i] as number;
      failures += this.failures[i] as number;
      slow += this.slow[i] as number;
    }
    return { calls, failures, slow };
  }

  private resetWindow(): void {
    this.calls.fill(0);
    this.failures.fill(0);
    this.slow.fill(0);
  }
}

function percent(rate: number): string {
  return `${(rate * 100).toFixed(0)}%`;
}
