/**
 * An Anthropic Messages request turned into the gateway's canonical body (OpenAI Chat Completions),
 * so it walks the same pipeline, whatever provider serves it.
 *
 * Decisions (each a place where the two APIs differ):
 * - `max_tokens` becomes `max_tokens` (not `max_completion_tokens`): every OpenAI-compatible server
 *   takes it; OpenAI's reasoning models want the other name and answer a clear 400 otherwise.
 * - `top_k` is dropped: OpenAI's API has no such parameter and rejects unknown ones, so passing it on
 *   would turn a sampling hint into a failed request on the most common upstream.
 * - `thinking` becomes the canonical reasoning under symbol keys that OpenAI-format upstreams never
 *   see (convert-anthropic-thinking.ts says why).
 * - An assistant turn's `thinking` and `redacted_thinking` blocks become its `thinking_blocks`, in
 *   order (an adapter to a provider that checks signatures sends the signed ones back), and the
 *   thinking text its `reasoning_content` (what OpenAI-compatible reasoning servers take back).
 * - `cache_control` marks are kept where the canonical body has room for them
 *   (../../providers/canonical/cache-marks.ts): on system and user text and image blocks (as
 *   content parts; a marked system prompt stays a list of parts), on a tool_result (its tool
 *   message), on a tool_use (its tool call), on an assistant text block (the assistant message),
 *   on a tool, and on the request. The body then carries CACHE_MARKS, so that an OpenAI-format
 *   upstream gets it without them, as before.
 * - `service_tier`, `container` and other fields with no canonical counterpart are ignored.
 * - Blocks with no canonical counterpart (documents, server-tool blocks, images inside a tool
 *   result) are a 400 naming the block: dropping them would change what the model sees.
 * - A user turn's tool_result blocks become `tool` messages placed before the rest of that turn,
 *   since OpenAI wants the tool answers right after the assistant turn that called the tools.
 */
import { invalidRequest } from '../../errors.js';
import { CACHE_MARKS, type CacheMarkedBody } from '../../providers/canonical/cache-marks.js';
import { giveThinking, thinkingBlockOf, type ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { ChatBody, JsonObject } from '../../providers/types.js';
import {
  countTokensRequestSchema,
  imageBlockSchema,
  messagesRequestSchema,
  redactedThinkingBlockSchema,
  textBlockSchema,
  thinkingBlockSchema,
  toolResultBlockSchema,
  toolUseBlockSchema,
  type AnthropicBlock,
  type AnthropicMessage,
  type AnthropicRequest,
  type AnthropicTool,
  type AnthropicToolChoice,
} from './anthropic-api.js';
import { invalidField, parseField } from '../parse-field.js';
import { convertAnthropicThinking } from './convert-anthropic-thinking.js';

type Path = (string | number)[];

/** What a tool_result's `is_error: true` adds in front of the result text, so the model still knows. */
export const TOOL_ERROR_PREFIX = 'Error: ';

/** The name OpenAI's json_schema response_format requires; Anthropic's output format has none. */
export const OUTPUT_SCHEMA_NAME = 'output';

export interface ConvertOptions {
  /** `POST /v1/messages` requires max_tokens, as Anthropic does; count_tokens does not. */
  requireMaxTokens: boolean;
}

export function convertFromAnthropicRequest(raw: unknown, options: ConvertOptions): ChatBody {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  const request: AnthropicRequest = options.requireMaxTokens ? parseField(messagesRequestSchema, raw, []) : parseField(countTokensRequestSchema, raw, []);
  const marks: Marks = { found: false };

  const messages: JsonObject[] = [];
  const system = systemContent(request.system, marks);
  if (system !== undefined) messages.push({ role: 'system', content: system });
  request.messages.forEach((message, index) => messages.push(...convertMessage(message, ['messages', index], marks)));

  const body: ChatBody & CacheMarkedBody = { model: request.model, messages };
  const requestMark = markOf(request, []);
  if (requestMark !== undefined) {
    body.cache_control = requestMark;
    marks.found = true;
  }
  if (request.max_tokens != null) body.max_tokens = request.max_tokens;
  if (request.stop_sequences != null && request.stop_sequences.length > 0) body.stop = request.stop_sequences;
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.metadata?.user_id != null) body.user = request.metadata.user_id;
  if (request.tools != null && request.tools.length > 0) body.tools = request.tools.map((tool, index) => convertTool(tool, ['tools', index], marks));
  if (request.tool_choice != null) Object.assign(body, convertToolChoice(request.tool_choice, body.tools !== undefined));
  const format = request.output_config?.format;
  if (format != null) body.response_format = { type: 'json_schema', json_schema: { name: OUTPUT_SCHEMA_NAME, schema: format.schema, strict: true } };
  Object.assign(body, convertAnthropicThinking(request));
  if (request.stream === true) {
    body.stream = true;
    // message_delta reports usage at the end of every stream: ask every upstream for it.
    body.stream_options = { include_usage: true };
  }
  if (marks.found) body[CACHE_MARKS] = true;
  return body;
}

