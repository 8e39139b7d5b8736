/**
 * Partial schemas of OpenAI's wire format: only the fields the gateway reads. Everything else in a
 * response passes through as bytes, so new upstream fields reach clients without a release.
 */
import { z } from 'zod';

/** OpenAI's usage object: the canonical answer's too. */
export const usageSchema = z.looseObject({
  prompt_tokens: z.number().optional(),
  completion_tokens: z.number().optional(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
});

export const openaiErrorSchema = z.looseObject({
  error: z.looseObject({
    message: z.string().nullish(),
    type: z.string().nullish(),
    code: z.union([z.string(), z.number()]).nullish(),
    param: z.string().nullish(),
  }),
});

export const openaiEmbeddingsSchema = z.looseObject({
  data: z.array(z.unknown()),
  usage: usageSchema.nullish(),
});

export type OpenAIUsage = z.infer<typeof usageSchema>;
export type OpenAIError = z.infer<typeof openaiErrorSchema>['error'];
