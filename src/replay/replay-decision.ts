/**
 * Decision replay: re-runs a logged request's walk through the real fallback engine (`runChain`,
 * with the route's policy as the config now builds it) against the outcomes recorded then. No
 * network: each call answers from the recording. A recorded failure fails again with its shape,
 * a recorded success serves, a skip skips again, and a step not tried then is assumed to answer.
 */
import { NEVER_CANCELLED } from '../cancel.js';
import type { Config } from '../config/schema.js';
import { GatewayError, type FailureShape } from '../errors.js';
import type { Decision, Policy } from '../fallback/policy.js';
import { runChain, type AttemptRecord } from '../fallback/run-chain.js';
import { StepSkipped } from '../fallback/step-skipped.js';
import { Runtime, type Step } from '../gateway/runtime.js';
import type { HopRow, LoggedRequest } from '../store/request-log.js';
import { describeRule } from './describe-rule.js';

/** One call (or skip) of a walk, then or now, and what the walk did next. */
export interface ReplayHop {
  hop: number;
  attempt: number;
  deployment: string;
  outcome: string;
  shape?: string;
  code?: string;
  /** What the walk did after this call: `served`, `retry in 500 ms`, `next: backup`, `stop`, ... */
  decision: string;
  /** Why: the policy rule that decided, or what the call answered. */
  why?: string;
  /** Now only: where the call's outcome came from. */
  source?: 'recorded' | 'repeated' | 'assumed';
}

export interface ReplayOutcome {
  /** The step that served, when one did. */
  servedBy?: string;
  status: number;
  code?: string;
  fallbackReason?: string;
}

export interface ReplayReport {
  requestId: string;
  route: string;
  /** Epoch ms the request started. */
  recordedAt: number;
  then: { hops: ReplayHop[]; outcome: ReplayOutcome };
  /** Undefined when the route is gone from the config (see `notes`). */
  now?: { hops: ReplayHop[]; outcome: ReplayOutcome };
  /** Whether the walk now differs from the walk then (deployments, outcomes or result). */
  changed: boolean;
  /** Assumptions the replay made, and what it cannot replay. */
  notes: string[];
}

/** The status a replayed success gets: the answer itself is not replayed, only who gives it. */
const SERVED_STATUS = 200;

export async function replayDecision(logged: LoggedRequest, config: Config): Promise<ReplayReport> {
  const { request, hops } = logged;
  const notes: string[] = [];
  const then = { hops: thenHops(hops), outcome: thenOutcome(logged) };
  const base = { requestId: request.request_id, route: request.route, recordedAt: request.started_at, then };
  if (request.replay_of) notes.push(`This request replayed the answer of ${request.replay_of} (same idempotency key): its hops are that request's.`);
  const routeConfig = config.routes[request.route];
  if (!routeConfig) {
    notes.push(`The route '${request.route}' is not in this config: there is nothing to decide now.`);
    return { ...base, changed: true, notes };
  }
  // Providers are not built: the replay calls nothing, so a Runtime over no providers is enough.
  const runtime = new Runtime(config, new Map());
  const route = runtime.routes.get(request.route);
  if (!route) throw new Error(`route ${request.route} was not built`); // the config has it: Runtime builds every route

  // Without hedging (not replayed) the engine asks the policy once per failed call, right after it:
  // the k-th judgement is the k-th failed call's.
  const judgements: Judgement[] = [];
  const sources = new Map<string, ReplayHop['source']>();
  const recording = new Recording(hops);
  const policy: Policy = (failure, state) => {
    const decision = route.policy(failure, state);
    judgements.push({ decision, why: describeRule(routeConfig, failure.shape, state.attemptsOnHop) });
    // The decision is the route's own; only its wait is not slept (the replay answers at once).
    return decision.action === 'retry' ? { action: 'retry', inMs: 0 } : decision;
  };
  const steps = route.order === 'health' ? inRecordedOrder(route.chain, hops) : route.chain;
  if (steps !== route.chain) notes.push(`The route orders by health: its steps are replayed in the order they were tried then (${steps.map((step) => step.name).join(', ')}), as the breakers ordered them.`);
  const result = await runChain<Step, true>({
    steps,
    resolve: route.resolve,
    policy,
    maxHops: route.maxHops,
    // The deadline is not replayed: a replayed call takes no time.
    deadlineAt: Number.POSITIVE_INFINITY,
    cancel: NEVER_CANCELLED,
    attempt: async (step, context) => {
      const key = `${step.name}#${context.attempt}`;
      const played = recording.play(step.name, context.attempt);
      sources.set(key, played.source);
      if (played.source !== 'recorded') notes.push(played.note);
      return played.answer();
    },
  });
  const failed = result.attempts.filter((attempt) => attempt.outcome === 'failed');
  const decisions = new Map(failed.map((attempt, k) => [attempt, judgements[k]] as const).filter((pair): pair is readonly [AttemptRecord, Judgement] => pair[1] !== undefined));
  const nowHops = nowHopsOf(result.attempts, decisions, sources, result.ok);
  const now = {
    hops: nowHops,
    outcome: result.ok
      ? { servedBy: result.step.name, status: SERVED_STATUS, ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}) }
      : { status: result.error.status, code: result.error.code, ...(result.fallbackReason ? { fallbackReason: result.fallbackReason } : {}) },
  };
  if (route.hedgeAfterMs !== undefined) notes.push('The route hedges: a replayed call answers at once, so no hedge is started now (recorded hedges show under "then").');
  if (hops.some((hop) => hop.outcome === 'aborted')) notes.push('A call cut off then (it lost a hedge race) is assumed to answer now.');
  notes.push('Per-request overrides (a forced deployment, fallback off, a shorter deadline) are not logged and not replayed.');
  return { ...base, now, changed: walkOf(then.hops, then.outcome) !== walkOf(now.hops, now.outcome), notes: [...new Set(notes)] };
}

