/**
 * What a canonical request asks of a model's reasoning, read once for every translating adapter,
 * and the thinking blocks an answer carries back.
 *
 * Chat Completions asks with `reasoning_effort` (`none`, `minimal`, `low`, `medium`, `high`,
 * `xhigh`). An OpenAI-format upstream gets the field as the client sent it; an adapter translates
 * it into its provider's terms: a thinking budget in tokens (Claude before 4.6, Gemini 2.5), an
 * effort level (Claude 4.6 and later), a thinking level (Gemini 3).
 *
 * An Anthropic Messages request (`POST /v1/messages`) asks with an exact budget
 * (`thinking.budget_tokens`) or an effort (adaptive thinking). Its canonical body carries the
 * effort under THINKING_EFFORT and the budget under THINKING_BUDGET: symbol keys, which JSON never
 * writes, so an OpenAI-format upstream never sees them (OpenAI's non-reasoning models answer a
 * `reasoning_effort` with a 400, and Anthropic's clients ask for thinking on most requests), while
 * every translating adapter reads them through readReasoning, an adapter that takes a budget
 * using it as asked.
 *
 * An answer's reasoning comes back as `reasoning_content` (the text, the field DeepSeek, vLLM and
 * most OpenAI-compatible servers use) and, where the provider signs it, as `thinking_blocks`:
 * Anthropic's blocks with their signatures, which a client sends back on the assistant message of
 * a tool loop so that the model's reasoning continues where it stopped.
 */
import { isJsonObject } from '../read-payload.js';
import type { ChatBody, JsonObject } from '../types.js';
import { invalidRequest } from './request-parts.js';

export const REASONING_EFFORTS = ['none', 'minimal', 'low', 'medium', 'high', 'xhigh'] as const;

export type ReasoningEffort = (typeof REASONING_EFFORTS)[number];

/** An effort that turns reasoning on. */
export type ActiveEffort = Exclude<ReasoningEffort, 'none'>;

export type Reasoning =
  /** Nothing asked: the model reasons as its provider's default has it. */
  | { mode: 'default' }
  /** `reasoning_effort: "none"`: no reasoning, where the model can answer without. */
  | { mode: 'off' }
  /**
   * Reasoning at this effort; `budgetTokens` is the exact budget a Messages request gave, `claude`
   * what it said in Claude's words.
   */
  | { mode: 'on'; effort: ActiveEffort; budgetTokens: number | undefined; claude?: ClaudeThinking };

/** The exact thinking budget a Messages request asked for, on its canonical body (never serialised). */
export const THINKING_BUDGET: unique symbol = Symbol('switchyard.thinkingBudget');

/** The effort a Messages request's `thinking` asked for, on its canonical body in place of `reasoning_effort` (never serialised). */
export const THINKING_EFFORT: unique symbol = Symbol('switchyard.thinkingEffort');

/**
 * What a Messages request's `thinking` said in Claude's own words, on its canonical body (never
 * serialised), for Claude (Anthropic's API and Bedrock) to get as asked: the effort exactly
 * (Anthropic's `xhigh` and `max` are both the canonical `xhigh`) and `display`.
 */
export const CLAUDE_THINKING: unique symbol = Symbol('switchyard.claudeThinking');

/** Anthropic's effort levels (`output_config.effort`), lowest first. */
export const CLAUDE_EFFORTS = ['low', 'medium', 'high', 'xhigh', 'max'] as const;

export type ClaudeEffort = (typeof CLAUDE_EFFORTS)[number];

/** Whether a Claude model's thinking blocks carry their text summarised, or leave it out (`thinking.display`). */
export type ThinkingDisplay = 'summarized' | 'omitted';

export interface ClaudeThinking {
  effort?: ClaudeEffort;
  display?: ThinkingDisplay;
}

/** A canonical body that may carry THINKING_BUDGET, THINKING_EFFORT and CLAUDE_THINKING. */
export type ReasoningBody = ChatBody & { [THINKING_BUDGET]?: number; [THINKING_EFFORT]?: ReasoningEffort; [CLAUDE_THINKING]?: ClaudeThinking };

/**
 * What the symbol keys ask, as text for the keys a request is cached and deduplicated under: they
 * hash the body's JSON, which leaves symbol keys out, so two Messages requests that differ only in
 * their thinking would otherwise share an answer. Empty when the body carries neither.
 */
export function unserialisedReasoning(body: ReasoningBody): string {
  const effort = body[THINKING_EFFORT];
  const budget = body[THINKING_BUDGET];
  const claude = body[CLAUDE_THINKING];
  if (effort === undefined && budget === undefined && claude === undefined) return '';
  return `thinking:${effort ?? ''}:${budget ?? ''}:${claude?.effort ?? ''}:${claude?.display ?? ''}`;
}

/**
 * The thinking budget in tokens for each effort, for a provider that takes a budget. Each is
 * Anthropic's smallest (1,024) or a round figure between it and the 32k that Anthropic's own
 * clients use for their highest setting; they are the gateway's choice, not a provider's.
 */
