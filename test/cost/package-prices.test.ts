/**
 * The pricer reads a flat-priced model's rates off `@pydantic/genai-prices` once and prices each
 * request itself; every other model goes through the package each time. Either way, every model
 * the package knows for the providers the gateway speaks to must cost what the package says, for
 * any token counts: checked here model by model against `calcPrice`.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calcPrice, findProvider } from '@pydantic/genai-prices';
import { parseConfig } from '../../src/config/load-config.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createPricer } from '../../src/cost/create-pricer.js';

const KEY = 'sk-test-0123456789abcdef';

/** One configured provider per package provider id the gateway maps to (src/cost/price-provider-id.ts). */
const PROVIDERS: Record<string, { id: string; config: Record<string, unknown> }> = {
  oai: { id: 'openai', config: { type: 'openai', api_key: KEY } },
  claude: { id: 'anthropic', config: { type: 'anthropic', api_key: KEY } },
  gem: { id: 'google', config: { type: 'gemini', api_key: KEY } },
  aws: { id: 'aws', config: { type: 'bedrock', region: 'us-east-1', api_key: KEY } },
  co: { id: 'cohere', config: { type: 'cohere', api_key: KEY } },
  groq: { id: 'groq', config: { type: 'openai-compatible', preset: 'groq', api_key: KEY } },
  mistral: { id: 'mistral', config: { type: 'openai-compatible', preset: 'mistral', api_key: KEY } },
  deepseek: { id: 'deepseek', config: { type: 'openai-compatible', preset: 'deepseek', api_key: KEY } },
  together: { id: 'together', config: { type: 'openai-compatible', preset: 'together', api_key: KEY } },
  xai: { id: 'x-ai', config: { type: 'openai-compatible', preset: 'xai', api_key: KEY } },
};

const config = parseConfig({
  log: { level: 'silent' },
  providers: Object.fromEntries(Object.entries(PROVIDERS).map(([name, { config }]) => [name, config])),
  deployments: { d: { provider: 'oai', model: 'gpt-4o-mini' } },
  routes: { chat: { chain: ['d'] } },
} as unknown as ConfigInput);

/** A small deterministic generator, so a failure names usages that can be run again. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1_103_515_245 + 12_345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

function close(actual: number | undefined, expected: number | undefined): boolean {
  if (expected === undefined) return actual === undefined;
  return actual !== undefined && Math.abs(actual - expected) <= 1e-9 * Math.abs(expected) + 1e-15;
}

describe('package prices: the pricer agrees with calcPrice for every model', () => {
  const price = createPricer(config);
  const next = random(7);
  for (const [name, { id }] of Object.entries(PROVIDERS)) {
    it(`${id}: every model, at token counts from 0 to 2M`, () => {
      const models = findProvider({ providerId: id })?.models ?? [];
      assert.ok(models.length > 0, `the package has no models for ${id}`);
      let compared = 0;
      for (const model of models) {
        for (let i = 0; i < 8; i++) {
          const input = i === 0 ? 0 : Math.floor(next() * 2_000_000);
          const cached = i % 3 === 0 ? 0 : Math.floor(next() * input);
          const output = Math.floor(next() * 100_000);
          // Cache writes (Anthropic's, Bedrock's) on every other count: a part of the input, as reads are.
          const written = i % 2 === 0 ? 0 : Math.floor(next() * (input - cached));
          const expected = calcPrice({ input_tokens: input, cache_read_tokens: cached, cache_write_tokens: written, output_tokens: output }, model.id, { providerId: id })?.total_price;
          const actual = price(name, model.id, { inputTokens: input, cachedInputTokens: cached, outputTokens: output, ...(written > 0 && { cacheWriteInputTokens: written }) });
          if (expected === undefined) {
            assert.equal(actual, undefined, `${id}/${model.id}`);
            continue;
          }
          assert.ok(close(actual, expected), `${id}/${model.id} at ${input}/${cached}/${written}/${output}: ${actual} != ${expected}`);
          compared++;
        }
      }
      assert.ok(compared > 0, `nothing priced for ${id}`);
    });
  }
});

describe('package prices that change', () => {
  // claude-sonnet-4-6: tiered (a higher rate past 200k input tokens) until 2026-03-13, one flat price from then.
  const MODEL = 'claude-sonnet-4-6';
  const expected = (at: number, input: number, cached: number, output: number) =>
    calcPrice({ input_tokens: input, cache_read_tokens: cached, output_tokens: output }, MODEL, { providerId: 'anthropic', timestamp: new Date(at) })?.total_price;

  it('a tiered price: each side of the threshold, and a price read again when its start date comes', () => {
    let clock = Date.parse('2026-03-12T23:59:00Z');
    const price = createPricer(config, () => clock);
    const seen: number[] = [];
    for (const at of ['2026-03-12T23:59:00Z', '2026-03-13T00:00:01Z']) {
      clock = Date.parse(at);
      for (const [input, cached, output] of [[1_000, 0, 50], [200_000, 10_000, 900], [200_001, 0, 900], [500_000, 120_000, 4_000]] as const) {
        const want = expected(clock, input, cached, output);
        const got = price('claude', MODEL, { inputTokens: input, cachedInputTokens: cached, outputTokens: output });
        assert.ok(want !== undefined && close(got, want), `${at} ${input}/${cached}/${output}: ${got} != ${want}`);
        if (input === 500_000) seen.push(got as number);
      }
    }
    // Past the threshold the tiered price is higher than the flat one that replaced it.
    assert.ok((seen[0] as number) > (seen[1] as number), `before ${seen[0]}, after ${seen[1]}`);
  });
});
