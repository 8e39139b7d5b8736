import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { startServer } from '../../src/server/create-server.js';
import type { RequestEvent } from '../../src/telemetry/request-event.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { mockGatewayConfig, userBody } from '../helpers/mock-gateway.js';

const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

async function withGateway(run: (url: string, events: RequestEvent[], gateway: Awaited<ReturnType<typeof createGateway>>) => Promise<void>): Promise<void> {
  const events: RequestEvent[] = [];
  const gateway = await createGateway(mockGatewayConfig({ mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } }), {
    logger: createLogger('silent'),
    telemetry: [{ requestFinished: (event) => void events.push(event), close: async () => undefined }],
  });
  const server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
  try {
    await run(server.url, events, gateway);
  } finally {
    await server.close();
    await gateway.close();
  }
}

function post(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(body) });
}

describe('request events for telemetry', () => {
  test('a request served after a fallback reports every hop, the answer, the parameters and the caller\'s trace context', async () => {
    await withGateway(async (url, events, gateway) => {
      gateway.faults('primary')?.set([{ kind: 'error', status: 503 }]);
      const res = await post(url, userBody('hi', { temperature: 0.3, max_tokens: 500, stop: 'END' }), { traceparent: TRACEPARENT, authorization: 'Bearer client-secret-key' });
      assert.equal(res.status, 200);
      await res.text();
      assert.equal(events.length, 1);
      const event = events[0] as RequestEvent;
      assert.equal(event.operation, 'chat');
      assert.equal(event.route, 'chat');
      assert.equal(event.status, 200);
      assert.equal(event.stream, false);
      assert.deepEqual(event.request, { model: 'chat', temperature: 0.3, maxTokens: 500, stopSequences: ['END'] });
      assert.deepEqual(event.served.attempts.map((a) => `${a.deployment}:${a.outcome}:${a.shape ?? ''}`), ['primary:failed:upstream_5xx', 'backup:served:']);
      assert.equal(event.served.fallbackReason, 'upstream_5xx');
      assert.equal(event.response?.model, 'mock-backup');
      assert.ok((event.response?.usage?.inputTokens ?? 0) > 0);
      assert.deepEqual(event.response?.finishReasons, [{ unified: 'stop', raw: 'stop' }]);
      assert.equal(event.traceparent, TRACEPARENT);
      assert.match(event.tenant, /^[0-9a-f]{16}$/);
      assert.ok(!JSON.stringify(event).includes('client-secret-key'), 'the caller\'s credential is only ever hashed');
      assert.ok(event.durationMs > 0);
    });
  });

  test('a stream reports when its first content came and the usage of its last chunk', async () => {
    await withGateway(async (url, events) => {
      const res = await post(url, userBody('stream me', { stream: true, stream_options: { include_usage: true } }));
      await res.text();
      const event = events[0] as RequestEvent;
      assert.equal(event.stream, true);
      assert.equal(typeof event.timeToFirstChunkMs, 'number');
      assert.ok((event.timeToFirstChunkMs ?? 0) <= event.durationMs);
      assert.ok((event.response?.usage?.outputTokens ?? 0) > 0);
      assert.equal(event.response?.finishReasons[0]?.unified, 'stop');
      assert.equal(event.response?.model, 'mock-primary', 'the stream\'s model, read from its chunks');
      assert.match(event.response?.id ?? '', /^chatcmpl-/);
    });
  });

  test('a stream cut after content, which sent no usage, reports an estimated usage (it was still billed)', async () => {
    await withGateway(async (url, events, gateway) => {
      gateway.faults('primary')?.set([{ kind: 'stream_cut', after_chunks: 4 }]);
      const res = await post(url, userBody('cut me off', { stream: true }));
      const text = await res.text().catch(() => '');
      assert.match(text, /Mock answer/, 'content reached the client before the cut');
      for (let i = 0; i < 100 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 20));
      const event = events[0] as RequestEvent;
      assert.ok(event.error, 'the stream broke after it started');
      assert.equal(event.response?.usageEstimated, true);
      assert.ok((event.response?.usage?.inputTokens ?? 0) > 0);
      assert.ok((event.response?.usage?.outputTokens ?? 0) > 0, 'the content handed on is counted');
    });
  });

  test('a request every hop failed reports the error; a malformed traceparent is ignored', async () => {
    await withGateway(async (url, events, gateway) => {
      gateway.faults('primary')?.set([{ kind: 'error', status: 503 }]);
      gateway.faults('backup')?.set([{ kind: 'error', status: 503 }]);
      const res = await post(url, userBody('down'), { traceparent: 'not-a-trace' });
      assert.equal(res.status, 502);
      await res.text();
      const event = events[0] as RequestEvent;
      assert.equal(event.status, 502);
      assert.equal(event.error?.shape, 'upstream_5xx');
      assert.equal(event.traceparent, undefined);
    });
  });
});
