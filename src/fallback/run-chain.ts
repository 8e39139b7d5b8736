/**
 * The hop loop: try each step of a route's chain in order, ask the policy after every classified
 * failure (retry this step, move on, jump to a downgrade target, or stop), within the hop budget
 * and the deadline. Every call, and every step not taken, is recorded, so a response can say how it
 * was served and the attempt log can say why.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { Cancel } from '../cancel.js';
import { GatewayError, type FailureShape } from '../errors.js';
import { classifyFailure, type Failure } from './classify-failure.js';
import type { Policy } from './policy.js';
import { StepCannotServe, StepSkipped } from './step-skipped.js';
import { raceWithHedge } from './hedge.js';
import type { Usage } from '../providers/types.js';

export interface ChainStep {
  /** The deployment's name, or the cache's or manual handler's. */
  name: string;
  kind: 'deployment' | 'cache' | 'manual';
  providerName: string;
  model: string;
}

export interface AttemptRecord {
  /** 1-based position in the walk (a downgrade target gets the next number). */
  hop: number;
  step: ChainStep['kind'];
  deployment: string;
  provider: string;
  model: string;
  outcome: 'served' | 'failed' | 'skipped' | 'aborted';
  shape?: FailureShape;
  /** The status the client would have seen for this failure. */
  status?: number;
  /** The upstream's own HTTP status, when it answered with one. */
  upstreamStatus?: number;
  code?: string;
  message?: string;
  /** Which call on this step this was (1 = first, 2 = first retry, ...). */
  attempt: number;
  /** The wait before this call, when it was a retry. */
  backoffMs?: number;
  /** True for a call started in parallel because the previous one was slow. */
  hedge?: boolean;
  /** A step skipped for an open circuit: how long the outage took to route around (first failure to open circuit). */
  mttrMs?: number;
  /** Wall-clock start, ms since the epoch. */
  startedAt: number;
  durationMs: number;
  /** The call's trace span (16 hex digits), named before the call is made; only when tracing is on. */
  spanId?: string;
  /**
   * A call that failed or was abandoned after the upstream accepted it (a timeout after the request
   * was sent, a stall, a stream that broke before content, a hedge that lost): the provider may bill it.
   */
  billable?: boolean;
  /**
   * For a billable call, what it is billed: the upstream's own usage when its answer said (a refused
   * completion), else an estimate made when the request is reported (the prompt, counted with the
   * tokenizer, and no output: a floor).
   */
  billedUsage?: Usage;
  billedEstimated?: boolean;
}

export interface AttemptContext {
  /** What is left of the request's deadline. */
  remainingMs: number;
  /** Cancels this call alone (a hedge that lost) or with the whole request. */
  cancel: Cancel;
  /** 1-based call number on this step. */
  attempt: number;
  /** This call's span id (AttemptRecord.spanId), when tracing is on: the upstream's `traceparent` names it. */
  spanId?: string;
  /** Marks this call billable (AttemptRecord.billable): the upstream accepted it before it failed; with its usage when known. */
  markBillable(usage?: Usage): void;
  /** The walk as it stands while this call is in flight: what a response head sent before the answer is known names. */
  progress(): ChainProgress;
}

/** The walk so far: this call's hop, every call made (this one included), and what moved the request off its first step. */
export interface ChainProgress {
  hop: number;
  attempts: AttemptRecord[];
  fallbackReason: FallbackReason | undefined;
}

export interface ChainOptions<S extends ChainStep, T> {
  steps: readonly S[];
  /** Finds a downgrade target by name (it need not be in the chain). */
  resolve(name: string): S | undefined;
  policy: Policy;
  /** Most calls, retries and hedges included. */
  maxHops: number;
  /** `performance.now()` time after which no new call starts. */
  deadlineAt: number;
  cancel: Cancel;
  /** Start the next deployment in parallel when a deployment has not answered after this long. */
  hedgeAfterMs?: number;
  /** Names each call's span before it is made; given only when tracing is on. */
  newSpanId?: () => string;
  attempt(step: S, context: AttemptContext): Promise<T>;
}

/** Why a request left its first step: a failure shape, or a circuit already open on it. */
export type FallbackReason = FailureShape | 'circuit_open';

