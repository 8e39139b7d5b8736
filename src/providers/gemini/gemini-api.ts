/**
 * Partial schemas of Google's Gemini wire format (AI Studio `v1beta` and Vertex AI `v1` share it):
 * only the fields the adapter reads. Unknown fields pass; a missing optional one is no error.
 */
import { z } from 'zod';
import { isJsonObject, isOptional, schemaReader } from '../read-payload.js';

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
  /** Token log probabilities, when asked (`responseLogprobs`); read by gemini-logprobs.ts. */
  logprobsResult: z.unknown().optional(),
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

/**
 * Reads one GenerateContentResponse: a stream's every event. Its common shape (text parts, usage,
 * no function call) is used as it is; anything else goes to the schema (read-payload.ts). A zod
 * parse of every event was about a third of what a Gemini stream allocated.
 */
export const readGenerateContentResponse = schemaReader(generateContentResponseSchema, isCommonResponse);

/** What the schema accepts, less function calls: every field the adapter reads has the schema's type. */
function isCommonResponse(value: unknown): boolean {
  if (!isJsonObject(value)) return false;
  const { candidates, promptFeedback, usageMetadata } = value;
  if (!isOptional(value.modelVersion, 'string') || !isOptional(value.responseId, 'string')) return false;
  if (promptFeedback != null && !(isJsonObject(promptFeedback) && isOptional(promptFeedback.blockReason, 'string'))) return false;
  if (usageMetadata != null) {
    if (!isJsonObject(usageMetadata)) return false;
    for (const key of USAGE_COUNTS) if (!isOptional(usageMetadata[key], 'number')) return false;
  }
  if (candidates == null) return true;
  if (!Array.isArray(candidates)) return false;
  for (const candidate of candidates as unknown[]) {
    if (!isJsonObject(candidate) || !isOptional(candidate.finishReason, 'string') || !isOptional(candidate.index, 'number')) return false;
    const content = candidate.content;
    if (content == null) continue;
    if (!isJsonObject(content) || !isOptional(content.role, 'string')) return false;
    const parts = content.parts;
    if (parts == null) continue;
    if (!Array.isArray(parts)) return false;
    for (const part of parts as unknown[]) {
      if (!isJsonObject(part) || part.functionCall !== undefined) return false;
      if (!isOptional(part.text, 'string') || !isOptional(part.thought, 'boolean') || !isOptional(part.thoughtSignature, 'string')) return false;
    }
  }
  return true;
}

const USAGE_COUNTS = ['promptTokenCount', 'candidatesTokenCount', 'thoughtsTokenCount', 'cachedContentTokenCount'] as const;

export type GeminiUsageMetadata = z.infer<typeof usageMetadataSchema>;
export type GoogleError = z.infer<typeof googleErrorSchema>['error'];
