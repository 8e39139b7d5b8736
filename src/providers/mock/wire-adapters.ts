/**
 * Which gateway adapter talks to the mock in each wire format it speaks. `wire: anthropic` makes a
 * `mock` provider a stand-in for Anthropic: the gateway's real Anthropic adapter talks to the mock's
 * Anthropic routes over a real socket. Adding a wire format is one entry here.
 */
import { DEFAULT_ANTHROPIC_VERSION, DEFAULT_MAX_TOKENS } from '../anthropic/index.js';
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
  connectTimeoutMs: number;
  maxConnections: number | undefined;
}

export type WireAdapterFactory = (options: WireAdapterOptions) => Provider;

/**
 * Each wire format's adapter, loaded when a mock speaks that format: a config whose mocks all speak
 * OpenAI never loads the other providers' code.
 */
export const WIRE_ADAPTERS = {
  openai: async (): Promise<WireAdapterFactory> => {
    const { createOpenAIProvider } = await import('../openai/openai-provider.js');
    return (options) =>
      createOpenAIProvider({
        ...options,
        type: 'mock',
        headers: {},
        baseUrl: options.external ? options.baseUrl : `${options.baseUrl}/v1`,
      });
  },
  anthropic: async (): Promise<WireAdapterFactory> => {
    const { createAnthropicProvider } = await import('../anthropic/anthropic-provider.js');
    return (options) =>
      createAnthropicProvider({
        ...options,
        type: 'mock',
        version: DEFAULT_ANTHROPIC_VERSION,
        betas: [],
        headers: {},
        defaultMaxTokens: DEFAULT_MAX_TOKENS,
        baseUrl: options.external ? options.baseUrl : `${options.baseUrl}/v1`,
      });
  },
  gemini: async (): Promise<WireAdapterFactory> => {
    const { createGeminiProvider } = await import('../gemini/gemini-provider.js');
    return (options) =>
      createGeminiProvider({
        ...options,
        type: 'mock',
        endpoint: { type: 'ai-studio', baseUrl: options.external ? options.baseUrl : `${options.baseUrl}/v1beta`, apiKey: options.apiKey },
        headers: {},
      });
  },
  cohere: async (): Promise<WireAdapterFactory> => {
    const { createCohereProvider } = await import('../cohere/cohere-provider.js');
    return (options) =>
      createCohereProvider({
        ...options,
        type: 'mock',
        headers: {},
        baseUrl: options.external ? options.baseUrl : `${options.baseUrl}/v2`,
      });
  },
  bedrock: async () => (await import('./dialects/bedrock/wire-adapter.js')).bedrockWireAdapter,
  azure: async () => (await import('./dialects/azure/wire-adapter.js')).azureWireAdapter,
} satisfies Record<string, () => Promise<WireAdapterFactory>>;

export type WireFormat = keyof typeof WIRE_ADAPTERS;
export const WIRE_FORMATS = Object.keys(WIRE_ADAPTERS) as [WireFormat, ...WireFormat[]];
