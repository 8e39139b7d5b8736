/** Rule-based answers: the first rule whose pattern matches the last user message answers. */
import type { ManualConfig } from '../config/schema.js';
import { StepSkipped } from '../fallback/step-skipped.js';
import type { ChatBody } from '../providers/types.js';
import { lastUserText } from './manual-handler.js';
import { compileRulePattern } from './rule-pattern.js';

type RulesConfig = Extract<ManualConfig, { type: 'rules' }>;

export function createRules(config: RulesConfig): (body: ChatBody) => Promise<string> {
  // Compiled once per config, not per request; matched in linear time (rule-pattern.ts).
  const rules = config.rules.map((rule) => ({ pattern: compileRulePattern(rule.match), answer: rule.answer }));
  return async (body) => {
    const text = lastUserText(body);
    for (const rule of rules) if (rule.pattern.test(text)) return rule.answer;
    if (config.default !== undefined) return config.default;
    throw new StepSkipped('no rule matched the request');
  };
}
