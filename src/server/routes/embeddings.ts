import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import type { Handler } from '../context.js';
import { callOptionsFrom } from '../call-options.js';

/** POST /v1/embeddings */
export const embeddings: Handler = async ({ req, res, gateway, requestId, cancel }) => {
  const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
  const { result, served } = await gateway.embeddings(body.value, callOptionsFrom(req, { cancel, requestId }));
  sendJsonWith(res, 200, result.text, servedHeaders(served));
};
