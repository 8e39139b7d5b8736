/** OpenAI's wire format: the mock's default dialect. */
import type { IncomingMessage } from 'node:http';
import type { MockDialect } from '../dialect.js';
import { handleChat } from '../handle-chat.js';
import { handleCompletions } from '../handle-completions.js';
import { handleEmbeddings } from '../handle-embeddings.js';
import { mockErrors } from '../mock-errors.js';
import type { MockExchange } from '../mock-exchange.js';
import type { MockState } from '../mock-state.js';
import { sendJson } from '../send-json.js';

/** Model ids `GET /v1/models` lists. Any model name is accepted; these are for discovery. */
export const MOCK_MODELS = ['mock-chat', 'mock-chat-mini', 'mock-embed'];

const BEARER = /^Bearer\s+(.+)$/i;

export const openaiDialect: MockDialect = {
  name: 'openai',
  routes: [
    { method: 'POST', path: '/v1/chat/completions', readsBody: true, handle: handleChat },
    { method: 'POST', path: '/v1/completions', readsBody: true, handle: handleCompletions },
    { method: 'POST', path: '/v1/embeddings', readsBody: true, handle: handleEmbeddings },
    { method: 'GET', path: '/v1/models', readsBody: false, handle: listModels },
  ],
  errors: mockErrors,
  presentedKey: (req) => bearerToken(req),
};

/** The token of an `Authorization: Bearer` header, if any. Several providers take keys this way. */
export function bearerToken(req: IncomingMessage): string | undefined {
  const header = req.headers.authorization;
  if (header === undefined) return undefined;
  return BEARER.exec(header)?.[1]?.trim();
}

function listModels({ res }: MockExchange, state: MockState): void {
  state.record('ok');
  const created = Math.floor(Date.now() / 1000);
  sendJson(res, 200, { object: 'list', data: MOCK_MODELS.map((id) => ({ id, object: 'model', created, owned_by: 'switchyard-mock' })) });
}
