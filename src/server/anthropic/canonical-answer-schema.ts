/**
 * Partial schemas of the canonical answer (OpenAI's `chat.completion` and `chat.completion.chunk`
 * JSON text) as the Anthropic endpoint reads it: only the first choice's text, refusal, tool calls,
 * finish reason, and the usage. Whatever else an upstream put there is not carried over.
 */
import { z } from 'zod';
import { usageSchema } from '../../providers/openai/openai-api.js';

const functionSchema = z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish();

export const canonicalCompletionSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        message: z
          .looseObject({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z.array(z.looseObject({ id: z.string().nullish(), function: functionSchema })).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
});

export const canonicalChunkSchema = z.looseObject({
  id: z.string().nullish(),
  model: z.string().nullish(),
  choices: z
    .array(
      z.looseObject({
        delta: z
          .looseObject({
            content: z.string().nullish(),
            refusal: z.string().nullish(),
            tool_calls: z.array(z.looseObject({ index: z.number().nullish(), id: z.string().nullish(), function: functionSchema })).nullish(),
          })
          .nullish(),
        finish_reason: z.string().nullish(),
      }),
    )
    .nullish(),
  usage: usageSchema.nullish(),
});

export type CanonicalChunk = z.infer<typeof canonicalChunkSchema>;
