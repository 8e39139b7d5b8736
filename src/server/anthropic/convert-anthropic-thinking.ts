/**
 * A Messages request's `thinking` as the canonical request's reasoning (../../providers/canonical/reasoning.ts).
 *
 * Decisions:
 * - The effort and the exact budget ride on the canonical body under symbol keys (THINKING_EFFORT,
 *   THINKING_BUDGET), never as `reasoning_effort`. Every translating adapter reads them; JSON never
 *   writes them. OpenAI's non-reasoning models (gpt-4o, gpt-4.1) answer `reasoning_effort` with a
 *   400 (the deployment is then passed over, and a route of such deployments fails), and
 *   Anthropic's clients (Claude Code) ask for thinking on most requests: sent as JSON, it would
 *   fail requests that such deployments served before thinking was read. The OpenAI adapter gives
 *   the effort only to a model whose name says it reasons (../../providers/openai/asked-effort.ts).
 * - `enabled`: the smallest effort whose budget covers `budget_tokens`, and the budget itself.
 * - `adaptive` (and `between_tools`): the effort `output_config.effort` names (`max`, above the
 *   canonical scale, is its top, `xhigh`), else `high`, Anthropic's default effort.
 * - What the request said in Claude's words rides along too (CLAUDE_THINKING): the effort exactly,
 *   so that Claude gets `max` and `xhigh` as asked, and `display`, so that Claude shows or leaves
 *   out the thinking text as asked (another provider has no such choice).
 * - `disabled`: effort `none`, so that an adapter whose model thinks unless told not to (Gemini 2.5
 *   Flash, Gemini 3) turns thinking off, as asked. An absent `thinking` asks nothing: what a model
 *   does without it is its provider's default, Anthropic's included (its own default depends on the model).
 * - `output_config.effort` without thinking (or with it disabled) rides along only in Claude's
 *   words: on Anthropic it steers all of an answer's spending (length, tool calls), not thinking
 *   alone, so Claude gets it as asked; on every other provider an effort turns reasoning on, which
 *   the client did not ask for, so they never see it.
 * - `budget_tokens` must be under `max_tokens`, as Anthropic requires (checked where there is a
 *   `max_tokens`: count_tokens takes none).
 */
import { CLAUDE_THINKING, effortOfBudget, THINKING_BUDGET, THINKING_EFFORT, type ClaudeEffort, type ClaudeThinking, type ReasoningEffort } from '../../providers/canonical/reasoning.js';
import { invalidField } from '../parse-field.js';
import type { AnthropicRequest } from './anthropic-api.js';

/** The canonical effort for each of Anthropic's. */
const EFFORT_OF: Readonly<Record<ClaudeEffort, ReasoningEffort>> = {
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'xhigh',
  max: 'xhigh',
};

/** Anthropic's effort when a request names none. */
export const DEFAULT_ANTHROPIC_EFFORT: ClaudeEffort = 'high';

/** What a Messages request's thinking adds to its canonical body (symbol keys only: never serialised). */
export interface ThinkingFields {
  [THINKING_EFFORT]?: ReasoningEffort;
  [THINKING_BUDGET]?: number;
  [CLAUDE_THINKING]?: ClaudeThinking;
}

export function convertAnthropicThinking(request: AnthropicRequest): ThinkingFields {
  const thinking = request.thinking;
  const effortAlone = request.output_config?.effort == null ? {} : { [CLAUDE_THINKING]: { effort: request.output_config.effort } };
  if (thinking == null) return effortAlone;
  switch (thinking.type) {
    case 'disabled':
      return { [THINKING_EFFORT]: 'none', ...effortAlone };
    case 'adaptive':
    case 'between_tools': {
      const effort = request.output_config?.effort ?? DEFAULT_ANTHROPIC_EFFORT;
      return { [THINKING_EFFORT]: EFFORT_OF[effort], [CLAUDE_THINKING]: claudeThinking(effort, thinking.display) };
    }
    case 'enabled': {
      const budget = thinking.budget_tokens;
      if (request.max_tokens != null && budget >= request.max_tokens) {
        throw invalidField(['thinking', 'budget_tokens'], `The thinking budget (${budget}) must be less than max_tokens (${request.max_tokens}): thinking tokens count towards max_tokens.`);
      }
      return { [THINKING_EFFORT]: effortOfBudget(budget), [THINKING_BUDGET]: budget, [CLAUDE_THINKING]: claudeThinking(undefined, thinking.display) };
    }
  }
}

function claudeThinking(effort: ClaudeEffort | undefined, display: ClaudeThinking['display'] | null | undefined): ClaudeThinking {
  const said: ClaudeThinking = {};
  if (effort !== undefined) said.effort = effort;
  if (display != null) said.display = display;
  return said;
}