export interface ChainReport<S> {
  attempts: AttemptRecord[];
  /** The shape of the first failure (or skip) that moved the request off its first step. */
  fallbackReason: FallbackReason | undefined;
  /** 1-based hop that served or failed last. */
  hop: number;
  step: S | undefined;
}

export type ChainResult<S, T> = ({ ok: true; value: T; step: S } & ChainReport<S>) | ({ ok: false; error: GatewayError } & ChainReport<S>);

export function runChain<S extends ChainStep, T>(options: ChainOptions<S, T>): Promise<ChainResult<S, T>> {
  return new Walk<S, T>(options).run();
}

class Walk<S extends ChainStep, T> {
  readonly attempts: AttemptRecord[] = [];
  private fallbackReason: FallbackReason | undefined;
  private lastFailure: Failure | undefined;
  private lastSkip: StepSkipped | undefined;
  /** A step passed over because its provider cannot ask what the request asks. */
  private cannotServe: StepCannotServe | undefined;
  /** Whether a step was passed over for an open circuit. */
  private circuitSkipped = false;
  private calls = 0;
  private hop = 0;
  private lastStep: S | undefined;

  constructor(private readonly options: ChainOptions<S, T>) {}

  /** The fallback reason so far (for a call's `progress`). */
  get reason(): FallbackReason | undefined {
    return this.fallbackReason;
  }

  async run(): Promise<ChainResult<S, T>> {
    const queue = [...this.options.steps];
    const visited = new Set<string>();
    while (queue.length > 0) {
      const step = queue.shift() as S;
      if (visited.has(step.name)) continue;
      visited.add(step.name);
      this.hop++;
      this.lastStep = step;
      const partner = this.hedgePartner(step, queue);
      const outcome = await this.runStep(step, partner ? { partner, queue, visited } : undefined);
      if (outcome.kind === 'served') return { ok: true, value: outcome.value, step: outcome.step, attempts: this.attempts, fallbackReason: this.fallbackReason, hop: this.hop };
      if (outcome.kind === 'stop') return this.fail(outcome.error);
      if (outcome.kind === 'downgrade') {
        const target = this.options.resolve(outcome.to);
        if (target && !visited.has(target.name)) {
          // Jump to the target: past it in the chain if it is there, else right next.
          const at = queue.findIndex((candidate) => candidate.name === target.name);
          queue.splice(0, at === -1 ? 0 : at + 1, target);
        }
      }
    }
    return this.fail(this.exhaustedError());
  }

  /** Runs one step with its retries; when the route hedges, its first call races the next step. */
  private async runStep(step: S, hedge?: Hedge<S>): Promise<StepOutcome<S, T>> {
    const hop = this.hop - 1;
    let backoff: number | undefined;
    for (let attempt = 1; ; attempt++) {
      const budget = this.checkBudget();
      if (budget) return { kind: 'stop', error: budget };
      let failure: Failure;
      let hedged = false;
      if (attempt === 1 && hedge) {
        const raced = await this.runHedged(step, hedge);
        if (raced.kind !== 'failed') return raced;
        ({ failure, hedged } = raced);
      } else {
        // Only a hedged call needs a cancellation of its own (to abort the loser): this one shares the request's.
        const record = this.begin(step, attempt, backoff, false, this.options.cancel);
        try {
          const value = await this.options.attempt(step, record);
          this.end(record, 'served');
          return { kind: 'served', value, step };
        } catch (err) {
          if (err instanceof StepSkipped) {
            this.skip(record, err);
            return { kind: 'next' };
          }
          failure = this.fail_(record, err);
        }
      }
      const decision = this.options.policy(failure, { hop, attemptsOnHop: attempt });
      // A hedged call already gave the next step its turn: the step is not called again.
      // Only deployments are retried: a manual step (a handoff webhook) must not file the same ticket twice.
      if (decision.action === 'retry' && !hedged && step.kind === 'deployment') {
        backoff = Math.min(decision.inMs, Math.max(0, this.remainingMs()));
        if (backoff > 0) await sleep(backoff, undefined, { signal: this.options.cancel.signal });
        continue;
      }
      this.fallbackReason ??= failure.shape;
      if (decision.action === 'stop') return { kind: 'stop', error: failure.error };
      if (decision.action === 'downgrade') return { kind: 'downgrade', to: decision.to };
      return { kind: 'next' };
    }
  }

