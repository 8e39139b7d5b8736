/**
 * Bedrock Runtime's wire format: Converse, ConverseStream (binary event stream) and InvokeModel for
 * embedding models, at `/model/{modelId}/...` with the model id URL-encoded. A caller presents a
 * Bedrock API key as a bearer token, or signs with SigV4 (verified against the mock's key as the
 * secret access key).
 */
import type { IncomingMessage } from 'node:http';
import type { KeyCheck, MockDialect } from '../../dialect.js';
import { bearerToken } from '../openai.js';
import { bedrockErrors } from './bedrock-errors.js';
import { converseHandler } from './handle-converse.js';
import { handleInvoke } from './handle-invoke.js';
import { isSigV4, verifySigV4 } from './verify-sigv4.js';

export const bedrockDialect: MockDialect = {
  name: 'bedrock',
  routes: [
    { method: 'POST', path: /^\/model\/([^/]+)\/converse$/, readsBody: true, handle: converseHandler(false) },
    { method: 'POST', path: /^\/model\/([^/]+)\/converse-stream$/, readsBody: true, handle: converseHandler(true) },
    { method: 'POST', path: /^\/model\/([^/]+)\/invoke$/, readsBody: true, handle: handleInvoke },
  ],
  errors: bedrockErrors,
  /** A Bedrock API key, if the caller sent one; a SigV4 caller presents a signature, not a key. */
  presentedKey: (req) => (isSigV4(req) ? undefined : bearerToken(req)),
  async checkKey(req: IncomingMessage, apiKey: string): Promise<KeyCheck> {
    if (req.headers.authorization === undefined) return { type: 'missing' };
    if (isSigV4(req)) return (await verifySigV4(req, apiKey)) ? { type: 'ok' } : { type: 'invalid', presented: undefined };
    const presented = bearerToken(req);
    return presented === apiKey ? { type: 'ok' } : { type: 'invalid', presented: presented ?? '' };
  },
};
