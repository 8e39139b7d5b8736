/** Gemini's embeddings answers (`:embedContent`, `:batchEmbedContents`) read into vectors and usage. */
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import { batchEmbedContentsResponseSchema, embedContentResponseSchema } from './gemini-api.js';

export interface GeminiEmbeddings {
  vectors: number[][];
  /** Input tokens when Gemini reports them (Vertex AI does; the Gemini API's answer carries no count). */
  inputTokens: number | undefined;
}

export function mapGeminiEmbedContent(text: string): GeminiEmbeddings {
  const parsed = embedContentResponseSchema.safeParse(parseUpstreamJson(text, 'embeddings response'));
  if (!parsed.success) throw malformedUpstream('The upstream sent an embedContent response without embedding.values.');
  return { vectors: [parsed.data.embedding.values], inputTokens: parsed.data.usageMetadata?.promptTokenCount };
}

export function mapGeminiBatchEmbeddings(text: string, expected: number): GeminiEmbeddings {
  const parsed = batchEmbedContentsResponseSchema.safeParse(parseUpstreamJson(text, 'embeddings response'));
  if (!parsed.success) throw malformedUpstream('The upstream sent a batchEmbedContents response without embeddings.');
  if (parsed.data.embeddings.length !== expected) {
    throw malformedUpstream(`The upstream sent ${parsed.data.embeddings.length} embeddings for ${expected} inputs.`);
  }
  return { vectors: parsed.data.embeddings.map((embedding) => embedding.values), inputTokens: undefined };
}
