/**
 * failFastList (src/server/parse-field.ts): a list of many bad items fails at its first, and the
 * 400 is the one the whole list would have given, whatever its cheap test lets through.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import fc from 'fast-check';
import { z } from 'zod';
import { GatewayError } from '../../src/errors.js';
import { messagesRequestSchema } from '../../src/server/anthropic/anthropic-api.js';
import { failFastList, parseField } from '../../src/server/parse-field.js';
import { convertFromResponsesRequest, responsesRequestSchema } from '../../src/server/responses/convert-from-responses-request.js';

/** What parseField makes of a value: its data, or the 400's message and param. */
function outcome(schema: z.ZodType, value: unknown): unknown {
  try {
    return { data: parseField(schema, value, ['body']) };
  } catch (err) {
    assert.ok(err instanceof GatewayError, String(err));
    return { status: err.status, message: err.message, param: err.param };
  }
}

/** zod's problems with a value, counting those of each option of a union it refused. */
function problems(schema: z.ZodType, value: unknown): number {
  const count = (issues: readonly z.core.$ZodIssue[]): number =>
    issues.reduce((sum, issue) => sum + 1 + (issue.code === 'invalid_union' ? issue.errors.reduce((inner, option) => inner + count(option), 0) : 0), 0);
  return count(schema.safeParse(value).error?.issues ?? []);
}

const item = z.looseObject({ type: z.enum(['a', 'b']), n: z.number().optional(), parts: z.array(z.string()).optional() });
/** Deliberately wrong both ways: it refuses valid `b` items and lets `a` items with a bad `n` or `parts` through. */
const imperfect = (value: unknown): boolean => typeof value === 'object' && value !== null && (value as { type?: unknown }).type === 'a';
const fields = (list: z.ZodType) => z.looseObject({ first: z.string().optional(), list, last: z.number().optional() });
const plain = fields(z.array(item).min(1));
const fast = fields(failFastList(z.array(item).min(1), imperfect));

describe('failFastList', () => {
  test('for any body, the outcome is the plain list schema’s: the same data, or the same first problem', () => {
    const anyItem = fc.oneof(
      fc.record({ type: fc.constantFrom('a', 'b', 'c'), n: fc.oneof(fc.integer(), fc.string({ maxLength: 2 })), parts: fc.array(fc.oneof(fc.string({ maxLength: 2 }), fc.integer()), { maxLength: 3 }) }, { requiredKeys: ['type'] }),
      fc.oneof(fc.constant(null), fc.integer(), fc.string({ maxLength: 3 }), fc.constant([])),
    );
    const body = fc.record(
      { first: fc.oneof(fc.string({ maxLength: 3 }), fc.integer()), list: fc.oneof(fc.array(anyItem, { maxLength: 8 }), fc.integer(), fc.constant(null)), last: fc.oneof(fc.integer(), fc.string({ maxLength: 2 })) },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(body, (value) => {
        assert.deepEqual(outcome(fast, value), outcome(plain, value));
      }),
      { numRuns: 3000 },
    );
  });

  test('a long list of bad items gets one problem, not one per item', () => {
    const value = { list: Array.from({ length: 20_000 }, () => ({ type: 'c' })) };
    assert.equal(plain.safeParse(value).error?.issues.length, 20_000, 'zod alone reports every item');
    assert.equal(fast.safeParse(value).error?.issues.length, 1);
  });
});

describe('the Messages and Responses requests fail at their first bad item', () => {
  const messages = (count: number, message: unknown) => ({ model: 'm', max_tokens: 5, messages: Array.from({ length: count }, () => message) });

  test('messages, blocks, tools, system and stop_sequences', () => {
    const cases: [string, unknown, string][] = [
      ['bad roles', messages(50_000, { role: 'bogus', content: 'hi' }), 'messages.0.role'],
      ['bad content', messages(50_000, { role: 'user', content: 5 }), 'messages.0.content'],
      ['blocks without a type', messages(1, { role: 'user', content: Array.from({ length: 50_000 }, () => ({ text: 'x' })) }), 'messages.0.content'],
      ['a bad message after good ones', { ...messages(30_000, { role: 'user', content: 'hi' }), messages: [...messages(30_000, { role: 'user', content: 'hi' }).messages, ...messages(30_000, { role: 'x', content: 'hi' }).messages] }, 'messages.30000.role'],
      ['bad tools', { ...messages(1, { role: 'user', content: 'hi' }), tools: Array.from({ length: 50_000 }, () => ({ name: '' })) }, 'tools.0.name'],
      ['bad system blocks', { ...messages(1, { role: 'user', content: 'hi' }), system: Array.from({ length: 50_000 }, () => ({ type: 'image' })) }, 'system'],
      ['bad stop sequences', { ...messages(1, { role: 'user', content: 'hi' }), stop_sequences: Array.from({ length: 50_000 }, () => 5) }, 'stop_sequences.0'],
    ];
    for (const [name, body, param] of cases) {
      const found = problems(messagesRequestSchema, body);
      assert.ok(found >= 1 && found <= 5, `${name}: ${found} problems`);
      assert.equal((outcome(messagesRequestSchema, body) as { param: string }).param, `body.${param}`, name);
    }
  });

  test('Responses input items, content parts and tools', () => {
    const cases: [string, unknown, RegExp][] = [
      ['input items that are not objects', { model: 'm', input: Array.from({ length: 50_000 }, () => 5) }, /^input: Invalid input/],
      ['tools without a type', { model: 'm', input: 'hi', tools: Array.from({ length: 50_000 }, () => ({ name: 'f' })) }, /^tools\.0\.type: /],
      ['include that is not strings', { model: 'm', input: 'hi', include: Array.from({ length: 50_000 }, () => 5) }, /^include\.0: /],
      // Checked item by item after the request (convert-from-responses-request.ts), with the same lists.
      ['parts without a type', { model: 'm', input: [{ role: 'user', content: Array.from({ length: 50_000 }, () => ({ text: 'x' })) }] }, /^input\.0\.content: /],
    ];
    for (const [name, body] of cases.slice(0, 3)) {
      const found = problems(responsesRequestSchema, body);
      assert.ok(found >= 1 && found <= 5, `${name}: ${found} problems`);
    }
    for (const [name, body, message] of cases) {
      const err = (() => {
        try {
          convertFromResponsesRequest(body);
        } catch (error) {
          return error;
        }
        return undefined;
      })();
      assert.ok(err instanceof GatewayError && err.status === 400, `${name}: ${String(err)}`);
      assert.match(err.message, message, name);
    }
  });
});
