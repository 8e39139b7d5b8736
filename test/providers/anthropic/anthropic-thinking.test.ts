/** `reasoning_effort` in Anthropic's terms (extended thinking), and thinking read back from an answer, whole and streamed. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/errors.js';
import { DEFAULT_MAX_TOKENS } from '../../../src/providers/anthropic/index.js';
import { anthropicStream } from '../../../src/providers/anthropic/anthropic-stream.js';
import { omitsThinkingText, refusesSampling, refusesThinkingBudget, takesAdaptiveThinking, takesXhighEffort } from '../../../src/providers/anthropic/anthropic-thinking.js';
import { convertToAnthropicRequest } from '../../../src/providers/anthropic/convert-to-anthropic-request.js';
import { mapAnthropicResponse } from '../../../src/providers/anthropic/map-anthropic-response.js';
import { convertToBedrockRequest } from '../../../src/providers/bedrock/convert-to-bedrock-request.js';
import { CLAUDE_THINKING, THINKING_BUDGET, THINKING_EFFORT, type ClaudeThinking, type ReasoningBody } from '../../../src/providers/canonical/reasoning.js';
import type { ChatBody, JsonObject, StreamChunk } from '../../../src/providers/types.js';

const BUDGET_MODEL = 'claude-sonnet-4-5-20250929';
const ADAPTIVE_MODEL = 'claude-sonnet-4-6';

function convert(body: JsonObject, model = BUDGET_MODEL): JsonObject {
  const full = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }], ...body } as ChatBody;
  return convertToAnthropicRequest(full, { model, defaultMaxTokens: DEFAULT_MAX_TOKENS, stream: false }).body;
}

const SIGNED = { type: 'thinking', thinking: 'The user wants the weather; call the tool.', signature: 'c2lnbmVk' };

/** A conversation that ends in a tool loop: the assistant called a tool and its result follows. */
function toolLoop(assistantExtra: JsonObject = {}): JsonObject {
  return {
    reasoning_effort: 'medium',
    tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object', properties: {} } } }],
    messages: [
      { role: 'user', content: 'Weather in Oslo?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }], ...assistantExtra },
      { role: 'tool', tool_call_id: 'toolu_1', content: '4 degrees' },
    ],
  };
}

describe('which Claude models take adaptive thinking', () => {
  const cases: [string, boolean][] = [
    ['claude-sonnet-4-6', true],
    ['claude-opus-4-6', true],
    ['claude-opus-4-7-20260101', true],
    ['claude-sonnet-5', true],
    ['us.anthropic.claude-opus-4-6-v1:0', true],
    ['claude-sonnet-4-6@20260115', true],
    ['claude-sonnet-4-5-20250929', false],
    ['claude-opus-4-5', false],
    ['claude-opus-4-20250514', false],
    ['claude-3-7-sonnet-20250219', false],
    ['claude-haiku-4-5', false],
    ['anthropic.claude-sonnet-4-5-20250929-v1:0', false],
  ];
  for (const [model, adaptive] of cases) {
    test(`${model}: ${adaptive ? 'adaptive' : 'a token budget'}`, () => assert.equal(takesAdaptiveThinking(model), adaptive));
  }
});

describe('the rules of Claude Opus 4.7 and later, and Mythos, read from the name', () => {
  // [model, refuses a budget, takes xhigh, omits the thinking text by default, refuses sampling]
  const cases: [string, boolean, boolean, boolean, boolean][] = [
    ['claude-opus-4-7', true, true, true, true],
    ['us.anthropic.claude-opus-4-7-v1:0', true, true, true, true],
    ['claude-opus-4-8', true, true, true, true],
    ['claude-opus-5', true, true, true, true],
    ['claude-mythos-preview', true, false, true, false],
    ['claude-opus-4-6', false, false, false, false],
    ['claude-sonnet-4-6', false, false, false, false],
    ['claude-opus-4-20250514', false, false, false, false],
    ['claude-opus-4-5', false, false, false, false],
  ];
  for (const [model, budget, xhigh, omits, sampling] of cases) {
    test(model, () => {
      assert.equal(refusesThinkingBudget(model), budget, 'refuses a budget');
      assert.equal(takesXhighEffort(model), xhigh, 'takes xhigh');
      assert.equal(omitsThinkingText(model), omits, 'omits the text');
      assert.equal(refusesSampling(model), sampling, 'refuses sampling');
      assert.equal(takesAdaptiveThinking(model), budget || model.includes('-4-6'), 'adaptive');
    });
  }
});

describe('reasoning_effort becomes extended thinking', () => {
  test('on a budget model with no cap of its own: the effort budget, and max_tokens the budget plus the default', () => {
    const out = convert({ reasoning_effort: 'high' });
    assert.deepEqual(out.thinking, { type: 'enabled', budget_tokens: 24576 });
    assert.equal(out.max_tokens, 24576 + DEFAULT_MAX_TOKENS);
    assert.equal(out.output_config, undefined);
  });

  test("on a budget model the client's cap is kept and the budget fitted under it; a cap with no room for 1,024 sends no thinking", () => {
    assert.deepEqual(convert({ reasoning_effort: 'high', max_completion_tokens: 8000 }).thinking, { type: 'enabled', budget_tokens: 7999 });
    assert.equal(convert({ reasoning_effort: 'high', max_completion_tokens: 8000 }).max_tokens, 8000);
    assert.deepEqual(convert({ reasoning_effort: 'minimal', max_tokens: 8000 }).thinking, { type: 'enabled', budget_tokens: 1024 });
    const tiny = convert({ reasoning_effort: 'low', max_tokens: 1024 });
    assert.equal(tiny.thinking, undefined);
    assert.equal(tiny.max_tokens, 1024);
  });

  test('an exact budget from a Messages request is used as asked', () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: 'Hi' }], reasoning_effort: 'medium', max_tokens: 32000 } as ReasoningBody;
    body[THINKING_BUDGET] = 5000;
    const out = convertToAnthropicRequest(body, { model: BUDGET_MODEL, defaultMaxTokens: DEFAULT_MAX_TOKENS, stream: false }).body;
    assert.deepEqual(out.thinking, { type: 'enabled', budget_tokens: 5000 });
    // The symbol never reaches a serialised body.
    assert.doesNotMatch(JSON.stringify(body), /5000/);
  });

  test('on a 4.6 model: adaptive thinking with the effort, beside a JSON schema format', () => {
    const out = convert({ reasoning_effort: 'medium', response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }, ADAPTIVE_MODEL);
    assert.deepEqual(out.thinking, { type: 'adaptive' });
    assert.deepEqual(out.output_config, { format: { type: 'json_schema', schema: { type: 'object' } }, effort: 'medium' });
    assert.equal(out.max_tokens, DEFAULT_MAX_TOKENS);
    assert.deepEqual((convert({ reasoning_effort: 'xhigh' }, ADAPTIVE_MODEL).output_config as JsonObject).effort, 'max');
    assert.deepEqual((convert({ reasoning_effort: 'minimal' }, ADAPTIVE_MODEL).output_config as JsonObject).effort, 'low');
  });

  test('on Opus 4.7: xhigh as xhigh (max before it), and the thinking text asked for, as Opus 4.7 leaves it out by default', () => {
    const out = convert({ reasoning_effort: 'xhigh' }, 'claude-opus-4-7');
    assert.deepEqual(out.thinking, { type: 'adaptive', display: 'summarized' });
    assert.deepEqual(out.output_config, { effort: 'xhigh' });
    assert.deepEqual(convert({ reasoning_effort: 'xhigh' }, 'claude-opus-4-6').output_config, { effort: 'max' });
    assert.deepEqual(convert({ reasoning_effort: 'low' }, 'claude-opus-4-6').thinking, { type: 'adaptive' }, 'a 4.6 model shows its thinking unasked');
  });

  test("a Messages request's effort and display in Claude's words are sent as asked (xhigh is max where the model has none)", () => {
    const asked = (claude: ClaudeThinking, effort: ReasoningBody[typeof THINKING_EFFORT] = 'xhigh'): JsonObject => ({ [THINKING_EFFORT]: effort, [CLAUDE_THINKING]: claude });
    assert.deepEqual(convert(asked({ effort: 'max' }), 'claude-opus-4-7').output_config, { effort: 'max' });
    assert.deepEqual(convert(asked({ effort: 'xhigh' }), 'claude-opus-4-7').output_config, { effort: 'xhigh' });
    assert.deepEqual(convert(asked({ effort: 'xhigh' }), 'claude-sonnet-4-6').output_config, { effort: 'max' });
    assert.deepEqual(convert(asked({ effort: 'medium', display: 'omitted' }, 'medium'), 'claude-opus-4-6').thinking, { type: 'adaptive', display: 'omitted' });
    // No display from a Messages client: the model's own default, as if it had called Anthropic.
    assert.deepEqual(convert(asked({ effort: 'high' }, 'high'), 'claude-opus-4-7').thinking, { type: 'adaptive' });
    const budget = convert({ [THINKING_EFFORT]: 'low', [THINKING_BUDGET]: 2048, [CLAUDE_THINKING]: { display: 'omitted' } } as JsonObject);
    assert.deepEqual(budget.thinking, { type: 'enabled', budget_tokens: 2048, display: 'omitted' });
  });

  test("a Messages request's effort without thinking steers the answer on a model that takes an effort, and is left out on one that does not", () => {
    assert.deepEqual(convert({ [CLAUDE_THINKING]: { effort: 'low' } }, 'claude-sonnet-4-6').output_config, { effort: 'low' });
    assert.equal(convert({ [CLAUDE_THINKING]: { effort: 'low' } }, 'claude-sonnet-4-6').thinking, undefined);
    assert.deepEqual(convert({ [THINKING_EFFORT]: 'none', [CLAUDE_THINKING]: { effort: 'xhigh' } }, 'claude-opus-4-6').output_config, { effort: 'max' });
    assert.equal(convert({ [CLAUDE_THINKING]: { effort: 'low' } }, BUDGET_MODEL).output_config, undefined);
    // Thinking left out for a forced tool: the asked effort still goes.
    const forced = convert({ [THINKING_EFFORT]: 'medium', [CLAUDE_THINKING]: { effort: 'medium' }, tools: [{ type: 'function', function: { name: 'f' } }], tool_choice: 'required' }, 'claude-opus-4-7');
    assert.equal(forced.thinking, undefined);
    assert.deepEqual(forced.output_config, { effort: 'medium' });
  });

  test('"none", or no reasoning_effort, sends no thinking; an unknown effort is the client\'s 400', () => {
    assert.equal(convert({ reasoning_effort: 'none' }).thinking, undefined);
    assert.equal(convert({}).thinking, undefined);
    assert.throws(
      () => convert({ reasoning_effort: 'ultra' }),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'reasoning_effort' && err.shape === 'client_error',
    );
  });

  test('with thinking on, temperature other than 1 and top_p under 0.95 are left out; without it they are sent', () => {
    const on = convert({ reasoning_effort: 'low', temperature: 0.2, top_p: 0.9 });
    assert.equal(on.temperature, undefined);
    assert.equal(on.top_p, undefined);
    const kept = convert({ reasoning_effort: 'low', temperature: 1, top_p: 0.97 });
    assert.equal(kept.temperature, 1);
    assert.equal(kept.top_p, 0.97);
    const off = convert({ temperature: 0.2, top_p: 0.9 });
    assert.equal(off.temperature, 0.2);
    assert.equal(off.top_p, 0.9);
  });

  test('Opus 4.7 takes no temperature or top_p, with thinking or without; Bedrock says the same of it', () => {
    for (const body of [{ temperature: 0.2, top_p: 0.9 }, { temperature: 1, top_p: 0.97, reasoning_effort: 'low' }]) {
      const out = convert(body, 'claude-opus-4-7');
      assert.equal(out.temperature, undefined);
      assert.equal(out.top_p, undefined);
    }
    assert.equal(convert({ temperature: 0.2 }, 'claude-opus-4-6').temperature, 0.2);
    const converse = (model: string) => convertToBedrockRequest({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], temperature: 0.2 } as ChatBody, { model }).body.inferenceConfig as JsonObject | undefined;
    assert.equal(converse('us.anthropic.claude-opus-4-7-v1:0')?.temperature, undefined);
    assert.equal(converse('anthropic.claude-sonnet-4-5-20250929-v1:0')?.temperature, 0.2);
    assert.equal(converse('meta.llama3-70b-instruct-v1:0')?.temperature, 0.2);
  });

  test('a forced tool choice (required, a named function, json_object) sends no thinking: Anthropic refuses the two together', () => {
    const tools = [{ type: 'function', function: { name: 'f', parameters: { type: 'object' } } }];
    assert.equal(convert({ reasoning_effort: 'high', tools, tool_choice: 'required' }).thinking, undefined);
    assert.equal(convert({ reasoning_effort: 'high', tools, tool_choice: { type: 'function', function: { name: 'f' } } }).thinking, undefined);
    assert.equal(convert({ reasoning_effort: 'high', response_format: { type: 'json_object' } }).thinking, undefined);
    assert.deepEqual(convert({ reasoning_effort: 'high', tools, tool_choice: 'auto' }).thinking, { type: 'enabled', budget_tokens: 24576 });
  });

  test('a tool loop sent back with its signed thinking keeps thinking on, the assistant turn starting with the block', () => {
    const out = convert(toolLoop({ thinking_blocks: [SIGNED] }));
    assert.deepEqual(out.thinking, { type: 'enabled', budget_tokens: 10240 });
    const turns = out.messages as { role: string; content: JsonObject[] }[];
    assert.deepEqual(turns[1]?.content[0], SIGNED);
    assert.equal(turns[1]?.content[1]?.type, 'tool_use');
  });

  test('a tool loop sent back without its thinking (or with unsigned thinking) is sent without thinking, rather than refused', () => {
    assert.equal(convert(toolLoop()).thinking, undefined);
    assert.equal(convert(toolLoop({ thinking_blocks: [{ type: 'thinking', thinking: 'no signature' }] })).thinking, undefined);
  });

  test('past thinking blocks are not sent with thinking off; a malformed block is the client\'s 400 naming it', () => {
    const out = convert({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', thinking_blocks: [SIGNED] }, { role: 'user', content: 'c' }] });
    assert.deepEqual((out.messages as { content: JsonObject[] }[])[1]?.content, [{ type: 'text', text: 'b' }]);
    assert.throws(
      () => convert({ messages: [{ role: 'user', content: 'a' }, { role: 'assistant', content: 'b', thinking_blocks: [{ type: 'thinking' }] }, { role: 'user', content: 'c' }] }),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'messages[1].thinking_blocks[0]',
    );
  });
});

