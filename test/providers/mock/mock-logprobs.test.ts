/** The mock's token log probabilities, in chat's and legacy completions' shapes, read with the official openai client. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import OpenAI from 'openai';
import { useMockServer } from './raw-client.js';

const mock = useMockServer('logprobs');
let sdk: OpenAI | undefined;
const openai = () => (sdk ??= new OpenAI({ baseURL: mock.server.url, apiKey: 'x', maxRetries: 0 }));
const messages = [{ role: 'user' as const, content: 'How sure are you?' }];

describe('mock server: log probabilities', () => {
  test('chat: one entry a token, which joined give the answer, each with its bytes and the alternatives asked for', async () => {
    const answer = await openai().chat.completions.create({ model: 'm', messages, logprobs: true, top_logprobs: 3 });
    const choice = answer.choices[0];
    const content = choice?.logprobs?.content ?? [];
    assert.ok(content.length > 5);
    assert.equal(content.map((entry) => entry.token).join(''), choice?.message.content);
    for (const entry of content) {
      assert.ok(entry.logprob <= 0 && entry.logprob >= -0.5);
      assert.equal(Buffer.from(entry.bytes ?? []).toString('utf8'), entry.token);
      assert.equal(entry.top_logprobs.length, 3);
      assert.deepEqual(entry.top_logprobs[0], { token: entry.token, logprob: entry.logprob, bytes: entry.bytes });
      assert.ok((entry.top_logprobs[1]?.logprob ?? 0) < entry.logprob, 'alternatives are less likely than the chosen token');
    }
    const again = await openai().chat.completions.create({ model: 'm', messages, logprobs: true, top_logprobs: 3 });
    assert.deepEqual(again.choices[0]?.logprobs, choice?.logprobs, 'the same answer carries the same figures');

    const plain = await openai().chat.completions.create({ model: 'm', messages });
    assert.equal(plain.choices[0]?.logprobs, null, 'none unless asked');
    const noAlternatives = await openai().chat.completions.create({ model: 'm', messages, logprobs: true });
    assert.deepEqual(noAlternatives.choices[0]?.logprobs?.content?.[0]?.top_logprobs, []);
  });

  test('chat stream: each content chunk carries its own tokens; together they are the whole answer', async () => {
    const stream = await openai().chat.completions.create({ model: 'm', messages, logprobs: true, top_logprobs: 1, stream: true });
    let text = '';
    let tokens = '';
    for await (const chunk of stream) {
      const choice = chunk.choices[0];
      text += choice?.delta.content ?? '';
      for (const entry of choice?.logprobs?.content ?? []) tokens += entry.token;
      if (choice?.delta.content) assert.equal(choice.logprobs?.content?.map((entry) => entry.token).join(''), choice.delta.content);
    }
    assert.ok(text.length > 20);
    assert.equal(tokens, text);
  });

  test('top_logprobs without logprobs is a 400 naming it, as at OpenAI', async () => {
    await assert.rejects(openai().chat.completions.create({ model: 'm', messages, top_logprobs: 2 }), (err: unknown) => {
      assert.ok(err instanceof OpenAI.BadRequestError);
      assert.equal(err.param, 'top_logprobs');
      return true;
    });
  });

  test('legacy completions: tokens, their log probabilities, alternatives and offsets, whole and streamed', async () => {
    const answer = await openai().completions.create({ model: 'm', prompt: 'Say it', max_tokens: 100, logprobs: 2 });
    const choice = answer.choices[0];
    const logprobs = choice?.logprobs;
    assert.equal(logprobs?.tokens?.join(''), choice?.text);
    assert.equal(logprobs?.token_logprobs?.length, logprobs?.tokens?.length);
    let at = 0;
    logprobs?.tokens?.forEach((token, i) => {
      assert.equal(logprobs.text_offset?.[i], at);
      at += token.length;
      const top = logprobs.top_logprobs?.[i] ?? {};
      assert.equal(Object.keys(top).length, 2);
      assert.equal(top[token], logprobs.token_logprobs?.[i]);
    });

    const stream = await openai().completions.create({ model: 'm', prompt: 'Say it', max_tokens: 100, logprobs: 0, stream: true });
    let text = '';
    for await (const chunk of stream) {
      const part = chunk.choices[0];
      if (!part?.text) continue;
      assert.equal(part.logprobs?.text_offset?.[0], text.length, 'offsets run on across chunks');
      assert.equal(Object.keys(part.logprobs?.top_logprobs?.[0] ?? {}).length, 1, 'logprobs 0: the chosen token alone');
      text += part.text;
    }
    assert.equal(text, choice?.text);
    const plain = await openai().completions.create({ model: 'm', prompt: 'Say it' });
    assert.equal(plain.choices[0]?.logprobs, null);
  });
});
