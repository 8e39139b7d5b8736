import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  METRIC_GEN_AI_CLIENT_OPERATION_DURATION,
  METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK,
  METRIC_GEN_AI_CLIENT_TOKEN_USAGE,
} from '@opentelemetry/semantic-conventions/incubating';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { mockGatewayConfig, postChat, setFaults, userBody, type MockGatewayOptions } from '../../helpers/mock-gateway.js';
import { processMetrics } from '../../../src/telemetry/metrics/process-metrics.js';
import { parsePrometheus, samplesOf, valueOf, type Family } from './parse-prometheus.js';

const METRICS_TOKEN = 'metrics-token-0123456789';
/** The semantic conventions' boundaries for the GenAI duration and token histograms. */
const DURATION_BOUNDARIES = [0.01, 0.02, 0.04, 0.08, 0.16, 0.32, 0.64, 1.28, 2.56, 5.12, 10.24, 20.48, 40.96, 81.92];
const TOKEN_BOUNDARIES = [1, 4, 16, 64, 256, 1024, 4096, 16384, 65536, 262144, 1048576, 4194304, 16777216, 67108864];
/** Prices for the mock models (the package cannot know them), in USD per million tokens. */
const PRICES = { 'mock-primary': { input_per_mtok: 1, output_per_mtok: 2 }, 'mock-secondary': { input_per_mtok: 3, output_per_mtok: 5 } };

async function start(t: { after(fn: () => Promise<void>): void }, options: Partial<MockGatewayOptions> = {}, telemetry: Record<string, unknown> = {}): Promise<GatewayFixture> {
  const config: ConfigInput = { ...mockGatewayConfig({ mocks: ['primary', 'secondary'], ...options }), telemetry: { pricing: { models: PRICES }, ...telemetry } };
  const gw = await startGateway(config);
  t.after(() => gw.close());
  return gw;
}

