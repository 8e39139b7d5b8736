/** Azure OpenAI's embeddings, on the deployments and v1 paths: OpenAI's answer, Azure's errors. */
import { applyFault } from '../../apply-fault.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { buildEmbeddings } from '../../mock-embeddings.js';
import type { MockExchange } from '../../mock-exchange.js';
import { parseEmbeddingsRequest } from '../../mock-request.js';
import type { MockState } from '../../mock-state.js';
import { sendJson, sendPartialJson } from '../../send-json.js';
import { azureErrors, resourceNotFound } from './azure-errors.js';
import { azureBody, type AzureForm } from './azure-request.js';

export function azureEmbeddingsHandler(form: AzureForm) {
  return async function handleAzureEmbeddings(exchange: MockExchange, state: MockState): Promise<void> {
    const body = azureBody(exchange, form);
    if (body === undefined) {
      state.record('notFound');
      const error = resourceNotFound();
      sendJson(exchange.res, error.status, error.body);
      return;
    }
    const parsed = parseEmbeddingsRequest(body);
    if (!parsed.ok) {
      state.record('invalid');
      sendJson(exchange.res, parsed.error.status, parsed.error.body);
      return;
    }
    const request = parsed.value;
    const fault = state.pickFault({ endpoint: 'embeddings', stream: false, model: request.model });
    state.record(fault ? { fault: fault.kind } : 'ok');
    const input = request.input;
    const tokens = typeof input === 'string' ? estimateTokens(input) : input.reduce<number>((sum, item) => sum + (typeof item === 'string' ? estimateTokens(item) : Array.isArray(item) ? item.length : 1), 0);
    const mode = await applyFault(exchange, state, fault, () => ({ stream: false, model: request.model, promptTokens: tokens, inputParam: 'input', presentedKey: exchange.presentedKey }), azureErrors);
    if (mode === undefined) return;
    const answer = buildEmbeddings(request);
    if (mode.type === 'cut' || mode.type === 'stall') sendPartialJson(exchange.res, 200, answer, mode.type);
    else sendJson(exchange.res, 200, answer);
  };
}
