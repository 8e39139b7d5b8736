/** Azure OpenAI's embeddings and legacy completions, on the deployments and v1 paths: OpenAI's answers, Azure's errors. */
import { handleCompletions } from '../../handle-completions.js';
import { handleEmbeddings } from '../../handle-embeddings.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { sendJson } from '../../send-json.js';
import { azureErrors, resourceNotFound } from './azure-errors.js';
import { azureBody, type AzureForm } from './azure-request.js';
import { PROMPT_FILTER_CHUNK } from './handle-azure-chat.js';

export function azureEmbeddingsHandler(form: AzureForm) {
  return async function handleAzureEmbeddings(exchange: MockExchange, state: MockState): Promise<void> {
    const body = deploymentBody(exchange, state, form);
    if (body) await handleEmbeddings({ ...exchange, body }, state, azureErrors);
  };
}

/** Legacy completions (the instruct models' deployments); a stream opens with Azure's prompt-filter chunk, as a chat stream does. */
export function azureCompletionsHandler(form: AzureForm) {
  return async function handleAzureCompletions(exchange: MockExchange, state: MockState): Promise<void> {
    const body = deploymentBody(exchange, state, form);
    if (body) await handleCompletions({ ...exchange, body }, state, { errors: azureErrors, streamPrelude: [PROMPT_FILTER_CHUNK] });
  };
}

/** The request body with the deployment as its model, or undefined once a 404 has answered a path with none. */
function deploymentBody(exchange: MockExchange, state: MockState, form: AzureForm): MockExchange['body'] | undefined {
  const body = azureBody(exchange, form);
  if (body !== undefined) return body;
  state.record('notFound');
  const error = resourceNotFound();
  sendJson(exchange.res, error.status, error.body);
  return undefined;
}
