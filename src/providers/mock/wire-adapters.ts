/**
 * Which gateway adapter talks to the mock in each wire format it speaks. `wire: anthropic` makes a
 * `mock` provider a stand-in for Anthropic: the gateway's real Anthropic adapter talks to the mock's
 * Anthropic routes over a real socket. Adding a wire format is one entry here.
 */
import { DEFAULT_ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS } from '../anthropic/index.js';
import type { Transport } from '../http/upstream-client.js';
import type { Provider } from '../types.js';

export interface WireAdapterOptions {
  /** The provider's name in config. */
  name: string;
  /**
   * Where the mock answers: its origin (e.g. `http://127.0.0.1:41234`), or for an external mock the
   * `base_url` the config gave. Each adapter adds its provider's own path prefix.
   */
  baseUrl: string;
  /** True when `baseUrl` is the configured `base_url` of an external mock, used as given. */
  external: boolean;
  apiKey: string | undefined;
  transport: Transport;
}

export type WireAdapterFactory = (options: WireAdapterOptions) => Provider;

/** Where the adapter sends: an external mock's `base_url` as configured, else the embedded mock's origin and the provider's path prefix. */
function baseUrlOf(options: WireAdapterOptions, prefix: string): string {
  return options.external ? options.baseUrl : `${options.baseUrl}${prefix}`;
}

/**
 * Each wire format's adapter, loading its provider's code when a mock speaks that format: a config
 * whose mocks all speak OpenAI never loads the other providers' code.
 */
export const WIRE_ADAPTERS = {
  openai: async (options) => {
    const { createOpenAIProvider } = await import('../openai/openai-provider.js');
    return createOpenAIProvider({ ...options, type: 'mock', headers: {}, baseUrl: baseUrlOf(options, '/v1') });
  },
  anthropic: async (options) => {
    const { createAnthropicProvider } = await import('../anthropic/anthropic-provider.js');
    return createAnthropicProvider({
      ...options,
      type: 'mock',
      version: DEFAULT_ANTHROPIC_VERSION,
      betas: [],
      headers: {},
      defaultMaxTokens: DEFAULT_MAX_TOKENS,
      baseUrl: baseUrlOf(options, '/v1'),
    });
  },
  gemini: async (options) => {
    const { createGeminiProvider } = await import('../gemini/gemini-provider.js');
    return createGeminiProvider({
      ...options,
      type: 'mock',
      endpoint: { type: 'ai-studio', baseUrl: baseUrlOf(options, '/v1beta'), apiKey: options.apiKey },
      headers: {},
    });
  },
  cohere: async (options) => {
    const { createCohereProvider } = await import('../cohere/cohere-provider.js');
    return createCohereProvider({ ...options, type: 'mock', headers: {}, baseUrl: baseUrlOf(options, '/v2') });
  },
  bedrock: async (options) => (await import('./dialects/bedrock/wire-adapter.js')).bedrockWireAdapter(options),
  azure: async (options) => (await import('./dialects/azure/wire-adapter.js')).azureWireAdapter(options),
} satisfies Record<string, (options: WireAdapterOptions) => Promise<Provider>>;

export type WireFormat = keyof typeof WIRE_ADAPTERS;
export const WIRE_FORMATS = Object.keys(WIRE_ADAPTERS) as [WireFormat, ...WireFormat[]];
