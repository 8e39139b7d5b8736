import { NEVER_CANCELLED } from '../../../src/cancel.js';
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/errors.js';
import { DEFAULT_MAX_TOKENS, anthropicProvider } from '../../../src/providers/anthropic/index.js';
import { JSON_TOOL_NAME, convertToAnthropicRequest } from '../../../src/providers/anthropic/convert-to-anthropic-request.js';
import { UNTRANSLATABLE } from '../../../src/providers/canonical/request-parts.js';
import type { ChatBody, JsonObject } from '../../../src/providers/types.js';

const OPTIONS = { model: 'claude-sonnet-4-5', defaultMaxTokens: DEFAULT_MAX_TOKENS, stream: false };

function convert(body: Partial<ChatBody> & JsonObject) {
  return convertToAnthropicRequest({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], ...body } as ChatBody, OPTIONS);
}

function rejects(body: Partial<ChatBody> & JsonObject, param: string, message: RegExp): void {
  assert.throws(
    () => convert(body),
    (err: unknown) => {
      assert.ok(err instanceof GatewayError);
      assert.equal(err.status, 400);
      assert.equal(err.shape, 'client_error');
      assert.equal(err.param, param);
      assert.match(err.message, message);
      return true;
    },
  );
}

/** The code and param a body is refused with, or 'translated'. */
function codeOf(body: Partial<ChatBody> & JsonObject): unknown {
  try {
    convert(body);
  } catch (err) {
    return err instanceof GatewayError ? [err.code, err.param] : err;
  }
  return 'translated';
}

