import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { calcPrice } from '@pydantic/genai-prices';
import { parseConfig } from '../../src/config/load-config.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createPricer, unpricedDeployments } from '../../src/cost/create-pricer.js';
import { priceRequest } from '../../src/cost/price-request.js';
import { withCost } from '../../src/cost/with-cost.js';
import type { AttemptRecord } from '../../src/fallback/run-chain.js';
import type { RequestEvent, Telemetry } from '../../src/telemetry/request-event.js';

const KEY = 'sk-test-0123456789abcdef';

function configWith(pricing: Record<string, unknown> = {}) {
  return parseConfig({
    log: { level: 'silent' },
    telemetry: { pricing },
    providers: {
      oai: { type: 'openai', api_key: KEY },
      claude: { type: 'anthropic', api_key: KEY },
      aws: { type: 'bedrock', region: 'us-east-1', api_key: KEY },
      vertex: { type: 'gemini', vertex: { project: 'p', location: 'us-central1' }, access_token: 'token-0123456789' },
      fast: { type: 'openai-compatible', preset: 'groq', api_key: KEY },
      local: { type: 'openai-compatible', preset: 'ollama' },
      fake: { type: 'mock' },
    },
    deployments: {
      mini: { provider: 'oai', model: 'gpt-4o-mini' },
      sonnet: { provider: 'claude', model: 'claude-3-5-sonnet-20241022' },
      mocked: { provider: 'fake', model: 'mock-model' },
    },
    routes: { chat: { chain: ['mini', 'sonnet', 'mocked'] } },
  } as ConfigInput);
}

const USAGE = { inputTokens: 1_000_000, outputTokens: 1_000_000, cachedInputTokens: 400_000 };

