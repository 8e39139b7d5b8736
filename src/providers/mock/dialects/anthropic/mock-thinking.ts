/**
 * The mock's extended thinking, as Anthropic's API behaves: what it refuses in a request that asks
 * for thinking (each rule a 400 with Anthropic's wording, so an adapter that breaks one fails in
 * tests), and the signed thinking it answers with.
 *
 * Anthropic signs each thinking block and checks the signature when the block comes back in a
 * later request. The mock's signature seals the block's text (../../sign-thinking.ts), so a block
 * sent back altered, or unsigned, is refused as Anthropic refuses it, and one whose text was left
 * out (`display: "omitted"`, the default of Opus 4.7) is taken back without it.
 */
import { omitsThinkingText, refusesSampling, refusesThinkingBudget, takesAdaptiveThinking, takesXhighEffort } from '../../../anthropic/anthropic-thinking.js';
import type { JsonObject } from '../../../types.js';
import type { MockError } from '../../mock-errors.js';
import { signatureFits } from '../../sign-thinking.js';
import { invalidRequestError } from './anthropic-errors.js';

const EFFORTS = new Set(['low', 'medium', 'high', 'xhigh', 'max']);

const DISPLAYS = new Set(['summarized', 'omitted']);

/** How many characters of the question the thinking text repeats. */
const QUOTED_CHARS = 60;

/** What the request asks of thinking: none, or thinking whose text the answer shows or leaves out. */
export type MockThinkingAsked = { on: false } | { on: true; omitted: boolean };

/** Whether the request asks for thinking, or the 400 Anthropic answers it with. */
export function readMockThinking(request: JsonObject): MockThinkingAsked | { error: MockError } {
  const thinking = request.thinking as JsonObject | undefined;
  const model = String(request.model);
  const effort = (request.output_config as JsonObject | undefined)?.effort;
  if (effort !== undefined && !EFFORTS.has(String(effort))) return refused(`output_config.effort: Input should be 'low', 'medium', 'high', 'xhigh' or 'max'`);
  if (effort !== undefined && !takesAdaptiveThinking(model)) return refused('output_config.effort: This model does not support the effort parameter.');
  if (effort === 'xhigh' && !takesXhighEffort(model)) return refused(`output_config.effort: 'xhigh' is not supported for this model.`);
  if (refusesSampling(model)) {
    const set = ['temperature', 'top_p', 'top_k'].find((name) => request[name] !== undefined);
    if (set !== undefined) return refused(`\`${set}\` is deprecated for this model.`);
  }
  if (thinking === undefined || thinking.type === 'disabled') return { on: false };
  if (thinking.display !== undefined && !DISPLAYS.has(String(thinking.display))) return refused(`thinking.${String(thinking.type)}.display: Input should be 'summarized' or 'omitted'`);
  if (thinking.type === 'enabled') {
    if (refusesThinkingBudget(model)) return refused('thinking.type.enabled is not supported for this model. Use thinking.type.adaptive and output_config.effort to control thinking behavior.');
    const budget = thinking.budget_tokens;
    if (typeof budget !== 'number' || !Number.isInteger(budget) || budget < 1024) return refused('thinking.enabled.budget_tokens: Input should be greater than or equal to 1024');
    if (typeof request.max_tokens === 'number' && budget >= request.max_tokens) return refused('`max_tokens` must be greater than `thinking.budget_tokens`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#max-tokens-and-context-window-size');
  } else if (thinking.type === 'adaptive') {
    if (!takesAdaptiveThinking(model)) return refused(`adaptive thinking is not supported on this model`);
  } else {
    return refused(`thinking: Input tag '${String(thinking.type)}' found using 'type' does not match any of the expected tags: 'disabled', 'enabled', 'adaptive'`);
  }
  if (request.temperature !== undefined && request.temperature !== 1) return refused('`temperature` may only be set to 1 when thinking is enabled or in adaptive mode. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility');
  if (typeof request.top_p === 'number' && request.top_p < 0.95) return refused('`top_p` must be greater than or equal to 0.95 or unset when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility');
  if (request.top_k !== undefined) return refused('`top_k` must be unset when thinking is enabled. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking#feature-compatibility');
  const choice = (request.tool_choice as JsonObject | undefined)?.type;
  if (choice === 'any' || choice === 'tool') return refused('Thinking may not be enabled when tool_choice forces tool use.');
  const loopError = toolLoopWithoutThinking(request.messages);
  if (loopError) return { error: loopError };
  return { on: true, omitted: thinking.display === undefined ? omitsThinkingText(model) : thinking.display === 'omitted' };
}

/**
 * A replayed thinking block whose signature is not the mock's for its text (or for no text): the
 * 400 Anthropic gives for a block altered or made up by the client. Checked whether or not
 * thinking is on.
 */
export function checkSignatures(messages: unknown): MockError | undefined {
  if (!Array.isArray(messages)) return undefined;
  for (const [turn, message] of messages.entries()) {
    const content = (message as JsonObject).content;
    if (!Array.isArray(content)) continue;
    for (const [index, block] of content.entries()) {
      const typed = block as JsonObject;
      if (typed.type === 'thinking' && (typeof typed.thinking !== 'string' || typeof typed.signature !== 'string' || !signatureFits(typed.thinking, typed.signature))) {
        return invalidRequestError(`messages.${turn}.content.${index}: Invalid \`signature\` in \`thinking\` block`);
      }
    }
  }
  return undefined;
}

/** Content with the thinking blocks taken out: the answer planner reads text and tools only. */
export function withoutThinking(content: unknown): unknown {
  if (!Array.isArray(content)) return content;
  return content.filter((block) => (block as JsonObject).type !== 'thinking' && (block as JsonObject).type !== 'redacted_thinking');
}

/** The thinking the mock answers with: the question, quoted, and a plan; the same question always gives the same text. */
export function thinkingText(lastUserText: string): string {
  const quoted = lastUserText.length > QUOTED_CHARS ? `${lastUserText.slice(0, QUOTED_CHARS)}...` : lastUserText;
  return `The user asks: "${quoted}". I will answer briefly and plainly.`;
}

/**
 * With thinking on, a conversation that ends in tool results needs the assistant turn that called
 * the tools to start with its thinking (Anthropic's rule for a tool loop).
 */
function toolLoopWithoutThinking(messages: unknown): MockError | undefined {
  if (!Array.isArray(messages) || messages.length < 2) return undefined;
  const last = messages.at(-1) as JsonObject;
  const endsInResults = last.role === 'user' && Array.isArray(last.content) && last.content.some((block) => (block as JsonObject).type === 'tool_result');
  if (!endsInResults) return undefined;
  const assistant = messages.at(-2) as JsonObject;
  const first = Array.isArray(assistant.content) ? (assistant.content[0] as JsonObject | undefined) : undefined;
  if (first?.type === 'thinking' || first?.type === 'redacted_thinking') return undefined;
  return invalidRequestError(
    `messages.${messages.length - 2}.content.0.type: Expected \`thinking\` or \`redacted_thinking\`, but found \`${String(first?.type ?? 'text')}\`. When \`thinking\` is enabled, a final \`assistant\` message must start with a thinking block (preceeding the lastmost set of \`tool_use\` and \`tool_result\` blocks). We recommend you include thinking blocks from previous turns. To avoid this requirement, disable \`thinking\`. Please consult our documentation at https://docs.claude.com/en/docs/build-with-claude/extended-thinking`,
  );
}

function refused(message: string): { error: MockError } {
  return { error: invalidRequestError(message) };
}
