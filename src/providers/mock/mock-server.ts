/**
 * A real HTTP server that speaks OpenAI's wire format and fails on request: the upstream for the
 * demo config, tests, drills and `switchyard mock`. Real sockets, so the gateway's transport code
 * (timeouts, resets, cut streams) is exercised exactly as against a real provider.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { JsonObject } from '../types.js';
import { checkPresentedKey, type MockDialect, type MockRoute } from './dialect.js';
import { MOCK_DIALECTS } from './dialects/index.js';
import { openaiDialect } from './dialects/openai.js';
import { controlRoutes } from './mock-control-api.js';
import { mockErrors, type MockError } from './mock-errors.js';
import type { Fault, FaultSpec } from './mock-faults.js';
import { createMockState, type MockState, type MockStats } from './mock-state.js';
import { readJsonBody } from './read-json-body.js';
import type { LatencySpec } from './sample-latency.js';
import { sendJson } from './send-json.js';

/** Default name, shown in answers. */
export const DEFAULT_MOCK_NAME = 'mock';
/** Default interface: loopback only, since the control API takes no key unless `apiKey` is set. */
export const DEFAULT_MOCK_HOST = '127.0.0.1';
export { MOCK_MODELS } from './dialects/openai.js';

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
  /** Base URL with OpenAI's API prefix, e.g. `http://127.0.0.1:41234/v1`. */
  readonly url: string;
  /** The server's origin, e.g. `http://127.0.0.1:41234`: other dialects' base URLs start here. */
  readonly origin: string;
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

interface BoundRoute {
  route: MockRoute;
  dialect: MockDialect;
}

const EXACT_ROUTES = new Map<string, BoundRoute>();
const PATTERN_ROUTES: Array<BoundRoute & { pattern: RegExp }> = [];
for (const dialect of MOCK_DIALECTS) {
  for (const route of dialect.routes) {
    if (typeof route.path === 'string') EXACT_ROUTES.set(`${route.method} ${route.path}`, { route, dialect });
    else PATTERN_ROUTES.push({ route, dialect, pattern: route.path });
  }
}
// The control API takes the mock's key as a bearer token, whatever dialect the caller speaks.
for (const [key, handle] of controlRoutes) {
  const [method, path] = key.split(' ') as [MockRoute['method'], string];
  EXACT_ROUTES.set(key, { route: { method, path, handle, readsBody: method === 'PUT' }, dialect: openaiDialect });
}

const CONTROL_PREFIX = '/_mock/';

export async function startMockServer(options: MockServerOptions = {}): Promise<MockServer> {
  const state = createMockState({
    name: options.name ?? DEFAULT_MOCK_NAME,
    latency: options.latencyMs,
    chunkDelayMs: options.chunkDelayMs ?? 0,
    faults: options.faults ?? [],
  });

  const server = createServer((req, res) => {
    handle(req, res, state, options.apiKey).catch(() => {
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

  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  return {
    url: `${origin}/v1`,
    origin,
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

async function handle(req: IncomingMessage, res: ServerResponse, state: MockState, apiKey: string | undefined): Promise<void> {
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

  const found = findRoute(method, path);
  if (found === undefined) {
    record('notFound');
    return sendError(res, mockErrors.notFound(method, path));
  }
  const { route, dialect, params } = found;
  const presentedKey = dialect.presentedKey(req);
  if (apiKey !== undefined) {
    const check = await checkPresentedKey(dialect, req, apiKey);
    if (check.type !== 'ok') {
      record('unauthorized');
      return sendError(res, check.type === 'missing' ? dialect.errors.missingKey() : dialect.errors.invalidKey(check.presented));
    }
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
  await route.handle({ req, res, signal: controller.signal, body, presentedKey, params }, state);
}

function findRoute(method: string, path: string): (BoundRoute & { params: readonly string[] }) | undefined {
  const exact = EXACT_ROUTES.get(`${method} ${path}`);
  if (exact) return { ...exact, params: [] };
  for (const candidate of PATTERN_ROUTES) {
    if (candidate.route.method !== method) continue;
    const match = candidate.pattern.exec(path);
    if (match) return { ...candidate, params: match.slice(1).map((group) => safeDecode(group ?? '')) };
  }
  return undefined;
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function sendError(res: ServerResponse, error: MockError, headers?: Record<string, string>): void {
  sendJson(res, error.status, error.body, { ...error.headers, ...headers });
}

function ignore(): void {}
