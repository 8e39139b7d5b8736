/**
 * Times each outage of one breaker, for MTTR:
 *   detectMs:  from the first failure of the outage to the moment the circuit opened (traffic stopped
 *              going to the deployment);
 *   recoverMs: from the first success seen after it opened (a probe's or a trickle call's: the
 *              earliest evidence the gateway has that the upstream is back) to the moment the
 *              circuit closed (traffic returned).
 * A drained deployment (an operator's hand) is not an outage and is not timed.
 */
export interface Outage {
  /** Epoch ms of the first failure of the outage. */
  startedAt: number;
  openedAt: number;
  detectMs: number;
  reason: string;
  firstSuccessAt?: number;
  closedAt?: number;
  recoverMs?: number;
}

/** Finished outages kept per breaker. */
const HISTORY = 10;

export class OutageClock {
  private lastFailureAt = Number.NEGATIVE_INFINITY;
  private streakStartedAt = 0;
  current: Outage | undefined;
  readonly history: Outage[] = [];

  /** `windowMs`: failures further apart than this belong to different outages. */
  constructor(private readonly windowMs: number) {}

  failure(now: number): void {
    if (now - this.lastFailureAt > this.windowMs) this.streakStartedAt = now;
    this.lastFailureAt = now;
  }

  opened(now: number, reason: string): void {
    if (this.current) return; // a failed recovery is the same outage going on
    const startedAt = Math.min(this.streakStartedAt || now, now);
    this.current = { startedAt, openedAt: now, detectMs: now - startedAt, reason };
  }

  success(now: number): void {
    if (this.current && this.current.firstSuccessAt === undefined) this.current.firstSuccessAt = now;
  }

  closed(now: number): void {
    const outage = this.current;
    if (!outage) return;
    outage.closedAt = now;
    outage.recoverMs = now - (outage.firstSuccessAt ?? now);
    this.history.push(outage);
    if (this.history.length > HISTORY) this.history.shift();
    this.current = undefined;
    // The next failure starts a new outage, however soon it comes.
    this.lastFailureAt = Number.NEGATIVE_INFINITY;
  }

  /** Forgets an outage an operator's drain replaced. */
  discard(): void {
    this.current = undefined;
  }
}
