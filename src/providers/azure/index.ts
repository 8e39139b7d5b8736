import { z } from 'zod';
import { httpProviderOptions, streamUsageOption, transportOf, transportOptions } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';
import { AZURE_URL_FORMS, createAzureProvider, DEFAULT_AZURE_API_VERSION } from './azure-provider.js';

export { DEFAULT_AZURE_API_VERSION } from './azure-provider.js';

const options = z
  .strictObject({
    type: z.literal('azure'),
    /** The resource endpoint, e.g. `https://my-resource.openai.azure.com` (no `/openai` path). */
    base_url: z.url({ protocol: /^https?$/ }),
    /** The resource key, sent as `api-key`. Or `entra_token`, not both. */
    api_key: httpProviderOptions.api_key,
    /** A Microsoft Entra ID access token, sent as `Authorization: Bearer`. Static: refreshing it means a config reload. */
    entra_token: z.string().min(1).optional(),
    /** The deployments form's `api-version`. Default DEFAULT_AZURE_API_VERSION. The v1 form takes none. */
    api_version: z.string().min(1).default(DEFAULT_AZURE_API_VERSION),
    /** Default `deployments`: the deployment's `model` is the Azure deployment name, in the path. */
    url_form: z.enum(AZURE_URL_FORMS).default('deployments'),
    headers: httpProviderOptions.headers,
    /** On by default: api-versions from 2024-09-01-preview take `stream_options`; older ones refuse it, which the provider learns (streamUsageOption). */
    stream_usage: streamUsageOption.default(true),
    ...transportOptions,
  })
  .superRefine((value, ctx) => {
    if (value.api_key !== undefined && value.entra_token !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['entra_token'], message: 'give either api_key or entra_token, not both' });
    } else if (value.api_key === undefined && value.entra_token === undefined) {
      ctx.addIssue({ code: 'custom', path: ['api_key'], message: 'needs credentials: api_key (the resource key) or entra_token (a Microsoft Entra ID token)' });
    }
  });

/** Where calls go: the resource endpoint. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url;
}

export const azureProvider: ProviderDefinition<typeof options> = {
  type: 'azure',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    return createAzureProvider({
      name: context.name,
      type: 'azure',
      endpoint: config.base_url,
      auth: config.api_key !== undefined ? { type: 'api_key', key: config.api_key } : { type: 'entra_token', token: config.entra_token as string },
      apiVersion: config.api_version,
      urlForm: config.url_form,
      headers: { ...config.headers },
      transport: transportOf(config, context),
      streamUsage: config.stream_usage,
      notice: context.notice,
    });
  },
};
