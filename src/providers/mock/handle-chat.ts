/** `POST /v1/chat/completions`: validate, let a fault have its way, then answer (whole or streamed). */
import { mockErrors } from './mock-errors.js';
import { prepareChatAnswer } from './prepare-chat-answer.js';
import { buildCompletion } from './mock-completion.js';
import type { MockExchange } from './mock-exchange.js';
import { parseChatRequest } from './mock-request.js';
import type { MockState } from './mock-state.js';
import { buildStreamChunks } from './mock-stream.js';
import { answerInvalid, sendAnswer } from './send-json.js';
import { OPENAI_STREAM_FRAMES, sseFrame, streamTail, writeStream } from './write-sse.js';

export async function handleChat(exchange: MockExchange, state: MockState): Promise<void> {
  const parsed = parseChatRequest(exchange.body);
  if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
  const request = parsed.value;
  const stream = request.stream === true;
  const prepared = await prepareChatAnswer(exchange, state, request, { stream, model: request.model, errors: mockErrors });
  if (prepared === undefined) return;
  const { mode, plan } = prepared;
  if (!stream) {
    const completion = buildCompletion(plan);
    sendAnswer(exchange.res, completion, mode);
    return;
  }
  const payloads = buildStreamChunks(plan, { includeUsage: request.stream_options?.include_usage === true, obfuscate: request.stream_options?.include_obfuscation !== false });
  await writeStream(exchange.res, payloads.map((payload) => sseFrame(payload)), {
    signal: exchange.signal,
    chunkDelayMs: state.chunkDelayMs,
    ...streamTail(mode, OPENAI_STREAM_FRAMES),
  });
}

