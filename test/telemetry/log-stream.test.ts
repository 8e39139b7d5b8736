/**
 * The process's stdout log stream (logger.ts `stdoutLines`): lines are batched, yet a line shows up
 * within the flush interval while the process runs, and every line is out when it exits.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { describe, test } from 'node:test';

const LOGGER = new URL('../../src/telemetry/logger.ts', import.meta.url).href;

/** Runs `body` in a child node (through tsx) with `logger` made by createLogger('info'); resolves with its stdout lines as they came, timed. */
async function run(body: string): Promise<{ lines: { at: number; entry: Record<string, unknown> }[]; code: number | null }> {
  const script = `import { createLogger } from ${JSON.stringify(LOGGER)};\nconst logger = createLogger('info');\n${body}`;
  const started = performance.now();
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines: { at: number; entry: Record<string, unknown> }[] = [];
  let rest = '';
  child.stdout.on('data', (chunk: Buffer) => {
    const parts = (rest + chunk.toString()).split('\n');
    rest = parts.pop() ?? '';
    for (const part of parts) lines.push({ at: performance.now() - started, entry: JSON.parse(part) as Record<string, unknown> });
  });
  const [code] = (await once(child, 'exit')) as [number | null];
  return { lines, code };
}

describe('the stdout log stream', () => {
  test('every line logged before process.exit is written, in order', async () => {
    const { lines, code } = await run(`for (let i = 0; i < 500; i++) logger.info({ i }, 'line');\nprocess.exit(0);`);
    assert.equal(code, 0);
    assert.deepEqual(
      lines.map(({ entry }) => entry.i),
      Array.from({ length: 500 }, (_, i) => i),
    );
  });

  test('a lone line is written within the flush interval, not held until exit', async () => {
    const { lines } = await run(`logger.info('first');\nconst loggedAt = performance.now();\nsetTimeout(() => { logger.info({ after: performance.now() - loggedAt }, 'second'); }, 1500);`);
    assert.deepEqual(lines.map(({ entry }) => entry.msg), ['first', 'second']);
    const [first, second] = lines;
    // The first line came out while the child still had more than a second to run: it was not held until exit.
    assert.ok((second?.at ?? 0) - (first?.at ?? 0) > 1000, `first at ${first?.at} ms, second at ${second?.at} ms`);
  });
});
