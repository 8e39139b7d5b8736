/**
 * A canonical request's reasoning (../canonical/reasoning.ts) in Gemini's terms:
 * `generationConfig.thinkingConfig`.
 *
 * What Google documents (Gemini API and Vertex AI thinking guides, the Gemini 3 guide):
 * - Gemini 3 and later take `thinkingLevel`: 3 Pro `low` or `high`; 3.1 Pro `low`, `medium` or
 *   `high`; 3 Flash and 3.1 Flash-Lite `minimal`, `low`, `medium` or `high`. No level turns
 *   thinking off (`minimal` still thinks a little on hard prompts). They also take a
 *   `thinkingBudget`, kept for older clients; the Pro models refuse a budget of 0.
 * - Gemini 2.5 takes only `thinkingBudget`, in tokens (-1: the model decides): 2.5 Pro 128 to
 *   32,768 and never off (0 is refused); 2.5 Flash up to 24,576, 0 turns it off; 2.5 Flash-Lite
 *   512 to 24,576, or 0 for off (its default).
 * - Each of these is a 400: a `thinkingLevel` to a model before Gemini 3, a level or budget the
 *   model does not take, both fields at once, any thinkingConfig to a model that does not think
 *   (Gemini 2.0 and earlier).
 * - `includeThoughts: true` returns thought summaries, as parts marked `thought: true`; the
 *   tokens thought are counted apart, as `thoughtsTokenCount`. Thinking and answer share
 *   `maxOutputTokens`, as reasoning and answer share OpenAI's `max_completion_tokens`: a client's
 *   cap is sent as it is.
 *
 * So: no `reasoning_effort`, no thinkingConfig (the model's own default, as before). An effort on a
 * level model is its level, or the next one up the model takes (`medium` is `high` on 3 Pro,
 * `minimal` is `low` on Pro; `xhigh` is `high`). On a budget model it is the effort's budget, or
 * the exact one a Messages request asked for, clipped to the model's range. `none` is budget 0
 * where the model can stop thinking; where it cannot (2.5 Pro, every Gemini 3) it is the lowest
 * level or budget the model takes: the nearest it comes to off. A model that does not think gets
 * no thinkingConfig whatever the effort, as a parameter that only steers the answer is dropped
 * where the provider refuses it. A name that gives no generation (an alias, a tuned model) gets a
 * budget, which every thinking generation takes, within the range every 2.5 model takes.
 */
import { thinkingBudget, type ActiveEffort, type Reasoning } from '../canonical/reasoning.js';
import type { JsonObject } from '../types.js';
import { isGemini3OrLater, type GeminiModel, type GeminiTier } from './read-gemini-model.js';

/** Gemini's thinking levels, lowest first. */
const LEVELS = ['minimal', 'low', 'medium', 'high'] as const;
type Level = (typeof LEVELS)[number];

/** How a model is told how much to think. */
type ThinkingControl =
  | { type: 'levels'; levels: readonly Level[] }
  | { type: 'budget'; min: number; max: number; canTurnOff: boolean }
  | { type: 'none' };

const EFFORT_LEVELS: Readonly<Record<ActiveEffort, Level>> = {
  minimal: 'minimal',
  low: 'low',
  medium: 'medium',
  high: 'high',
  xhigh: 'high',
};

/** Gemini 3 Pro's levels, which every Gemini 3 model takes: also those of a Gemini 3 name without a known tier. */
const GEMINI_3_PRO: ThinkingControl = { type: 'levels', levels: ['low', 'high'] };
const LATER_PRO: ThinkingControl = { type: 'levels', levels: ['low', 'medium', 'high'] };
const FLASH_LEVELS: ThinkingControl = { type: 'levels', levels: LEVELS };

const BUDGETS: Readonly<Record<GeminiTier, ThinkingControl>> = {
  pro: { type: 'budget', min: 128, max: 32768, canTurnOff: false },
  flash: { type: 'budget', min: 1, max: 24576, canTurnOff: true },
  'flash-lite': { type: 'budget', min: 512, max: 24576, canTurnOff: true },
};
/** The range every Gemini 2.5 model takes. */
const COMMON_BUDGET: ThinkingControl = { type: 'budget', min: 512, max: 24576, canTurnOff: true };
const NO_THINKING: ThinkingControl = { type: 'none' };

/** The `generationConfig.thinkingConfig` to send, or undefined for none (see the file's comment). */
export function geminiThinkingConfig(reasoning: Reasoning, model: GeminiModel): JsonObject | undefined {
  if (reasoning.mode === 'default') return undefined;
  const control = thinkingControl(model);
  if (control.type === 'none') return undefined;
  if (reasoning.mode === 'off') {
    if (control.type === 'levels') return { thinkingLevel: control.levels[0] };
    return { thinkingBudget: control.canTurnOff ? 0 : control.min };
  }
  if (control.type === 'levels') return { thinkingLevel: levelFor(EFFORT_LEVELS[reasoning.effort], control.levels), includeThoughts: true };
  return { thinkingBudget: Math.min(Math.max(thinkingBudget(reasoning), control.min), control.max), includeThoughts: true };
}

function thinkingControl(model: GeminiModel): ThinkingControl {
  const { version, tier } = model;
  // Thinking came with Gemini 2.5; Gemma does not think.
  const beforeThinking = version !== undefined && (version.major < 2 || (version.major === 2 && version.minor < 5));
  if (model.gemma || beforeThinking) return NO_THINKING;
  if (isGemini3OrLater(model)) {
    if (tier === 'pro') return version?.major === 3 && version.minor === 0 ? GEMINI_3_PRO : LATER_PRO;
    return tier === undefined ? GEMINI_3_PRO : FLASH_LEVELS;
  }
  return tier === undefined ? COMMON_BUDGET : BUDGETS[tier];
}

/** The wanted level if the model takes it, else the next one up it takes (its highest at most). */
function levelFor(wanted: Level, taken: readonly Level[]): Level {
  const rank = LEVELS.indexOf(wanted);
  return taken.find((level) => LEVELS.indexOf(level) >= rank) ?? (taken.at(-1) as Level);
}