/** Whether the request had any prompt-caching mark. */
interface Marks {
  found: boolean;
}

/** A block's (or tool's, or the request's) `cache_control`: an object, else a 400 naming it. */
function markOf(holder: object, at: Path): JsonObject | undefined {
  const mark = (holder as JsonObject).cache_control;
  if (mark == null) return undefined;
  if (typeof mark !== 'object' || Array.isArray(mark)) throw invalidField([...at, 'cache_control'], 'cache_control must be an object, such as {"type": "ephemeral"}.');
  return mark as JsonObject;
}

/** The system prompt: its text blocks joined by a blank line, or, when one is marked, the blocks as marked text parts. */
function systemContent(system: AnthropicRequest['system'], marks: Marks): string | JsonObject[] | undefined {
  if (system == null) return undefined;
  if (typeof system === 'string') return system === '' ? undefined : system;
  if (system.length === 0) return undefined;
  const parts = system.map((block, i) => {
    const part: JsonObject = { type: 'text', text: block.text };
    const mark = markOf(block, ['system', i]);
    if (mark !== undefined) part.cache_control = mark;
    return part;
  });
  if (!parts.some((part) => part.cache_control !== undefined)) return system.map((block) => block.text).join('\n\n');
  marks.found = true;
  return parts;
}

function convertMessage(message: AnthropicMessage, path: Path, marks: Marks): JsonObject[] {
  const blocks = typeof message.content === 'string' ? undefined : message.content;
  if (message.role === 'system') {
    return [{ role: 'system', content: blocks ? blocks.map((block, i) => parseField(textBlockSchema, block, [...path, 'content', i]).text).join('\n\n') : message.content }];
  }
  if (blocks === undefined) return [{ role: message.role, content: message.content }];
  return message.role === 'assistant' ? [convertAssistant(blocks, path, marks)] : convertUser(blocks, path, marks);
}

function convertAssistant(blocks: AnthropicBlock[], path: Path, marks: Marks): JsonObject {
  let text = '';
  const toolCalls: JsonObject[] = [];
  const thinking: ThinkingBlock[] = [];
  let textMark: JsonObject | undefined;
  blocks.forEach((block, i) => {
    const at = [...path, 'content', i];
    if (block.type === 'text') {
      text += parseField(textBlockSchema, block, at).text;
      textMark = markOf(block, at) ?? textMark;
    } else if (block.type === 'tool_use') {
      const call = parseField(toolUseBlockSchema, block, at);
      const toolCall: JsonObject = { id: call.id, type: 'function', function: { name: call.name, arguments: JSON.stringify(call.input) } };
      const mark = markOf(block, at);
      if (mark !== undefined) {
        toolCall.cache_control = mark;
        marks.found = true;
      }
      toolCalls.push(toolCall);
    } else if (block.type === 'thinking') {
      const { thinking: said, signature } = parseField(thinkingBlockSchema, block, at);
      // The empty signature the gateway answers for reasoning no provider signed is no signature: no provider would take it back.
      thinking.push(thinkingBlockOf(said, signature || undefined));
    } else if (block.type === 'redacted_thinking') {
      thinking.push({ type: 'redacted_thinking', data: parseField(redactedThinkingBlockSchema, block, at).data });
    } else throw untranslatable(block, at, 'assistant');
  });
  const message: JsonObject = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (thinking.length > 0) giveThinking(message, thinking);
  // The text is one string: a mark on any of its blocks marks the message (up to its last block).
  if (textMark !== undefined) {
    message.cache_control = textMark;
    marks.found = true;
  }
  return message;
}

