/**
 * Prompt-caching marks on a canonical request: where a provider that caches only what it is told
 * to (Anthropic, Claude and Nova on Bedrock) should cache the prompt up to. Each mark is
 * Anthropic's `cache_control` object (`{type: "ephemeral"}`, with a `ttl` of `5m` or `1h`), and
 * sits where the common OpenAI-format conventions put it (LiteLLM's, OpenRouter's, OpenCode's):
 *
 * - on a content part: `{type: "text", text, cache_control}`;
 * - on a message: the prompt up to the message's last block (OpenCode marks whole messages);
 * - on a tool call (`tool_calls[i].cache_control`) and on a tool (`tools[i].cache_control`);
 * - on the request (`cache_control`): Anthropic's automatic caching, which marks the last block
 *   it can cache.
 *
 * A Messages request (`POST /v1/messages`) keeps its marks so, and says so with CACHE_MARKS (a
 * symbol key, never serialised). OpenAI and the other servers of its format cache by themselves
 * and define no such field (OpenAI refuses a property it does not define), so an OpenAI-format
 * upstream gets such a body without them, as it got it before marks were kept. A Chat Completions
 * client's own marks go to an `openai-compatible` upstream as the client sent them (OpenRouter
 * reads them) and to no `openai` or `azure` one (../openai/without-gateway-fields.ts).
 * Gemini and Cohere have no marks and ignore them. Adapters read a mark with cacheMarkOf
 * (request-parts.ts).
 */
import type { JsonObject } from '../types.js';

/** On a canonical body whose marks came from a Messages request: an OpenAI-format upstream gets it without them. */
export const CACHE_MARKS: unique symbol = Symbol('switchyard.cacheMarks');

export type CacheMarkedBody = JsonObject & { [CACHE_MARKS]?: true };

/**
 * The body as an OpenAI-format upstream takes it: without the marks a Messages request brought,
 * its system prompt one text again (the text blocks joined by a blank line, as before marks were
 * kept), a one-part user message plain text; the same object when it brought none.
 */
export function withoutCacheMarks(body: CacheMarkedBody): JsonObject {
  if (body[CACHE_MARKS] !== true) return body;
  const { cache_control: _request, ...out } = body;
  if (Array.isArray(body.messages)) out.messages = (body.messages as JsonObject[]).map(unmarkedMessage);
  if (Array.isArray(body.tools)) out.tools = (body.tools as JsonObject[]).map((tool) => unmarked(tool));
  return out;
}

function unmarkedMessage(message: JsonObject): JsonObject {
  const out = unmarked(message);
  if (Array.isArray(message.tool_calls)) out.tool_calls = (message.tool_calls as JsonObject[]).map((call) => unmarked(call));
  if (!Array.isArray(message.content)) return out;
  const parts = (message.content as JsonObject[]).map((part) => unmarked(part));
  const allText = parts.every((part) => part.type === 'text');
  if (allText && message.role === 'system') out.content = parts.map((part) => part.text).join('\n\n');
  else if (allText && parts.length === 1) out.content = parts[0]?.text;
  else out.content = parts;
  return out;
}

/** The object without its `cache_control`; the same object when it has none. */
export function unmarked(holder: JsonObject): JsonObject {
  if (holder.cache_control === undefined) return holder;
  const { cache_control: _mark, ...rest } = holder;
  return rest;
}
