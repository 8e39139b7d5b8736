/**
 * `:generateContent` and `:streamGenerateContent` (Gemini API and Vertex AI paths alike): validate
 * as Gemini does, let a fault have its way, then answer whole or streamed. With `alt=sse` the
 * stream is SSE (`data:` events, CRLF-separated, no closing event); without it Gemini streams one
 * JSON array, which the mock reproduces too.
 */
import { prepareChatAnswer } from '../../prepare-chat-answer.js';
import type { Fault } from '../../mock-faults.js';
import type { MockExchange } from '../../mock-exchange.js';
import type { MockState } from '../../mock-state.js';
import { answerInvalid, sendAnswer } from '../../send-json.js';
import { type StreamFrames, streamTail, writeStream } from '../../write-sse.js';
import { geminiMockErrors } from './gemini-mock-errors.js';
import { parseGenerateContent } from './parse-gemini-request.js';
import { buildBlockedPromptResponse, buildGenerateContentEvents, buildGenerateContentResponse } from './render-gemini-answer.js';

export async function handleGenerateContent(exchange: MockExchange, state: MockState, model: string, stream: boolean): Promise<void> {
  const parsed = parseGenerateContent(exchange.body, model, stream);
  if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
  const request = parsed.chat;
  // Gemini refuses a prompt with a 200 and a block reason, not an HTTP error: the `error` mode of a
  // content_filter fault is rendered here as that, its `finish_reason` mode as a SAFETY stop.
  const prepared = await prepareChatAnswer(exchange, state, request, {
    stream,
    model,
    errors: geminiMockErrors,
    inputParam: 'contents',
    adjustFault: (fault: Fault): Fault => (fault.kind === 'content_filter' ? { ...fault, mode: 'finish_reason' } : fault),
  });
  if (prepared === undefined) return;
  const { mode, plan, fault: picked } = prepared;
  const promptBlocked = picked?.kind === 'content_filter' && picked.mode === 'error';
  if (!stream) {
    const body = promptBlocked ? buildBlockedPromptResponse(plan) : buildGenerateContentResponse(plan, parsed.thought);
    sendAnswer(exchange.res, body, mode);
    return;
  }
  const events = promptBlocked ? [JSON.stringify(buildBlockedPromptResponse(plan))] : buildGenerateContentEvents(plan, parsed.thought);
  const sse = new URL(exchange.req.url ?? '/', 'http://mock').searchParams.get('alt') === 'sse';
  await writeStream(exchange.res, sse ? events.map(sseEvent) : events.map((event, index) => (index === 0 ? `[${event}` : `,\r\n${event}`)), {
    signal: exchange.signal,
    chunkDelayMs: state.chunkDelayMs,
    ...streamTail(mode, sse ? SSE_FRAMES : JSON_ARRAY_FRAMES),
    contentType: sse ? 'text/event-stream' : 'application/json; charset=UTF-8',
  });
}

function sseEvent(data: string): string {
  return `data: ${data}\r\n\r\n`;
}

/** `alt=sse`: the error as one more event; SSE has no closing event, the body just ends. */
const SSE_FRAMES: StreamFrames = { error: (payload) => sseEvent(JSON.stringify(payload)) };
/** The JSON-array stream: the error as one more element, and the array's closing bracket. */
const JSON_ARRAY_FRAMES: StreamFrames = { error: (payload) => `,\r\n${JSON.stringify(payload)}]`, done: ']' };
