/**
 * HTTP to one upstream origin, over a keep-alive undici Pool. The only place that knows undici's
 * errors: every transport failure leaves here as a GatewayError with a failure shape.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Pool, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import { CancelSource, type Cancel } from '../../cancel.js';
import { GatewayError } from '../../errors.js';
import type { HopTimeouts } from '../types.js';

/** Default cap on open connections to one upstream origin. */
export const DEFAULT_MAX_CONNECTIONS = 256;
/** First-byte limits shorter than this get a timer of their own (undici's own check ticks about every 0.5 s). */
const PRECISE_TIMER_BELOW_MS = 10_000;
/** Default idle time before a kept-alive upstream connection is closed. */
export const DEFAULT_KEEP_ALIVE_MS = 30_000;

export interface UpstreamClientOptions {
  /** Base URL, with its path prefix (e.g. `https://api.openai.com/v1`). */
  baseUrl: string;
  maxConnections?: number;
  connectTimeoutMs: number;
  /** Turns an answer other than 200 into the provider's error (its own error format, its secrets scrubbed). */
  mapError(answer: UpstreamErrorAnswer): GatewayError;
}

/** An upstream's answer other than 200, read whole, for its provider to map. */
export interface UpstreamErrorAnswer {
  status: number;
  bodyText: string;
  headers: Record<string, string | string[] | undefined>;
}

export interface UpstreamRequest {
  /** Path below the base URL's path, starting with `/`. */
  path: string;
  method: 'GET' | 'POST';
  headers: Record<string, string>;
  body?: string;
  cancel: Cancel;
  timeouts: HopTimeouts;
}

/** A whole 200 answer, read to its end. */
export interface UpstreamText {
  headers: IncomingHttpHeaders;
  text: string;
  /**
   * The same answer's bytes: a view on the socket read it came in (Node reads into a buffer of
   * the exact size read), or a buffer of its own when it came in several. Keeping it costs no copy.
   */
  bytes: Buffer;
}

/** A 200 answer whose body is still to be read (a stream). */
export interface UpstreamResponse {
  headers: Record<string, string | string[] | undefined>;
  body: Dispatcher.ResponseData['body'];
  /** Clears the hop's total-time timer; call once the body is consumed or abandoned. */
  done(): void;
  /** Maps an error raised while reading the body (a cut stream, an idle timeout) to a GatewayError. */
  fail(err: unknown): GatewayError;
}

/**
 * A call's own headers (its idempotency key, trace context) under a provider's fixed ones: the
 * provider's win, so a call can never replace its credentials. No copy when the call adds none.
 */
export function withCallHeaders(base: Record<string, string>, call: { headers?: Record<string, string> }): Record<string, string> {
  const extra = call.headers;
  if (!extra) return base;
  // Copied key by key: spreading two objects into a literal took V8's slow path (2.4 µs a call here).
  const headers: Record<string, string> = {};
  for (const name in extra) if (!Object.hasOwn(base, name)) headers[name] = extra[name] as string;
  for (const name in base) headers[name] = base[name] as string;
  return headers;
}

export class UpstreamClient {
  private readonly pool: Pool;
  private readonly basePath: string;
  private readonly mapError: UpstreamClientOptions['mapError'];
  readonly origin: string;

  constructor(options: UpstreamClientOptions) {
    this.mapError = options.mapError;
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.pool = new Pool(this.origin, {
      connections: options.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      pipelining: 1,
      keepAliveTimeout: DEFAULT_KEEP_ALIVE_MS,
      connect: { timeout: options.connectTimeoutMs },
    });
  }

