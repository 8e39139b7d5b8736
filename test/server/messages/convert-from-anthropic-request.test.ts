import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { CACHE_MARKS, type CacheMarkedBody } from '../../../src/providers/canonical/cache-marks.js';
import type { ChatBody, JsonObject } from '../../../src/providers/types.js';
import { convertFromAnthropicRequest } from '../../../src/server/anthropic/convert-from-anthropic-request.js';

const TOOL = { name: 'lookup', input_schema: { type: 'object', properties: { q: { type: 'string' } } } };
const convert = (body: Record<string, unknown>) => convertFromAnthropicRequest({ model: 'chat', max_tokens: 100, messages: [{ role: 'user', content: 'hi' }], ...body }, { requireMaxTokens: true });

function rejects(body: Record<string, unknown>, param: RegExp): void {
  assert.throws(
    () => convert(body),
    (err: unknown) => err instanceof GatewayError && err.status === 400 && err.shape === 'client_error' && param.test(err.param ?? ''),
  );
}

describe('an Anthropic Messages request to the canonical body', () => {
  test('a string system prompt becomes the first message; a system turn inside messages stays in place', () => {
    const body = convert({ system: 'Be kind.', messages: [{ role: 'user', content: 'a' }, { role: 'system', content: [{ type: 'text', text: 'Now be brief.' }] }, { role: 'user', content: 'b' }] });
    assert.deepEqual(body.messages, [
      { role: 'system', content: 'Be kind.' },
      { role: 'user', content: 'a' },
      { role: 'system', content: 'Now be brief.' },
      { role: 'user', content: 'b' },
    ]);
  });

  test('tool_choice any is required, tool is a named function, none is none', () => {
    assert.equal(convert({ tools: [TOOL], tool_choice: { type: 'any' } }).tool_choice, 'required');
    assert.deepEqual(convert({ tools: [TOOL], tool_choice: { type: 'tool', name: 'lookup' } }).tool_choice, { type: 'function', function: { name: 'lookup' } });
    assert.equal(convert({ tools: [TOOL], tool_choice: { type: 'none' } }).tool_choice, 'none');
    assert.equal(convert({ tools: [TOOL] }).tool_choice, undefined);
  });

  test('stream asks for usage; output_config.format becomes a strict json_schema response_format', () => {
    const body = convert({ stream: true, output_config: { format: { type: 'json_schema', schema: { type: 'object' } } } });
    assert.equal(body.stream, true);
    assert.deepEqual(body.stream_options, { include_usage: true });
    assert.deepEqual(body.response_format, { type: 'json_schema', json_schema: { name: 'output', schema: { type: 'object' }, strict: true } });
  });

  test('an assistant turn of only tool_use has null content; a string tool_result with is_error keeps the error in its text', () => {
    const body = convert({
      messages: [
        { role: 'user', content: 'look it up' },
        { role: 'assistant', content: [{ type: 'tool_use', id: 'toolu_1', name: 'lookup', input: { q: 'x' } }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'not found', is_error: true }] },
      ],
    });
    assert.deepEqual(body.messages.slice(1), [
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'Error: not found' },
    ]);
  });

  test('unknown top-level fields are ignored', () => {
    const body = convert({ service_tier: 'auto', some_future_field: 1, messages: [{ role: 'user', content: [{ type: 'text', text: 'hi' }] }] });
    assert.deepEqual(Object.keys(body).sort(), ['max_tokens', 'messages', 'model']);
    assert.deepEqual(body.messages, [{ role: 'user', content: 'hi' }]);
    assert.equal((body as CacheMarkedBody)[CACHE_MARKS], undefined);
  });

  test('cache_control marks are kept where the canonical body has room for them, and the body says it carries them', () => {
    const mark = { type: 'ephemeral' };
    const hour = { type: 'ephemeral', ttl: '1h' };
    const body = convert({
      cache_control: mark,
      system: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Long instructions.', cache_control: hour }],
      tools: [{ name: 'lookup', input_schema: { type: 'object' }, cache_control: mark }],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'look it up', cache_control: mark }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Looking.', cache_control: mark }, { type: 'tool_use', id: 'toolu_1', name: 'lookup', input: {}, cache_control: mark }] },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'toolu_1', content: 'found', cache_control: mark }] },
      ],
    }) as ChatBody & CacheMarkedBody;
    assert.equal(body[CACHE_MARKS], true);
    assert.deepEqual(body.cache_control, mark);
    assert.deepEqual(body.messages, [
      { role: 'system', content: [{ type: 'text', text: 'You are terse.' }, { type: 'text', text: 'Long instructions.', cache_control: hour }] },
      { role: 'user', content: [{ type: 'text', text: 'look it up', cache_control: mark }] },
      { role: 'assistant', content: 'Looking.', tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'lookup', arguments: '{}' }, cache_control: mark }], cache_control: mark },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'found', cache_control: mark },
    ]);
    assert.deepEqual((body.tools as JsonObject[])[0]?.cache_control, mark);
    // Unmarked, the system prompt is one text as before.
    assert.equal((convert({ system: [{ type: 'text', text: 'a' }, { type: 'text', text: 'b' }] }).messages as JsonObject[])[0]?.content, 'a\n\nb');
    rejects({ system: [{ type: 'text', text: 'a', cache_control: 'yes' }] }, /^system\.0\.cache_control$/);
  });

  test('what cannot be translated is a 400 naming the field', () => {
    rejects({ max_tokens: undefined }, /^max_tokens$/);
    rejects({ max_tokens: 0 }, /^max_tokens$/);
    rejects({ messages: [] }, /^messages$/);
    rejects({ messages: [{ role: 'user', content: [] }] }, /^messages\.0\.content$/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'tool_result', tool_use_id: 't', content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] }] }] }, /^messages\.0\.content\.0\.content\.0$/);
    rejects({ messages: [{ role: 'user', content: [{ type: 'image', source: { type: 'file', file_id: 'file_1' } }] }] }, /^messages\.0\.content\.0\.source/);
    rejects({ messages: [{ role: 'assistant', content: [{ type: 'image', source: { type: 'url', url: 'https://x' } }] }] }, /^messages\.0\.content\.0$/);
    rejects({ tools: [{ name: 'x', input_schema: { type: 'string' } }] }, /^tools\.0\.input_schema\.type$/);
    rejects({ tools: [{ name: 'x' }] }, /^tools\.0\.input_schema$/);
    rejects({ tool_choice: { type: 'tool' } }, /^tool_choice\.name$/);
  });

  test('count_tokens does not ask for max_tokens', () => {
    const body = convertFromAnthropicRequest({ model: 'chat', messages: [{ role: 'user', content: 'hi' }] }, { requireMaxTokens: false });
    assert.equal(body.max_tokens, undefined);
  });
});
