/**
 * A canonical request's reasoning in Converse terms: Claude's thinking fields in
 * additionalModelRequestFields (a budget or adaptive, by model), maxTokens fitted to the budget,
 * thinking left out where Claude refuses it, and the client's thinking blocks replayed only with
 * thinking on.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/errors.js';
import { DEFAULT_ANSWER_TOKENS } from '../../../src/providers/bedrock/bedrock-thinking.js';
import { convertToBedrockRequest } from '../../../src/providers/bedrock/convert-to-bedrock-request.js';
import { CLAUDE_THINKING, EFFORT_BUDGETS, THINKING_BUDGET, type ReasoningBody } from '../../../src/providers/canonical/reasoning.js';
import type { ChatBody, JsonObject } from '../../../src/providers/types.js';

/** Takes a budget (Claude before 4.6). */
const SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
/** Takes adaptive thinking (Claude Opus and Sonnet 4.6 and later), here as a cross-region inference profile. */
const OPUS_46 = 'us.anthropic.claude-opus-4-6-v1';
const SONNET_46_GLOBAL = 'global.anthropic.claude-sonnet-4-6';

const tool = { type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } };
const ask = (extra: JsonObject = {}): ChatBody => ({ model: 'chat', messages: [{ role: 'user', content: 'think about it' }], ...extra }) as ChatBody;

function convert(body: ChatBody, model = SONNET_45): JsonObject {
  return convertToBedrockRequest(body, { model }).body;
}

const signed = { type: 'thinking', thinking: 'I should look up the weather.', signature: 'c2lnbmVk' };
const redacted = { type: 'redacted_thinking', data: 'ZW5jcnlwdGVk' };
const unsigned = { type: 'thinking', thinking: 'reasoning from a provider that signs nothing' };

/** A two-step tool loop: the assistant's call (with its thinking blocks, if given), then the result. */
function toolLoop(thinkingBlocks: object[] | undefined, extra: JsonObject = {}): ChatBody {
  const assistant: JsonObject = { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } }] };
  if (thinkingBlocks) assistant.thinking_blocks = thinkingBlocks;
  return { model: 'chat', tools: [tool], messages: [{ role: 'user', content: 'weather in Oslo?' }, assistant, { role: 'tool', tool_call_id: 't1', content: '4°C' }], ...extra } as ChatBody;
}

function assistantTurn(body: JsonObject): JsonObject[] {
  const turns = body.messages as Array<{ role: string; content: JsonObject[] }>;
  return turns.find((turn) => turn.role === 'assistant')?.content ?? [];
}