  /**
   * Sends one request. Resolves once the headers of a 200 arrived; rejects with the provider's error
   * for any other status (its body read first), with a `timeout` or `connection_error` GatewayError
   * when the transport fails, and with a `client_closed` one when the caller's signal aborted.
   */
  async request(req: UpstreamRequest): Promise<UpstreamResponse> {
    const hop = linkTimeout(req.cancel, req.timeouts.totalMs);
    // undici checks headersTimeout on a ~0.5 s tick, so a 300 ms limit fires after up to a second;
    // a native timer keeps a short first-byte limit what it says (undici's stays as a backstop).
    // Past PRECISE_TIMER_BELOW_MS the tick is a small error, and the hot path is spared a timer.
    let firstByteLate = false;
    const firstByte =
      req.timeouts.firstByteMs < PRECISE_TIMER_BELOW_MS
        ? setTimeout(() => {
            firstByteLate = true;
            hop.abort(new Error('first byte deadline'));
          }, req.timeouts.firstByteMs)
        : undefined;
    try {
      const res = await this.pool.request({
        path: this.basePath + req.path,
        method: req.method,
        headers: req.headers,
        body: req.body,
        signal: hop.signal,
        headersTimeout: req.timeouts.firstByteMs,
        bodyTimeout: req.timeouts.idleMs,
      });
      clearTimeout(firstByte);
      if (res.statusCode !== 200) {
        let bodyText: string;
        try {
          bodyText = await res.body.text();
        } catch (err) {
          throw mapTransportError(err, req.cancel, hop);
        } finally {
          hop.dispose();
        }
        throw this.mapError({ status: res.statusCode, bodyText, headers: res.headers });
      }
      return {
        headers: res.headers,
        body: res.body,
        done: hop.dispose,
        fail: (err) => mapTransportError(err, req.cancel, hop),
      };
    } catch (err) {
      clearTimeout(firstByte);
      hop.dispose();
      if (err instanceof GatewayError) throw err;
      if (firstByteLate && !req.cancel.aborted && !hop.timedOut()) throw firstByteTimeout(err);
      throw mapTransportError(err, req.cancel, hop);
    }
  }

  /**
   * Sends one request and reads the whole 200 answer as text: for answers used whole (a completion,
   * embeddings, a models list). Same timeouts and errors as {@link request}, without a body
   * stream or an AbortController: a handler collects the body and aborts through
   * undici's controller (the hot path of every non-streaming call).
   */
  requestText(req: UpstreamRequest): Promise<UpstreamText> {
    return new Promise<UpstreamText>((resolve, reject) => {
      new WholeAnswerCall(req, this.mapError, resolve, reject).send(this.pool, this.basePath + req.path);
    });
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}

/** One call read whole: undici's dispatch handler, the hop's timers and the caller's signal in one object. */
class WholeAnswerCall implements Dispatcher.DispatchHandler {
  private controller: Dispatcher.DispatchController | undefined;
  /** Why the call was stopped before undici started it (it is aborted once it starts). */
  private stopReason: Error | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private firstByteLate = false;
  private settled = false;
  private status = 0;
  private headers: IncomingHttpHeaders = {};
  private readonly chunks: Buffer[] = [];
  private readonly onCallerAbort = (reason: unknown): void => this.stop(reason instanceof Error ? reason : new Error('aborted'));

  constructor(
    private readonly req: UpstreamRequest,
    private readonly mapError: UpstreamClientOptions['mapError'],
    private readonly resolve: (answer: UpstreamText) => void,
    private readonly reject: (err: GatewayError) => void,
  ) {}

  send(pool: Pool, path: string): void {
    const { cancel, timeouts } = this.req;
    if (cancel.aborted) {
      this.fail(cancel.reason);
      return;
    }
    cancel.onAbort(this.onCallerAbort);
    this.totalTimer = setTimeout(() => {
      this.timedOut = true;
      this.stop(new Error('hop deadline'));
    }, timeouts.totalMs);
    this.totalTimer.unref();
    // See request(): undici's own first-byte check ticks too coarsely for a short limit.
    if (timeouts.firstByteMs < PRECISE_TIMER_BELOW_MS) {
      this.firstByteTimer = setTimeout(() => {
        this.firstByteLate = true;
        this.stop(new Error('first byte deadline'));
      }, timeouts.firstByteMs);
    }
    pool.dispatch(
      { path, method: this.req.method, headers: this.req.headers, body: this.req.body, headersTimeout: timeouts.firstByteMs, bodyTimeout: timeouts.idleMs },
      this,
    );
  }

  onRequestStart(controller: Dispatcher.DispatchController): void {
    this.controller = controller;
    if (this.stopReason) controller.abort(this.stopReason);
  }

  onResponseStart(_controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    clearTimeout(this.firstByteTimer);
    this.status = statusCode;
    this.headers = headers;
  }

