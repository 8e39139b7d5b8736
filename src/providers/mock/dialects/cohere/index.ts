/** Cohere's v2 API: `POST /v2/chat` and `POST /v2/embed`, the key as a bearer token. */
import type { MockDialect } from '../../dialect.js';
import { bearerToken } from '../openai.js';
import { cohereMockErrors } from './cohere-mock-errors.js';
import { handleCohereChat } from './handle-cohere-chat.js';
import { handleCohereEmbed } from './handle-cohere-embed.js';

export const cohereDialect: MockDialect = {
  name: 'cohere',
  routes: [
    { method: 'POST', path: '/v2/chat', readsBody: true, handle: handleCohereChat },
    { method: 'POST', path: '/v2/embed', readsBody: true, handle: handleCohereEmbed },
  ],
  errors: cohereMockErrors,
  presentedKey: bearerToken,
};
