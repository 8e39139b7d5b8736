/** `--help` for the bench's scripts: each one's leading doc comment says how to run it. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/**
 * Prints the leading doc comment of the script at `moduleUrl` (its `import.meta.url`) and exits
 * with `code`: asked for (`--help`, 0) to stdout, or for a wrong command line to stderr.
 */
export function exitWithUsage(moduleUrl: string, code = 0): never {
  const source = fs.readFileSync(fileURLToPath(moduleUrl), 'utf8');
  const comment = /^\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  const usage = comment
    .split('\n')
    .map((line) => line.replace(/^\s*\* ?/, ''))
    .join('\n')
    .trim();
  (code === 0 ? process.stdout : process.stderr).write(`${usage}\n`);
  process.exit(code);
}
