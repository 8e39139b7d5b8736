/**
 * A Bedrock contentBlockDelta is read by hand when it has the common shape, and by the zod schema
 * otherwise: whatever the payload, the answer must be the schema's (the same data, or a refusal).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertReadsAsSchema, maybe, scalar, schemaAnswer } from '../../helpers/schema-reader-property.js';
import { contentBlockDeltaSchema, readContentBlockDelta } from '../../../src/providers/bedrock/bedrock-api.js';

const schemaAnswerOf = (payload: unknown): unknown => schemaAnswer(contentBlockDeltaSchema, payload);

test('a text or reasoning delta is read as it is, without a copy, and equals what the schema reads', () => {
  for (const payload of [
    { contentBlockIndex: 0, delta: { text: 'Hel' }, p: 'abcd' },
    { contentBlockIndex: 0, delta: { reasoningContent: { text: 'Let me' } }, p: 'abcd' },
    { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'c2ln' } } },
  ]) {
    assert.equal(readContentBlockDelta(payload), payload);
    assert.deepEqual(readContentBlockDelta(payload), schemaAnswerOf(payload));
  }
});

test('wrong-typed fields and other deltas get the schema’s answer', () => {
  const cases: unknown[] = [
    { contentBlockIndex: 1, delta: { toolUse: { input: '{"a":' } } },
    { contentBlockIndex: 1, delta: { toolUse: { input: { a: 1 } } } },
    { contentBlockIndex: 1, delta: { toolUse: null } },
    { contentBlockIndex: 0, delta: { reasoningContent: { text: 'hmm' } } },
    { contentBlockIndex: 0, delta: { reasoningContent: { signature: 'c2ln' } } },
    { contentBlockIndex: 0, delta: { reasoningContent: { redactedContent: 'AAEC' } } },
    { contentBlockIndex: 0, delta: { reasoningContent: { text: 7 } } },
    { contentBlockIndex: 0, delta: { reasoningContent: null } },
    { contentBlockIndex: 0, delta: { reasoningContent: 'hmm' } },
    { contentBlockIndex: 0, delta: { text: null } },
    { contentBlockIndex: 0, delta: { text: 3 } },
    { contentBlockIndex: 0, delta: null },
    { contentBlockIndex: 0, delta: [] },
    { contentBlockIndex: '0', delta: { text: 'x' } },
    { delta: { text: 'x' } },
    [],
    null,
    'event',
  ];
  for (const payload of cases) assert.deepEqual(readContentBlockDelta(payload), schemaAnswerOf(payload), JSON.stringify(payload));
});

test('for any JSON built from the event’s fields and wrong-typed values, the reader answers as the schema does', () => {
  const reasoningContent = fc.record(
    { text: maybe(fc.string({ maxLength: 5 })), signature: maybe(fc.string({ maxLength: 5 })), redactedContent: maybe(fc.string({ maxLength: 5 })) },
    { requiredKeys: [] },
  );
  const delta = fc.record(
    {
      text: maybe(fc.string({ maxLength: 5 })),
      toolUse: maybe(fc.record({ input: maybe(fc.string({ maxLength: 5 })) }, { requiredKeys: [] })),
      reasoningContent: maybe(reasoningContent),
      other: maybe(fc.string({ maxLength: 3 })),
    },
    { requiredKeys: [] },
  );
  const event = fc.record({ contentBlockIndex: maybe(fc.integer({ min: 0, max: 3 })), delta: maybe(delta), p: maybe(fc.string({ maxLength: 4 })) }, { requiredKeys: [] });
  assertReadsAsSchema(readContentBlockDelta, contentBlockDeltaSchema, event);
});
