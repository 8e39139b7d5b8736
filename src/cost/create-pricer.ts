/**
 * Prices one hop's tokens: the operator's override for the model first, then the bundled
 * `@pydantic/genai-prices` data. A model is matched against the package once per config; later
 * calls price against that one model, so the hot path never scans a provider's catalogue again.
 *
 * The package's price for a model is linear in the three token counts we have, except that a tiered
 * price (a higher rate past 200k input tokens, say) switches every rate at once when the input
 * tokens pass a threshold. So the pricer reads the rates off the package once per model and band
 * of input tokens, and prices a request with three multiplications; `calcPrice` on every request
 * copied and re-validated the model's prices each time (a quarter of a request's CPU, in bench:ab,
 * on a route to claude-sonnet-4-6). A price that changes on a date is read again when the date comes; a price that changes
 * with the time of day still goes through the package on every request.
 */
import { createRequire } from 'node:module';
import type { ModelInfo, Provider as PriceProvider } from '@pydantic/genai-prices';
import type { Config } from '../config/schema.js';
import type { Usage } from '../providers/types.js';
import type { ModelPriceConfig } from './pricing-config.js';
import { priceProviderId } from './price-provider-id.js';

const TOKENS_PER_MTOK = 1_000_000;

type PriceData = typeof import('@pydantic/genai-prices');
let priceData: PriceData | undefined;

/**
 * The package, loaded the first time a model is looked up in it: its data is 1.6 MB of source and
 * about 3 MB of heap (5 MB of RSS), which a gateway with pricing off, or whose models it does not
 * price (the mock, local servers, a bare `base_url`), never holds. Synchronous (its CommonJS
 * build), so pricing stays synchronous; a pricer looks up its config's deployments when it is made,
 * and `withCost` makes it when the config is applied, so no request pays for the load.
 */
function loadPriceData(): PriceData {
  priceData ??= createRequire(import.meta.url)('@pydantic/genai-prices') as PriceData;
  return priceData;
}

const calcPrice: PriceData['calcPrice'] = (usage, modelId, options) => loadPriceData().calcPrice(usage, modelId, options);

/** Prices usage for a configured provider (by its name in `providers`) and the model it was sent. */
export type Pricer = (providerName: string, model: string, usage: Usage) => number | undefined;

/** Where a model's price was found, kept per config so a lookup happens once per model. */
type Source =
  | { kind: 'override'; price: ModelPriceConfig }
  | { kind: 'rated'; provider: PriceProvider; model: string; rated: RatedPrice }
  | { kind: 'package'; provider: PriceProvider }
  | { kind: 'none' };

/** A model's price as the package computes it, rate by rate, for the time it holds. */
interface RatedPrice {
  /** Input-token thresholds, ascending: a request with more input tokens than `bounds[k]` is in band k + 1. */
  bounds: number[];
  bands: LinearRates[];
  /** When the package's price for the model changes next (a start date), in ms; Infinity if never. */
  validUntil: number;
}

/** One band's price: a fixed part (a per-request price) plus USD per million tokens of each kind. */
interface LinearRates {
  fixed: number;
  /** Per million input tokens neither read from the cache nor written to it. */
  uncachedInput: number;
  /** Per million input tokens read from the cache. */
  cachedInput: number;
  /** Per million input tokens written to the cache (Anthropic's 1.25 times the input price). */
  cacheWriteInput: number;
  output: number;
}

const PRICERS = new WeakMap<Config, Pricer>();

/** A configured deployment whose model has no price: its calls are counted as unpriced. */
export interface UnpricedDeployment {
  deployment: string;
  provider: string;
  model: string;
}

const PROBE_USAGE: Usage = { inputTokens: 1, outputTokens: 1, cachedInputTokens: 0 };

/** The config's deployments that neither an override nor the package prices; none when pricing is off. */
export function unpricedDeployments(config: Config): UnpricedDeployment[] {
  if (!config.telemetry.pricing.enabled) return [];
  const price = pricerFor(config);
  return Object.entries(config.deployments)
    .filter(([, { provider, model }]) => price(provider, model, PROBE_USAGE) === undefined)
    .map(([deployment, { provider, model }]) => ({ deployment, provider, model }));
}

/** One line naming the unpriced deployments and what to do about them (a start-up warning, a check-config note). */
export function describeUnpriced(unpriced: UnpricedDeployment[]): string {
  const names = unpriced.map(({ deployment, provider, model }) => `${deployment} (${provider}/${model})`).join(', ');
  const one = unpriced.length === 1;
  return `no price is known for the model of ${one ? 'deployment' : `${unpriced.length} deployments`} ${names}: ${one ? 'its' : 'their'} calls get no cost and count in switchyard_unpriced_hops_total; telemetry.pricing.models can price ${one ? 'it' : 'them'}`;
}

