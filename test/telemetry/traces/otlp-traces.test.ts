import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { completionJson, startRecordingUpstream, userRequests, type RecordingUpstream, type Responder } from '../../helpers/recording-upstream.js';
import { SPAN_KIND, startOtlpReceiver, type OtlpReceiver, type ReceivedSpan } from './otlp-receiver.js';

const CLIENT_TRACE = '4bf92f3577b34da6a3ce929d0e0e4736';
const CLIENT_SPAN = '00f067aa0ba902b7';
const SAMPLED = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-01`;
const NOT_SAMPLED = `00-${CLIENT_TRACE}-${CLIENT_SPAN}-00`;
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-(0[01])$/;

const fail503: Responder = (_req, res) => {
  res.writeHead(503, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: 'overloaded', type: 'server_error' } }));
};

const serveBackup: Responder = (_req, res) => {
  const text = completionJson('from backup', 'backup-model-2025');
  res.writeHead(200, { 'content-type': 'application/json' });
  res.end(text);
};

interface Setup {
  gw: GatewayFixture;
  receiver: OtlpReceiver;
  primary: RecordingUpstream;
  backup: RecordingUpstream;
}

/** Two openai-compatible upstreams chained under `chat` (the primary answers 503), a receiver, and a gateway tracing to it. */
async function setUp(t: { after(fn: () => Promise<void>): void }, traces: Record<string, unknown>): Promise<Setup> {
  const receiver = await startOtlpReceiver();
  const primary = await startRecordingUpstream(fail503);
  const backup = await startRecordingUpstream(serveBackup);
  const config = {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: {
      primary: { type: 'openai-compatible', base_url: primary.url, api_key: 'sk-upstream-primary-0123456789' },
      backup: { type: 'openai', base_url: backup.url, api_key: 'sk-upstream-backup-0123456789' },
    },
    deployments: { primary: { provider: 'primary', model: 'model-primary' }, backup: { provider: 'backup', model: 'model-backup' } },
    routes: {
      chat: {
        chain: ['primary', 'backup'],
        policy: { upstream_5xx: { retry: 1, then: 'next' } },
        retry: { schedule_ms: [15], jitter: 0 },
        timeouts: { first_byte_ms: 2000, idle_ms: 2000, total_ms: 5000 },
      },
    },
    // No request log: these tests must not write into the repo's .switchyard/.
    telemetry: { traces: { endpoint: receiver.url, ...traces }, request_log: { store: 'off' } },
  } as ConfigInput;
  const gw = await startGateway(config);
  let closed = false;
  t.after(async () => {
    if (!closed) await gw.close();
    await Promise.all([receiver.close(), primary.close(), backup.close()]);
  });
  return {
    gw: { ...gw, close: async () => ((closed = true), await gw.close()) },
    receiver,
    primary,
    backup,
  };
}

async function postChat(gw: GatewayFixture, body: Record<string, unknown>, headers: Record<string, string> = {}): Promise<Response> {
  const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
  await res.text();
  return res;
}

function parentOf(header: string | string[] | undefined): { traceId: string; spanId: string; flags: string } {
  const match = TRACEPARENT.exec(String(header));
  assert.ok(match, `a W3C traceparent reached the upstream: ${String(header)}`);
  return { traceId: match[1] as string, spanId: match[2] as string, flags: match[3] as string };
}

function only<T>(items: T[], what: string): T {
  assert.equal(items.length, 1, what);
  return items[0] as T;
}

describe('OpenTelemetry GenAI traces over OTLP/HTTP', () => {
  for (const [protocol, contentType] of [['http/protobuf', 'application/x-protobuf'], ['http/json', 'application/json']] as const) test(`a fallback (503, retry, next hop serves) exports a server span under the client's span and a client span per call, each named in the upstream's traceparent (${protocol})`, async (t) => {
    const { gw, receiver, primary, backup } = await setUp(t, { enabled: true, headers: { 'x-collector-key': 'collector-secret' }, service_name: 'switchyard-test', ...(protocol === 'http/json' ? { protocol } : {}) });
    const res = await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'hello' }], temperature: 0.3, max_tokens: 50, top_p: 0.9 }, { traceparent: SAMPLED });
    assert.equal(res.status, 200);
    assert.equal(receiver.spans.length, 0, 'nothing is exported on the request\'s own tick');
    await gw.close(); // flushes the batch

    assert.ok(receiver.exports.length >= 1);
    assert.equal(receiver.exports[0]?.['x-collector-key'], 'collector-secret');
    assert.equal(receiver.exports[0]?.['content-type'], contentType, protocol === 'http/protobuf' ? 'protobuf unless told otherwise' : 'JSON when asked');
    const spans = receiver.spans;
    assert.equal(spans.length, 4, spans.map((s) => s.name).join(', '));
    assert.ok(spans.every((span) => span.traceId === CLIENT_TRACE), 'every span keeps the client\'s trace id');
    assert.ok(spans.every((span) => span.resource['service.name'] === 'switchyard-test' && span.scope === 'switchyard'));

    const server = only(spans.filter((s) => s.kind === SPAN_KIND.server), 'one server span');
    assert.equal(server.parentSpanId, CLIENT_SPAN, 'the server span\'s parent is the client\'s span');
    assert.equal(server.name, 'chat chat');
    assert.equal(server.attributes['gen_ai.operation.name'], 'chat');
    assert.equal(server.attributes['gen_ai.request.model'], 'chat');
    assert.equal(server.attributes['gen_ai.provider.name'], 'openai');
    assert.equal(server.attributes['gen_ai.response.model'], 'backup-model-2025');
    assert.equal(server.attributes['gen_ai.response.id'], 'chatcmpl-test123');
    assert.equal(server.attributes['gen_ai.fallback.reason'], 'upstream_5xx');
    assert.equal(server.attributes['gen_ai.fallback.hop'], 2);
    assert.equal(server.attributes['switchyard.hops'], 3);
    assert.equal(server.attributes['gen_ai.input.messages'], undefined, 'no content without capture_content');

    const hops = spans.filter((s) => s.kind === SPAN_KIND.client).sort((a, b) => a.startMs - b.startMs || Number(a.attributes['gen_ai.fallback.hop']) - Number(b.attributes['gen_ai.fallback.hop']));
    assert.equal(hops.length, 3);
    assert.ok(hops.every((hop) => hop.parentSpanId === server.spanId), 'every call is a child of the server span');
    assert.equal(new Set(spans.map((s) => s.spanId)).size, 4, 'span ids are distinct');
    const [first, retry, served] = hops as [ReceivedSpan, ReceivedSpan, ReceivedSpan];
    const primaryPort = Number(new URL(primary.url).port);
    const backupPort = Number(new URL(backup.url).port);

    assert.equal(first.name, 'chat model-primary');
    assert.equal(first.attributes['gen_ai.provider.name'], 'primary', 'an openai-compatible server with no preset is named by its configured name');
    assert.equal(first.attributes['server.address'], '127.0.0.1');
    assert.equal(first.attributes['server.port'], primaryPort);
    assert.equal(first.attributes['error.type'], 'upstream_5xx');
    assert.equal(first.attributes['http.response.status_code'], 503);
    assert.equal(first.status.code, 2, 'a failed call has status ERROR');
    assert.equal(first.attributes['http.request.resend_count'], undefined);
    assert.equal(first.attributes['gen_ai.request.temperature'], 0.3);
    assert.equal(first.attributes['gen_ai.request.max_tokens'], 50);
    assert.equal(first.attributes['gen_ai.request.top_p'], 0.9);

    assert.equal(retry.attributes['http.request.resend_count'], 1);
    assert.equal(retry.attributes['gen_ai.retry.attempt'], 2);
    assert.equal(retry.attributes['gen_ai.retry.backoff_ms'], 15);
    assert.equal(retry.attributes['gen_ai.fallback.hop'], 1);
    assert.equal(retry.attributes['error.type'], 'upstream_5xx');

    assert.equal(served.name, 'chat model-backup');
    assert.equal(served.attributes['gen_ai.provider.name'], 'openai');
    assert.equal(served.attributes['server.port'], backupPort);
    assert.equal(served.attributes['gen_ai.fallback.reason'], 'upstream_5xx');
    assert.equal(served.attributes['gen_ai.fallback.hop'], 2);
    assert.equal(served.attributes['gen_ai.fallback.route'], 'chat');
    assert.equal(served.attributes['gen_ai.fallback.score'], undefined, 'no route has a quality score yet');
    assert.equal(served.attributes['gen_ai.request.model'], 'model-backup');
    assert.equal(served.attributes['gen_ai.response.model'], 'backup-model-2025');
    assert.equal(served.attributes['gen_ai.response.id'], 'chatcmpl-test123');
    assert.deepEqual(served.attributes['gen_ai.response.finish_reasons'], ['stop']);
    assert.equal(served.attributes['gen_ai.usage.input_tokens'], 5);
    assert.equal(served.attributes['gen_ai.usage.output_tokens'], 2);
    assert.equal(served.attributes['error.type'], undefined);
    assert.notEqual(served.status.code, 2);
    assert.ok(served.startMs >= first.startMs && server.endMs >= served.endMs - 1, 'spans keep the recorded times');

    // Each upstream call named its own span as the parent.
    const primaryCalls = userRequests(primary).map((req) => parentOf(req.headers.traceparent));
    const backupCall = parentOf(only(userRequests(backup), 'one call to the backup').headers.traceparent);
    assert.deepEqual(primaryCalls, [{ traceId: CLIENT_TRACE, spanId: first.spanId, flags: '01' }, { traceId: CLIENT_TRACE, spanId: retry.spanId, flags: '01' }]);
    assert.deepEqual(backupCall, { traceId: CLIENT_TRACE, spanId: served.spanId, flags: '01' });
  });

  test('with tracing off nothing is exported and no traceparent goes upstream, even when the client sent one', async (t) => {
    const { gw, receiver, primary, backup } = await setUp(t, { enabled: false });
    const res = await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'hello' }] }, { traceparent: SAMPLED });
    assert.equal(res.status, 200);
    await gw.close();
    assert.equal(receiver.exports.length, 0);
    assert.equal(receiver.spans.length, 0);
    const calls = [...userRequests(primary), ...userRequests(backup)];
    assert.equal(calls.length, 3, 'the fallback itself ran');
    assert.ok(calls.every((req) => req.headers.traceparent === undefined));
  });

  test('a request without a traceparent starts a new trace: the server span is a root and the upstream gets its trace id', async (t) => {
    const { gw, receiver, backup } = await setUp(t, { enabled: true });
    await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'hello' }] });
    await gw.close();
    const server = only(receiver.spans.filter((s) => s.kind === SPAN_KIND.server), 'one server span');
    assert.equal(server.parentSpanId, undefined);
    assert.match(server.traceId, /^[0-9a-f]{32}$/);
    assert.notEqual(server.traceId, CLIENT_TRACE);
    const call = parentOf(only(userRequests(backup), 'one backup call').headers.traceparent);
    assert.equal(call.traceId, server.traceId);
    assert.ok(receiver.spans.some((s) => s.spanId === call.spanId && s.parentSpanId === server.spanId));
  });

  test('sampling is parent-based: a sampled client trace is recorded at ratio 0, an unsampled one never is but still propagates', async (t) => {
    const { gw, receiver, backup } = await setUp(t, { enabled: true, sampling: 0 });
    await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'no parent' }] });
    await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'not sampled' }] }, { traceparent: NOT_SAMPLED });
    await postChat(gw, { model: 'chat', messages: [{ role: 'user', content: 'sampled' }] }, { traceparent: SAMPLED });
    await gw.close();
    const servers = receiver.spans.filter((s) => s.kind === SPAN_KIND.server);
    assert.equal(servers.length, 1, 'only the client-sampled request is recorded');
    assert.equal(servers[0]?.traceId, CLIENT_TRACE);
    const calls = userRequests(backup).map((req) => parentOf(req.headers.traceparent));
    assert.equal(calls.length, 3);
    assert.equal(calls[0]?.flags, '00', 'a new trace the ratio left out is propagated as not sampled');
    assert.deepEqual([calls[1]?.traceId, calls[1]?.flags], [CLIENT_TRACE, '00']);
    assert.deepEqual([calls[2]?.traceId, calls[2]?.flags], [CLIENT_TRACE, '01']);
  });

  test('capture_content records the messages in the GenAI parts shape with credentials scrubbed', async (t) => {
    const { gw, receiver } = await setUp(t, { enabled: true, capture_content: true });
    await postChat(gw, {
      model: 'chat',
      messages: [
        { role: 'system', content: 'be brief' },
        { role: 'user', content: 'my key is sk-live-abcdefghijklmnop and the backup key is sk-upstream-backup-0123456789, hi' },
      ],
    });
    await gw.close();
    const server = only(receiver.spans.filter((s) => s.kind === SPAN_KIND.server), 'one server span');
    const input = JSON.parse(String(server.attributes['gen_ai.input.messages'])) as { role: string; parts: { type: string; content: string }[] }[];
    assert.deepEqual(input[0], { role: 'system', parts: [{ type: 'text', content: 'be brief' }] });
    assert.equal(input[1]?.role, 'user');
    const text = input[1]?.parts[0]?.content ?? '';
    assert.ok(text.includes('[redacted]') && text.endsWith(', hi'), text);
    assert.ok(!text.includes('sk-live-abcdefghijklmnop') && !text.includes('sk-upstream-backup'), text);
    const output = JSON.parse(String(server.attributes['gen_ai.output.messages'])) as unknown;
    assert.deepEqual(output, [{ role: 'assistant', parts: [{ type: 'text', content: 'from backup' }], finish_reason: 'stop' }]);
    const hops = receiver.spans.filter((s) => s.kind !== SPAN_KIND.server);
    assert.ok(hops.every((hop) => hop.attributes['gen_ai.input.messages'] === undefined), 'contents are recorded once, on the server span');
  });
});
