/** A Converse answer (body and headers) read into the canonical completion and what the gateway reads of it. */
import { completionJson, syntheticId, type CanonicalToolCall } from '../canonical/canonical-answer.js';
import { reasoningTextOf, thinkingBlockOf, type ThinkingBlock } from '../canonical/reasoning.js';
import type { ChatResult, FinishReason, UnifiedFinishReason, Usage } from '../types.js';
import type { BedrockUsage, ConverseResponse } from './bedrock-api.js';

const STOP_REASONS: Record<string, UnifiedFinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  // The model ran out of context window while answering: a truncated answer, as OpenAI's `length` says.
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  guardrail_intervened: 'content_filter',
  content_filtered: 'content_filter',
};

/** Bedrock's `stopReason`, normalised with the raw value kept. `answeredAsJson`: a json_object answer given through the JSON tool reads as a plain stop. */
export function mapBedrockStopReason(raw: string | null | undefined, options: { answeredAsJson?: boolean } = {}): FinishReason {
  const value = raw ?? null;
  if (options.answeredAsJson && value === 'tool_use') return { unified: 'stop', raw: value };
  return { unified: (value !== null && STOP_REASONS[value]) || 'other', raw: value };
}

/**
 * Bedrock counts cache reads and writes apart from `inputTokens`; the canonical usage counts them
 * inside the input tokens, as OpenAI's `prompt_tokens` does, with the cache reads also given apart.
 * Writes with a one-hour ttl (`cacheDetails`) are priced apart.
 */
export function mapBedrockUsage(usage: BedrockUsage | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cacheRead = usage.cacheReadInputTokens ?? 0;
  const cacheWrite = usage.cacheWriteInputTokens ?? 0;
  const mapped: Usage = { inputTokens: (usage.inputTokens ?? 0) + cacheRead + cacheWrite, outputTokens: usage.outputTokens ?? 0, cachedInputTokens: cacheRead };
  if (cacheWrite > 0) mapped.cacheWriteInputTokens = cacheWrite;
  const longLived = usage.cacheDetails?.find((detail) => detail.ttl === '1h')?.inputTokens ?? 0;
  if (longLived > 0 && cacheWrite > 0) mapped.cacheWrite1hInputTokens = Math.min(longLived, cacheWrite);
  return mapped;
}

/** Bedrock's request id: Converse bodies carry no id, so this is the answer's id. */
export function requestIdOf(headers: Record<string, string | string[] | undefined>): string {
  const value = headers['x-amzn-requestid'];
  const id = Array.isArray(value) ? value[0] : value;
  return id && id !== '' ? id : syntheticId();
}

export function mapBedrockResponse(response: ConverseResponse, options: { id: string; model: string; jsonTool: string | undefined }): ChatResult {
  let text = '';
  let hasText = false;
  const toolCalls: CanonicalToolCall[] = [];
  let answeredAsJson = false;
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of response.output.message?.content ?? []) {
    if (block.text !== undefined) {
      text += block.text;
      hasText = true;
    } else if (block.toolUse) {
      const input = JSON.stringify(block.toolUse.input ?? {});
      if (options.jsonTool !== undefined && block.toolUse.name === options.jsonTool) {
        // The json_object emulation: the tool's input is the answer.
        text += input;
        hasText = true;
        answeredAsJson = true;
      } else {
        toolCalls.push({ id: block.toolUse.toolUseId, name: block.toolUse.name, arguments: input });
      }
    } else if (block.reasoningContent?.reasoningText) {
      const { text: thought, signature } = block.reasoningContent.reasoningText;
      thinkingBlocks.push(thinkingBlockOf(thought, signature));
    } else if (block.reasoningContent?.redactedContent !== undefined) {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.reasoningContent.redactedContent });
    }
    // Other blocks (citations, images) have no place in a Chat Completions message.
  }
  const finishReason = mapBedrockStopReason(response.stopReason, { answeredAsJson: answeredAsJson && toolCalls.length === 0 });
  const usage = mapBedrockUsage(response.usage);
  const completion = completionJson({ id: options.id, model: options.model, content: hasText ? text : null, toolCalls, finishReason, usage, reasoning: reasoningTextOf(thinkingBlocks), thinkingBlocks });
  return { text: JSON.stringify(completion), id: options.id, responseModel: options.model, finishReasons: [finishReason], usage };
}