/** The pricer for a config (made once per config object, so a reload brings new overrides). */
export function pricerFor(config: Config): Pricer {
  let pricer = PRICERS.get(config);
  if (!pricer) {
    pricer = createPricer(config);
    PRICERS.set(config, pricer);
  }
  return pricer;
}

/** `now`: the clock that picks a price that changes on a date (tests move it). */
export function createPricer(config: Config, now: () => number = Date.now): Pricer {
  const pricing = config.telemetry.pricing;
  // Bounded: keys are configured provider names and the models their deployments send. A map per
  // provider, not one keyed by a joined string: the names are strings the config holds, whose
  // hashes V8 keeps, where a joined key is a new string hashed on every request.
  const sources = new Map<string, Map<string, Source>>();

  function sourceOf(providerName: string, model: string): Source {
    let models = sources.get(providerName);
    if (!models) {
      models = new Map();
      sources.set(providerName, models);
    }
    let source = models.get(model);
    if (!source) {
      source = findSource(providerName, model);
      models.set(model, source);
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
    if (changesWithTimeOfDay(found.model)) return { kind: 'package', provider: priced };
    return { kind: 'rated', provider: priced, model, rated: ratePrice(priced, model, now()) };
  }

  // Every deployment's model now: the pricer is made when its config is applied, not on a request.
  for (const deployment of Object.values(config.deployments)) sourceOf(deployment.provider, deployment.model);

  return (providerName, model, usage) => {
    const source = sourceOf(providerName, model);
    if (source.kind === 'none') return undefined;
    if (source.kind === 'override') return priceByOverride(source.price, usage);
    if (source.kind === 'rated') {
      const at = now();
      if (at >= source.rated.validUntil) source.rated = ratePrice(source.provider, source.model, at);
      return priceLinear(bandOf(source.rated, usage.inputTokens), usage);
    }
    const result = calcPrice(packageUsage(usage), model, { provider: source.provider, timestamp: new Date(now()) });
    return result?.total_price;
  };
}

/**
 * The package's usage: `input_tokens` is the total, cache reads and writes parts of it (as our Usage
 * counts them). The package has no 1-hour cache writes: on this path (prices that change with the
 * time of day, none of them Anthropic's) they are priced as other writes.
 */
function packageUsage(usage: Usage): Record<string, number> {
  const { cached, written } = cacheParts(usage);
  return {
    input_tokens: usage.inputTokens,
    cache_read_tokens: cached,
    cache_write_tokens: written,
    output_tokens: usage.outputTokens,
  };
}

/**
 * The input tokens read from the cache and written to it, each at most what is left of the input,
 * and of the written, those written to Anthropic's 1-hour cache.
 */
function cacheParts(usage: Usage): { cached: number; written: number; writtenLong: number } {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  const written = Math.min(usage.cacheWriteInputTokens ?? 0, usage.inputTokens - cached);
  return { cached, written, writtenLong: Math.min(usage.cacheWrite1hInputTokens ?? 0, written) };
}

function priceByOverride(price: ModelPriceConfig, usage: Usage): number {
  const { cached, written, writtenLong } = cacheParts(usage);
  const cachedRate = price.cached_input_per_mtok ?? price.input_per_mtok;
  const writeRate = price.cache_write_input_per_mtok ?? price.input_per_mtok;
  const longWriteRate = price.cache_write_1h_input_per_mtok ?? writeRate;
  const input = (usage.inputTokens - cached - written) * price.input_per_mtok + cached * cachedRate + (written - writtenLong) * writeRate + writtenLong * longWriteRate;
  return (input + usage.outputTokens * price.output_per_mtok) / TOKENS_PER_MTOK;
}

/**
 * Anthropic bills a write to its 1-hour cache at twice the base input price (a 5-minute one at 1.25
 * times, the package's cache-write price). The package has no price for it, so it is read off the
 * band's input price.
 */
const LONG_CACHE_WRITE_FACTOR = 2;

/** DeepSeek's off-peak hours and the like: the price in force changes every day, at a time of day. */
function changesWithTimeOfDay(model: ModelInfo): boolean {
  return Array.isArray(model.prices) && model.prices.some((price) => price.constraint !== undefined && price.constraint.type !== 'start_date');
}

/** The first start date after `now` at which another of the model's prices takes over, in ms; Infinity if none. */
function nextPriceChange(model: ModelInfo, now: number): number {
  if (!Array.isArray(model.prices)) return Infinity;
  let next = Infinity;
  for (const { constraint } of model.prices) {
    if (constraint?.type !== 'start_date') continue;
    const starts = Date.parse(constraint.start_date);
    if (starts > now && starts < next) next = starts;
  }
  return next;
}

/** Every input-token threshold of the tiered prices in `price`, ascending. */
function tierStarts(price: Record<string, unknown>): number[] {
  const starts = new Set<number>();
  for (const value of Object.values(price)) {
    if (typeof value !== 'object' || value === null || !('tiers' in value) || !Array.isArray(value.tiers)) continue;
    for (const tier of value.tiers as { start: number }[]) starts.add(tier.start);
  }
  return [...starts].sort((a, b) => a - b);
}

/** Probe step: a million tokens, or less in a narrower band. */
const PROBE_TOKENS = TOKENS_PER_MTOK;

/**
 * Reads the model's price in force at `now` off the package, band by band. Without tiers it is one
 * band, read at 0 and a million tokens of each kind (exact to the digit). With tiers, each band is
 * read at two input counts inside it, so the rates are the ones the package applies there.
 */
function ratePrice(provider: PriceProvider, model: string, now: number): RatedPrice {
  const timestamp = new Date(now);
  const at = (input: number, cached: number, output: number, written = 0): number =>
    calcPrice({ input_tokens: input, cache_read_tokens: cached, cache_write_tokens: written, output_tokens: output }, model, { provider, timestamp })?.total_price ?? 0;
  const found = calcPrice({ input_tokens: 0 }, model, { provider, timestamp });
  const bounds = found ? tierStarts(found.model_price) : [];
  const validUntil = found ? nextPriceChange(found.model, now) : Infinity;
  if (bounds.length === 0) {
    const fixed = at(0, 0, 0);
    const rates = {
      fixed,
      uncachedInput: at(PROBE_TOKENS, 0, 0) - fixed,
      cachedInput: at(PROBE_TOKENS, PROBE_TOKENS, 0) - fixed,
      cacheWriteInput: at(PROBE_TOKENS, 0, 0, PROBE_TOKENS) - fixed,
      output: at(0, 0, PROBE_TOKENS) - fixed,
    };
    return { bounds, bands: [rates], validUntil };
  }
  const bands = [-1, ...bounds].map((above, k): LinearRates => {
    // The band holds input counts from above + 1 up to the next threshold.
    const low = above + 1;
    const step = Math.max(1, Math.min(PROBE_TOKENS, (bounds[k] ?? Infinity) - low));
    const base = at(low, 0, 0);
    const more = at(low + step, 0, 0);
    const perUncached = (more - base) / step;
    const perCached = perUncached + (at(low + step, step, 0) - more) / step;
    const perWritten = perUncached + (at(low + step, 0, 0, step) - more) / step;
    return {
      fixed: base - low * perUncached,
      uncachedInput: perUncached * TOKENS_PER_MTOK,
      cachedInput: perCached * TOKENS_PER_MTOK,
      cacheWriteInput: perWritten * TOKENS_PER_MTOK,
      output: at(low, 0, PROBE_TOKENS) - base,
    };
  });
  return { bounds, bands, validUntil };
}

function bandOf(rated: RatedPrice, inputTokens: number): LinearRates {
  let band = 0;
  while (band < rated.bounds.length && inputTokens > (rated.bounds[band] as number)) band++;
  return rated.bands[band] as LinearRates;
}

/** In the package's order of operations (rate × tokens / 1M per kind; input, then output, then the rest), so the figures match it to the last digit in the usual case. */
function priceLinear(rates: LinearRates, usage: Usage): number {
  const cached = Math.min(usage.cachedInputTokens, usage.inputTokens);
  let input = ((usage.inputTokens - cached) * rates.uncachedInput) / TOKENS_PER_MTOK + (cached * rates.cachedInput) / TOKENS_PER_MTOK;
  const written = usage.cacheWriteInputTokens;
  // Written tokens were counted above at the uncached rate: only the difference is added.
  if (written !== undefined) {
    const writtenAll = Math.min(written, usage.inputTokens - cached);
    input += (writtenAll * (rates.cacheWriteInput - rates.uncachedInput)) / TOKENS_PER_MTOK;
    const writtenLong = Math.min(usage.cacheWrite1hInputTokens ?? 0, writtenAll);
    if (writtenLong > 0) input += (writtenLong * (LONG_CACHE_WRITE_FACTOR * rates.uncachedInput - rates.cacheWriteInput)) / TOKENS_PER_MTOK;
  }
  return input + (usage.outputTokens * rates.output) / TOKENS_PER_MTOK + rates.fixed;
}

/** A provider holding only the matched model: pricing against it skips matching the whole catalogue. */
function singleModel(provider: PriceProvider, model: ModelInfo, sent: string): PriceProvider {
  return { id: provider.id, name: provider.name, api_pattern: provider.api_pattern, models: [{ ...model, match: { equals: sent } }] };
}
