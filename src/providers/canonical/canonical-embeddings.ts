/**
 * The canonical (OpenAI) embeddings request and answer, for adapters whose provider embeds in its own
 * shape (Gemini, Cohere): the inputs as texts, and the `list` of `embedding` objects a client expects,
 * in float or base64 as it asked. The `openai` SDK asks for base64 by default, so both must work.
 */
import type { JsonObject, Usage } from '../types.js';
import { cannotTranslate, invalidRequest } from './request-parts.js';

/** The request's `input` as a list of texts. Token-id inputs are OpenAI's own; no other provider takes them. */
export function embeddingTexts(body: JsonObject): string[] {
  const input = body.input;
  if (typeof input === 'string') return [input];
  if (!Array.isArray(input)) throw invalidRequest("'input' must be a string or an array of strings.", 'input');
  return input.map((item: unknown, index) => {
    if (typeof item !== 'string') throw cannotTranslate(`input[${index}] must be a string: this provider does not take token ids.`, `input[${index}]`);
    return item;
  });
}

/** `dimensions`, when the client asked for a size. */
export function embeddingDimensions(body: JsonObject): number | undefined {
  return typeof body.dimensions === 'number' ? body.dimensions : undefined;
}

export interface CanonicalEmbeddings {
  vectors: readonly (readonly number[])[];
  model: string;
  /** Input tokens; 0 when the provider does not say. */
  inputTokens: number;
  /** The request's `encoding_format`: `base64` packs each vector as little-endian float32s. */
  encodingFormat: unknown;
}

export function embeddingsJson(answer: CanonicalEmbeddings): JsonObject {
  const base64 = answer.encodingFormat === 'base64';
  return {
    object: 'list',
    data: answer.vectors.map((vector, index) => ({ object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector })),
    model: answer.model,
    usage: { prompt_tokens: answer.inputTokens, total_tokens: answer.inputTokens },
  };
}

/** Embeddings usage as the gateway reads it. */
export function embeddingsUsage(inputTokens: number | undefined): Usage | undefined {
  return inputTokens === undefined ? undefined : { inputTokens, outputTokens: 0, cachedInputTokens: 0 };
}

function toBase64(vector: readonly number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}
