/**
 * GET /admin/log and GET /admin/replay/{id}: the request log over the admin API (admin.ts checks
 * the token). Queued requests are written before the read, so a request that just finished is there.
 */
import { GatewayError } from '../../errors.js';
import { replayDecision } from '../../replay/replay-decision.js';
import { LogQueryError, parseLogQuery, type LogFilterText } from '../../store/parse-log-query.js';
import { readRequestLog } from '../../store/read-request-log.js';
import { RequestLogUnavailable, type RequestLog } from '../../store/request-log.js';
import { sendJson } from '../render-error.js';
import type { HttpContext } from '../context.js';

const FILTERS = ['route', 'reason', 'since', 'status', 'limit'] as const;

/** GET /admin/log?route=&reason=&since=&status=&limit=: logged requests, newest first, with their hops. */
export async function showRequestLog({ req, res, gateway }: HttpContext): Promise<void> {
  const params = new URL(req.url ?? '/', 'http://x').searchParams;
  const filters: LogFilterText = {};
  for (const name of FILTERS) {
    const value = params.get(name);
    if (value !== null) filters[name] = value;
  }
  let query;
  try {
    query = parseLogQuery(filters);
  } catch (err) {
    if (err instanceof LogQueryError) throw new GatewayError(err.message, { status: 400, code: 'invalid_log_filter', param: err.param, shape: 'client_error' });
    throw err;
  }
  const data = await read(gateway.config.telemetry.request_log, (log) => log.query(query));
  sendJson(res, 200, JSON.stringify({ data }));
}

/** GET /admin/replay/{id}: the logged request's decision, then and now (against the config in force). */
export async function replayLoggedRequest({ res, gateway }: HttpContext, requestId: string): Promise<void> {
  const logged = await read(gateway.config.telemetry.request_log, (log) => log.get(requestId));
  if (!logged) throw new GatewayError(`No request '${requestId}' in the request log.`, { status: 404, code: 'request_not_found', shape: 'client_error' });
  sendJson(res, 200, JSON.stringify(await replayDecision(logged, gateway.config)));
}

async function read<T>(config: HttpContext['gateway']['config']['telemetry']['request_log'], fn: (log: RequestLog) => Promise<T>): Promise<T> {
  try {
    return await readRequestLog(config, fn);
  } catch (err) {
    if (err instanceof RequestLogUnavailable) throw new GatewayError(err.message, { status: 404, code: 'request_log_unavailable', shape: 'client_error' });
    throw err;
  }
}
