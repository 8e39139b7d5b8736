/**
 * Partial schemas of the requests the mock answers: only the fields it reads. Anything else passes
 * unread, as it would at OpenAI (which ignores nothing, but the mock is not a validator).
 */
import { z } from 'zod';
import type { JsonObject } from '../types.js';
import { mockErrors, type MockError } from './mock-errors.js';

/** Largest `n` OpenAI accepts. */
const MAX_CHOICES = 128;
/** Most alternatives per token OpenAI gives: chat's `top_logprobs`, legacy completions' `logprobs`. */
const MAX_TOP_LOGPROBS = 20;
const MAX_LEGACY_LOGPROBS = 5;
/** Largest embedding `dimensions` the mock will build. */
const MAX_DIMENSIONS = 4096;

const chatRequestSchema = z.looseObject({
  model: z.string().min(1),
  messages: z.array(z.looseObject({ role: z.string(), content: z.unknown().optional() })).min(1),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.int().min(1).max(MAX_CHOICES).nullish(),
  max_tokens: z.int().positive().nullish(),
  max_completion_tokens: z.int().positive().nullish(),
  // Tool entries are read leniently (custom tools have no `function`); build-tool-call picks what it can use.
  tools: z.array(z.unknown()).nullish(),
  tool_choice: z.unknown().optional(),
  logprobs: z.boolean().nullish(),
  top_logprobs: z.int().min(0).max(MAX_TOP_LOGPROBS).nullish(),
});

const tokenArray = z.array(z.int().nonnegative()).min(1);

const embeddingsRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string().min(1), z.array(z.string().min(1)).min(1), tokenArray, z.array(tokenArray).min(1)]),
  encoding_format: z.enum(['float', 'base64']).nullish(),
  dimensions: z.int().min(1).max(MAX_DIMENSIONS).nullish(),
});

/** A legacy text completion: one prompt or several, as text or token ids. */
const completionRequestSchema = z.looseObject({
  model: z.string().min(1),
  prompt: z.union([z.string(), z.array(z.string()).min(1), tokenArray, z.array(tokenArray).min(1)]),
  stream: z.boolean().nullish(),
  stream_options: z.looseObject({ include_usage: z.boolean().nullish() }).nullish(),
  n: z.int().min(1).max(MAX_CHOICES).nullish(),
  max_tokens: z.int().nonnegative().nullish(),
  echo: z.boolean().nullish(),
  suffix: z.string().nullish(),
  logprobs: z.int().min(0).max(MAX_LEGACY_LOGPROBS).nullish(),
});

export type MockChatRequest = z.infer<typeof chatRequestSchema>;
export type MockCompletionRequest = z.infer<typeof completionRequestSchema>;
export type MockEmbeddingsRequest = z.infer<typeof embeddingsRequestSchema>;

export type Parsed<T> = { ok: true; value: T } | { ok: false; error: MockError };

export function parseChatRequest(body: JsonObject): Parsed<MockChatRequest> {
  const parsed = parseWith(chatRequestSchema, body);
  // As OpenAI: alternatives are given only with the chosen tokens' log probabilities.
  if (parsed.ok && typeof parsed.value.top_logprobs === 'number' && parsed.value.logprobs !== true) {
    return { ok: false, error: mockErrors.invalidValue('top_logprobs', 'logprobs must be set to true if top_logprobs is used.') };
  }
  return parsed;
}

export function parseCompletionRequest(body: JsonObject): Parsed<MockCompletionRequest> {
  return parseWith(completionRequestSchema, body);
}

export function parseEmbeddingsRequest(body: JsonObject): Parsed<MockEmbeddingsRequest> {
  return parseWith(embeddingsRequestSchema, body);
}

function parseWith<T>(schema: z.ZodType<T>, body: JsonObject): Parsed<T> {
  const parsed = schema.safeParse(body);
  if (parsed.success) return { ok: true, value: parsed.data };
  const issue = parsed.error.issues[0];
  const param = issue?.path.map(String).join('.') || 'body';
  const top = issue?.path[0];
  const missing = typeof top === 'string' && issue?.path.length === 1 && body[top] === undefined;
  if (missing && top === 'model') return { ok: false, error: mockErrors.missingModel() };
  if (missing) return { ok: false, error: mockErrors.missingParameter(param) };
  return { ok: false, error: mockErrors.invalidValue(param, issue?.message ?? 'invalid value.') };
}
