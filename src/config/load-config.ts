/**
 * From a YAML file, YAML text, or an object (the library's way in) to a validated Config: parse,
 * interpolate `${ENV}`, validate, and on failure report every problem at once, by path and line.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';
import { configSchema, type Config } from './schema.js';
import { formatPath, problemsFromIssues, renderProblems, type ConfigProblem, type Locate } from './format-config-issues.js';
import { interpolateEnv } from './interpolate-env.js';

export class ConfigError extends Error {
  readonly problems: readonly ConfigProblem[];
  constructor(message: string, problems: readonly ConfigProblem[]) {
    super(message);
    this.name = 'ConfigError';
    this.problems = problems;
  }
}

export interface LoadOptions {
  /** Where `${VAR}` values come from (default: process.env). */
  env?: NodeJS.ProcessEnv;
}

/** Validates a config object (already parsed). `source` names it in error messages. */
export function parseConfig(input: unknown, options: LoadOptions = {}, source = 'config', locate: Locate = () => undefined): Config {
  const problems: ConfigProblem[] = [];
  const interpolated = interpolateEnv(input ?? {}, options.env ?? process.env, problems);
  const result = configSchema.safeParse(interpolated, { reportInput: true });
  if (!result.success) {
    // A missing ${VAR} already explains the empty value it left behind: report it once.
    const envPaths = new Set(problems.map((problem) => formatPath(problem.path)));
    const schemaProblems = problemsFromIssues(result.error.issues, HINTS).filter((problem) => !envPaths.has(formatPath(problem.path)));
    problems.push(...schemaProblems);
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
    throw new ConfigError(`${source} has ${count}:\n${renderProblems(problems, source, locate)}`, problems);
  }
  return (result as { data: Config }).data;
}

/** Parses YAML text into a Config. */
export function parseConfigText(text: string, source: string, options: LoadOptions = {}): Config {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const problems = doc.errors.map((error) => ({ path: [], message: error.message.split('\n')[0] ?? error.message }));
    const lines = doc.errors.map((error) => {
      const pos = error.linePos?.[0];
      return `${source}${pos ? `:${pos.line}:${pos.col}` : ''} ${error.message.split('\n')[0]}`;
    });
    throw new ConfigError(`${source} is not valid YAML:\n${lines.join('\n')}`, problems);
  }
  return parseConfig(doc.toJS(), options, source, locator(doc, lineCounter));
}

export async function loadConfigFile(path: string, options: LoadOptions = {}): Promise<Config> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : (err as Error).message;
    throw new ConfigError(`Cannot read config file ${path}: ${reason}`, [{ path: [], message: reason }]);
  }
  return parseConfigText(text, path, options);
}

/** Finds the line of the deepest node of the path that exists in the document. */
function locator(doc: Document, lineCounter: LineCounter): Locate {
  return (path) => {
    for (let depth = path.length; depth >= 0; depth--) {
      const node = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
      if (isNode(node) && node.range) {
        const pos = lineCounter.linePos(node.range[0]);
        return `${pos.line}:${pos.col}`;
      }
    }
    return undefined;
  };
}

/** Every key name the schema knows (for "did you mean" suggestions), and the provider types. */
const HINTS = { knownKeys: collectKeys(configSchema), providerTypes: Object.keys(PROVIDER_DEFINITIONS) };

function collectKeys(schema: unknown, into = new Set<string>(), seen = new Set<unknown>()): Set<string> {
  if (schema === null || typeof schema !== 'object' || seen.has(schema)) return into;
  seen.add(schema);
  const def = (schema as { _zod?: { def?: Record<string, unknown> } })._zod?.def;
  if (!def) return into;
  const shape = def.shape as Record<string, unknown> | undefined;
  if (shape) {
    for (const [key, child] of Object.entries(shape)) {
      into.add(key);
      collectKeys(child, into, seen);
    }
  }
  for (const field of ['innerType', 'valueType', 'element', 'in', 'out']) collectKeys(def[field], into, seen);
  if (Array.isArray(def.options)) for (const option of def.options) collectKeys(option, into, seen);
  return into;
}

export { formatPath };
