/**
 * The mock's answer to a chat request: deterministic text derived from the request (so tests can
 * assert on it), or a tool call, with usage estimated from the text. `planAnswer` decides what the
 * answer is; `buildCompletion` renders it as a non-streaming `chat.completion` and `mock-stream.ts`
 * renders the same plan as chunks.
 */
import type { JsonObject } from '../types.js';
import { buildToolCall, type MockToolCall } from './build-tool-call.js';
import { CHARS_PER_TOKEN, countPromptTokens, estimateTokens, messageText } from './estimate-tokens.js';
import { chatLogprobs } from './mock-logprobs.js';
import type { MockChatRequest } from './mock-request.js';
import { randomId } from './random-id.js';

/** How much of the last user message the answer echoes. */
const ECHO_CHARS = 60;
/** Trailing words, so a streamed answer has several chunks even for a one-word prompt. */
const FILLER = ' — this reply comes from the Switchyard mock provider, one small chunk at a time.';
export const SYSTEM_FINGERPRINT = 'fp_mock';

export type MockFinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter';

export interface MockUsage extends JsonObject {
  prompt_tokens: number;
  completion_tokens: number;
  total_tokens: number;
  prompt_tokens_details: { cached_tokens: number };
  completion_tokens_details: { reasoning_tokens: number };
}

export interface AnswerPlan {
  id: string;
  /** Unix seconds. */
  created: number;
  model: string;
  /** Number of choices (`n`); every choice carries the same answer. */
  choices: number;
  /** The text answer; null when the answer is a tool call or was filtered. */
  content: string | null;
  toolCall: MockToolCall | undefined;
  finishReason: MockFinishReason;
  usage: MockUsage;
  /** `top_logprobs` when the request asked for log probabilities (`logprobs: true`). */
  logprobs: number | undefined;
}

export interface PlanAnswerOptions {
  /** Named in the answer text, so a test can tell which deployment answered. */
  serverName: string;
  /** Answer as a content filter would: no content, `finish_reason: "content_filter"`. */
  contentFilter: boolean;
}

export function planAnswer(request: MockChatRequest, options: PlanAnswerOptions): AnswerPlan {
  const choices = request.n ?? 1;
  const logprobs = request.logprobs === true ? (request.top_logprobs ?? 0) : undefined;
  const base = { id: randomId('chatcmpl-', 29), created: Math.floor(Date.now() / 1000), model: request.model, choices, logprobs };
  const promptTokens = countPromptTokens(request.messages);
  const lastUser = request.messages.findLast((message) => message.role === 'user');
  const lastUserText = lastUser ? messageText(lastUser.content) : '';

  if (options.contentFilter) {
    return { ...base, content: null, toolCall: undefined, finishReason: 'content_filter', usage: usage(promptTokens, 0) };
  }
  const toolCall = buildToolCall(request, lastUserText);
  if (toolCall) {
    const completionTokens = estimateTokens(toolCall.name + toolCall.arguments) * choices;
    return { ...base, content: null, toolCall, finishReason: 'tool_calls', usage: usage(promptTokens, completionTokens) };
  }
  const full = `Mock answer from ${options.serverName} (${request.model}): ${lastUserText.slice(0, ECHO_CHARS)}${FILLER}`;
  const limit = request.max_completion_tokens ?? request.max_tokens ?? undefined;
  const cut = limit !== undefined && estimateTokens(full) > limit;
  const content = cut ? full.slice(0, limit * CHARS_PER_TOKEN) : full;
  return {
    ...base,
    content,
    toolCall: undefined,
    finishReason: cut ? 'length' : 'stop',
    usage: usage(promptTokens, estimateTokens(content) * choices),
  };
}

export function buildCompletion(plan: AnswerPlan): JsonObject {
  const message: JsonObject = { role: 'assistant', content: plan.content, refusal: null, annotations: [] };
  if (plan.toolCall) {
    message.tool_calls = [{ id: plan.toolCall.id, type: 'function', function: { name: plan.toolCall.name, arguments: plan.toolCall.arguments } }];
  }
  const choices: JsonObject[] = [];
  for (let index = 0; index < plan.choices; index++) {
    choices.push({ index, message, logprobs: plan.logprobs === undefined ? null : chatLogprobs(plan.content, plan.logprobs), finish_reason: plan.finishReason });
  }
  return {
    id: plan.id,
    object: 'chat.completion',
    created: plan.created,
    model: plan.model,
    choices,
    usage: plan.usage,
    service_tier: 'default',
    system_fingerprint: SYSTEM_FINGERPRINT,
  };
}

function usage(promptTokens: number, completionTokens: number): MockUsage {
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0 },
  };
}
