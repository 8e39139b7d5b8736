/**
 * Which `@pydantic/genai-prices` provider prices a configured provider's calls. The gateway's
 * provider types (and the OpenAI-compatible presets) map to the package's provider ids; a provider
 * the package cannot know (a local server, a bare base URL, the mock) has none and is priced only by
 * an override in `telemetry.pricing.models`.
 */
import type { ProviderConfig } from '../config/schema.js';
import type { ProviderType } from '../providers/registry.js';
import type { PresetName } from '../providers/openai-compatible/presets.js';

/** The package's provider id per gateway provider type (`openai-compatible` goes by its preset). */
const BY_TYPE: Record<Exclude<ProviderType, 'openai-compatible'>, string | undefined> = {
  openai: 'openai',
  anthropic: 'anthropic',
  // AI Studio and Vertex AI both sell Gemini at Google's list prices.
  gemini: 'google',
  bedrock: 'aws',
  cohere: 'cohere',
  azure: 'azure',
  mock: undefined,
};

/** Local servers (ollama, vllm, lmstudio) bill nothing the package could know. */
const BY_PRESET: Record<PresetName, string | undefined> = {
  groq: 'groq',
  together: 'together',
  mistral: 'mistral',
  deepseek: 'deepseek',
  fireworks: 'fireworks',
  openrouter: 'openrouter',
  xai: 'x-ai',
  ollama: undefined,
  vllm: undefined,
  lmstudio: undefined,
};

export function priceProviderId(provider: ProviderConfig): string | undefined {
  if (provider.type === 'openai-compatible') return provider.preset ? BY_PRESET[provider.preset] : undefined;
  return BY_TYPE[provider.type];
}
