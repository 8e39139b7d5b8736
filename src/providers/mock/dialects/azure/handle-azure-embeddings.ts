/** Azure OpenAI's embeddings, on the deployments and v1 paths: OpenAI's answer, Azure's errors. */
import { handleEmbeddings } from '../../handle-embeddings.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { sendJson } from '../../send-json.js';
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
    await handleEmbeddings({ ...exchange, body }, state, azureErrors);
  };
}
