/**
 * Fields that a server of OpenAI's format may not know, taken out before a request goes to one
 * that does not take them (OpenAI and Azure refuse a property they do not define).
 *
 * - `thinking_blocks` (signed Anthropic thinking, ../canonical/reasoning.ts) are the gateway's
 *   own, on an assistant message a client sends back as history (that request may reach another
 *   provider than the one that answered): no server of OpenAI's format reads them.
 * - `reasoning_content` is what DeepSeek, vLLM and others answer with, and DeepSeek wants it back
 *   in a tool loop; OpenAI and Azure define no such field, and some other servers refuse it. It is
 *   kept only for a provider that says it takes it (`openai-compatible`, whose servers use it).
 * - Prompt-caching marks (`cache_control`, ../canonical/cache-marks.ts) a client wrote for
 *   Anthropic, on the request, a message, a content part, a tool call or a tool: a route whose
 *   chain goes from Claude to OpenAI must not fail on them at the OpenAI hop. They are kept for a
 *   provider that says it takes them (`openai-compatible`: OpenRouter reads them, other servers
 *   ignore them).
 */
import { unmarked } from '../canonical/cache-marks.js';
import type { JsonObject } from '../types.js';

export interface GatewayFieldOptions {
  keepReasoningContent: boolean;
  keepCacheMarks: boolean;
}

/** The body with those fields taken out; the same object when it has none. */
export function withoutGatewayFields(body: JsonObject, options: GatewayFieldOptions): JsonObject {
  const { messages } = body;
  let out: JsonObject | undefined;
  if (!options.keepCacheMarks) {
    if (body.cache_control !== undefined) out = unmarked(body);
    const tools = unmarkedList(body.tools);
    if (tools !== undefined) (out ??= { ...body }).tools = tools;
  }
  if (Array.isArray(messages)) {
    let outMessages: unknown[] | undefined;
    for (let index = 0; index < messages.length; index++) {
      const message = messages[index] as JsonObject;
      const cleaned = cleanMessage(message, options);
      if (cleaned === message) continue;
      outMessages ??= messages.slice();
      outMessages[index] = cleaned;
    }
    if (outMessages !== undefined) (out ??= { ...body }).messages = outMessages;
  }
  return out ?? body;
}

/** A message without the fields its provider does not take; the same object when it has none. */
function cleanMessage(message: JsonObject, options: GatewayFieldOptions): JsonObject {
  const dropsReasoning = message.thinking_blocks !== undefined || (!options.keepReasoningContent && message.reasoning_content !== undefined);
  let content: unknown[] | undefined;
  let calls: unknown[] | undefined;
  let dropsMark = false;
  if (!options.keepCacheMarks) {
    dropsMark = message.cache_control !== undefined;
    content = unmarkedList(message.content);
    calls = unmarkedList(message.tool_calls);
  }
  if (!dropsReasoning && !dropsMark && content === undefined && calls === undefined) return message;
  const { thinking_blocks: _blocks, reasoning_content: reasoning, cache_control: mark, ...rest } = message;
  if (options.keepReasoningContent && reasoning !== undefined) rest.reasoning_content = reasoning;
  if (options.keepCacheMarks && mark !== undefined) rest.cache_control = mark;
  if (content !== undefined) rest.content = content;
  if (calls !== undefined) rest.tool_calls = calls;
  return rest;
}

/** A list (content parts, tool calls, tools) without its items' marks; undefined when none has one. */
function unmarkedList(list: unknown): unknown[] | undefined {
  if (!Array.isArray(list)) return undefined;
  let out: unknown[] | undefined;
  for (let index = 0; index < list.length; index++) {
    const item = list[index] as JsonObject | null;
    if (typeof item !== 'object' || item === null || item.cache_control === undefined) continue;
    out ??= list.slice();
    out[index] = unmarked(item);
  }
  return out;
}
