/** `--env` options of the bench's scripts: `NAME=VALUE NAME2=VALUE2` as an environment for the gateway's process. */
export function parseEnvPairs(text: string, option: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const pair of text.split(' ').filter(Boolean)) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new Error(`${option} wants NAME=VALUE pairs, got ${pair}`);
    env[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return env;
}
