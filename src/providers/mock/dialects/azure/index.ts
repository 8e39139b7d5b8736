/**
 * Azure OpenAI's wire format: chat completions, legacy completions and embeddings on the deployments paths
 * (`/openai/deployments/{deployment}/...?api-version=...`) and the v1 paths (`/openai/v1/...`),
 * the key in an `api-key` header (or an Entra ID bearer token, checked against the same key).
 */
import type { IncomingMessage } from 'node:http';
import type { MockDialect } from '../../dialect.js';
import { bearerToken } from '../openai.js';
import { azureErrors } from './azure-errors.js';
import { azureChatHandler } from './handle-azure-chat.js';
import { azureCompletionsHandler, azureEmbeddingsHandler } from './handle-azure-embeddings.js';

export const azureDialect: MockDialect = {
  name: 'azure',
  routes: [
    { method: 'POST', path: /^\/openai\/deployments\/([^/]+)\/chat\/completions$/, readsBody: true, handle: azureChatHandler('deployments') },
    { method: 'POST', path: /^\/openai\/deployments\/([^/]+)\/embeddings$/, readsBody: true, handle: azureEmbeddingsHandler('deployments') },
    { method: 'POST', path: /^\/openai\/deployments\/([^/]+)\/completions$/, readsBody: true, handle: azureCompletionsHandler('deployments') },
    { method: 'POST', path: '/openai/v1/chat/completions', readsBody: true, handle: azureChatHandler('v1') },
    { method: 'POST', path: '/openai/v1/embeddings', readsBody: true, handle: azureEmbeddingsHandler('v1') },
    { method: 'POST', path: '/openai/v1/completions', readsBody: true, handle: azureCompletionsHandler('v1') },
  ],
  errors: azureErrors,
  presentedKey: (req: IncomingMessage) => {
    const key = req.headers['api-key'];
    return typeof key === 'string' ? key : bearerToken(req);
  },
};