describe('prices from @pydantic/genai-prices', () => {
  it('prices an OpenAI model from the package, cached input tokens at the cache-read rate', () => {
    const price = createPricer(configWith());
    const prices = calcPrice({ input_tokens: 1 }, 'gpt-4o-mini', { providerId: 'openai' })?.model.prices as Record<string, number>;
    assert.ok(prices.input_mtok && prices.cache_read_mtok && prices.output_mtok, 'the package knows gpt-4o-mini with a cache-read price');
    assert.ok(prices.cache_read_mtok < prices.input_mtok);
    const expected = 0.6 * prices.input_mtok + 0.4 * prices.cache_read_mtok + 1 * prices.output_mtok;
    const usd = price('oai', 'gpt-4o-mini', USAGE);
    assert.ok(usd !== undefined && Math.abs(usd - expected) < 1e-9, `${usd} != ${expected}`);
    const uncached = price('oai', 'gpt-4o-mini', { ...USAGE, cachedInputTokens: 0 });
    assert.ok(uncached !== undefined && uncached > usd, 'the same tokens uncached cost more');
  });

  it('maps each provider type to the package provider that prices it', () => {
    const price = createPricer(configWith());
    const usage = { inputTokens: 1000, outputTokens: 100, cachedInputTokens: 0 };
    const cases: [string, string, string][] = [
      ['claude', 'claude-3-5-sonnet-20241022', 'anthropic'],
      ['aws', 'anthropic.claude-3-5-sonnet-20241022-v2:0', 'aws'],
      ['vertex', 'gemini-2.0-flash', 'google'],
      ['fast', 'llama-3.3-70b-versatile', 'groq'],
    ];
    for (const [provider, model, packageId] of cases) {
      const expected = calcPrice({ input_tokens: 1000, output_tokens: 100 }, model, { providerId: packageId })?.total_price;
      assert.ok(expected !== undefined && expected > 0, `the package prices ${packageId}:${model}`);
      assert.equal(price(provider, model, usage), expected, `${provider} prices ${model} as ${packageId}`);
    }
  });

  it("prices Anthropic's 1-hour cache writes at twice the input price, in the band the input falls in", () => {
    const config = parseConfig({
      log: { level: 'silent' },
      providers: { claude: { type: 'anthropic', api_key: KEY } },
      deployments: { sonnet: { provider: 'claude', model: 'claude-sonnet-4-5' } },
      routes: { chat: { chain: ['sonnet'] } },
    } as ConfigInput);
    const price = createPricer(config);
    for (const input of [100_000, 400_000]) {
      const found = calcPrice({ input_tokens: input }, 'claude-sonnet-4-5', { providerId: 'anthropic' });
      assert.ok(found, 'the package prices claude-sonnet-4-5');
      // Per million, in the band of `input` tokens: what the package charges for input and for 5-minute writes.
      const perInput = (calcPrice({ input_tokens: input + 1000 }, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price - found.total_price) * 1000;
      const perWrite = (calcPrice({ input_tokens: input, cache_write_tokens: 1000 }, 'claude-sonnet-4-5', { providerId: 'anthropic' })!.total_price - found.total_price) * 1000 + perInput;
      assert.ok(Math.abs(perWrite - 1.25 * perInput) < 1e-6, `5-minute writes are 1.25 times the input price (${perWrite} against ${perInput})`);
      const usage = { inputTokens: input, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 60_000 };
      const fiveMinutes = price('claude', 'claude-sonnet-4-5', usage) ?? 0;
      const mixed = price('claude', 'claude-sonnet-4-5', { ...usage, cacheWrite1hInputTokens: 40_000 }) ?? 0;
      // 40,000 tokens move from the 5-minute rate (1.25 times) to the 1-hour one (2 times).
      const expected = fiveMinutes + (40_000 * (2 - 1.25) * perInput) / 1_000_000;
      assert.ok(Math.abs(mixed - expected) < 1e-9, `${input} input tokens: ${mixed} != ${expected}`);
    }
  });

  it('leaves a model unpriced when the package cannot know its provider (mock, local server)', () => {
    const price = createPricer(configWith());
    assert.equal(price('fake', 'gpt-4o-mini', USAGE), undefined);
    assert.equal(price('local', 'gpt-4o-mini', USAGE), undefined);
    assert.equal(price('oai', 'no-such-model-anywhere', USAGE), undefined);
  });
});

describe('price overrides in telemetry.pricing.models', () => {
  it('an override wins over the package, per million tokens, with its cached rate', () => {
    const price = createPricer(configWith({ models: { 'gpt-4o-mini': { input_per_mtok: 10, output_per_mtok: 20, cached_input_per_mtok: 1 } } }));
    assert.equal(price('oai', 'gpt-4o-mini', USAGE), 0.6 * 10 + 0.4 * 1 + 20);
  });

  it("cache writes cost an override's write rate, or the input price without one; reads and writes are parts of the input", () => {
    const written = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 200_000, cacheWriteInputTokens: 500_000 };
    const withRate = createPricer(configWith({ models: { 'claude-x': { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3, cache_write_input_per_mtok: 3.75 } } }));
    assert.ok(Math.abs((withRate('fake', 'claude-x', written) ?? 0) - (0.3 * 3 + 0.2 * 0.3 + 0.5 * 3.75)) < 1e-9);
    const withoutRate = createPricer(configWith({ models: { 'claude-x': { input_per_mtok: 3, output_per_mtok: 15, cached_input_per_mtok: 0.3 } } }));
    assert.ok(Math.abs((withoutRate('fake', 'claude-x', written) ?? 0) - (0.8 * 3 + 0.2 * 0.3)) < 1e-9);
  });

  it("1-hour cache writes cost an override's 1-hour rate, or its write rate without one", () => {
    const written = { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0, cacheWriteInputTokens: 600_000, cacheWrite1hInputTokens: 200_000 };
    const rates = { input_per_mtok: 3, output_per_mtok: 15, cache_write_input_per_mtok: 3.75 };
    const withLong = createPricer(configWith({ models: { 'claude-x': { ...rates, cache_write_1h_input_per_mtok: 6 } } }));
    assert.ok(Math.abs((withLong('fake', 'claude-x', written) ?? 0) - (0.4 * 3 + 0.4 * 3.75 + 0.2 * 6)) < 1e-9);
    const withoutLong = createPricer(configWith({ models: { 'claude-x': rates } }));
    assert.ok(Math.abs((withoutLong('fake', 'claude-x', written) ?? 0) - (0.4 * 3 + 0.6 * 3.75)) < 1e-9);
    // More 1-hour writes than writes (an upstream's slip) count as writes, no more.
    const over = createPricer(configWith({ models: { 'claude-x': { ...rates, cache_write_1h_input_per_mtok: 6 } } }));
    assert.ok(Math.abs((over('fake', 'claude-x', { ...written, cacheWrite1hInputTokens: 900_000 }) ?? 0) - (0.4 * 3 + 0.6 * 6)) < 1e-9);
  });

  it('cached tokens cost the input price when an override gives no cached rate', () => {
    const price = createPricer(configWith({ models: { 'mock-model': { input_per_mtok: 2, output_per_mtok: 4 } } }));
    assert.equal(price('fake', 'mock-model', USAGE), 2 + 4);
  });

  it('a provider/model override wins over a bare model override', () => {
    const price = createPricer(configWith({ models: { 'gpt-4o-mini': { input_per_mtok: 1, output_per_mtok: 1 }, 'oai/gpt-4o-mini': { input_per_mtok: 3, output_per_mtok: 3 } } }));
    assert.equal(price('oai', 'gpt-4o-mini', { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0 }), 3);
  });

  it('with package: false only overrides are priced', () => {
    const price = createPricer(configWith({ package: false, models: { 'mock-model': { input_per_mtok: 1, output_per_mtok: 1 } } }));
    assert.equal(price('oai', 'gpt-4o-mini', USAGE), undefined);
    assert.equal(price('fake', 'mock-model', { inputTokens: 1_000_000, outputTokens: 0, cachedInputTokens: 0 }), 1);
  });

  it('rejects a negative price in the config', () => {
    assert.throws(() => configWith({ models: { x: { input_per_mtok: -1, output_per_mtok: 1 } } }), /input_per_mtok/);
  });
});

