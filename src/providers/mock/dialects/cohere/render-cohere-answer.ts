/**
 * An answer plan rendered as Cohere's v2 chat renders answers: `{id, message, finish_reason, usage}`
 * whole, or streamed as named SSE events (message-start, content-start/-delta/-end or
 * tool-plan-delta and tool-call-start/-delta/-end, message-end) closed by `data: [DONE]`.
 */
import { randomUUID } from 'node:crypto';
import type { JsonObject } from '../../../types.js';
import type { AnswerPlan, MockFinishReason } from '../../mock-completion.js';
import { estimateTokens } from '../../estimate-tokens.js';
import { randomId } from '../../random-id.js';
import { sseFrame } from '../../write-sse.js';

/** Tokens Cohere's prompt template adds to what is billed (`tokens` counts them, `billed_units` does not). */
const TEMPLATE_TOKENS = 64;
const WORDS_PER_EVENT = 2;
const ARGUMENT_CHARS_PER_EVENT = 12;
const WORD = /\s*\S+|\s+$/g;

const FINISH_REASONS: Record<MockFinishReason, string> = {
  stop: 'COMPLETE',
  length: 'MAX_TOKENS',
  tool_calls: 'TOOL_CALL',
  // v1's toxicity stop; v2 documents only ERROR, which says nothing about why.
  content_filter: 'ERROR_TOXIC',
};

export interface CohereAnswer {
  id: string;
  toolCallId: string | undefined;
  /** A reasoning model's thinking, first in the content. */
  thinking: string | undefined;
}

export function newCohereAnswer(plan: AnswerPlan, thinking?: string): CohereAnswer {
  return { id: randomUUID(), toolCallId: plan.toolCall ? `${plan.toolCall.name}_${randomId('', 12).toLowerCase()}` : undefined, thinking };
}

export function buildChatResponse(plan: AnswerPlan, answer: CohereAnswer): JsonObject {
  const message: JsonObject = { role: 'assistant' };
  const thinking = answer.thinking === undefined ? [] : [{ type: 'thinking', thinking: answer.thinking }];
  if (plan.toolCall) {
    message.tool_plan = toolPlan(plan);
    message.tool_calls = [{ id: answer.toolCallId, type: 'function', function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments } }];
    if (thinking.length > 0) message.content = thinking;
  } else {
    message.content = plan.content ? [...thinking, { type: 'text', text: plan.content }] : thinking;
  }
  return { id: answer.id, message, finish_reason: FINISH_REASONS[plan.finishReason], usage: usage(plan, answer) };
}

/** The stream's frames, without the closing `data: [DONE]` (see DONE_FRAME). */
export function buildChatFrames(plan: AnswerPlan, answer: CohereAnswer): string[] {
  const frames = [event('message-start', { id: answer.id, delta: { message: { role: 'assistant', content: [], tool_plan: '', tool_calls: [], citations: [] } } })];
  // A reasoning model's thinking is content block 0, streamed as `thinking`; the text is block 1.
  let textIndex = 0;
  if (answer.thinking !== undefined) {
    frames.push(event('content-start', { index: 0, delta: { message: { content: { type: 'thinking', thinking: '' } } } }));
    for (const piece of wordGroups(answer.thinking)) frames.push(event('content-delta', { index: 0, delta: { message: { content: { thinking: piece } } } }));
    frames.push(event('content-end', { index: 0 }));
    textIndex = 1;
  }
  const call = plan.toolCall;
  if (call) {
    for (const piece of wordGroups(toolPlan(plan))) frames.push(event('tool-plan-delta', { delta: { message: { tool_plan: piece } } }));
    frames.push(event('tool-call-start', { index: 0, delta: { message: { tool_calls: { id: answer.toolCallId, type: 'function', function: { name: call.name, arguments: '' } } } } }));
    for (let at = 0; at < call.arguments.length; at += ARGUMENT_CHARS_PER_EVENT) {
      frames.push(event('tool-call-delta', { index: 0, delta: { message: { tool_calls: { function: { arguments: call.arguments.slice(at, at + ARGUMENT_CHARS_PER_EVENT) } } } } }));
    }
    frames.push(event('tool-call-end', { index: 0 }));
  } else if (plan.content) {
    frames.push(event('content-start', { index: textIndex, delta: { message: { content: { type: 'text', text: '' } } } }));
    for (const piece of wordGroups(plan.content)) frames.push(event('content-delta', { index: textIndex, delta: { message: { content: { text: piece } } } }));
    frames.push(event('content-end', { index: textIndex }));
  }
  frames.push(event('message-end', { delta: { finish_reason: FINISH_REASONS[plan.finishReason], usage: usage(plan, answer) } }));
  return frames;
}

export const DONE_FRAME = sseFrame('[DONE]');

/** A named event; its `type` repeats the name, as Cohere's do. */
export function event(type: string, payload: JsonObject): string {
  return sseFrame(JSON.stringify({ type, ...payload }), type);
}

function toolPlan(plan: AnswerPlan): string {
  return `I will call ${plan.toolCall?.name ?? 'the tool'} to answer this.`;
}

function usage(plan: AnswerPlan, answer: CohereAnswer): JsonObject {
  const input = plan.usage.prompt_tokens;
  const output = plan.usage.completion_tokens + (answer.thinking === undefined ? 0 : estimateTokens(answer.thinking));
  return { billed_units: { input_tokens: input, output_tokens: output }, tokens: { input_tokens: input + TEMPLATE_TOKENS, output_tokens: output } };
}

function wordGroups(text: string): string[] {
  const words = text.match(WORD) ?? [];
  const groups: string[] = [];
  for (let index = 0; index < words.length; index += WORDS_PER_EVENT) groups.push(words.slice(index, index + WORDS_PER_EVENT).join(''));
  return groups;
}
