/**
 * Anthropic's Messages API in front of the gateway: `POST /v1/messages` is translated to the
 * canonical body, served by the same pipeline as /v1/chat/completions (whatever provider serves
 * it), and answered as an Anthropic message or event stream. Every error of these routes, body
 * parsing included, is rendered in Anthropic's shape.
 */
import { GatewayError } from '../../errors.js';
import { countPromptTokens } from '../../gateway/count-prompt-tokens.js';
import { convertFromAnthropicRequest } from '../anthropic/convert-from-anthropic-request.js';
import { renderAnthropicMessage } from '../anthropic/render-anthropic-message.js';
import { answerError } from '../answer-error.js';
import { AnthropicEventStream } from '../anthropic/anthropic-event-stream.js';
import { anthropicSseErrorEvent, writeAnthropicSse } from '../anthropic/write-anthropic-sse.js';
import { callOptionsFrom } from '../call-options.js';
import type { Handler, HttpContext } from '../context.js';
import { readJsonBody } from '../read-body.js';
import { sendJsonWith } from '../render-error.js';
import { servedHeaders } from '../served-headers.js';
import { awaitWithKeepalive, forwardEarlyChunks, StreamHead } from '../hold-stream-head.js';

/** POST /v1/messages */
export const messages: Handler = (ctx) =>
  inAnthropicShape(ctx, async ({ req, res, gateway, requestId, cancel }) => {
    const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
    const canonical = convertFromAnthropicRequest(body.value, { requireMaxTokens: true });
    const head = canonical.stream === true ? new StreamHead(res, { 'request-id': requestId }) : undefined;
    // One translation for the whole response: a fallback's role chunk after early chunks opens no second message.
    const events = head && new AnthropicEventStream(canonical.model);
    // message_start goes out with the upstream's first chunk, the head with it (server.stream_head).
    const onEarlyChunk = head && events && forwardEarlyChunks(ctx, head, (chunk) => events.push(chunk).join(''));
    // No bodyBytes: the Anthropic body's size is no upper bound for the canonical one (tool inputs grow when re-encoded as argument strings).
    const answer = gateway.chatCompletion(canonical, callOptionsFrom(req, { cancel, requestId, onEarlyChunk }));
    const outcome = head ? await awaitWithKeepalive(ctx, answer, (err) => anthropicSseErrorEvent(err, requestId)) : await answer;
    // Failed after its head went out: answered in-band.
    if (outcome === undefined) return;
    if (outcome.kind === 'completion') {
      sendJsonWith(res, 200, renderAnthropicMessage(outcome.result, canonical.model), { ...servedHeaders(outcome.served), 'request-id': outcome.served.requestId });
      return;
    }
    res.on('close', outcome.cancel);
    (head as StreamHead).name(outcome.served);
    await writeAnthropicSse(res, outcome.chunks, {
      requestedModel: canonical.model,
      requestId: outcome.served.requestId,
      cancel,
      onError: (err) => gateway.logger.warn({ err, requestId }, 'stream failed after the first chunk'),
      events,
    });
  });

/**
 * POST /v1/messages/count_tokens: the prompt's tokens by the gateway's own tokenizer (o200k), the
 * count it uses to skip deployments whose context window is too small. An estimate for other
 * model families, Anthropic's included.
 */
export const countTokens: Handler = (ctx) =>
  inAnthropicShape(ctx, async ({ req, res, gateway, requestId }) => {
    const body = await readJsonBody(req, gateway.config.server.max_body_bytes);
    const canonical = convertFromAnthropicRequest(body.value, { requireMaxTokens: false });
    if (!Object.hasOwn(gateway.config.routes, canonical.model)) {
      throw new GatewayError(`The model '${canonical.model}' does not exist. Ask GET /v1/models for the models this gateway serves.`, { status: 404, code: 'model_not_found', param: 'model', shape: 'client_error' });
    }
    const inputTokens = await countPromptTokens(canonical);
    sendJsonWith(res, 200, JSON.stringify({ input_tokens: inputTokens }), { 'x-request-id': requestId, 'request-id': requestId });
  });

/** Runs a handler and answers any error it throws in Anthropic's shape (the server's default is OpenAI's). */
async function inAnthropicShape(ctx: HttpContext, serve: (ctx: HttpContext) => Promise<void>): Promise<void> {
  try {
    await serve(ctx);
  } catch (err) {
    if (ctx.cancel.aborted) return;
    answerError(ctx, err, 'anthropic');
  }
}

