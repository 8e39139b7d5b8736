/**
 * OpenAI's Responses API in front of the gateway, stateless: `POST /v1/responses` is translated to
 * the canonical body, served by the same pipeline as /v1/chat/completions (whatever provider serves
 * it, with the same fallback), and answered as a `response` object or its event stream. Errors are
 * OpenAI-shaped, as on every OpenAI path.
 */
import { GatewayError } from '../../errors.js';
import { callOptionsFrom } from '../call-options.js';
import type { Handler } from '../context.js';
import { awaitWithKeepalive, forwardEarlyChunks, StreamHead } from '../hold-stream-head.js';
import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { convertFromResponsesRequest } from '../responses/convert-from-responses-request.js';
import { renderResponseObject } from '../responses/render-responses-object.js';
import { ResponsesEventStream } from '../responses/responses-event-stream.js';
import { writeTranslatedSse } from '../write-sse.js';

/** POST /v1/responses */
export const responses: Handler = async (ctx) => {
  const { req, res, gateway, requestId, cancel } = ctx;
  const raw = await readJsonBody(req, gateway.config.server.max_body_bytes);
  const { body, request } = convertFromResponsesRequest(raw.value);
  const createdAt = Math.floor(Date.now() / 1000);
  const head = body.stream === true ? new StreamHead(res) : undefined;
  // One translation for the whole response: a fallback's role chunk after early chunks starts no second response.
  const events = head && new ResponsesEventStream(request);
  // response.created goes out with the upstream's first chunk, the head with it (server.stream_head).
  const onEarlyChunk = head && events && forwardEarlyChunks(ctx, head, (chunk) => events.push(chunk).join(''));
  // No bodyBytes: the Responses body's size is no upper bound for the canonical one.
  const answer = gateway.chatCompletion(body, callOptionsFrom(req, { cancel, requestId, onEarlyChunk }));
  const outcome = events ? await awaitWithKeepalive(ctx, answer, (err) => events.fail(err)) : await answer;
  // Failed after its head went out: answered in-band.
  if (outcome === undefined) return;
  if (outcome.kind === 'completion') {
    sendJsonWith(res, 200, renderResponseObject(outcome.result, request, createdAt), servedHeaders(outcome.served));
    return;
  }
  res.on('close', outcome.cancel);
  (head as StreamHead).name(outcome.served);
  const translation = events as ResponsesEventStream;
  // A failure after the first byte ends the stream with response.failed.
  await writeTranslatedSse(res, outcome.chunks, translation, {
    cancel,
    onError: (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk'),
    errorEvent: (err) => translation.fail(err),
  });
};

/** /v1/responses/{id}[/...]: retrieve, cancel, delete, input_items. The gateway keeps no responses to act on. */
export const storedResponse: Handler = ({ subpath }) => {
  const id = subpath.split('/')[1] ?? '';
  throw new GatewayError(`No response '${id}': this gateway keeps no responses (it answers POST /v1/responses statelessly), so none can be fetched, cancelled or deleted.`, { status: 404, code: 'not_found', param: null, shape: 'client_error' });
};
