/**
 * Prompt-caching marks (src/providers/canonical/cache-marks.ts) in Anthropic's terms, and taken
 * out again for an OpenAI-format upstream when a Messages request brought them.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/errors.js';
import { DEFAULT_MAX_TOKENS } from '../../../src/providers/anthropic/index.js';
import { convertToAnthropicRequest } from '../../../src/providers/anthropic/convert-to-anthropic-request.js';
import { CACHE_MARKS, withoutCacheMarks } from '../../../src/providers/canonical/cache-marks.js';
import type { ChatBody, JsonObject } from '../../../src/providers/types.js';

const MARK = { type: 'ephemeral' };
const HOUR = { type: 'ephemeral', ttl: '1h' };

function convert(body: JsonObject): JsonObject {
  return convertToAnthropicRequest({ model: 'chat', ...body } as ChatBody, { model: 'claude-sonnet-4-5', defaultMaxTokens: DEFAULT_MAX_TOKENS, stream: false }).body;
}

type Turn = { role: string; content: JsonObject[] };

describe('cache marks in an Anthropic request', () => {
  test('a marked content part (LiteLLM and OpenRouter write them so) marks its block, in the system prompt and in a user turn', () => {
    const out = convert({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'Rules.' }, { type: 'text', text: 'Long rules.', cache_control: HOUR }] },
        { role: 'user', content: [{ type: 'text', text: 'Question?', cache_control: MARK }, { type: 'image_url', image_url: { url: 'data:image/png;base64,AAAA' }, cache_control: MARK }] },
      ],
    });
    assert.deepEqual(out.system, [
      { type: 'text', text: 'Rules.' },
      { type: 'text', text: 'Long rules.', cache_control: HOUR },
    ]);
    const [turn] = out.messages as Turn[];
    assert.deepEqual(turn?.content.map((block) => block.cache_control), [MARK, MARK]);
  });

  test("a marked message (OpenCode writes them so) marks its last block, whatever the message's role", () => {
    const out = convert({
      messages: [
        { role: 'system', content: 'Rules.', cache_control: MARK },
        { role: 'user', content: 'Weather?', cache_control: MARK },
        { role: 'assistant', content: 'Looking.', tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' } }], cache_control: HOUR },
        { role: 'tool', tool_call_id: 't1', content: '4 degrees', cache_control: MARK },
      ],
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
    });
    assert.deepEqual(out.system, [{ type: 'text', text: 'Rules.', cache_control: MARK }]);
    const [user, assistant, result] = out.messages as Turn[];
    assert.deepEqual(user?.content, [{ type: 'text', text: 'Weather?', cache_control: MARK }]);
    assert.deepEqual(
      assistant?.content.map((block) => [block.type, block.cache_control]),
      [
        ['text', undefined],
        ['tool_use', HOUR],
      ],
    );
    assert.deepEqual(result?.content, [{ type: 'tool_result', tool_use_id: 't1', content: '4 degrees', cache_control: MARK }]);
  });

  test("a tool call's, a tool's and the request's own marks go where Anthropic takes them; a mark inside a tool result marks the result", () => {
    const out = convert({
      cache_control: MARK,
      tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } }, cache_control: HOUR }],
      messages: [
        { role: 'user', content: 'Weather?' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'get_weather', arguments: '{}' }, cache_control: MARK }] },
        { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: '4 degrees', cache_control: MARK }] },
      ],
    });
    assert.deepEqual(out.cache_control, MARK);
    assert.deepEqual((out.tools as JsonObject[])[0]?.cache_control, HOUR);
    const [, assistant, result] = out.messages as Turn[];
    assert.deepEqual(assistant?.content[0]?.cache_control, MARK);
    assert.deepEqual(result?.content, [{ type: 'tool_result', tool_use_id: 't1', content: [{ type: 'text', text: '4 degrees' }], cache_control: MARK }]);
  });

  test('no marks, no cache_control; a mark that is not an object is the client\'s 400 naming it', () => {
    assert.doesNotMatch(JSON.stringify(convert({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] })), /cache_control/);
    assert.throws(
      () => convert({ messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: 'please' }] }] }),
      (err: unknown) => err instanceof GatewayError && err.status === 400 && err.param === 'messages[0].content[0].cache_control',
    );
  });
});

describe('withoutCacheMarks: a Messages request as an OpenAI-format upstream takes it', () => {
  test('its marks go, its system prompt is one text again and a one-part user message plain text', () => {
    const body = {
      model: 'chat',
      cache_control: MARK,
      tools: [{ type: 'function', function: { name: 'f' }, cache_control: MARK }],
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b', cache_control: MARK }] },
        { role: 'user', content: [{ type: 'text', text: 'hi', cache_control: MARK }] },
        { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://x/y.png' }, cache_control: MARK }] },
        { role: 'assistant', content: 'ok', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' }, cache_control: MARK }], cache_control: MARK },
        { role: 'tool', tool_call_id: 't', content: 'done', cache_control: MARK },
      ],
      [CACHE_MARKS]: true as const,
    };
    const out = withoutCacheMarks(body);
    assert.doesNotMatch(JSON.stringify(out), /cache_control/);
    assert.deepEqual(out.messages, [
      { role: 'system', content: 'a\n\nb' },
      { role: 'user', content: 'hi' },
      { role: 'user', content: [{ type: 'text', text: 'look' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      { role: 'assistant', content: 'ok', tool_calls: [{ id: 't', type: 'function', function: { name: 'f', arguments: '{}' } }] },
      { role: 'tool', tool_call_id: 't', content: 'done' },
    ]);
    assert.match(JSON.stringify(body), /cache_control/, 'the canonical body itself is left as it was (a later hop may be Anthropic)');
  });

  test("a body without the flag is the same object: a Chat Completions client's own marks go as it sent them", () => {
    const body = { model: 'chat', messages: [{ role: 'user', content: [{ type: 'text', text: 'hi', cache_control: MARK }] }] };
    assert.equal(withoutCacheMarks(body), body);
  });
});
