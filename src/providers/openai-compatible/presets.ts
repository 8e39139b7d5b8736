/** OpenAI-compatible servers by name, with their documented base URLs. */
export interface OpenAICompatiblePreset {
  baseUrl: string;
  /** Whether the server expects an API key (local servers do not). */
  needsKey: boolean;
  /** `stream_usage` when the config does not set it; default true (the server takes `stream_options`). */
  streamUsage?: boolean;
}

const PRESETS = {
  groq: { baseUrl: 'https://api.groq.com/openai/v1', needsKey: true },
  together: { baseUrl: 'https://api.together.xyz/v1', needsKey: true },
  // Mistral answers 422 (extra_forbidden) to `stream_options`, and sends a stream's usage unasked.
  mistral: { baseUrl: 'https://api.mistral.ai/v1', needsKey: true, streamUsage: false },
  deepseek: { baseUrl: 'https://api.deepseek.com/v1', needsKey: true },
  fireworks: { baseUrl: 'https://api.fireworks.ai/inference/v1', needsKey: true },
  openrouter: { baseUrl: 'https://openrouter.ai/api/v1', needsKey: true },
  xai: { baseUrl: 'https://api.x.ai/v1', needsKey: true },
  ollama: { baseUrl: 'http://localhost:11434/v1', needsKey: false },
  vllm: { baseUrl: 'http://localhost:8000/v1', needsKey: false },
  lmstudio: { baseUrl: 'http://localhost:1234/v1', needsKey: false },
} as const satisfies Record<string, OpenAICompatiblePreset>;

export type PresetName = keyof typeof PRESETS;
export const OPENAI_COMPATIBLE_PRESETS: Readonly<Record<PresetName, OpenAICompatiblePreset>> = PRESETS;
export const PRESET_NAMES = Object.keys(PRESETS) as [PresetName, ...PresetName[]];
