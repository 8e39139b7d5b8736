/** What the Gemini adapter refuses to translate (a 400 the client caused), and the schema narrowing's corners. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { embeddingTexts } from '../../../src/providers/canonical/canonical-embeddings.js';
import { convertToGeminiRequest } from '../../../src/providers/gemini/convert-to-gemini-request.js';
import { convertToGeminiSchema } from '../../../src/providers/gemini/convert-to-gemini-schema.js';
import type { ChatBody } from '../../../src/providers/types.js';

function clientError(run: () => unknown, param: string): void {
  assert.throws(run, (err: unknown) => err instanceof GatewayError && err.shape === 'client_error' && err.status === 400 && err.param === param);
}

describe('convertToGeminiRequest refusals', () => {
  test('a tool result whose tool_call_id matches no earlier call is refused: Gemini needs the function name', () => {
    const body: ChatBody = { model: 'm', messages: [{ role: 'user', content: 'x' }, { role: 'tool', tool_call_id: 'call_unknown', content: '1' }] };
    clientError(() => convertToGeminiRequest(body, { stream: false, model: 'gemini-2.5-flash' }), 'messages[1].tool_call_id');
  });

  test('n > 1 on a stream is refused (the canonical stream carries one choice)', () => {
    clientError(() => convertToGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], n: 2 }, { stream: true, model: 'gemini-2.5-flash' }), 'n');
  });

  test('tool-call arguments that are not a JSON object are refused', () => {
    const body: ChatBody = { model: 'm', messages: [{ role: 'assistant', tool_calls: [{ id: 'a', type: 'function', function: { name: 'f', arguments: '[1,2]' } }] }] };
    clientError(() => convertToGeminiRequest(body, { stream: false, model: 'gemini-2.5-flash' }), 'messages[0].tool_calls[0].function.arguments');
  });

  test('token-id embedding inputs are refused: only OpenAI takes them', () => {
    clientError(() => embeddingTexts({ model: 'e', input: [[1, 2, 3]] }), 'input[0]');
  });

  test('a tool without parameters (or with an empty object schema) is declared without parameters', () => {
    const request = convertToGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } }] }, { stream: false, model: 'gemini-2.5-flash' });
    assert.deepEqual(request.tools, [{ functionDeclarations: [{ name: 'now' }] }]);
  });
});

describe('convertToGeminiSchema', () => {
  test('const becomes a one-value enum, anyOf with null becomes nullable, unknown formats and keys go', () => {
    assert.deepEqual(
      convertToGeminiSchema({
        type: 'object',
        properties: {
          kind: { const: 'point' },
          label: { anyOf: [{ type: 'string', format: 'email' }, { type: 'null' }] },
          at: { type: 'string', format: 'date-time' },
          tags: { type: 'array', items: { type: 'string' }, uniqueItems: true },
        },
        required: ['kind', 'missing'],
        $defs: { x: {} },
      }),
      {
        type: 'OBJECT',
        properties: {
          kind: { type: 'STRING', enum: ['point'] },
          label: { type: 'STRING', nullable: true },
          at: { type: 'STRING', format: 'date-time' },
          tags: { type: 'ARRAY', items: { type: 'STRING' } },
        },
        required: ['kind'],
      },
    );
  });
});