  /**
   * Races `step` against the next one, started `hedgeAfterMs` later if `step` has not answered; the
   * loser is aborted. A failure comes back for the policy to judge (the client's own error first).
   */
  private async runHedged(step: S, { partner, queue, visited }: Hedge<S>): Promise<StepOutcome<S, T> | { kind: 'failed'; failure: Failure; hedged: boolean }> {
    let hedged = false;
    let primaryRecord: PendingRecord | undefined;
    let primaryFailure: Failure | undefined;
    let clientFailure: Failure | undefined;
    const result = await raceWithHedge({
      hedgeAfterMs: this.options.hedgeAfterMs as number,
      cancel: this.options.cancel,
      canHedge: () => this.calls < this.options.maxHops && this.remainingMs() > 0,
      start: (which, cancel) => {
        const target = which === 'primary' ? step : partner;
        if (which === 'hedge') {
          hedged = true;
          queue.splice(queue.indexOf(partner), 1);
          visited.add(partner.name);
          this.hop++;
        }
        const record = this.begin(target, 1, undefined, which === 'hedge', cancel);
        if (which === 'primary') primaryRecord = record;
        return { record, promise: this.options.attempt(target, record) };
      },
      onSettled: (record, outcome, err) => {
        if (outcome === 'served') this.end(record, 'served');
        else if (outcome === 'aborted') this.end(record, 'aborted');
        else if (err instanceof StepSkipped) this.skip(record, err);
        else {
          const failure = this.fail_(record, err);
          if (record === primaryRecord) primaryFailure = failure;
          if (failure.shape === 'client_error') clientFailure ??= failure;
        }
      },
    });
    if (result.winner) return { kind: 'served', value: result.value as T, step: result.winner === 'primary' ? step : partner };
    const failure = clientFailure ?? primaryFailure;
    if (failure) return { kind: 'failed', failure, hedged };
    // The primary was skipped (and the hedge, if it ran, failed): go on down the chain.
    return { kind: 'next' };
  }

  private hedgePartner(step: S, queue: S[]): S | undefined {
    if (this.options.hedgeAfterMs === undefined || step.kind !== 'deployment') return undefined;
    const next = queue[0];
    return next && next.kind === 'deployment' ? next : undefined;
  }

  private checkBudget(): GatewayError | undefined {
    if (this.remainingMs() <= 0) {
      const suffix = this.lastFailure ? ` The last failure: ${this.lastFailure.error.message}` : '';
      return new GatewayError(`The request's deadline passed before a deployment answered.${suffix}`, { status: 504, code: 'deadline_exceeded', shape: 'timeout' });
    }
    if (this.calls >= this.options.maxHops) {
      const last = this.lastFailure?.error;
      return new GatewayError(`The request used its budget of ${this.options.maxHops} calls.${last ? ` The last failure: ${last.message}` : ''}`, {
        status: last?.status ?? 502,
        code: 'hop_budget_exhausted',
        shape: this.lastFailure?.shape ?? 'unknown_upstream_error',
      });
    }
    return undefined;
  }

  private remainingMs(): number {
    return this.options.deadlineAt - performance.now();
  }

  private begin(step: S, attempt: number, backoffMs: number | undefined, hedge: boolean, cancel: Cancel): PendingCall {
    this.calls++;
    const record: AttemptRecord = {
      hop: this.hop,
      step: step.kind,
      deployment: step.name,
      provider: step.providerName,
      model: step.model,
      outcome: 'served',
      attempt,
      startedAt: Date.now(),
      durationMs: 0,
    };
    if (backoffMs !== undefined) record.backoffMs = backoffMs;
    if (hedge) record.hedge = true;
    if (this.options.newSpanId) record.spanId = this.options.newSpanId();
    this.attempts.push(record);
    return new PendingCall(record, this.remainingMs(), cancel, this);
  }

  private end(pending: PendingRecord, outcome: AttemptRecord['outcome']): void {
    pending.record.outcome = outcome;
    pending.record.durationMs = Math.round((performance.now() - pending.started) * 100) / 100;
  }

  private skip(pending: PendingRecord, skipped: StepSkipped): void {
    this.calls--; // a step not taken spends no budget
    this.end(pending, 'skipped');
    pending.record.message = skipped.message;
    if (skipped.shape) {
      pending.record.shape = skipped.shape;
      this.fallbackReason ??= skipped.shape;
    } else if (skipped.circuitRetryAt !== undefined) {
      this.fallbackReason ??= 'circuit_open';
      this.circuitSkipped = true;
    }
    if (skipped.mttrMs !== undefined) pending.record.mttrMs = skipped.mttrMs;
    if (skipped instanceof StepCannotServe) this.cannotServe ??= skipped;
    this.lastSkip = skipped;
  }

