/**
 * HTTP in: node:http with a route table, nothing more. Each request gets an id, a cancellation that
 * fires when the client leaves, and an OpenAI-shaped error for anything that goes wrong. With
 * `server.tls.http2`, node:http2's server in its compatibility mode: the same handlers serve
 * HTTP/2 streams and, for clients that do not offer `h2`, HTTP/1.1 on the same port.
 */
import { newRequestId } from '../gateway/new-request-id.js';
import { createServer, maxHeaderSize, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { createServer as createHttpsServer, Server as HttpsServer } from 'node:https';
import { createSecureServer as createHttp2Server, type Http2SecureServer } from 'node:http2';
import type { Duplex } from 'node:stream';
import type { TlsOptions } from 'node:tls';
import type { AddressInfo } from 'node:net';
import { CancelSource } from '../cancel.js';
import { GatewayError } from '../errors.js';
import type { Gateway } from '../gateway/create-gateway.js';
import { answerError } from './answer-error.js';
import { handleCors } from './cors.js';
import { methodNotAllowed } from './request-line.js';
import { ConnectionDrain, type DrainResult } from './drain-connections.js';
import { configProblems } from '../config/load-config.js';
import { readTlsFiles, type TlsFiles } from './tls-files.js';
import { listenOnSocket } from './unix-socket.js';
import type { Handler, HttpContext } from './context.js';
import { admin } from './routes/admin.js';
import { chatCompletions, completions } from './routes/chat-completions.js';
import { embeddings } from './routes/embeddings.js';
import { countTokens, messages } from './routes/messages.js';
import { responses, storedResponse } from './routes/responses.js';
import { live, ready } from './routes/health.js';
import { model, models, speaksAnthropic } from './routes/models.js';
import { metrics } from './routes/metrics.js';
import { admitted, releaseAdmitted } from './admission.js';

type Methods = Partial<Record<string, Handler>>;

/** The model endpoints, behind `server.max_in_flight` (admission.ts). */
const CHAT = admitted(chatCompletions);
const COMPLETIONS = admitted(completions);
const EMBEDDINGS = admitted(embeddings);
const RESPONSES = admitted(responses);
const MESSAGES = admitted(messages);

/** Exact paths. A trailing slash or a query string does not change the route. */
const ROUTES = new Map<string, Methods>([
  ['/v1/chat/completions', { POST: CHAT }],
  ['/chat/completions', { POST: CHAT }],
  ['/v1/completions', { POST: COMPLETIONS }],
  ['/completions', { POST: COMPLETIONS }],
  ['/v1/embeddings', { POST: EMBEDDINGS }],
  ['/embeddings', { POST: EMBEDDINGS }],
  ['/v1/responses', { POST: RESPONSES }],
  ['/responses', { POST: RESPONSES }],
  ['/v1/messages', { POST: MESSAGES }],
  ['/v1/messages/count_tokens', { POST: countTokens }],
  ['/v1/models', { GET: models }],
  ['/models', { GET: models }],
  ['/health/live', { GET: live }],
  ['/health/ready', { GET: ready }],
  ['/metrics', { GET: metrics }],
]);

/** Paths answered in Anthropic's shapes. */
const ANTHROPIC_PREFIX = '/v1/messages';
/** Paths answered in Anthropic's shapes when the client is Anthropic's. */
const MODELS_PREFIX = '/v1/models';

/** Prefix routes: the handler checks method and subpath itself. */
const PREFIXES: [string, Handler][] = [
  ['/admin', admin],
  ['/v1/responses', storedResponse],
  ['/v1/models', model],
  ['/models', model],
];

/** How long an idle client connection is kept open (longer than common load balancers' 60 s). */
export const KEEP_ALIVE_TIMEOUT_MS = 65_000;

const REQUEST_ID = /^[A-Za-z0-9._:-]{1,128}$/;

/** A response's cancellation, for the one 'close' listener all responses share (no closure per request). */
const CANCEL = Symbol('cancel');
type ResponseWithCancel = ServerResponse & { [CANCEL]?: CancelSource };

/** 'close' before the response finished: the client went away, and the request's work is cancelled. An admitted request leaves the count either way. */
function onResponseClose(this: ServerResponse): void {
  releaseAdmitted(this);
  if (!this.writableFinished) (this as ResponseWithCancel)[CANCEL]?.abort(new Error('the client closed the connection'));
}

export interface ListeningServer {
  server: Server | HttpsServer | Http2SecureServer;
  url: string;
  port: number;
  /** Whether it serves HTTPS (`server.tls`). */
  secure: boolean;
  /** Whether it requires client certificates (`server.tls.client_ca_file`). */
  clientCerts: boolean;
  /** Whether it offers HTTP/2 (`server.tls.http2`). */
  http2: boolean;
  /** The Unix socket it also serves on (`server.socket`), if any. */
  socketPath?: string;
  /**
   * Reads the certificate and key (and client CAs) again and serves them to new connections (a
   * rotated certificate); rejects, and keeps the old ones, when they cannot be used or when client
   * certificates would be turned on or off (that takes a restart). Only for a server started with TLS.
   */
  reloadTls(files: TlsFiles): Promise<void>;
  /**
   * Stops accepting, closes each connection once it holds no request, and cuts the rest after
   * `server.shutdown_timeout_ms` (drain-connections.ts); says how many were cut.
   */
  close(): Promise<DrainResult>;
}

export function createRequestListener(gateway: Gateway) {
  return (req: IncomingMessage, res: ServerResponse): void => {
    void dispatch(gateway, req, res);
  };
}

async function dispatch(gateway: Gateway, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const incomingId = req.headers['x-request-id'];
  const requestId = typeof incomingId === 'string' && REQUEST_ID.test(incomingId) ? incomingId : newRequestId();
  const cancel = new CancelSource();
  (res as ResponseWithCancel)[CANCEL] = cancel;
  res.on('close', onResponseClose);
  const ctx: HttpContext = { req, res, gateway, requestId, cancel, subpath: '' };
  try {
    const cors = gateway.config.server.cors;
    if (cors.allow_origins.length > 0 && handleCors(cors, req, res)) return;
    const handler = resolve(req, ctx);
    await handler(ctx);
  } catch (err) {
    if (cancel.aborted) return;
    // Anthropic's clients get Anthropic's error shape on its paths, a wrong method included, and on
    // the models paths they share with OpenAI's (told apart by anthropic-version).
    const anthropic = req.url?.startsWith(ANTHROPIC_PREFIX) || (req.url?.startsWith(MODELS_PREFIX) && speaksAnthropic(req));
    answerError(ctx, err, anthropic ? 'anthropic' : 'openai');
  } finally {
    // A body left unread (an early error) is drained so the connection can be reused.
    if (!req.complete && !req.destroyed) req.resume();
  }
}

function resolve(req: IncomingMessage, ctx: HttpContext): Handler {
  const url = req.url ?? '/';
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  const methods = ROUTES.get(path);
  if (methods) {
    const method = req.method ?? 'GET';
    // HEAD is GET without the body (node:http leaves the body out and keeps the headers).
    const handler = methods[method] ?? (method === 'HEAD' ? methods.GET : undefined);
    if (handler) return handler;
    throw methodNotAllowed(req.method, Object.keys(methods), path);
  }
  for (const [prefix, handler] of PREFIXES) {
    if (path === prefix || path.startsWith(`${prefix}/`)) {
      ctx.subpath = path.slice(prefix.length);
      return handler;
    }
  }
  throw new GatewayError(`Unknown path ${path}. This gateway serves /v1/chat/completions, /v1/completions, /v1/responses, /v1/embeddings and /v1/models.`, { status: 404, code: 'unknown_url', shape: 'client_error' });
}

/** What node:http's parser or timers refused, by error code: status, reason phrase, message and error code. */
const CLIENT_ERRORS: Record<string, [number, string, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'Request Header Fields Too Large', `The request's headers are larger than this gateway reads (${maxHeaderSize} bytes in all).`, 'headers_too_large'],
  HPE_CHUNK_EXTENSIONS_OVERFLOW: [413, 'Payload Too Large', "The request body's chunk extensions are larger than this gateway reads.", 'request_too_large'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'Request Timeout', 'The request was not received in time: its headers and body must arrive within the server timeouts.', 'request_timeout'],
};
const MALFORMED: [number, string, string, string] = [400, 'Bad Request', 'Malformed HTTP request.', 'bad_request'];

