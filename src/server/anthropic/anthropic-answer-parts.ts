/**
 * The pieces an Anthropic message and its stream share: ids, stop_reason, and usage, read from the
 * canonical answer.
 */
import { randomBytes } from 'node:crypto';
import type { FinishReason, JsonObject, UnifiedFinishReason, Usage } from '../../providers/types.js';
import { idSuffixOf } from '../read-canonical-answer.js';

/**
 * Anthropic's own stop_reason values that may stand for each unified reason. A raw value among them
 * (the provider was Anthropic, or spoke its words) is kept, so `stop_sequence` or `pause_turn` reach
 * the client; a raw value that disagrees with the unified one (an adapter that answered a JSON
 * request through a tool reports `tool_use` as a plain stop) is not.
 */
const KEPT_RAW: Record<UnifiedFinishReason, ReadonlySet<string>> = {
  stop: new Set(['end_turn', 'stop_sequence']),
  length: new Set(['max_tokens', 'model_context_window_exceeded']),
  tool_calls: new Set(['tool_use']),
  content_filter: new Set(['refusal']),
  other: new Set(['pause_turn', 'model_context_window_exceeded']),
};

/**
 * The stop_reason for a unified finish reason. `other` has no Anthropic word: it becomes null (the
 * SDK types allow it) rather than a made-up `end_turn` that would tell the client all went well.
 */
const STOP_REASON_OF: Record<UnifiedFinishReason, string | null> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  content_filter: 'refusal',
  other: null,
};

export function anthropicStopReason(reason: FinishReason | undefined): string | null {
  if (reason === undefined) return null;
  if (reason.raw !== null && KEPT_RAW[reason.unified].has(reason.raw)) return reason.raw;
  return STOP_REASON_OF[reason.unified];
}

/**
 * Usage in Anthropic's terms. Anthropic counts cache reads and writes apart from input_tokens,
 * where the canonical usage (OpenAI's) counts them inside it; writes are 0 where the serving
 * provider counted none, and 5-minute ones where it did not say which cache they went to
 * (`cache_creation`, null where no usage is known).
 */
export function anthropicUsage(usage: Usage | undefined): JsonObject {
  const cached = usage?.cachedInputTokens ?? 0;
  const written = usage?.cacheWriteInputTokens ?? 0;
  const longLived = Math.min(usage?.cacheWrite1hInputTokens ?? 0, written);
  return {
    input_tokens: Math.max(0, (usage?.inputTokens ?? 0) - cached - written),
    output_tokens: usage?.outputTokens ?? 0,
    cache_creation_input_tokens: written,
    cache_read_input_tokens: cached,
    // Not known yet in a stream's message_start: null, since clients (the SDK among them) keep message_start's object.
    cache_creation: usage === undefined ? null : { ephemeral_5m_input_tokens: written - longLived, ephemeral_1h_input_tokens: longLived },
  };
}

/** A `msg_...` id derived from the canonical one (kept as is when it already is one). */
export function anthropicMessageId(canonicalId: string | null | undefined): string {
  if (canonicalId?.startsWith('msg_')) return canonicalId;
  return `msg_${idSuffixOf(canonicalId)}`;
}

/** The tool call's own id, which the client sends back as tool_use_id; made up only when the upstream gave none. */
export function toolUseId(canonicalId: string | null | undefined): string {
  return canonicalId ? canonicalId : `toolu_${randomBytes(12).toString('hex')}`;
}
