/**
 * A stream's response head. With `server.stream_head: first_chunk` (the default) it goes out with
 * the upstream's first chunk, as it comes; with `first_content` it is held until the first content,
 * so that it names the deployment that served. Until the first content a failure can still fall
 * back, head or no head.
 *
 * While the head is held nothing reaches the client, and a proxy between them (a load balancer
 * closing idle connections after 30-60 s) may cut a request whose first chunk is slow: a long
 * prompt, a reasoning model. So after `server.stream_keepalive_ms` with the head still held it
 * goes out with what is known (the request id, the stream's content type), followed by an SSE
 * comment, which clients skip; another follows at each interval. Once the head is out, what serves
 * (if the head did not name it) is told before its first chunk in a comment
 * (`: served-by deployment=... hop=...`), and a request that fails ends with an in-band error event
 * instead of an error status. Whether the head went out early is the response's own `headersSent`.
 */
import type { ServerResponse } from 'node:http';
import { toGatewayError } from '../errors.js';
import type { Served } from '../gateway/served.js';
import { responseGone, type HttpContext } from './context.js';
import type { CallOptions } from '../gateway/plan-route.js';
import type { StreamChunk } from '../providers/types.js';
import { servedByComment, servedHeaders } from './served-headers.js';
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
  if (responseGone(res) || res.writableEnded) return;
  if (!res.headersSent) res.writeHead(200, { 'x-request-id': requestId, ...SSE_HEADERS });
  res.write(WAITING_COMMENT);
}

/**
 * What a stream's response has told its client about what serves it: the head's served headers,
 * or, once the head is out (sent early by the keep-alive, or with an early chunk of a deployment
 * that then failed), an SSE comment before the next chunk naming what serves now.
 */
export class StreamHead {
  /** Deployment, hop and attempts last named; undefined until the served headers or a comment went out. */
  private named: string | undefined;

  constructor(
    private readonly res: ServerResponse,
    /** Headers of the endpoint's own for the head (Anthropic's `request-id`). */
    private readonly extra: Record<string, string> = {},
  ) {}

  /** Names `served` in the head, or in a comment when the head is out and named something else. */
  name(served: Served): void {
    const named = `${served.deployment} ${served.hop} ${served.attempts.length}`;
    if (named === this.named) return;
    this.named = named;
    const headers = servedHeaders(served);
    if (!this.res.headersSent) {
      // Into the fresh object rather than a spread into a new one: at one stream at a time, where
      // this code is still cold, the spread took about 23 µs of the first byte, this 4 (timed in place).
      this.res.writeHead(200, Object.assign(headers, this.extra, SSE_HEADERS));
      return;
    }
    this.res.write(servedByComment(headers));
  }
}

/**
 * With `server.stream_head: first_chunk`, the CallOptions.onEarlyChunk that writes each chunk
 * up to the first content as it comes (`render`: the endpoint's own framing of it), the head or a
 * served-by comment first; undefined when the head waits for the first content.
 */
export function forwardEarlyChunks({ res, gateway }: HttpContext, head: StreamHead, render: (chunk: StreamChunk) => string): CallOptions['onEarlyChunk'] {
  if (gateway.config.server.stream_head !== 'first_chunk') return undefined;
  return (chunk, from) => {
    const text = render(chunk);
    if (responseGone(res)) return;
    head.name(from);
    if (text) res.write(text);
  };
}
