/** `POST /v1/messages`: validate as Anthropic does, let a fault have its way, then answer (whole or streamed), its prompt cached as marked. */
import { prepareChatAnswer } from '../../prepare-chat-answer.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { answerInvalid, sendAnswer } from '../../send-json.js';
import { sseFrame, streamTail, writeStream } from '../../write-sse.js';
import { anthropicMockErrors, invalidRequestError } from './anthropic-errors.js';
import { useCache } from './mock-prompt-cache.js';
import { parseMessagesRequest } from './parse-messages-request.js';
import { buildMessage, buildMessageFrames } from './render-message.js';

export async function handleMessages(exchange: MockExchange, state: MockState): Promise<void> {
  // Anthropic refuses a request without a version; the mock does too, so an adapter that forgets it fails in tests.
  const parsed = exchange.req.headers['anthropic-version'] ? parseMessagesRequest(exchange.body) : { ok: false as const, error: invalidRequestError('anthropic-version: header is required') };
  if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
  const request = parsed.chat;
  const stream = request.stream === true;
  const prepared = await prepareChatAnswer(exchange, state, request, { stream, model: request.model, errors: anthropicMockErrors });
  if (prepared === undefined) return;
  const { mode, plan } = prepared;
  const cache = useCache(exchange.body, state.promptCache);
  if (!stream) {
    const message = buildMessage(plan, parsed.thinking, cache);
    sendAnswer(exchange.res, message, mode);
    return;
  }
  const { frames, end } = buildMessageFrames(plan, parsed.thinking, cache);
  await writeStream(exchange.res, frames, {
    signal: exchange.signal,
    chunkDelayMs: state.chunkDelayMs,
    ...streamTail(mode, { error: (payload) => sseFrame(JSON.stringify(payload), 'error'), done: end }),
  });
}

