/**
 * The canonical embeddings request as Cohere's `/v2/embed` body. Cohere's v3+ embed models require
 * an `input_type`; documents are the common case, and a client may pass `input_type` itself
 * (e.g. `search_query`) as an extra field of its request.
 */
import { embeddingDimensions, embeddingTexts } from '../canonical/canonical-embeddings.js';
import type { JsonObject } from '../types.js';

/** Default `input_type`: the texts are documents to be searched. */
export const DEFAULT_COHERE_INPUT_TYPE = 'search_document';

export function convertToCohereEmbedRequest(body: JsonObject, model: string): JsonObject {
  const request: JsonObject = {
    model,
    texts: embeddingTexts(body),
    input_type: typeof body.input_type === 'string' ? body.input_type : DEFAULT_COHERE_INPUT_TYPE,
    // Floats are converted to base64 here when the client asked for that: Cohere's own base64 is not OpenAI's.
    embedding_types: ['float'],
  };
  const dimensions = embeddingDimensions(body);
  if (dimensions !== undefined) request.output_dimension = dimensions;
  return request;
}
