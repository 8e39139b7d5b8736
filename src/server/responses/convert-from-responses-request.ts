/**
 * An OpenAI Responses request (`POST /v1/responses`) turned into the gateway's canonical body (Chat
 * Completions), so it walks the same pipeline, whatever provider serves it.
 *
 * The gateway keeps no conversation state: `previous_response_id`, `conversation`, `background` and
 * stored `prompt` templates are a 400 (the client sends the whole conversation in `input`, as with
 * `store: false`), and `store` is ignored.
 * Decisions where the two APIs differ:
 * - `instructions` and `developer` messages become `system` messages: every provider takes those.
 * - `max_output_tokens` becomes `max_tokens` (as on /v1/messages), `reasoning.effort` becomes
 *   `reasoning_effort`, `text.format` becomes `response_format`.
 * - Consecutive `function_call` items become one assistant message's `tool_calls` (joined to the
 *   assistant text just before them), and a `function_call_output` a `tool` message.
 * - A `reasoning` item the gateway answered gives its thinking back to the assistant turn after it;
 *   anyone else's is skipped (convert-reasoning-item.ts).
 * - Built-in tools (web search, file search, code interpreter...), file inputs and input item types
 *   with no canonical counterpart are a 400 naming the item: dropping them would change what the
 *   model sees.
 */
import { z } from 'zod';
import { invalidRequest } from '../../errors.js';
import type { ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { ChatBody, JsonObject } from '../../providers/types.js';
import { isJsonObject } from '../../providers/read-payload.js';
import { failFastList, invalidField, isString, isTyped, parseField } from '../parse-field.js';
import { attachReasoning, readReasoningItem } from './convert-reasoning-item.js';

const textPartSchema = z.looseObject({ type: z.enum(['input_text', 'output_text']), text: z.string() });
const imagePartSchema = z.looseObject({ type: z.literal('input_image'), image_url: z.string().min(1), detail: z.enum(['low', 'high', 'auto']).nullish() });

/** Parts, items and tools before their type is known (each is checked by its type later); a long list of bad ones fails at its first (failFastList). */
const typedList = () => failFastList(z.array(z.looseObject({ type: z.string() })), isTyped);

const messageItemSchema = z.looseObject({
  type: z.literal('message').optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']),
  content: z.union([z.string(), typedList()]),
});
const functionCallItemSchema = z.looseObject({ type: z.literal('function_call'), call_id: z.string().min(1), name: z.string().min(1), arguments: z.string() });
const functionCallOutputItemSchema = z.looseObject({
  type: z.literal('function_call_output'),
  call_id: z.string().min(1),
  output: z.union([z.string(), typedList()]),
});

const functionToolSchema = z.looseObject({
  type: z.literal('function'),
  name: z.string().min(1),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});

const formatSchema = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('text') }),
  z.looseObject({ type: z.literal('json_object') }),
  z.looseObject({ type: z.literal('json_schema'), name: z.string().min(1), schema: z.record(z.string(), z.unknown()), description: z.string().nullish(), strict: z.boolean().nullish() }),
]);

/** A summary of the reasoning, as OpenAI names its kinds (responses-reasoning-item.ts says what the gateway gives). */
const summarySchema = z.enum(['auto', 'concise', 'detailed']);

export const responsesRequestSchema = z.looseObject({
  model: z.string().min(1),
  input: z.union([z.string(), failFastList(z.array(z.looseObject({})), isJsonObject)]),
  instructions: z.string().nullish(),
  tools: typedList().nullish(),
  tool_choice: z.union([z.enum(['auto', 'none', 'required']), z.looseObject({ type: z.literal('function'), name: z.string().min(1) })]).nullish(),
  temperature: z.number().min(0).max(2).nullish(),
  top_p: z.number().min(0).max(1).nullish(),
  max_output_tokens: z.int().positive().nullish(),
  parallel_tool_calls: z.boolean().nullish(),
  stream: z.boolean().nullish(),
  text: z.looseObject({ format: formatSchema.nullish() }).nullish(),
  reasoning: z.looseObject({ effort: z.string().nullish(), summary: summarySchema.nullish(), generate_summary: summarySchema.nullish() }).nullish(),
  user: z.string().nullish(),
  previous_response_id: z.string().nullish(),
  conversation: z.unknown().optional(),
  background: z.boolean().nullish(),
  prompt: z.unknown().optional(),
  top_logprobs: z.int().min(0).max(20).nullish(),
  include: failFastList(z.array(z.string()), isString).nullish(),
});

