/**
 * A Provider for Azure OpenAI: OpenAI's wire format (the OpenAI adapter does the work) at Azure's
 * paths, with Azure's key header, its quota error, and its prompt-filter stream chunks left out.
 */
import { createOpenAIProvider, type OpenAIEndpoint } from '../openai/openai-provider.js';
import type { Transport } from '../http/upstream-client.js';
import type { ChatStream, Provider } from '../types.js';
import { dropPromptFilterChunks } from './drop-prompt-filter-chunks.js';
import { mapAzureError } from './map-azure-error.js';

/**
 * Default `api-version` of the deployments URL form: the latest GA release of the dated data-plane
 * inference API (later releases are the versionless v1 API, the `v1` URL form).
 */
export const DEFAULT_AZURE_API_VERSION = '2024-10-21';

/**
 * `deployments`: `/openai/deployments/{deployment}/chat/completions?api-version=...`, where the
 * deployment's `model` in Switchyard's config is the Azure deployment name. `v1`:
 * `/openai/v1/chat/completions`, the deployment name in the body's `model`, no api-version.
 */
export const AZURE_URL_FORMS = ['deployments', 'v1'] as const;
export type AzureUrlForm = (typeof AZURE_URL_FORMS)[number];

export type AzureAuth = { type: 'api_key'; key: string } | { type: 'entra_token'; token: string };

export interface AzureProviderOptions {
  name: string;
  type: string;
  /** The resource endpoint, e.g. `https://my-resource.openai.azure.com`. */
  endpoint: string;
  /** Undefined only for a keyless mock. */
  auth: AzureAuth | undefined;
  apiVersion: string;
  urlForm: AzureUrlForm;
  headers: Record<string, string>;
  /** Connection limits and the egress proxy (`transportOf`). */
  transport: Transport;
  /** Ask for a stream's usage when the client did not (`stream_usage`). */
  streamUsage?: boolean;
  notice?: (message: string) => void;
}

const ENDPOINT_PATHS: Record<OpenAIEndpoint, string> = { chat: '/chat/completions', completions: '/completions', embeddings: '/embeddings', models: '/models' };

/** The path and query of an endpoint in a URL form. */
export function azurePathFor(form: AzureUrlForm, apiVersion: string): (endpoint: OpenAIEndpoint, model: string) => string {
  if (form === 'v1') return (endpoint) => `/openai/v1${ENDPOINT_PATHS[endpoint]}`;
  const query = `?api-version=${encodeURIComponent(apiVersion)}`;
  return (endpoint, model) =>
    endpoint === 'models' ? `/openai/models${query}` : `/openai/deployments/${encodeURIComponent(model)}${ENDPOINT_PATHS[endpoint]}${query}`;
}

export function createAzureProvider(options: AzureProviderOptions): Provider {
  const inner = createOpenAIProvider({
    name: options.name,
    type: options.type,
    baseUrl: options.endpoint,
    apiKey: options.auth?.type === 'api_key' ? options.auth.key : options.auth?.token,
    // A key goes in `api-key`; an Entra ID token is a bearer token (the adapter's default).
    keyHeader: options.auth?.type === 'api_key' ? { name: 'api-key' } : undefined,
    headers: options.headers,
    transport: options.transport,
    pathFor: azurePathFor(options.urlForm, options.apiVersion),
    mapError: mapAzureError,
    streamUsage: options.streamUsage,
    notice: options.notice,
  });
  return {
    ...inner,
    chatStream: (call) => inner.chatStream(call).then(withoutPromptFilterChunks),
    completionStream: (call) => inner.completionStream(call).then(withoutPromptFilterChunks),
  };
}

function withoutPromptFilterChunks(stream: ChatStream): ChatStream {
  return { chunks: dropPromptFilterChunks(stream.chunks), cancel: () => stream.cancel() };
}
