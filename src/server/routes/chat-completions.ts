import { toGatewayError } from '../../errors.js';
import type { ChatOutcome } from '../../gateway/serve-chat.js';
import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { asksForStream, StreamHead } from '../hold-stream-head.js';
import { endWithSseError, writeSse } from '../write-sse.js';
import type { Handler } from '../context.js';
import { callOptionsFrom } from '../call-options.js';

/** POST /v1/chat/completions */
export const chatCompletions: Handler = async ({ req, res, gateway, requestId, cancel }) => {
  const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
  const head = asksForStream(body.value) ? new StreamHead(res, requestId, gateway.config.server.stream_keepalive_ms) : undefined;
  let outcome: ChatOutcome;
  try {
    outcome = await gateway.chatCompletion(body.value, callOptionsFrom(req, { cancel, requestId, bodyBytes: body.bytes }));
  } catch (err) {
    head?.stop();
    if (!head?.early || cancel.aborted) throw err;
    // The head went out while the first content was awaited: the failure can only be in-band now.
    const error = toGatewayError(err);
    gateway.logger[error.status >= 500 ? 'error' : 'debug']({ err, requestId, code: error.code, status: error.status }, 'stream failed before its first content, after its head was sent');
    endWithSseError(res, error);
    return;
  }
  if (outcome.kind === 'completion') {
    head?.stop();
    // The upstream's own bytes when the provider passed its answer through: nothing to encode again.
    sendJsonWith(res, 200, outcome.result.bytes ?? outcome.result.text, servedHeaders(outcome.served));
    return;
  }
  res.on('close', outcome.cancel);
  (head ?? new StreamHead(res, requestId, 0)).open(outcome.served);
  await writeSse(res, outcome.chunks, (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk'));
};