  private fail_(pending: PendingRecord, err: unknown): Failure {
    const failure = classifyFailure(err);
    this.end(pending, 'failed');
    Object.assign(pending.record, { shape: failure.shape, status: failure.error.status, code: failure.error.code, message: failure.error.message });
    if (failure.error.upstreamStatus !== undefined) pending.record.upstreamStatus = failure.error.upstreamStatus;
    this.lastFailure = failure;
    return failure;
  }

  private report(step: S | undefined): ChainReport<S> {
    return { attempts: this.attempts, fallbackReason: this.fallbackReason, hop: this.hop, step };
  }

  private fail(error: GatewayError): ChainResult<S, T> {
    return { ok: false, error, ...this.report(this.lastStep) };
  }

  /** Every step failed or was skipped: the client sees the last failure, with a message that says so. */
  private exhaustedError(): GatewayError {
    const last = this.lastFailure;
    if (!last) {
      if (this.lastSkip?.shape === 'context_overflow') {
        return new GatewayError(`No deployment of this route can hold the request: ${this.lastSkip.message}`, { status: 400, code: 'context_length_exceeded', param: this.lastSkip.param ?? 'messages', shape: 'context_overflow' });
      }
      // No call was made, and a deployment that could have been was closed off by the request itself, not by an outage.
      if (this.cannotServe && !this.circuitSkipped) {
        return new GatewayError(`No deployment of this route can serve the request: ${this.cannotServe.message.replace(/\.$/, '')}.`, { status: 400, code: 'unsupported_parameter', param: this.cannotServe.param ?? null, shape: 'client_error' });
      }
      const retryAt = this.lastSkip?.circuitRetryAt;
      if (retryAt !== undefined) {
        // Every step is behind an open circuit: fail fast, and say when to come back.
        const wait = retryAt < Number.MAX_SAFE_INTEGER ? Math.max(0, retryAt - Date.now()) : undefined;
        return new GatewayError(`Every deployment of this route is unavailable (circuit open): ${this.lastSkip?.message}`, { status: 503, code: 'circuit_open', shape: 'upstream_5xx', retryAfterMs: wait });
      }
      return new GatewayError(`No step of this route could serve the request${this.lastSkip ? `: ${this.lastSkip.message}` : '.'}`, { status: 502, code: 'no_route_available', shape: 'unknown_upstream_error' });
    }
    const calls = this.attempts.filter((record) => record.outcome === 'failed').length;
    if (calls === 1) return last.error;
    return new GatewayError(`All ${calls} attempts failed; the last: ${last.error.message}`, {
      status: last.error.status,
      code: last.error.code,
      param: last.error.param,
      shape: last.shape,
      retryAfterMs: last.retryAfterMs,
    });
  }
}

/** The step a hedged call races, and the walk's queue it is taken from once started. */
interface Hedge<S> {
  partner: S;
  queue: S[];
  visited: Set<string>;
}

type StepOutcome<S, T> = { kind: 'served'; value: T; step: S } | { kind: 'next' } | { kind: 'downgrade'; to: string } | { kind: 'stop'; error: GatewayError };

export interface PendingRecord {
  record: AttemptRecord;
  started: number;
  markBillable(usage?: Usage): void;
}

/** One call in flight: its attempt record, and the context its attempt function gets (one object for both). */
class PendingCall implements PendingRecord, AttemptContext {
  readonly started = performance.now();

  constructor(
    readonly record: AttemptRecord,
    readonly remainingMs: number,
    readonly cancel: Cancel,
    private readonly walk: { readonly attempts: AttemptRecord[]; readonly reason: FallbackReason | undefined },
  ) {}

  progress(): ChainProgress {
    return { hop: this.record.hop, attempts: this.walk.attempts, fallbackReason: this.walk.reason };
  }

  get attempt(): number {
    return this.record.attempt;
  }

  get spanId(): string | undefined {
    return this.record.spanId;
  }

  markBillable(usage?: Usage): void {
    this.record.billable = true;
    if (usage) this.record.billedUsage = usage;
  }
}
