/**
 * A canonical request's reasoning (../canonical/reasoning.ts) in Anthropic's terms: extended
 * thinking.
 *
 * - Claude Opus and Sonnet 4.6 and later, and Mythos, take adaptive thinking (`thinking: {type:
 *   "adaptive"}`) with an effort (`output_config.effort`: low, medium, high, max, and xhigh from
 *   Opus 4.7); Opus 4.7 and later refuse a token budget (4.6 takes one, deprecated). Earlier models
 *   (Claude 3.7, Opus and Sonnet 4 to 4.5, Haiku) take only a budget (`thinking: {type: "enabled",
 *   budget_tokens}`, at least 1,024 and under `max_tokens`). Which is which is read from the
 *   model's name, Anthropic's own, Bedrock's or Vertex's.
 * - Opus 4.7 and later, and Mythos, leave the thinking text out of their blocks unless asked
 *   (`display: "summarized"`; earlier models summarise by default). A Messages request gets its
 *   own `display`, or the model's default; a Chat Completions request, which has no such field,
 *   gets the text, as `reasoning_content`, as from every other model that reasons.
 * - An effort a Messages request named is sent as named (`max`, or `xhigh` where the model has
 *   it, else `max`); a canonical effort as its nearest: `minimal` is `low`, `xhigh` is `xhigh` on
 *   Opus 4.7 and later and `max` before.
 * - The budget comes out of `max_tokens`, as reasoning tokens come out of OpenAI's
 *   `max_completion_tokens`. A client's own cap is kept and the budget fitted under it; when the
 *   client set none, `max_tokens` is the budget plus the adapter's default, so the answer keeps
 *   the room it had without thinking.
 * - Where Anthropic refuses thinking, the request is sent without it, as parameters that only
 *   steer an answer are: a cap under 1,025 tokens (no room for the smallest budget), a
 *   `tool_choice` that forces a tool (`required`, a named function, or `json_object`, which is
 *   answered through a forced tool), and a tool loop whose last assistant turn comes back without
 *   its signed thinking (Anthropic wants that turn to start with it).
 * - With thinking on, Anthropic takes no `temperature` other than 1 and a `top_p` only from 0.95;
 *   Opus 4.7 and later take neither (nor `top_k`) at all: they are left out, as OpenAI's reasoning
 *   models do not take them either.
 */
import { CLAUDE_THINKING, readThinkingBlocks, thinkingBudget, type ActiveEffort, type ClaudeEffort, type Reasoning, type ReasoningBody, type ThinkingDisplay } from '../canonical/reasoning.js';
import type { JsonObject } from '../types.js';

/** Anthropic's smallest thinking budget. */
export const MIN_THINKING_BUDGET = 1024;

/** The lowest `top_p` Anthropic takes with thinking on. */
const MIN_THINKING_TOP_P = 0.95;

/** Anthropic's effort names (`output_config.effort`) for each canonical effort; `xhigh` is `max` where the model has no `xhigh`. */
const ANTHROPIC_EFFORTS: Readonly<Record<ActiveEffort, ClaudeEffort>> = {
  minimal: 'low',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
};

/** `opus-4-6`, `sonnet-4.5`, `sonnet-5`: a one- or two-digit major (a longer run is a Claude 3 date) and minor. */
const OPUS_OR_SONNET_VERSION = /(opus|sonnet)-(\d{1,2})(?![\d])(?:[-.](\d{1,2})(?![\d]))?/;

/** Claude Mythos, in any platform's spelling. */
const MYTHOS = /mythos/i;

/** An Opus or Sonnet model's family and version (4.6 is 406), read from its name; undefined for other models. */
function opusOrSonnet(model: string): { family: string; version: number } | undefined {
  const match = OPUS_OR_SONNET_VERSION.exec(model.toLowerCase());
  if (!match) return undefined;
  return { family: match[1] as string, version: Number(match[2]) * 100 + (match[3] === undefined ? 0 : Number(match[3])) };
}

