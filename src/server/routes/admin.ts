/**
 * /admin/...: operator calls, behind `server.admin_token`. Without a token configured the admin API
 * does not exist (404), so an install never exposes it by accident.
 */
import { timingSafeEqual } from 'node:crypto';
import { GatewayError } from '../../errors.js';
import { readJsonBody } from '../read-body.js';
import { sendJson } from '../render-error.js';
import { allowOnly, methodNotAllowed, pathName } from '../request-line.js';
import type { Handler, HttpContext } from '../context.js';
import { findRequest, latestRequests } from '../../gateway/find-request.js';
import { replayLoggedRequest, showRequestLog } from './admin-request-log.js';

const MOCK_FAULTS = /^\/mocks\/([^/]+)\/faults$/;
const REQUEST = /^\/requests\/([^/]+)$/;
const REPLAY = /^\/replay\/([^/]+)$/;
const HEALTH_ACTION = /^\/health\/(deployments|keys)\/([^/]+)\/(drain|restore)$/;

export const admin: Handler = async (ctx) => {
  authorize(ctx);
  const { subpath } = ctx;
  if (subpath === '/requests') return listRequests(ctx);
  if (subpath === '/health') return listHealth(ctx);
  if (subpath === '/log') {
    allowOnly(ctx.req.method, ['GET']);
    return showRequestLog(ctx);
  }
  const replay = REPLAY.exec(subpath);
  if (replay) {
    allowOnly(ctx.req.method, ['GET']);
    return replayLoggedRequest(ctx, pathName(replay[1] as string, 'request_id'));
  }
  const action = HEALTH_ACTION.exec(subpath);
  if (action) return healthAction(ctx, action[1] === 'keys' ? 'key' : 'deployment', pathName(action[2] as string, 'name'), action[3] as 'drain' | 'restore');
  const request = REQUEST.exec(subpath);
  if (request) return showRequest(ctx, pathName(request[1] as string, 'request_id'));
  const match = MOCK_FAULTS.exec(subpath);
  if (!match) throw new GatewayError(`No admin endpoint at /admin${subpath}.`, { status: 404, code: 'not_found', shape: 'client_error' });
  return mockFaults(ctx, pathName(match[1] as string, 'provider'));
};

/** GET /admin/requests/{id}: the full attempt log of a finished request, from memory or the request log. */
async function showRequest({ req, res, gateway }: HttpContext, requestId: string): Promise<void> {
  allowOnly(req.method, ['GET']);
  const found = await findRequest(gateway, requestId);
  if (!found) {
    const { server, telemetry } = gateway.config;
    const where = `the last ${server.recent_requests.toLocaleString('en-US')} kept in memory (server.recent_requests)${telemetry.request_log.store === 'off' ? '; the request log is off' : ' nor in the request log'}`;
    throw new GatewayError(`No request with id '${requestId}' among ${where}.`, { status: 404, code: 'request_not_found', shape: 'client_error' });
  }
  sendJson(res, 200, JSON.stringify(found));
}

/** GET /admin/requests?limit=N: the most recent requests, newest first (memory, then the request log). */
async function listRequests({ req, res, gateway }: HttpContext): Promise<void> {
  allowOnly(req.method, ['GET']);
  const limit = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('limit') ?? 50);
  if (!Number.isInteger(limit) || limit < 1 || limit > 1000) throw new GatewayError('limit must be a whole number from 1 to 1000.', { status: 400, code: 'invalid_limit', param: 'limit', shape: 'client_error' });
  sendJson(res, 200, JSON.stringify({ data: await latestRequests(gateway, limit) }));
}

/** GET /admin/health: every breaker's state, counters, last transitions and outages with their MTTR. */
function listHealth({ req, res, gateway }: HttpContext): void {
  allowOnly(req.method, ['GET']);
  sendJson(res, 200, JSON.stringify({ enabled: gateway.config.health.enabled, data: gateway.health.snapshot() }));
}

/** POST /admin/health/{deployments|keys}/{name}/{drain|restore}, with an optional `{"reason": "..."}`. */
async function healthAction({ req, res, gateway }: HttpContext, kind: 'deployment' | 'key', name: string, action: 'drain' | 'restore'): Promise<void> {
  allowOnly(req.method, ['POST']);
  let reason: string | undefined;
  if (Number(req.headers['content-length'] ?? 0) > 0 || req.headers['transfer-encoding']) {
    const { value } = await readJsonBody(req, gateway.config.server.max_body_bytes);
    const given = typeof value === 'object' && value !== null ? (value as { reason?: unknown }).reason : undefined;
    if (given !== undefined && typeof given !== 'string') throw new GatewayError('reason must be a string.', { status: 400, code: 'invalid_reason', param: 'reason', shape: 'client_error' });
    reason = given;
  }
  const snapshot = action === 'drain' ? gateway.health.drain(kind, name, reason) : gateway.health.restore(kind, name, reason);
  sendJson(res, 200, JSON.stringify(snapshot));
}


async function mockFaults(ctx: HttpContext, providerName: string): Promise<void> {
  const { req, res, gateway } = ctx;
  const control = gateway.faults(providerName);
  if (!control) {
    throw new GatewayError(`'${providerName}' is not a built-in mock provider of this gateway.`, { status: 404, code: 'provider_not_found', shape: 'client_error' });
  }
  switch (req.method) {
    case 'GET':
    case 'HEAD':
      return sendJson(res, 200, JSON.stringify({ faults: control.get(), stats: control.stats() }));
    case 'PUT': {
      const { value: body } = await readJsonBody(req, gateway.config.server.max_body_bytes);
      const faults = typeof body === 'object' && body !== null && 'faults' in body ? (body as { faults: unknown }).faults : body;
      control.set(faults);
      gateway.logger.warn({ provider: providerName, faults }, 'mock faults set by admin call');
      return sendJson(res, 200, JSON.stringify({ faults: control.get() }));
    }
    case 'DELETE':
      control.clear();
      gateway.logger.warn({ provider: providerName }, 'mock faults cleared by admin call');
      return sendJson(res, 200, JSON.stringify({ faults: control.get() }));
    default:
      throw methodNotAllowed(req.method, ['GET', 'PUT', 'DELETE']);
  }
};

function authorize({ req, gateway }: HttpContext): void {
  const token = gateway.config.server.admin_token;
  if (!token) throw new GatewayError('The admin API is off: set server.admin_token to turn it on.', { status: 404, code: 'admin_disabled', shape: 'client_error' });
  const header = req.headers.authorization ?? '';
  const given = Buffer.from(header.startsWith('Bearer ') ? header.slice(7) : '');
  const expected = Buffer.from(token);
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw new GatewayError('A valid admin token is required (Authorization: Bearer <token>).', { status: 401, code: 'invalid_admin_token', shape: 'client_error', headers: { 'www-authenticate': 'Bearer' } });
  }
}
