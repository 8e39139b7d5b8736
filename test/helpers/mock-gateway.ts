/**
 * A gateway over built-in `mock` providers, for end-to-end tests of the fallback engine: each mock
 * provider gets a deployment of the same name, faults are set per test, and the mocks' request
 * counts and the admin attempt log say what the gateway did.
 */
import type { ConfigInput } from '../../src/config/schema.js';
import type { AttemptRecord } from '../../src/fallback/run-chain.js';
import type { RecentRequestView } from '../../src/gateway/recent-requests.js';
import type { FaultSpec, MockStats } from '../../src/providers/mock/index.js';
import { startGateway, type GatewayFixture } from './gateway-fixture.js';

export const ADMIN_TOKEN = 'test-admin-token-fallback';

export interface MockGatewayOptions {
  /** Mock providers, each with a deployment of the same name (model `mock-<name>`). */
  mocks: string[];
  /** Deployments served by other providers (openai-compatible at a recording upstream's URL). */
  upstreams?: Record<string, string>;
  /** The `chat` route; `chain` defaults to every mock in order. */
  route?: Record<string, unknown>;
  /** Per-deployment additions (context_window, timeouts). */
  deployments?: Record<string, Record<string, unknown>>;
  /** Per-mock-provider additions (latency_ms, chunk_delay_ms, faults). */
  providers?: Record<string, Record<string, unknown>>;
  manual?: Record<string, unknown>;
  cache?: Record<string, unknown>;
  idempotency?: Record<string, unknown>;
  /** Defaults to `{ enabled: false }`: these tests count calls to failing mocks, which a breaker would skip. */
  health?: Record<string, unknown>;
}

export function mockGatewayConfig(options: MockGatewayOptions): ConfigInput {
  const providers: Record<string, unknown> = {};
  const deployments: Record<string, unknown> = {};
  for (const name of options.mocks) {
    providers[name] = { type: 'mock', ...options.providers?.[name] };
    deployments[name] = { provider: name, model: `mock-${name}`, ...options.deployments?.[name] };
  }
  for (const [name, url] of Object.entries(options.upstreams ?? {})) {
    providers[name] = { type: 'openai-compatible', base_url: url, api_key: `sk-upstream-${name}-0123456789` };
    deployments[name] = { provider: name, model: `model-${name}`, ...options.deployments?.[name] };
  }
  return {
    server: { admin_token: ADMIN_TOKEN },
    log: { level: 'silent' },
    ...(options.idempotency ? { idempotency: options.idempotency } : {}),
    health: options.health ?? { enabled: false },
    // Tests of other features must not write the request log into the repo's .switchyard/.
    telemetry: { request_log: { store: 'off' } },
    ...(options.cache ? { cache: options.cache } : {}),
    ...(options.manual ? { manual: options.manual } : {}),
    providers,
    deployments,
    routes: {
      chat: {
        chain: [...options.mocks, ...Object.keys(options.upstreams ?? {})],
        timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 },
        ...options.route,
      },
    },
  } as ConfigInput;
}

/** Starts a gateway over mock providers; closed when the test ends. */
export async function startMockGateway(t: { after(fn: () => Promise<void>): void }, options: MockGatewayOptions): Promise<GatewayFixture> {
  const gw = await startGateway(mockGatewayConfig(options));
  t.after(() => gw.close());
  return gw;
}

export function setFaults(gw: GatewayFixture, provider: string, faults: FaultSpec[]): void {
  const control = gw.gateway.faults(provider);
  if (!control) throw new Error(`${provider} is not a mock provider`);
  control.set(faults);
}

/** Requests the mock received (chat and embeddings, faulted or not). */
export function callsTo(gw: GatewayFixture, provider: string): number {
  const control = gw.gateway.faults(provider);
  if (!control) throw new Error(`${provider} is not a mock provider`);
  return (control.stats() as MockStats).requests;
}

export function userBody(content: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { model: 'chat', messages: [{ role: 'user', content }], ...extra };
}

export interface RawResponse {
  status: number;
  headers: Headers;
  text: string;
  /** The parsed body (a completion or an OpenAI error). */
  json: Record<string, unknown> & { error?: { message: string; type: string; code: string | null; param: string | null } };
  elapsedMs: number;
}

/** POSTs a chat request with fetch, for raw status and headers. */
export async function postChat(gw: GatewayFixture, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<RawResponse> {
  const started = performance.now();
  const res = await fetch(`${gw.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: JSON.stringify(body),
    signal,
  });
  const text = await res.text();
  let json: RawResponse['json'] = {};
  try {
    json = JSON.parse(text) as RawResponse['json'];
  } catch {
    // an SSE body: the caller reads `text`
  }
  return { status: res.status, headers: res.headers, text, json, elapsedMs: performance.now() - started };
}

/** The content of a non-streaming completion body. */
export function contentOf(json: Record<string, unknown>): string {
  const choices = json.choices as { message: { content: string | null } }[] | undefined;
  return choices?.[0]?.message.content ?? '';
}

/** The attempt log of a request, through the admin endpoint. */
export async function attemptLog(gw: GatewayFixture, requestId: string | null): Promise<RecentRequestView> {
  if (!requestId) throw new Error('the response carried no x-request-id');
  const res = await fetch(`${gw.url}/admin/requests/${encodeURIComponent(requestId)}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  if (res.status !== 200) throw new Error(`GET /admin/requests/${requestId} answered ${res.status}: ${await res.text()}`);
  return (await res.json()) as RecentRequestView;
}

/** The attempt log reduced to what a fallback test compares: deployment, outcome, shape per hop. */
export function walkOf(attempts: readonly AttemptRecord[]): string[] {
  return attempts.map((a) => `${a.deployment}:${a.outcome}${a.shape ? `:${a.shape}` : ''}`);
}

/** Streams a chat through the openai client and collects its text, last finish reason and headers. */
export async function streamChat(gw: GatewayFixture, content: string): Promise<{ text: string; finish: string | null | undefined; headers: Headers }> {
  const { data: stream, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content }], stream: true }).withResponse();
  let text = '';
  let finish: string | null | undefined;
  for await (const chunk of stream) {
    text += chunk.choices[0]?.delta.content ?? '';
    finish = chunk.choices[0]?.finish_reason ?? finish;
  }
  return { text, finish, headers: response.headers };
}
