/**
 * A stream's response head is held until its first content: until then a failure can still fall
 * back to the next hop, and the head can name the deployment that served. While it is held,
 * nothing reaches the client, and a proxy between them (a load balancer closing idle connections
 * after 30-60 s) may cut a request whose first token is slow: a long prompt, a reasoning model.
 *
 * So after `server.stream_keepalive_ms` without content the head goes out with what is known (the
 * request id, the stream's content type), followed by an SSE comment, which clients skip; another
 * follows at each interval. The request can still fall back: what served is told before the first
 * chunk, in a comment (`: served-by deployment=... hop=...`), and a request that fails ends with an
 * in-band error event instead of an error status. Whether the head went out early is the
 * response's own `headersSent`.
 */
import type { ServerResponse } from 'node:http';
import { toGatewayError } from '../errors.js';
import type { Served } from '../gateway/served.js';
import type { HttpContext } from './context.js';
import { servedHeaders } from './served-headers.js';
import { SSE_HEADERS } from './write-sse.js';

/** The comment each interval writes while the first content is awaited. */
export const WAITING_COMMENT = ': waiting for the first content\n\n';

/** Whether a request body asks for a stream (before it is validated: anything else is not). */
export function asksForStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}

/**
 * Awaits the answer to a request that asked for a stream, keeping the connection alive meanwhile.
 * A failure after the head went out ends the response with `errorEvent` (the endpoint's in-band
 * error) and gives undefined; before, it is thrown, for an error status.
 */
export async function awaitWithKeepalive<T>({ res, requestId, gateway, cancel }: HttpContext, answer: Promise<T>, errorEvent: (err: unknown) => string): Promise<T | undefined> {
  const everyMs = gateway.config.server.stream_keepalive_ms;
  const timer = everyMs > 0 ? setInterval(keepAlive, everyMs, res, requestId) : undefined;
  timer?.unref();
  try {
    return await answer;
  } catch (err) {
    if (!res.headersSent || cancel.aborted) throw err;
    const error = toGatewayError(err);
    gateway.logger[error.status >= 500 ? 'error' : 'debug']({ err, requestId, code: error.code, status: error.status }, 'stream failed before its first content, after its head was sent');
    res.end(errorEvent(err));
    return undefined;
  } finally {
    clearInterval(timer);
  }
}

function keepAlive(res: ServerResponse, requestId: string): void {
  if (res.destroyed || res.writableEnded) return;
  if (!res.headersSent) res.writeHead(200, { 'x-request-id': requestId, ...SSE_HEADERS });
  res.write(WAITING_COMMENT);
}

/**
 * Opens a served stream: its head with the served headers (and `extra`), or, when the head went
 * out while the answer was awaited, a comment naming what served.
 */
export function openStream(res: ServerResponse, served: Served, extra: Record<string, string> = {}): void {
  const headers = servedHeaders(served);
  if (!res.headersSent) {
    res.writeHead(200, { ...headers, ...extra, ...SSE_HEADERS });
    return;
  }
  const parts = Object.entries(headers).map(([name, value]) => `${name.replace(/^x-(switchyard-)?/, '')}=${value}`);
  res.write(`: served-by ${parts.join(' ')}\n\n`);
}