/** The raw response to a request node:http refused (`clientError`): an OpenAI-shaped error, and the connection closed. */
export function clientErrorReply(code: string | undefined): string {
  const [status, reason, message, errorCode] = (code === undefined ? undefined : CLIENT_ERRORS[code]) ?? MALFORMED;
  const body = JSON.stringify({ error: { message, type: 'invalid_request_error', param: null, code: errorCode } });
  return `HTTP/1.1 ${status} ${reason}\r\ncontent-type: application/json\r\ncontent-length: ${Buffer.byteLength(body)}\r\nconnection: close\r\n\r\n${body}`;
}

export interface ListenOptions {
  host: string;
  port: number;
  /** Serve HTTPS with these files (`server.tls`); plain HTTP without. */
  tls?: TlsFiles | undefined;
  /** With `tls`: offer HTTP/2 too (ALPN `h2`, HTTP/1.1 for clients that do not offer it). */
  http2?: boolean | undefined;
  /** Also serve plain HTTP on this Unix domain socket (`server.socket`), with these permission bits. */
  socket?: { path: string; mode: number } | undefined;
}

/** How long a TLS handshake may take before its connection is dropped (node's default is 120 s). */
const TLS_HANDSHAKE_TIMEOUT_MS = 10_000;

/**
 * node:http2's TLS server, offering `h2` and `http/1.1`. Its compatibility API gives the handlers
 * request and response objects with the members they use (headers, url, method, the body as a
 * stream, writeHead, write with 'drain', end, 'close'); where HTTP/2's differ, the handlers allow
 * for it (responseGone). HTTP/1.1 connections on it are node:http's own, with the same keep-alive.
 */
