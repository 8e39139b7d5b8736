import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { ConfigInput } from '../../src/config/schema.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import type { FaultSpec } from '../../src/providers/mock/index.js';
import { createLogger } from '../../src/telemetry/logger.js';
import type { RequestEvent } from '../../src/telemetry/request-event.js';
import { mockGatewayConfig, userBody } from '../helpers/mock-gateway.js';

/** $1 per million input tokens and $2 per million output tokens on both mocks. */
const PRICES = { input_per_mtok: 1, output_per_mtok: 2 };

async function eventAfter(faults: FaultSpec[], body: Record<string, unknown>): Promise<RequestEvent> {
  const events: RequestEvent[] = [];
  const config = mockGatewayConfig({ mocks: ['primary', 'backup'], route: { timeouts: { first_byte_ms: 150, idle_ms: 5000, total_ms: 10000 }, policy: { upstream_5xx: 'next', timeout: 'next', connection_error: 'next' } } });
  const priced = { ...config, telemetry: { request_log: { store: 'off' }, metrics: { enabled: false }, pricing: { package: false, models: { 'mock-primary': PRICES, 'mock-backup': PRICES } } } } as ConfigInput;
  const gateway = await createGateway(priced, { logger: createLogger('silent'), telemetry: [{ requestFinished: (event) => void events.push(event), close: async () => undefined }] });
  try {
    gateway.faults('primary')?.set(faults);
    const outcome = await gateway.chatCompletion(body);
    if (outcome.kind === 'stream') for await (const chunk of outcome.chunks) void chunk;
    for (let i = 0; i < 200 && events.length === 0; i++) await new Promise((resolve) => setTimeout(resolve, 5));
    assert.equal(events.length, 1, 'one event per request');
    return events[0] as RequestEvent;
  } finally {
    await gateway.close();
  }
}

describe('cost of calls the upstream may bill though they failed', () => {
  test('a call given up at its first-byte timeout is billed its prompt (estimated), and the serving hop its usage', async () => {
    const event = await eventAfter([{ kind: 'hang' }], userBody('a question that takes a while'));
    const [given, served] = event.cost?.hops ?? [];
    assert.equal(event.served.attempts[0]?.code, 'first_byte_timeout');
    assert.ok(given && served);
    assert.equal(given.deployment, 'primary');
    assert.ok(given.inputTokens > 0, 'the prompt is counted');
    assert.equal(given.outputTokens, 0);
    assert.equal(given.estimated, true);
    assert.ok((given.usd ?? 0) > 0);
    assert.equal(served.deployment, 'backup');
    assert.equal(served.estimated, undefined);
    assert.equal(event.cost?.totalUsd, (given.usd ?? 0) + (served.usd ?? 0));
  });

  test('a call refused with an error status is not billed', async () => {
    const event = await eventAfter([{ kind: 'error', status: 503 }], userBody('hello'));
    const [refused] = event.cost?.hops ?? [];
    assert.equal(refused?.inputTokens, 0);
    assert.equal(refused?.usd, 0);
    assert.equal(event.served.attempts[0]?.billable, undefined);
  });

  test('a stream that breaks before any content is billed its prompt; a refused completion its own usage', async () => {
    const cut = await eventAfter([{ kind: 'stream_cut', after_chunks: 0 }], userBody('stream please', { stream: true }));
    assert.equal(cut.served.attempts[0]?.outcome, 'failed');
    assert.ok((cut.cost?.hops[0]?.inputTokens ?? 0) > 0);
    assert.equal(cut.cost?.hops[0]?.estimated, true);

    const refused = await eventAfter([{ kind: 'content_filter' }], userBody('something refused'));
    const hop = refused.cost?.hops[0];
    assert.equal(refused.served.attempts[0]?.shape, 'guardrail_block');
    assert.ok((hop?.inputTokens ?? 0) > 0 && hop?.estimated === undefined, 'the refusal carried its own usage');
  });
});
