/**
 * HTTP to one upstream origin, over a keep-alive undici Pool. The only place that knows undici's
 * errors: every transport failure leaves here as a GatewayError with a failure shape.
 */
import type { IncomingHttpHeaders } from 'node:http';
import { Agent, Pool, ProxyAgent, errors as undiciErrors } from 'undici';
import type { Dispatcher } from 'undici';
import type { Cancel } from '../../cancel.js';
import { GatewayError } from '../../errors.js';
import type { HopTimeouts } from '../types.js';
import { isSocksProxy, proxyFor, throughProxy, type EgressProxy, type Env, type ProxySetting, type ShownProxy } from './egress-proxy.js';
import { socksConnector, SocksProxyError } from './socks-connect.js';

/** Default cap on open connections to one upstream origin. */
export const DEFAULT_MAX_CONNECTIONS = 256;
/** First-byte limits shorter than this get a timer of their own (undici's own check ticks about every 0.5 s). */
const PRECISE_TIMER_BELOW_MS = 10_000;
/** Default idle time before a kept-alive upstream connection is closed. */
export const DEFAULT_KEEP_ALIVE_MS = 30_000;
/**
 * Default cap on a whole 200 answer (`max_answer_bytes`): far above any completion's, and above
 * the largest embeddings answer (2,048 inputs of 3,072 floats as JSON text, about 120 MB).
 */
export const DEFAULT_MAX_ANSWER_BYTES = 256 * 1024 * 1024;
/** The most `max_answer_bytes` may be: an answer is read as one string, and V8's strings stop short of 512 MiB. */
export const MAX_ANSWER_BYTES_CEILING = 500 * 1024 * 1024;
/** What is kept of an answer other than 200 (an error's body): the provider maps the error from its start. */
export const MAX_ERROR_BODY_BYTES = 1024 * 1024;

/** How calls reach an upstream, from a provider's config (`transportOf`). */
export interface Transport {
  connectTimeoutMs: number;
  maxConnections?: number | undefined;
  /** `env`, `none` or a proxy's URL (see egress-proxy.ts). */
  proxy: ProxySetting;
  /** Where a `proxy: env` looks (default: process.env). */
  env?: Env | undefined;
  /** CAs to trust and a client certificate, for the upstream's TLS (not the proxy's). */
  tls?: UpstreamTls | undefined;
  /** The largest whole 200 answer read (default DEFAULT_MAX_ANSWER_BYTES); a larger one is a 502. */
  maxAnswerBytes?: number | undefined;
}

/** PEM contents, as node's `tls.connect` takes them. */
export interface UpstreamTls {
  /** The CAs trusted: node's own and the provider's `ca_file`. */
  ca?: (string | Buffer)[] | undefined;
  cert?: Buffer | undefined;
  key?: Buffer | undefined;
}

export interface UpstreamClientOptions {
  /** Base URL, with its path prefix (e.g. `https://api.openai.com/v1`). */
  baseUrl: string;
  transport: Transport;
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
  /**
   * The body as it arrives, for one reader. The upstream is read only as fast as the reader takes
   * chunks (backpressure). A reader that stops early (`return`, a `break` out of `for await`)
   * aborts the call unless the body had already ended.
   */
  body: AsyncIterable<Uint8Array>;
  /** Clears the hop's total-time timer; call once the body is consumed or abandoned. */
  done(): void;
  /** Aborts the call if its body has not ended (a client that left mid-stream). */
  cancel(): void;
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
  private readonly dispatcher: Dispatcher;
  private readonly basePath: string;
  private readonly mapError: UpstreamClientOptions['mapError'];
  readonly origin: string;
  /** The proxy calls go through, if any. */
  private readonly proxy: EgressProxy | undefined;
  /** The same, without its credentials. */
  readonly shownProxy: ShownProxy | undefined;
  private readonly maxAnswerBytes: number;

  constructor(options: UpstreamClientOptions) {
    const { transport } = options;
    const url = new URL(options.baseUrl);
    this.origin = url.origin;
    this.basePath = url.pathname.replace(/\/+$/, '');
    this.proxy = proxyFor(transport.proxy, url, transport.env ?? process.env);
    this.shownProxy = this.proxy && { shown: this.proxy.shown, source: this.proxy.source };
    const tls = transport.tls;
    const poolOptions: Pool.Options = {
      connections: transport.maxConnections ?? DEFAULT_MAX_CONNECTIONS,
      pipelining: 1,
      keepAliveTimeout: DEFAULT_KEEP_ALIVE_MS,
      connect: { timeout: transport.connectTimeoutMs, ...tls },
    };
    this.dispatcher = this.proxy ? proxyDispatcher(this.proxy, { pool: poolOptions, connectTimeoutMs: transport.connectTimeoutMs, tls }) : new Pool(this.origin, poolOptions);
    this.mapError = options.mapError;
    this.maxAnswerBytes = transport.maxAnswerBytes ?? DEFAULT_MAX_ANSWER_BYTES;
  }

