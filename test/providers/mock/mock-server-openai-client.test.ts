import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';
import { createRawClient } from './raw-client.js';

const WEATHER_TOOL = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: {
      type: 'object',
      properties: { city: { type: 'string' }, unit: { type: 'string', enum: ['celsius', 'fahrenheit'] }, days: { type: 'integer' } },
      required: ['city', 'unit'],
    },
  },
};

let server: MockServer;
let openai: OpenAI;
const raw = createRawClient();

before(async () => {
  server = await startMockServer({ name: 'primary' });
  openai = new OpenAI({ baseURL: server.url, apiKey: 'x', maxRetries: 0 });
});
after(async () => {
  await server.close();
  await raw.close();
});

describe('mock server with the official openai client', () => {
  test('a non-streaming completion echoes the prompt, names the server and counts usage', async () => {
    const completion = await openai.chat.completions.create({
      model: 'mock-chat',
      messages: [
        { role: 'system', content: 'You are terse.' },
        { role: 'user', content: 'Ping from the happy-path test' },
      ],
    });
    assert.match(completion.id, /^chatcmpl-[A-Za-z0-9]{29}$/);
    assert.equal(completion.object, 'chat.completion');
    assert.equal(completion.model, 'mock-chat');
    assert.equal(completion.system_fingerprint, 'fp_mock');
    const choice = completion.choices[0];
    assert.equal(choice?.finish_reason, 'stop');
    assert.equal(choice?.message.role, 'assistant');
    assert.ok(choice?.message.content?.startsWith('Mock answer from primary (mock-chat): Ping from the happy-path test'));
    const usage = completion.usage;
    assert.ok(usage && usage.prompt_tokens >= 10 && usage.completion_tokens > 0);
    assert.equal(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens);
  });

  test('a stream with include_usage rebuilds the same text, ends with a usage chunk and [DONE]', async () => {
    const messages = [{ role: 'user' as const, content: 'Stream this please' }];
    const whole = await openai.chat.completions.create({ model: 'mock-chat', messages });
    const stream = await openai.chat.completions.create({ model: 'mock-chat', messages, stream: true, stream_options: { include_usage: true } });
    let text = '';
    let chunks = 0;
    let finish: string | null = null;
    let usage: OpenAI.CompletionUsage | null | undefined;
    let role: string | undefined;
    for await (const chunk of stream) {
      chunks++;
      const choice = chunk.choices[0];
      role ??= choice?.delta.role;
      text += choice?.delta.content ?? '';
      finish = choice?.finish_reason ?? finish;
      if (chunk.usage) {
        assert.deepEqual(chunk.choices, [], 'the usage chunk has no choices');
        usage = chunk.usage;
      }
    }
    assert.equal(role, 'assistant');
    assert.equal(text, whole.choices[0]?.message.content);
    assert.equal(finish, 'stop');
    assert.ok(chunks >= 5, `only ${chunks} chunks`);
    assert.deepEqual(usage, whole.usage);
  });

  test('without include_usage no chunk carries usage', async () => {
    const res = await raw.stream(`${server.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
    assert.ok(!res.text.includes('"usage"'));
    assert.ok(res.text.trimEnd().endsWith('data: [DONE]'));
  });

  test('a request naming a tool gets a tool call with the required arguments filled', async () => {
    const completion = await openai.chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'Please call get_weather for me' }],
      tools: [WEATHER_TOOL],
    });
    const choice = completion.choices[0];
    assert.equal(choice?.finish_reason, 'tool_calls');
    const call = choice?.message.tool_calls?.[0];
    assert.ok(call && call.type === 'function');
    assert.match(call.id, /^call_[A-Za-z0-9]{24}$/);
    assert.equal(call.function.name, 'get_weather');
    assert.deepEqual(JSON.parse(call.function.arguments), { city: 'mock', unit: 'celsius' });
  });

  test('tool_choice "required" forces a tool call; "auto" without a mention answers text', async () => {
    const forced = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }], tools: [WEATHER_TOOL], tool_choice: 'required' });
    assert.equal(forced.choices[0]?.finish_reason, 'tool_calls');
    const free = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hello' }], tools: [WEATHER_TOOL], tool_choice: 'auto' });
    assert.equal(free.choices[0]?.finish_reason, 'stop');
    assert.equal(free.choices[0]?.message.tool_calls, undefined);
  });

  test('streamed tool-call deltas reassemble into the call (header delta first, then argument pieces)', async () => {
    const stream = await openai.chat.completions.create({
      model: 'mock-chat',
      messages: [{ role: 'user', content: 'weather?' }],
      tools: [WEATHER_TOOL],
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
      stream: true,
    });
    const deltas: OpenAI.Chat.Completions.ChatCompletionChunk.Choice.Delta.ToolCall[] = [];
    let finish: string | null = null;
    for await (const chunk of stream) {
      deltas.push(...(chunk.choices[0]?.delta.tool_calls ?? []));
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    assert.ok(deltas.length >= 3, 'arguments arrive in several pieces');
    const [header, ...pieces] = deltas;
    assert.equal(header?.index, 0);
    assert.match(String(header?.id), /^call_/);
    assert.equal(header?.function?.name, 'get_weather');
    assert.equal(header?.function?.arguments, '');
    assert.ok(pieces.every((piece) => piece.id === undefined && piece.function?.name === undefined));
    const args = pieces.map((piece) => piece.function?.arguments ?? '').join('');
    assert.deepEqual(JSON.parse(args), { city: 'mock', unit: 'celsius' });
    assert.equal(finish, 'tool_calls');

    // The SDK's own accumulator agrees.
    const helper = openai.chat.completions.stream({ model: 'm', messages: [{ role: 'user', content: 'get_weather now' }], tools: [WEATHER_TOOL] });
    const final = await helper.finalChatCompletion();
    assert.equal(final.choices[0]?.message.tool_calls?.[0]?.type, 'function');
  });

  test('n: 2 answers two choices, indexed 0 and 1, also when streamed', async () => {
    const completion = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'two please' }], n: 2 });
    assert.deepEqual(completion.choices.map((choice) => choice.index), [0, 1]);
    const stream = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'two please' }], n: 2, stream: true });
    const texts = ['', ''];
    for await (const chunk of stream) {
      for (const choice of chunk.choices) texts[choice.index] += choice.delta.content ?? '';
    }
    assert.equal(texts[0], completion.choices[0]?.message.content);
    assert.equal(texts[1], completion.choices[1]?.message.content);
  });

  test('max_tokens cuts the answer with finish_reason length', async () => {
    const completion = await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'long answer please' }], max_tokens: 3 });
    assert.equal(completion.choices[0]?.finish_reason, 'length');
    assert.ok((completion.choices[0]?.message.content ?? '').length <= 12);
    assert.equal(completion.usage?.completion_tokens, 3);
  });

  test('float embeddings are deterministic unit vectors of the default dimension 16', async () => {
    const first = await openai.embeddings.create({ model: 'mock-embed', input: ['alpha', 'beta'], encoding_format: 'float' });
    const again = await openai.embeddings.create({ model: 'mock-embed', input: 'alpha', encoding_format: 'float' });
    assert.equal(first.object, 'list');
    assert.deepEqual(first.data.map((item) => item.index), [0, 1]);
    const [alpha, beta] = first.data.map((item) => item.embedding);
    assert.equal(alpha?.length, 16);
    assert.ok(Math.abs(Math.hypot(...(alpha ?? [])) - 1) < 1e-5);
    assert.deepEqual(again.data[0]?.embedding, alpha);
    assert.notDeepEqual(beta, alpha);
    assert.ok(first.usage.prompt_tokens >= 2);
  });

  test('base64 embeddings decode to the same floats, and dimensions is honoured', async () => {
    const floats = await openai.embeddings.create({ model: 'e', input: 'gamma', encoding_format: 'float', dimensions: 8 });
    // The SDK asks for base64 when no format is given, and decodes it.
    const decoded = await openai.embeddings.create({ model: 'e', input: 'gamma', dimensions: 8 });
    assert.deepEqual(Array.from(decoded.data[0]?.embedding ?? []), floats.data[0]?.embedding);
    const res = await raw.post(`${server.url}/embeddings`, { model: 'e', input: 'gamma', dimensions: 8, encoding_format: 'base64' });
    const embedding = (JSON.parse(res.text) as { data: { embedding: unknown }[] }).data[0]?.embedding;
    assert.equal(typeof embedding, 'string');
    assert.equal(Buffer.from(String(embedding), 'base64').length, 8 * 4);
  });

  test('token-array inputs embed like any other input', async () => {
    const res = await openai.embeddings.create({ model: 'e', input: [[1, 2, 3], [4, 5]], encoding_format: 'float' });
    assert.equal(res.data.length, 2);
    assert.equal(res.usage.prompt_tokens, 5);
  });

  test('the models list names some mock models', async () => {
    const ids: string[] = [];
    for await (const model of openai.models.list()) ids.push(model.id);
    assert.ok(ids.includes('mock-chat'));
  });
});

describe('mock server input handling', () => {
  test('malformed JSON gets an OpenAI-style 400', async () => {
    const res = await raw.post(`${server.url}/chat/completions`, '{"model": "m", ');
    assert.equal(res.status, 400);
    assert.equal((JSON.parse(res.text) as { error: { type: string } }).error.type, 'invalid_request_error');
  });

  test('a missing model or messages gets a 400 naming what is missing', async () => {
    const noModel = await raw.post(`${server.url}/chat/completions`, { messages: [{ role: 'user', content: 'x' }] });
    assert.equal(noModel.status, 400);
    assert.match(noModel.text, /model parameter/);
    const noMessages = await raw.post(`${server.url}/chat/completions`, { model: 'm' });
    assert.equal(noMessages.status, 400);
    assert.equal((JSON.parse(noMessages.text) as { error: { param: string } }).error.param, 'messages');
  });

  test('the openai client surfaces a 400 as BadRequestError', async () => {
    await assert.rejects(openai.chat.completions.create({ model: 'm', messages: [] }), OpenAI.BadRequestError);
  });

  test('an unknown path gets an OpenAI-style 404', async () => {
    const res = await raw.get(`${server.url}/completions-of-the-future`);
    assert.equal(res.status, 404);
    assert.match(res.text, /Invalid URL \(GET \/v1\/completions-of-the-future\)/);
  });

  test('garbage bodies of every kind leave the server answering', async () => {
    for (const body of ['', 'null', '[]', '"text"', '{"model": 5, "messages": "no"}', '{"model":"m","messages":[{"role":"user","content":{"weird":true}}]}']) {
      const res = await raw.post(`${server.url}/chat/completions`, body);
      assert.ok(res.status === 400 || res.status === 200, `${body} -> ${res.status}`);
    }
    const res = await raw.post(`${server.url}/embeddings`, { model: 'e', input: [] });
    assert.equal(res.status, 400);
    assert.equal((await openai.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'still up?' }] })).object, 'chat.completion');
  });

  test('with apiKey set, a wrong key gets OpenAI\'s 401 and the right key works', async () => {
    const locked = await startMockServer({ apiKey: 'sk-mock-secret-0123456789' });
    try {
      const wrong = new OpenAI({ baseURL: locked.url, apiKey: 'sk-wrong-key-abcdefghijk', maxRetries: 0 });
      await assert.rejects(wrong.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] }), (err: unknown) => {
        assert.ok(err instanceof OpenAI.AuthenticationError);
        assert.equal(err.code, 'invalid_api_key');
        return true;
      });
      const missing = await raw.post(`${locked.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] });
      assert.equal(missing.status, 401);
      const right = new OpenAI({ baseURL: locked.url, apiKey: 'sk-mock-secret-0123456789', maxRetries: 0 });
      assert.equal((await right.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'x' }] })).object, 'chat.completion');
      assert.equal(locked.stats().unauthorized, 2);
    } finally {
      await locked.close();
    }
  });

  test('chunk delay spaces out stream chunks', async () => {
    const paced = await startMockServer({ chunkDelayMs: 20 });
    try {
      const started = Date.now();
      const res = await raw.stream(`${paced.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'hi' }], stream: true });
      const chunks = res.text.split('data: ').length - 1;
      // Lower bound only: (chunks - 2) gaps of 20 ms at least, [DONE] excluded.
      assert.ok(Date.now() - started >= (chunks - 2) * 20 - 5, `${Date.now() - started} ms for ${chunks} chunks`);
    } finally {
      await paced.close();
    }
  });
});
