/**
 * A Gemini stream event is read by hand when it has the common shape, and by the zod schema
 * otherwise: whatever the payload, the answer must be the schema's (the same data, or a refusal).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import fc from 'fast-check';
import { assertReadsAsSchema, maybe, scalar, schemaAnswer } from '../../helpers/schema-reader-property.js';
import { generateContentResponseSchema, readGenerateContentResponse } from '../../../src/providers/gemini/gemini-api.js';

const schemaAnswerOf = (payload: unknown): unknown => schemaAnswer(generateContentResponseSchema, payload);

const EVENT = {
  candidates: [{ content: { parts: [{ text: 'Hello' }], role: 'model' }, index: 0 }],
  usageMetadata: { promptTokenCount: 19, totalTokenCount: 19 },
  modelVersion: 'gemini-2.5-flash',
  responseId: 'resp_1',
};

test('a common stream event is read as it is, without a copy, and equals what the schema reads', () => {
  const payload = structuredClone(EVENT);
  assert.equal(readGenerateContentResponse(payload), payload);
  assert.deepEqual(readGenerateContentResponse(payload), schemaAnswerOf(payload));
});

test('a function call, or a field of the wrong type, gets the schema’s answer', () => {
  const cases: unknown[] = [
    { candidates: [{ content: { parts: [{ functionCall: { name: 'f', args: { a: 1 } } }] } }] },
    { candidates: [{ content: { parts: [{ functionCall: { args: {} } }] } }] },
    { candidates: [{ content: { parts: [{ text: null }] } }] },
    { candidates: [{ content: { parts: [{ text: 7 }] } }] },
    { candidates: [{ content: { parts: [{ thought: 'yes' }] } }] },
    { candidates: [{ content: { parts: null } }] },
    { candidates: [{ content: { parts: 'text' } }] },
    { candidates: [{ content: null, finishReason: 'SAFETY' }] },
    { candidates: [{ finishReason: null }] },
    { candidates: [{ index: '0' }] },
    { candidates: null, promptFeedback: { blockReason: 'SAFETY' } },
    { candidates: {}, promptFeedback: null },
    { promptFeedback: { blockReason: 3 } },
    { usageMetadata: { promptTokenCount: '19' } },
    { usageMetadata: null },
    { usageMetadata: [] },
    { modelVersion: null },
    { responseId: 5 },
    [],
    null,
    'event',
  ];
  for (const payload of cases) assert.deepEqual(readGenerateContentResponse(payload), schemaAnswerOf(payload), JSON.stringify(payload));
});

test('for any JSON built from the event’s fields and wrong-typed values, the reader answers as the schema does', () => {
  const part = fc.record(
    {
      text: maybe(fc.string({ maxLength: 6 })),
      thought: maybe(fc.boolean()),
      thoughtSignature: maybe(fc.string({ maxLength: 4 })),
      functionCall: fc.option(fc.record({ name: maybe(fc.string({ maxLength: 4 })), args: maybe(fc.dictionary(fc.string({ maxLength: 3 }), fc.integer())) }), { nil: undefined }),
      extra: maybe(fc.string({ maxLength: 3 })),
    },
    { requiredKeys: [] },
  );
  const candidate = fc.record(
    {
      content: maybe(fc.record({ parts: maybe(fc.array(fc.oneof(part, scalar), { maxLength: 3 })), role: maybe(fc.string({ maxLength: 5 })) }, { requiredKeys: [] })),
      finishReason: maybe(fc.string({ maxLength: 5 })),
      index: maybe(fc.integer({ min: 0, max: 2 })),
    },
    { requiredKeys: [] },
  );
  const response = fc.record(
    {
      candidates: maybe(fc.array(fc.oneof(candidate, scalar), { maxLength: 2 })),
      promptFeedback: maybe(fc.record({ blockReason: maybe(fc.string({ maxLength: 5 })) }, { requiredKeys: [] })),
      usageMetadata: maybe(
        fc.record(
          { promptTokenCount: maybe(fc.integer()), candidatesTokenCount: maybe(fc.integer()), thoughtsTokenCount: maybe(fc.integer()), cachedContentTokenCount: maybe(fc.integer()) },
          { requiredKeys: [] },
        ),
      ),
      modelVersion: maybe(fc.string({ maxLength: 5 })),
      responseId: maybe(fc.string({ maxLength: 5 })),
    },
    { requiredKeys: [] },
  );
  assertReadsAsSchema(readGenerateContentResponse, generateContentResponseSchema, response);
});