async function scrape(gw: GatewayFixture, headers: Record<string, string> = {}): Promise<Map<string, Family>> {
  const res = await fetch(`${gw.url}/metrics`, { headers });
  assert.equal(res.status, 200, await res.clone().text());
  assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

/** Prometheus' name for an OpenTelemetry metric: dots to underscores, plus the unit suffix for seconds. */
function promName(otelName: string, unit: 's' | '{token}'): string {
  return otelName.replaceAll('.', '_') + (unit === 's' ? '_seconds' : '');
}

function bucketBoundaries(families: Map<string, Family>, name: string, match: Record<string, string>): number[] {
  return samplesOf(families, name, match, `${name}_bucket`).map((sample) => Number(sample.labels.le === '+Inf' ? Infinity : sample.labels.le));
}

describe('GET /metrics after a fallback', () => {
  it('counts the request, both hops, the retry, the fallback reason and the cost per hop, with the spec histograms', async (t) => {
    const gw = await start(t, { route: { policy: { upstream_5xx: { retry: 1, then: 'next' } }, retry: { schedule_ms: [0], jitter: 0 } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const reply = await postChat(gw, userBody('hello metrics'));
    assert.equal(reply.status, 200);
    const usage = reply.json.usage as { prompt_tokens: number; completion_tokens: number };
    assert.ok(usage.prompt_tokens > 0 && usage.completion_tokens > 0);

    const m = await scrape(gw);
    assert.equal(valueOf(m, 'switchyard_requests_total', { route: 'chat', status_class: '2xx', stream: 'false', operation: 'chat' }), 1);
    assert.equal(valueOf(m, 'switchyard_hops_total', { route: 'chat', deployment: 'primary', outcome: 'failed' }), 2);
    assert.equal(valueOf(m, 'switchyard_hops_total', { route: 'chat', deployment: 'secondary', outcome: 'served' }), 1);
    assert.equal(valueOf(m, 'switchyard_retries_total', { route: 'chat', deployment: 'primary' }), 1);
    assert.equal(valueOf(m, 'switchyard_fallbacks_total', { route: 'chat', reason: 'upstream_5xx' }), 1);

    // Cost: the failed hop had no usage (0), the serving hop its tokens at the override's prices.
    const expectedUsd = (usage.prompt_tokens * 3 + usage.completion_tokens * 5) / 1_000_000;
    const served = valueOf(m, 'switchyard_cost_usd_total', { provider: 'secondary', route: 'chat', deployment: 'secondary', hop: '2' });
    assert.ok(Math.abs(served - expectedUsd) < 1e-12, `${served} != ${expectedUsd}`);
    assert.equal(valueOf(m, 'switchyard_cost_usd_total', { provider: 'primary', deployment: 'primary', hop: '1' }), 0);

    // gen_ai.client.operation.duration: one observation per call, the failed ones with error.type.
    const duration = promName(METRIC_GEN_AI_CLIENT_OPERATION_DURATION, 's');
    assert.equal(m.get(duration)?.type, 'histogram');
    const failedCalls = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'primary', gen_ai_request_model: 'mock-primary', error_type: 'upstream_5xx' };
    assert.deepEqual(bucketBoundaries(m, duration, failedCalls), [...DURATION_BOUNDARIES, Infinity]);
    assert.equal(valueOf(m, duration, failedCalls, `${duration}_count`), 2);
    const servedCall = samplesOf(m, duration, { gen_ai_provider_name: 'secondary', gen_ai_request_model: 'mock-secondary' }, `${duration}_count`);
    assert.equal(servedCall.length, 1);
    assert.equal(servedCall[0]?.value, 1);
    assert.equal(servedCall[0]?.labels.error_type, undefined, 'a served call has no error.type');
    assert.ok(servedCall[0]?.labels.gen_ai_response_model, 'the served call carries the response model');

    // gen_ai.client.token.usage: input and output of the serving call, in the spec's buckets.
    const tokens = promName(METRIC_GEN_AI_CLIENT_TOKEN_USAGE, '{token}');
    const input = { gen_ai_provider_name: 'secondary', gen_ai_token_type: 'input' };
    assert.deepEqual(bucketBoundaries(m, tokens, input), [...TOKEN_BOUNDARIES, Infinity]);
    assert.equal(valueOf(m, tokens, input, `${tokens}_sum`), usage.prompt_tokens);
    assert.equal(valueOf(m, tokens, { gen_ai_provider_name: 'secondary', gen_ai_token_type: 'output' }, `${tokens}_sum`), usage.completion_tokens);
    assert.equal(samplesOf(m, tokens, { gen_ai_provider_name: 'primary' }, `${tokens}_count`).length, 0, 'a failed call used no tokens');
  });

  it('records time to first chunk for a stream, in the spec buckets, for the serving call', async (t) => {
    const gw = await start(t);
    const reply = await postChat(gw, userBody('stream me', { stream: true }));
    assert.equal(reply.status, 200);
    // The stream sent no usage and its model is priced: the gateway counts it before the request is recorded.
    let m = await scrape(gw);
    for (let i = 0; i < 100 && samplesOf(m, 'switchyard_requests_total', { route: 'chat', stream: 'true' }).length === 0; i++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      m = await scrape(gw);
    }
    const ttfc = promName(METRIC_GEN_AI_CLIENT_OPERATION_TIME_TO_FIRST_CHUNK, 's');
    assert.equal(m.get(ttfc)?.type, 'histogram');
    const labels = { gen_ai_operation_name: 'chat', gen_ai_provider_name: 'primary', gen_ai_request_model: 'mock-primary' };
    assert.deepEqual(bucketBoundaries(m, ttfc, labels), [...DURATION_BOUNDARIES, Infinity]);
    assert.equal(valueOf(m, ttfc, labels, `${ttfc}_count`), 1);
    assert.equal(valueOf(m, 'switchyard_requests_total', { route: 'chat', stream: 'true' }), 1);
  });

  it('counts an idempotent replay as a request and a replay, not as new hops or cost', async (t) => {
    const gw = await start(t);
    const first = await postChat(gw, userBody('once'), { 'idempotency-key': 'key-metrics-1' });
    const again = await postChat(gw, userBody('once'), { 'idempotency-key': 'key-metrics-1' });
    assert.equal(first.status, 200);
    assert.equal(again.status, 200);
    const m = await scrape(gw);
    assert.equal(valueOf(m, 'switchyard_requests_total', { route: 'chat', stream: 'false' }), 2);
    assert.equal(valueOf(m, 'switchyard_idempotent_replays_total', { route: 'chat' }), 1);
    assert.equal(valueOf(m, 'switchyard_hops_total', { deployment: 'primary', outcome: 'served' }), 1);
    const usage = first.json.usage as { prompt_tokens: number; completion_tokens: number };
    const once = (usage.prompt_tokens * 1 + usage.completion_tokens * 2) / 1_000_000;
    assert.ok(Math.abs(valueOf(m, 'switchyard_cost_usd_total', { deployment: 'primary' }) - once) < 1e-12);
  });

  it('keeps label values to the config: an unknown model from a client adds no series', async (t) => {
    const gw = await start(t);
    await postChat(gw, userBody('ok'));
    // The gateway's own series only: the process's GC histogram gains a series when a GC of a new kind runs.
    const gatewaySeries = (text: string) => text.split('\n').filter((line) => line.startsWith('switchyard_')).length;
    const before = gatewaySeries(await fetch(`${gw.url}/metrics`).then((res) => res.text()));
    const refused = await postChat(gw, { ...userBody('x'), model: 'client-made-up-model-1234' });
    assert.equal(refused.status, 404);
    const text = await fetch(`${gw.url}/metrics`).then((res) => res.text());
    assert.equal(text.includes('client-made-up-model-1234'), false);
    assert.equal(gatewaySeries(text), before);
  });
});

describe('health on /metrics', () => {
  it('the deployment state gauge moves to failed when its breaker opens, and the transition is counted', async (t) => {
    const gw = await start(t, { health: { enabled: true, consecutive_failures: 2, cooldown_ms: 60_000 }, route: { policy: { upstream_5xx: 'next' } } });
    await postChat(gw, userBody('warm up'));
    let m = await scrape(gw);
    assert.equal(valueOf(m, 'switchyard_deployment_health_state', { deployment: 'primary', state: 'healthy' }), 1);
    assert.equal(valueOf(m, 'switchyard_deployment_health_state', { deployment: 'primary', state: 'failed' }), 0);

    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    for (let i = 0; i < 3; i++) assert.equal((await postChat(gw, userBody(`fail ${i}`))).status, 200);
    m = await scrape(gw);
    assert.equal(valueOf(m, 'switchyard_deployment_health_state', { deployment: 'primary', state: 'failed' }), 1);
    assert.equal(valueOf(m, 'switchyard_deployment_health_state', { deployment: 'primary', state: 'healthy' }), 0);
    assert.equal(valueOf(m, 'switchyard_deployment_health_state', { deployment: 'secondary', state: 'healthy' }), 1);
    const opened = samplesOf(m, 'switchyard_health_transitions_total', { kind: 'deployment', name: 'primary', to: 'failed' });
    assert.equal(opened.reduce((sum, sample) => sum + sample.value, 0), 1);
    assert.ok(valueOf(m, 'switchyard_fallbacks_total', { route: 'chat', reason: 'circuit_open' }) >= 1);
  });
});

describe('the /metrics guard', () => {
  it('asks for the Bearer token when telemetry.metrics.token is set', async (t) => {
    const gw = await start(t, {}, { metrics: { token: METRICS_TOKEN } });
    const bare = await fetch(`${gw.url}/metrics`);
    assert.equal(bare.status, 401);
    assert.equal(bare.headers.get('www-authenticate'), 'Bearer');
    assert.equal((await fetch(`${gw.url}/metrics`, { headers: { authorization: `Bearer ${METRICS_TOKEN}x` } })).status, 401);
    const m = await scrape(gw, { authorization: `Bearer ${METRICS_TOKEN}` });
    assert.ok(m.has('switchyard_requests_total'));
  });

  it('is open without a token, and absent when telemetry.metrics.enabled is false', async (t) => {
    const open = await start(t);
    assert.equal((await fetch(`${open.url}/metrics`)).status, 200);
    const off = await start(t, {}, { metrics: { enabled: false } });
    assert.equal(off.gateway.metrics, undefined);
    const res = await fetch(`${off.url}/metrics`);
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'metrics_disabled');
  });
});

describe("the process's own metrics on /metrics", () => {
  it('shows resident memory, heap, CPU, event-loop lag and GC pauses beside the gateway metrics, read at scrape', async (t) => {
    const gw = await start(t);
    assert.equal((await postChat(gw, userBody('process metrics'))).status, 200);
    const m = await scrape(gw);
    assert.ok(m.has('switchyard_requests_total'), 'the gateway metrics are still there');
    const rss = valueOf(m, 'process_resident_memory_bytes', {});
    // The kernel's count, read at scrape: near what the process reads itself now (within 64 MB).
    assert.ok(Math.abs(rss - process.memoryUsage.rss()) < 64 * 1024 * 1024, `rss ${rss}`);
    assert.ok(valueOf(m, 'nodejs_heap_size_used_bytes', {}) > 0);
    assert.ok(valueOf(m, 'nodejs_external_memory_bytes', {}) > 0);
    assert.ok(valueOf(m, 'process_cpu_seconds_total', {}) > 0);
    assert.equal(m.get('nodejs_eventloop_lag_p99_seconds')?.type, 'gauge');
    assert.equal(m.get('nodejs_gc_duration_seconds')?.type, 'histogram');
    assert.ok(samplesOf(m, 'nodejs_heap_space_size_used_bytes', {}).some((sample) => sample.labels.space === 'old'));
  });

  it('are made once per process: two gateways both show them, and closing one leaves the other whole', async (t) => {
    const first = await start(t);
    const second = await start(t);
    assert.ok((await scrape(first)).has('process_resident_memory_bytes'));
    await first.close();
    const m = await scrape(second);
    assert.ok(m.has('process_resident_memory_bytes'));
    assert.equal(samplesOf(m, 'process_resident_memory_bytes', {}).length, 1, 'one series, not one per gateway');
    // One registry, so prom-client's GC observer and event-loop monitor are installed once however many gateways come and go.
    assert.equal(processMetrics(), processMetrics());
  });

  it('are left out with telemetry.metrics.process: false', async (t) => {
    const gw = await start(t, {}, { metrics: { process: false } });
    const m = await scrape(gw);
    assert.ok(m.has('switchyard_requests_total'));
    assert.equal(m.has('process_resident_memory_bytes'), false);
    assert.equal(m.has('nodejs_heap_size_used_bytes'), false);
  });
});
