/**
 * The canonical answer (OpenAI's `chat.completion` and `chat.completion.chunk` JSON text) as the
 * endpoints that translate it (Anthropic's Messages, OpenAI's Responses) read it: only the first
 * choice's text, refusal, tool calls, finish reason, the usage, and its reasoning (`thinking_blocks`
 * read here, `reasoning_content` by each endpoint). Whatever else an upstream put there is not
 * carried over.
 */
import { randomBytes } from 'node:crypto';
import { z } from 'zod';
import { GatewayError } from '../errors.js';
import { mapOpenAIFinishReason, mapOpenAIUsage } from '../providers/openai/map-openai-response.js';
import { usageSchema } from '../providers/openai/openai-api.js';
import { readThinkingBlocks, type ThinkingBlock } from '../providers/canonical/reasoning.js';
import type { ChatResult, FinishReason, JsonObject, StreamChunk, Usage } from '../providers/types.js';

const functionSchema = z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish();
/** What a completion's message and a chunk's delta both carry (a delta's tool calls add an `index`). */
const textFields = { content: z.string().nullish(), refusal: z.string().nullish() };
const toolCallFields = { id: z.string().nullish(), function: functionSchema };

/** The envelope a completion and a chunk share, around their own kind of choice. */
function answerSchema<Choice extends z.ZodType>(choice: Choice) {
  return z.looseObject({ id: z.string().nullish(), model: z.string().nullish(), choices: z.array(choice).nullish(), usage: usageSchema.nullish() });
}

export const canonicalCompletionSchema = answerSchema(
  z.looseObject({
    message: z.looseObject({ ...textFields, tool_calls: z.array(z.looseObject(toolCallFields)).nullish() }).nullish(),
    finish_reason: z.string().nullish(),
  }),
);

export const canonicalChunkSchema = answerSchema(
  z.looseObject({
    delta: z.looseObject({ ...textFields, tool_calls: z.array(z.looseObject({ index: z.number().nullish(), ...toolCallFields })).nullish() }).nullish(),
    finish_reason: z.string().nullish(),
  }),
);

export type CanonicalChunk = z.infer<typeof canonicalChunkSchema>;

type Choice = NonNullable<z.infer<typeof canonicalCompletionSchema>['choices']>[number];
type Delta = NonNullable<NonNullable<CanonicalChunk['choices']>[number]['delta']>;

/** A whole canonical completion as read: its first choice's message, how it finished, its usage. */
export interface ReadCompletion {
  id: string;
  model: string;
  message: Choice['message'];
  finish: FinishReason | undefined;
  usage: Usage | undefined;
}

/** Reads a canonical completion; a text that is not one is the upstream's fault (502). */
export function readCanonicalCompletion(result: ChatResult): ReadCompletion {
  const parsed = canonicalCompletionSchema.safeParse(parseJson(result.text, 'The answer is not valid JSON.'));
  if (!parsed.success) throw malformedAnswer('The answer could not be read as a chat completion.');
  const choice = parsed.data.choices?.[0];
  return {
    id: parsed.data.id ?? result.id,
    model: parsed.data.model || result.responseModel,
    message: choice?.message,
    finish: result.finishReasons[0] ?? finishOf(choice?.finish_reason),
    usage: result.usage ?? mapOpenAIUsage(parsed.data.usage),
  };
}

/** One canonical chunk as read: its first choice's delta, the finish reason and usage it carries. */
export interface ReadChunk {
  id: string | undefined;
  model: string | undefined;
  delta: Delta | undefined;
  finish: FinishReason | undefined;
  usage: Usage | undefined;
}

export function readCanonicalChunk(chunk: StreamChunk): ReadChunk {
  const parsed = canonicalChunkSchema.safeParse(parseJson(chunk.data, CHUNK_UNREADABLE));
  if (!parsed.success) throw malformedAnswer(CHUNK_UNREADABLE);
  const choice = parsed.data.choices?.[0];
  return {
    id: parsed.data.id ?? undefined,
    model: parsed.data.model ?? undefined,
    delta: choice?.delta ?? undefined,
    finish: chunk.finishReason ?? finishOf(choice?.finish_reason),
    usage: chunk.usage ?? mapOpenAIUsage(parsed.data.usage),
  };
}

/** The finish reason the canonical JSON states, when the provider did not report one already. */
function finishOf(raw: string | null | undefined): FinishReason | undefined {
  return raw ? mapOpenAIFinishReason(raw) : undefined;
}

const CANONICAL_ID_PREFIX = /^chatcmpl-/;

/** What a translated answer's ids are made of: the canonical id without its `chatcmpl-`, or a random one when the upstream gave none. */
export function idSuffixOf(canonicalId: string | null | undefined): string {
  return canonicalId ? canonicalId.replace(CANONICAL_ID_PREFIX, '') : randomBytes(12).toString('hex');
}

const CHUNK_UNREADABLE = 'A stream chunk could not be read as a chat.completion.chunk.';

function parseJson(text: string, unreadable: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformedAnswer(unreadable);
  }
}

/** The `thinking_blocks` of a canonical message or delta; a list of anything else is the upstream's fault (502). */
export function answerThinkingBlocks(source: Record<string, unknown>): ThinkingBlock[] {
  try {
    return readThinkingBlocks(source as JsonObject, 'message');
  } catch {
    throw malformedAnswer('The model answered thinking_blocks that are not thinking blocks.');
  }
}

/** The upstream answered something the gateway cannot translate (502). */
export function malformedAnswer(message: string): GatewayError {
  return new GatewayError(message, { status: 502, code: 'malformed_upstream_response', shape: 'unknown_upstream_error' });
}
