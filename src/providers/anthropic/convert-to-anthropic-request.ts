/**
 * The canonical (OpenAI Chat Completions) request translated into an Anthropic Messages request.
 * What cannot be said in Anthropic's terms is a 400 naming the field, never silently dropped: a
 * client asking for something gets it or hears why not.
 *
 * Prompt-caching marks (../canonical/cache-marks.ts) go where Anthropic takes `cache_control`: on
 * the block a content part becomes, on the last block of a marked message (the tool_result block
 * for a tool message), on a tool_use block, on a tool, and on the request.
 */
import { cacheMarkOf, cannotTranslate, contentParts, convertToTurns, functionOfTool, functionOfToolCall, invalidRequest, namedFunctionChoice, maxOutputTokens, refuseUngivenOutput, stopSequences, type ContentPart, type ImageSource, type Turn as CanonicalTurn } from '../canonical/request-parts.js';
import { readReasoning, readThinkingBlocks } from '../canonical/reasoning.js';
import type { ChatBody, JsonObject } from '../types.js';
import { anthropicThinking, claudeSampling, effortWithoutThinking, isReplayable } from './anthropic-thinking.js';

/**
 * The tool a `json_object` request is answered through. Anthropic's native JSON output
 * (`output_config.format`) needs a schema; "any JSON object" has none, so the answer is forced
 * into the input of this tool (always a JSON object) and turned back into message content.
 */
export const JSON_TOOL_NAME = 'json_response';

/** Anthropic's temperature runs 0..1 where OpenAI's runs 0..2: a higher value is clamped to the top of Anthropic's range. */
const MAX_TEMPERATURE = 1;

/** The input schema of a function tool that declares no parameters. */
const EMPTY_INPUT_SCHEMA: JsonObject = { type: 'object', properties: {} };

export interface AnthropicRequestOptions {
  /** The upstream model name (the deployment's). */
  model: string;
  /** The public model name `model` stands for, when it does not say (the deployment's `model_family`): which thinking it takes. */
  modelFamily?: string;
  /** `max_tokens` when the request gives neither `max_tokens` nor `max_completion_tokens` (Anthropic requires one). */
  defaultMaxTokens: number;
  stream: boolean;
}

export interface AnthropicRequest {
  body: JsonObject;
  /** Set when the answer may come through JSON_TOOL_NAME: its input is then the message content. */
  jsonTool: string | undefined;
}

type Block = JsonObject;

type Turn = CanonicalTurn<Block>;

export function convertToAnthropicRequest(body: ChatBody, options: AnthropicRequestOptions): AnthropicRequest {
  if (typeof body.n === 'number' && body.n > 1) throw cannotTranslate('Anthropic answers with one choice per request; n greater than 1 cannot be translated.', 'n');
  refuseUngivenOutput(body, 'Anthropic');
  const reasoning = readReasoning(body);
  const out: JsonObject = { model: options.model };
  const stop = stopSequences(body.stop);
  if (stop && stop.length > 0) out.stop_sequences = stop;
  if (typeof body.user === 'string' && body.user !== '') out.metadata = { user_id: body.user };
  const requestMark = cacheMarkOf(body, 'body');
  if (requestMark !== undefined) out.cache_control = requestMark;

  const tools = convertTools(body.tools);
  let toolChoice = tools.length > 0 ? convertToolChoice(body.tool_choice, body.parallel_tool_calls) : undefined;
  let jsonTool: string | undefined;
  const outputConfig: JsonObject = {};
  const format = readResponseFormat(body.response_format);
  if (format.type === 'json_schema') {
    outputConfig.format = { type: 'json_schema', schema: format.schema };
  } else if (format.type === 'json_object') {
    if (tools.some((tool) => tool.name === JSON_TOOL_NAME)) {
      throw cannotTranslate(`tools may not use the name "${JSON_TOOL_NAME}" together with response_format json_object: the adapter answers JSON through a tool of that name.`, 'tools');
    }
    toolChoice = jsonToolChoice(tools.length > 0, toolChoice);
    tools.push({ name: JSON_TOOL_NAME, description: 'Give the whole answer as the input of this tool: a JSON object.', input_schema: { type: 'object' } });
    jsonTool = JSON_TOOL_NAME;
  }
  if (tools.length > 0) out.tools = tools;
  if (toolChoice) out.tool_choice = toolChoice;

  const model = options.modelFamily ?? options.model;
  const thinking = anthropicThinking(reasoning, {
    model,
    clientMaxTokens: maxOutputTokens(body),
    defaultMaxTokens: options.defaultMaxTokens,
    toolChoiceType: toolChoice?.type,
    messages: body.messages,
  });
  out.max_tokens = thinking.maxTokens;
  if (thinking.thinking) out.thinking = thinking.thinking;
  // A Messages request's own effort still steers the answer where thinking stays off.
  const effort = thinking.effort ?? effortWithoutThinking(body, model);
  if (effort) outputConfig.effort = effort;
  if (Object.keys(outputConfig).length > 0) out.output_config = outputConfig;
  const sampling = claudeSampling(body, model, thinking.thinking !== undefined);
  if (sampling.temperature !== undefined) out.temperature = Math.min(Math.max(sampling.temperature, 0), MAX_TEMPERATURE);
  if (sampling.topP !== undefined) out.top_p = sampling.topP;

  const { system, turns } = convertMessages(body.messages, thinking.thinking !== undefined);
  if (system.length > 0) out.system = system;
  out.messages = turns;
  if (options.stream) out.stream = true;
  return { body: out, jsonTool };
}