/**
 * Health ordering puts degraded deployments behind healthy ones at request time: the chain's steps
 * tried then come first, in the order they were tried, then the rest in the chain's order. The
 * same array when nothing moves.
 */
function inRecordedOrder(chain: readonly Step[], hops: readonly HopRow[]): readonly Step[] {
  const tried = [...new Set(hops.map((hop) => hop.deployment))];
  const first = tried.map((name) => chain.find((step) => step.name === name)).filter((step): step is Step => step !== undefined);
  const ordered = [...first, ...chain.filter((step) => !first.includes(step))];
  return ordered.every((step, i) => step === chain[i]) ? chain : ordered;
}

/** Each deployment's recorded calls, played back in order. */
class Recording {
  private readonly calls = new Map<string, HopRow[]>();

  constructor(hops: readonly HopRow[]) {
    for (const hop of hops) {
      const list = this.calls.get(hop.deployment) ?? [];
      list.push(hop);
      this.calls.set(hop.deployment, list);
    }
  }

  /** The outcome of call `attempt` on `deployment`: the recorded one, the last recorded one again, or assumed success. */
  play(deployment: string, attempt: number): { source: NonNullable<ReplayHop['source']>; note: string; answer: () => Promise<true> } {
    const recorded = this.calls.get(deployment);
    if (!recorded || recorded.length === 0) {
      return { source: 'assumed', note: `${deployment} was not tried then: it is assumed to answer.`, answer: async () => true };
    }
    const exact = recorded[attempt - 1];
    const hop = exact ?? (recorded.at(-1) as HopRow);
    const source = exact ? 'recorded' : 'repeated';
    const note = `${deployment} was called ${recorded.length} time(s) then; call ${attempt} now is assumed to end as its last call did (${hop.outcome}${hop.shape ? `: ${hop.shape}` : ''}).`;
    return { source, note, answer: () => answerOf(hop) };
  }
}

async function answerOf(hop: HopRow): Promise<true> {
  switch (hop.outcome) {
    case 'failed':
      throw new GatewayError(hop.message ?? `${hop.deployment} failed (${hop.shape}).`, {
        status: hop.status ?? 502,
        code: hop.code ?? 'replayed_failure',
        shape: (hop.shape ?? 'unknown_upstream_error') as FailureShape,
        ...(hop.upstream_status !== null ? { upstreamStatus: hop.upstream_status } : {}),
      });
    case 'skipped':
      // A skip with a shape (a context window too small) or an open circuit: skipped again the same way.
      if (hop.shape) throw new StepSkipped(hop.message ?? 'skipped', hop.shape as FailureShape);
      throw new StepSkipped(hop.message ?? 'skipped (circuit open)', undefined, Number.MAX_SAFE_INTEGER, hop.mttr_ms ?? undefined);
    default:
      // served, or aborted (cut off as a hedge loser): it answers.
      return true;
  }
}

