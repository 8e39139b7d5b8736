/**
 * The Cohere adapter end to end: an `openai` client calls the gateway, whose real Cohere adapter
 * talks to the mock's Cohere v2 dialect (`type: mock, wire: cohere`) over a real socket.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { APIError } from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { setFaults } from '../../helpers/mock-gateway.js';

const KEY = 'co-mock-0123456789abcdefghijklmnopqrstuv';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: { name: 'get_weather', description: 'Current weather for a city', parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] } },
};

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: {
      cohere: { type: 'mock', wire: 'cohere', api_key: KEY },
      backup: { type: 'mock', wire: 'openai' },
    },
    deployments: {
      command: { provider: 'cohere', model: 'command-a-03-2025' },
      embed: { provider: 'cohere', model: 'embed-v4.0' },
      backup: { provider: 'backup', model: 'backup-model' },
    },
    routes: {
      chat: { chain: ['command'], timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 } },
      fallback: { chain: ['command', 'backup'], timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 } },
      embed: { chain: ['embed'] },
    },
  } as ConfigInput;
}

describe('cohere through the gateway (mock wire: cohere)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());

  test('a completion: the Cohere answer comes back in OpenAI shape, usage from tokens', async () => {
    const completion = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello cohere' },
      ],
      top_p: 0.9,
      seed: 7,
    });
    assert.match(completion.choices[0]?.message.content ?? '', /^Mock answer from cohere \(command-a-03-2025\): hello cohere/);
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.equal(completion.model, 'command-a-03-2025');
    // `tokens` counts the prompt template too, so it exceeds the billed count the mock derives from the text.
    assert.ok((completion.usage?.prompt_tokens ?? 0) > 64);
  });

  test('a stream: content-delta events join to the answer, message-end gives the stop and usage', async () => {
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'stream please' }], stream: true, stream_options: { include_usage: true } });
    let text = '';
    let finish: string | null | undefined;
    let usage: { completion_tokens: number } | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /^Mock answer from cohere \(command-a-03-2025\): stream please/);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.completion_tokens > 0);
  });

  test('tool calls: a TOOL_CALL answer becomes tool_calls, and the tool result goes back with its tool_call_id', async () => {
    const first = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'use get_weather for Oslo' }], tools: [WEATHER_TOOL] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.equal(first.choices[0]?.finish_reason, 'tool_calls');
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock' });
    assert.match(call.id, /^get_weather_/);
    const second = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'user', content: 'use get_weather for Oslo' },
        { role: 'assistant', content: 'Let me look.', tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temperature_c": 3}' },
        { role: 'user', content: 'thanks' },
      ],
      tools: [WEATHER_TOOL],
    });
    assert.equal(second.choices[0]?.finish_reason, 'stop');
  });

  test('a streamed tool call: tool-call-start and -delta events reassemble; the tool plan is not content', async () => {
    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'weather?' }], tools: [WEATHER_TOOL], tool_choice: 'required', stream: true });
    let name = '';
    let args = '';
    let text = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(name, 'get_weather');
    assert.deepEqual(JSON.parse(args), { city: 'mock' });
    assert.equal(text, '');
    assert.equal(finish, 'tool_calls');
  });

  test('embeddings: texts go to /v2/embed with an input_type; floats and base64 both reach the client', async () => {
    const result = await gw.client.embeddings.create({ model: 'embed', input: ['alpha', 'beta'] });
    assert.equal(result.data.length, 2);
    assert.equal(result.data[0]?.embedding.length, 16);
    assert.ok(result.usage.prompt_tokens > 0);
    const floats = await gw.client.embeddings.create({ model: 'embed', input: 'alpha', encoding_format: 'float' });
    assert.deepEqual(floats.data[0]?.embedding, result.data[0]?.embedding);
  });

  test('a chain whose Cohere hop answers 429 falls back to the next deployment', async () => {
    setFaults(gw, 'cohere', [{ kind: 'rate_limit', retry_after_s: 30 }]);
    try {
      const { data, response } = await gw.client.chat.completions.create({ model: 'fallback', messages: [{ role: 'user', content: 'anyone?' }] }).withResponse();
      assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup/);
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'rate_limit_429');
    } finally {
      setFaults(gw, 'cohere', []);
    }
  });

  test('keys never reach the client: an echoed key is scrubbed, a 401 gets a fixed message', async () => {
    setFaults(gw, 'cohere', [{ kind: 'error', status: 500, message: `internal error while using ${KEY}`, count: 2 }]);
    try {
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof APIError);
        assert.ok(!err.message.includes(KEY) && !JSON.stringify(err.error).includes(KEY));
        assert.match(err.message, /\[redacted\]/);
        return true;
      });
      setFaults(gw, 'cohere', [{ kind: 'auth' }]);
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof APIError);
        assert.match(err.message, /rejected the gateway's credentials/);
        return true;
      });
    } finally {
      setFaults(gw, 'cohere', []);
    }
  });
});
