/**
 * The canonical answer's reasoning as Anthropic content blocks: each of its `thinking_blocks` as
 * the provider signed it or, from a provider that gives its reasoning as text only
 * (`reasoning_content`: DeepSeek, vLLM, most OpenAI-compatible servers), one thinking block of
 * that text.
 *
 * A thinking block always carries a `signature`, as Anthropic's SDK types it (a client may read
 * it, or send it back, as a required field); an unsigned one carries an empty signature, which
 * the request converter reads back as none.
 */
import type { ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { JsonObject } from '../../providers/types.js';
import { answerThinkingBlocks } from '../read-canonical-answer.js';

/** The signature of a thinking block that no provider signed. */
export const NO_SIGNATURE = '';

/** One thinking block as an Anthropic content block. */
export function anthropicThinkingBlock(block: ThinkingBlock): JsonObject {
  if (block.type === 'redacted_thinking') return { type: 'redacted_thinking', data: block.data };
  return { type: 'thinking', thinking: block.thinking, signature: block.signature ?? NO_SIGNATURE };
}

/** The content blocks a whole answer's reasoning gives, in order: they go before its text and tool_use blocks. */
export function renderAnthropicThinking(message: Record<string, unknown>): JsonObject[] {
  const blocks = answerThinkingBlocks(message);
  if (blocks.length > 0) return blocks.map(anthropicThinkingBlock);
  const text = message.reasoning_content;
  return typeof text === 'string' && text !== '' ? [{ type: 'thinking', thinking: text, signature: NO_SIGNATURE }] : [];
}
