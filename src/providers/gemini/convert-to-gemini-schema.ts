/**
 * A JSON Schema (as OpenAI clients write tool parameters and response formats) narrowed to the
 * OpenAPI 3.0 subset Gemini's `Schema` object takes. Gemini rejects the whole request on a key it
 * does not know ("Invalid JSON payload received. Unknown name ..."), so this keeps an allow-list
 * rather than stripping a deny-list: `$schema`, `$ref`, `additionalProperties`, `const`, `oneOf`,
 * `allOf`, `exclusiveMinimum` and the like either become their subset equivalent or are dropped.
 */
import type { JsonObject } from '../types.js';

/** Keys copied as they are (the `Schema` fields of the Gemini API reference that need no conversion). */
const PLAIN_KEYS = [
  'title',
  'description',
  'pattern',
  'default',
  'example',
  'minimum',
  'maximum',
  'minItems',
  'maxItems',
  'minLength',
  'maxLength',
  'minProperties',
  'maxProperties',
  'propertyOrdering',
] as const;

/** The `format` values Gemini documents per type; any other format is an error there, so it is dropped. */
const FORMATS: Record<string, readonly string[]> = {
  STRING: ['enum', 'date-time'],
  NUMBER: ['float', 'double'],
  INTEGER: ['int32', 'int64'],
};

const TYPES = new Set(['string', 'number', 'integer', 'boolean', 'array', 'object']);

/** Deeper levels become `{}`: no real tool nests this far, and a cycle-free walk needs a bound. */
const MAX_DEPTH = 32;

export function convertToGeminiSchema(schema: unknown, depth = 0): JsonObject {
  if (!isRecord(schema) || depth > MAX_DEPTH) return {};
  const out: JsonObject = {};

  const { type, nullable } = readType(schema.type);
  if (type !== undefined) out.type = type;
  if (nullable || schema.nullable === true) out.nullable = true;

  if (Array.isArray(schema.enum) && schema.enum.every((value) => typeof value === 'string')) out.enum = schema.enum;
  else if (typeof schema.const === 'string') out.enum = [schema.const];
  if (out.enum !== undefined && out.type === undefined) out.type = 'STRING';

  for (const key of PLAIN_KEYS) if (schema[key] !== undefined) out[key] = schema[key];
  if (typeof schema.format === 'string' && typeof out.type === 'string' && FORMATS[out.type]?.includes(schema.format)) out.format = schema.format;

  if (isRecord(schema.properties)) {
    const properties: JsonObject = {};
    for (const [name, property] of Object.entries(schema.properties)) properties[name] = convertToGeminiSchema(property, depth + 1);
    out.properties = properties;
    if (Array.isArray(schema.required)) out.required = schema.required.filter((name) => typeof name === 'string' && name in properties);
  }
  const items = Array.isArray(schema.items) ? schema.items[0] : schema.items;
  if (items !== undefined) out.items = convertToGeminiSchema(items, depth + 1);

  const variants = schema.anyOf ?? schema.oneOf;
  if (Array.isArray(variants)) {
    const kept = variants.filter((variant) => !(isRecord(variant) && variant.type === 'null'));
    if (kept.length < variants.length) out.nullable = true;
    if (kept.length === 1) Object.assign(out, convertToGeminiSchema(kept[0], depth + 1), out.nullable ? { nullable: true } : {});
    else if (kept.length > 1) out.anyOf = kept.map((variant) => convertToGeminiSchema(variant, depth + 1));
  }
  if (Array.isArray(schema.allOf) && schema.allOf.length === 1) Object.assign(out, convertToGeminiSchema(schema.allOf[0], depth + 1));
  return out;
}

/** Whether a converted schema is an object with nothing in it (Gemini rejects such function parameters). */
export function isEmptyObjectSchema(schema: JsonObject): boolean {
  return (schema.type === undefined || schema.type === 'OBJECT') && (!isRecord(schema.properties) || Object.keys(schema.properties).length === 0) && schema.anyOf === undefined;
}

/** JSON Schema's `type` (a name or a list with `"null"`) as Gemini's upper-case enum plus `nullable`. */
function readType(type: unknown): { type: string | undefined; nullable: boolean } {
  const names = typeof type === 'string' ? [type] : Array.isArray(type) ? type.filter((item): item is string => typeof item === 'string') : [];
  const nullable = names.includes('null');
  const real = names.filter((name) => TYPES.has(name));
  return { type: real.length === 1 ? (real[0] as string).toUpperCase() : undefined, nullable };
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
