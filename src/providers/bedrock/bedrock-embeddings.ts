/**
 * Embeddings on Bedrock through InvokeModel, in the body each model family takes: Amazon Titan text
 * embeddings (one `inputText` per call) and Cohere embed (`texts` in batches), chosen by the model
 * id. Answered in the canonical (OpenAI) embeddings shape.
 */
import { GatewayError } from '../../errors.js';
import { embeddingDimensions, embeddingsJson, embeddingsUsage, embeddingTexts } from '../canonical/canonical-embeddings.js';
import { cannotTranslate } from '../canonical/request-parts.js';
import { malformedUpstream } from '../openai/map-openai-response.js';
import type { EmbeddingsCall, EmbeddingsResult, JsonObject } from '../types.js';
import { cohereEmbeddingSchema, titanEmbeddingSchema } from './bedrock-api.js';

/** Titan embeds one text per call: this many calls run at once for a list of inputs. */
export const TITAN_CONCURRENCY = 8;
/** Cohere on Bedrock takes at most this many texts per call. */
export const COHERE_MAX_TEXTS = 96;
/** Cohere's `input_type` when the request names none (OpenAI's body has no such field). */
export const DEFAULT_COHERE_INPUT_TYPE = 'search_document';

export type EmbeddingFamily = 'titan-v2' | 'titan-v1' | 'cohere-v4' | 'cohere-v3';

/** A model id's family, read past an ARN (`...:foundation-model/`) and a cross-region prefix (`us.`, `eu.`). */
const FAMILY = /^(?:[a-z-]+\.)?(amazon\.titan-embed-text-v2|amazon\.titan-embed|cohere\.embed-v4|cohere\.embed)/;
const FAMILIES: Record<string, EmbeddingFamily> = {
  'amazon.titan-embed-text-v2': 'titan-v2',
  'amazon.titan-embed': 'titan-v1',
  'cohere.embed-v4': 'cohere-v4',
  'cohere.embed': 'cohere-v3',
};

export function embeddingFamily(modelId: string): EmbeddingFamily | undefined {
  const match = FAMILY.exec(modelId.slice(modelId.lastIndexOf('/') + 1));
  return match ? FAMILIES[match[1] as string] : undefined;
}

export interface InvokeAnswer {
  payload: unknown;
  /** Bedrock's `x-amzn-bedrock-input-token-count`, when it sent one. */
  inputTokens: number | undefined;
}

/** Sends one InvokeModel body to the call's model. */
export type InvokeModel = (body: JsonObject) => Promise<InvokeAnswer>;

export async function bedrockEmbeddings(call: EmbeddingsCall, invoke: InvokeModel): Promise<EmbeddingsResult> {
  const family = embeddingFamily(call.model);
  if (family === undefined) {
    // The deployment names a model this adapter cannot embed with: our config's fault, and another deployment may serve it.
    throw new GatewayError(`The deployment's model ${call.model} is not an Amazon Titan text or Cohere embed model, the embedding models this adapter speaks to on Bedrock.`, {
      status: 502,
      code: 'unsupported_embedding_model',
      shape: 'unknown_upstream_error',
    });
  }
  const texts = embeddingTexts(call.body);
  const dimensions = embeddingDimensions(call.body);
  const answer = family === 'titan-v2' || family === 'titan-v1' ? await embedWithTitan(family, texts, dimensions, invoke) : await embedWithCohere(family, texts, dimensions, call.body, invoke);
  const json = embeddingsJson({ vectors: answer.vectors, model: call.model, inputTokens: answer.inputTokens ?? 0, encodingFormat: call.body.encoding_format });
  return { text: JSON.stringify(json), usage: embeddingsUsage(answer.inputTokens) };
}

interface Embedded {
  vectors: number[][];
  inputTokens: number | undefined;
}

async function embedWithTitan(family: 'titan-v2' | 'titan-v1', texts: string[], dimensions: number | undefined, invoke: InvokeModel): Promise<Embedded> {
  if (family === 'titan-v1' && dimensions !== undefined) throw cannotTranslate('This Titan embeddings model has a fixed size; dimensions cannot be set.', 'dimensions');
  const vectors: number[][] = new Array<number[]>(texts.length);
  let inputTokens: number | undefined;
  for (let start = 0; start < texts.length; start += TITAN_CONCURRENCY) {
    const wave = texts.slice(start, start + TITAN_CONCURRENCY).map(async (text, offset) => {
      // v2 normalises on request; OpenAI's vectors have unit length, so clients expect that.
      const body: JsonObject = family === 'titan-v2' ? { inputText: text, normalize: true } : { inputText: text };
      if (dimensions !== undefined) body.dimensions = dimensions;
      const answer = await invoke(body);
      const parsed = titanEmbeddingSchema.safeParse(answer.payload);
      if (!parsed.success) throw malformedUpstream('The upstream sent a Titan embeddings answer without an embedding.');
      vectors[start + offset] = parsed.data.embedding;
      const tokens = parsed.data.inputTextTokenCount ?? answer.inputTokens;
      if (tokens !== undefined) inputTokens = (inputTokens ?? 0) + tokens;
    });
    await Promise.all(wave);
  }
  return { vectors, inputTokens };
}

async function embedWithCohere(family: 'cohere-v4' | 'cohere-v3', texts: string[], dimensions: number | undefined, request: JsonObject, invoke: InvokeModel): Promise<Embedded> {
  if (family === 'cohere-v3' && dimensions !== undefined) throw cannotTranslate('Cohere embed v3 models have a fixed size; dimensions cannot be set.', 'dimensions');
  // Not an OpenAI field, but a client that knows it is talking to Cohere may send it.
  const inputType = typeof request.input_type === 'string' ? request.input_type : DEFAULT_COHERE_INPUT_TYPE;
  const vectors: number[][] = [];
  let inputTokens: number | undefined;
  for (let start = 0; start < texts.length; start += COHERE_MAX_TEXTS) {
    const batch = texts.slice(start, start + COHERE_MAX_TEXTS);
    const body: JsonObject = { texts: batch, input_type: inputType };
    if (dimensions !== undefined) body.output_dimension = dimensions;
    const answer = await invoke(body);
    const parsed = cohereEmbeddingSchema.safeParse(answer.payload);
    if (!parsed.success) throw malformedUpstream('The upstream sent a Cohere embeddings answer without embeddings.');
    const floats = Array.isArray(parsed.data.embeddings) ? parsed.data.embeddings : parsed.data.embeddings.float;
    if (floats.length !== batch.length) throw malformedUpstream(`The upstream embedded ${floats.length} of ${batch.length} texts.`);
    vectors.push(...floats);
    if (answer.inputTokens !== undefined) inputTokens = (inputTokens ?? 0) + answer.inputTokens;
  }
  return { vectors, inputTokens };
}
