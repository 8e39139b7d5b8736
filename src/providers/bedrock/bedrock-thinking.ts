/**
 * A canonical request's reasoning (../canonical/reasoning.ts) in Converse terms.
 *
 * Claude on Bedrock takes Anthropic's own thinking fields, passed through Converse's
 * `additionalModelRequestFields`: `thinking` (`{type: "enabled", budget_tokens}` or
 * `{type: "adaptive"}`) and, for adaptive thinking, `output_config.effort`. Which model takes
 * which, how the budget fits under the cap, and where thinking is left out (a forced tool, a tool
 * loop that lost its signed thinking) are Anthropic's rules, decided once in
 * ../anthropic/anthropic-thinking.ts; this file only says them in Converse's words.
 *
 * Amazon Nova 2 (`amazon.nova-2-lite-v1:0`) takes `reasoningConfig: {type: "enabled",
 * maxReasoningEffort}` (low, medium or high; `minimal` is `low`, `xhigh` is `high`). Nova refuses a
 * `maxTokens` beside `high`: a client's own cap is kept, and the effort is `medium` under it, as a
 * cap on what an answer may cost outranks a parameter that steers it. Its reasoning comes back
 * redacted (`[REDACTED]`), as Amazon documents, and is never sent back. Nova 1 models refuse
 * `reasoningConfig` and get none.
 *
 * Other models on Bedrock are not asked to reason: each family spells it its own way, if at all,
 * and `reasoning_effort` only steers an answer, so it is left out for them as any steering
 * parameter without an equivalent is.
 *
 * Converse carries a model's reasoning as `reasoningContent` blocks: `reasoningText` (`text` and,
 * from Claude, a `signature`) or `redactedContent` (encrypted bytes, base64 in JSON). A client's
 * `thinking_blocks` go back as those blocks at the start of the assistant turn, only with thinking
 * on (Claude ignores past thinking otherwise).
 */
import { anthropicThinking } from '../anthropic/anthropic-thinking.js';
import type { ActiveEffort, ClaudeEffort, Reasoning, ThinkingBlock } from '../canonical/reasoning.js';
import type { JsonObject } from '../types.js';

/**
 * `maxTokens` for the answer beside a thinking budget when the client set no cap: Converse needs
 * no `maxTokens`, but a budget must be under one. Default 4096, the Anthropic adapter's default.
 */
export const DEFAULT_ANSWER_TOKENS = 4096;

/**
 * `anthropic.claude-…`, `us.anthropic.claude-…`, `…:foundation-model/anthropic.claude-…`: the model
 * id names Claude; or a `model_family` in Anthropic's own words (`claude-sonnet-4-5`).
 */
export const CLAUDE_ON_BEDROCK = /anthropic\.claude|^claude-/;

/** `amazon.nova-2-lite-v1:0`, `us.amazon.nova-2-lite-v1:0`, or a `model_family` of `nova-2-lite`: Amazon's models that reason. */
const NOVA_2 = /(?:^|\.)nova-2-/;

/** Whether the model is Amazon Nova 2, which reasons when asked (`reasoningConfig`). */
export function isNova2(model: string): boolean {
  return NOVA_2.test(model);
}

/** Nova's `maxReasoningEffort` for each canonical effort. */
const NOVA_EFFORTS: Readonly<Record<ActiveEffort, 'low' | 'medium' | 'high'>> = { minimal: 'low', low: 'low', medium: 'medium', high: 'high', xhigh: 'high' };

export interface BedrockThinking {
  /** `additionalModelRequestFields` to send (`thinking` and `output_config`, or `reasoningConfig`), when thinking is on. */
  fields: JsonObject | undefined;
  /** `inferenceConfig.maxTokens`: the client's cap, or raised to make room for a budget; else unset. */
  maxTokens: number | undefined;
  /** Whether Claude thinks: its sampling rules apply, and the client's signed thinking goes back. */
  claude: boolean;
}

export interface BedrockThinkingContext {
  /** The model id the request goes to (a foundation model, an inference profile, or an ARN of one), or the public name it stands for. */
  model: string;
  /** The client's own cap on output tokens, if it set one. */
  clientMaxTokens: number | undefined;
  /** The Converse `toolChoice` about to be sent, if any (`{auto}`, `{any}` or `{tool}`). */
  toolChoice: JsonObject | undefined;
  /** The effort a Messages request named without thinking, as the model takes it (../anthropic/anthropic-thinking.ts: effortWithoutThinking). */
  effortWithoutThinking?: ClaudeEffort | undefined;
  messages: JsonObject[];
}

/** The thinking to ask Bedrock for, or none (see the file's comment). */
export function bedrockThinking(reasoning: Reasoning, context: BedrockThinkingContext): BedrockThinking {
  const none: BedrockThinking = { fields: undefined, maxTokens: context.clientMaxTokens, claude: false };
  // A Messages request's own effort steers Claude's answer where thinking stays off, as on Anthropic's API.
  const effortAlone: BedrockThinking = context.effortWithoutThinking === undefined || !CLAUDE_ON_BEDROCK.test(context.model) ? none : { ...none, fields: { output_config: { effort: context.effortWithoutThinking } } };
  if (reasoning.mode !== 'on') return effortAlone;
  if (isNova2(context.model)) {
    const effort = NOVA_EFFORTS[reasoning.effort] === 'high' && context.clientMaxTokens !== undefined ? 'medium' : NOVA_EFFORTS[reasoning.effort];
    return { ...none, fields: { reasoningConfig: { type: 'enabled', maxReasoningEffort: effort } } };
  }
  if (!CLAUDE_ON_BEDROCK.test(context.model)) return none;
  const decided = anthropicThinking(reasoning, {
    model: context.model,
    clientMaxTokens: context.clientMaxTokens,
    defaultMaxTokens: DEFAULT_ANSWER_TOKENS,
    // Converse's toolChoice union is keyed by the names of Anthropic's tool_choice types (auto, any, tool).
    toolChoiceType: context.toolChoice === undefined ? undefined : Object.keys(context.toolChoice)[0],
    messages: context.messages,
  });
  if (decided.thinking === undefined) return effortAlone;
  const fields: JsonObject = { thinking: decided.thinking };
  const effort = decided.effort ?? context.effortWithoutThinking;
  if (effort !== undefined) fields.output_config = { effort };
  // Without a client cap, only a budget needs maxTokens; adaptive thinking keeps Bedrock's default.
  const needsCap = context.clientMaxTokens !== undefined || decided.thinking.type === 'enabled';
  return { fields, maxTokens: needsCap ? decided.maxTokens : undefined, claude: true };
}

/** A thinking block a client sent back, as the Converse block that replays it. */
export function reasoningContentBlock(block: ThinkingBlock): JsonObject {
  if (block.type === 'redacted_thinking') return { reasoningContent: { redactedContent: block.data } };
  const reasoningText: JsonObject = { text: block.thinking };
  if (block.signature !== undefined) reasoningText.signature = block.signature;
  return { reasoningContent: { reasoningText } };
}
