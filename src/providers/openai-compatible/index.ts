import { z } from 'zod';
import { createOpenAIProvider } from '../openai/openai-provider.js';
import { httpProviderOptions, streamUsageOption, transportOf } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';
import { OPENAI_COMPATIBLE_PRESETS, PRESET_NAMES } from './presets.js';

const options = z
  .strictObject({
    type: z.literal('openai-compatible'),
    /** A known server by name; sets the base URL (which `base_url` may still override). */
    preset: z.enum(PRESET_NAMES).optional(),
    ...httpProviderOptions,
    /** The preset's default, else on (streamUsageOption). */
    stream_usage: streamUsageOption,
  })
  .superRefine((value, ctx) => {
    if (!value.preset && !value.base_url) {
      ctx.addIssue({ code: 'custom', path: ['base_url'], message: `needs a base_url, or a preset (one of ${PRESET_NAMES.join(', ')})` });
    }
    if (value.preset && OPENAI_COMPATIBLE_PRESETS[value.preset].needsKey && !value.api_key) {
      ctx.addIssue({ code: 'custom', path: ['api_key'], message: `the ${value.preset} preset needs an api_key (write \${YOUR_ENV_VAR})` });
    }
  });

/** Where calls go: `base_url`, else the provider's own. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url ?? OPENAI_COMPATIBLE_PRESETS[config.preset as keyof typeof OPENAI_COMPATIBLE_PRESETS].baseUrl;
}

export const openaiCompatibleProvider: ProviderDefinition<typeof options> = {
  type: 'openai-compatible',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    const baseUrl = upstreamOf(config);
    return createOpenAIProvider({
      name: context.name,
      type: 'openai-compatible',
      baseUrl,
      apiKey: config.api_key,
      headers: { ...config.headers },
      transport: transportOf(config, context),
      streamUsage: config.stream_usage ?? (config.preset && OPENAI_COMPATIBLE_PRESETS[config.preset].streamUsage) ?? true,
      notice: context.notice,
      keepReasoningContent: true,
      keepCacheMarks: true,
    });
  },
};
