/** `POST /v2/chat`: validate as Cohere does, let a fault have its way, then answer whole or streamed. */
import { prepareChatAnswer } from '../../prepare-chat-answer.js';
import type { Fault } from '../../mock-faults.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { answerInvalid, sendAnswer } from '../../send-json.js';
import { type StreamFrames, streamTail, writeStream } from '../../write-sse.js';
import { cohereMockErrors } from './cohere-mock-errors.js';
import { parseCohereChat } from './parse-cohere-chat.js';
import { buildChatFrames, buildChatResponse, DONE_FRAME, event, newCohereAnswer } from './render-cohere-answer.js';

export async function handleCohereChat(exchange: MockExchange, state: MockState): Promise<void> {
  const parsed = parseCohereChat(exchange.body);
  if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
  const request = parsed.chat;
  const stream = request.stream === true;
  const prepared = await prepareChatAnswer(exchange, state, request, {
    stream,
    model: request.model,
    errors: cohereMockErrors,
    // Cohere has no HTTP error for a refused prompt; both modes of a content_filter fault end the reply with its toxicity stop.
    adjustFault: (fault: Fault): Fault => (fault.kind === 'content_filter' ? { ...fault, mode: 'finish_reason' } : fault),
  });
  if (prepared === undefined) return;
  const { mode, plan } = prepared;
  const answer = newCohereAnswer(plan, parsed.thinking);
  if (!stream) {
    const body = buildChatResponse(plan, answer);
    sendAnswer(exchange.res, body, mode);
    return;
  }
  await writeStream(exchange.res, buildChatFrames(plan, answer), {
    signal: exchange.signal,
    chunkDelayMs: state.chunkDelayMs,
    ...streamTail(mode, COHERE_STREAM_FRAMES),
  });
}

/** Cohere's: an error fault ends the stream with the event its payload names (a message-end with an error reason). */
const COHERE_STREAM_FRAMES: StreamFrames = {
  error: ({ type, ...rest }) => event(typeof type === 'string' ? type : 'message-end', rest),
  done: DONE_FRAME,
};
