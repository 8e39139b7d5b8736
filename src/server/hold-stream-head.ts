/**
 * A stream's response head is held until its first content: until then a failure can still fall
 * back to the next hop, and the head can name the deployment that served. While it is held,
 * nothing reaches the client, and a proxy between them (a load balancer closing idle connections
 * after 30-60 s) may cut a request whose first token is slow: a long prompt, a reasoning model.
 *
 * So after `keepaliveMs` without content the head goes out with what is known (the request id, the
 * stream's content type), followed by an SSE comment, which clients skip; another follows at each
 * interval. The request can still fall back: what served is told before the first chunk, in a
 * comment (`: served-by deployment=... hop=...`), and a request that fails ends with an in-band
 * error event instead of an error status.
 */
import type { ServerResponse } from 'node:http';
import type { Served } from '../gateway/served.js';
import { servedHeaders } from './served-headers.js';
import { SSE_HEADERS } from './write-sse.js';

/** The comment each interval writes while the first content is awaited. */
export const WAITING_COMMENT = ': waiting for the first content\n\n';

export class StreamHead {
  private timer: NodeJS.Timeout | undefined;
  private sent = false;

  constructor(
    private readonly res: ServerResponse,
    private readonly requestId: string,
    keepaliveMs: number,
  ) {
    if (keepaliveMs > 0) {
      this.timer = setInterval(this.keepAlive, keepaliveMs);
      this.timer.unref();
    }
  }

  /** True once the head went out before the first content. */
  get early(): boolean {
    return this.sent;
  }

  /** The answer is here (or failed): no more comments. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The head for a stream that is served: the served headers with `extra`, or, when the head went
   * out already, a comment naming what served.
   */
  open(served: Served, extra: Record<string, string> = {}): void {
    this.stop();
    if (!this.sent) {
      this.res.writeHead(200, { ...servedHeaders(served), ...extra, ...SSE_HEADERS });
      return;
    }
    const parts = Object.entries(servedHeaders(served)).map(([name, value]) => `${name.replace(/^x-(switchyard-)?/, '')}=${value}`);
    this.res.write(`: served-by ${parts.join(' ')}\n\n`);
  }

  private readonly keepAlive = (): void => {
    const res = this.res;
    if (res.destroyed || res.writableEnded) {
      this.stop();
      return;
    }
    if (!this.sent) {
      this.sent = true;
      res.writeHead(200, { 'x-request-id': this.requestId, ...SSE_HEADERS });
    }
    res.write(WAITING_COMMENT);
  };
}

/** Whether a request body asks for a stream (before it is validated: anything else is not). */
export function asksForStream(body: unknown): boolean {
  return typeof body === 'object' && body !== null && (body as { stream?: unknown }).stream === true;
}
