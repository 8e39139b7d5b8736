/**
 * A manual rule's `match`: a regular expression in RE2's syntax, matched by re2js (a port of RE2)
 * in time linear in the text. Rules run on the last user message, which the client writes and
 * which may be megabytes long, and a backtracking engine (JavaScript's own) takes time quadratic or
 * worse on some patterns: the docs' own example, `reset.*password|forgot.*password`, took 11 s of
 * the event loop on 200 KB of `reset` repeated, and would take hours on a 16 MB body. RE2 has no
 * lookarounds and no backreferences, which is what buys the bound; a pattern that uses them is
 * refused when the config is read, with RE2's words.
 */
import { RE2JS } from 're2js';

/** A compiled rule pattern: `test` says whether it matches anywhere in the text. */
export interface RulePattern {
  test(text: string): boolean;
}

/** The pattern of `source`, case-insensitive; throws RE2's error for a pattern it cannot run. */
export function compileRulePattern(source: string): RulePattern {
  return RE2JS.compile(source, RE2JS.CASE_INSENSITIVE);
}

/** Why `source` cannot be a rule's pattern (RE2's error, without its prefix), or undefined when it can. */
export function rulePatternProblem(source: string): string | undefined {
  try {
    compileRulePattern(source);
    return undefined;
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    return message.replace(/^error parsing regexp: /, '');
  }
}
