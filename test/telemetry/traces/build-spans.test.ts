import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { SpanKind, SpanStatusCode } from '@opentelemetry/api';
import { resourceFromAttributes } from '@opentelemetry/resources';
import type { AttemptRecord } from '../../../src/fallback/run-chain.js';
import type { RequestEvent } from '../../../src/telemetry/request-event.js';
import { buildSpans } from '../../../src/telemetry/traces/build-spans.js';
import { parseTraceparent } from '../../../src/telemetry/traces/create-tracing.js';

const TRACE = { traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true };

function record(fields: Partial<AttemptRecord> & Pick<AttemptRecord, 'hop' | 'deployment' | 'outcome'>): AttemptRecord {
  return { step: 'deployment', provider: fields.deployment, model: `model-${fields.deployment}`, attempt: 1, startedAt: 1_700_000_000_000, durationMs: 5, ...fields };
}

function eventOf(attempts: AttemptRecord[], extra: Partial<RequestEvent> = {}): RequestEvent {
  return {
    requestId: 'req-1',
    operation: 'chat',
    route: 'chat',
    tenant: '',
    startedAt: 1_700_000_000_000,
    durationMs: 50,
    status: 200,
    stream: false,
    served: { requestId: 'req-1', route: 'chat', deployment: 'cache', provider: 'switchyard', hop: attempts.at(-1)?.hop ?? 1, attempts, fallbackReason: 'circuit_open' },
    request: { model: 'chat' },
    ...extra,
  };
}

function spansOf(event: RequestEvent) {
  let next = 0;
  return buildSpans({
    event,
    trace: TRACE,
    newSpanId: () => (next++).toString(16).padStart(16, '0'),
    upstream: (provider) => ({ providerName: provider === 'switchyard' ? 'switchyard' : 'openai', address: 'api.example.com', port: 443 }),
    content: undefined,
    resource: resourceFromAttributes({}),
    scope: { name: 'switchyard' },
  });
}

describe('spans of one request', () => {
  test('a step skipped for an open circuit is a short INTERNAL span with its MTTR, and the next hop says it was reached for circuit_open', () => {
    const spans = spansOf(
      eventOf([
        record({ hop: 1, deployment: 'primary', outcome: 'skipped', message: 'circuit open for primary (primary): not called', mttrMs: 1200, spanId: '1'.repeat(16) }),
        record({ hop: 2, deployment: 'backup', outcome: 'served', spanId: '2'.repeat(16) }),
      ]),
    );
    const [, skipped, served] = spans;
    assert.equal(skipped?.kind, SpanKind.INTERNAL);
    assert.equal(skipped?.spanContext().spanId, '1'.repeat(16));
    assert.equal(skipped?.attributes['gen_ai.fallback.mttr_ms'], 1200);
    assert.equal(skipped?.attributes['server.address'], 'api.example.com', 'the skipped deployment is still named');
    assert.equal(skipped?.attributes['gen_ai.request.temperature'], undefined);
    assert.equal(served?.kind, SpanKind.CLIENT);
    assert.equal(served?.attributes['gen_ai.fallback.reason'], 'circuit_open');
    assert.equal(served?.attributes['gen_ai.fallback.mttr_ms'], 1200);
    assert.equal(served?.parentSpanContext?.spanId, TRACE.spanId);
  });

  test('a cache step reached after every deployment failed is tagged upstream_total_failure; a hedge is tagged hedge', () => {
    const spans = spansOf(
      eventOf([
        record({ hop: 1, deployment: 'primary', outcome: 'aborted' }),
        record({ hop: 2, deployment: 'backup', outcome: 'failed', shape: 'timeout', hedge: true }),
        record({ hop: 3, deployment: 'cache', step: 'cache', provider: 'switchyard', model: 'cache/exact', outcome: 'served' }),
      ]),
    );
    assert.equal(spans[2]?.attributes['gen_ai.fallback.reason'], 'hedge');
    assert.equal(spans[2]?.status.code, SpanStatusCode.ERROR);
    assert.equal(spans[2]?.attributes['error.type'], 'timeout');
    assert.equal(spans[3]?.attributes['gen_ai.fallback.reason'], 'upstream_total_failure');
    assert.equal(spans[3]?.attributes['server.address'], undefined, 'a cache step calls no upstream');
    assert.equal(new Set(spans.map((span) => span.spanContext().spanId)).size, 4, 'records without span ids get fresh ones');
  });

  test('a request stopped by its hop budget says automation_exhausted on an ERROR server span', () => {
    const spans = spansOf(
      eventOf([record({ hop: 1, deployment: 'primary', outcome: 'failed', shape: 'upstream_5xx' }), record({ hop: 1, deployment: 'primary', outcome: 'failed', shape: 'upstream_5xx', attempt: 2 })], {
        status: 502,
        error: { code: 'hop_budget_exhausted', shape: 'upstream_5xx', message: 'The request used its budget of 2 calls.' },
      }),
    );
    const server = spans[0];
    assert.equal(server?.kind, SpanKind.SERVER);
    assert.equal(server?.parentSpanContext, undefined);
    assert.equal(server?.attributes['gen_ai.fallback.reason'], 'automation_exhausted');
    assert.equal(server?.attributes['error.type'], 'upstream_5xx');
    assert.equal(server?.status.code, SpanStatusCode.ERROR);
  });

  test("a client certificate's subject is the server span's tls.client.subject; none without one", () => {
    const served = [record({ hop: 1, deployment: 'primary', outcome: 'served' })];
    const [server] = spansOf(eventOf(served, { clientCertificate: 'CN=svc-c, OU=Platform, O=Acme' }));
    assert.equal(server?.attributes['tls.client.subject'], 'CN=svc-c, OU=Platform, O=Acme');
    const [plain] = spansOf(eventOf(served));
    assert.equal(plain?.attributes['tls.client.subject'], undefined);
  });

  test("the served hop's usage names its cached input and reasoning output parts, when there are any", () => {
    const served = record({ hop: 1, deployment: 'primary', outcome: 'served', spanId: '1'.repeat(16) });
    const usage = { inputTokens: 40, outputTokens: 30, cachedInputTokens: 8, reasoningTokens: 24 };
    const event = eventOf([served], { served: { requestId: 'req-1', route: 'chat', deployment: 'primary', provider: 'primary', hop: 1, attempts: [served], fallbackReason: undefined }, response: { id: 'r', model: 'm', finishReasons: [], usage } });
    const hop = spansOf(event)[1];
    assert.equal(hop?.attributes['gen_ai.usage.output_tokens'], 30);
    assert.equal(hop?.attributes['gen_ai.usage.cache_read.input_tokens'], 8);
    assert.equal(hop?.attributes['gen_ai.usage.reasoning.output_tokens'], 24);
    const plain = spansOf(eventOf([served], { ...event, response: { id: 'r', model: 'm', finishReasons: [], usage: { inputTokens: 40, outputTokens: 30, cachedInputTokens: 0 } } }))[1];
    assert.equal(plain?.attributes['gen_ai.usage.reasoning.output_tokens'], undefined);
  });

  test('a malformed or all-zero traceparent is no parent', () => {
    assert.equal(parseTraceparent('00-' + '0'.repeat(32) + '-00f067aa0ba902b7-01'), undefined);
    assert.equal(parseTraceparent('01-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01'), undefined);
    assert.deepEqual(parseTraceparent('00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-00'), { traceId: '4bf92f3577b34da6a3ce929d0e0e4736', spanId: '00f067aa0ba902b7', sampled: false });
  });
});
