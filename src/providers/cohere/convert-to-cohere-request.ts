/**
 * The canonical (OpenAI Chat Completions) request as a Cohere v2 `/v2/chat` body. The message shapes
 * are close to OpenAI's (system, user, assistant with tool_calls, tool with tool_call_id, image_url
 * parts); the differences are in the parameters: `p` for top_p, `stop_sequences`, `tool_choice` as
 * REQUIRED/NONE only, and no `n`.
 */
import { cannotTranslate, contentParts, contentText, functionOfTool, functionOfToolCall, invalidRequest, maxOutputTokens, namedFunctionChoice, refuseUngivenOutput, stopSequences } from '../canonical/request-parts.js';
import { readReasoning, thinkingBudget, type Reasoning } from '../canonical/reasoning.js';
import type { ChatBody, JsonObject } from '../types.js';

/** `modelFamily`: the public model name `model` stands for, when it does not say (a fine-tune): the deployment's `model_family`. */
export function convertToCohereRequest(body: ChatBody, model: string, options: { stream: boolean; modelFamily?: string }): JsonObject {
  const request: JsonObject = { model, messages: body.messages.map(convertMessage) };
  if (options.stream) request.stream = true;
  if (typeof body.n === 'number' && body.n > 1) throw cannotTranslate('Cohere answers one choice per request; n > 1 cannot be translated.', 'n');
  refuseUngivenOutput(body, "Cohere's adapter");

  const { tools, toolChoice } = toolsOf(body.tools, body.tool_choice);
  if (tools !== undefined) request.tools = tools;
  if (toolChoice !== undefined) request.tool_choice = toolChoice;

  copyNumber(body, 'temperature', request, 'temperature');
  copyNumber(body, 'top_p', request, 'p');
  copyNumber(body, 'seed', request, 'seed');
  copyNumber(body, 'presence_penalty', request, 'presence_penalty');
  copyNumber(body, 'frequency_penalty', request, 'frequency_penalty');
  const maxTokens = maxOutputTokens(body);
  if (maxTokens !== undefined) request.max_tokens = maxTokens;
  const thinking = cohereThinking(readReasoning(body), options.modelFamily ?? model, maxTokens);
  if (thinking !== undefined) request.thinking = thinking;
  const stop = stopSequences(body.stop);
  if (stop !== undefined && stop.length > 0) request.stop_sequences = stop;
  const format = responseFormat(body.response_format);
  if (format !== undefined) request.response_format = format;
  return request;
}

/** Cohere's reasoning models (Command A Reasoning) have the word in their name; others take no `thinking`. */
const REASONING_MODEL = /reasoning/i;

/**
 * `reasoning_effort` as Cohere's `thinking`, for its reasoning models only: they think unless told
 * not to, so "none" turns thinking off and an effort sets a token budget (fitted under the
 * client's `max_tokens`, as in the Anthropic adapter). Other models get nothing: the field only
 * steers an answer, and Cohere's other models do not take it.
 */
function cohereThinking(reasoning: Reasoning, model: string, maxTokens: number | undefined): JsonObject | undefined {
  if (reasoning.mode === 'default' || !REASONING_MODEL.test(model)) return undefined;
  if (reasoning.mode === 'off') return { type: 'disabled' };
  const budget = thinkingBudget(reasoning);
  return { type: 'enabled', token_budget: maxTokens === undefined ? budget : Math.max(1, Math.min(budget, maxTokens - 1)) };
}

function convertMessage(message: JsonObject, index: number): JsonObject {
  const where = `messages[${index}]`;
  switch (message.role) {
    case 'system':
    case 'developer':
      return { role: 'system', content: contentText(message.content, `${where}.content`) };
    case 'user':
      return { role: 'user', content: userContent(message.content, `${where}.content`) };
    case 'assistant':
      return assistantMessage(message, where);
    case 'tool':
      if (typeof message.tool_call_id !== 'string') throw invalidRequest(`${where}.tool_call_id must be a string.`, `${where}.tool_call_id`);
      return { role: 'tool', tool_call_id: message.tool_call_id, content: contentText(message.content, `${where}.content`) };
    default:
      throw cannotTranslate(`${where}.role ${JSON.stringify(message.role)} is not one the Cohere adapter can translate.`, `${where}.role`);
  }
}

