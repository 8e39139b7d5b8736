/** Switchyard's version, from its package.json (two levels up from src/cli and from dist/cli alike). */
import { readFileSync } from 'node:fs';

let known: string | undefined;

export function switchyardVersion(): string {
  known ??= (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  return known;
}
