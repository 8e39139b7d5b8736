/**
 * The Gemini adapter end to end: an `openai` client calls the gateway, whose real Gemini adapter
 * talks to the mock's Gemini dialect (`type: mock, wire: gemini`) over a real socket.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { APIError } from 'openai';
import type { ConfigInput } from '../../../src/config/schema.js';
import { startGateway, type GatewayFixture } from '../../helpers/gateway-fixture.js';
import { setFaults } from '../../helpers/mock-gateway.js';

/** Key-shaped like a real Gemini key, so a leak would be caught by the scrubber's pattern too. */
const KEY = 'AIzaSyD-mockGeminiKey_0123456789abcdefg';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    // What OpenAI clients send: full JSON Schema, with keys Gemini's Schema object refuses.
    parameters: {
      $schema: 'http://json-schema.org/draft-07/schema#',
      type: 'object',
      properties: { city: { type: 'string', format: 'uri-reference' }, unit: { type: ['string', 'null'], enum: ['c', 'f'] } },
      required: ['city'],
      additionalProperties: false,
    },
  },
};

function config(): ConfigInput {
  return {
    log: { level: 'silent' },
    health: { enabled: false },
    providers: {
      gemini: { type: 'mock', wire: 'gemini', api_key: KEY },
      backup: { type: 'mock', wire: 'openai' },
    },
    deployments: {
      flash: { provider: 'gemini', model: 'gemini-2.5-flash' },
      pro3: { provider: 'gemini', model: 'gemini-3-pro-preview' },
      embed: { provider: 'gemini', model: 'gemini-embedding-001' },
      backup: { provider: 'backup', model: 'backup-model' },
    },
    routes: {
      chat: { chain: ['flash'], timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 } },
      chat3: { chain: ['pro3'] },
      fallback: { chain: ['flash', 'backup'], timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 } },
      embed: { chain: ['embed'] },
    },
  } as ConfigInput;
}

