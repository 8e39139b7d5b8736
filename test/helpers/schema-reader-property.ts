/**
 * For the stream-event readers made by schemaReader (src/providers/read-payload.ts): fast-check
 * pieces to build payloads from an event's fields and wrong-typed values, and the property that the
 * reader answers exactly as its schema does (the same data, or a refusal).
 */
import assert from 'node:assert/strict';
import fc from 'fast-check';
import type { ZodType } from 'zod';

/** A JSON value of the wrong type for almost any field. */
export const scalar = fc.oneof(fc.constant(null), fc.boolean(), fc.integer(), fc.string({ maxLength: 4 }), fc.constant([]), fc.constant({}));

/** A field that is absent, of the right kind, or a wrong-typed scalar. */
export const maybe = <T>(arb: fc.Arbitrary<T>) => fc.option(fc.oneof(arb, scalar), { nil: undefined });

/** What the schema makes of `payload`: its data, or undefined when it refuses it. */
export function schemaAnswer(schema: ZodType, payload: unknown): unknown {
  const parsed = schema.safeParse(payload);
  return parsed.success ? parsed.data : undefined;
}

/** For 2,000 payloads from `payloads` (as JSON parses them: absent keys, never undefined), `read` answers as `schema` does. */
export function assertReadsAsSchema(read: (payload: unknown) => unknown, schema: ZodType, payloads: fc.Arbitrary<unknown>): void {
  fc.assert(
    fc.property(fc.oneof(payloads, scalar), (value) => {
      const payload: unknown = JSON.parse(JSON.stringify(value) ?? 'null');
      assert.deepEqual(read(payload), schemaAnswer(schema, payload));
    }),
    { numRuns: 2000 },
  );
}
