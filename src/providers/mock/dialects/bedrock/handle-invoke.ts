/**
 * `POST /model/{modelId}/invoke` for the embedding models the gateway's adapter calls: Amazon Titan
 * text embeddings (`inputText`) and Cohere embed (`texts`), with the token count in Bedrock's
 * `x-amzn-bedrock-input-token-count` header. Other models are not mocked here.
 */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { embeddingFamily } from '../../../bedrock/bedrock-embeddings.js';
import { applyFault } from '../../apply-fault.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { buildEmbeddings } from '../../mock-embeddings.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { sendJson, sendPartialJson } from '../../send-json.js';
import type { JsonObject } from '../../../types.js';
import { bedrockError, bedrockErrors } from './bedrock-errors.js';

/** Largest vector the mock builds (Titan's own largest is 1024, Cohere v4's 1536). */
const MAX_DIMENSIONS = 4096;

const titanSchema = z.looseObject({ inputText: z.string().min(1), dimensions: z.int().min(1).max(MAX_DIMENSIONS).optional() });
const cohereSchema = z.looseObject({
  texts: z.array(z.string().min(1)).min(1).max(96),
  input_type: z.string(),
  output_dimension: z.int().min(1).max(MAX_DIMENSIONS).optional(),
  embedding_types: z.array(z.string()).optional(),
});

export async function handleInvoke(exchange: MockExchange, state: MockState): Promise<void> {
  exchange.res.setHeader('x-amzn-requestid', randomUUID());
  const modelId = exchange.params[0] ?? '';
  const family = embeddingFamily(modelId);
  if (family === undefined) {
    state.record('invalid');
    const error = bedrockError(400, 'ValidationException', `The mock answers InvokeModel only for Titan text and Cohere embed models, not ${modelId}.`);
    sendJson(exchange.res, error.status, error.body, error.headers);
    return;
  }
  const input = family.startsWith('titan') ? readTitan(exchange.body) : readCohere(exchange.body);
  if (typeof input === 'string') {
    state.record('invalid');
    const error = bedrockError(400, 'ValidationException', `Malformed input request: ${input}, please reformat your input and try again.`);
    sendJson(exchange.res, error.status, error.body, error.headers);
    return;
  }
  const fault = state.pickFault({ endpoint: 'embeddings', stream: false, model: modelId });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const tokens = input.texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  const mode = await applyFault(
    exchange,
    state,
    // Embedding models on Bedrock have no guardrail answer: a content_filter fault leaves them be.
    fault?.kind === 'content_filter' ? undefined : fault,
    () => ({ stream: false, model: modelId, promptTokens: tokens, inputParam: family.startsWith('titan') ? 'inputText' : 'texts', presentedKey: exchange.presentedKey }),
    bedrockErrors,
  );
  if (mode === undefined) return;
  const vectors = (buildEmbeddings({ model: modelId, input: input.texts, dimensions: input.dimensions }).data as JsonObject[]).map((item) => item.embedding as number[]);
  const body: JsonObject = family.startsWith('titan')
    ? { embedding: vectors[0], inputTextTokenCount: tokens }
    : input.byType
      ? { id: randomUUID(), embeddings: { float: vectors }, texts: input.texts, response_type: 'embeddings_by_type' }
      : { id: randomUUID(), embeddings: vectors, texts: input.texts, response_type: 'embeddings_floats' };
  const headers = { 'x-amzn-bedrock-input-token-count': String(tokens) };
  if (mode.type === 'cut' || mode.type === 'stall') {
    for (const [name, value] of Object.entries(headers)) exchange.res.setHeader(name, value);
    sendPartialJson(exchange.res, 200, body, mode.type);
  } else {
    sendJson(exchange.res, 200, body, headers);
  }
}

interface EmbedInput {
  texts: string[];
  dimensions: number | undefined;
  byType: boolean;
}

function readTitan(body: JsonObject): EmbedInput | string {
  const parsed = titanSchema.safeParse(body);
  if (!parsed.success) return `#/${parsed.error.issues[0]?.path.join('/') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  return { texts: [parsed.data.inputText], dimensions: parsed.data.dimensions, byType: false };
}

function readCohere(body: JsonObject): EmbedInput | string {
  const parsed = cohereSchema.safeParse(body);
  if (!parsed.success) return `#/${parsed.error.issues[0]?.path.join('/') ?? ''}: ${parsed.error.issues[0]?.message ?? 'invalid'}`;
  return { texts: parsed.data.texts, dimensions: parsed.data.output_dimension, byType: parsed.data.embedding_types !== undefined };
}