describe('thinking read back from an answer', () => {
  test('a whole message: reasoning_content (blocks joined by a blank line) and thinking_blocks with signatures, redacted ones kept', () => {
    const message = {
      id: 'msg_1',
      model: BUDGET_MODEL,
      content: [
        { type: 'thinking', thinking: 'First thought.', signature: 'sig1' },
        { type: 'redacted_thinking', data: 'ENCRYPTED' },
        { type: 'thinking', thinking: 'Second thought.', signature: 'sig2' },
        { type: 'text', text: 'Answer.' },
      ],
      stop_reason: 'end_turn',
      usage: { input_tokens: 3, output_tokens: 9 },
    };
    const answer = JSON.parse(mapAnthropicResponse(JSON.stringify(message), { jsonTool: undefined }).text) as { choices: { message: JsonObject }[] };
    const out = answer.choices[0]?.message;
    assert.equal(out?.content, 'Answer.');
    assert.equal(out?.reasoning_content, 'First thought.\n\nSecond thought.');
    assert.deepEqual(out?.thinking_blocks, [message.content[0], message.content[1], message.content[2]]);
  });

  test('an answer without thinking has neither field', () => {
    const message = { id: 'msg_1', model: BUDGET_MODEL, content: [{ type: 'text', text: 'Answer.' }], stop_reason: 'end_turn' };
    const out = (JSON.parse(mapAnthropicResponse(JSON.stringify(message), { jsonTool: undefined }).text) as { choices: { message: JsonObject }[] }).choices[0]?.message;
    assert.equal('reasoning_content' in (out ?? {}), false);
    assert.equal('thinking_blocks' in (out ?? {}), false);
  });

  test('a stream: reasoning_content deltas as thinking arrives, then the signed block once closed, then the text', async () => {
    const events: [string, JsonObject][] = [
      ['message_start', { type: 'message_start', message: { id: 'msg_1', model: BUDGET_MODEL, usage: { input_tokens: 3, output_tokens: 1 } } }],
      ['content_block_start', { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '', signature: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'Let me ' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'thinking_delta', thinking: 'think.' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 0, delta: { type: 'signature_delta', signature: 'SIG' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 0 }],
      ['content_block_start', { type: 'content_block_start', index: 1, content_block: { type: 'thinking', thinking: '', signature: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'thinking_delta', thinking: 'More.' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 1, delta: { type: 'signature_delta', signature: 'SIG2' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 1 }],
      ['content_block_start', { type: 'content_block_start', index: 2, content_block: { type: 'text', text: '' } }],
      ['content_block_delta', { type: 'content_block_delta', index: 2, delta: { type: 'text_delta', text: 'Hi.' } }],
      ['content_block_stop', { type: 'content_block_stop', index: 2 }],
      ['message_delta', { type: 'message_delta', delta: { stop_reason: 'end_turn' }, usage: { output_tokens: 12 } }],
      ['message_stop', { type: 'message_stop' }],
    ];
    const sse = events.map(([name, data]) => `event: ${name}\ndata: ${JSON.stringify(data)}\n\n`).join('');
    const chunks: StreamChunk[] = [];
    for await (const chunk of anthropicStream((async function* () { yield Buffer.from(sse); })(), { secrets: [], includeUsage: false, jsonTool: undefined })) chunks.push(chunk);
    const deltas = chunks.map((chunk) => (JSON.parse(chunk.data) as { choices: { delta: JsonObject }[] }).choices[0]?.delta ?? {});
    assert.deepEqual(
      deltas.filter((delta) => 'reasoning_content' in delta).map((delta) => delta.reasoning_content),
      ['Let me ', 'think.', '\n\nMore.'],
    );
    assert.deepEqual(
      deltas.filter((delta) => 'thinking_blocks' in delta).map((delta) => delta.thinking_blocks),
      [[{ type: 'thinking', thinking: 'Let me think.', signature: 'SIG' }], [{ type: 'thinking', thinking: 'More.', signature: 'SIG2' }]],
    );
    const order = deltas.map((delta) => Object.keys(delta)[0]).filter((key) => key !== 'role' && key !== undefined);
    assert.ok(order.lastIndexOf('thinking_blocks') < order.indexOf('content'), 'the thinking comes before the text');
    assert.ok(deltas.some((delta) => delta.content === 'Hi.'));
  });
});