  /**
   * Sends one request. Resolves once the headers of a 200 arrived; rejects with the provider's error
   * for any other status (its body read first), with a `timeout` or `connection_error` GatewayError
   * when the transport fails, and with a `client_closed` one when the caller's signal aborted.
   */
  request(req: UpstreamRequest): Promise<UpstreamResponse> {
    return new Promise<UpstreamResponse>((resolve, reject) => {
      new StreamingCall(req, this.mapError, this.proxy, this.maxAnswerBytes, resolve, reject).send(this.dispatcher, this.origin, this.basePath + req.path);
    });
  }

  /**
   * Sends one request and reads the whole 200 answer as text: for answers used whole (a completion,
   * embeddings, a models list). Same timeouts and errors as {@link request}.
   */
  requestText(req: UpstreamRequest): Promise<UpstreamText> {
    return new Promise<UpstreamText>((resolve, reject) => {
      new WholeAnswerCall(req, this.mapError, this.proxy, this.maxAnswerBytes, resolve, reject).send(this.dispatcher, this.origin, this.basePath + req.path);
    });
  }

  async close(): Promise<void> {
    await this.dispatcher.close();
  }
}

/**
 * Calls through `proxy`. Through an HTTP proxy: an https upstream through a CONNECT tunnel, an
 * http one as absolute-form requests (what proxies allow by default; many refuse CONNECT to ports
 * other than 443). Through a SOCKS proxy: every connection is a SOCKS tunnel (socks-connect.ts).
 * The connections to each upstream are pooled with `pool`'s settings, as without a proxy; without
 * settings (a handoff webhook), undici's defaults.
 */
export function proxyDispatcher(proxy: EgressProxy, settings: { pool?: Pool.Options; connectTimeoutMs?: number; tls?: UpstreamTls | undefined } = {}): Dispatcher {
  const { pool = {}, connectTimeoutMs, tls } = settings;
  if (isSocksProxy(proxy)) return new Agent({ ...pool, connect: socksConnector(proxy, { connectTimeoutMs, tls }) });
  return new ProxyAgent({
    uri: proxy.url,
    proxyTunnel: false,
    // The connection to the proxy gets the connect timeout; the upstream's TLS, inside the tunnel, its TLS settings.
    proxyTls: { timeout: connectTimeoutMs },
    ...(tls ? { requestTls: tls } : {}),
    // Both the tunnels (undici's connect function in `options`) and the proxy's own pool.
    factory: (origin, options) => new Pool(origin, { ...pool, ...(options as Pool.Options) }),
  });
}

/** The proxy would not carry the call: refused its credentials (407, as undici tells it) or the tunnel. */
function proxyRefused(proxy: EgressProxy, status: number, cause?: unknown): GatewayError {
  const why = status === 407 ? 'asked for credentials it was not given, or refused them (407)' : `refused the tunnel (${status})`;
  return new GatewayError(`The proxy ${proxy.shown} (from ${proxy.source}) ${why}.`, { status: 502, code: 'proxy_error', shape: 'connection_error', cause });
}

/** A connection through a SOCKS proxy failed: a timeout as connecting's, anything else as the proxy's. */
function socksProxyFailed(proxy: EgressProxy, err: SocksProxyError): GatewayError {
  const message = `The proxy ${proxy.shown} (from ${proxy.source}) ${err.message}.`;
  if (err.timedOut) return new GatewayError(message, { status: 504, code: 'connect_timeout', shape: 'timeout', cause: err });
  return new GatewayError(message, { status: 502, code: 'proxy_error', shape: 'connection_error', cause: err });
}

/**
 * One upstream call as undici's dispatch handler, with the hop's timers and the caller's
 * cancellation in the same object: no AbortController, no body stream, no promise per chunk
 * beyond what the reader asks for. The call's promise settles once: with the whole answer, or (a
 * streamed 200) at its headers; an answer other than 200 is read whole and rejected as the
 * provider maps it. Subclasses say what a 200 is.
 */
