import { z } from 'zod';
import { httpProviderOptions, transportOf } from '../provider-options.js';
import type { ProviderDefinition } from '../types.js';
import type { GeminiEndpoint } from './gemini-provider.js';

/** The Gemini API (AI Studio), with its version prefix. */
export const GEMINI_BASE_URL = 'https://generativelanguage.googleapis.com/v1beta';
/** Vertex AI's API version. */
export const VERTEX_API_VERSION = 'v1';
/** Default Vertex AI location. */
export const DEFAULT_VERTEX_LOCATION = 'us-central1';

/** Vertex AI's endpoint for a location: regional hosts carry the region, the global one does not. */
export function vertexBaseUrl(location: string): string {
  const host = location === 'global' ? 'aiplatform.googleapis.com' : `${location}-aiplatform.googleapis.com`;
  return `https://${host}/${VERTEX_API_VERSION}`;
}

const options = z
  .strictObject({
    type: z.literal('gemini'),
    ...httpProviderOptions,
    /**
     * Vertex AI instead of the Gemini API: calls go to the project's location
     * (`https://{location}-aiplatform.googleapis.com/v1/projects/{project}/locations/{location}/...`;
     * `location: global` has no region in the host). `base_url` still overrides the host.
     */
    vertex: z.strictObject({ project: z.string().min(1), location: z.string().min(1).default(DEFAULT_VERTEX_LOCATION) }).optional(),
    /**
     * Vertex AI's OAuth access token, sent as a bearer. The gateway carries no Google auth library:
     * write `${VERTEX_TOKEN}` and keep the variable fresh (`gcloud auth print-access-token`, a
     * metadata-server sidecar); tokens last about an hour, so reload the config when it changes.
     */
    access_token: z.string().min(1).optional(),
  })
  .superRefine((value, ctx) => {
    if (value.vertex && value.api_key !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['api_key'], message: 'Vertex AI takes an OAuth access token: set access_token instead' });
    }
    if (!value.vertex && value.access_token !== undefined) {
      ctx.addIssue({ code: 'custom', path: ['access_token'], message: 'applies only with vertex: { project, location }; the Gemini API takes api_key' });
    }
  });

/** Where calls go: `base_url`, else the provider's own. */
function upstreamOf(config: z.infer<typeof options>): string {
  return config.base_url ?? (config.vertex ? vertexBaseUrl(config.vertex.location) : GEMINI_BASE_URL);
}

export const geminiProvider: ProviderDefinition<typeof options> = {
  type: 'gemini',
  options,
  upstream: upstreamOf,
  async create(config, context) {
    const endpoint: GeminiEndpoint = config.vertex
      ? { type: 'vertex', baseUrl: upstreamOf(config), project: config.vertex.project, location: config.vertex.location, accessToken: config.access_token }
      : { type: 'ai-studio', baseUrl: upstreamOf(config), apiKey: config.api_key };
    const { createGeminiProvider } = await import('./gemini-provider.js');
    return createGeminiProvider({
      name: context.name,
      type: 'gemini',
      endpoint,
      headers: { ...config.headers },
      transport: transportOf(config, context),
    });
  },
};