describe('convertToBedrockRequest: reasoning for Claude', () => {
  test('a budget model gets thinking enabled with the effort’s budget, and maxTokens raised by it when the client set no cap', () => {
    const body = convert(ask({ reasoning_effort: 'medium' }));
    assert.deepEqual(body.additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: EFFORT_BUDGETS.medium } });
    assert.deepEqual(body.inferenceConfig, { maxTokens: EFFORT_BUDGETS.medium + DEFAULT_ANSWER_TOKENS });
  });

  test('an adaptive model (Opus or Sonnet 4.6, any inference-profile prefix) gets adaptive thinking with output_config.effort, and no maxTokens of its own', () => {
    const body = convert(ask({ reasoning_effort: 'high' }), OPUS_46);
    assert.deepEqual(body.additionalModelRequestFields, { thinking: { type: 'adaptive' }, output_config: { effort: 'high' } });
    assert.equal(body.inferenceConfig, undefined, 'Bedrock’s default cap stays');
    const xhigh = convert(ask({ reasoning_effort: 'xhigh', max_tokens: 8000 }), SONNET_46_GLOBAL);
    assert.deepEqual(xhigh.additionalModelRequestFields, { thinking: { type: 'adaptive' }, output_config: { effort: 'max' } });
    assert.deepEqual(xhigh.inferenceConfig, { maxTokens: 8000 }, 'the client’s cap is kept');
  });

  test('the budget is fitted under a client max_tokens; a cap with no room for the smallest budget sends no thinking', () => {
    const clipped = convert(ask({ reasoning_effort: 'high', max_tokens: 3000 }));
    assert.deepEqual(clipped.additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: 2999 } });
    assert.deepEqual(clipped.inferenceConfig, { maxTokens: 3000 });
    const tight = convert(ask({ reasoning_effort: 'high', max_completion_tokens: 1000 }));
    assert.equal(tight.additionalModelRequestFields, undefined);
    assert.deepEqual(tight.inferenceConfig, { maxTokens: 1000 });
  });

  test('the exact budget a Messages request gave is the one sent', () => {
    const body: ReasoningBody = { ...ask({ reasoning_effort: 'low' }), [THINKING_BUDGET]: 2048 };
    assert.deepEqual(convert(body).additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: 2048 } });
  });

  test('with thinking on, temperature other than 1 and top_p under 0.95 are left out; without it they go as before', () => {
    const on = convert(ask({ reasoning_effort: 'low', temperature: 0.3, top_p: 0.5, stop: ['END'] }));
    assert.deepEqual(on.inferenceConfig, { maxTokens: EFFORT_BUDGETS.low + DEFAULT_ANSWER_TOKENS, stopSequences: ['END'] });
    const allowed = convert(ask({ reasoning_effort: 'low', temperature: 1, top_p: 0.97 }));
    assert.deepEqual(allowed.inferenceConfig, { maxTokens: EFFORT_BUDGETS.low + DEFAULT_ANSWER_TOKENS, temperature: 1, topP: 0.97 });
    const off = convert(ask({ temperature: 0.3, top_p: 0.5 }));
    assert.deepEqual(off.inferenceConfig, { temperature: 0.3, topP: 0.5 });
  });

  test('a forced tool (required, a named function, or json_object through its tool) sends no thinking; auto does', () => {
    for (const extra of [{ tool_choice: 'required' }, { tool_choice: { type: 'function', function: { name: 'get_weather' } } }, { response_format: { type: 'json_object' } }]) {
      const body = convert(ask({ reasoning_effort: 'medium', tools: [tool], ...extra }));
      assert.equal(body.additionalModelRequestFields, undefined, JSON.stringify(extra));
      assert.equal(body.inferenceConfig, undefined, JSON.stringify(extra));
    }
    const auto = convert(ask({ reasoning_effort: 'medium', tools: [tool], tool_choice: 'auto' }));
    assert.deepEqual(auto.additionalModelRequestFields, { thinking: { type: 'enabled', budget_tokens: EFFORT_BUDGETS.medium } });
  });

  test('no reasoning_effort, or "none", sends no thinking', () => {
    assert.equal(convert(ask()).additionalModelRequestFields, undefined);
    assert.equal(convert(ask({ reasoning_effort: 'none' }), OPUS_46).additionalModelRequestFields, undefined);
  });
});

