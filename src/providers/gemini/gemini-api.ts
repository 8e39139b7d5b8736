/**
 * Partial schemas of Google's Gemini wire format (AI Studio `v1beta` and Vertex AI `v1` share it):
 * only the fields the adapter reads. Unknown fields pass; a missing optional one is no error.
 */
import { z } from 'zod';

const partSchema = z.looseObject({
  text: z.string().optional(),
  /** A thought summary (when thoughts are included), not answer text. */
  thought: z.boolean().optional(),
  thoughtSignature: z.string().optional(),
  functionCall: z
    .looseObject({
      id: z.string().optional(),
      name: z.string(),
      args: z.record(z.string(), z.unknown()).nullish(),
    })
    .optional(),
});

const candidateSchema = z.looseObject({
  content: z.looseObject({ parts: z.array(partSchema).nullish(), role: z.string().optional() }).nullish(),
  finishReason: z.string().optional(),
  index: z.number().optional(),
});

export const usageMetadataSchema = z.looseObject({
  promptTokenCount: z.number().optional(),
  candidatesTokenCount: z.number().optional(),
  thoughtsTokenCount: z.number().optional(),
  cachedContentTokenCount: z.number().optional(),
});

/** One `GenerateContentResponse`: a whole answer, or one event of a stream. */
export const generateContentResponseSchema = z.looseObject({
  candidates: z.array(candidateSchema).nullish(),
  promptFeedback: z.looseObject({ blockReason: z.string().optional() }).nullish(),
  usageMetadata: usageMetadataSchema.nullish(),
  modelVersion: z.string().optional(),
  responseId: z.string().optional(),
});

/** Google's error body (`google.rpc.Status` in JSON). */
export const googleErrorSchema = z.looseObject({
  error: z.looseObject({
    code: z.number().optional(),
    message: z.string().optional(),
    status: z.string().optional(),
    details: z.array(z.looseObject({ '@type': z.string().optional() })).optional(),
  }),
});

export const embedContentResponseSchema = z.looseObject({
  embedding: z.looseObject({ values: z.array(z.number()) }),
  usageMetadata: z.looseObject({ promptTokenCount: z.number().optional() }).nullish(),
});

export const batchEmbedContentsResponseSchema = z.looseObject({
  embeddings: z.array(z.looseObject({ values: z.array(z.number()) })),
});

export type GeminiPart = z.infer<typeof partSchema>;
export type GeminiCandidate = z.infer<typeof candidateSchema>;
export type GeminiResponse = z.infer<typeof generateContentResponseSchema>;
export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;
export type GoogleError = z.infer<typeof googleErrorSchema>['error'];
