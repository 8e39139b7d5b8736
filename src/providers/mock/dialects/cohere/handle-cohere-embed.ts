/** `POST /v2/embed`: texts in, `embeddings_by_type` out (floats; the mock's deterministic vectors). */
import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { applyFault } from '../../apply-fault.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { buildEmbeddings } from '../../mock-embeddings.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { sendAnswer, sendJson } from '../../send-json.js';
import { cohereError, cohereMockErrors } from './cohere-mock-errors.js';

/** Most texts one embed call takes. */
const MAX_TEXTS = 96;

const embedSchema = z.looseObject({
  model: z.string().min(1),
  texts: z.array(z.string()).min(1),
  input_type: z.enum(['search_document', 'search_query', 'classification', 'clustering', 'image']).optional(),
  embedding_types: z.array(z.enum(['float', 'int8', 'uint8', 'binary', 'ubinary', 'base64'])).optional(),
  output_dimension: z.union([z.literal(256), z.literal(512), z.literal(1024), z.literal(1536)]).optional(),
});

export async function handleCohereEmbed(exchange: MockExchange, state: MockState): Promise<void> {
  const parsed = embedSchema.safeParse(exchange.body);
  const invalid = !parsed.success
    ? `invalid request: ${parsed.error.issues[0]?.path.map(String).join('.') || 'body'}: ${parsed.error.issues[0]?.message ?? 'invalid value'}`
    : parsed.data.input_type === undefined
      ? 'invalid request: valid input_type must be provided with the provided model'
      : parsed.data.texts.length > MAX_TEXTS
        ? `invalid request: total number of texts must be at most ${MAX_TEXTS} - received ${parsed.data.texts.length}`
        : undefined;
  if (invalid !== undefined || !parsed.success) {
    state.record('invalid');
    const error = cohereError(400, invalid ?? 'invalid request');
    sendJson(exchange.res, error.status, error.body);
    return;
  }
  const request = parsed.data;
  const fault = state.pickFault({ endpoint: 'embeddings', stream: false, model: request.model });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const tokens = request.texts.reduce((sum, text) => sum + estimateTokens(text), 0);
  const mode = await applyFault(exchange, state, fault, () => ({ stream: false, model: request.model, promptTokens: tokens, inputParam: 'texts', presentedKey: exchange.presentedKey }), cohereMockErrors);
  if (mode === undefined) return;

  const built = buildEmbeddings({ model: request.model, input: request.texts, dimensions: request.output_dimension });
  const body = {
    id: randomUUID(),
    embeddings: { float: (built.data as Array<{ embedding: number[] }>).map((item) => item.embedding) },
    texts: request.texts,
    meta: { api_version: { version: '2' }, billed_units: { input_tokens: tokens } },
    response_type: 'embeddings_by_type',
  };
  sendAnswer(exchange.res, body, mode);
}
