/**
 * The canonical embeddings request as Gemini's: one text goes to `:embedContent`, several to
 * `:batchEmbedContents` (each entry naming the model, as that method requires).
 */
import { embeddingDimensions, embeddingTexts } from '../canonical/canonical-embeddings.js';
import type { JsonObject } from '../types.js';

export type GeminiEmbedRequest = { method: 'embedContent'; body: JsonObject } | { method: 'batchEmbedContents'; body: JsonObject };

/** `modelName` is the resource name Gemini's batch entries take, e.g. `models/gemini-embedding-001`. */
export function convertToGeminiEmbedRequest(body: JsonObject, modelName: string): GeminiEmbedRequest {
  const texts = embeddingTexts(body);
  const dimensions = embeddingDimensions(body);
  const one = (text: string): JsonObject => ({ content: { parts: [{ text }] }, ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }) });
  if (texts.length === 1) return { method: 'embedContent', body: one(texts[0] as string) };
  return { method: 'batchEmbedContents', body: { requests: texts.map((text) => ({ model: modelName, ...one(text) })) } };
}

/** One `:embedContent` body per text: Vertex AI has no batch method for Gemini embeddings. */
export function convertToGeminiEmbedRequests(body: JsonObject): JsonObject[] {
  const dimensions = embeddingDimensions(body);
  return embeddingTexts(body).map((text) => ({ content: { parts: [{ text }] }, ...(dimensions === undefined ? {} : { outputDimensionality: dimensions }) }));
}
