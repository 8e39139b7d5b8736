/** Cohere's `/v2/embed` answer (`embeddings_by_type`) read into vectors and billed input tokens. */
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import { cohereEmbedResponseSchema } from './cohere-api.js';

export interface CohereEmbeddings {
  vectors: number[][];
  inputTokens: number | undefined;
}

export function mapCohereEmbeddings(text: string, expected: number): CohereEmbeddings {
  const parsed = cohereEmbedResponseSchema.safeParse(parseUpstreamJson(text, 'embeddings response'));
  if (!parsed.success) throw malformedUpstream('The upstream sent an embed response without embeddings.float.');
  const vectors = parsed.data.embeddings.float;
  if (vectors.length !== expected) throw malformedUpstream(`The upstream sent ${vectors.length} embeddings for ${expected} inputs.`);
  return { vectors, inputTokens: parsed.data.meta?.billed_units?.input_tokens ?? undefined };
}
