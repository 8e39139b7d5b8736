import { z } from 'zod';
import { httpProviderOptions, transportOf, transportOptions } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';
import type { BedrockCredentials } from './sign-bedrock-request.js';

/** Bedrock Runtime's public endpoint in a region (the default `base_url`). */
export function bedrockBaseUrl(region: string): string {
  return `https://bedrock-runtime.${region}.amazonaws.com`;
}

const options = z
  .strictObject({
    type: z.literal('bedrock'),
    /** The AWS region, e.g. `us-east-1`: part of the endpoint and of every signature. */
    region: z.string().regex(/^[a-z]{2,}(-[a-z]+)+-\d+$/, 'write an AWS region such as us-east-1'),
    /** Default `https://bedrock-runtime.{region}.amazonaws.com` (a VPC endpoint or proxy goes here). */
    base_url: httpProviderOptions.base_url,
    /** A Bedrock API key, sent as `Authorization: Bearer`. Or use the access key pair below, not both. */
    api_key: httpProviderOptions.api_key,
    /** AWS credentials, for SigV4 signing. Write `${AWS_ACCESS_KEY_ID}` rather than the key itself. */
    access_key_id: z.string().min(1).optional(),
    secret_access_key: z.string().min(1).optional(),
    /** For temporary credentials (STS, SSO). Signed credentials are static: refresh means a config reload. */
    session_token: z.string().min(1).optional(),
    headers: httpProviderOptions.headers,
    ...transportOptions,
  })
  .superRefine((value, ctx) => {
    const signed = value.access_key_id !== undefined || value.secret_access_key !== undefined;
    if (value.api_key !== undefined && signed) {
      ctx.addIssue({ code: 'custom', path: ['api_key'], message: 'give either api_key (a Bedrock API key) or access_key_id and secret_access_key (SigV4), not both' });
    } else if (value.api_key === undefined && !signed) {
      ctx.addIssue({ code: 'custom', path: ['api_key'], message: 'needs credentials: api_key (a Bedrock API key) or access_key_id and secret_access_key (SigV4)' });
    } else if (signed && (value.access_key_id === undefined || value.secret_access_key === undefined)) {
      const missing = value.access_key_id === undefined ? 'access_key_id' : 'secret_access_key';
      ctx.addIssue({ code: 'custom', path: [missing], message: 'SigV4 signing needs both access_key_id and secret_access_key' });
    }
    if (value.session_token !== undefined && !signed) {
      ctx.addIssue({ code: 'custom', path: ['session_token'], message: 'a session_token goes with access_key_id and secret_access_key' });
    }
  });

/** Where calls go: `base_url`, else the provider's own. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url ?? bedrockBaseUrl(config.region);
}

export const bedrockProvider: ProviderDefinition<typeof options> = {
  type: 'bedrock',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    const { createBedrockProvider } = await import('./bedrock-provider.js');
    return createBedrockProvider({
      name: context.name,
      type: 'bedrock',
      region: config.region,
      baseUrl: upstreamOf(config),
      credentials: credentialsOf(config),
      headers: { ...config.headers },
      transport: transportOf(config, context),
    });
  },
};

function credentialsOf(config: z.infer<typeof options>): BedrockCredentials {
  if (config.api_key !== undefined) return { type: 'api_key', apiKey: config.api_key };
  // The schema's refinement guarantees the pair is complete when there is no api_key.
  return { type: 'sigv4', accessKeyId: config.access_key_id as string, secretAccessKey: config.secret_access_key as string, sessionToken: config.session_token };
}