describe('convertToAnthropicRequest', () => {
  test('tool_call arguments that are not JSON are a 400 client_error naming the param', () => {
    const messages = [
      { role: 'user', content: 'Weather?' },
      { role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '{"city": Oslo' } }] },
      { role: 'tool', tool_call_id: 'toolu_1', content: 'cold' },
    ];
    rejects({ messages }, 'messages[1].tool_calls[0].function.arguments', /not valid JSON/);
  });

  test('tool_call arguments that are JSON but not an object are a 400 too (Anthropic takes an object)', () => {
    const messages = [{ role: 'assistant', content: null, tool_calls: [{ id: 'toolu_1', type: 'function', function: { name: 'f', arguments: '[1,2]' } }] }];
    rejects({ messages }, 'messages[0].tool_calls[0].function.arguments', /JSON object/);
  });

  test('a tool message without tool_call_id, an unknown role, a non-function tool and n > 1 are 400s naming the field', () => {
    rejects({ messages: [{ role: 'tool', content: 'x' }] }, 'messages[0].tool_call_id', /must be a string/);
    rejects({ messages: [{ role: 'function', name: 'f', content: 'x' }] }, 'messages[0].role', /cannot be translated/);
    rejects({ tools: [{ type: 'custom', custom: { name: 'grammar' } }] }, 'tools[0].type', /only function tools/);
    rejects({ tools: [{ type: 'function', function: { description: 'no name' } }] }, 'tools[0]', /function tool with a name/);
    rejects({ n: 2 }, 'n', /one choice/);
    rejects({ messages: [{ role: 'system', content: [{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }] }] }, 'messages[0].content[0]', /only text/);
  });

  test('a tool, tool call or tool_choice of a kind other than a function is a gap of the adapter; a nameless function is the client\'s mistake', () => {
    const fnTool = { type: 'function', function: { name: 'f' } };
    assert.deepEqual(codeOf({ tools: [fnTool, { type: 'custom', custom: { name: 'grammar' } }] }), [UNTRANSLATABLE, 'tools[1].type']);
    assert.deepEqual(codeOf({ tools: [fnTool], tool_choice: { type: 'allowed_tools', allowed_tools: { mode: 'auto', tools: [fnTool] } } }), [UNTRANSLATABLE, 'tool_choice.type']);
    const customCall = { role: 'assistant', content: null, tool_calls: [{ id: 'call_1', type: 'custom', custom: { name: 'grammar', input: 'x' } }] };
    assert.deepEqual(codeOf({ messages: [{ role: 'user', content: 'Hi' }, customCall] }), [UNTRANSLATABLE, 'messages[1].tool_calls[0].type']);
    assert.deepEqual(codeOf({ tools: [{ type: 'function', function: {} }] }), ['invalid_request', 'tools[0]']);
    assert.deepEqual(codeOf({ tools: [fnTool], tool_choice: { type: 'function' } }), ['invalid_request', 'tool_choice']);
    assert.equal(codeOf({ tools: [fnTool], tool_choice: { type: 'function', function: { name: 'f' } } }), 'translated');
  });

  test('output Anthropic cannot give (log probabilities, audio) is a gap of the adapter, not dropped', () => {
    assert.deepEqual(codeOf({ logprobs: true }), [UNTRANSLATABLE, 'logprobs']);
    assert.deepEqual(codeOf({ top_logprobs: 3 }), [UNTRANSLATABLE, 'top_logprobs']);
    assert.deepEqual(codeOf({ modalities: ['text', 'audio'], audio: { voice: 'alloy', format: 'wav' } }), [UNTRANSLATABLE, 'modalities']);
    assert.deepEqual(codeOf({ audio: { voice: 'alloy', format: 'wav' } }), [UNTRANSLATABLE, 'audio']);
    // Asking for none of it is no request for it.
    assert.equal(codeOf({ logprobs: false, top_logprobs: 0, modalities: ['text'], audio: null }), 'translated');
  });

  test('max_tokens falls back to the configured default; max_completion_tokens wins over max_tokens', () => {
    assert.equal(convert({}).body.max_tokens, DEFAULT_MAX_TOKENS);
    assert.equal(convert({ max_tokens: 100, max_completion_tokens: 50 }).body.max_tokens, 50);
  });

  test("temperature above Anthropic's 1.0 ceiling is clamped to 1", () => {
    assert.equal(convert({ temperature: 1.7 }).body.temperature, 1);
    assert.equal(convert({ temperature: 0 }).body.temperature, 0);
  });

  test('consecutive assistant turns merge into one, and a user turn puts its tool results before its text', () => {
    const { body } = convert({
      messages: [
        { role: 'user', content: 'a' },
        { role: 'assistant', content: 'b' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'f', arguments: '' } }] },
        { role: 'user', content: 'c' },
        { role: 'tool', tool_call_id: 't1', content: '' },
      ],
    });
    assert.deepEqual(body.messages, [
      { role: 'user', content: [{ type: 'text', text: 'a' }] },
      { role: 'assistant', content: [{ type: 'text', text: 'b' }, { type: 'tool_use', id: 't1', name: 'f', input: {} }] },
      { role: 'user', content: [{ type: 'tool_result', tool_use_id: 't1' }, { type: 'text', text: 'c' }] },
    ]);
  });

  test('tool_choice: auto, none and a named function translate; parallel_tool_calls false without a choice is auto with parallel use off', () => {
    const tools = [{ type: 'function', function: { name: 'f' } }];
    assert.deepEqual(convert({ tools, tool_choice: 'auto' }).body.tool_choice, { type: 'auto' });
    assert.deepEqual(convert({ tools, tool_choice: 'none', parallel_tool_calls: false }).body.tool_choice, { type: 'none' });
    assert.deepEqual(convert({ tools, tool_choice: { type: 'function', function: { name: 'f' } } }).body.tool_choice, { type: 'tool', name: 'f' });
    assert.deepEqual(convert({ tools, parallel_tool_calls: false }).body.tool_choice, { type: 'auto', disable_parallel_tool_use: true });
    assert.equal(convert({ tool_choice: 'required' }).body.tool_choice, undefined, 'no tools, no tool_choice');
  });

  test("json_object with the client's own tools lets the model pick any tool; the JSON tool is added and named as the answer's carrier", () => {
    const tools = [{ type: 'function', function: { name: 'lookup', parameters: { type: 'object', properties: { q: { type: 'string' } } } } }];
    const request = convert({ tools, response_format: { type: 'json_object' } });
    assert.equal(request.jsonTool, JSON_TOOL_NAME);
    assert.deepEqual(request.body.tool_choice, { type: 'any' });
    assert.deepEqual((request.body.tools as JsonObject[]).map((tool) => tool.name), ['lookup', JSON_TOOL_NAME]);
    rejects({ tools: [{ type: 'function', function: { name: JSON_TOOL_NAME } }], response_format: { type: 'json_object' } }, 'tools', /json_response/);
    assert.equal(convert({ response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { type: 'object' } } } }).jsonTool, undefined);
    assert.equal(convert({ response_format: { type: 'json_schema', json_schema: { name: 'no-schema' } } }).jsonTool, JSON_TOOL_NAME);
  });

  test('stream: true is sent only for streams; stream_options never reaches Anthropic', () => {
    const streamed = convertToAnthropicRequest({ model: 'chat', messages: [{ role: 'user', content: 'Hi' }], stream: true, stream_options: { include_usage: true } } as ChatBody, { ...OPTIONS, stream: true });
    assert.equal(streamed.body.stream, true);
    assert.equal('stream_options' in streamed.body, false);
    assert.equal('stream' in convert({ stream: false }).body, false);
  });
});

describe('the anthropic provider definition', () => {
  test('config defaults: the public base URL, anthropic-version 2023-06-01, default_max_tokens; unknown keys are rejected', () => {
    const parsed = anthropicProvider.options.parse({ type: 'anthropic', api_key: 'k' });
    assert.equal(parsed.anthropic_version, '2023-06-01');
    assert.equal(parsed.default_max_tokens, DEFAULT_MAX_TOKENS);
    assert.equal(parsed.base_url, undefined);
    assert.equal(anthropicProvider.options.safeParse({ type: 'anthropic', organization: 'x' }).success, false);
  });

  test('embeddings fail without a request, in a shape the fallback engine moves on from (not client_error)', async () => {
    const provider = await anthropicProvider.create(anthropicProvider.options.parse({ type: 'anthropic', api_key: 'k', base_url: 'http://127.0.0.1:9/v1' }), { name: 'claude' });
    try {
      const err = await provider.embeddings({ model: 'x', cancel: NEVER_CANCELLED, timeouts: { firstByteMs: 100, idleMs: 100, totalMs: 100 }, body: { model: 'x', input: 'a' } }).catch((e: unknown) => e);
      assert.ok(err instanceof GatewayError);
      assert.equal(err.shape, 'unknown_upstream_error');
      assert.match(err.message, /no embeddings endpoint/);
    } finally {
      await provider.close();
    }
  });
});
