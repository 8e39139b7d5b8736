/** `POST /v1/embeddings`: validate, let a fault have its way (worded by `errors`: OpenAI's, or Azure's), then answer. */
import { applyFault } from './apply-fault.js';
import { mockErrors, type MockErrorSet } from './mock-errors.js';
import { estimateTokens } from './estimate-tokens.js';
import { buildEmbeddings } from './mock-embeddings.js';
import type { MockExchange } from './mock-exchange.js';
import { parseEmbeddingsRequest, type MockEmbeddingsRequest } from './mock-request.js';
import type { MockState } from './mock-state.js';
import { answerInvalid, sendAnswer } from './send-json.js';

export async function handleEmbeddings(exchange: MockExchange, state: MockState, errors: MockErrorSet = mockErrors): Promise<void> {
  const parsed = parseEmbeddingsRequest(exchange.body);
  if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
  const request = parsed.value;
  const fault = state.pickFault({ endpoint: 'embeddings', stream: false, model: request.model });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const mode = await applyFault(exchange, state, fault, () => ({
    stream: false,
    model: request.model,
    promptTokens: inputTokens(request.input),
    inputParam: 'input',
    presentedKey: exchange.presentedKey,
  }), errors);
  if (mode === undefined) return;
  const body = buildEmbeddings(request);
  sendAnswer(exchange.res, body, mode);
}

function inputTokens(input: MockEmbeddingsRequest['input']): number {
  if (typeof input === 'string') return estimateTokens(input);
  let tokens = 0;
  for (const item of input) tokens += typeof item === 'string' ? estimateTokens(item) : Array.isArray(item) ? item.length : 1;
  return tokens;
}
