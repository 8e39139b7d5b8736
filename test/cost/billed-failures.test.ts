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

/** The event of one request; `models` are the priced ones (default both mocks'). */
/** `readChunks`: how many chunks of a stream to read before leaving it (default: all). */
async function eventAfter(faults: FaultSpec[], body: Record<string, unknown>, models: Record<string, typeof PRICES> = { 'mock-primary': PRICES, 'mock-backup': PRICES }, readChunks = Infinity): Promise<RequestEvent> {
  const events: RequestEvent[] = [];
  const config = mockGatewayConfig({ mocks: ['primary', 'backup'], route: { timeouts: { first_byte_ms: 150, idle_ms: 5000, total_ms: 10000 }, policy: { upstream_5xx: 'next', timeout: 'next', connection_error: 'next' } } });
  const priced = { ...config, telemetry: { request_log: { store: 'off' }, metrics: { enabled: false }, pricing: { package: false, models } } } as ConfigInput;
  const gateway = await createGateway(priced, { logger: createLogger('silent'), telemetry: [{ requestFinished: (event) => void events.push(event), close: async () => undefined }] });
  try {
    gateway.faults('primary')?.set(faults);
    const outcome = await gateway.chatCompletion(body);
    try {
      let read = 0;
      if (outcome.kind === 'stream') for await (const chunk of outcome.chunks) if (++read >= readChunks && chunk.hasContent) break;
    } catch {
      // a stream broken after content: its event says so
    }
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

  test('a whole stream that sent no usage (none asked for) is counted with the tokenizer when its model has a price, and marked estimated', async () => {
    const event = await eventAfter([], userBody('stream without usage', { stream: true }));
    const usage = event.response?.usage;
    assert.ok(usage && usage.inputTokens > 0 && usage.outputTokens > 0, JSON.stringify(usage));
    assert.equal(event.response?.usageEstimated, true);
    const hop = event.cost?.hops[0];
    assert.equal(hop?.estimated, true);
    assert.ok((hop?.usd ?? 0) > 0, 'the stream is not free');

    const asked = await eventAfter([], userBody('stream with usage', { stream: true, stream_options: { include_usage: true } }));
    assert.equal(asked.response?.usageEstimated, undefined, "the upstream's own count is used when it sent one");
    assert.ok((asked.response?.usage?.outputTokens ?? 0) > 0);
    assert.equal(asked.cost?.hops[0]?.estimated, undefined);
  });

  test('a whole stream from an unpriced model is not counted (nothing needs the figure), a stream cut after content always is', async () => {
    const unpriced = await eventAfter([], userBody('stream without usage', { stream: true }), {});
    assert.equal(unpriced.response?.usage, undefined);
    assert.equal(unpriced.response?.usageEstimated, undefined);

    const cut = await eventAfter([{ kind: 'stream_cut', after_chunks: 3 }], userBody('cut after content', { stream: true }), {});
    assert.equal(cut.error?.shape, 'connection_error');
    assert.equal(cut.response?.usageEstimated, true);
    assert.ok((cut.response?.usage?.outputTokens ?? 0) > 0);

    const left = await eventAfter([], userBody('a client that leaves', { stream: true }), {}, 2);
    assert.equal(left.response?.usageEstimated, true, 'a stream its client left after content was billed as far as it went');
    assert.ok((left.response?.usage?.outputTokens ?? 0) > 0);
  });
});
