/**
 * Prompt-caching marks in Converse terms: a cache point right after each marked block, for Claude
 * and Nova (Nova's only where it takes one), and none at all for the models that refuse the block.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { convertToBedrockRequest, JSON_TOOL_NAME } from '../../../src/providers/bedrock/convert-to-bedrock-request.js';
import type { ChatBody, JsonObject } from '../../../src/providers/types.js';

const SONNET_45 = 'anthropic.claude-sonnet-4-5-20250929-v1:0';
const NOVA_PRO = 'amazon.nova-pro-v1:0';
const MARK = { type: 'ephemeral' };
const POINT = { cachePoint: { type: 'default' } };

const lookup = { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } };
const call = (id: string, mark?: object) => ({ id, type: 'function', function: { name: 'lookup', arguments: '{"q":"x"}' }, ...(mark ? { cache_control: mark } : {}) });

function convert(body: object, model = SONNET_45, modelFamily?: string): JsonObject {
  return convertToBedrockRequest({ model: 'chat', ...body } as ChatBody, { model, modelFamily }).body;
}

function contents(body: JsonObject): unknown[][] {
  return (body.messages as Array<{ content: unknown[] }>).map((turn) => turn.content);
}

/** A request with a mark of every kind: system part, user message, tool call, tool result, tool, and the request's own. */
const everyMark = {
  cache_control: MARK,
  tools: [{ ...lookup, cache_control: MARK }],
  messages: [
    { role: 'system', content: [{ type: 'text', text: 'rules', cache_control: MARK }] },
    { role: 'user', content: 'look it up', cache_control: MARK },
    { role: 'assistant', content: null, tool_calls: [call('t1', MARK)] },
    { role: 'tool', tool_call_id: 't1', content: 'found', cache_control: MARK },
  ],
};

