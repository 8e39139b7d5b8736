/**
 * The `encrypted_content` of the gateway's reasoning items: the canonical answer's thinking blocks
 * (../../providers/canonical/reasoning.ts), so that a client that sends the item back, as a
 * stateless Responses client does (`store: false`, the earlier output replayed as input), gives
 * them back to the assistant turn they came with, and Anthropic or Claude on Bedrock get their
 * signed blocks again in a tool loop.
 *
 * Encoded, not encrypted: base64 of the blocks' JSON behind a prefix that marks it as the
 * gateway's. It holds nothing the client is not shown elsewhere (the thinking text, and the
 * signatures /v1/chat/completions and /v1/messages hand out as they are; redacted blocks are the
 * provider's own ciphertext); a block the client altered is the provider's to refuse, as its
 * signature no longer matches. The prefix has characters base64 never uses, so another server's
 * encrypted reasoning (OpenAI's is base64) is never taken for the gateway's.
 */
import { readThinkingBlocks, type ThinkingBlock } from '../../providers/canonical/reasoning.js';
import { invalidField } from '../parse-field.js';

/** What every encrypted_content the gateway makes starts with (the version is that of the format). */
export const REASONING_ENVELOPE_PREFIX = 'switchyard.reasoning.v1:';

export function encodeReasoning(blocks: readonly ThinkingBlock[]): string {
  return REASONING_ENVELOPE_PREFIX + Buffer.from(JSON.stringify(blocks)).toString('base64');
}

/**
 * The thinking blocks of an encrypted_content the gateway made; undefined for anyone else's. One
 * with the gateway's prefix that does not read back is the client's 400, naming `path`.
 */
export function decodeReasoning(encrypted: string, path: readonly (string | number)[]): ThinkingBlock[] | undefined {
  if (!encrypted.startsWith(REASONING_ENVELOPE_PREFIX)) return undefined;
  try {
    const blocks: unknown = JSON.parse(Buffer.from(encrypted.slice(REASONING_ENVELOPE_PREFIX.length), 'base64').toString('utf8'));
    return readThinkingBlocks({ thinking_blocks: blocks }, 'encrypted_content');
  } catch {
    throw invalidField(path, 'this reasoning was not made by this gateway as sent: send the reasoning item back unchanged.');
  }
}
