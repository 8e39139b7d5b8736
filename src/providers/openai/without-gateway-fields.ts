/**
 * Fields the gateway's own answers put on an assistant message, taken out before the message goes
 * to a server of OpenAI's format that may not know them. A client sends an answer back as the next
 * request's history, and that request may reach another provider than the one that answered.
 *
 * - `thinking_blocks` (signed Anthropic thinking, ../canonical/reasoning.ts) are the gateway's
 *   own: no server of OpenAI's format reads them, and OpenAI refuses a message with a property it
 *   does not define.
 * - `reasoning_content` is what DeepSeek, vLLM and others answer with, and DeepSeek wants it back
 *   in a tool loop; OpenAI and Azure define no such field, and some other servers refuse it. It is
 *   kept only for a provider that says it takes it (`openai-compatible`, whose servers use it).
 */
import type { JsonObject } from '../types.js';

/** The body with those fields taken out of its messages; the same object when no message has any. */
export function withoutGatewayFields(body: JsonObject, keepReasoningContent: boolean): JsonObject {
  const { messages } = body;
  if (!Array.isArray(messages)) return body;
  let out: unknown[] | undefined;
  for (let index = 0; index < messages.length; index++) {
    const message = messages[index] as JsonObject;
    const drops = message.thinking_blocks !== undefined || (!keepReasoningContent && message.reasoning_content !== undefined);
    if (!drops) continue;
    out ??= messages.slice();
    const { thinking_blocks: _blocks, reasoning_content: reasoning, ...rest } = message;
    out[index] = keepReasoningContent && reasoning !== undefined ? { ...rest, reasoning_content: reasoning } : rest;
  }
  return out === undefined ? body : { ...body, messages: out };
}
