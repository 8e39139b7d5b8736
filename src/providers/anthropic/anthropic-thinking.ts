/**
 * A canonical request's reasoning (../canonical/reasoning.ts) in Anthropic's terms: extended
 * thinking.
 *
 * - Claude Opus and Sonnet 4.6 and later take adaptive thinking (`thinking: {type: "adaptive"}`)
 *   with an effort (`output_config.effort`: low, medium, high, max); Opus 4.6 and later refuse a
 *   token budget. Earlier models (Claude 3.7, Opus and Sonnet 4 to 4.5, Haiku) take only a budget
 *   (`thinking: {type: "enabled", budget_tokens}`, at least 1,024 and under `max_tokens`).
 *   Which is which is read from the model's name, Anthropic's own, Bedrock's or Vertex's.
 * - The budget comes out of `max_tokens`, as reasoning tokens come out of OpenAI's
 *   `max_completion_tokens`. A client's own cap is kept and the budget fitted under it; when the
 *   client set none, `max_tokens` is the budget plus the adapter's default, so the answer keeps
 *   the room it had without thinking.
 * - Where Anthropic refuses thinking, the request is sent without it, as parameters that only
 *   steer an answer are: a cap under 1,025 tokens (no room for the smallest budget), a
 *   `tool_choice` that forces a tool (`required`, a named function, or `json_object`, which is
 *   answered through a forced tool), and a tool loop whose last assistant turn comes back without
 *   its signed thinking (Anthropic wants that turn to start with it).
 * - With thinking on, Anthropic takes no `temperature` other than 1 and a `top_p` only from 0.95:
 *   others are left out, as OpenAI's reasoning models do not take them either.
 */
import { readThinkingBlocks, thinkingBudget, type ActiveEffort, type Reasoning } from '../canonical/reasoning.js';
import type { JsonObject } from '../types.js';

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** The lowest `top_p` Anthropic takes with thinking on. */
const MIN_THINKING_TOP_P = 0.95;

/** Anthropic's effort names (`output_config.effort`) for each canonical effort. */
const ANTHROPIC_EFFORTS: Readonly<Record<ActiveEffort, string>> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'max',
};

/** `opus-4-6`, `sonnet-4.5`, `sonnet-5`: a one- or two-digit major (a longer run is a Claude 3 date) and minor. */
const OPUS_OR_SONNET_VERSION = /(?:opus|sonnet)-(\d{1,2})(?![\d])(?:[-.](\d{1,2})(?![\d]))?/;

/** Whether the model takes adaptive thinking with an effort: Claude Opus and Sonnet 4.6 and later. */
export function takesAdaptiveThinking(model: string): boolean {
  const match = OPUS_OR_SONNET_VERSION.exec(model.toLowerCase());
  if (!match) return false;
  const major = Number(match[1]);
  const minor = match[2] === undefined ? 0 : Number(match[2]);
  return major > 4 || (major === 4 && minor >= 6);
}

export interface ThinkingRequest {
  /** The request's `thinking`, when it asks for thinking. */
  thinking: JsonObject | undefined;
  /** `output_config.effort`, for adaptive thinking. */
  effort: string | undefined;
  /** `max_tokens`, raised when the client set no cap and a budget needs the room. */
  maxTokens: number;
}

export interface ThinkingContext {
  model: string;
  /** The client's own cap on output tokens, if it set one. */
  clientMaxTokens: number | undefined;
  /** `max_tokens` when the client set none. */
  defaultMaxTokens: number;
  /** The Anthropic tool_choice about to be sent, if any. */
  toolChoiceType: unknown;
  messages: JsonObject[];
}

/** The request's `temperature` and `top_p` that may go with thinking on (or off): with it, Claude takes temperature 1 only and top_p from 0.95. */
export function samplingWithThinking(body: JsonObject, thinking: boolean): { temperature: number | undefined; topP: number | undefined } {
  return {
    temperature: typeof body.temperature === 'number' && (!thinking || body.temperature === 1) ? body.temperature : undefined,
    topP: typeof body.top_p === 'number' && (!thinking || body.top_p >= MIN_THINKING_TOP_P) ? body.top_p : undefined,
  };
}

/** The thinking to ask for, or none where Anthropic would refuse it (see the file's comment). */
export function anthropicThinking(reasoning: Reasoning, context: ThinkingContext): ThinkingRequest {
  const maxTokens = context.clientMaxTokens ?? context.defaultMaxTokens;
  const none: ThinkingRequest = { thinking: undefined, effort: undefined, maxTokens };
  if (reasoning.mode !== 'on') return none;
  if (context.toolChoiceType === 'any' || context.toolChoiceType === 'tool') return none;
  if (toolLoopLostItsThinking(context.messages)) return none;
  if (takesAdaptiveThinking(context.model)) return { thinking: { type: 'adaptive' }, effort: ANTHROPIC_EFFORTS[reasoning.effort], maxTokens };
  const wanted = Math.max(thinkingBudget(reasoning), MIN_THINKING_BUDGET);
  if (context.clientMaxTokens === undefined) return { thinking: { type: 'enabled', budget_tokens: wanted }, effort: undefined, maxTokens: wanted + context.defaultMaxTokens };
  const budget = Math.min(wanted, context.clientMaxTokens - 1);
  if (budget < MIN_THINKING_BUDGET) return none;
  return { thinking: { type: 'enabled', budget_tokens: budget }, effort: undefined, maxTokens };
}

/**
 * Whether the conversation ends in a tool loop (an assistant turn that called tools, then only
 * their results) whose assistant turn came back without signed thinking: Anthropic, with thinking
 * on, wants that turn to start with the thinking that led to the calls.
 */
function toolLoopLostItsThinking(messages: JsonObject[]): boolean {
  let index = messages.length - 1;
  while (index >= 0 && messages[index]?.role === 'tool') index--;
  if (index === messages.length - 1) return false;
  const assistant = messages[index];
  if (assistant?.role !== 'assistant') return false;
  return !readThinkingBlocks(assistant, `messages[${index}]`).some(isReplayable);
}

/** A block Anthropic takes back: signed thinking, or redacted thinking. */
export function isReplayable(block: ReturnType<typeof readThinkingBlocks>[number]): boolean {
  return block.type === 'redacted_thinking' || block.signature !== undefined;
}
