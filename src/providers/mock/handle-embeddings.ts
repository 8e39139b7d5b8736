/** `POST /v1/embeddings`: validate, let a fault have its way, then answer. */
import { applyFault } from './apply-fault.js';
import { estimateTokens } from './estimate-tokens.js';
import { buildEmbeddings } from './mock-embeddings.js';
import type { MockExchange } from './mock-exchange.js';
import { parseEmbeddingsRequest, type MockEmbeddingsRequest } from './mock-request.js';
import type { MockState } from './mock-state.js';
import { sendJson, sendPartialJson } from './send-json.js';

export async function handleEmbeddings(exchange: MockExchange, state: MockState): Promise<void> {
  const parsed = parseEmbeddingsRequest(exchange.body);
  if (!parsed.ok) {
    state.record('invalid');
    sendJson(exchange.res, parsed.error.status, parsed.error.body);
    return;
  }
  const request = parsed.value;
  const fault = state.pickFault({ endpoint: 'embeddings', stream: false, model: request.model });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const mode = await applyFault(exchange, state, fault, () => ({
    stream: false,
    model: request.model,
    promptTokens: inputTokens(request.input),
    inputParam: 'input',
    presentedKey: exchange.presentedKey,
  }));
  if (mode === undefined) return;
  const body = buildEmbeddings(request);
  if (mode.type === 'cut' || mode.type === 'stall') sendPartialJson(exchange.res, 200, body, mode.type);
  else sendJson(exchange.res, 200, body);
}

function inputTokens(input: MockEmbeddingsRequest['input']): number {
  if (typeof input === 'string') return estimateTokens(input);
  let tokens = 0;
  for (const item of input) tokens += typeof item === 'string' ? estimateTokens(item) : Array.isArray(item) ? item.length : 1;
  return tokens;
}