function convertUser(blocks: AnthropicBlock[], path: Path, marks: Marks): JsonObject[] {
  if (blocks.length === 0) throw invalidField([...path, 'content'], 'A user message needs at least one content block.');
  const toolMessages: JsonObject[] = [];
  const parts: JsonObject[] = [];
  blocks.forEach((block, i) => {
    const at = [...path, 'content', i];
    if (block.type === 'tool_result') toolMessages.push(convertToolResult(block, at, marks));
    else parts.push(userPart(block, at, marks));
  });
  if (parts.length === 0) return toolMessages;
  const only = parts[0];
  const content = parts.length === 1 && only?.type === 'text' && only.cache_control === undefined ? only.text : parts;
  return [...toolMessages, { role: 'user', content }];
}

function userPart(block: AnthropicBlock, at: Path, marks: Marks): JsonObject {
  let part: JsonObject;
  if (block.type === 'text') part = { type: 'text', text: parseField(textBlockSchema, block, at).text };
  else if (block.type === 'image') {
    const { source } = parseField(imageBlockSchema, block, at);
    const url = source.type === 'base64' ? `data:${source.media_type};base64,${source.data}` : source.url;
    part = { type: 'image_url', image_url: { url } };
  } else throw untranslatable(block, at, 'user');
  const mark = markOf(block, at);
  if (mark !== undefined) {
    part.cache_control = mark;
    marks.found = true;
  }
  return part;
}

function convertToolResult(block: AnthropicBlock, at: Path, marks: Marks): JsonObject {
  const result = parseField(toolResultBlockSchema, block, at);
  let text = '';
  if (typeof result.content === 'string') text = result.content;
  else if (result.content !== undefined) {
    text = result.content
      .map((part, i) => {
        const partAt = [...at, 'content', i];
        if (part.type === 'text') return parseField(textBlockSchema, part, partAt).text;
        // OpenAI's tool messages carry text only: an image there has nowhere to go.
        throw invalidField(partAt, `A tool_result with a "${part.type}" block cannot be passed to other providers; tool results may carry text blocks only.`, 'unsupported_content');
      })
      .join('\n');
  }
  const message: JsonObject = { role: 'tool', tool_call_id: result.tool_use_id, content: result.is_error === true ? `${TOOL_ERROR_PREFIX}${text}` : text };
  const mark = markOf(block, at);
  if (mark !== undefined) {
    message.cache_control = mark;
    marks.found = true;
  }
  return message;
}

function untranslatable(block: AnthropicBlock, at: Path, role: 'user' | 'assistant'): Error {
  const allowed = role === 'user' ? 'text, image and tool_result' : 'text, tool_use, thinking and redacted_thinking';
  return invalidField(at, `Content blocks of type "${block.type}" cannot be passed to other providers by this gateway; ${role} messages may carry ${allowed} blocks.`, 'unsupported_content');
}

function convertTool(tool: AnthropicTool, at: Path, marks: Marks): JsonObject {
  if (tool.type != null && tool.type !== 'custom') {
    throw invalidField([...at, 'type'], `"${tool.type}" is one of Anthropic's server tools, which other providers cannot run; declare client tools with name, description and input_schema.`, 'unsupported_tool');
  }
  if (tool.input_schema === undefined) throw invalidField([...at, 'input_schema'], 'Field required');
  const fn: JsonObject = { name: tool.name, parameters: tool.input_schema };
  if (tool.description != null) fn.description = tool.description;
  const out: JsonObject = { type: 'function', function: fn };
  const mark = markOf(tool, at);
  if (mark !== undefined) {
    out.cache_control = mark;
    marks.found = true;
  }
  return out;
}

function convertToolChoice(choice: AnthropicToolChoice, hasTools: boolean): JsonObject {
  const out: JsonObject = {};
  if (choice.type === 'none') out.tool_choice = 'none';
  else if (choice.type === 'auto') out.tool_choice = 'auto';
  else if (choice.type === 'any') out.tool_choice = 'required';
  else out.tool_choice = { type: 'function', function: { name: choice.name } };
  // OpenAI refuses tool_choice (and parallel_tool_calls) without tools; Anthropic accepts it.
  if (!hasTools) return {};
  if (choice.type !== 'none' && choice.disable_parallel_tool_use === true) out.parallel_tool_calls = false;
  return out;
}
