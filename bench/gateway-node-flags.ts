/**
 * The node flags the gateway runs with: those on bin/switchyard.js's `#!/usr/bin/env -S node ...`
 * line, which running the installed command applies. The bench starts the gateway with
 * `node <flags> bin/switchyard.js`, so that it measures what users run.
 */
import fs from 'node:fs';
import path from 'node:path';

export function gatewayNodeFlags(repoRoot: string): string[] {
  const firstLine = fs.readFileSync(path.join(repoRoot, 'bin', 'switchyard.js'), 'utf8').split('\n', 1)[0] ?? '';
  const match = /^#!\/usr\/bin\/env -S node(?<flags>(?: --[\w-]+(?:=\S+)?)*)\s*$/.exec(firstLine);
  if (!match) throw new Error(`bin/switchyard.js does not start with '#!/usr/bin/env -S node [--flags]': ${firstLine}`);
  return (match.groups?.flags ?? '').split(' ').filter(Boolean);
}
