import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { SSE_HEADERS, writeSse } from '../write-sse.js';
import type { Handler } from '../context.js';
import { callOptionsFrom } from '../call-options.js';

/** POST /v1/chat/completions */
export const chatCompletions: Handler = async ({ req, res, gateway, requestId, cancel }) => {
  const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
  const outcome = await gateway.chatCompletion(body.value, callOptionsFrom(req, { cancel, requestId, bodyBytes: body.bytes }));
  if (outcome.kind === 'completion') {
    // The upstream's own bytes when the provider passed its answer through: nothing to encode again.
    sendJsonWith(res, 200, outcome.result.bytes ?? outcome.result.text, servedHeaders(outcome.served));
    return;
  }
  res.on('close', outcome.cancel);
  res.writeHead(200, { ...servedHeaders(outcome.served), ...SSE_HEADERS });
  await writeSse(res, outcome.chunks, (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk'));
};