abstract class UpstreamCall<T> implements Dispatcher.DispatchHandler {
  protected controller: Dispatcher.DispatchController | undefined;
  /** Why the call was stopped before undici started it (it is aborted once it starts). */
  private stopReason: Error | undefined;
  private totalTimer: NodeJS.Timeout | undefined;
  private firstByteTimer: NodeJS.Timeout | undefined;
  private timedOut = false;
  private firstByteLate = false;
  private released = false;
  /** The call's promise has settled. */
  protected settled = false;
  protected status = 0;
  protected headers: IncomingHttpHeaders = {};
  /** The body, when it is read whole: a whole answer's, or that of any answer other than 200. */
  protected readonly chunks: Buffer[] = [];
  /** Bytes of `chunks`. */
  private chunkBytes = 0;
  private readonly onCallerAbort = (reason: unknown): void => this.stop(reason instanceof Error ? reason : new Error('aborted'));

  constructor(
    private readonly req: UpstreamRequest,
    private readonly mapError: UpstreamClientOptions['mapError'],
    private readonly proxy: EgressProxy | undefined,
    /** The largest whole 200 answer read. */
    private readonly maxAnswerBytes: number,
    protected readonly resolve: (answer: T) => void,
    private readonly reject: (err: GatewayError) => void,
  ) {}

  send(dispatcher: Dispatcher, origin: string, path: string): void {
    const { cancel, timeouts } = this.req;
    if (cancel.aborted) {
      this.failed(cancel.reason);
      return;
    }
    cancel.onAbort(this.onCallerAbort);
    this.totalTimer = setTimeout(() => {
      this.timedOut = true;
      this.stop(new Error('hop deadline'));
    }, timeouts.totalMs);
    this.totalTimer.unref();
    // undici checks headersTimeout on a ~0.5 s tick, so a 300 ms limit fires after up to a second;
    // a native timer keeps a short first-byte limit what it says (undici's stays as a backstop).
    // Past PRECISE_TIMER_BELOW_MS the tick is a small error, and the hot path is spared a timer.
    if (timeouts.firstByteMs < PRECISE_TIMER_BELOW_MS) {
      this.firstByteTimer = setTimeout(() => {
        this.firstByteLate = true;
        this.stop(new Error('first byte deadline'));
      }, timeouts.firstByteMs);
    }
    dispatcher.dispatch(
      { origin, path, method: this.req.method, headers: this.req.headers, body: this.req.body, headersTimeout: timeouts.firstByteMs, bodyTimeout: timeouts.idleMs },
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

  /**
   * A chunk of a body read whole. An answer past its cap is not read further: a 200 past
   * `maxAnswerBytes` fails the call (an upstream answering without end would otherwise hold the
   * gateway's memory, and one past V8's longest string left the call hanging); an error's body
   * is mapped from its first MAX_ERROR_BODY_BYTES.
   */
  onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    this.chunkBytes += chunk.length;
    if (this.status === 200 && this.chunkBytes > this.maxAnswerBytes) {
      this.stop(answerTooLarge(this.maxAnswerBytes));
      return;
    }
    if (this.status !== 200 && this.chunkBytes > MAX_ERROR_BODY_BYTES) {
      this.chunks.push(chunk.subarray(0, chunk.length - (this.chunkBytes - MAX_ERROR_BODY_BYTES)));
      this.rejectWithError();
      controller.abort(new Error('the rest of the error body is not read'));
      return;
    }
    this.chunks.push(chunk);
  }

  onResponseEnd(): void {
    if (this.status === 200) {
      this.onBodyEnd();
      return;
    }
    this.rejectWithError();
  }

  /** Rejects with the provider's error for an answer other than 200, from its body as read. */
  private rejectWithError(): void {
    if (!this.settle()) return;
    this.release();
    this.reject(this.mapError({ status: this.status, bodyText: joined(this.chunks).toString('utf8'), headers: this.headers }));
  }

  onResponseError(_controller: Dispatcher.DispatchController, err: Error): void {
    this.failed(err);
  }

  /** A 200's body ended. */
  protected abstract onBodyEnd(): void;

  /** Rejects the call's promise with the transport error mapped, unless it has settled. */
  protected failed(err: unknown): void {
    if (!this.settle()) return;
    this.release();
    this.reject(this.mapped(err));
  }

  /** Settles the call's promise: true the first time, false once it has. */
  protected settle(): boolean {
    if (this.settled) return false;
    this.settled = true;
    return true;
  }

  /** Stops the call: now if undici has started it, else as soon as it does; the caller hears at once. */
  protected stop(reason: Error): void {
    if (this.controller) this.controller.abort(reason);
    else {
      this.stopReason = reason;
      this.failed(reason);
    }
  }

  /** Clears the timers and the caller's listener, once. */
  protected release(): void {
    if (this.released) return;
    this.released = true;
    clearTimeout(this.totalTimer);
    clearTimeout(this.firstByteTimer);
    this.req.cancel.offAbort(this.onCallerAbort);
  }

  /** A transport error as the GatewayError the caller sees. */
  protected mapped(err: unknown): GatewayError {
    if (this.firstByteLate && !this.req.cancel.aborted && !this.timedOut) return firstByteTimeout(err);
    return mapTransportError(err, this.req.cancel, { timedOut: () => this.timedOut, proxy: this.proxy });
  }
}

/** One call read whole. */
class WholeAnswerCall extends UpstreamCall<UpstreamText> {
  protected onBodyEnd(): void {
    if (!this.settle()) return;
    this.release();
    const bytes = joined(this.chunks);
    this.resolve({ headers: this.headers, text: bytes.toString('utf8'), bytes });
  }
}

/** Bytes of body queued for a slow reader before the upstream socket is paused (undici's own body stream holds as much). */
const STREAM_HIGH_WATER_BYTES = 64 * 1024;
const STREAM_DONE: IteratorReturnResult<undefined> = { done: true, value: undefined };
/** Why a call was aborted when its reader stopped early: made once, as nobody reads its stack. */
const READER_LEFT = new Error('the reader stopped before the end of the stream');

/**
 * One streamed call, whose body is read as it arrives: the call is its own body iterator, so a
 * chunk goes from undici's parser to the reader with no stream in between. A reader that stops
 * once it has what it needs (an OpenAI stream's `[DONE]`) costs nothing when the body has ended;
 * through a Node stream it cost an AbortError and its stack trace per stream.
 */
class StreamingCall extends UpstreamCall<UpstreamResponse> implements AsyncIterator<Uint8Array, undefined> {
  private readonly queue: Buffer[] = [];
  private queuedBytes = 0;
  private paused = false;
  private ended = false;
  /** The transport error that ended the body, or READER_LEFT once the reader stopped. */
  private error: unknown;
  private waiter: { resolve: (result: IteratorResult<Uint8Array, undefined>) => void; reject: (err: unknown) => void } | undefined;

