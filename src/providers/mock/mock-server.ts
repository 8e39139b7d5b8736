/**
 * A real HTTP server that speaks OpenAI's wire format and fails on request: the upstream for the
 * demo config, tests, drills and `switchyard mock`. Real sockets, so the gateway's transport code
 * (timeouts, resets, cut streams) is exercised exactly as against a real provider.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../types.js';
import { handleChat } from './handle-chat.js';
import { handleEmbeddings } from './handle-embeddings.js';
import { controlRoutes } from './mock-control-api.js';
import { mockErrors, type MockError } from './mock-errors.js';
import type { MockExchange } from './mock-exchange.js';
import type { Fault, FaultSpec } from './mock-faults.js';
import { createMockState, type MockState, type MockStats } from './mock-state.js';
import { readJsonBody } from './read-json-body.js';
import type { LatencySpec } from './sample-latency.js';
import { sendJson } from './send-json.js';

/** Default name, shown in answers. */
export const DEFAULT_MOCK_NAME = 'mock';
/** Default interface: loopback only, since the control API takes no key unless `apiKey` is set. */
export const DEFAULT_MOCK_HOST = '127.0.0.1';
/** Model ids `GET /v1/models` lists. Any model name is accepted; these are for discovery. */
export const MOCK_MODELS = ['mock-chat', 'mock-chat-mini', 'mock-embed'];

export interface MockServerOptions {
  /** Named in every answer's text, so a test can tell which deployment answered. Default `mock`. */
  name?: string;
  /** Default 127.0.0.1. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** When set, every request (control API included) needs `Authorization: Bearer <apiKey>`. */
  apiKey?: string;
  /** Base latency before every chat and embeddings answer (ms, or log-normal percentiles). Default 0. */
  latencyMs?: LatencySpec;
  /** Pause between two stream chunks. Default 0. */
  chunkDelayMs?: number;
  /** Initial fault list; validated like `setFaults`. */
  faults?: FaultSpec[];
}

/** Control of a mock's faults, as the gateway exposes it on a `mock` provider. */
export interface FaultControl {
  get(): unknown;
  /** Replaces the fault list (the list, or `{ faults: [...] }`); throws a 400 `invalid_faults` GatewayError. */
  set(input: unknown): void;
  clear(): void;
  stats(): unknown;
}

export interface MockServer {
  /** Base URL with the API prefix, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  readonly port: number;
  /** Validates and replaces the fault list; schedules and counts restart now. Throws a 400 `invalid_faults` GatewayError. */
  setFaults(input: unknown): void;
  getFaults(): Fault[];
  clearFaults(): void;
  stats(): MockStats;
  resetStats(): void;
  /** Stops the server now: open sockets (hung ones too) are destroyed, pending timers cleared. */
  close(): Promise<void>;
}

interface Route {
  handle(exchange: MockExchange, state: MockState): Promise<void> | void;
  readsBody: boolean;
}

const ROUTES = new Map<string, Route>([
  ['POST /v1/chat/completions', { handle: handleChat, readsBody: true }],
  ['POST /v1/embeddings', { handle: handleEmbeddings, readsBody: true }],
  ['GET /v1/models', { handle: listModels, readsBody: false }],
  ...controlRoutes.map(([key, handle]): [string, Route] => [key, { handle, readsBody: key.startsWith('PUT ') }]),
]);

const CONTROL_PREFIX = '/_mock/';
const BEARER = /^Bearer\s+(.+)$/i;

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const state = createMockState({
    name: options.name ?? DEFAULT_MOCK_NAME,
    latency: options.latencyMs,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    faults: options.faults ?? [],
  });
  const expectedAuth = options.apiKey === undefined ? undefined : `Bearer ${options.apiKey}`;

  const server = createServer((req, res) => {
    handle(req, res, state, expectedAuth).catch(() => {
      // A bug in a handler answers 500 (or drops the connection mid-answer); it never takes the server down.
      if (!res.headersSent) sendError(res, mockErrors.internal());
      else res.destroy();
    });
  });
  const host = options.host ?? DEFAULT_MOCK_HOST;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  let closing: Promise<void> | undefined;

  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}/v1`,
    port,
    setFaults: (input) => void state.setFaults(input),
    getFaults: () => state.getFaults(),
    clearFaults: () => void state.setFaults([]),
    stats: () => state.stats(),
    resetStats: () => state.resetStats(),
    close() {
      closing ??= new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Destroying the sockets closes every response, whose abort signal clears its timers.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}

async function handle(req: IncomingMessage, res: ServerResponse, state: MockState, expectedAuth: string | undefined): Promise<void> {
  const controller = new AbortController();
  res.once('close', () => controller.abort());
  // Writes can race a socket the client just closed; such errors are expected, not crashes.
  res.on('error', ignore);
  req.on('error', ignore);

  const method = req.method ?? 'GET';
  const path = (req.url ?? '/').split('?', 1)[0] ?? '/';
  const counted = !path.startsWith(CONTROL_PREFIX);
  if (counted) state.countRequest();
  const record: MockState['record'] = (outcome) => {
    if (counted) state.record(outcome);
  };

  const route = ROUTES.get(`${method} ${path}`);
  if (route === undefined) {
    record('notFound');
    return sendError(res, mockErrors.notFound(method, path));
  }
  const presentedKey = bearerToken(req.headers.authorization);
  if (expectedAuth !== undefined && req.headers.authorization !== expectedAuth) {
    record('unauthorized');
    return sendError(res, presentedKey === undefined ? mockErrors.missingKey() : mockErrors.invalidKey(presentedKey));
  }
  let body: JsonObject = {};
  if (route.readsBody) {
    const read = await readJsonBody(req);
    if (read.type === 'gone') return;
    if (read.type === 'error') {
      record('invalid');
      // An unread (oversized) body must not be drained for the next request: close the connection.
      return sendError(res, read.error, read.error.status === 413 ? { connection: 'close' } : undefined);
    }
    body = read.value;
  }
  await route.handle({ req, res, signal: controller.signal, body, presentedKey }, state);
}

function listModels({ res }: MockExchange, state: MockState): void {
  state.record('ok');
  const created = Math.floor(Date.now() / 1000);
  sendJson(res, 200, { object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'switchyard-mock' })) });
}

function sendError(res: ServerResponse, error: MockError, headers?: Record<string, string>): void {
  sendJson(res, error.status, error.body, { ...error.headers, ...headers });
}

function bearerToken(header: string | undefined): string | undefined {
  if (header === undefined) return undefined;
  const match = BEARER.exec(header);
  return match?.[1]?.trim();
}

function ignore(): void {}
