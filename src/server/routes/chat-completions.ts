import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { asksForStream, awaitWithKeepalive, forwardEarlyChunks, StreamHead } from '../hold-stream-head.js';
import { sseChunk, sseErrorEvent, writeSse } from '../write-sse.js';
import type { Handler } from '../context.js';
import { callOptionsFrom } from '../call-options.js';
import type { Gateway } from '../../gateway/create-gateway.js';
import type { CallOptions, ChatOutcome } from '../../gateway/serve-chat.js';

/** POST /v1/chat/completions */
export const chatCompletions = textHandler((gateway, body, options) => gateway.chatCompletion(body, options));

/** POST /v1/completions: legacy text completions, served the same way (SSE of text_completion chunks when streamed). */
export const completions = textHandler((gateway, body, options) => gateway.completion(body, options));

type Serve = (gateway: Gateway, body: unknown, options: CallOptions) => Promise<ChatOutcome>;

function textHandler(serve: Serve): Handler {
  return async (ctx) => {
    const { req, res, gateway, requestId, cancel } = ctx;
    const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
    const head = asksForStream(body.value) ? new StreamHead(res) : undefined;
    // The role-only first chunk goes out as it comes, the head with it (server.stream_head).
    const onEarlyChunk = head && forwardEarlyChunks(ctx, head, sseChunk);
    const answer = serve(gateway, body.value, callOptionsFrom(req, { cancel, requestId, bodyBytes: body.bytes, onEarlyChunk }));
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
    await writeSse(res, outcome.chunks, { cancel, onError: (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk') });
  };
}
