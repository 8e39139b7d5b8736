/** `POST /v1/chat/completions`: validate, let a fault have its way, then answer (whole or streamed). */
import { countPromptTokens } from './estimate-tokens.js';
import { applyFault } from './apply-fault.js';
import { buildCompletion, planAnswer } from './mock-completion.js';
import type { MockExchange } from './mock-exchange.js';
import { parseChatRequest } from './mock-request.js';
import type { MockState } from './mock-state.js';
import { buildStreamChunks } from './mock-stream.js';
import type { AnswerMode } from './plan-fault.js';
import { sendJson, sendPartialJson } from './send-json.js';
import { writeSse, type SseEnding } from './write-sse.js';

export async function handleChat(exchange: MockExchange, state: MockState): Promise<void> {
  const parsed = parseChatRequest(exchange.body);
  if (!parsed.ok) {
    state.record('invalid');
    sendJson(exchange.res, parsed.error.status, parsed.error.body);
    return;
  }
  const request = parsed.value;
  const stream = request.stream === true;
  const fault = state.pickFault({ endpoint: 'chat', stream, model: request.model });
  state.record(fault ? { fault: fault.kind } : 'ok');
  const mode = await applyFault(exchange, state, fault, () => ({
    stream,
    model: request.model,
    promptTokens: countPromptTokens(request.messages),
    inputParam: 'messages',
    presentedKey: exchange.presentedKey,
  }));
  if (mode === undefined) return;

  const plan = planAnswer(request, { serverName: state.name, contentFilter: mode.type === 'content_filter' });
  if (!stream) {
    const completion = buildCompletion(plan);
    if (mode.type === 'cut' || mode.type === 'stall') sendPartialJson(exchange.res, 200, completion, mode.type);
    else sendJson(exchange.res, 200, completion);
    return;
  }
  const payloads = buildStreamChunks(plan, { includeUsage: request.stream_options?.include_usage === true });
  await writeSse(exchange.res, payloads, {
    signal: exchange.signal,
    chunkDelayMs: state.chunkDelayMs,
    stopAfter: 'afterChunks' in mode ? mode.afterChunks : undefined,
    ending: endingFor(mode),
  });
}

function endingFor(mode: AnswerMode): SseEnding {
  if (mode.type === 'cut' || mode.type === 'stall') return { type: mode.type };
  if (mode.type === 'stream_error') return { type: 'error', payload: mode.payload };
  return { type: 'done' };
}