describe('gemini through the gateway (mock wire: gemini)', () => {
  let gw: GatewayFixture;
  before(async () => {
    gw = await startGateway(config());
  });
  after(() => gw.close());

  test('a completion: system and user messages in, the mock Gemini answer out in OpenAI shape with usage', async () => {
    setFaults(gw, 'gemini', []);
    const completion = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'hello gemini' },
      ],
      temperature: 0.3,
      stop: ['\n\n'],
    });
    assert.equal(completion.object, 'chat.completion');
    assert.match(completion.choices[0]?.message.content ?? '', /^Mock answer from gemini \(gemini-2\.5-flash\): hello gemini/);
    assert.equal(completion.choices[0]?.finish_reason, 'stop');
    assert.ok((completion.usage?.prompt_tokens ?? 0) > 0 && (completion.usage?.completion_tokens ?? 0) > 0);
  });

  test('max_tokens becomes maxOutputTokens: a short limit ends with finish_reason length', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'tell me more' }], max_tokens: 4 });
    assert.equal(completion.choices[0]?.finish_reason, 'length');
  });

  test('n: 2 becomes candidateCount and gives two choices', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'twice' }], n: 2 });
    assert.deepEqual(
      completion.choices.map((choice) => choice.index),
      [0, 1],
    );
  });

  test('a stream: deltas join to the answer, then a stop and the usage chunk the client asked for', async () => {
    const stream = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'stream please' }],
      stream: true,
      stream_options: { include_usage: true },
    });
    let text = '';
    let finish: string | null | undefined;
    let usage: { prompt_tokens: number } | undefined | null;
    let contentChunks = 0;
    for await (const chunk of stream) {
      const delta = chunk.choices[0]?.delta.content;
      if (delta) {
        text += delta;
        contentChunks++;
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /^Mock answer from gemini \(gemini-2\.5-flash\): stream please/);
    assert.ok(contentChunks >= 3, `several content chunks (got ${contentChunks})`);
    assert.equal(finish, 'stop');
    assert.ok(usage && usage.prompt_tokens > 0);
  });

  test('tool calls: JSON-Schema tools are narrowed for Gemini, the call comes back with an id, and its result goes back by name', async () => {
    const first = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'use get_weather for Oslo' }],
      tools: [WEATHER_TOOL],
    });
    const choice = first.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    const call = choice?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock' });
    assert.match(call.id, /^call_/);

    const second = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [
        { role: 'user', content: 'use get_weather for Oslo' },
        { role: 'assistant', content: null, tool_calls: [call] },
        { role: 'tool', tool_call_id: call.id, content: '{"temperature_c": 3}' },
        { role: 'user', content: 'thanks' },
      ],
      tools: [WEATHER_TOOL],
    });
    assert.equal(second.choices[0]?.finish_reason, 'stop');
    assert.match(second.choices[0]?.message.content ?? '', /: thanks/);
  });

  test('Gemini 3: the thought signature of a call travels in its id and back, so the next turn is accepted', async () => {
    const messages: Array<Record<string, unknown>> = [{ role: 'user', content: 'use get_weather for Oslo' }];
    const first = await gw.client.chat.completions.create({ model: 'chat3', messages: messages as never, tools: [WEATHER_TOOL] });
    const call = first.choices[0]?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.match(call.id, /^call_[A-Za-z0-9_-]+__sig__[A-Za-z0-9_-]+$/, 'the id carries the signature and keeps to [A-Za-z0-9_-]');
    const next = [...messages, { role: 'assistant', content: null, tool_calls: [call] }, { role: 'tool', tool_call_id: call.id, content: 'cold' }];
    const second = await gw.client.chat.completions.create({ model: 'chat3', messages: next as never, tools: [WEATHER_TOOL] });
    assert.equal(second.choices[0]?.finish_reason, 'stop');
    // A call whose id lost its signature (another provider made it) is sent with Google's skip sentinel instead of failing.
    const foreign = [...messages, { role: 'assistant', content: null, tool_calls: [{ ...call, id: 'toolu_01A09q90qw90lq917835lq9' }] }, { role: 'tool', tool_call_id: 'toolu_01A09q90qw90lq917835lq9', content: 'cold' }];
    const third = await gw.client.chat.completions.create({ model: 'chat3', messages: foreign as never, tools: [WEATHER_TOOL] });
    assert.equal(third.choices[0]?.finish_reason, 'stop');
  });

  test('a streamed tool call arrives as tool-call deltas with finish_reason tool_calls', async () => {
    const stream = await gw.client.chat.completions.create({
      model: 'chat',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
    });
    let name = '';
    let args = '';
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        name += delta.function?.name ?? '';
        args += delta.function?.arguments ?? '';
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.equal(name, 'get_weather');
    assert.deepEqual(JSON.parse(args), { city: 'mock' });
    assert.equal(finish, 'tool_calls');
  });

  test('embeddings: one input goes to embedContent, several to batchEmbedContents; the SDK decodes base64', async () => {
    const one = await gw.client.embeddings.create({ model: 'embed', input: 'alpha' });
    assert.equal(one.data.length, 1);
    assert.equal(one.data[0]?.embedding.length, 16);
    const many = await gw.client.embeddings.create({ model: 'embed', input: ['alpha', 'beta', 'gamma'] });
    assert.deepEqual(
      many.data.map((item) => item.index),
      [0, 1, 2],
    );
    assert.deepEqual(many.data[0]?.embedding, one.data[0]?.embedding, 'the same text embeds the same way');
    const floats = await gw.client.embeddings.create({ model: 'embed', input: 'alpha', encoding_format: 'float', dimensions: 8 });
    assert.equal(floats.data[0]?.embedding.length, 8);
  });

  test('logprobs become responseLogprobs: each token of the answer with its log probability and the alternatives asked for', async () => {
    const completion = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'how sure?' }], logprobs: true, top_logprobs: 2 });
    const choice = completion.choices[0];
    const content = choice?.logprobs?.content ?? [];
    assert.ok(content.length > 5);
    assert.equal(content.map((entry) => entry.token).join(''), choice?.message.content);
    for (const entry of content) {
      assert.ok(entry.logprob <= 0);
      assert.equal(Buffer.from(entry.bytes ?? []).toString('utf8'), entry.token);
      assert.equal(entry.top_logprobs.length, 2);
      assert.equal(entry.top_logprobs[0]?.token, entry.token);
    }
    const plain = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'how sure?' }] });
    assert.equal(plain.choices[0]?.logprobs, null, 'none unless asked');

    const stream = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'how sure?' }], logprobs: true, stream: true });
    let text = '';
    let tokens = '';
    for await (const chunk of stream) {
      text += chunk.choices[0]?.delta.content ?? '';
      for (const entry of chunk.choices[0]?.logprobs?.content ?? []) {
        tokens += entry.token;
        assert.deepEqual(entry.top_logprobs, [], 'no alternatives unless asked');
      }
    }
    assert.ok(text.length > 20);
    assert.equal(tokens, text, "each chunk carries its own tokens' log probabilities");
  });

  test('a chain whose Gemini hop answers RESOURCE_EXHAUSTED falls back to the next deployment', async () => {
    setFaults(gw, 'gemini', [{ kind: 'rate_limit', retry_after_s: 30 }]);
    try {
      const { data, response } = await gw.client.chat.completions.create({ model: 'fallback', messages: [{ role: 'user', content: 'anyone there?' }] }).withResponse();
      assert.match(data.choices[0]?.message.content ?? '', /^Mock answer from backup/);
      assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
      assert.equal(response.headers.get('x-switchyard-fallback-reason'), 'rate_limit_429');
    } finally {
      setFaults(gw, 'gemini', []);
    }
  });

  test('a prompt Gemini blocks (promptFeedback.blockReason) is a guardrail_block, not an empty answer', async () => {
    setFaults(gw, 'gemini', [{ kind: 'content_filter', mode: 'error', count: 2 }]);
    try {
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'something bad' }] }), (err: unknown) => {
        assert.ok(err instanceof APIError);
        assert.equal(err.status, 400);
        assert.match(err.message, /blocked the prompt/);
        return true;
      });
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'something bad' }], stream: true }), (err: unknown) => err instanceof APIError && err.status === 400);
    } finally {
      setFaults(gw, 'gemini', []);
    }
  });

  test('keys never reach the client: an upstream message that echoes the key is scrubbed, a bad key gets a fixed message', async () => {
    setFaults(gw, 'gemini', [{ kind: 'error', status: 500, message: `Internal error for key ${KEY}`, count: 2 }]);
    try {
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof APIError);
        assert.ok(!JSON.stringify(err.error).includes(KEY) && !err.message.includes(KEY), `no key in ${err.message}`);
        assert.match(err.message, /\[redacted\]/);
        return true;
      });
      setFaults(gw, 'gemini', [{ kind: 'auth' }]);
      await assert.rejects(gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof APIError);
        assert.ok(!err.message.includes(KEY));
        assert.match(err.message, /rejected the gateway's credentials/);
        return true;
      });
    } finally {
      setFaults(gw, 'gemini', []);
    }
  });
});

