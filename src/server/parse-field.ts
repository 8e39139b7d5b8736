/**
 * Runs a zod schema over part of a request that an endpoint translates (Anthropic's Messages,
 * OpenAI's Responses) and turns the first problem into a 400 that names the field by its path, the
 * way Anthropic does (`messages.0.content.1.source: ...`, `max_tokens: Field required`).
 */
import { z } from 'zod';
import { invalidRequest } from '../errors.js';
import type { GatewayError } from '../errors.js';
import { isJsonObject } from '../providers/read-payload.js';

/** A cheap test for failFastList: an object with a string `type` (a content block, an input item, a tool). */
export function isTyped(value: unknown): boolean {
  return isJsonObject(value) && typeof value.type === 'string';
}

/** A cheap test for failFastList: a string. */
export function isString(value: unknown): boolean {
  return typeof value === 'string';
}

/**
 * `list` (a zod array schema), parsed so that a long list of bad items costs about what one bad item
 * does. zod reports a problem for every item of a list; for a body of many thousands of bad items
 * (400,000 bad messages, about 13 MB, took 1.3 to 2.5 s in zod alone, against 0.1 s for as many
 * good ones) making those reports is most of the work, and parseField reads only the first. So each item is first tried
 * with `isCommon`, a cheap test of the item's usual shape; the first item that fails it is parsed
 * with the item's schema, and if that fails too the list is cut after it, so zod reports no item
 * past it. The first problem stays the one the whole list gives: zod reports a list's problems in
 * the order of its items, and the cut is made after an item it refuses, so the first item it
 * refuses (there or before) is kept. `isCommon` decides only how fast a bad list fails, never what
 * is reported, and a valid list pays one pass of it.
 */
export function failFastList<Item extends z.ZodType>(list: z.ZodArray<Item>, isCommon: (item: unknown) => boolean) {
  const item = list.element;
  return z.preprocess((value) => {
    if (!Array.isArray(value)) return value;
    for (let i = 0; i < value.length; i++) {
      if (!isCommon(value[i]) && !item.safeParse(value[i]).success) return i + 1 < value.length ? value.slice(0, i + 1) : value;
    }
    return value;
  }, list);
}

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
