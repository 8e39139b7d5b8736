/**
 * What a deployment's model name says of the model: its generation (`gemini-2.5-flash` is 2.5,
 * `gemini-3-pro-preview` 3.0) and its tier. Vertex paths and `models/` names are read alike; an
 * alias (`gemini-flash-latest`) or a tuned model names no generation.
 */

export type GeminiTier = 'pro' | 'flash' | 'flash-lite';

export interface GeminiModel {
  /** `{ major: 2, minor: 5 }`; undefined when the name gives none. */
  version: { major: number; minor: number } | undefined;
  tier: GeminiTier | undefined;
  /** A Gemma model (served on the Gemini API too). */
  gemma: boolean;
}

const VERSION = /gemini-(\d+)(?:\.(\d+))?/i;
/** The tier right after `gemini-` and any version (so that `projects/` in a Vertex path is no `pro`). */
const TIER = /gemini-(?:\d+(?:\.\d+)?-)?(flash-lite|flash|pro)/i;
const GEMMA = /gemma-/i;

export function readGeminiModel(model: string): GeminiModel {
  const version = VERSION.exec(model);
  const tier = TIER.exec(model)?.[1]?.toLowerCase() as GeminiTier | undefined;
  return {
    version: version ? { major: Number(version[1]), minor: version[2] === undefined ? 0 : Number(version[2]) } : undefined,
    tier,
    gemma: GEMMA.test(model),
  };
}

/** Gemini 3 and later: thinking levels, and thought signatures checked on replayed function calls. */
export function isGemini3OrLater(model: GeminiModel): boolean {
  return model.version !== undefined && model.version.major >= 3;
}