/**
 * System and developer messages become the top-level `system`; the rest alternate user/assistant
 * turns. With thinking on, an assistant turn starts with the signed thinking the client sent back.
 */
function convertMessages(messages: JsonObject[], replayThinking: boolean): { system: Block[]; turns: Turn[] } {
  const { system, turns } = convertToTurns<Block>(messages, {
    provider: 'Anthropic',
    system: textOnly,
    user: (content, param) => contentParts(content, param).flatMap(partBlock),
    assistant: (message, param) => assistantBlocks(message, param, replayThinking),
    tool: (message, param) => [toolResultBlock(message, param)],
    mark: (blocks, mark) => {
      (blocks.at(-1) as Block).cache_control = mark;
    },
  });
  // Anthropic wants a user turn's tool results before any other content in it.
  for (const turn of turns) {
    if (turn.role === 'user') turn.content = [...turn.content.filter(isToolResult), ...turn.content.filter((block) => !isToolResult(block))];
  }
  return { system, turns };
}

function textOnly(content: unknown, param: string): Block[] {
  return contentParts(content, param).flatMap((part, index) => {
    if (part.type !== 'text') throw cannotTranslate(`${param}[${index}] is an image; Anthropic's system prompt takes only text.`, `${param}[${index}]`);
    return partBlock(part);
  });
}

/** Anthropic rejects empty text blocks, so they are left out. */
function partBlock(part: ContentPart): Block[] {
  let block: Block;
  if (part.type === 'text') {
    if (part.text === '') return [];
    block = { type: 'text', text: part.text };
  } else block = { type: 'image', source: imageSource(part.image) };
  if (part.cacheControl !== undefined) block.cache_control = part.cacheControl;
  return [block];
}

function imageSource(image: ImageSource): JsonObject {
  if (image.type === 'url') return { type: 'url', url: image.url };
  return { type: 'base64', media_type: image.mediaType, data: image.data };
}

function assistantBlocks(message: JsonObject, param: string, replayThinking: boolean): Block[] {
  // Read (and so checked) either way; sent only with thinking on, as Anthropic ignores past thinking otherwise.
  const thinking = readThinkingBlocks(message, param).filter(isReplayable);
  const blocks: Block[] = replayThinking ? thinking : [];
  blocks.push(...contentParts(message.content, `${param}.content`).flatMap(partBlock));
  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return blocks;
  if (!Array.isArray(calls)) throw invalidRequest(`${param}.tool_calls must be an array.`, `${param}.tool_calls`);
  calls.forEach((call: unknown, index) => {
    const where = `${param}.tool_calls[${index}]`;
    if (!isObject(call) || typeof call.id !== 'string') throw invalidRequest(`${where}.id must be a string.`, `${where}.id`);
    const fn = functionOfToolCall(call, where);
    const block: Block = { type: 'tool_use', id: call.id, name: fn.name, input: parseArguments(fn.arguments, `${where}.function.arguments`) };
    const mark = cacheMarkOf(call, where);
    if (mark !== undefined) block.cache_control = mark;
    blocks.push(block);
  });
  return blocks;
}

