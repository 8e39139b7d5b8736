/**
 * Partial schemas of Cohere's v2 wire format (`/v2/chat`, `/v2/embed`): only the fields the adapter
 * reads. Unknown fields pass; citations, log probabilities and the like are not read at all.
 */
import { z } from 'zod';
import { isJsonObject, isNullish, schemaReader } from '../read-payload.js';

const tokensSchema = z.looseObject({ input_tokens: z.number().nullish(), output_tokens: z.number().nullish() });

export const cohereUsageSchema = z.looseObject({
  billed_units: tokensSchema.nullish(),
  tokens: tokensSchema.nullish(),
  cached_tokens: z.number().nullish(),
});

const toolCallSchema = z.looseObject({
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});

export const cohereChatResponseSchema = z.looseObject({
  id: z.string(),
  finish_reason: z.string().nullish(),
  message: z.looseObject({
    content: z.array(z.looseObject({ type: z.string(), text: z.string().nullish(), thinking: z.string().nullish() })).nullish(),
    tool_calls: z.array(toolCallSchema).nullish(),
  }),
  usage: cohereUsageSchema.nullish(),
});

/** One event of a v2 chat stream; `type` names it (the SSE `event:` line repeats it). */
export const cohereStreamEventSchema = z.looseObject({
  type: z.string(),
  id: z.string().nullish(),
  index: z.number().nullish(),
  delta: z
    .looseObject({
      message: z
        .looseObject({
          // message-start sends empty lists here; the delta events send one object.
          content: z.union([z.looseObject({ text: z.string().nullish(), thinking: z.string().nullish() }), z.array(z.unknown())]).nullish(),
          tool_calls: z.union([toolCallSchema, z.array(z.unknown())]).nullish(),
        })
        .nullish(),
      finish_reason: z.string().nullish(),
      usage: cohereUsageSchema.nullish(),
      error: z.string().nullish(),
    })
    .nullish(),
});

export const cohereErrorSchema = z.looseObject({ message: z.string().nullish(), id: z.string().nullish() });

export const cohereEmbedResponseSchema = z.looseObject({
  embeddings: z.looseObject({ float: z.array(z.array(z.number())) }),
  meta: z.looseObject({ billed_units: z.looseObject({ input_tokens: z.number().nullish() }).nullish() }).nullish(),
});

export type CohereUsage = z.infer<typeof cohereUsageSchema>;
export type CohereStreamEvent = z.infer<typeof cohereStreamEventSchema>;

/**
 * Reads one v2 chat stream event. The common one (a `content-delta`'s text or thinking, or an event with no
 * tool calls, usage or content list) is used as it is; anything else goes to the schema
 * (read-payload.ts).
 */
export const readCohereStreamEvent = schemaReader(cohereStreamEventSchema, isCommonEvent);

/** What the schema accepts, less tool calls, usage and content lists: every field read has the schema's type. */
function isCommonEvent(value: unknown): boolean {
  if (!isJsonObject(value) || typeof value.type !== 'string' || !isNullish(value.id, 'string') || !isNullish(value.index, 'number')) return false;
  const delta = value.delta;
  if (delta == null) return true;
  if (!isJsonObject(delta) || !isNullish(delta.finish_reason, 'string') || !isNullish(delta.error, 'string') || delta.usage != null) return false;
  const message = delta.message;
  if (message == null) return true;
  if (!isJsonObject(message) || message.tool_calls != null) return false;
  const content = message.content;
  return content == null || (isJsonObject(content) && isNullish(content.text, 'string') && isNullish(content.thinking, 'string'));
}