/** What the walk did after each recorded call, read from the call that came next. */
function thenHops(hops: readonly HopRow[]): ReplayHop[] {
  return hops.map((hop, i) => {
    const next = hops[i + 1];
    const base: Omit<ReplayHop, 'decision'> = { hop: hop.hop, attempt: hop.attempt, deployment: hop.deployment, outcome: hop.outcome, ...(hop.shape ? { shape: hop.shape } : {}), ...(hop.code ? { code: hop.code } : {}) };
    if (hop.outcome === 'served') return { ...base, decision: 'served' };
    if (hop.outcome === 'aborted') return { ...base, decision: 'cut off (another call answered first)' };
    if (hop.hedge) base.why = 'a hedge, started because the previous call was slow';
    if (!next) return { ...base, decision: 'stop: the request failed', ...said(hop) };
    if (next.deployment === hop.deployment && next.attempt === hop.attempt + 1) {
      return { ...base, decision: `retry${next.backoff_ms !== null ? ` after ${Math.round(next.backoff_ms)} ms` : ''}`, ...said(hop) };
    }
    if (hop.outcome === 'skipped') return { ...base, decision: `skip: next ${next.deployment}`, ...said(hop) };
    if (next.hedge) return { ...base, decision: `hedged: ${next.deployment} started alongside`, ...said(hop) };
    return { ...base, decision: `next: ${next.deployment}`, ...said(hop) };
  });
}

/** A recorded call's own message: the rule in force then is not logged, what the call answered is. */
function said(hop: HopRow): { why?: string } {
  return hop.message ? { why: `it answered: ${hop.message}` } : {};
}

function thenOutcome({ request }: LoggedRequest): ReplayOutcome {
  const served = request.status < 400 && request.error_code === null;
  return {
    ...(served && request.deployment ? { servedBy: request.deployment } : {}),
    status: request.status,
    ...(request.error_code ? { code: request.error_code } : {}),
    ...(request.fallback_reason ? { fallbackReason: request.fallback_reason } : {}),
  };
}

interface Judgement {
  decision: Decision;
  why: string;
}

function nowHopsOf(attempts: readonly AttemptRecord[], decisions: Map<AttemptRecord, Judgement>, sources: Map<string, ReplayHop['source']>, ok: boolean): ReplayHop[] {
  return attempts.map((attempt, i) => {
    const next = attempts[i + 1];
    const source = sources.get(`${attempt.deployment}#${attempt.attempt}`);
    const base: Omit<ReplayHop, 'decision'> = {
      hop: attempt.hop,
      attempt: attempt.attempt,
      deployment: attempt.deployment,
      outcome: attempt.outcome,
      ...(attempt.shape ? { shape: attempt.shape } : {}),
      ...(attempt.code ? { code: attempt.code } : {}),
      ...(source ? { source } : {}),
    };
    if (attempt.outcome === 'served') return { ...base, decision: 'served' };
    if (attempt.outcome === 'skipped') return { ...base, decision: next ? `skip: next ${next.deployment}` : 'skip: nothing left', ...(attempt.message ? { why: attempt.message } : {}) };
    const judged = decisions.get(attempt);
    if (!judged) return { ...base, decision: next ? `next: ${next.deployment}` : ok ? 'next' : 'stop: the request failed' };
    return { ...base, decision: decisionText(judged.decision, next), why: judged.why };
  });
}

function decisionText(decision: Decision, next: AttemptRecord | undefined): string {
  switch (decision.action) {
    case 'retry':
      return `retry after ${Math.round(decision.inMs)} ms`;
    case 'downgrade':
      return `downgrade: ${decision.to}`;
    case 'stop':
      return 'stop: the request failed';
    case 'next':
      return next ? `next: ${next.deployment}` : 'next: nothing left, the request failed';
  }
}

/** A walk reduced to what "changed" compares: who was called with what outcome, and the result. */
function walkOf(hops: readonly ReplayHop[], outcome: ReplayOutcome): string {
  return JSON.stringify([hops.map((hop) => `${hop.deployment}:${hop.outcome}:${hop.shape ?? ''}`), outcome.servedBy ?? null, outcome.status, outcome.code ?? null]);
}
