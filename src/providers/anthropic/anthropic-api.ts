/**
 * Partial schemas of Anthropic's Messages API: only the fields the adapter reads. Anthropic adds
 * block types, event types and error types over time (its versioning policy says so), so every
 * `type` is a plain string here and unknown ones are skipped where they are read, not rejected.
 */
import { z } from 'zod';
import { isJsonObject, isNullish, isOptional, schemaReader } from '../read-payload.js';

const usageSchema = z.looseObject({
  input_tokens: z.number().nullish(),
  output_tokens: z.number().nullish(),
  cache_creation_input_tokens: z.number().nullish(),
  cache_read_input_tokens: z.number().nullish(),
  /** cache_creation_input_tokens split by the cache's lifetime (`cache_control.ttl`). */
  cache_creation: z
    .looseObject({
      ephemeral_5m_input_tokens: z.number().nullish(),
      ephemeral_1h_input_tokens: z.number().nullish(),
    })
    .nullish(),
});

/** A content block of an answer: `text`, `tool_use`, `thinking`, `redacted_thinking`, and others (server tools) that are skipped. */
const contentBlockSchema = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  id: z.string().optional(),
  name: z.string().optional(),
  input: z.unknown().optional(),
  thinking: z.string().optional(),
  signature: z.string().optional(),
  /** A redacted_thinking block's encrypted reasoning. */
  data: z.string().optional(),
});

export const anthropicMessageSchema = z.looseObject({
  id: z.string(),
  model: z.string(),
  content: z.array(contentBlockSchema),
  stop_reason: z.string().nullish(),
  usage: usageSchema.nullish(),
});

/**
 * Reads a whole (non-streaming) message. Its common shape (text and tool_use blocks, usage) is used
 * as it is; anything else goes to the schema (read-payload.ts). A zod parse copies every object of
 * it: about 2% of a translated request's CPU (`bench:profile --target gateway-anthropic`).
 */
export const readAnthropicMessage = schemaReader(anthropicMessageSchema, isCommonMessage);

/** What the schema accepts, with content blocks that carry only the fields the adapter reads, of the schema's types. */
function isCommonMessage(value: unknown): boolean {
  if (!isJsonObject(value) || typeof value.id !== 'string' || typeof value.model !== 'string' || !Array.isArray(value.content)) return false;
  if (!isNullish(value.stop_reason, 'string')) return false;
  const { usage } = value;
  if (usage !== undefined && usage !== null && !isCommonUsage(usage)) return false;
  for (const block of value.content as unknown[]) {
    if (!isJsonObject(block) || typeof block.type !== 'string' || !isOptional(block.text, 'string') || !isOptional(block.id, 'string') || !isOptional(block.name, 'string')) return false;
    if (block.type !== 'text' && block.type !== 'tool_use' && !(isOptional(block.thinking, 'string') && isOptional(block.signature, 'string') && isOptional(block.data, 'string'))) return false;
  }
  return true;
}

function isCommonUsage(usage: unknown): boolean {
  return (
    isJsonObject(usage) &&
    isNullish(usage.input_tokens, 'number') &&
    isNullish(usage.output_tokens, 'number') &&
    isNullish(usage.cache_creation_input_tokens, 'number') &&
    isNullish(usage.cache_read_input_tokens, 'number') &&
    (usage.cache_creation === undefined ||
      usage.cache_creation === null ||
      (isJsonObject(usage.cache_creation) && isNullish(usage.cache_creation.ephemeral_5m_input_tokens, 'number') && isNullish(usage.cache_creation.ephemeral_1h_input_tokens, 'number')))
  );
}

export const messageStartSchema = z.looseObject({
  message: z.looseObject({ id: z.string(), model: z.string(), usage: usageSchema.nullish() }),
});

export const contentBlockStartSchema = z.looseObject({
  index: z.number(),
  content_block: contentBlockSchema,
});

export const contentBlockDeltaSchema = z.looseObject({
  index: z.number(),
  delta: z.looseObject({ type: z.string(), text: z.string().optional(), partial_json: z.string().optional(), thinking: z.string().optional(), signature: z.string().optional() }),
});

/**
 * Reads a content_block_delta, the event of nearly every token. A well-formed one is used as it
 * is; anything else goes to the schema (read-payload.ts). A zod parse of every one was a fifth of
 * what a translated stream allocated.
 */
export const readContentBlockDelta = schemaReader(contentBlockDeltaSchema, isCommonDelta);

function isCommonDelta(value: unknown): boolean {
  if (!isJsonObject(value) || typeof value.index !== 'number') return false;
  const delta = value.delta;
  return (
    isJsonObject(delta) &&
    typeof delta.type === 'string' &&
    isOptional(delta.text, 'string') &&
    isOptional(delta.partial_json, 'string') &&
    isOptional(delta.thinking, 'string') &&
    isOptional(delta.signature, 'string')
  );
}

export const contentBlockStopSchema = z.looseObject({ index: z.number() });

export const messageDeltaSchema = z.looseObject({
  delta: z.looseObject({ stop_reason: z.string().nullish() }),
  usage: usageSchema.nullish(),
});

const errorObjectSchema = z.looseObject({
  type: z.string().nullish(),
  message: z.string().nullish(),
  /** A stable cause code (e.g. `enforced_spend_limit_reached`) on newer errors. */
  details: z.looseObject({ error_code: z.string().nullish() }).nullish(),
});

/** `{"type":"error","error":{"type":...,"message":...},"request_id":...}`: an HTTP error body, and the payload of an in-band `error` event. */
export const anthropicErrorSchema = z.looseObject({ error: errorObjectSchema });

export type AnthropicUsage = z.infer<typeof usageSchema>;
export type AnthropicContentBlock = z.infer<typeof contentBlockSchema>;
export type AnthropicErrorObject = z.infer<typeof errorObjectSchema>;
