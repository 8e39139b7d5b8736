/**
 * A Cohere v2 chat answer read into the canonical one. Cohere's answer has no model name (the
 * deployment's stands in) and two token counts: `tokens` (what the model processed, template
 * included) is used, since cached tokens are a part of it; `billed_units` only when it is missing.
 */
import { GatewayError } from '../../errors.js';
import { completionJson } from '../canonical/canonical-answer.js';
import { THINKING_SEPARATOR } from '../canonical/reasoning.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { ChatResult, FinishReason, UnifiedFinishReason, Usage } from '../types.js';
import { cohereChatResponseSchema, type CohereUsage } from './cohere-api.js';

const FINISH_REASONS: Record<string, UnifiedFinishReason> = {
  COMPLETE: 'stop',
  STOP_SEQUENCE: 'stop',
  MAX_TOKENS: 'length',
  TOOL_CALL: 'tool_calls',
  /** v1's name for a reply stopped by Cohere's toxicity filter; kept in case v2 models still send it. */
  ERROR_TOXIC: 'content_filter',
  /** v1: the model's context limit cut the reply short. */
  ERROR_LIMIT: 'length',
};

export function mapCohereFinishReason(raw: string | null | undefined): FinishReason {
  const value = raw ?? null;
  return { unified: (value !== null && FINISH_REASONS[value.toUpperCase()]) || 'other', raw: value };
}

export function mapCohereUsage(usage: CohereUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const counts = usage.tokens ?? usage.billed_units;
  return { inputTokens: counts?.input_tokens ?? 0, outputTokens: counts?.output_tokens ?? 0, cachedInputTokens: usage.cached_tokens ?? 0 };
}

/**
 * The failure an empty answer stands for: a reply Cohere's filter stopped before it said anything
 * (a guardrail block), or one whose generation failed (`ERROR`). Undefined for a usable answer.
 */
export function emptyAnswerFailure(finish: FinishReason, hasContent: boolean, detail?: string | null): GatewayError | undefined {
  if (hasContent) return undefined;
  if (finish.unified === 'content_filter') {
    return new GatewayError(`Cohere stopped the answer before any content (finish_reason ${finish.raw}).`, { status: 400, code: 'content_filter', shape: 'guardrail_block' });
  }
  if (finish.raw?.toUpperCase() === 'ERROR') {
    return new GatewayError(detail ? `Cohere's generation failed: ${detail}` : "Cohere's generation failed (finish_reason ERROR).", { status: 502, code: 'generation_error', shape: 'upstream_5xx' });
  }
  return undefined;
}

export function mapCohereResponse(text: string, model: string): ChatResult {
  const parsed = cohereChatResponseSchema.safeParse(parseUpstreamJson(text, 'response'));
  if (!parsed.success) throw malformedUpstream('The upstream sent a chat response without id or message.');
  const response = parsed.data;
  const parts = response.message.content ?? [];
  const content = parts.map((part) => (part.type === 'text' ? (part.text ?? '') : '')).join('');
  // A reasoning model's thinking comes in its own content blocks, before the text.
  const thinking = parts.filter((part) => part.type === 'thinking' && typeof part.thinking === 'string').map((part) => part.thinking as string);
  const toolCalls = (response.message.tool_calls ?? []).map((call, index) => ({
    id: call.id ?? `call_${response.id}_${index}`,
    name: call.function?.name ?? '',
    arguments: call.function?.arguments ?? '{}',
  }));
  const finishReason = mapCohereFinishReason(response.finish_reason);
  const failure = emptyAnswerFailure(finishReason, content !== '' || toolCalls.length > 0);
  if (failure) throw failure;
  const usage = mapCohereUsage(response.usage);
  const reasoning = thinking.length > 0 ? thinking.join(THINKING_SEPARATOR) : undefined;
  const completion = completionJson({ id: response.id, model, content: content === '' && toolCalls.length > 0 ? null : content, toolCalls, finishReason, usage, reasoning });
  return { text: JSON.stringify(completion), id: response.id, responseModel: model, finishReasons: [finishReason], usage };
}
