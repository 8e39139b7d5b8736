/** The canonical request's corners in Converse terms: what translates, and what is a 400 naming the field. */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { GatewayError } from '../../../src/errors.js';
import { convertToBedrockRequest, JSON_TOOL_NAME } from '../../../src/providers/bedrock/convert-to-bedrock-request.js';
import { embeddingFamily } from '../../../src/providers/bedrock/bedrock-embeddings.js';
import type { ChatBody } from '../../../src/providers/types.js';

const tool = { type: 'function', function: { name: 'lookup', parameters: { type: 'object' } } };
const convert = (body: ChatBody) => convertToBedrockRequest(body, { model: 'anthropic.claude-3-5-sonnet-20240620-v1:0' });
const user = (content: unknown) => ({ model: 'chat', messages: [{ role: 'user', content }] }) as ChatBody;

function rejects(body: ChatBody, param: string, message: RegExp): void {
  assert.throws(
    () => convert(body),
    (err: unknown) => err instanceof GatewayError && err.status === 400 && err.shape === 'client_error' && err.param === param && message.test(err.message),
  );
}

describe('convertToBedrockRequest', () => {
  test('tool_choice none leaves the tools out, unless the history holds tool blocks (Converse then requires the toolConfig)', () => {
    const plain = convert({ ...user('hi'), tools: [tool], tool_choice: 'none' });
    assert.equal(plain.body.toolConfig, undefined);
    const withHistory = convert({
      model: 'chat',
      tools: [tool],
      tool_choice: 'none',
      messages: [
        { role: 'user', content: 'look it up' },
        { role: 'assistant', content: null, tool_calls: [{ id: 't1', type: 'function', function: { name: 'lookup', arguments: '{}' } }] },
        { role: 'tool', tool_call_id: 't1', content: '' },
      ],
    });
    assert.deepEqual(withHistory.body.toolConfig, { tools: [{ toolSpec: { name: 'lookup', inputSchema: { json: { type: 'object' } } } }] });
    const turns = withHistory.body.messages as Array<{ content: unknown[] }>;
    assert.deepEqual(turns[2]?.content, [{ toolResult: { toolUseId: 't1', content: [{ text: '(no output)' }] } }], 'an empty tool result says so in words');
  });

  test('json_object with tools of the client lets the model pick any tool; a json_object answer tool name collision is refused', () => {
    const request = convert({ ...user('hi'), tools: [tool], response_format: { type: 'json_object' } });
    assert.equal(request.jsonTool, JSON_TOOL_NAME);
    assert.deepEqual((request.body.toolConfig as { toolChoice: unknown }).toolChoice, { any: {} });
    rejects({ ...user('hi'), tools: [{ type: 'function', function: { name: JSON_TOOL_NAME } }], response_format: { type: 'json_object' } }, 'tools', /json_response/);
  });

  test('what Converse cannot carry is a 400 naming the field', () => {
    rejects({ ...user('hi'), n: 2 }, 'n', /one choice/);
    rejects(user([{ type: 'image_url', image_url: { url: 'https://example.com/a.png' } }]), 'messages[0].content[0].image_url.url', /does not fetch URLs/);
    rejects(user([{ type: 'image_url', image_url: { url: 'data:image/tiff;base64,AAAA' } }]), 'messages[0].content[0].image_url.url', /png, jpeg, gif and webp/);
    rejects(user([{ type: 'image_url', image_url: { url: 's3://bucket/no-extension' } }]), 'messages[0].content[0].image_url.url', /extension/);
    rejects({ model: 'chat', messages: [{ role: 'assistant', content: null, tool_calls: [{ id: 'x', type: 'function', function: { name: 'f', arguments: '{oops' } }] }] }, 'messages[0].tool_calls[0].function.arguments', /not valid JSON/);
    rejects({ model: 'chat', messages: [{ role: 'function', content: 'x' }] }, 'messages[0].role', /cannot be translated/);
    rejects({ ...user('hi'), tool_choice: 'sometimes' }, 'tool_choice', /tool_choice must be/);
  });

  test('consecutive user messages merge into one turn; blank text blocks are left out', () => {
    const request = convert({ model: 'chat', messages: [{ role: 'user', content: 'one' }, { role: 'user', content: '' }, { role: 'user', content: 'two' }] });
    assert.deepEqual(request.body.messages, [{ role: 'user', content: [{ text: 'one' }, { text: 'two' }] }]);
  });
});

describe('embeddingFamily', () => {
  test('reads the family past ARNs and cross-region prefixes, and knows none for other models', () => {
    assert.equal(embeddingFamily('amazon.titan-embed-text-v2:0'), 'titan-v2');
    assert.equal(embeddingFamily('amazon.titan-embed-text-v1'), 'titan-v1');
    assert.equal(embeddingFamily('arn:aws:bedrock:us-east-1::foundation-model/amazon.titan-embed-text-v2:0'), 'titan-v2');
    assert.equal(embeddingFamily('us.cohere.embed-v4:0'), 'cohere-v4');
    assert.equal(embeddingFamily('cohere.embed-english-v3'), 'cohere-v3');
    assert.equal(embeddingFamily('anthropic.claude-3-5-sonnet-20240620-v1:0'), undefined);
  });
});
