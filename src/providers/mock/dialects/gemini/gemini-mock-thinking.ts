/**
 * The mock's Gemini as it thinks: `generationConfig.thinkingConfig` checked as Gemini checks it,
 * and the thought summary it answers with when asked (`includeThoughts`).
 *
 * The model table is the mock's own, kept apart from the adapter's on purpose: the mock stands in
 * for Google, so an adapter that maps an effort wrongly is refused here as it would be there.
 * What Google documents: Gemini 3 and later take `thinkingLevel` (3 Pro low or high; later Pro
 * low, medium or high; Flash and Flash-Lite minimal to high) and, for older clients, a budget;
 * Gemini 2.5 takes only `thinkingBudget` (-1 for dynamic; Pro 128 to 32,768 and never off; Flash
 * up to 24,576, 0 for off; Flash-Lite 512 to 24,576, 0 for off); models before 2.5 do not think.
 * A level and a budget together, a level before Gemini 3, a value out of the model's range, a
 * thinkingConfig to a model that does not think: each a 400 INVALID_ARGUMENT. Gemini 3 budgets
 * are read with the 2.5 ranges of the same tier: the mock's assumption, as Google gives none.
 */
import { z } from 'zod';
import type { MockError } from '../../mock-errors.js';
import { invalidArgument } from './gemini-mock-errors.js';

export const thinkingConfigSchema = z.looseObject({
  thinkingBudget: z.int().optional(),
  thinkingLevel: z.string().optional(),
  includeThoughts: z.boolean().optional(),
});

export type ThinkingConfig = z.infer<typeof thinkingConfigSchema>;

/** How many words of the last user message a thought summary repeats. */
const THOUGHT_WORDS = 6;
/** `thinkingBudget: -1`: the model decides. */
const DYNAMIC_BUDGET = -1;

interface ModelThinking {
  /** Levels it takes, lower case; none before Gemini 3. */
  levels: ReadonlySet<string> | undefined;
  budget: { min: number; max: number; canTurnOff: boolean };
}

const ALL_LEVELS: ReadonlySet<string> = new Set(['minimal', 'low', 'medium', 'high']);
const GEMINI_3_PRO_LEVELS: ReadonlySet<string> = new Set(['low', 'high']);
const LATER_PRO_LEVELS: ReadonlySet<string> = new Set(['low', 'medium', 'high']);
const PRO_BUDGET = { min: 128, max: 32768, canTurnOff: false };
const FLASH_BUDGET = { min: 1, max: 24576, canTurnOff: true };
const FLASH_LITE_BUDGET = { min: 512, max: 24576, canTurnOff: true };

const VERSION = /gemini-(\d+)(?:\.(\d+))?/i;
const SPACES = /\s+/;

/** What the model takes, or undefined for a model that does not think (Gemini 2.0 and earlier, Gemma). */
function modelThinking(model: string): ModelThinking | undefined {
  const name = model.toLowerCase();
  const version = VERSION.exec(name);
  const major = version ? Number(version[1]) : undefined;
  const minor = version?.[2] === undefined ? 0 : Number(version[2]);
  if (name.includes('gemma-') || (major !== undefined && (major < 2 || (major === 2 && minor < 5)))) return undefined;
  const budget = name.includes('flash-lite') ? FLASH_LITE_BUDGET : name.includes('flash') ? FLASH_BUDGET : PRO_BUDGET;
  if (major === undefined || major < 3) return { levels: undefined, budget };
  if (budget !== PRO_BUDGET) return { levels: ALL_LEVELS, budget };
  return { levels: major === 3 && minor === 0 ? GEMINI_3_PRO_LEVELS : LATER_PRO_LEVELS, budget };
}

export type ThinkingCheck = { ok: true; thinks: boolean } | { ok: false; error: MockError };

/**
 * Whether the request's thinkingConfig is one the model takes, and whether the answer carries a
 * thought summary: asked for with `includeThoughts`, and thinking not turned off.
 */
export function checkThinkingConfig(config: ThinkingConfig | undefined, model: string): ThinkingCheck {
  if (config === undefined) return { ok: true, thinks: false };
  const thinking = modelThinking(model);
  if (thinking === undefined) return refuse('Thinking is not supported by this model.');
  const { thinkingBudget: budget, thinkingLevel: level } = config;
  if (budget !== undefined && level !== undefined) return refuse('Only one of thinking_budget and thinking_level may be set.');
  if (level !== undefined) {
    if (thinking.levels === undefined) return refuse('Thinking level is not supported for this model.');
    if (!thinking.levels.has(level.toLowerCase())) return refuse(`Thinking level ${level.toUpperCase()} is not supported for this model.`);
  }
  if (budget !== undefined && budget !== DYNAMIC_BUDGET) {
    const { min, max, canTurnOff } = thinking.budget;
    if (budget === 0 && !canTurnOff) return refuse('Budget 0 is invalid. This model only works in thinking mode.');
    if (budget !== 0 && (budget < min || budget > max)) return refuse(`The thinking budget (${budget}) is invalid. Please choose a value between ${min} and ${max}.`);
  }
  return { ok: true, thinks: config.includeThoughts === true && budget !== 0 };
}

/** The mock's thought summary: the first words of the last user message, so a test can tell it apart. */
export function thoughtSummary(lastUserText: string): string {
  const words = lastUserText.split(SPACES).filter((word) => word !== '').slice(0, THOUGHT_WORDS).join(' ');
  return `Thinking about: ${words || 'the request'}`;
}

function refuse(message: string): ThinkingCheck {
  return { ok: false, error: invalidArgument(message) };
}
