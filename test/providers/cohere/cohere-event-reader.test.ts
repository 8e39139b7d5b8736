/**
 * A Cohere stream event is read by hand when it has the common shape, and by the zod schema
 * otherwise: whatever the payload, the answer must be the schema's (the same data, or a refusal).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertReadsAsSchema, maybe, scalar, schemaAnswer } from '../../helpers/schema-reader-property.js';
import { cohereStreamEventSchema, readCohereStreamEvent } from '../../../src/providers/cohere/cohere-api.js';

const schemaAnswerOf = (payload: unknown): unknown => schemaAnswer(cohereStreamEventSchema, payload);

test('a content-delta is read as it is, without a copy, and equals what the schema reads', () => {
  const payload = { type: 'content-delta', index: 0, delta: { message: { content: { text: 'Hel' } } } };
  assert.equal(readCohereStreamEvent(payload), payload);
  assert.deepEqual(readCohereStreamEvent(payload), schemaAnswerOf(payload));
});

test('tool calls, usage, content lists and wrong-typed fields get the schema’s answer', () => {
  const cases: unknown[] = [
    { type: 'message-start', id: 'm1', delta: { message: { role: 'assistant', content: [], tool_calls: [] } } },
    { type: 'tool-call-start', index: 0, delta: { message: { tool_calls: { id: 'c1', type: 'function', function: { name: 'f', arguments: '' } } } } },
    { type: 'tool-call-delta', index: 0, delta: { message: { tool_calls: { function: { arguments: '{"a"' } } } } },
    { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { billed_units: { input_tokens: 3, output_tokens: 4 }, tokens: { input_tokens: 9 } } } },
    { type: 'message-end', delta: { finish_reason: 'COMPLETE', usage: { tokens: { input_tokens: '9' } } } },
    { type: 'message-end', delta: { error: 'boom' } },
    { type: 'message-end', delta: { error: 5 } },
    { type: 'content-delta', delta: { message: { content: { text: null } } } },
    { type: 'content-delta', delta: { message: { content: { text: 1 } } } },
    { type: 'content-delta', delta: { message: { content: 'text' } } },
    { type: 'content-delta', delta: { message: null } },
    { type: 'content-delta', delta: [] },
    { type: 'content-delta', index: '0' },
    { type: 'content-delta', id: 3 },
    { type: 5 },
    { index: 0 },
    [],
    null,
    'event',
  ];
  for (const payload of cases) assert.deepEqual(readCohereStreamEvent(payload), schemaAnswerOf(payload), JSON.stringify(payload));
});

test('for any JSON built from the event’s fields and wrong-typed values, the reader answers as the schema does', () => {
  const tokens = fc.record({ input_tokens: maybe(fc.integer()), output_tokens: maybe(fc.integer()) }, { requiredKeys: [] });
  const usage = fc.record({ billed_units: maybe(tokens), tokens: maybe(tokens), cached_tokens: maybe(fc.integer()) }, { requiredKeys: [] });
  const toolCall = fc.record(
    { id: maybe(fc.string({ maxLength: 3 })), type: maybe(fc.string({ maxLength: 3 })), function: maybe(fc.record({ name: maybe(fc.string({ maxLength: 3 })), arguments: maybe(fc.string({ maxLength: 3 })) }, { requiredKeys: [] })) },
    { requiredKeys: [] },
  );
  const message = fc.record(
    {
      content: maybe(fc.oneof(fc.record({ text: maybe(fc.string({ maxLength: 5 })) }, { requiredKeys: [] }), fc.array(scalar, { maxLength: 2 }))),
      tool_calls: maybe(fc.oneof(toolCall, fc.array(scalar, { maxLength: 2 }))),
      role: maybe(fc.string({ maxLength: 3 })),
    },
    { requiredKeys: [] },
  );
  const delta = fc.record(
    { message: maybe(message), finish_reason: maybe(fc.string({ maxLength: 5 })), usage: maybe(usage), error: maybe(fc.string({ maxLength: 5 })) },
    { requiredKeys: [] },
  );
  const event = fc.record(
    { type: maybe(fc.constantFrom('content-delta', 'message-start', 'message-end', 'tool-call-delta')), id: maybe(fc.string({ maxLength: 4 })), index: maybe(fc.integer({ min: 0, max: 2 })), delta: maybe(delta) },
    { requiredKeys: [] },
  );
  assertReadsAsSchema(readCohereStreamEvent, cohereStreamEventSchema, event);
});
