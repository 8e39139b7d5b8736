import { z } from 'zod';
import { httpProviderOptions, transportOf } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';

/** Anthropic's public API. */
export const ANTHROPIC_BASE_URL = 'https://api.anthropic.com/v1';
/** Default `anthropic-version`: the Messages API's version (still the current one). */
export const DEFAULT_ANTHROPIC_VERSION = '2023-06-01';
/** Default `max_tokens` for a request that gives neither `max_tokens` nor `max_completion_tokens` (Anthropic requires one). */
export const DEFAULT_MAX_TOKENS = 4096;

const options = z.strictObject({
  type: z.literal('anthropic'),
  ...httpProviderOptions,
  /** Sent as `anthropic-version`. */
  anthropic_version: z.string().min(1).default(DEFAULT_ANTHROPIC_VERSION),
  /** `max_tokens` when a request names none. */
  default_max_tokens: z.int().positive().default(DEFAULT_MAX_TOKENS),
  /** Beta features to turn on, sent as `anthropic-beta` (e.g. `context-1m-2025-08-07`). */
  beta: z.array(z.string().min(1)).optional(),
});

/** Where calls go: `base_url`, else the provider's own. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url ?? ANTHROPIC_BASE_URL;
}

export const anthropicProvider: ProviderDefinition<typeof options> = {
  type: 'anthropic',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    const { createAnthropicProvider } = await import('./anthropic-provider.js');
    return createAnthropicProvider({
      name: context.name,
      type: 'anthropic',
      baseUrl: upstreamOf(config),
      apiKey: config.api_key,
      version: config.anthropic_version,
      betas: config.beta ?? [],
      headers: { ...config.headers },
      defaultMaxTokens: config.default_max_tokens,
      transport: transportOf(config, context),
    });
  },
};
