/**
 * Runs a zod schema over part of a request that an endpoint translates (Anthropic's Messages,
 * OpenAI's Responses) and turns the first problem into a 400 that names the field by its path, the
 * way Anthropic does (`messages.0.content.1.source: ...`, `max_tokens: Field required`).
 */
import type { z } from 'zod';
import { invalidRequest } from '../errors.js';
import type { GatewayError } from '../errors.js';

export function parseField<T>(schema: z.ZodType<T>, value: unknown, path: readonly (string | number)[]): T {
  const parsed = schema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0];
  const full = [...path, ...(issue?.path ?? []).map((key) => (typeof key === 'symbol' ? String(key) : key))];
  const missing = valueAt(value, issue?.path ?? []) === undefined;
  const message = missing && issue?.code === 'invalid_type' ? 'Field required' : (issue?.message ?? 'Invalid value').replace('expected record', 'expected object');
  return throwAt(full, message);
}

/** A 400 about one field of the request. */
export function invalidField(path: readonly (string | number)[], message: string, code = 'invalid_request'): GatewayError {
  const param = path.length > 0 ? path.join('.') : null;
  return invalidRequest(param ? `${param}: ${message}` : message, param, code);
}

function throwAt(path: readonly (string | number)[], message: string): never {
  throw invalidField(path, message);
}

function valueAt(value: unknown, path: readonly PropertyKey[]): unknown {
  let current = value;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
