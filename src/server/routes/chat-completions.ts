import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { asksForStream, awaitWithKeepalive, StreamHead } from '../hold-stream-head.js';
import { sseErrorEvent, writeSse } from '../write-sse.js';
import type { Handler } from '../context.js';
import { callOptionsFrom } from '../call-options.js';
import type { CallOptions } from '../../gateway/plan-route.js';

/** POST /v1/chat/completions */
export const chatCompletions: Handler = async (ctx) => {
  const { req, res, gateway, requestId, cancel } = ctx;
  const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
  const streams = asksForStream(body.value);
  const head = streams ? new StreamHead(res) : undefined;
  const options: CallOptions = { cancel, requestId, bodyBytes: body.bytes };
  if (head && gateway.config.server.stream_head === 'first_chunk') {
    // The role-only first chunk goes out as it comes, the head with it (server.stream_head).
    options.onEarlyChunk = (chunk, from) => {
      if (res.destroyed) return;
      head.name(from);
      res.write(`data: ${chunk.data}\n\n`);
    };
  }
  const answer = gateway.chatCompletion(body.value, callOptionsFrom(req, options));
  const outcome = head ? await awaitWithKeepalive(ctx, answer, sseErrorEvent) : await answer;
  // Failed after its head went out: answered in-band.
  if (outcome === undefined) return;
  if (outcome.kind === 'completion') {
    // The upstream's own bytes when the provider passed its answer through: nothing to encode again.
    sendJsonWith(res, 200, outcome.result.bytes ?? outcome.result.text, servedHeaders(outcome.served));
    return;
  }
  res.on('close', outcome.cancel);
  (head as StreamHead).name(outcome.served);
  await writeSse(res, outcome.chunks, (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk'));
};
