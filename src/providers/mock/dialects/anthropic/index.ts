/** Anthropic's Messages API: `POST /v1/messages`, the key in `x-api-key`. */
import type { MockDialect } from '../../dialect.js';
import { bearerToken } from '../openai.js';
import { anthropicMockErrors } from './anthropic-errors.js';
import { handleMessages } from './handle-messages.js';

export const anthropicDialect: MockDialect = {
  name: 'anthropic',
  routes: [{ method: 'POST', path: '/v1/messages', readsBody: true, handle: handleMessages }],
  errors: anthropicMockErrors,
  // `x-api-key` is Anthropic's own header (the gateway's adapter sends only that); Anthropic's current
  // SDK sends an API key as a bearer token instead, and the mock takes that too so the SDK can talk to it.
  presentedKey: (req) => {
    const key = req.headers['x-api-key'];
    return typeof key === 'string' ? key : bearerToken(req);
  },
};
