/**
 * Reading an upstream payload that arrives many times a stream (one event per token). A zod parse
 * copies every object it checks; a reader made here first asks a hand check that knows the common
 * shape and the schema's rules for it, uses such a payload as it is, and leaves anything else to
 * the schema, which decides. Each hand check is tested to answer as its schema does (a property
 * test per provider).
 */
import type { ZodType } from 'zod';

/** A reader for `schema`: the payload itself when `isCommon` vouches for it, else the schema's reading; undefined when the schema refuses it. */
export function schemaReader<T>(schema: ZodType<T>, isCommon: (payload: unknown) => boolean): (payload: unknown) => T | undefined {
  return (payload) => {
    if (isCommon(payload)) return payload as T;
    const parsed = schema.safeParse(payload);
    return parsed.success ? parsed.data : undefined;
  };
}

/** A JSON object (not null, not an array): what zod's object schemas accept. */
export function isJsonObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Absent, or of `type`: a schema's `.optional()` (null is not absent). */
export function isOptional(value: unknown, type: 'string' | 'number' | 'boolean'): boolean {
  return value === undefined || typeof value === type;
}

/** Absent, null, or of `type`: a schema's `.nullish()`. */
export function isNullish(value: unknown, type: 'string' | 'number' | 'boolean'): boolean {
  return value === undefined || value === null || typeof value === type;
}
