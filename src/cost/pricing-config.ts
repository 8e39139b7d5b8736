/**
 * `telemetry.pricing`: where prices come from and the operator's own overrides. Prices come from the
 * maintained `@pydantic/genai-prices` data; an override here wins over it for its model.
 */
import { z } from 'zod';
import { bool } from '../config/fields.js';

/** Default: requests are priced (cost per hop on every telemetry event). */
export const DEFAULT_PRICING_ENABLED = true;
/** Default: the bundled `@pydantic/genai-prices` data is used for models without an override. */
export const DEFAULT_USE_PRICE_PACKAGE = true;

const usdPerMillion = z.preprocess((v) => (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : v), z.number().min(0));

/** One model's prices, in US dollars per million tokens. */
const modelPriceSchema = z.strictObject({
  input_per_mtok: usdPerMillion,
  output_per_mtok: usdPerMillion,
  /** Cached (cache-read) input tokens; without it they cost the full input price. */
  cached_input_per_mtok: usdPerMillion.optional(),
  /** Input tokens written to the provider's prompt cache (Anthropic, Bedrock); without it they cost the full input price. */
  cache_write_input_per_mtok: usdPerMillion.optional(),
  /** Input tokens written to Anthropic's 1-hour prompt cache (`ttl: "1h"`); without it they cost `cache_write_input_per_mtok`. */
  cache_write_1h_input_per_mtok: usdPerMillion.optional(),
});

export const pricingConfigSchema = z
  .strictObject({
    enabled: bool().default(DEFAULT_PRICING_ENABLED),
    /** Look prices up in the bundled `@pydantic/genai-prices` data (off: only `models` below are priced). */
    package: bool().default(DEFAULT_USE_PRICE_PACKAGE),
    /** Overrides by the model name a deployment sends upstream (its `model`), or `provider/model` for one provider only. */
    models: z.record(z.string().min(1), modelPriceSchema).default({}),
  })
  .prefault({});

export type PricingConfig = z.output<typeof pricingConfigSchema>;
export type ModelPriceConfig = PricingConfig['models'][string];
