/**
 * An answer plan rendered as Bedrock renders it: a Converse JSON body, or ConverseStream's binary
 * event-stream messages (messageStart, content block events, messageStop, metadata), each event's
 * JSON padded with Bedrock's `p` field. Exception frames are built here too. With thinking, the
 * reasoning comes first, as its own content block (whole, or its text in pieces, then its signature).
 * Usage counts the prompt's cache reads and writes (mock-cache-points.ts) apart from `inputTokens`,
 * as Bedrock does.
 */
import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import type { JsonObject } from '../../../types.js';
import { estimateTokens } from '../../estimate-tokens.js';
import type { AnswerPlan, MockFinishReason } from '../../mock-completion.js';
import { NO_CACHE_USE, type CacheUse } from '../anthropic/mock-prompt-cache.js';
import { GUARDRAIL_MESSAGE, type BedrockStreamException } from './bedrock-errors.js';
import type { MockReasoning } from './mock-thinking.js';

const STOP_REASONS: Record<MockFinishReason, string> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'guardrail_intervened',
};

/** Words per text delta and characters per tool-input delta, as in the OpenAI dialect. */
const WORDS_PER_DELTA = 2;
const INPUT_CHARS_PER_DELTA = 8;
const WORD = /\s*\S+|\s+$/g;
/**
 * Bedrock pads each event with a `p` field of varying length so that message sizes do not give
 * away the tokens inside (a side channel). The mock pads too, so the adapter proves it ignores it.
 */
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';
/** A made-up but plausible model latency for `metrics.latencyMs`. */
const LATENCY_MS = 120;

const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The plan's answer text: a guardrail's intervention answers with the guardrail's own message, as Bedrock does. */
function answerText(plan: AnswerPlan): string | null {
  return plan.finishReason === 'content_filter' ? GUARDRAIL_MESSAGE : plan.content;
}

/** The reasoning to give: none with a guardrail's answer, which replaces the model's. */
function reasoningOf(plan: AnswerPlan, reasoning: MockReasoning | undefined): MockReasoning | undefined {
  return plan.finishReason === 'content_filter' ? undefined : reasoning;
}

/** Reasoning tokens count as output tokens, and cache reads and writes not as `inputTokens`, as Bedrock counts them. */
function usageOf(plan: AnswerPlan, reasoning: MockReasoning | undefined, cache: CacheUse): JsonObject {
  const prompt = Math.max(plan.usage.prompt_tokens, cache.read + cache.written);
  const output = plan.usage.completion_tokens + (reasoning ? estimateTokens(reasoning.text) : 0);
  return {
    inputTokens: prompt - cache.read - cache.written,
    outputTokens: output,
    totalTokens: prompt + output,
    cacheReadInputTokens: cache.read,
    cacheWriteInputTokens: cache.written,
    // The writes by ttl, 1h first, as Bedrock sorts them; empty without writes.
    cacheDetails: [
      { ttl: '1h', inputTokens: cache.writtenLong },
      { ttl: '5m', inputTokens: cache.written - cache.writtenLong },
    ].filter((detail) => detail.inputTokens > 0),
  };
}

export function converseBody(plan: AnswerPlan, thinking?: MockReasoning, cache: CacheUse = NO_CACHE_USE): JsonObject {
  const reasoning = reasoningOf(plan, thinking);
  const content: JsonObject[] = [];
  if (reasoning) content.push({ reasoningContent: { reasoningText: reasoning.signature === undefined ? { text: reasoning.text } : { text: reasoning.text, signature: reasoning.signature } } });
  const text = answerText(plan);
  if (text !== null) content.push({ text });
  if (plan.toolCall) content.push({ toolUse: { toolUseId: plan.toolCall.id, name: plan.toolCall.name, input: JSON.parse(plan.toolCall.arguments) as unknown } });
  return {
    output: { message: { role: 'assistant', content } },
    stopReason: STOP_REASONS[plan.finishReason],
    usage: usageOf(plan, reasoning, cache),
    metrics: { latencyMs: LATENCY_MS },
  };
}

export function converseStreamFrames(plan: AnswerPlan, thinking?: MockReasoning, cache: CacheUse = NO_CACHE_USE): Uint8Array[] {
  const reasoning = reasoningOf(plan, thinking);
  const frames: Uint8Array[] = [eventFrame('messageStart', { role: 'assistant' })];
  let block = 0;
  if (reasoning) {
    for (const piece of wordPieces(reasoning.text)) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { text: piece } } }));
    if (reasoning.signature !== undefined) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { reasoningContent: { signature: reasoning.signature } } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block }));
    block++;
  }
  const call = plan.toolCall;
  if (call) {
    frames.push(eventFrame('contentBlockStart', { contentBlockIndex: block, start: { toolUse: { toolUseId: call.id, name: call.name } } }));
    for (let index = 0; index < call.arguments.length; index += INPUT_CHARS_PER_DELTA) {
      frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { toolUse: { input: call.arguments.slice(index, index + INPUT_CHARS_PER_DELTA) } } }));
    }
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block }));
  } else {
    for (const piece of wordPieces(answerText(plan) ?? '')) frames.push(eventFrame('contentBlockDelta', { contentBlockIndex: block, delta: { text: piece } }));
    frames.push(eventFrame('contentBlockStop', { contentBlockIndex: block }));
  }
  frames.push(eventFrame('messageStop', { stopReason: STOP_REASONS[plan.finishReason] }));
  frames.push(eventFrame('metadata', { usage: usageOf(plan, reasoning, cache), metrics: { latencyMs: LATENCY_MS } }));
  return frames;
}

/** Text cut into deltas of WORDS_PER_DELTA words. */
function wordPieces(text: string): string[] {
  const words = text.match(WORD) ?? [];
  const pieces: string[] = [];
  for (let index = 0; index < words.length; index += WORDS_PER_DELTA) pieces.push(words.slice(index, index + WORDS_PER_DELTA).join(''));
  return pieces;
}

/** One event message: `:event-type`, `:content-type`, `:message-type: event`, and the padded JSON payload. */
export function eventFrame(eventType: string, payload: JsonObject): Uint8Array {
  const padded = { ...payload, p: PADDING.slice(0, 1 + (JSON.stringify(payload).length % PADDING.length)) };
  return encode({ ':event-type': str(eventType), ':content-type': str('application/json'), ':message-type': str('event') }, padded);
}

/** An exception message, as a stream that fails after it started carries it. */
export function exceptionFrame(exception: BedrockStreamException): Uint8Array {
  return encode({ ':exception-type': str(exception.exceptionType), ':content-type': str('application/json'), ':message-type': str('exception') }, exception.body);
}

function encode(headers: MessageHeaders, payload: JsonObject): Uint8Array {
  return codec.encode({ headers, body: fromUtf8(JSON.stringify(payload)) });
}

function str(value: string): { type: 'string'; value: string } {
  return { type: 'string', value };
}
