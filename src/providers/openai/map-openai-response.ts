import { GatewayError } from '../../errors.js';
import type { FinishReason, UnifiedFinishReason, Usage } from '../types.js';
import type { OpenAIUsage } from './openai-api.js';

const FINISH_REASONS: Record<string, UnifiedFinishReason> = {
  stop: 'stop',
  length: 'length',
  tool_calls: 'tool_calls',
  function_call: 'tool_calls',
  content_filter: 'content_filter',
};

export function mapOpenAIFinishReason(raw: string | null | undefined): FinishReason {
  const value = raw ?? null;
  return { unified: (value !== null && FINISH_REASONS[value]) || 'other', raw: value };
}

export function mapOpenAIUsage(usage: OpenAIUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const mapped: Usage = {
    inputTokens: usage.prompt_tokens ?? 0,
    outputTokens: usage.completion_tokens ?? 0,
    cachedInputTokens: usage.prompt_tokens_details?.cached_tokens ?? 0,
  };
  // A reasoning model's count; read by hand (not through the schema) on the hot path, so checked here.
  const reasoning = usage.completion_tokens_details?.reasoning_tokens;
  if (typeof reasoning === 'number') mapped.reasoningTokens = reasoning;
  // Cache writes, as OpenRouter (and the gateway itself) counts them.
  const written = (usage.prompt_tokens_details as { cache_write_tokens?: unknown } | null | undefined)?.cache_write_tokens;
  if (typeof written === 'number' && written > 0) mapped.cacheWriteInputTokens = written;
  return mapped;
}

/** Parses an upstream body that must be JSON; a body that is not is the upstream's fault, not the client's. */
export function parseUpstreamJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw malformedUpstream(`The upstream sent a ${what} that is not valid JSON.`);
  }
}

export function malformedUpstream(message: string): GatewayError {
  return new GatewayError(message, { status: 502, code: 'malformed_upstream_response', shape: 'unknown_upstream_error' });
}
