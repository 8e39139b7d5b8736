/**
 * Replaces references in every string value of a parsed config: `${VAR}` and `${VAR:-default}`
 * with the environment's value, `${file:PATH}` with a file's text (a secret mounted as a file:
 * Kubernetes, Docker), its trailing line breaks dropped. Done on values after YAML parsing, never on
 * the raw text, so a value cannot change the file's structure, and once per load: a file is read
 * again at each reload (SIGHUP), so a rotated key is taken up without a restart. `$${` stands for a
 * literal `${`. A problem names the variable or the file, never a value.
 */
import { readFileSync } from 'node:fs';
import { formatPath } from './format-config-issues.js';

export interface ReferenceProblem {
  path: (string | number)[];
  message: string;
}

/** What an interpolation found: its problems, and the values read from files (by formatted path), never to be shown. */
export interface Interpolation {
  env: NodeJS.ProcessEnv;
  problems: ReferenceProblem[];
  /** The file a value's `${file:PATH}` named, by the value's path (`providers.openai.api_key`). */
  fromFiles: Map<string, string>;
}

const REFERENCE = /\$\$\{|\$\{file:([^}]*)\}|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateReferences(value: unknown, found: Interpolation, path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return interpolateString(value, found, path);
  if (Array.isArray(value)) return value.map((item, index) => interpolateReferences(item, found, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateReferences(item, found, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(text: string, found: Interpolation, path: (string | number)[]): string {
  if (!text.includes('$')) return text;
  return text.replace(REFERENCE, (match, file: string | undefined, variable: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    if (file !== undefined) {
      found.fromFiles.set(formatPath(path), file);
      return readReferencedFile(file, found.problems, path);
    }
    const value = found.env[variable as string];
    if (value !== undefined && value !== '') return value;
    if (fallback !== undefined) return fallback;
    found.problems.push({ path, message: `environment variable ${variable} is not set (write \${${variable}:-default} to give a default)` });
    return '';
  });
}

/** A `${file:PATH}`'s text without its trailing line breaks; '' and a problem when it cannot be read or is empty. */
function readReferencedFile(file: string, problems: ReferenceProblem[], path: (string | number)[]): string {
  if (file === '') {
    problems.push({ path, message: '${file:} names no file (write ${file:/run/secrets/name})' });
    return '';
  }
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    problems.push({ path, message: `cannot read the file ${file} (${fileErrorReason(err)})` });
    return '';
  }
  const value = text.replace(/[\r\n]+$/, '');
  if (value === '') problems.push({ path, message: `the file ${file} is empty` });
  return value;
}

function fileErrorReason(err: unknown): string {
  switch ((err as NodeJS.ErrnoException).code) {
    case 'ENOENT':
      return 'no such file';
    case 'EACCES':
      return 'permission denied';
    case 'EISDIR':
      return 'it is a directory';
    default:
      return (err as Error).message;
  }
}
