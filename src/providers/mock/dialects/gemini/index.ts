/**
 * Google's Gemini wire format, on both its homes: the Gemini API (`/v1beta/models/{model}:method`,
 * the key in `x-goog-api-key` or a `key` query parameter) and Vertex AI
 * (`/v1/projects/{p}/locations/{l}/publishers/google/models/{model}:method`, a bearer token).
 */
import type { IncomingMessage } from 'node:http';
import type { MockDialect, MockRoute } from '../../dialect.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { bearerToken } from '../openai.js';
import { geminiMockErrors } from './gemini-mock-errors.js';
import { handleEmbedContent } from './handle-embed-content.js';
import { handleGenerateContent } from './handle-generate-content.js';

const GEMINI_API = /^\/v1beta\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent|batchEmbedContents)$/;
const VERTEX = /^\/v1(?:beta1)?\/projects\/[^/]+\/locations\/[^/]+\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent|embedContent)$/;

function route(path: RegExp, vertex: boolean): MockRoute {
  return {
    method: 'POST',
    path,
    readsBody: true,
    handle(exchange: MockExchange, state: MockState) {
      const [model = '', method] = exchange.params;
      if (method === 'embedContent' || method === 'batchEmbedContents') return handleEmbedContent(exchange, state, model, method, { vertex });
      return handleGenerateContent(exchange, state, model, method === 'streamGenerateContent');
    },
  };
}

export const geminiDialect: MockDialect = {
  name: 'gemini',
  routes: [route(GEMINI_API, false), route(VERTEX, true)],
  errors: geminiMockErrors,
  presentedKey: presentedKey,
};

function presentedKey(req: IncomingMessage): string | undefined {
  const header = req.headers['x-goog-api-key'];
  if (typeof header === 'string') return header;
  const query = new URL(req.url ?? '/', 'http://mock').searchParams.get('key');
  return query ?? bearerToken(req);
}