/** Whether the model is Claude Opus 4.7 or later. */
function isOpusFrom47(model: string): boolean {
  const found = opusOrSonnet(model);
  return found !== undefined && found.family === 'opus' && found.version >= 407;
}

/** Whether the model takes adaptive thinking with an effort: Claude Opus and Sonnet 4.6 and later, and Mythos. */
export function takesAdaptiveThinking(model: string): boolean {
  return (opusOrSonnet(model)?.version ?? 0) >= 406 || MYTHOS.test(model);
}

/** Whether the model refuses a thinking budget (`type: "enabled"`): Claude Opus 4.7 and later, and Mythos. */
export function refusesThinkingBudget(model: string): boolean {
  return isOpusFrom47(model) || MYTHOS.test(model);
}

/** Whether the model takes the effort `xhigh`: Claude Opus 4.7 and later. */
export function takesXhighEffort(model: string): boolean {
  return isOpusFrom47(model);
}

/** Whether the model leaves its thinking text out unless asked (`display` defaults to `omitted`): Claude Opus 4.7 and later, and Mythos. */
export function omitsThinkingText(model: string): boolean {
  return isOpusFrom47(model) || MYTHOS.test(model);
}

/** Whether the model refuses `temperature`, `top_p` and `top_k`: Claude Opus 4.7 and later. */
export function refusesSampling(model: string): boolean {
  return isOpusFrom47(model);
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

/**
 * The request's `temperature` and `top_p` that may go to the model with thinking on (or off):
 * with it, Claude takes temperature 1 only and top_p from 0.95; Opus 4.7 and later take neither.
 */
export function claudeSampling(body: JsonObject, model: string, thinking: boolean): { temperature: number | undefined; topP: number | undefined } {
  if ((body.temperature != null || body.top_p != null) && refusesSampling(model)) return { temperature: undefined, topP: undefined };
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
  const display = reasoning.claude ? reasoning.claude.display : omitsThinkingText(context.model) ? 'summarized' : undefined;
  if (takesAdaptiveThinking(context.model)) return { thinking: withDisplay({ type: 'adaptive' }, display), effort: anthropicEffort(reasoning, context.model), maxTokens };
  const wanted = Math.max(thinkingBudget(reasoning), MIN_THINKING_BUDGET);
  if (context.clientMaxTokens === undefined) return { thinking: withDisplay({ type: 'enabled', budget_tokens: wanted }, display), effort: undefined, maxTokens: wanted + context.defaultMaxTokens };
  const budget = Math.min(wanted, context.clientMaxTokens - 1);
  if (budget < MIN_THINKING_BUDGET) return none;
  return { thinking: withDisplay({ type: 'enabled', budget_tokens: budget }, display), effort: undefined, maxTokens };
}

/** The effort for adaptive thinking: as a Messages request named it, else the canonical effort's. */
function anthropicEffort(reasoning: Extract<Reasoning, { mode: 'on' }>, model: string): ClaudeEffort {
  return effortFor(reasoning.claude?.effort ?? ANTHROPIC_EFFORTS[reasoning.effort], model);
}

/** An effort as the model takes it: `xhigh` is `max` where the model has no `xhigh`. */
function effortFor(effort: ClaudeEffort, model: string): ClaudeEffort {
  return effort === 'xhigh' && !takesXhighEffort(model) ? 'max' : effort;
}

/**
 * The effort a Messages request named without thinking on (`output_config.effort`, which on
 * Anthropic steers a whole answer's spending), for a model that takes an effort (those that take
 * adaptive thinking); undefined otherwise.
 */
export function effortWithoutThinking(body: ReasoningBody, model: string): ClaudeEffort | undefined {
  const asked = body[CLAUDE_THINKING]?.effort;
  if (asked === undefined || !takesAdaptiveThinking(model)) return undefined;
  return effortFor(asked, model);
}

function withDisplay(thinking: JsonObject, display: ThinkingDisplay | undefined): JsonObject {
  if (display !== undefined) thinking.display = display;
  return thinking;
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
