import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { asksForStream, awaitWithKeepalive, openStream } from '../hold-stream-head.js';
import { sseErrorEvent, writeSse } from '../write-sse.js';
import type { Handler } from '../context.js';
import { callOptionsFrom } from '../call-options.js';

/** POST /v1/chat/completions */
export const chatCompletions: Handler = async (ctx) => {
  const { req, res, gateway, requestId, cancel } = ctx;
  const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
  const answer = gateway.chatCompletion(body.value, callOptionsFrom(req, { cancel, requestId, bodyBytes: body.bytes }));
  const outcome = asksForStream(body.value) ? await awaitWithKeepalive(ctx, answer, sseErrorEvent) : await answer;
  // Failed after its head went out: answered in-band.
  if (outcome === undefined) return;
  if (outcome.kind === 'completion') {
    // The upstream's own bytes when the provider passed its answer through: nothing to encode again.
    sendJsonWith(res, 200, outcome.result.bytes ?? outcome.result.text, servedHeaders(outcome.served));
    return;
  }
  res.on('close', outcome.cancel);
  openStream(res, outcome.served);
  await writeSse(res, outcome.chunks, (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk'));
};
