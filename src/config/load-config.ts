/**
 * From a YAML file, YAML text, or an object (the library's way in) to a validated Config: parse,
 * replace `${ENV}` and `${file:PATH}` (interpolate-references.ts), validate, and on failure report
 * every problem at once, by path and line.
 */
import { readFile } from 'node:fs/promises';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';
import { configSchema, type Config } from './schema.js';
import { formatPath, problemsFromIssues, renderProblems, type ConfigProblem, type Locate } from './format-config-issues.js';
import { interpolateReferences, type Interpolation } from './interpolate-references.js';
import { SettingError } from './setting-error.js';

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

/**
 * Configs this module made: their `${VAR}`s and `${file:PATH}`s are already replaced. Validated
 * again when given back (createGateway, a reload), not interpolated again: a `$${` that became a
 * literal `${`, or a value that holds one, must not be read as a reference the second time.
 */
const INTERPOLATED = new WeakSet<object>();

/** Validates a config object (YAML already parsed, or a Config made here). `source` names it in error messages. */
export function parseConfig(input: unknown, options: LoadOptions = {}, source = 'config', locate: Locate = () => undefined): Config {
  const problems: ConfigProblem[] = [];
  const found: Interpolation = { env: options.env ?? process.env, problems, fromFiles: new Map() };
  const interpolated = typeof input === 'object' && input !== null && INTERPOLATED.has(input) ? input : interpolateReferences(input ?? {}, found);
  const result = configSchema.safeParse(interpolated, { reportInput: true });
  if (!result.success) {
    // A reference that could not be replaced (a variable not set, a file not read) already
    // explains the empty value it left behind: report it once.
    const referencePaths = new Set(problems.map((problem) => formatPath(problem.path)));
    const hints = { keysAt: (path: readonly (string | number)[]) => keysAt(path, interpolated), providerTypes: PROVIDER_TYPES, fileAt: (path: readonly (string | number)[]) => found.fromFiles.get(formatPath(path)) };
    const schemaProblems = problemsFromIssues(result.error.issues, hints).filter((problem) => !referencePaths.has(formatPath(problem.path)));
    problems.push(...schemaProblems);
  }
  if (problems.length > 0) throw configProblems(problems, source, locate);
  const config = (result as { data: Config }).data;
  INTERPOLATED.add(config);
  return config;
}

/**
 * The ConfigError for `problems` found in `source`, each by path: for what validation finds, and
 * for what only applying the config can (a file that cannot be read, a proxy variable).
 */
export function configProblems(problems: ConfigProblem[], source = 'config', locate: Locate = () => undefined): ConfigError {
  const count = problems.length === 1 ? 'a problem' : `${problems.length} problems`;
  return new ConfigError(`${source} has ${count}:\n${renderProblems(problems, source, locate)}`, problems);
}

/** A setting that cannot be used (a proxy the environment names, a file), as a config problem of what has it (`owner`); any other error as it is. */
export function asConfigError(err: unknown, owner: readonly string[]): unknown {
  return err instanceof SettingError ? configProblems([{ path: [...owner, ...err.path], message: err.message }]) : err;
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

/** The provider types, for the message on an unknown `type`. */
const PROVIDER_TYPES = Object.keys(PROVIDER_DEFINITIONS);

type ZodDef = Record<string, unknown> & { type?: string };

function defOf(schema: unknown): ZodDef | undefined {
  return (schema as { _zod?: { def?: ZodDef } } | undefined)?._zod?.def;
}

/** Strips optional/default/pipe wrappers down to the schema that holds the shape. */
function unwrap(schema: unknown): unknown {
  let current = schema;
  for (let depth = 0; depth < 10; depth++) {
    const def = defOf(current);
    if (!def) return current;
    if (def.innerType) current = def.innerType;
    else if (def.type === 'pipe') current = defOf(def.in)?.type === 'transform' ? def.out : def.in;
    else return current;
  }
  return current;
}

/**
 * The keys the schema allows at a path of the document (for "did you mean" on an unknown key),
 * following records and choosing a provider's schema by the `type` the document gives.
 */
function keysAt(path: readonly (string | number)[], data: unknown): Set<string> {
  let schema: unknown = configSchema;
  let value: unknown = data;
  for (const part of [...path, null]) {
    schema = unwrap(schema);
    const def = defOf(schema);
    if (def?.type === 'union' && Array.isArray(def.options)) {
      const type = (value as { type?: unknown } | undefined)?.type;
      const options = def.options.map(unwrap);
      schema = options.find((option) => (defOf(defOf(option)?.shape && (defOf(option)?.shape as Record<string, unknown>).type)?.values as unknown[] | undefined)?.includes(type)) ?? options[0];
    }
    const current = defOf(schema);
    if (part === null) return new Set(Object.keys((current?.shape as object | undefined) ?? {}));
    if (current?.type === 'record') schema = current.valueType;
    else if (current?.type === 'array') schema = current.element;
    else schema = (current?.shape as Record<string, unknown> | undefined)?.[part as string];
    value = (value as Record<string | number, unknown> | undefined)?.[part];
  }
  return new Set();
}
