import { z } from 'zod';
import { httpProviderOptions, transportOf } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';

/** Cohere's public API, v2. */
export const COHERE_BASE_URL = 'https://api.cohere.com/v2';

const options = z.strictObject({
  type: z.literal('cohere'),
  ...httpProviderOptions,
});

export const cohereProvider: ProviderDefinition<typeof options> = {
  type: 'cohere',
  options,
  async create(config, context) {
    const { createCohereProvider } = await import('./cohere-provider.js');
    return createCohereProvider({
      name: context.name,
      type: 'cohere',
      baseUrl: config.base_url ?? COHERE_BASE_URL,
      apiKey: config.api_key,
      headers: { ...config.headers },
      transport: transportOf(config, context),
    });
  },
};