/** Anthropic takes a tool call's input as an object, where OpenAI carries it as JSON text. */
function parseArguments(text: unknown, param: string): JsonObject {
  if (text === undefined || text === null || text === '') return {};
  if (typeof text !== 'string') throw invalidRequest(`${param} must be a string of JSON.`, param);
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw invalidRequest(`${param} is not valid JSON.`, param);
  }
  if (!isObject(value)) throw invalidRequest(`${param} must be a JSON object.`, param);
  return value;
}

function toolResultBlock(message: JsonObject, param: string): Block {
  if (typeof message.tool_call_id !== 'string') throw invalidRequest(`${param}.tool_call_id must be a string.`, `${param}.tool_call_id`);
  const block: Block = { type: 'tool_result', tool_use_id: message.tool_call_id };
  if (typeof message.content === 'string') {
    if (message.content !== '') block.content = message.content;
  } else {
    const parts = contentParts(message.content, `${param}.content`).flatMap(partBlock);
    // Anthropic takes no mark inside a tool result: a marked part marks the result itself.
    for (const part of parts) {
      if (part.cache_control === undefined) continue;
      block.cache_control = part.cache_control;
      delete part.cache_control;
    }
    if (parts.length > 0) block.content = parts;
  }
  return block;
}

function isToolResult(block: Block): boolean {
  return block.type === 'tool_result';
}

function convertTools(tools: unknown): Block[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array.', 'tools');
  return tools.map((tool: unknown, index) => {
    const where = `tools[${index}]`;
    const fn = functionOfTool(tool, where);
    const out: Block = { name: fn.name, input_schema: isObject(fn.parameters) ? fn.parameters : EMPTY_INPUT_SCHEMA };
    if (typeof fn.description === 'string') out.description = fn.description;
    const mark = cacheMarkOf(tool as JsonObject, where);
    if (mark !== undefined) out.cache_control = mark;
    return out;
  });
}

function convertToolChoice(choice: unknown, parallelToolCalls: unknown): Block | undefined {
  let out: Block | undefined;
  if (choice === undefined || choice === null) out = undefined;
  else if (choice === 'auto') out = { type: 'auto' };
  else if (choice === 'none') out = { type: 'none' };
  else if (choice === 'required') out = { type: 'any' };
  else {
    const name = namedFunctionChoice(choice);
    if (name === undefined) throw invalidRequest('tool_choice must be "auto", "none", "required" or a named function.', 'tool_choice');
    out = { type: 'tool', name };
  }
  // Anthropic's `none` takes no other field; with no tool allowed there is nothing to run in parallel.
  if (parallelToolCalls === false && out?.type !== 'none') out = { ...(out ?? { type: 'auto' }), disable_parallel_tool_use: true };
  return out;
}

/**
 * How a json_object request picks its tool: the JSON tool when the client has no tools of its own
 * (or forbade them), else any tool (the model answers through one of the client's or the JSON tool),
 * and the client's own choice when it named a function.
 */
function jsonToolChoice(hasClientTools: boolean, clientChoice: Block | undefined): Block {
  if (clientChoice?.type === 'tool') return clientChoice;
  if (!hasClientTools || clientChoice?.type === 'none') return { type: 'tool', name: JSON_TOOL_NAME, disable_parallel_tool_use: true };
  return { ...clientChoice, type: 'any' };
}

type ResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: JsonObject };

function readResponseFormat(format: unknown): ResponseFormat {
  if (format === undefined || format === null) return { type: 'text' };
  if (!isObject(format)) throw invalidRequest('response_format must be an object.', 'response_format');
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const schema = isObject(format.json_schema) ? format.json_schema.schema : undefined;
    // OpenAI lets the schema be left out; without one, any JSON object will do.
    return isObject(schema) ? { type: 'json_schema', schema } : { type: 'json_object' };
  }
  throw cannotTranslate(`response_format.type ${JSON.stringify(format.type)} cannot be translated for Anthropic.`, 'response_format.type');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
