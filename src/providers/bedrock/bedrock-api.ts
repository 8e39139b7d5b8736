/**
 * Partial schemas of Bedrock Runtime's wire format (Converse, ConverseStream events, InvokeModel for
 * embedding models, errors): only the fields the gateway reads. Everything else is left unread, so
 * new fields Bedrock adds do not break the adapter.
 */
import { z } from 'zod';
import { isJsonObject, isOptional, schemaReader } from '../read-payload.js';

export const bedrockUsageSchema = z.looseObject({
  inputTokens: z.number().optional(),
  outputTokens: z.number().optional(),
  cacheReadInputTokens: z.number().nullish(),
  cacheWriteInputTokens: z.number().nullish(),
  /** cacheWriteInputTokens by the cache's ttl (`5m`, `1h`). */
  cacheDetails: z.array(z.looseObject({ ttl: z.string().nullish(), inputTokens: z.number().nullish() })).nullish(),
});

/**
 * A block of the model's reasoning: its text (signed, from Claude), or reasoning its provider
 * encrypted (`redactedContent`: bytes, which JSON carries as base64).
 */
const reasoningContentSchema = z.looseObject({
  reasoningText: z.looseObject({ text: z.string(), signature: z.string().optional() }).optional(),
  redactedContent: z.string().optional(),
});

const contentBlockSchema = z.looseObject({
  text: z.string().optional(),
  toolUse: z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown() }).optional(),
  reasoningContent: reasoningContentSchema.optional(),
});

/** The body of a Converse answer. It carries no id: the request id is in the `x-amzn-requestid` header. */
export const converseResponseSchema = z.looseObject({
  output: z.looseObject({
    message: z.looseObject({ content: z.array(contentBlockSchema) }).optional(),
  }),
  stopReason: z.string(),
  usage: bedrockUsageSchema.optional(),
});

/** ConverseStream event payloads, by `:event-type`. */
export const contentBlockStartSchema = z.looseObject({
  contentBlockIndex: z.number(),
  start: z.looseObject({ toolUse: z.looseObject({ toolUseId: z.string(), name: z.string() }).optional() }).optional(),
});

export const contentBlockDeltaSchema = z.looseObject({
  contentBlockIndex: z.number(),
  delta: z.looseObject({
    text: z.string().optional(),
    toolUse: z.looseObject({ input: z.string() }).optional(),
    /** A piece of a reasoning block: its text, its signature, or redacted (base64) bytes. */
    reasoningContent: z.looseObject({ text: z.string().optional(), signature: z.string().optional(), redactedContent: z.string().optional() }).optional(),
  }),
});

/**
 * Reads a contentBlockDelta, the event of nearly every token. The common one (text, a piece of a
 * tool's input or of reasoning) is used as it is; anything else goes to the schema (read-payload.ts).
 */
export const readContentBlockDelta = schemaReader(contentBlockDeltaSchema, isCommonDelta);

function isCommonDelta(value: unknown): boolean {
  if (!isJsonObject(value) || typeof value.contentBlockIndex !== 'number' || !isJsonObject(value.delta)) return false;
  const { text, toolUse, reasoningContent } = value.delta;
  return (
    isOptional(text, 'string') &&
    (toolUse === undefined || (isJsonObject(toolUse) && typeof toolUse.input === 'string')) &&
    (reasoningContent === undefined || isCommonReasoningDelta(reasoningContent))
  );
}

function isCommonReasoningDelta(value: unknown): boolean {
  return isJsonObject(value) && isOptional(value.text, 'string') && isOptional(value.signature, 'string') && isOptional(value.redactedContent, 'string');
}

export const contentBlockStopSchema = z.looseObject({ contentBlockIndex: z.number() });

export const messageStopSchema = z.looseObject({ stopReason: z.string() });

export const metadataSchema = z.looseObject({ usage: bedrockUsageSchema.optional() });

/** An error body (HTTP or an exception frame). AWS's JSON protocols spell the message either way. */
export const bedrockErrorSchema = z.looseObject({
  message: z.string().optional(),
  Message: z.string().optional(),
  __type: z.string().optional(),
});

/** Amazon Titan text embeddings (InvokeModel): one input per call. */
export const titanEmbeddingSchema = z.looseObject({
  embedding: z.array(z.number()),
  inputTextTokenCount: z.number().optional(),
});

/** Cohere embed on Bedrock (InvokeModel): a batch of texts; floats as a list, or by type when `embedding_types` was sent. */
export const cohereEmbeddingSchema = z.looseObject({
  embeddings: z.union([z.array(z.array(z.number())), z.looseObject({ float: z.array(z.array(z.number())) })]),
});

export type BedrockUsage = z.infer<typeof bedrockUsageSchema>;
export type ConverseResponse = z.infer<typeof converseResponseSchema>;
export type ReasoningDelta = NonNullable<z.infer<typeof contentBlockDeltaSchema>['delta']['reasoningContent']>;
