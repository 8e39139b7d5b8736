/**
 * Prices one hop's tokens: the operator's override for the model first, then the bundled
 * `@pydantic/genai-prices` data. A model is matched against the package once per config; later
 * calls price against that one model, so the hot path never scans a provider's catalogue again.
 * Most models have one flat price (no tiers by prompt size, no prices by date or time of day): for
 * those the package's price is linear in the three token counts we have, so its rates are read
 * off the package once and a request is priced with three multiplications. Any other model goes
 * through the package on every request.
 */
import { calcPrice, type ModelInfo, type Provider as PriceProvider } from '@pydantic/genai-prices';
import type { Config } from '../config/schema.js';
import type { Usage } from '../providers/types.js';
import type { ModelPriceConfig } from './pricing-config.js';
import { priceProviderId } from './price-provider-id.js';

const TOKENS_PER_MTOK = 1_000_000;

/** Prices usage for a configured provider (by its name in `providers`) and the model it was sent. */
export type Pricer = (providerName: string, model: string, usage: Usage) => number | undefined;

/** Where a model's price was found, kept per config so a lookup happens once per model. */
type Source =
  | { kind: 'override'; price: ModelPriceConfig }
  | { kind: 'linear'; rates: LinearRates }
  | { kind: 'package'; provider: PriceProvider }
  | { kind: 'none' };

/** A flat price as the package computes it: a fixed part (a per-request price) plus USD per million tokens of each kind. */
interface LinearRates {
  fixed: number;
  /** Per million input tokens not read from the cache. */
  uncachedInput: number;
  /** Per million input tokens read from the cache. */
  cachedInput: number;
  output: number;
}

const PRICERS = new WeakMap<Config, Pricer>();

/** The pricer for a config (made once per config object, so a reload brings new overrides). */
export function pricerFor(config: Config): Pricer {
  let pricer = PRICERS.get(config);
  if (!pricer) {
    pricer = createPricer(config);
    PRICERS.set(config, pricer);
  }
  return pricer;
}

export function createPricer(config: Config): Pricer {
  const pricing = config.telemetry.pricing;
  // Bounded: keys are configured provider names and the models their deployments send.
  const sources = new Map<string, Source>();

  function sourceOf(providerName: string, model: string): Source {
    const key = `${providerName}\u0000${model}`;
    let source = sources.get(key);
    if (!source) {
      source = findSource(providerName, model);
      sources.set(key, source);
    }
    return source;
  }

  function findSource(providerName: string, model: string): Source {
    const override = pricing.models[`${providerName}/${model}`] ?? pricing.models[model];
    if (override) return { kind: 'override', price: override };
    const provider = config.providers[providerName];
    const providerId = provider && pricing.package ? priceProviderId(provider) : undefined;
    if (!providerId) return { kind: 'none' };
    const found = calcPrice({ input_tokens: 0 }, model, { providerId });
    if (!found) return { kind: 'none' };
    const priced = singleModel(found.provider, found.model, model);
    return isFlat(found.model) ? { kind: 'linear', rates: linearRates(priced, model) } : { kind: 'package', provider: priced };
  }

  return (providerName, model, usage) => {
    const source = sourceOf(providerName, model);
    if (source.kind === 'none') return undefined;
    if (source.kind === 'override') return priceByOverride(source.price, usage);
    if (source.kind === 'linear') return priceLinear(source.rates, usage);
    const result = calcPrice(packageUsage(usage), model, { provider: source.provider });
    return result?.total_price;
  };
}

/** The package's usage: `input_tokens` is the total, cache reads a part of it (as our Usage counts them). */
function packageUsage(usage: Usage): Record<string, number> {
  return {
    input_tokens: usage.inputTokens,
    cache_read_tokens: Math.min(usage.cachedInputTokens, usage.inputTokens),
    output_tokens: usage.outputTokens,
  };
}

function priceByOverride(price: ModelPriceConfig, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const cachedRate = price.cached_input_per_mtok ?? price.input_per_mtok;
  return ((usage.inputTokens - cached) * price.input_per_mtok + cached * cachedRate + usage.outputTokens * price.output_per_mtok) / TOKENS_PER_MTOK;
}

/** One price for all time (no conditional prices) and no tier: what the package charges grows linearly with each token count. */
function isFlat(model: ModelInfo): boolean {
  const prices = model.prices;
  return !Array.isArray(prices) && Object.values(prices).every((value) => value === undefined || typeof value === 'number');
}

/** Reads a flat model's rates off the package: its price for nothing, then for a million tokens of each kind. */
function linearRates(provider: PriceProvider, model: string): LinearRates {
  const at = (input: number, cached: number, output: number): number =>
    calcPrice({ input_tokens: input, cache_read_tokens: cached, output_tokens: output }, model, { provider })?.total_price ?? 0;
  const fixed = at(0, 0, 0);
  return {
    fixed,
    uncachedInput: at(TOKENS_PER_MTOK, 0, 0) - fixed,
    cachedInput: at(TOKENS_PER_MTOK, TOKENS_PER_MTOK, 0) - fixed,
    output: at(0, 0, TOKENS_PER_MTOK) - fixed,
  };
}

/** In the package's order of operations (rate × tokens / 1M per kind; input, then output, then the rest), so the figures match it to the last digit in the usual case. */
function priceLinear(rates: LinearRates, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const input = ((usage.inputTokens - cached) * rates.uncachedInput) / TOKENS_PER_MTOK + (cached * rates.cachedInput) / TOKENS_PER_MTOK;
  return input + (usage.outputTokens * rates.output) / TOKENS_PER_MTOK + rates.fixed;
}

/** A provider holding only the matched model: pricing against it skips matching the whole catalogue. */
function singleModel(provider: PriceProvider, model: ModelInfo, sent: string): PriceProvider {
  return { id: provider.id, name: provider.name, api_pattern: provider.api_pattern, models: [{ ...model, match: { equals: sent } }] };
}
