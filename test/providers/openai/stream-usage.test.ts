/**
 * `stream_usage`: an OpenAI provider asks its upstream for a stream's usage when the client did
 * not, so the request is priced from the provider's own count; the client still gets the stream it
 * asked for, without the usage-only chunk. Against the mock server speaking OpenAI's format.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { ConfigInput } from '../../../src/config/schema.js';
import { createGateway, type Gateway } from '../../../src/gateway/create-gateway.js';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';
import { startServer, type ListeningServer } from '../../../src/server/create-server.js';
import { createLogger } from '../../../src/telemetry/logger.js';
import type { RequestEvent } from '../../../src/telemetry/request-event.js';

const PRICES = { input_per_mtok: 1, output_per_mtok: 2 };

interface Served {
  chunks: Record<string, any>[];
  event: RequestEvent;
}

describe('stream_usage on an OpenAI provider', () => {
  let mock: MockServer;
  let gateway: Gateway;
  let server: ListeningServer;
  const events: RequestEvent[] = [];

  before(async () => {
    mock = await startMockServer({ name: 'openai' });
    const config = {
      log: { level: 'silent' },
      health: { enabled: false },
      telemetry: { request_log: { store: 'off' }, metrics: { enabled: false }, pricing: { package: false, models: { 'gpt-test': PRICES } } },
      providers: {
        asks: { type: 'openai', base_url: mock.url, api_key: 'sk-test-0123456789' },
        silent: { type: 'openai', base_url: mock.url, api_key: 'sk-test-0123456789', stream_usage: false },
      },
      deployments: { asks: { provider: 'asks', model: 'gpt-test' }, silent: { provider: 'silent', model: 'gpt-test' } },
      routes: { asks: { chain: ['asks'] }, silent: { chain: ['silent'] } },
    } as ConfigInput;
    gateway = await createGateway(config, { logger: createLogger('silent'), telemetry: [{ requestFinished: (event) => void events.push(event), close: async () => undefined }] });
    server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
  });
  after(async () => {
    await server.close();
    await gateway.close();
    await mock.close();
  });

  async function stream(path: string, body: Record<string, unknown>): Promise<Served> {
    const before = events.length;
    const res = await fetch(`${server.url}${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ ...body, stream: true }) });
    assert.equal(res.status, 200);
    const data = (await res.text())
      .split('\n\n')
      .filter((block) => block.startsWith('data: '))
      .map((block) => block.slice('data: '.length));
    assert.equal(data.at(-1), '[DONE]');
    for (let i = 0; i < 200 && events.length === before; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    return { chunks: data.slice(0, -1).map((text) => JSON.parse(text) as Record<string, any>), event: events.at(-1) as RequestEvent };
  }

  test("a client that asked for no usage gets none, and the request is priced from the upstream's own count", async () => {
    const { chunks, event } = await stream('/v1/chat/completions', { model: 'asks', messages: [{ role: 'user', content: 'count me' }] });
    assert.ok(chunks.every((chunk) => chunk.choices.length > 0), 'no usage-only chunk reached the client');
    assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'stop', 'the finish chunk still ends the stream');
    assert.match(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join(''), /^Mock answer from openai \(gpt-test\): count me/);
    assert.equal(event.response?.usageEstimated, undefined, "the provider's count, not an estimate");
    assert.ok((event.response?.usage?.outputTokens ?? 0) > 0);
    assert.equal(event.cost?.hops[0]?.estimated, undefined);
    assert.ok((event.cost?.totalUsd ?? 0) > 0);
  });

  test('a client that asked for usage gets its usage chunk as sent; the same count reaches telemetry', async () => {
    const { chunks, event } = await stream('/v1/chat/completions', { model: 'asks', messages: [{ role: 'user', content: 'count me' }], stream_options: { include_usage: true } });
    const last = chunks.at(-1);
    assert.deepEqual(last?.choices, []);
    assert.equal(last?.usage.completion_tokens, event.response?.usage?.outputTokens);
  });

  test('with several choices every finish chunk reaches the client, in order', async () => {
    const { chunks } = await stream('/v1/chat/completions', { model: 'asks', messages: [{ role: 'user', content: 'two ways' }], n: 2 });
    const finishes = chunks.flatMap((chunk) => chunk.choices as { index: number; finish_reason: string | null }[]).filter((choice) => choice.finish_reason !== null);
    assert.deepEqual(
      finishes.map((choice) => [choice.index, choice.finish_reason]),
      [
        [0, 'stop'],
        [1, 'stop'],
      ],
    );
    assert.ok(chunks.every((chunk) => chunk.choices.length > 0));
  });

  test('legacy completions are asked for usage the same way', async () => {
    const { chunks, event } = await stream('/v1/completions', { model: 'asks', prompt: 'count me', max_tokens: 100 });
    assert.ok(chunks.every((chunk) => chunk.choices.length > 0));
    assert.equal(chunks.at(-1)?.choices[0].finish_reason, 'stop');
    assert.equal(event.response?.usageEstimated, undefined);
    assert.ok((event.response?.usage?.outputTokens ?? 0) > 0);
  });

  test('with stream_usage: false the upstream is not asked, and the gateway counts the priced stream itself', async () => {
    const { chunks, event } = await stream('/v1/chat/completions', { model: 'silent', messages: [{ role: 'user', content: 'count me' }] });
    assert.ok(chunks.every((chunk) => !('usage' in chunk)), 'the upstream was not asked (its chunks carry no usage field)');
    assert.equal(event.response?.usageEstimated, true);
    assert.equal(event.cost?.hops[0]?.estimated, true);
    assert.ok((event.cost?.totalUsd ?? 0) > 0);
  });
});
