/**
 * A whole Anthropic message is read by hand when it has the common shape, and by the zod schema
 * otherwise: whatever the payload, the answer must be the schema's (the same data, or a refusal).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertReadsAsSchema, maybe, scalar, schemaAnswer } from '../../helpers/schema-reader-property.js';
import { anthropicMessageSchema, readAnthropicMessage } from '../../../src/providers/anthropic/anthropic-api.js';

const schemaAnswerOf = (payload: unknown): unknown => schemaAnswer(anthropicMessageSchema, payload);

const MESSAGE = {
  id: 'msg_01',
  type: 'message',
  role: 'assistant',
  model: 'claude-sonnet-4-6',
  content: [
    { type: 'text', text: 'Let me look.' },
    { type: 'tool_use', id: 'toolu_01', name: 'lookup', input: { city: 'Paris' } },
  ],
  stop_reason: 'tool_use',
  stop_sequence: null,
  usage: {
    input_tokens: 12,
    output_tokens: 8,
    cache_creation_input_tokens: 0,
    cache_read_input_tokens: null,
    cache_creation: { ephemeral_5m_input_tokens: 0, ephemeral_1h_input_tokens: 0 },
    service_tier: 'standard',
  },
};

test('a common message is read as it is, without a copy, and equals what the schema reads', () => {
  const payload = structuredClone(MESSAGE);
  assert.equal(readAnthropicMessage(payload), payload);
  assert.deepEqual(readAnthropicMessage(payload), schemaAnswerOf(payload));
});

test('a missing or wrong-typed field gets the schema’s answer', () => {
  const { id: _id, ...withoutId } = MESSAGE;
  const cases: unknown[] = [
    withoutId,
    { ...MESSAGE, model: 3 },
    { ...MESSAGE, content: null },
    { ...MESSAGE, content: {} },
    { ...MESSAGE, content: [{ type: 'text', text: null }] },
    { ...MESSAGE, content: [{ type: 'text', text: 7 }] },
    { ...MESSAGE, content: [{ text: 'no type' }] },
    { ...MESSAGE, content: [{ type: 'tool_use', id: 1, name: 'f', input: {} }] },
    { ...MESSAGE, content: [{ type: 'tool_use', id: 'toolu_1', name: null, input: {} }] },
    { ...MESSAGE, content: [{ type: 'thinking', thinking: 'hmm', signature: 'sig' }] },
    { ...MESSAGE, content: ['text'] },
    { ...MESSAGE, stop_reason: 5 },
    { ...MESSAGE, stop_reason: undefined },
    { ...MESSAGE, usage: null },
    { ...MESSAGE, usage: [] },
    { ...MESSAGE, usage: { input_tokens: '12' } },
    { ...MESSAGE, usage: { output_tokens: null } },
    [],
    null,
    'message',
  ];
  for (const payload of cases) assert.deepEqual(readAnthropicMessage(payload), schemaAnswerOf(payload), JSON.stringify(payload));
});

test('for any JSON built from the message’s fields and wrong-typed values, the reader answers as the schema does', () => {
  const block = fc.record(
    {
      type: maybe(fc.constantFrom('text', 'tool_use', 'thinking')),
      text: maybe(fc.string({ maxLength: 6 })),
      id: maybe(fc.string({ maxLength: 4 })),
      name: maybe(fc.string({ maxLength: 4 })),
      input: maybe(fc.dictionary(fc.string({ maxLength: 3 }), fc.integer())),
      extra: maybe(fc.string({ maxLength: 3 })),
    },
    { requiredKeys: [] },
  );
  const usage = fc.record(
    {
      input_tokens: maybe(fc.integer()),
      output_tokens: maybe(fc.integer()),
      cache_creation_input_tokens: maybe(fc.integer()),
      cache_read_input_tokens: maybe(fc.integer()),
      cache_creation: maybe(fc.record({ ephemeral_5m_input_tokens: maybe(fc.integer()), ephemeral_1h_input_tokens: maybe(fc.integer()) }, { requiredKeys: [] })),
    },
    { requiredKeys: [] },
  );
  const message = fc.record(
    {
      id: maybe(fc.string({ maxLength: 5 })),
      model: maybe(fc.string({ maxLength: 5 })),
      content: maybe(fc.array(fc.oneof(block, scalar), { maxLength: 3 })),
      stop_reason: maybe(fc.string({ maxLength: 5 })),
      usage: maybe(usage),
      role: maybe(fc.string({ maxLength: 5 })),
    },
    { requiredKeys: [] },
  );
  assertReadsAsSchema(readAnthropicMessage, anthropicMessageSchema, message);
});