  override onResponseStart(controller: Dispatcher.DispatchController, statusCode: number, headers: IncomingHttpHeaders): void {
    super.onResponseStart(controller, statusCode, headers);
    if (statusCode !== 200 || !this.settle()) return;
    this.resolve({
      headers,
      body: this,
      done: () => this.release(),
      cancel: () => this.cancel(),
      fail: (err) => this.mapped(err),
    });
  }

  override onResponseData(controller: Dispatcher.DispatchController, chunk: Buffer): void {
    if (this.status !== 200) {
      super.onResponseData(controller, chunk);
      return;
    }
    if (this.error !== undefined) return;
    const waiter = this.waiter;
    if (waiter) {
      this.waiter = undefined;
      waiter.resolve({ value: chunk, done: false });
      return;
    }
    this.queue.push(chunk);
    this.queuedBytes += chunk.length;
    if (!this.paused && this.queuedBytes >= STREAM_HIGH_WATER_BYTES) {
      this.paused = true;
      controller.pause();
    }
  }

  protected onBodyEnd(): void {
    this.ended = true;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.resolve(STREAM_DONE);
  }

  override onResponseError(controller: Dispatcher.DispatchController, err: Error): void {
    // Before the headers of a 200 the call's promise fails; after, the reader does.
    if (!this.settled || this.status !== 200) {
      super.onResponseError(controller, err);
      return;
    }
    this.error ??= err;
    this.queue.length = 0;
    const waiter = this.waiter;
    this.waiter = undefined;
    waiter?.reject(this.error);
  }

  next(): Promise<IteratorResult<Uint8Array, undefined>> {
    const chunk = this.queue.shift();
    if (chunk !== undefined) {
      this.queuedBytes -= chunk.length;
      if (this.paused && this.queue.length === 0) {
        this.paused = false;
        this.controller?.resume();
      }
      return Promise.resolve({ value: chunk, done: false });
    }
    if (this.error !== undefined) return Promise.reject(this.error);
    if (this.ended) return Promise.resolve(STREAM_DONE);
    return new Promise((resolve, reject) => {
      this.waiter = { resolve, reject };
    });
  }