describe('a Gemini model that gives no log probabilities', () => {
  // Gemini's own words for it, from an upstream that answers every call so.
  const refusal = JSON.stringify({ error: { code: 400, message: 'Logprobs is not supported for the current model.', status: 'INVALID_ARGUMENT' } });
  let upstream: Server;
  let gw: GatewayFixture;
  const bodies: Record<string, unknown>[] = [];
  before(async () => {
    upstream = createServer((req, res) => {
      let text = '';
      req.on('data', (part: Buffer) => (text += part.toString('utf8')));
      req.on('end', () => {
        bodies.push(JSON.parse(text) as Record<string, unknown>);
        res.writeHead(400, { 'content-type': 'application/json' }).end(refusal);
      });
    });
    await new Promise<void>((resolve) => upstream.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(upstream.address() as AddressInfo).port}/v1beta`;
    gw = await startGateway({
      log: { level: 'silent' },
      health: { enabled: false },
      providers: { gemini: { type: 'gemini', base_url: base, api_key: KEY }, backup: { type: 'mock', wire: 'openai' } },
      deployments: { flash: { provider: 'gemini', model: 'gemini-2.0-flash-lite' }, backup: { provider: 'backup', model: 'backup-model' } },
      routes: { fallback: { chain: ['flash', 'backup'] } },
    } as ConfigInput);
  });
  after(async () => {
    await gw.close();
    upstream.close();
  });

  test('is passed over for a request that asks for them; the same 400 to a request that does not is the client\'s', async () => {
    const { data, response } = await gw.client.chat.completions.create({ model: 'fallback', messages: [{ role: 'user', content: 'how sure?' }], logprobs: true }).withResponse();
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    assert.ok((data.choices[0]?.logprobs?.content?.length ?? 0) > 0, 'the next deployment gave them');
    assert.equal((bodies[0]?.generationConfig as Record<string, unknown> | undefined)?.responseLogprobs, true, 'Gemini was asked');

    await assert.rejects(gw.client.chat.completions.create({ model: 'fallback', messages: [{ role: 'user', content: 'how sure?' }] }), (err: unknown) => {
      assert.ok(err instanceof APIError);
      assert.equal(err.status, 400);
      return true;
    });
  });
});
