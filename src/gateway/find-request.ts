/**
 * A finished request by its id, or the latest ones, as `GET /admin/requests` serves them: from
 * memory first (the last `server.recent_requests`), then from the request log when it is on, so
 * the memory kept can be short without an operator losing older requests.
 */
import type { FailureShape } from '../errors.js';
import type { AttemptRecord, FallbackReason } from '../fallback/run-chain.js';
import { readRequestLog } from '../store/read-request-log.js';
import { RequestLogUnavailable, type HopRow, type LoggedRequest, type RequestLog } from '../store/request-log.js';
import type { Gateway } from './create-gateway.js';
import { viewOf, type RecentRequestView } from './recent-requests.js';

export async function findRequest(gateway: Gateway, requestId: string): Promise<RecentRequestView | undefined> {
  const recent = gateway.recentRequest(requestId);
  if (recent) return viewOf(recent);
  const logged = await fromLog(gateway, (log) => log.get(requestId), undefined);
  return logged && viewOfLogged(logged);
}

/** Newest first: those in memory, then older ones from the request log, each request id once. */
export async function latestRequests(gateway: Gateway, limit: number): Promise<RecentRequestView[]> {
  const views = gateway.recentRequests(limit).map(viewOf);
  if (views.length >= limit) return views;
  const seen = new Set(views.map((view) => view.requestId));
  for (const logged of await fromLog(gateway, (log) => log.query({ limit }), [])) {
    if (views.length >= limit) break;
    if (seen.has(logged.request.request_id)) continue;
    seen.add(logged.request.request_id);
    views.push(viewOfLogged(logged));
  }
  return views;
}

/** What the log answers, or `none` when there is no log (off in the config, or nothing written yet). */
async function fromLog<T>(gateway: Gateway, read: (log: RequestLog) => Promise<T>, none: T): Promise<T> {
  try {
    return await readRequestLog(gateway.config.telemetry.request_log, read);
  } catch (err) {
    if (err instanceof RequestLogUnavailable) return none;
    throw err;
  }
}

/** The served record a logged request reads back as: the inverse of rowsOfEvent, less what the log leaves out. */
function viewOfLogged({ request, hops }: LoggedRequest): RecentRequestView {
  return {
    requestId: request.request_id,
    route: request.route,
    deployment: request.deployment ?? undefined,
    provider: request.provider ?? undefined,
    hop: request.hop_count,
    attempts: hops.map(attemptOfHop),
    fallbackReason: (request.fallback_reason ?? undefined) as FallbackReason | undefined,
    cache: request.cache ? { ageMs: request.cache_age_ms ?? 0 } : undefined,
    manual: request.manual ?? undefined,
    replayOf: request.replay_of ?? undefined,
    status: request.status,
    finishedAt: request.started_at + request.duration_ms,
    source: 'request_log',
  };
}

function attemptOfHop(hop: HopRow): AttemptRecord {
  return {
    hop: hop.hop,
    step: hop.step as AttemptRecord['step'],
    deployment: hop.deployment,
    provider: hop.provider,
    model: hop.model,
    outcome: hop.outcome as AttemptRecord['outcome'],
    shape: (hop.shape ?? undefined) as FailureShape | undefined,
    status: hop.status ?? undefined,
    upstreamStatus: hop.upstream_status ?? undefined,
    code: hop.code ?? undefined,
    message: hop.message ?? undefined,
    attempt: hop.attempt,
    backoffMs: hop.backoff_ms ?? undefined,
    hedge: hop.hedge || undefined,
    mttrMs: hop.mttr_ms ?? undefined,
    startedAt: hop.started_at,
    durationMs: hop.duration_ms,
    spanId: hop.span_id ?? undefined,
  };
}