export const EFFORT_BUDGETS: Readonly<Record<ActiveEffort, number>> = {
  minimal: 1024,
  low: 4096,
  medium: 10240,
  high: 24576,
  xhigh: 32768,
};

const EFFORTS = new Set<string>(REASONING_EFFORTS);

/** What the request asks of reasoning. An unknown `reasoning_effort` is the client's 400. */
export function readReasoning(body: ReasoningBody): Reasoning {
  const effort = body.reasoning_effort ?? body[THINKING_EFFORT];
  if (effort === undefined || effort === null) return { mode: 'default' };
  if (typeof effort !== 'string' || !EFFORTS.has(effort)) {
    throw invalidRequest(`reasoning_effort must be one of ${REASONING_EFFORTS.map((name) => `"${name}"`).join(', ')}.`, 'reasoning_effort');
  }
  if (effort === 'none') return { mode: 'off' };
  return { mode: 'on', effort: effort as ActiveEffort, budgetTokens: body[THINKING_BUDGET], claude: body[CLAUDE_THINKING] };
}

/** The budget to think within: the one asked for exactly, else the effort's. */
export function thinkingBudget(reasoning: Extract<Reasoning, { mode: 'on' }>): number {
  return reasoning.budgetTokens ?? EFFORT_BUDGETS[reasoning.effort];
}

/** The smallest effort whose budget covers `tokens` (`xhigh` above them all). */
export function effortOfBudget(tokens: number): ActiveEffort {
  for (const [effort, budget] of Object.entries(EFFORT_BUDGETS) as [ActiveEffort, number][]) {
    if (tokens <= budget) return effort;
  }
  return 'xhigh';
}

/**
 * A block of a model's reasoning as Anthropic signs it. The signature lets the provider check,
 * when the block comes back in a later request, that it is the model's own; a block without one
 * (reasoning text from a provider that signs nothing) cannot go back to a provider that checks.
 */
export type ThinkingBlock = { type: 'thinking'; thinking: string; signature?: string } | { type: 'redacted_thinking'; data: string };

/** A thinking block of this text, with its signature when the provider signed it. */
export function thinkingBlockOf(thinking: string, signature: string | undefined): ThinkingBlock {
  return signature === undefined ? { type: 'thinking', thinking } : { type: 'thinking', thinking, signature };
}

/** What `reasoning_content` sets between two blocks' thinking: a blank line. */
export const THINKING_SEPARATOR = '\n\n';

/** The reasoning text (`reasoning_content`) of some blocks: their thinking, THINKING_SEPARATOR between; undefined when none has any. */
export function reasoningTextOf(blocks: readonly ThinkingBlock[]): string | undefined {
  const said = blocks.flatMap((block) => (block.type === 'thinking' && block.thinking !== '' ? [block.thinking] : []));
  return said.length === 0 ? undefined : said.join(THINKING_SEPARATOR);
}

/**
 * Gives an assistant message its thinking as the gateway answers it: the blocks as its
 * `thinking_blocks`, their text as its `reasoning_content`.
 */
export function giveThinking(message: JsonObject, blocks: ThinkingBlock[]): void {
  message.thinking_blocks = blocks;
  const said = reasoningTextOf(blocks);
  if (said !== undefined) message.reasoning_content = said;
}

/**
 * Adds blocks after the thinking a message was given (giveThinking), in place: its blocks, and
 * their text to its reasoning, as giveThinking would make them from all the blocks. Rebuilding
 * both at each addition cost the square of the number of additions.
 */
export function addThinking(message: JsonObject, blocks: readonly ThinkingBlock[]): void {
  const given = message.thinking_blocks as ThinkingBlock[] | undefined;
  if (given === undefined) {
    giveThinking(message, [...blocks]);
    return;
  }
  for (const block of blocks) given.push(block);
  const said = reasoningTextOf(blocks);
  if (said !== undefined) message.reasoning_content = typeof message.reasoning_content === 'string' ? message.reasoning_content + THINKING_SEPARATOR + said : said;
}

/**
 * An assistant message's `thinking_blocks` (`param` names the message), as a client sends back
 * what the gateway answered. A block of another shape is the client's 400 naming it.
 */
export function readThinkingBlocks(message: JsonObject, param: string): ThinkingBlock[] {
  const blocks = message.thinking_blocks;
  if (blocks === undefined || blocks === null) return [];
  if (!Array.isArray(blocks)) throw invalidRequest(`${param}.thinking_blocks must be an array.`, `${param}.thinking_blocks`);
  return blocks.map((block: unknown, index) => {
    const where = `${param}.thinking_blocks[${index}]`;
    if (isJsonObject(block)) {
      if (block.type === 'thinking' && typeof block.thinking === 'string' && (block.signature === undefined || typeof block.signature === 'string')) {
        return thinkingBlockOf(block.thinking, block.signature);
      }
      if (block.type === 'redacted_thinking' && typeof block.data === 'string') return { type: 'redacted_thinking', data: block.data };
    }
    throw invalidRequest(`${where} must be {"type": "thinking", "thinking", "signature"} or {"type": "redacted_thinking", "data"}.`, where);
  });
}
