import { z } from 'zod';
import { httpProviderOptions, transportOf } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';

/** Cohere's public API, v2. */
export const COHERE_BASE_URL = 'https://api.cohere.com/v2';

const options = z.strictObject({
  type: z.literal('cohere'),
  ...httpProviderOptions,
});

/** Where calls go: `base_url`, else the provider's own. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url ?? COHERE_BASE_URL;
}

export const cohereProvider: ProviderDefinition<typeof options> = {
  type: 'cohere',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    const { createCohereProvider } = await import('./cohere-provider.js');
    return createCohereProvider({
      name: context.name,
      type: 'cohere',
      baseUrl: upstreamOf(config),
      apiKey: config.api_key,
      headers: { ...config.headers },
      transport: transportOf(config, context),
    });
  },
};