describe('cache points in convertToBedrockRequest', () => {
  test('a marked system part and a marked user message each put a cache point right after their last block', () => {
    const body = convert({
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'rules', cache_control: MARK }, { type: 'text', text: 'today' }] },
        { role: 'user', content: [{ type: 'text', text: 'one' }, { type: 'text', text: 'two' }], cache_control: MARK },
        { role: 'assistant', content: 'ok' },
        { role: 'user', content: [{ type: 'text', text: 'three', cache_control: MARK }, { type: 'text', text: 'four' }] },
      ],
    });
    assert.deepEqual(body.system, [{ text: 'rules' }, POINT, { text: 'today' }]);
    assert.deepEqual(contents(body), [[{ text: 'one' }, { text: 'two' }, POINT], [{ text: 'ok' }], [{ text: 'three' }, POINT, { text: 'four' }]]);
  });

  test('a marked system message puts its cache point after its last block', () => {
    const body = convert({ messages: [{ role: 'system', content: 'rules', cache_control: MARK }, { role: 'user', content: 'hi' }] });
    assert.deepEqual(body.system, [{ text: 'rules' }, POINT]);
  });

  test('a marked tool call puts a cache point after its toolUse block; a marked tool after its toolSpec entry', () => {
    const body = convert({
      tools: [{ ...lookup, cache_control: MARK }, { type: 'function', function: { name: 'other' } }],
      messages: [
        { role: 'user', content: 'look it up' },
        { role: 'assistant', content: 'looking', tool_calls: [call('t1', MARK), call('t2')] },
        { role: 'tool', tool_call_id: 't1', content: 'a' },
        { role: 'tool', tool_call_id: 't2', content: 'b' },
      ],
    });
    const tools = (body.toolConfig as { tools: JsonObject[] }).tools;
    assert.deepEqual(tools.map((tool) => Object.keys(tool)[0]), ['toolSpec', 'cachePoint', 'toolSpec']);
    assert.deepEqual(tools[1], POINT);
    const assistant = contents(body)[1] as JsonObject[];
    assert.deepEqual(assistant.map((block) => Object.keys(block)[0]), ['text', 'toolUse', 'cachePoint', 'toolUse']);
  });

  test('a marked tool message, or a marked part of one, puts the cache point after the toolResult block, never inside its content', () => {
    const history = [
      { role: 'user', content: 'look it up' },
      { role: 'assistant', content: null, tool_calls: [call('t1'), call('t2')] },
    ];
    const byMessage = convert({ messages: [...history, { role: 'tool', tool_call_id: 't1', content: 'a', cache_control: MARK }, { role: 'tool', tool_call_id: 't2', content: 'b' }] });
    const byPart = convert({ messages: [...history, { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'a', cache_control: MARK }, { type: 'text', text: 'more' }] }, { role: 'tool', tool_call_id: 't2', content: 'b' }] });
    const both = convert({ messages: [...history, { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'a', cache_control: MARK }], cache_control: MARK }, { role: 'tool', tool_call_id: 't2', content: 'b' }] });
    for (const body of [byMessage, byPart, both]) {
      const results = contents(body)[2] as JsonObject[];
      assert.deepEqual(results.map((block) => Object.keys(block)[0]), ['toolResult', 'cachePoint', 'toolResult'], JSON.stringify(results));
      assert.doesNotMatch(JSON.stringify((results[0] as { toolResult: unknown }).toolResult), /cachePoint/);
    }
  });

  test("the request's mark puts a cache point after the last block of the last message", () => {
    const body = convert({ cache_control: MARK, messages: [{ role: 'system', content: 'rules' }, { role: 'user', content: 'one' }, { role: 'assistant', content: 'ok' }, { role: 'user', content: 'two' }] });
    assert.deepEqual(contents(body), [[{ text: 'one' }], [{ text: 'ok' }], [{ text: 'two' }, POINT]]);
    assert.deepEqual(body.system, [{ text: 'rules' }]);
  });

  test('never two cache points in a row: a marked last part of a marked message, with the request marked too, gives one', () => {
    const body = convert({ cache_control: MARK, messages: [{ role: 'user', content: [{ type: 'text', text: 'one', cache_control: MARK }], cache_control: MARK }] });
    assert.deepEqual(contents(body), [[{ text: 'one' }, POINT]]);
    const tool = convert({
      cache_control: MARK,
      messages: [
        { role: 'user', content: 'look it up' },
        { role: 'assistant', content: null, tool_calls: [call('t1', MARK)], cache_control: MARK },
        { role: 'tool', tool_call_id: 't1', content: [{ type: 'text', text: 'a', cache_control: MARK }], cache_control: MARK },
      ],
    });
    assert.deepEqual(contents(tool).map((blocks) => (blocks as JsonObject[]).map((block) => Object.keys(block)[0])), [['text'], ['toolUse', 'cachePoint'], ['toolResult', 'cachePoint']]);
  });

  test("a mark's ttl is not sent: every cache point is of type default", () => {
    const hour = { type: 'ephemeral', ttl: '1h' };
    const body = convert({ tools: [{ ...lookup, cache_control: hour }], messages: [{ role: 'system', content: 'rules', cache_control: hour }, { role: 'user', content: 'hi', cache_control: hour }] });
    const points = JSON.stringify(body).match(/"cachePoint":\{[^}]*\}/g);
    assert.deepEqual(points, ['"cachePoint":{"type":"default"}', '"cachePoint":{"type":"default"}', '"cachePoint":{"type":"default"}']);
  });

  test('a request without marks carries no cache point', () => {
    const body = convert({
      tools: [lookup],
      messages: [
        { role: 'system', content: [{ type: 'text', text: 'rules' }] },
        { role: 'user', content: 'look it up' },
        { role: 'assistant', content: null, tool_calls: [call('t1')] },
        { role: 'tool', tool_call_id: 't1', content: 'found' },
      ],
    });
    assert.doesNotMatch(JSON.stringify(body), /cachePoint/);
  });

  test('Nova takes cache points in system and messages, but none after a tool nor right after a toolResult', () => {
    for (const model of [NOVA_PRO, 'us.amazon.nova-2-lite-v1:0']) {
      const body = convert(everyMark, model);
      assert.doesNotMatch(JSON.stringify(body.toolConfig), /cachePoint/, model);
      assert.deepEqual(body.system, [{ text: 'rules' }, POINT], model);
      assert.deepEqual(contents(body).map((blocks) => (blocks as JsonObject[]).map((block) => Object.keys(block)[0])), [['text', 'cachePoint'], ['toolUse', 'cachePoint'], ['toolResult']], model);
    }
  });

  test('Llama, Mistral, DeepSeek and the Claude models without prompt caching get no cache point for any mark', () => {
    const models = ['meta.llama3-3-70b-instruct-v1:0', 'us.meta.llama4-maverick-17b-instruct-v1:0', 'mistral.mistral-large-2407-v1:0', 'us.deepseek.r1-v1:0', 'anthropic.claude-3-haiku-20240307-v1:0', 'anthropic.claude-3-5-sonnet-20241022-v2:0'];
    for (const model of models) assert.doesNotMatch(JSON.stringify(convert(everyMark, model)), /cachePoint/, model);
    const claude = JSON.stringify(convert(everyMark, 'us.anthropic.claude-3-5-haiku-20241022-v1:0'));
    assert.match(claude, /cachePoint/, 'Claude 3.5 Haiku caches');
  });

  test("an ARN whose model_family names Claude gets cache points, as the model's id would", () => {
    const arn = 'arn:aws:bedrock:us-east-1:123456789012:application-inference-profile/abc123';
    assert.doesNotMatch(JSON.stringify(convert(everyMark, arn)), /cachePoint/);
    assert.match(JSON.stringify(convert(everyMark, arn, 'claude-sonnet-4-5')), /cachePoint/);
  });

  test('json_object beside a marked tool: the answer tool follows the cache point, and the name check reads past it', () => {
    const request = convertToBedrockRequest({ model: 'chat', messages: [{ role: 'user', content: 'hi' }], tools: [{ ...lookup, cache_control: MARK }], response_format: { type: 'json_object' } } as ChatBody, { model: SONNET_45 });
    const tools = (request.body.toolConfig as { tools: JsonObject[] }).tools;
    assert.deepEqual(tools.map((tool) => (tool.toolSpec as JsonObject | undefined)?.name ?? 'cachePoint'), ['lookup', 'cachePoint', JSON_TOOL_NAME]);
  });
});
