/**
 * The mock Gemini dialect's thinking on the wire: a thought summary first when `includeThoughts`
 * asks (whole, and as the first streamed event), its tokens in `thoughtsTokenCount`, and a
 * thinkingConfig the model would refuse answered with Gemini's 400 INVALID_ARGUMENT.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { startMockServer, type MockServer } from '../../../src/providers/mock/index.js';
import { createRawClient } from '../mock/raw-client.js';

const KEY = 'AIzaSyMockThinkingKey-0123456789abcdefg';

interface Part {
  text?: string;
  thought?: boolean;
}
interface GenerateContentResponse {
  candidates: Array<{ content: { parts: Part[] }; finishReason?: string }>;
  usageMetadata: { promptTokenCount: number; candidatesTokenCount?: number; thoughtsTokenCount?: number; totalTokenCount: number };
}

describe('the mock Gemini dialect thinks as Gemini does', () => {
  let mock: MockServer;
  const raw = createRawClient();
  before(async () => {
    mock = await startMockServer({ name: 'wire', apiKey: KEY });
  });
  after(async () => {
    await mock.close();
    await raw.agent.close();
  });

  function post(model: string, thinkingConfig: unknown, method = 'generateContent') {
    const body: Record<string, unknown> = { contents: [{ role: 'user', parts: [{ text: 'why is the sky blue at noon today' }] }] };
    if (thinkingConfig !== undefined) body.generationConfig = { thinkingConfig };
    return raw.post(`${mock.origin}/v1beta/models/${model}:${method}`, body, { 'x-goog-api-key': KEY });
  }

  test('includeThoughts: a thought part comes first, derived from the prompt, and its tokens are counted apart', async () => {
    const res = await post('gemini-2.5-flash', { thinkingBudget: 1024, includeThoughts: true });
    assert.equal(res.status, 200, res.text);
    const answer = JSON.parse(res.text) as GenerateContentResponse;
    const parts = answer.candidates[0]?.content.parts ?? [];
    assert.deepEqual(parts[0], { text: 'Thinking about: why is the sky blue at', thought: true });
    assert.match(parts[1]?.text ?? '', /^Mock answer from wire \(gemini-2\.5-flash\): why is the sky blue/);
    const usage = answer.usageMetadata;
    assert.ok((usage.thoughtsTokenCount ?? 0) > 0);
    assert.equal(usage.totalTokenCount, usage.promptTokenCount + (usage.candidatesTokenCount ?? 0) + (usage.thoughtsTokenCount ?? 0));
  });

  test('streamed, the thought part is the first event, alone; the answer follows as before', async () => {
    const res = await post('gemini-3-flash-preview', { thinkingLevel: 'high', includeThoughts: true }, 'streamGenerateContent?alt=sse');
    assert.equal(res.status, 200, res.text);
    const events = res.text
      .split('\r\n\r\n')
      .filter((frame) => frame.startsWith('data: '))
      .map((frame) => JSON.parse(frame.slice('data: '.length)) as GenerateContentResponse);
    assert.deepEqual(events[0]?.candidates[0]?.content.parts, [{ text: 'Thinking about: why is the sky blue at', thought: true }]);
    assert.equal(events[0]?.candidates[0]?.finishReason, undefined);
    assert.ok(events.slice(1).every((event) => event.candidates[0]?.content.parts.every((part) => part.thought === undefined)));
    assert.ok((events.at(-1)?.usageMetadata.thoughtsTokenCount ?? 0) > 0);
  });

  test('no thought part without includeThoughts, or with thinking turned off', async () => {
    for (const config of [undefined, { thinkingBudget: 2048 }, { thinkingBudget: 0, includeThoughts: true }]) {
      const res = await post('gemini-2.5-flash', config);
      assert.equal(res.status, 200, res.text);
      const answer = JSON.parse(res.text) as GenerateContentResponse;
      assert.equal(answer.candidates[0]?.content.parts.length, 1, JSON.stringify(config));
      assert.equal(answer.usageMetadata.thoughtsTokenCount, undefined);
    }
  });

  test('what each model takes is accepted: levels in either case, -1 everywhere, budgets in range', async () => {
    const accepted: Array<[string, unknown]> = [
      ['gemini-3-pro-preview', { thinkingLevel: 'LOW' }],
      ['gemini-3-pro-preview', { thinkingLevel: 'high', includeThoughts: true }],
      ['gemini-3.1-pro-preview', { thinkingLevel: 'medium' }],
      ['gemini-3-flash-preview', { thinkingLevel: 'minimal' }],
      ['gemini-2.5-pro', { thinkingBudget: 128 }],
      ['gemini-2.5-pro', { thinkingBudget: 32768 }],
      ['gemini-2.5-pro', { thinkingBudget: -1 }],
      ['gemini-2.5-flash', { thinkingBudget: 24576 }],
      ['gemini-2.5-flash-lite', { thinkingBudget: 0 }],
      ['gemini-2.5-flash-lite', { thinkingBudget: 512 }],
    ];
    for (const [model, config] of accepted) assert.equal((await post(model, config)).status, 200, `${model} ${JSON.stringify(config)}`);
  });

  test('what a model would refuse is a 400 INVALID_ARGUMENT in Gemini’s error shape', async () => {
    const refused: Array<[string, unknown, RegExp]> = [
      ['gemini-2.5-flash', { thinkingLevel: 'high' }, /Thinking level is not supported/],
      ['gemini-3-pro-preview', { thinkingLevel: 'medium' }, /MEDIUM is not supported/],
      ['gemini-3-pro-preview', { thinkingLevel: 'minimal' }, /MINIMAL is not supported/],
      ['gemini-3.1-pro-preview', { thinkingLevel: 'minimal' }, /MINIMAL is not supported/],
      ['gemini-3-flash-preview', { thinkingLevel: 'extreme' }, /EXTREME is not supported/],
      ['gemini-3-flash-preview', { thinkingLevel: 'low', thinkingBudget: 1024 }, /Only one of/],
      ['gemini-2.5-flash', { thinkingBudget: 32768 }, /thinking budget \(32768\) is invalid/],
      ['gemini-2.5-flash-lite', { thinkingBudget: 100 }, /between 512 and 24576/],
      ['gemini-2.5-pro', { thinkingBudget: 0 }, /only works in thinking mode/],
      ['gemini-3-pro-preview', { thinkingBudget: 0 }, /only works in thinking mode/],
      ['gemini-2.0-flash', { thinkingBudget: 1024 }, /not supported by this model/],
    ];
    for (const [model, config, message] of refused) {
      const res = await post(model, config);
      const label = `${model} ${JSON.stringify(config)}`;
      assert.equal(res.status, 400, label);
      const { error } = JSON.parse(res.text) as { error: { code: number; status: string; message: string } };
      assert.equal(error.code, 400, label);
      assert.equal(error.status, 'INVALID_ARGUMENT', label);
      assert.match(error.message, message, label);
    }
  });
});
