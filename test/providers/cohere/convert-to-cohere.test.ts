/** What the Cohere adapter refuses to translate (a 400 the client caused). */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError } from '../../../src/errors.js';
import { convertToCohereRequest } from '../../../src/providers/cohere/convert-to-cohere-request.js';

function clientError(run: () => unknown, param: string): void {
  assert.throws(run, (err: unknown) => err instanceof GatewayError && err.shape === 'client_error' && err.status === 400 && err.param === param);
}

describe('convertToCohereRequest refusals', () => {
  test('n > 1 is refused: Cohere answers one choice', () => {
    clientError(() => convertToCohereRequest({ model: 'r', messages: [{ role: 'user', content: 'x' }], n: 3 }, 'command-a-03-2025', { stream: false }), 'n');
  });

  test('a named tool_choice for a tool not offered is refused', () => {
    const body = { model: 'r', messages: [{ role: 'user', content: 'x' }], tools: [{ type: 'function', function: { name: 'a' } }], tool_choice: { type: 'function', function: { name: 'b' } } };
    clientError(() => convertToCohereRequest(body, 'command-a-03-2025', { stream: false }), 'tool_choice');
  });

  test('a tool message without tool_call_id is refused', () => {
    clientError(() => convertToCohereRequest({ model: 'r', messages: [{ role: 'tool', content: '1' }] }, 'command-a-03-2025', { stream: false }), 'messages[0].tool_call_id');
  });
});