/** Plain text stays a string; text with images becomes v2's content parts (`image_url` as OpenAI writes it). */
function userContent(content: unknown, param: string): string | JsonObject[] {
  const parts = contentParts(content, param);
  if (parts.every((part) => part.type === 'text')) return parts.map((part) => (part.type === 'text' ? part.text : '')).join('');
  return parts.map((part) => {
    if (part.type === 'text') return { type: 'text', text: part.text };
    const url = part.image.type === 'base64' ? `data:${part.image.mediaType};base64,${part.image.data}` : part.image.url;
    return { type: 'image_url', image_url: { url } };
  });
}

function assistantMessage(message: JsonObject, where: string): JsonObject {
  const text = contentText(message.content, `${where}.content`);
  const calls = message.tool_calls;
  if (calls === undefined || calls === null || (Array.isArray(calls) && calls.length === 0)) return { role: 'assistant', content: text };
  if (!Array.isArray(calls)) throw invalidRequest(`${where}.tool_calls must be an array.`, `${where}.tool_calls`);
  const toolCalls = calls.map((call: unknown, index) => {
    const at = `${where}.tool_calls[${index}]`;
    if (!isRecord(call) || typeof call.id !== 'string') throw invalidRequest(`${at}.id must be a string.`, `${at}.id`);
    const fn = functionOfToolCall(call, at);
    return { id: call.id, type: 'function', function: { name: fn.name, arguments: typeof fn.arguments === 'string' ? fn.arguments : '{}' } };
  });
  // Cohere keeps the text that comes with tool calls as the turn's `tool_plan`, not as content.
  const out: JsonObject = { role: 'assistant', tool_calls: toolCalls };
  if (text !== '') out.tool_plan = text;
  return out;
}

function toolsOf(tools: unknown, choice: unknown): { tools: JsonObject[] | undefined; toolChoice: string | undefined } {
  if (tools === undefined || tools === null) return { tools: undefined, toolChoice: undefined };
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array.', 'tools');
  let list = tools.map((tool: unknown, index) => {
    const fn = functionOfTool(tool, `tools[${index}]`);
    const definition: JsonObject = { name: fn.name };
    if (typeof fn.description === 'string') definition.description = fn.description;
    if (fn.parameters !== undefined) definition.parameters = fn.parameters;
    return { type: 'function', function: definition };
  });
  if (choice === undefined || choice === null || choice === 'auto') return { tools: list, toolChoice: undefined };
  if (choice === 'none') return { tools: list, toolChoice: 'NONE' };
  if (choice === 'required') return { tools: list, toolChoice: 'REQUIRED' };
  const name = namedFunctionChoice(choice);
  if (name !== undefined) {
    // Cohere cannot name the tool to call; offering only that tool and requiring a call comes to the same.
    list = list.filter((tool) => (tool.function as JsonObject).name === name);
    if (list.length === 0) throw invalidRequest(`tool_choice names ${JSON.stringify(name)}, which is not among the tools.`, 'tool_choice');
    return { tools: list, toolChoice: 'REQUIRED' };
  }
  throw invalidRequest('tool_choice must be "auto", "none", "required" or a named function.', 'tool_choice');
}

function responseFormat(format: unknown): JsonObject | undefined {
  if (!isRecord(format) || format.type === 'text') return undefined;
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : undefined;
    return schema === undefined ? { type: 'json_object' } : { type: 'json_object', json_schema: schema };
  }
  throw cannotTranslate(`response_format.type ${JSON.stringify(format.type)} is not one the Cohere adapter can translate.`, 'response_format.type');
}

function copyNumber(from: JsonObject, key: string, to: JsonObject, as: string): void {
  const value = from[key];
  if (typeof value === 'number') to[as] = value;
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