export type ResponsesRequest = z.infer<typeof responsesRequestSchema>;

/** What `include` names to ask for the output text's log probabilities. */
const LOGPROBS_INCLUDE = 'message.output_text.logprobs';
type Path = (string | number)[];

/** The canonical body, and the request as read (its echoed fields go back in the response object). */
export function convertFromResponsesRequest(raw: unknown): { body: ChatBody; request: ResponsesRequest } {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  const request = parseField(responsesRequestSchema, raw, []);
  if (request.previous_response_id != null) throw unsupported('previous_response_id', 'this gateway keeps no responses: send the whole conversation in `input`.');
  if (request.conversation != null) throw unsupported('conversation', 'this gateway keeps no conversations: send the whole conversation in `input`.');
  if (request.background === true) throw unsupported('background', 'this gateway answers in the foreground and keeps no responses to poll: leave background out (or stream).');
  if (request.prompt != null) throw unsupported('prompt', 'stored prompt templates live on OpenAI, not here: send the instructions and input themselves.');
  // Asked for and dropped, they would be missing from the answer without a sign.
  const logprobsWhy = 'this gateway gives no token log probabilities on the Responses API: ask /v1/chat/completions with logprobs.';
  if (request.include?.includes(LOGPROBS_INCLUDE)) throw unsupported('include', logprobsWhy);
  if ((request.top_logprobs ?? 0) > 0) throw unsupported('top_logprobs', logprobsWhy);

  const messages: JsonObject[] = [];
  if (request.instructions) messages.push({ role: 'system', content: request.instructions });
  if (typeof request.input === 'string') messages.push({ role: 'user', content: request.input });
  else {
    // The thinking of reasoning items read, waiting for the assistant turn they belong to.
    const reasoning: ThinkingBlock[] = [];
    request.input.forEach((item, index) => addItem(messages, reasoning, item, ['input', index]));
  }
  if (messages.length === 0) throw invalidField(['input'], 'give at least one input item.');

  const body: ChatBody = { model: request.model, messages };
  if (request.tools != null && request.tools.length > 0) body.tools = request.tools.map((tool, index) => canonicalTool(tool, ['tools', index]));
  if (request.tool_choice != null) body.tool_choice = typeof request.tool_choice === 'string' ? request.tool_choice : { type: 'function', function: { name: request.tool_choice.name } };
  if (request.temperature != null) body.temperature = request.temperature;
  if (request.top_p != null) body.top_p = request.top_p;
  if (request.max_output_tokens != null) body.max_tokens = request.max_output_tokens;
  if (request.parallel_tool_calls != null && body.tools !== undefined) body.parallel_tool_calls = request.parallel_tool_calls;
  if (request.reasoning?.effort != null) body.reasoning_effort = request.reasoning.effort;
  if (request.user != null) body.user = request.user;
  const format = request.text?.format;
  if (format?.type === 'json_object') body.response_format = { type: 'json_object' };
  if (format?.type === 'json_schema') {
    const schema: JsonObject = { name: format.name, schema: format.schema as JsonObject };
    if (format.description != null) schema.description = format.description;
    if (format.strict != null) schema.strict = format.strict;
    body.response_format = { type: 'json_schema', json_schema: schema };
  }
  // The usage comes in the last chunk only when asked for; response.completed carries it.
  if (request.stream === true) {
    body.stream = true;
    body.stream_options = { include_usage: true };
  }
  return { body, request };
}