  onResponseData(_controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.settle()) return;
    const bytes = this.chunks.length === 1 ? (this.chunks[0] as Buffer) : ownConcat(this.chunks);
    const text = bytes.toString('utf8');
    if (this.status === 200) this.resolve({ headers: this.headers, text, bytes });
    else this.reject(this.mapError({ status: this.status, bodyText: text, headers: this.headers }));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.fail(err);
  }

  /** Stops the call: now if undici has started it, else as soon as it does; the caller hears at once. */
  private stop(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else {
      this.stopReason = reason;
      this.fail(reason);
    }
  }

  private fail(err: unknown): void {
    if (this.settle()) return;
    if (this.firstByteLate && !this.req.cancel.aborted && !this.timedOut) {
      this.reject(firstByteTimeout(err));
      return;
    }
    this.reject(mapTransportError(err, this.req.cancel, { timedOut: () => this.timedOut }));
  }

  /** Clears the timers and the listener once; true when the call had already settled. */
  private settle(): boolean {
    if (this.settled) return true;
    this.settled = true;
    clearTimeout(this.totalTimer);
    clearTimeout(this.firstByteTimer);
    this.req.cancel.offAbort(this.onCallerAbort);
    return false;
  }
}

/** Chunks joined into a buffer of their own (Buffer.concat takes a small one from Node's shared pool, which a kept answer would pin). */
function ownConcat(chunks: Buffer[]): Buffer {
  let length = 0;
  for (const chunk of chunks) length += chunk.length;
  const joined = Buffer.allocUnsafeSlow(length);
  let at = 0;
  for (const chunk of chunks) at += chunk.copy(joined, at);
  return joined;
}

interface LinkedTimeout {
  signal: AbortSignal;
  /** Aborts the hop for a reason of the caller's own (a first-byte deadline). */
  abort(reason: Error): void;
  timedOut(): boolean;
  dispose(): void;
}

/** One cancellation per streamed hop, with the AbortSignal undici's request takes: aborts when the caller does or the hop's total time runs out. */
export function linkTimeout(parent: Cancel, totalMs: number): LinkedTimeout {
  const hop = new CancelSource(parent);
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    hop.abort(new Error('hop deadline'));
  }, totalMs);
  timer.unref();
  return {
    signal: hop.signal,
    abort: (reason) => hop.abort(reason),
    timedOut: () => timedOut,
    dispose() {
      clearTimeout(timer);
      hop.dispose();
    },
  };
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ENOTFOUND',
  'EAI_AGAIN',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'ETIMEDOUT',
  'UND_ERR_SOCKET',
  'UND_ERR_CLOSED',
]);

function mapTransportError(err: unknown, caller: Cancel, hop: { timedOut(): boolean }): GatewayError {
  if (err instanceof GatewayError) return err;
  if (caller.aborted && !hop.timedOut()) {
    return new GatewayError('The client closed the request.', { status: 499, code: 'client_closed', cause: err });
  }
  if (hop.timedOut()) {
    return new GatewayError('The upstream did not finish within the hop deadline.', { status: 504, code: 'hop_deadline', shape: 'timeout', cause: err });
  }
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError('Connecting to the upstream timed out.', { status: 504, code: 'connect_timeout', shape: 'timeout', cause: err });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) return firstByteTimeout(err);
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError('The upstream went silent mid-response for longer than the idle timeout.', { status: 504, code: 'idle_timeout', shape: 'timeout', cause: err });
  }
  const code = errorCode(err);
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new GatewayError(`The connection to the upstream failed (${code}).`, { status: 502, code: 'connection_error', shape: 'connection_error', cause: err });
  }
  return new GatewayError('The upstream request failed.', { status: 502, code: 'upstream_transport_error', shape: 'connection_error', cause: err });
}

function firstByteTimeout(cause: unknown): GatewayError {
  return new GatewayError('The upstream sent no response within the first-byte timeout.', { status: 504, code: 'first_byte_timeout', shape: 'timeout', cause });
}

function errorCode(err: unknown): string | undefined {
  let current: unknown = err;
  for (let depth = 0; depth < 4 && current instanceof Error; depth++) {
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string') return code;
    current = current.cause;
  }
  return undefined;
}