function http2Server(options: TlsOptions): Http2SecureServer {
  const server = createHttp2Server({ ...options, allowHTTP1: true });
  // Read by node:http's handling of the HTTP/1.1 connections; the HTTP/2 server has no option for it.
  (server as Http2SecureServer & { keepAliveTimeout: number }).keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
  return server;
}

/**
 * The gateway's requests on `server`, tracked for a graceful close; and HTTP that node refused
 * before a request existed answered if the socket still takes it, never a crash.
 */
function serveGateway(gateway: Gateway, server: Server | HttpsServer | Http2SecureServer, options: ConstructorParameters<typeof ConnectionDrain>[1]): ConnectionDrain {
  const drain = new ConnectionDrain(server, options);
  server.on('request', (req: IncomingMessage, res: ServerResponse): void => {
    drain.requested(req, res);
    void dispatch(gateway, req, res);
  });
  server.on('clientError', (err: NodeJS.ErrnoException, socket: Duplex) => {
    if (socket.writable && err.code !== 'ECONNRESET') socket.end(clientErrorReply(err.code));
    else socket.destroy();
  });
  return drain;
}

/** Serves the gateway over HTTP, or HTTPS with `options.tls` (and HTTP/2 with `options.http2`), and on a Unix socket with `options.socket`, until `close()`. */
export async function startServer(gateway: Gateway, options: ListenOptions): Promise<ListeningServer> {
  const pair = options.tls ? await readTlsFiles(options.tls) : undefined;
  const clientCerts = pair?.ca !== undefined;
  const http2 = pair !== undefined && options.http2 === true;
  const tls = pair && { handshakeTimeout: TLS_HANDSHAKE_TIMEOUT_MS, ...pair, requestCert: clientCerts, rejectUnauthorized: clientCerts };
  const server =
    tls === undefined
      ? createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS })
      : http2
        ? http2Server(tls)
        : createHttpsServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS, ...tls });
  const drain = serveGateway(gateway, server, { secure: pair !== undefined, http2: http2 ? { idleTimeoutMs: KEEP_ALIVE_TIMEOUT_MS } : undefined });
  // The socket's own server: plain HTTP/1.1, the same handlers, its own drain.
  const onSocket = options.socket && { ...options.socket, server: createServer({ keepAliveTimeout: KEEP_ALIVE_TIMEOUT_MS }) };
  const socketDrain = onSocket && serveGateway(gateway, onSocket.server, {});
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  if (onSocket) {
    try {
      await listenOnSocket(onSocket.server, onSocket.path, onSocket.mode);
    } catch (err) {
      await new Promise((resolve) => server.close(resolve));
      throw err;
    }
  }
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  return {
    server,
    port: address.port,
    url: `${pair ? 'https' : 'http'}://${host}:${address.port}`,
    secure: pair !== undefined,
    clientCerts,
    http2,
    ...(onSocket ? { socketPath: onSocket.path } : {}),
    async close() {
      const timeoutMs = gateway.config.server.shutdown_timeout_ms;
      const [tcp, socket] = await Promise.all([drain.close(timeoutMs), socketDrain?.close(timeoutMs)]);
      return { cut: tcp.cut + (socket?.cut ?? 0) };
    },
    async reloadTls(files) {
      if (pair === undefined) throw new Error('this server serves plain HTTP: serving HTTPS takes a restart');
      if ((files.clientCaFile !== undefined) !== clientCerts) {
        throw configProblems([{ path: ['server', 'tls', 'client_ca_file'], message: `turning client certificates ${clientCerts ? 'off' : 'on'} takes a restart` }]);
      }
      // Read and checked first: a bad file leaves the certificate in force as it was.
      (server as HttpsServer | Http2SecureServer).setSecureContext(await readTlsFiles(files));
    },
  };
}
