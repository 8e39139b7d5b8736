/**
 * A finished request's rows: the request and each hop, copied out of the event (the event's objects
 * are not kept: the batch holds only plain values).
 */
import type { AttemptRecord } from '../fallback/run-chain.js';
import type { HopCost, RequestEvent } from '../telemetry/request-event.js';
import type { HopRow, LoggedRequest, RequestRow } from './request-log.js';

/** Longest error message kept per row: enough to say why, not a whole upstream body. */
export const MAX_LOGGED_MESSAGE_CHARS = 500;

/** `00-<32 hex trace id>-<16 hex span id>-<2 hex flags>`: W3C trace context, version 00. */
const TRACEPARENT = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}/;

export function rowsOfEvent(event: RequestEvent): LoggedRequest {
  const { served, response, cost, error } = event;
  const usage = response?.usage;
  const trace = event.traceparent ? TRACEPARENT.exec(event.traceparent) : null;
  const request: RequestRow = {
    started_at: Math.round(event.startedAt),
    request_id: event.requestId,
    route: event.route,
    operation: event.operation,
    tenant: event.tenant,
    status: event.status,
    stream: event.stream,
    deployment: served.deployment ?? null,
    provider: served.provider ?? null,
    hop_count: served.hop,
    attempt_count: served.attempts.length,
    fallback_reason: served.fallbackReason ?? null,
    cache: served.cache !== undefined,
    cache_age_ms: served.cache ? Math.round(served.cache.ageMs) : null,
    manual: served.manual ?? null,
    replay_of: served.replayOf ?? null,
    duration_ms: event.durationMs,
    time_to_first_chunk_ms: event.timeToFirstChunkMs ?? null,
    response_model: response?.model || null,
    response_id: response?.id || null,
    finish_reason: response && response.finishReasons.length > 0 ? response.finishReasons.map((reason) => reason.unified).join(',') : null,
    input_tokens: usage?.inputTokens ?? null,
    output_tokens: usage?.outputTokens ?? null,
    cached_tokens: usage?.cachedInputTokens ?? null,
    cost_usd: cost ? cost.totalUsd : null,
    unpriced_hops: cost ? cost.unpriced : null,
    error_code: error?.code ?? null,
    error_shape: error?.shape ?? null,
    error_message: error ? clip(error.message) : null,
    // The gateway's own span when tracing is on (what a trace backend shows), else the caller's.
    trace_id: event.trace?.traceId ?? trace?.[1] ?? null,
    span_id: event.trace?.spanId ?? trace?.[2] ?? null,
    client_certificate: event.clientCertificate ?? null,
  };
  const costs = costByAttempt(served.attempts, cost?.hops ?? []);
  const hops = served.attempts.map((attempt, position) => hopRowOf(event.requestId, attempt, position, costs.get(attempt)));
  return { request, hops };
}

function hopRowOf(requestId: string, attempt: AttemptRecord, position: number, cost: HopCost | undefined): HopRow {
  return {
    request_id: requestId,
    position,
    hop: attempt.hop,
    attempt: attempt.attempt,
    step: attempt.step,
    deployment: attempt.deployment,
    provider: attempt.provider,
    model: attempt.model,
    outcome: attempt.outcome,
    shape: attempt.shape ?? null,
    status: attempt.status ?? null,
    upstream_status: attempt.upstreamStatus ?? null,
    code: attempt.code ?? null,
    message: attempt.message !== undefined ? clip(attempt.message) : null,
    started_at: Math.round(attempt.startedAt),
    duration_ms: attempt.durationMs,
    backoff_ms: attempt.backoffMs ?? null,
    hedge: attempt.hedge === true,
    mttr_ms: attempt.mttrMs ?? null,
    span_id: attempt.spanId ?? null,
    input_tokens: cost ? cost.inputTokens : null,
    output_tokens: cost ? cost.outputTokens : null,
    cost_usd: cost?.usd ?? null,
  };
}

/**
 * Which attempt each priced hop belongs to. A cost names its hop and deployment, which retries
 * share: it goes to the call that served on that hop, else to the last call made there.
 */
function costByAttempt(attempts: readonly AttemptRecord[], costs: readonly HopCost[]): Map<AttemptRecord, HopCost> {
  const byAttempt = new Map<AttemptRecord, HopCost>();
  for (const cost of costs) {
    const candidates = attempts.filter((a) => a.hop === cost.hop && a.deployment === cost.deployment && a.outcome !== 'skipped' && !byAttempt.has(a));
    const target = candidates.find((a) => a.outcome === 'served') ?? candidates.at(-1);
    if (target) byAttempt.set(target, cost);
  }
  return byAttempt;
}

function clip(text: string): string {
  return text.length > MAX_LOGGED_MESSAGE_CHARS ? `${text.slice(0, MAX_LOGGED_MESSAGE_CHARS - 1)}…` : text;
}