function attempt(over: Partial<AttemptRecord>): AttemptRecord {
  return { hop: 1, step: 'deployment', deployment: 'mini', provider: 'oai', model: 'gpt-4o-mini', outcome: 'served', attempt: 1, startedAt: 0, durationMs: 5, ...over };
}

function eventWith(attempts: AttemptRecord[], usage = { inputTokens: 2_000_000, outputTokens: 1_000_000, cachedInputTokens: 0 }): RequestEvent {
  return {
    requestId: 'r1',
    operation: 'chat',
    route: 'chat',
    tenant: '',
    startedAt: 0,
    durationMs: 10,
    status: 200,
    stream: false,
    served: { requestId: 'r1', route: 'chat', deployment: 'mocked', provider: 'fake', hop: 2, attempts, fallbackReason: 'upstream_5xx' },
    request: { model: 'chat' },
    response: { id: 'x', model: 'mock-model', finishReasons: [], usage },
  };
}

describe('priceRequest', () => {
  const config = configWith({ models: { 'mock-model': { input_per_mtok: 1, output_per_mtok: 2 } } });

  it('prices every call per hop: a failed hop carries no usage and costs 0, the serving hop its usage', () => {
    const cost = priceRequest(
      eventWith([
        attempt({ hop: 1, outcome: 'failed', shape: 'upstream_5xx', status: 503 }),
        attempt({ hop: 2, deployment: 'mocked', provider: 'fake', model: 'mock-model', outcome: 'served' }),
      ]),
      createPricer(config),
    );
    assert.deepEqual(cost.hops.map((hop) => [hop.hop, hop.deployment, hop.inputTokens, hop.outputTokens, hop.usd]), [
      [1, 'mini', 0, 0, 0],
      [2, 'mocked', 2_000_000, 1_000_000, 4],
    ]);
    assert.equal(cost.totalUsd, 4);
    assert.equal(cost.unpriced, 0);
  });

  it('counts a hop that used tokens without a known price as unpriced, not as free', () => {
    const cost = priceRequest(eventWith([attempt({ deployment: 'local', provider: 'local', model: 'llama3' })]), createPricer(config));
    assert.equal(cost.unpriced, 1);
    assert.equal(cost.hops[0]?.usd, undefined);
    assert.equal(cost.totalUsd, 0);
  });

  it('lists no skipped, cache or manual steps, and a replay costs nothing', () => {
    const pricer = createPricer(config);
    const cost = priceRequest(eventWith([attempt({ outcome: 'skipped' }), attempt({ hop: 2, step: 'cache', deployment: 'cache', provider: 'cache' })]), pricer);
    assert.deepEqual(cost.hops, []);
    const replay = eventWith([attempt({ deployment: 'mocked', provider: 'fake', model: 'mock-model' })]);
    replay.served.replayOf = 'r0';
    assert.deepEqual(priceRequest(replay, pricer), { totalUsd: 0, hops: [], unpriced: 0 });
  });
});

