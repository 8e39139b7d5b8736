/**
 * Every provider type the gateway knows, by its config `type`. Adding a provider is one line here
 * and a folder of its own.
 */
import { anthropicProvider } from './anthropic/index.js';
import { azureProvider } from './azure/index.js';
import { bedrockProvider } from './bedrock/index.js';
import { cohereProvider } from './cohere/index.js';
import { geminiProvider } from './gemini/index.js';
import { mockProvider } from './mock/definition.js';
import { openaiCompatibleProvider } from './openai-compatible/index.js';
import { openaiProvider } from './openai/index.js';
import type { ProviderDefinition } from './types.js';

export const PROVIDER_DEFINITIONS = {
  openai: openaiProvider,
  'openai-compatible': openaiCompatibleProvider,
  anthropic: anthropicProvider,
  gemini: geminiProvider,
  cohere: cohereProvider,
  bedrock: bedrockProvider,
  azure: azureProvider,
  mock: mockProvider,
} as const satisfies Record<string, ProviderDefinition>;

export type ProviderType = keyof typeof PROVIDER_DEFINITIONS;