  return(): Promise<IteratorResult<Uint8Array, undefined>> {
    this.cancel();
    return Promise.resolve(STREAM_DONE);
  }

  [Symbol.asyncIterator](): AsyncIterator<Uint8Array, undefined> {
    return this;
  }

  private cancel(): void {
    this.queue.length = 0;
    if (this.ended || this.error !== undefined) return;
    this.error = READER_LEFT;
    this.stop(READER_LEFT);
  }
}

/** The body read whole: the one chunk it came in (a view on the socket read, no copy), or a buffer of its own. */
function joined(chunks: Buffer[]): Buffer {
  return chunks.length === 1 ? (chunks[0] as Buffer) : ownConcat(chunks);
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

/** Node's codes for an upstream certificate it would not accept. */
const CERTIFICATE_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'CERT_UNTRUSTED',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/** A 200 answer longer than the provider's `max_answer_bytes`: the upstream's fault, so the chain goes on. */
function answerTooLarge(maxBytes: number): GatewayError {
  return new GatewayError(`The upstream's answer was longer than ${maxBytes} bytes (the provider's max_answer_bytes).`, {
    status: 502,
    code: 'upstream_answer_too_large',
    shape: 'unknown_upstream_error',
  });
}

function mapTransportError(err: unknown, caller: Cancel, hop: { timedOut(): boolean; proxy: EgressProxy | undefined }): GatewayError {
  if (err instanceof GatewayError) return err;
  if (caller.aborted && !hop.timedOut()) {
    return new GatewayError('The client closed the request.', { status: 499, code: 'client_closed', cause: err });
  }
  if (hop.timedOut()) {
    return new GatewayError('The upstream did not finish within the hop deadline.', { status: 504, code: 'hop_deadline', shape: 'timeout', cause: err });
  }
  const { proxy } = hop;
  const via = throughProxy(proxy);
  if (err instanceof SocksProxyError && proxy) return socksProxyFailed(proxy, err);
  if (err instanceof undiciErrors.ConnectTimeoutError) {
    return new GatewayError(`Connecting to the upstream${via} timed out.`, { status: 504, code: 'connect_timeout', shape: 'timeout', cause: err });
  }
  if (err instanceof undiciErrors.HeadersTimeoutError) return firstByteTimeout(err);
  if (err instanceof undiciErrors.BodyTimeoutError) {
    return new GatewayError('The upstream went silent mid-response for longer than the idle timeout.', { status: 504, code: 'idle_timeout', shape: 'timeout', cause: err });
  }
  if (proxy && err instanceof Error) {
    // undici's words for a proxy that refused: the CONNECT's status, or a 407 to a forwarded request.
    const refused = /^Proxy response \((\d{3})\) !== 200 when HTTP Tunneling$|^Proxy Authentication Required \((407)\)$/.exec(err.message);
    if (refused) return proxyRefused(proxy, Number(refused[1] ?? refused[2]), err);
  }
  const code = errorCode(err);
  if (code !== undefined && CERTIFICATE_CODES.has(code)) {
    return new GatewayError(`The upstream's TLS certificate was not accepted (${code})${via}: trust its CA with the provider's tls.ca_file, or NODE_EXTRA_CA_CERTS.`, {
      status: 502,
      code: 'upstream_tls_error',
      shape: 'connection_error',
      cause: err,
    });
  }
  if (code?.startsWith('ERR_SSL_')) {
    const hint = code.includes('CERTIFICATE_REQUIRED')
      ? ": the upstream asks for a client certificate (the provider's tls.cert_file and key_file)"
      : code.includes('WRONG_VERSION_NUMBER') || code.includes('PACKET_LENGTH_TOO_LONG')
        ? ': the upstream did not answer in TLS (if it serves plain HTTP, its base_url takes http://)'
        : '';
    return new GatewayError(`The TLS handshake with the upstream failed (${code})${via}${hint}.`, { status: 502, code: 'upstream_tls_error', shape: 'connection_error', cause: err });
  }
  if (code !== undefined && CONNECTION_CODES.has(code)) {
    return new GatewayError(`The connection to the upstream failed (${code})${via}.`, { status: 502, code: 'connection_error', shape: 'connection_error', cause: err });
  }
  return new GatewayError(`The upstream request failed${via}.`, { status: 502, code: 'upstream_transport_error', shape: 'connection_error', cause: err });
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