describe('convertToBedrockRequest: thinking blocks sent back', () => {
  test('with thinking on, the assistant turn starts with the signed and redacted blocks as reasoningContent; unsigned ones are dropped', () => {
    const body = convert(toolLoop([signed, unsigned, redacted], { reasoning_effort: 'medium' }));
    assert.ok(body.additionalModelRequestFields, 'thinking stays on: the loop kept its signed thinking');
    assert.deepEqual(assistantTurn(body), [
      { reasoningContent: { reasoningText: { text: signed.thinking, signature: signed.signature } } },
      { reasoningContent: { redactedContent: redacted.data } },
      { toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Oslo' } } },
    ]);
  });

  test('with thinking off (not asked, or a non-Claude model), the blocks are read but not sent', () => {
    for (const [body, model] of [
      [toolLoop([signed, redacted]), SONNET_45],
      [toolLoop([signed], { reasoning_effort: 'high' }), 'amazon.nova-pro-v1:0'],
    ] as const) {
      const out = convert(body, model);
      assert.equal(out.additionalModelRequestFields, undefined, model);
      assert.deepEqual(assistantTurn(out), [{ toolUse: { toolUseId: 't1', name: 'get_weather', input: { city: 'Oslo' } } }], model);
    }
  });

  test('a tool loop whose assistant turn came back without its signed thinking is sent without thinking (Claude would refuse it)', () => {
    for (const blocks of [undefined, [unsigned]]) {
      const body = convert(toolLoop(blocks, { reasoning_effort: 'medium' }));
      assert.equal(body.additionalModelRequestFields, undefined, JSON.stringify(blocks));
      assert.equal(assistantTurn(body).some((block) => 'reasoningContent' in block), false);
    }
  });

  test('thinking blocks of another shape are the client’s 400, naming the block', () => {
    assert.throws(
      () => convert(toolLoop([{ type: 'thinking', thinking: 42 }], { reasoning_effort: 'medium' })),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'messages[1].thinking_blocks[0]',
    );
  });
});

describe('convertToBedrockRequest: reasoning for other models', () => {
  test('reasoning_effort is left out for a model other than Claude, and an unknown effort is still the client’s 400', () => {
    for (const model of ['amazon.nova-pro-v1:0', 'meta.llama3-70b-instruct-v1:0', 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123']) {
      const body = convert(ask({ reasoning_effort: 'high', temperature: 0.3 }), model);
      assert.equal(body.additionalModelRequestFields, undefined, model);
      assert.deepEqual(body.inferenceConfig, { temperature: 0.3 }, model);
    }
    assert.throws(
      () => convert(ask({ reasoning_effort: 'extreme' })),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'reasoning_effort',
    );
  });

  test('Amazon Nova 2 gets reasoningConfig at the nearest of its efforts; high takes no maxTokens, so under a client cap it is medium', () => {
    const nova = (extra: JsonObject, model = 'us.amazon.nova-2-lite-v1:0') => convert(ask(extra), model);
    const config = (body: JsonObject) => (body.additionalModelRequestFields as JsonObject | undefined)?.reasoningConfig;
    assert.deepEqual(config(nova({ reasoning_effort: 'minimal' })), { type: 'enabled', maxReasoningEffort: 'low' });
    assert.deepEqual(config(nova({ reasoning_effort: 'medium', max_tokens: 800 })), { type: 'enabled', maxReasoningEffort: 'medium' });
    assert.deepEqual(nova({ reasoning_effort: 'medium', max_tokens: 800 }).inferenceConfig, { maxTokens: 800 });
    const high = nova({ reasoning_effort: 'xhigh', temperature: 0.3 }, 'amazon.nova-2-lite-v1:0');
    assert.deepEqual(config(high), { type: 'enabled', maxReasoningEffort: 'high' });
    assert.deepEqual(high.inferenceConfig, { temperature: 0.3 }, 'no maxTokens beside high; Claude sampling rules do not apply');
    const capped = nova({ reasoning_effort: 'high', max_completion_tokens: 2000 });
    assert.deepEqual(config(capped), { type: 'enabled', maxReasoningEffort: 'medium' });
    assert.deepEqual(capped.inferenceConfig, { maxTokens: 2000 }, "the client's cap is kept");
    assert.equal(nova({ reasoning_effort: 'none' }).additionalModelRequestFields, undefined);
    assert.equal(nova({}).additionalModelRequestFields, undefined);
    // Read through model_family for a name that does not say.
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/nova';
    assert.deepEqual(convertToBedrockRequest(ask({ reasoning_effort: 'low' }), { model: arn, modelFamily: 'nova-2-lite' }).body.additionalModelRequestFields, { reasoningConfig: { type: 'enabled', maxReasoningEffort: 'low' } });
  });

  test("a Messages request's effort without thinking goes to Claude that takes an effort, as on Anthropic's API, and to no other model", () => {
    const effortOnly = { model: 'chat', messages: [{ role: 'user', content: 'hi' }], [CLAUDE_THINKING]: { effort: 'xhigh' } } as unknown as ChatBody;
    assert.deepEqual(convert(effortOnly, OPUS_46).additionalModelRequestFields, { output_config: { effort: 'max' } });
    assert.equal(convert(effortOnly, SONNET_45).additionalModelRequestFields, undefined, 'Sonnet 4.5 takes no effort');
    assert.equal(convert(effortOnly, 'amazon.nova-2-lite-v1:0').additionalModelRequestFields, undefined);
    assert.equal(convert(effortOnly, 'meta.llama3-70b-instruct-v1:0').additionalModelRequestFields, undefined);
  });

  test('Nova 2 with reasoning on gets no thinking blocks back: only Claude takes signed thinking', () => {
    const body = convert(toolLoop([signed], { reasoning_effort: 'low' }), 'amazon.nova-2-lite-v1:0');
    assert.ok(!assistantTurn(body).some((block) => 'reasoningContent' in block));
  });
});
