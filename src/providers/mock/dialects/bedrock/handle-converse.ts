/**
 * `POST /model/{modelId}/converse` and `/converse-stream`: validate (thinking as Claude or Nova
 * would, mock-thinking.ts; cache points as Bedrock does, mock-cache-points.ts), let a fault have
 * its way, then answer in Bedrock's format, the prompt cached up to its cache points.
 */
import { prepareChatAnswer } from '../../prepare-chat-answer.js';
import { randomUUID } from 'node:crypto';
import type { MockExchange } from '../../mock-exchange.js';
import type { Fault } from '../../mock-faults.js';
import type { MockState } from '../../mock-state.js';
import { answerInvalid, sendAnswer } from '../../send-json.js';
import { streamTail, writeStream } from '../../write-sse.js';
import { bedrockErrors, type BedrockStreamException } from './bedrock-errors.js';
import { checkCachePoints, useConverseCache } from './mock-cache-points.js';
import { checkThinking, mockReasoning } from './mock-thinking.js';
import { parseConverseRequest } from './parse-converse-request.js';
import { converseBody, converseStreamFrames, exceptionFrame } from './render-converse.js';

export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

export function converseHandler(stream: boolean) {
  return async function handleConverse(exchange: MockExchange, state: MockState): Promise<void> {
    // Every Bedrock answer, errors included, names its request: the only id a Converse answer has.
    exchange.res.setHeader('x-amzn-requestid', randomUUID());
    const modelId = exchange.params[0] ?? '';
    const parsed = parseConverseRequest(exchange.body, modelId, stream);
    if (!parsed.ok) return answerInvalid(exchange, state, parsed.error);
    const request = parsed.value;
    const thinking = checkThinking(exchange.body, modelId);
    if (!thinking.ok) return answerInvalid(exchange, state, thinking.error);
    const cachePoints = checkCachePoints(exchange.body, modelId);
    if (!cachePoints.ok) return answerInvalid(exchange, state, cachePoints.error);
    const prepared = await prepareChatAnswer(exchange, state, request, { stream, model: modelId, errors: bedrockErrors, adjustFault: asBedrockFault });
    if (prepared === undefined) return;
    const { mode, plan } = prepared;
    const reasoning = thinking.thinks ? mockReasoning(request, thinking.thinks) : undefined;
    const cache = cachePoints.points > 0 ? useConverseCache(exchange.body, modelId, state.promptCache) : undefined;
    if (!stream) {
      const body = converseBody(plan, reasoning, cache);
      sendAnswer(exchange.res, body, mode);
      return;
    }
    await writeStream(exchange.res, converseStreamFrames(plan, reasoning, cache), {
      signal: exchange.signal,
      chunkDelayMs: state.chunkDelayMs,
      ...streamTail(mode, { error: (payload) => exceptionFrame(payload as BedrockStreamException) }),
      contentType: EVENT_STREAM_CONTENT_TYPE,
    });
  };
}

/** Bedrock has no HTTP error for a guardrail: a content_filter fault always answers `guardrail_intervened`. */
function asBedrockFault(fault: Fault): Fault {
  return fault.kind === 'content_filter' ? { ...fault, mode: 'finish_reason' } : fault;
}

