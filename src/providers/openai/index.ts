import { z } from 'zod';
import { httpProviderOptions, streamUsageOption, transportOf } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';
import { createOpenAIProvider } from './openai-provider.js';

/** OpenAI's public API. */
export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

const options = z.strictObject({
  type: z.literal('openai'),
  ...httpProviderOptions,
  /** Sent as `OpenAI-Organization`. */
  organization: z.string().optional(),
  /** Sent as `OpenAI-Project`. */
  project: z.string().optional(),
  /** OpenAI sends a stream's usage when asked: asked by default (streamUsageOption). */
  stream_usage: streamUsageOption.default(true),
});

/** Where calls go: `base_url`, else the provider's own. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url ?? OPENAI_BASE_URL;
}

export const openaiProvider: ProviderDefinition<typeof options> = {
  type: 'openai',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    const headers: Record<string, string> = { ...config.headers };
    if (config.organization) headers['openai-organization'] = config.organization;
    if (config.project) headers['openai-project'] = config.project;
    return createOpenAIProvider({
      name: context.name,
      type: 'openai',
      baseUrl: upstreamOf(config),
      apiKey: config.api_key,
      headers,
      transport: transportOf(config, context),
      streamUsage: config.stream_usage,
      notice: context.notice,
    });
  },
};