describe('unpricedDeployments', () => {
  it('names the deployments neither an override nor the package prices', () => {
    assert.deepEqual(unpricedDeployments(configWith()), [{ deployment: 'mocked', provider: 'fake', model: 'mock-model' }]);
    assert.deepEqual(unpricedDeployments(configWith({ models: { 'mock-model': { input_per_mtok: 1, output_per_mtok: 2 } } })), []);
  });

  it('without the package only overrides price; with pricing off nothing is reported', () => {
    assert.deepEqual(
      unpricedDeployments(configWith({ package: false })).map((d) => d.deployment),
      ['mini', 'sonnet', 'mocked'],
    );
    assert.deepEqual(unpricedDeployments(configWith({ enabled: false })), []);
  });
});

describe('withCost', () => {
  it('sets event.cost before the sinks see it, and passes the tracing seam through', () => {
    const seen: (number | undefined)[] = [];
    const tracing = { startRequest: () => ({ traceId: 'a'.repeat(32), spanId: 'b'.repeat(16), sampled: true }), newSpanId: () => 'c'.repeat(16), captureContent: false };
    const sink: Telemetry = { requestFinished: (event) => void seen.push(event.cost?.totalUsd), close: async () => {}, tracing };
    const config = configWith({ models: { 'mock-model': { input_per_mtok: 1, output_per_mtok: 2 } } });
    const wrapped = withCost(sink, { config: () => config, onError: (err) => assert.fail(String(err)) });
    wrapped?.requestFinished(eventWith([attempt({ deployment: 'mocked', provider: 'fake', model: 'mock-model' })]));
    assert.deepEqual(seen, [4]);
    assert.equal(wrapped?.tracing, tracing);
  });

  it('tells which deployments have no price once, when it is made, and nothing when all are priced', () => {
    const sink: Telemetry = { requestFinished: () => {}, close: async () => {} };
    const told: string[][] = [];
    withCost(sink, { config: () => configWith(), onError: () => {}, onUnpriced: (unpriced) => void told.push(unpriced.map((d) => `${d.deployment}:${d.provider}/${d.model}`)) });
    assert.deepEqual(told, [['mocked:fake/mock-model']]);
    const priced = configWith({ models: { 'mock-model': { input_per_mtok: 1, output_per_mtok: 2 } } });
    withCost(sink, { config: () => priced, onError: () => {}, onUnpriced: () => assert.fail('every deployment is priced') });
  });

  it('leaves cost out when pricing is off', () => {
    const seen: unknown[] = [];
    const sink: Telemetry = { requestFinished: (event) => void seen.push(event.cost), close: async () => {} };
    const config = configWith({ enabled: false });
    withCost(sink, { config: () => config, onError: () => {} })?.requestFinished(eventWith([attempt({})]));
    assert.deepEqual(seen, [undefined]);
  });
});
