/**
 * Replaces `${VAR}` and `${VAR:-default}` in every string value of a parsed config. Done on values
 * after YAML parsing, never on the raw text, so an environment value cannot change the file's structure.
 * `$${` stands for a literal `${`.
 */
export interface EnvProblem {
  path: (string | number)[];
  message: string;
}

const REFERENCE = /\$\$\{|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}/g;

export function interpolateEnv(value: unknown, env: NodeJS.ProcessEnv, problems: EnvProblem[], path: (string | number)[] = []): unknown {
  if (typeof value === 'string') return interpolateString(value, env, problems, path);
  if (Array.isArray(value)) return value.map((item, index) => interpolateEnv(item, env, problems, [...path, index]));
  if (value !== null && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [key, item] of Object.entries(value)) out[key] = interpolateEnv(item, env, problems, [...path, key]);
    return out;
  }
  return value;
}

function interpolateString(text: string, env: NodeJS.ProcessEnv, problems: EnvProblem[], path: (string | number)[]): string {
  if (!text.includes('$')) return text;
  return text.replace(REFERENCE, (match, variable: string | undefined, fallback: string | undefined) => {
    if (match === '$${') return '${';
    const found = env[variable as string];
    if (found !== undefined && found !== '') return found;
    if (fallback !== undefined) return fallback;
    problems.push({ path, message: `environment variable ${variable} is not set (write \${${variable}:-default} to give a default)` });
    return '';
  });
}
