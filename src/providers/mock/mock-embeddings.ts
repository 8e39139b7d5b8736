/**
 * Embeddings without a model: each input's vector is derived from a hash of the input, so the same
 * text always embeds the same way (caches and similarity tests see stable values) and different
 * texts differ. Vectors have unit length, as OpenAI's do.
 */
import type { JsonObject } from '../types.js';
import { estimateTokens } from './estimate-tokens.js';
import type { MockEmbeddingsRequest } from './mock-request.js';

/** Dimension when the request does not ask for one. Small: these vectors carry no meaning. */
export const DEFAULT_EMBEDDING_DIMENSIONS = 16;

type EmbeddingInput = string | number[];

export function buildEmbeddings(request: MockEmbeddingsRequest): JsonObject {
  const inputs = listInputs(request.input);
  const dimensions = request.dimensions ?? DEFAULT_EMBEDDING_DIMENSIONS;
  const base64 = request.encoding_format === 'base64';
  let tokens = 0;
  const data = inputs.map((input, index) => {
    tokens += typeof input === 'string' ? estimateTokens(input) : input.length;
    const vector = unitVector(typeof input === 'string' ? input : input.join(','), dimensions);
    return { object: 'embedding', index, embedding: base64 ? toBase64(vector) : vector };
  });
  return { object: 'list', data, model: request.model, usage: { prompt_tokens: tokens, total_tokens: tokens } };
}

function listInputs(input: MockEmbeddingsRequest['input']): EmbeddingInput[] {
  if (typeof input === 'string') return [input];
  // A flat array of numbers is one tokenised input; any other array is a list of inputs.
  if (typeof input[0] === 'number') return [input as number[]];
  return input as EmbeddingInput[];
}

function unitVector(key: string, dimensions: number): number[] {
  const next = mulberry32(fnv1a(key));
  const vector = new Array<number>(dimensions);
  let norm = 0;
  for (let index = 0; index < dimensions; index++) {
    const value = next() * 2 - 1;
    vector[index] = value;
    norm += value * value;
  }
  norm = Math.sqrt(norm) || 1;
  // Rounded through float32 so the float and base64 encodings of one input carry the same numbers.
  for (let index = 0; index < dimensions; index++) vector[index] = Math.fround((vector[index] as number) / norm);
  return vector;
}

/** OpenAI's `encoding_format: "base64"`: little-endian float32s, base64-encoded. */
function toBase64(vector: number[]): string {
  const bytes = Buffer.allocUnsafe(vector.length * 4);
  vector.forEach((value, index) => bytes.writeFloatLE(value, index * 4));
  return bytes.toString('base64');
}

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index++) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193);
  }
  return hash >>> 0;
}

/** A tiny seeded PRNG: deterministic per input, uniform enough for made-up vectors. */
function mulberry32(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
