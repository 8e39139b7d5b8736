/**
 * Turns schema issues into sentences that point at the bad key by its path (and its line, when the
 * config came from a file), e.g. `switchyard.yaml:12:5 providers.openai.api_key: expected text, got a number (42)`.
 */
import type { z } from 'zod';

export interface ConfigProblem {
  path: (string | number)[];
  message: string;
}

/** Finds where in the file a path is; returns `line:col` or undefined. */
export type Locate = (path: (string | number)[]) => string | undefined;

export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out === '' ? String(part) : `.${String(part)}`;
  }
  return out || '(top level)';
}

/** What the schema knows, for suggestions in messages. */
export interface SchemaHints {
  /** The keys allowed at a path of the document. */
  keysAt(path: readonly (string | number)[]): ReadonlySet<string>;
  providerTypes: readonly string[];
  /** The file a value was read from (`${file:PATH}`), if it was: such a value is a secret, never shown. */
  fileAt?(path: readonly (string | number)[]): string | undefined;
}

export function problemsFromIssues(issues: readonly z.core.$ZodIssue[], hints: SchemaHints): ConfigProblem[] {
  return issues.map((issue) => ({ path: issue.path.filter(isPathPart), message: describe(issue, hints) }));
}

export function renderProblems(problems: readonly ConfigProblem[], source: string, locate: Locate): string {
  return problems
    .map((problem) => {
      const where = locate(problem.path);
      return `${source}${where ? `:${where}` : ''} ${formatPath(problem.path)}: ${problem.message}`;
    })
    .join('\n');
}

function isPathPart(part: PropertyKey): part is string | number {
  return typeof part === 'string' || typeof part === 'number';
}

function describe(issue: z.core.$ZodIssue, hints: SchemaHints): string {
  const got = (input: unknown) => {
    const file = hints.fileAt?.(issue.path.filter(isPathPart));
    return file === undefined ? kindOf(input) : `the text of \${file:${file}} (not shown)`;
  };
  switch (issue.code) {
    case 'invalid_type':
      if (issue.input === undefined) return `is required (expected ${article(issue.expected)})`;
      return `expected ${article(issue.expected)}, got ${got(issue.input)}`;
    case 'unrecognized_keys':
      return issue.keys.map((key) => unknownKey(key, hints.keysAt(issue.path.filter(isPathPart)))).join('; ');
    case 'invalid_value':
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${got(issue.input)}`;
    case 'invalid_union':
      if (issue.path.at(-1) === 'type' || ('discriminator' in issue && issue.discriminator === 'type')) {
        return `is not a known provider type; use one of ${hints.providerTypes.join(', ')}`;
      }
      return issue.message;
    case 'too_small':
      return issue.origin === 'array' ? `needs at least ${issue.minimum} item(s)` : issue.origin === 'string' ? `must not be empty${issue.minimum > 1 ? ` (at least ${issue.minimum} characters)` : ''}` : `must be at least ${issue.minimum}`;
    case 'too_big':
      return `must be at most ${issue.maximum}`;
    default:
      return issue.message;
  }
}

function unknownKey(key: string, knownKeys: ReadonlySet<string>): string {
  const suggestion = closest(key, knownKeys);
  return `unknown key '${key}'${suggestion ? ` (did you mean '${suggestion}'?)` : ''}`;
}

function article(expected: string): string {
  const words: Record<string, string> = { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'a mapping (key: value)', array: 'a list', record: 'a mapping (key: value)' };
  return words[expected] ?? expected;
}

function kindOf(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const shown = JSON.stringify(value);
  const short = shown.length > 40 ? `${shown.slice(0, 40)}…` : shown;
  return `${typeof value === 'string' ? 'text' : `a ${typeof value}`} (${short})`;
}

function closest(word: string, candidates: ReadonlySet<string>): string | undefined {
  let best: string | undefined;
  let bestDistance = Math.max(2, Math.floor(word.length / 3)) + 1;
  for (const candidate of candidates) {
    const distance = levenshtein(word.toLowerCase(), candidate.toLowerCase());
    if (distance < bestDistance) {
      best = candidate;
      bestDistance = distance;
    }
  }
  return best;
}

function levenshtein(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let previous = row[0] as number;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const current = row[j] as number;
      row[j] = Math.min(current + 1, (row[j - 1] as number) + 1, previous + (a[i - 1] === b[j - 1] ? 0 : 1));
      previous = current;
    }
  }
  return row[b.length] as number;
}

/** Why a file named in the config cannot be read: "cannot be read: /path (ENOENT)". */
export function unreadable(file: string, err: unknown): string {
  return `cannot be read: ${file} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`;
}
