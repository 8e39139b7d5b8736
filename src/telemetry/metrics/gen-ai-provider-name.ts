/**
 * `gen_ai.provider.name` for a configured provider: the semantic conventions' well-known values
 * (`openai`, `anthropic`, `aws.bedrock`, `gcp.gemini`, `gcp.vertex_ai`, `cohere`, `azure.ai.openai`,
 * `groq`, `mistral_ai`, `deepseek`, `x_ai`), else the preset's or the provider's configured name
 * (a custom value, as the conventions allow; bounded by the config).
 */
import type { ProviderConfig } from '../../config/schema.js';
import type { PresetName } from '../../providers/openai-compatible/presets.js';
import type { ProviderType } from '../../providers/registry.js';

const BY_PRESET: Partial<Record<PresetName, string>> = {
  groq: 'groq',
  mistral: 'mistral_ai',
  deepseek: 'deepseek',
  xai: 'x_ai',
};

type Namer = (provider: ProviderConfig, configuredName: string) => string;

const BY_TYPE: Record<ProviderType, Namer> = {
  openai: () => 'openai',
  anthropic: () => 'anthropic',
  cohere: () => 'cohere',
  gemini: (provider) => (provider.type === 'gemini' && provider.vertex ? 'gcp.vertex_ai' : 'gcp.gemini'),
  bedrock: () => 'aws.bedrock',
  azure: () => 'azure.ai.openai',
  'openai-compatible': (provider, configuredName) =>
    provider.type === 'openai-compatible' && provider.preset ? (BY_PRESET[provider.preset] ?? provider.preset) : configuredName,
  mock: (_provider, configuredName) => configuredName,
};

export function genAiProviderName(provider: ProviderConfig | undefined, configuredName: string): string {
  return provider ? BY_TYPE[provider.type](provider, configuredName) : configuredName;
}
