/** `--help` for the bench's scripts: each one's leading doc comment says how to run it. */
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';

/** Prints the leading doc comment of the script at `moduleUrl` (its `import.meta.url`) and exits. */
export function exitWithUsage(moduleUrl: string): never {
  const source = fs.readFileSync(fileURLToPath(moduleUrl), 'utf8');
  const comment = /^\/\*\*([\s\S]*?)\*\//.exec(source)?.[1] ?? '';
  console.log(
    comment
      .split('\n')
      .map((line) => line.replace(/^\s*\* ?/, ''))
      .join('\n')
      .trim(),
  );
  process.exit(0);
}
