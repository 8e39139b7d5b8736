/**
 * A gateway loads the code of what its config names, not of every provider and store it knows: a
 * config with one OpenAI-compatible provider and the SQLite log never loads the AWS SDK's signing,
 * the pg client or the drill, and one with pricing off, or with no model the price data prices,
 * never loads the price data. Each check runs
 * in a fresh process (what a module graph loaded is per process) and reads which CommonJS packages
 * it loaded from Node's module cache.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { promisify } from 'node:util';

const run = promisify(execFile);
const ROOT = new URL('../../', import.meta.url).pathname;

/** Packages watched: each belongs to one provider, store or feature only. */
const WATCHED = ['pg', '@smithy/signature-v4', '@aws-crypto/sha256-js', '@smithy/eventstream-codec', '@pydantic/genai-prices'];

/** The watched packages a process loaded after creating a gateway from `yaml` (and closing it). */
async function packagesLoaded(yaml: string, dir: string): Promise<string[]> {
  const script = `
    import { createRequire } from 'node:module';
    import { createGateway, parseConfigText } from ${JSON.stringify(path.join(ROOT, 'src/index.ts'))};
    const gateway = await createGateway(parseConfigText(${JSON.stringify(yaml)}, 'lazy-load test'));
    await gateway.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    const watched = ${JSON.stringify(WATCHED)};
    console.log(JSON.stringify(watched.filter((name) => loaded.some((file) => file.includes('/node_modules/' + name + '/')))));
  `;
  const { stdout } = await run(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? '[]') as string[];
}

function config(provider: string, dir: string, pricing = true, model = 'm'): string {
  return `log: { level: silent }
telemetry:
  request_log: { path: ${JSON.stringify(path.join(dir, 'log.db'))} }
  pricing: { enabled: ${pricing} }
providers:
  p:
${provider}
deployments:
  d: { provider: p, model: ${model} }
routes:
  chat: { chain: [d] }
`;
}

describe('a gateway loads only the providers and stores its config names', () => {
  let dir: string;
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'switchyard-lazy-'));
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  const openaiCompatible = '    type: openai-compatible\n    base_url: http://127.0.0.1:9/v1\n    api_key: k';

  test('an OpenAI-compatible provider and the SQLite log: no pg, no AWS signing or event streams, and no price data (it prices no model of a bare base URL)', async () => {
    const loaded = await packagesLoaded(config(openaiCompatible, dir), dir);
    assert.deepEqual(loaded, []);
  });

  const openai = '    type: openai\n    api_key: k';

  test('an OpenAI provider and a model the price data prices: it is loaded at start', async () => {
    const loaded = await packagesLoaded(config(openai, dir, true, 'gpt-4o-mini'), dir);
    assert.deepEqual(loaded, ['@pydantic/genai-prices']);
  });

  test('the same with pricing off: the price data is never loaded', async () => {
    const loaded = await packagesLoaded(config(openai, dir, false, 'gpt-4o-mini'), dir);
    assert.deepEqual(loaded, []);
  });

  test('a Bedrock provider loads the AWS packages it needs (the check sees a load when there is one)', async () => {
    const loaded = await packagesLoaded(config('    type: bedrock\n    region: us-east-1\n    access_key_id: AKIDEXAMPLE\n    secret_access_key: secret', dir), dir);
    assert.ok(loaded.includes('@smithy/signature-v4'), `loaded: ${loaded.join(', ')}`);
    assert.ok(!loaded.includes('pg'), `loaded: ${loaded.join(', ')}`);
  });
});