function addItem(messages: JsonObject[], reasoning: ThinkingBlock[], raw: Record<string, unknown>, path: Path): void {
  const type = raw.type ?? 'message';
  if (type === 'reasoning') {
    reasoning.push(...readReasoningItem(raw, path));
    return;
  }
  if (type === 'message') {
    const item = parseField(messageItemSchema, raw, path);
    const role = item.role === 'developer' ? 'system' : item.role;
    let message: JsonObject;
    if (typeof item.content === 'string') message = { role, content: item.content };
    // Only a user turn keeps its parts (images); system and assistant text is one string, which every provider takes.
    else if (role === 'user') message = { role, content: item.content.map((part, index) => canonicalPart(part, [...path, 'content', index])) };
    else message = { role, content: item.content.map((part, index) => textOf(part, [...path, 'content', index])).join('') };
    messages.push(message);
    if (role === 'assistant') attachReasoning(message, reasoning);
    else reasoning.length = 0;
    return;
  }
  if (type === 'function_call') {
    const item = parseField(functionCallItemSchema, raw, path);
    const call = { id: item.call_id, type: 'function', function: { name: item.name, arguments: item.arguments } };
    let last = messages.at(-1);
    // Joined to the assistant turn just before: its text, or the calls made with it.
    if (last?.role === 'assistant') {
      // Added in place: the list is this conversion's own, and a copy per call cost the square of their number.
      const calls = last.tool_calls as JsonObject[] | undefined;
      if (calls === undefined) last.tool_calls = [call];
      else calls.push(call);
    } else {
      last = { role: 'assistant', content: null, tool_calls: [call] };
      messages.push(last);
    }
    attachReasoning(last, reasoning);
    return;
  }
  if (type === 'function_call_output') {
    const item = parseField(functionCallOutputItemSchema, raw, path);
    const content = typeof item.output === 'string' ? item.output : item.output.map((part, index) => textOf(part, [...path, 'output', index])).join('');
    messages.push({ role: 'tool', tool_call_id: item.call_id, content });
    reasoning.length = 0;
    return;
  }
  if (type === 'item_reference') {
    throw invalidField([...path, 'type'], "item_reference points at a stored response item, and this gateway stores none: send the item itself (the Vercel AI SDK does with providerOptions: { openai: { store: false } }).", 'unsupported_value');
  }
  throw invalidField([...path, 'type'], `input items of type '${String(type)}' are not supported by this gateway (it serves messages, function_call, function_call_output and reasoning).`, 'unsupported_value');
}

function canonicalPart(part: { type: string }, path: Path): JsonObject {
  if (part.type === 'input_image') {
    const image = parseField(imagePartSchema, part, path);
    return { type: 'image_url', image_url: image.detail != null ? { url: image.image_url, detail: image.detail } : { url: image.image_url } };
  }
  return { type: 'text', text: textOf(part, path) };
}

function textOf(part: { type: string }, path: Path): string {
  if (part.type === 'input_text' || part.type === 'output_text') return parseField(textPartSchema, part, path).text;
  throw invalidField([...path, 'type'], `content parts of type '${part.type}' are not supported here (this gateway takes input_text and output_text, and input_image with an image_url in a user message).`, 'unsupported_value');
}

function canonicalTool(raw: { type: string }, path: Path): JsonObject {
  if (raw.type !== 'function') throw invalidField([...path, 'type'], `built-in tools ('${raw.type}') are not supported by this gateway: only function tools, which the client runs.`, 'unsupported_value');
  const tool = parseField(functionToolSchema, raw, path);
  const fn: JsonObject = { name: tool.name };
  if (tool.description != null) fn.description = tool.description;
  if (tool.parameters != null) fn.parameters = tool.parameters as JsonObject;
  if (tool.strict != null) fn.strict = tool.strict;
  return { type: 'function', function: fn };
}

function unsupported(param: string, why: string) {
  return invalidRequest(`${param} is not supported: ${why}`, param, 'unsupported_parameter');
}
