/** The mock's legacy `POST /v1/completions`, with the official openai client and raw HTTP for faults. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { sseData, useMockServer } from './raw-client.js';

const mock = useMockServer('legacy');
const { client } = mock;
let sdk: OpenAI | undefined;
/** The official client, made at first use (the server starts in a hook). */
const openai = () => (sdk ??= new OpenAI({ baseURL: mock.server.url, apiKey: 'x', maxRetries: 0 }));

const completions = () => `${mock.server.url}/completions`;

describe('mock server: legacy completions', () => {
  test('a text_completion answers the prompt, cut at 16 tokens unless max_tokens says otherwise', async () => {
    const short = await openai().completions.create({ model: 'mock-instruct', prompt: 'Describe the sea at night in detail' });
    assert.match(short.id, /^cmpl-[A-Za-z0-9]{29}$/);
    assert.equal(short.object, 'text_completion');
    assert.equal(short.model, 'mock-instruct');
    assert.equal(short.choices[0]?.finish_reason, 'length');
    assert.equal(short.choices[0]?.text.length, 16 * 4);
    assert.deepEqual(short.usage, { prompt_tokens: 9, completion_tokens: 16, total_tokens: 25 });
    const whole = await openai().completions.create({ model: 'mock-instruct', prompt: 'Describe the sea', max_tokens: 500 });
    assert.match(whole.choices[0]?.text ?? '', /^Mock answer from legacy \(mock-instruct\): Describe the sea — this reply comes/);
    assert.equal(whole.choices[0]?.finish_reason, 'stop');
  });

  test('several prompts and n give prompt-major choices; echo puts each prompt first', async () => {
    const answer = await openai().completions.create({ model: 'm', prompt: ['first', 'second'], n: 2, echo: true, max_tokens: 100 });
    assert.deepEqual(
      answer.choices.map((choice) => [choice.index, choice.text.split('Mock answer')[0]]),
      [
        [0, 'first'],
        [1, 'first'],
        [2, 'second'],
        [3, 'second'],
      ],
    );
    const tokens = await openai().completions.create({ model: 'm', prompt: [1, 2, 3, 4, 5], max_tokens: 100 });
    assert.equal(tokens.usage?.prompt_tokens, 5);
  });

  test('a stream sends text chunks, a finish chunk per choice, usage when asked, and [DONE]', async () => {
    const stream = await openai().completions.create({ model: 'm', prompt: 'Stream this', max_tokens: 100, stream: true, stream_options: { include_usage: true } });
    let text = '';
    const finishes: (string | null)[] = [];
    let usage: unknown;
    for await (const chunk of stream) {
      assert.equal(chunk.object, 'text_completion');
      for (const choice of chunk.choices) {
        text += choice.text;
        if (choice.finish_reason) finishes.push(choice.finish_reason);
      }
      if (chunk.usage) usage = chunk.usage;
    }
    assert.match(text, /^Mock answer from legacy \(m\): Stream this/);
    assert.deepEqual(finishes, ['stop']);
    assert.ok(usage);
  });

  test('faults: a context overflow blames prompt, a content filter ends with its finish reason, a stream error comes in-band', async () => {
    mock.server.setFaults([{ kind: 'context_overflow', count: 1 }, { kind: 'content_filter', count: 1 }, { kind: 'stream_error', after_chunks: 1 }]);
    const overflow = await client.post(completions(), { model: 'm', prompt: 'x' });
    assert.equal(overflow.status, 400);
    assert.equal((JSON.parse(overflow.text) as { error: { param: string; code: string } }).error.param, 'prompt');
    const filtered = await client.post(completions(), { model: 'm', prompt: 'x' });
    const body = JSON.parse(filtered.text) as { choices: { text: string; finish_reason: string }[] };
    assert.deepEqual(body.choices.map((choice) => [choice.text, choice.finish_reason]), [['', 'content_filter']]);
    const broken = await client.stream(completions(), { model: 'm', prompt: 'x', stream: true });
    const data = sseData(broken.text);
    assert.equal(data.length, 2);
    assert.match(data[1] as string, /"error"/);
  });

  test("a fault's endpoint filter tells completions from chat", async () => {
    mock.server.setFaults([{ kind: 'error', endpoint: 'chat' }]);
    assert.equal((await client.post(completions(), { model: 'm', prompt: 'x' })).status, 200);
    mock.server.setFaults([{ kind: 'error', endpoint: 'completions' }]);
    assert.equal((await client.post(completions(), { model: 'm', prompt: 'x' })).status, 503);
    assert.equal((await client.post(`${mock.server.url}/chat/completions`, { model: 'm', messages: [{ role: 'user', content: 'x' }] })).status, 200);
  });

  test('a request without a prompt, or with a malformed one, is a 400 naming prompt', async () => {
    for (const body of [{ model: 'm' }, { model: 'm', prompt: [] }, { model: 'm', prompt: [[1], 'a'] }]) {
      const res = await client.post(completions(), body);
      assert.equal(res.status, 400, res.text);
      assert.match(res.text, /"param":"prompt/);
    }
  });
});
