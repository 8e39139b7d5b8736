import { NEVER_CANCELLED } from '../../../src/cancel.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/errors.js';
import { mockProvider, startMockServer, type FaultControl } from '../../../src/providers/mock/index.js';
import type { ChatCall, Provider } from '../../../src/providers/types.js';

const TIMEOUTS = { firstByteMs: 5_000, idleMs: 5_000, totalMs: 10_000 };

function chatCall(content: string, stream = false): ChatCall {
  return {
    model: 'mock-chat',
    cancel: NEVER_CANCELLED,
    timeouts: TIMEOUTS,
    body: { model: 'route-name', messages: [{ role: 'user', content }], ...(stream ? { stream: true } : {}) },
  };
}

async function createMock(config: Record<string, unknown> = {}): Promise<Provider & { faults?: FaultControl }> {
  const options = mockProvider.options.parse({ type: 'mock', ...config });
  return mockProvider.create(options, { name: 'demo-mock' });
}

describe('the mock provider definition', () => {
  test('create() starts an embedded mock whose chat, chatStream and embeddings work over HTTP', async () => {
    const provider = await createMock();
    try {
      assert.equal(provider.type, 'mock');
      assert.equal(provider.name, 'demo-mock');
      const result = await provider.chat(chatCall('hello provider'));
      const completion = JSON.parse(result.text) as { choices: { message: { content: string } }[] };
      assert.match(completion.choices[0]?.message.content ?? '', /^Mock answer from demo-mock \(mock-chat\): hello provider/);
      assert.deepEqual(result.finishReasons, [{ unified: 'stop', raw: 'stop' }]);
      assert.equal(result.responseModel, 'mock-chat');
      assert.ok(result.usage && result.usage.inputTokens > 0);

      const stream = await provider.chatStream(chatCall('hello stream', true));
      let content = 0;
      let finish: string | undefined;
      for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next()) {
        if (next.value.hasContent) content++;
        finish = next.value.finishReason?.unified ?? finish;
      }
      assert.ok(content >= 3);
      assert.equal(finish, 'stop');

      const embeddings = await provider.embeddings({ model: 'mock-embed', cancel: NEVER_CANCELLED, timeouts: TIMEOUTS, body: { model: 'x', input: 'embed me' } });
      assert.equal((JSON.parse(embeddings.text) as { data: unknown[] }).data.length, 1);
    } finally {
      await provider.close();
    }
  });

  test('faults.set([{ kind: "error", status: 503 }]) makes chat() reject with an upstream_5xx GatewayError', async () => {
    const provider = await createMock();
    try {
      assert.ok(provider.faults, 'an embedded mock exposes fault control');
      provider.faults.set([{ kind: 'error', status: 503 }]);
      await assert.rejects(provider.chat(chatCall('fail me')), (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.shape, 'upstream_5xx');
        return true;
      });
      assert.deepEqual((provider.faults.stats() as { faults: unknown }).faults, { error: 1 });
      provider.faults.clear();
      assert.deepEqual(provider.faults.get(), []);
      await provider.chat(chatCall('healthy again'));
    } finally {
      await provider.close();
    }
  });

  test('faults from config apply from the first request, and the mock auth fault maps to auth_error', async () => {
    const provider = await createMock({ faults: [{ kind: 'auth', count: 1 }] });
    try {
      await assert.rejects(provider.chat(chatCall('x')), (err: unknown) => err instanceof GatewayError && err.shape === 'auth_error');
      await provider.chat(chatCall('x'));
    } finally {
      await provider.close();
    }
  });

  test('a mid-stream fault surfaces from the chunk iterator as a GatewayError', async () => {
    const provider = await createMock({ faults: [{ kind: 'stream_error', after_chunks: 2 }] });
    try {
      const stream = await provider.chatStream(chatCall('x', true));
      await assert.rejects(
        (async () => {
          for (let next = await stream.chunks.next(); !next.done; next = await stream.chunks.next());
        })(),
        (err: unknown) => err instanceof GatewayError && err.shape === 'upstream_5xx',
      );
    } finally {
      await provider.close();
    }
  });

  test('close() does not wait forever for a call hung by a hang fault', async () => {
    const provider = await createMock({ faults: [{ kind: 'hang' }] });
    const pending = provider.chat(chatCall('hang'));
    pending.catch(() => {});
    await new Promise((resolve) => setTimeout(resolve, 100));
    await provider.close();
    await assert.rejects(pending, GatewayError);
  });

  test('with base_url it talks to an external mock and exposes no fault control', async () => {
    const external = await startMockServer({ name: 'external' });
    const provider = await createMock({ base_url: external.url });
    try {
      assert.equal(provider.faults, undefined);
      const result = await provider.chat(chatCall('over there'));
      assert.match(result.text, /Mock answer from external/);
      assert.equal(external.stats().requests, 1);
    } finally {
      await provider.close();
      await external.close();
    }
  });

  test('config rejects faults (or latency) together with base_url, and a bad fault', () => {
    const withBase = mockProvider.options.safeParse({ type: 'mock', base_url: 'http://127.0.0.1:1/v1', faults: [{ kind: 'error' }] });
    assert.equal(withBase.success, false);
    assert.deepEqual(withBase.error?.issues[0]?.path, ['faults']);
    const bad = mockProvider.options.safeParse({ type: 'mock', faults: [{ kind: 'error', status: 418 }] });
    assert.equal(bad.success, false);
    assert.deepEqual(bad.error?.issues[0]?.path, ['faults', 0, 'status']);
    const unknownKey = mockProvider.options.safeParse({ type: 'mock', latency: 5 });
    assert.equal(unknownKey.success, false);
  });
});
