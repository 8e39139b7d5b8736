/**
 * Human handoff: POST the request to a webhook (a help desk, a queue) and answer the client with
 * the ticket reference it returns, or one of ours when it returns none.
 */
import { request } from 'undici';
import type { ManualConfig } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import { proxyFor, throughProxy, type Env } from '../providers/http/egress-proxy.js';
import { proxyDispatcher } from '../providers/http/upstream-client.js';
import type { ChatBody } from '../providers/types.js';
import type { ManualContext } from './manual-handler.js';

type HandoffConfig = Extract<ManualConfig, { type: 'handoff' }>;

export function createHandoff(name: string, config: HandoffConfig, env: Env): (body: ChatBody, context: ManualContext) => Promise<string> {
  // Through the proxy its setting names, as the providers' calls; undici's default (direct) otherwise.
  const proxy = proxyFor(config.proxy, new URL(config.webhook), env);
  const dispatcher = proxy && proxyDispatcher(proxy);
  const via = throughProxy(proxy);
  return async (body, context) => {
    const payload = JSON.stringify({
      type: 'switchyard.handoff',
      handler: name,
      request_id: context.requestId,
      route: context.route,
      messages: body.messages,
      failures: context.failures,
      created_at: new Date().toISOString(),
    });
    let ticket: string | undefined;
    try {
      const res = await request(config.webhook, {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...config.headers },
        body: payload,
        dispatcher,
        signal: AbortSignal.any([context.signal, AbortSignal.timeout(config.timeout_ms)]),
      });
      const text = await res.body.text();
      if (res.statusCode < 200 || res.statusCode >= 300) {
        throw new GatewayError(`The handoff webhook answered ${res.statusCode}.`, { status: 502, code: 'handoff_failed', shape: 'upstream_5xx' });
      }
      ticket = readTicket(text);
    } catch (err) {
      if (err instanceof GatewayError) throw err;
      if (context.signal.aborted) throw new GatewayError('The client closed the request.', { status: 499, code: 'client_closed', cause: err });
      throw new GatewayError(`The handoff webhook could not be reached${via}.`, { status: 502, code: 'handoff_failed', shape: 'connection_error', cause: err });
    }
    return config.answer.replaceAll('{ticket}', ticket ?? `SY-${context.requestId.slice(0, 8).toUpperCase()}`);
  };
}

function readTicket(text: string): string | undefined {
  try {
    const parsed = JSON.parse(text) as Record<string, unknown>;
    for (const field of ['ticket', 'id', 'reference']) {
      const value = parsed[field];
      if (typeof value === 'string' || typeof value === 'number') return String(value);
    }
  } catch {
    // A webhook that answers 2xx without JSON still took the request.
  }
  return undefined;
}
