/** An Anthropic message (non-streaming) read into the canonical completion, and the pieces the stream shares. */
import { completionJson, type CanonicalToolCall } from '../canonical/canonical-answer.js';
import { reasoningTextOf, thinkingBlockOf, type ThinkingBlock } from '../canonical/reasoning.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { ChatResult, FinishReason, UnifiedFinishReason, Usage } from '../types.js';
import { readAnthropicMessage, type AnthropicUsage } from './anthropic-api.js';

const FINISH_REASONS: Record<string, UnifiedFinishReason> = {
  end_turn: 'stop',
  stop_sequence: 'stop',
  max_tokens: 'length',
  // The answer stopped because the context window filled up: to a client, the same as running out of tokens.
  model_context_window_exceeded: 'length',
  tool_use: 'tool_calls',
  refusal: 'content_filter',
};

export interface AnthropicAnswerOptions {
  /** The tool whose input is the answer's content (a json_object request); see convert-to-anthropic-request.ts. */
  jsonTool: string | undefined;
}

/**
 * `stop_reason` as a finish reason; unknown values (`pause_turn`, future ones) are `other`. A stop
 * that only called the JSON tool is a plain `stop` to the client, who asked for JSON, not tools.
 */
export function mapAnthropicFinishReason(raw: string | null | undefined, options: { answeredThroughJsonTool: boolean }): FinishReason {
  const value = raw ?? null;
  if (value === 'tool_use' && options.answeredThroughJsonTool) return { unified: 'stop', raw: value };
  return { unified: (value !== null && FINISH_REASONS[value]) || 'other', raw: value };
}

/** Anthropic counts cache reads and writes apart from `input_tokens`; the gateway counts all input together. Writes to the 1-hour cache are priced apart. */
export function mapAnthropicUsage(usage: AnthropicUsage | null | undefined): Usage | undefined {
  if (!usage) return undefined;
  const cacheRead = usage.cache_read_input_tokens ?? 0;
  const cacheWrite = usage.cache_creation_input_tokens ?? 0;
  const mapped: Usage = { inputTokens: (usage.input_tokens ?? 0) + cacheWrite + cacheRead, outputTokens: usage.output_tokens ?? 0, cachedInputTokens: cacheRead };
  if (cacheWrite > 0) mapped.cacheWriteInputTokens = cacheWrite;
  const longLived = usage.cache_creation?.ephemeral_1h_input_tokens ?? 0;
  if (longLived > 0 && cacheWrite > 0) mapped.cacheWrite1hInputTokens = Math.min(longLived, cacheWrite);
  return mapped;
}

export function mapAnthropicResponse(text: string, options: AnthropicAnswerOptions): ChatResult {
  const message = readAnthropicMessage(parseUpstreamJson(text, 'message'));
  if (!message) throw malformedUpstream('The upstream sent a message without id, model or content.');
  let content: string | null = null;
  let answeredThroughJsonTool = false;
  const toolCalls: CanonicalToolCall[] = [];
  const thinkingBlocks: ThinkingBlock[] = [];
  for (const block of message.content) {
    if (block.type === 'text' && block.text !== undefined) {
      content = (content ?? '') + block.text;
    } else if (block.type === 'tool_use' && block.name !== undefined) {
      const input = JSON.stringify(block.input ?? {});
      if (block.name === options.jsonTool) {
        answeredThroughJsonTool = true;
        content = (content ?? '') + input;
      } else {
        toolCalls.push({ id: block.id ?? '', name: block.name, arguments: input });
      }
    } else if (block.type === 'thinking' && block.thinking !== undefined) {
      thinkingBlocks.push(thinkingBlockOf(block.thinking, block.signature));
    } else if (block.type === 'redacted_thinking' && block.data !== undefined) {
      thinkingBlocks.push({ type: 'redacted_thinking', data: block.data });
    }
    // Server-tool blocks (web search and the like) have no place in a chat completion.
  }
  const finishReason = mapAnthropicFinishReason(message.stop_reason, { answeredThroughJsonTool: answeredThroughJsonTool && toolCalls.length === 0 });
  const usage = mapAnthropicUsage(message.usage);
  const completion = completionJson({ id: message.id, model: message.model, content, toolCalls, finishReason, usage, reasoning: reasoningTextOf(thinkingBlocks), thinkingBlocks });
  return { text: JSON.stringify(completion), id: message.id, responseModel: message.model, finishReasons: [finishReason], usage };
}
