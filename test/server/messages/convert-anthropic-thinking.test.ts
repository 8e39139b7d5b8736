import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { CLAUDE_THINKING, readReasoning, THINKING_BUDGET, THINKING_EFFORT, unserialisedReasoning, type ReasoningBody } from '../../../src/providers/canonical/reasoning.js';
import { convertFromAnthropicRequest } from '../../../src/server/anthropic/convert-from-anthropic-request.js';

const USER = [{ role: 'user', content: 'hi' }];
const convert = (body: Record<string, unknown>): ReasoningBody => convertFromAnthropicRequest({ model: 'chat', max_tokens: 8192, messages: USER, ...body }, { requireMaxTokens: true });

function rejects(body: Record<string, unknown>, param: string, message: RegExp): void {
  assert.throws(
    () => convert(body),
    (err: unknown) => err instanceof GatewayError && err.status === 400 && err.shape === 'client_error' && err.param === param && message.test(err.message),
    `${JSON.stringify(body)} is a 400 naming ${param}`,
  );
}

describe("a Messages request's thinking to the canonical reasoning", () => {
  test('enabled thinking asks for the effort that covers its budget, and the budget itself, under keys that JSON never writes', () => {
    const body = convert({ thinking: { type: 'enabled', budget_tokens: 5000 } });
    assert.equal(body[THINKING_EFFORT], 'medium');
    assert.equal(body[THINKING_BUDGET], 5000);
    assert.equal('reasoning_effort' in body, false, 'an OpenAI-format upstream must never get reasoning_effort from a Messages request');
    assert.doesNotMatch(JSON.stringify(body), /reasoning|thinking|5000/);
    assert.deepEqual(readReasoning(body), { mode: 'on', effort: 'medium', budgetTokens: 5000, claude: {} });
    assert.equal(convert({ thinking: { type: 'enabled', budget_tokens: 1024 } })[THINKING_EFFORT], 'minimal');
    assert.equal(convertFromAnthropicRequest({ model: 'chat', max_tokens: 64000, messages: USER, thinking: { type: 'enabled', budget_tokens: 60000 } }, { requireMaxTokens: true })[THINKING_EFFORT as never], 'xhigh');
  });

  test("adaptive thinking takes output_config.effort (max is the top, xhigh), high when none is given", () => {
    const effort = (value: string | undefined) => convert({ thinking: { type: 'adaptive' }, output_config: value === undefined ? undefined : { effort: value } });
    assert.equal(effort(undefined)[THINKING_EFFORT], 'high');
    assert.equal(effort('low')[THINKING_EFFORT], 'low');
    assert.equal(effort('medium')[THINKING_EFFORT], 'medium');
    assert.equal(effort('high')[THINKING_EFFORT], 'high');
    assert.equal(effort('xhigh')[THINKING_EFFORT], 'xhigh');
    assert.equal(effort('max')[THINKING_EFFORT], 'xhigh');
    assert.equal(effort('max')[THINKING_BUDGET], undefined);
    assert.deepEqual(readReasoning(effort('low')), { mode: 'on', effort: 'low', budgetTokens: undefined, claude: { effort: 'low' } });
  });

  test("the effort and display as Claude's words have them ride along for Claude, and count in the keys a request is cached under", () => {
    const max = convert({ thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'max' } });
    const xhigh = convert({ thinking: { type: 'adaptive', display: 'omitted' }, output_config: { effort: 'xhigh' } });
    assert.deepEqual(max[CLAUDE_THINKING], { effort: 'max', display: 'omitted' });
    assert.deepEqual(xhigh[CLAUDE_THINKING], { effort: 'xhigh', display: 'omitted' });
    assert.deepEqual(convert({ thinking: { type: 'adaptive' } })[CLAUDE_THINKING], { effort: 'high' });
    assert.deepEqual(convert({ thinking: { type: 'enabled', budget_tokens: 2048, display: 'summarized' } })[CLAUDE_THINKING], { display: 'summarized' });
    assert.equal(convert({ thinking: { type: 'disabled' } })[CLAUDE_THINKING], undefined);
    assert.doesNotMatch(JSON.stringify(max), /omitted|"max"/);
    // Both are the canonical xhigh; only the Claude words tell them apart, and the keys must too.
    assert.equal(max[THINKING_EFFORT], xhigh[THINKING_EFFORT]);
    assert.notEqual(unserialisedReasoning(max), unserialisedReasoning(xhigh));
    assert.notEqual(unserialisedReasoning(max), unserialisedReasoning(convert({ thinking: { type: 'adaptive', display: 'summarized' }, output_config: { effort: 'max' } })));
  });

  test('disabled thinking turns reasoning off; no thinking asks nothing; an effort without thinking rides along in Claude\'s words only', () => {
    assert.deepEqual(readReasoning(convert({ thinking: { type: 'disabled' } })), { mode: 'off' });
    assert.deepEqual(readReasoning(convert({})), { mode: 'default' });
    assert.deepEqual(Object.getOwnPropertySymbols(convert({})), []);
    const effortOnly = convert({ output_config: { effort: 'low' } });
    assert.deepEqual(readReasoning(effortOnly), { mode: 'default' }, 'no reasoning asked of other providers');
    assert.equal(effortOnly[THINKING_EFFORT], undefined);
    assert.deepEqual(effortOnly[CLAUDE_THINKING], { effort: 'low' });
    const disabled = convert({ thinking: { type: 'disabled' }, output_config: { effort: 'medium' } });
    assert.equal(disabled[THINKING_EFFORT], 'none');
    assert.deepEqual(disabled[CLAUDE_THINKING], { effort: 'medium' });
    assert.notEqual(unserialisedReasoning(effortOnly), unserialisedReasoning(convert({})), 'the effort counts in the cache key');
  });

  test('thinking is checked as Anthropic checks it, each error a 400 naming the field', () => {
    rejects({ thinking: { type: 'enabled', budget_tokens: 1023 } }, 'thinking.budget_tokens', /at least 1024/);
    rejects({ thinking: { type: 'enabled', budget_tokens: 8192 } }, 'thinking.budget_tokens', /less than max_tokens/);
    rejects({ thinking: { type: 'enabled', budget_tokens: 2048.5 } }, 'thinking.budget_tokens', /./);
    rejects({ thinking: { type: 'enabled' } }, 'thinking.budget_tokens', /Field required/);
    rejects({ thinking: { type: 'sometimes' } }, 'thinking.type', /"enabled".*"adaptive".*"disabled"/);
    rejects({ thinking: {} }, 'thinking.type', /"enabled"/);
    rejects({ thinking: 'on' }, 'thinking', /object/);
    rejects({ thinking: { type: 'adaptive' }, output_config: { effort: 'extreme' } }, 'output_config.effort', /./);
    rejects({ thinking: { type: 'adaptive', display: 'full' } }, 'thinking.display', /"summarized" or "omitted"/);
  });

  test('count_tokens takes thinking without max_tokens, and still checks the budget', () => {
    const body = convertFromAnthropicRequest({ model: 'chat', messages: USER, thinking: { type: 'enabled', budget_tokens: 2048 } }, { requireMaxTokens: false }) as ReasoningBody;
    assert.equal(body[THINKING_BUDGET], 2048);
    assert.throws(() => convertFromAnthropicRequest({ model: 'chat', messages: USER, thinking: { type: 'enabled', budget_tokens: 10 } }, { requireMaxTokens: false }), /thinking\.budget_tokens/);
  });

  test("an assistant turn's thinking and redacted_thinking blocks become its thinking_blocks in order, and its thinking text reasoning_content", () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'weather?' },
        {
          role: 'assistant',
          content: [
            { type: 'thinking', thinking: 'First, the city.', signature: 'sig-1' },
            { type: 'redacted_thinking', data: 'ENCRYPTED' },
            { type: 'thinking', thinking: 'Then the tool.', signature: 'sig-2' },
            { type: 'text', text: 'Let me check.' },
            { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Paris' } },
          ],
        },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'sunny' }] },
      ],
    });
    assert.deepEqual(body.messages[1], {
      role: 'assistant',
      content: 'Let me check.',
      tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } }],
      thinking_blocks: [
        { type: 'thinking', thinking: 'First, the city.', signature: 'sig-1' },
        { type: 'redacted_thinking', data: 'ENCRYPTED' },
        { type: 'thinking', thinking: 'Then the tool.', signature: 'sig-2' },
      ],
      reasoning_content: 'First, the city.\n\nThen the tool.',
    });
  });

  test('a thinking block with the empty signature the gateway answers for unsigned reasoning goes back unsigned; only redacted thinking gives no reasoning_content', () => {
    const unsigned = convert({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'thinking', thinking: 'hmm', signature: '' }, { type: 'text', text: 'a' }] }, { role: 'user', content: 'more' }] });
    assert.deepEqual(unsigned.messages[1], { role: 'assistant', content: 'a', thinking_blocks: [{ type: 'thinking', thinking: 'hmm' }], reasoning_content: 'hmm' });
    const redacted = convert({ messages: [{ role: 'user', content: 'q' }, { role: 'assistant', content: [{ type: 'redacted_thinking', data: 'X' }, { type: 'text', text: 'a' }] }, { role: 'user', content: 'more' }] });
    assert.deepEqual(redacted.messages[1], { role: 'assistant', content: 'a', thinking_blocks: [{ type: 'redacted_thinking', data: 'X' }] });
  });

  test('a malformed thinking block is a 400 naming it; thinking in a user turn is still one', () => {
    const history = (block: unknown, role = 'assistant') => ({ messages: [{ role: 'user', content: 'q' }, { role, content: [block] }, { role: 'user', content: 'go on' }] });
    rejects(history({ type: 'thinking', signature: 'sig' }), 'messages.1.content.0.thinking', /Field required/);
    rejects(history({ type: 'redacted_thinking' }), 'messages.1.content.0.data', /Field required/);
    rejects(history({ type: 'thinking', thinking: 'x', signature: 'sig' }, 'user'), 'messages.1.content.0', /user messages may carry text, image and tool_result/);
  });
});
