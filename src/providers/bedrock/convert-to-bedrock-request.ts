/**
 * The canonical (OpenAI Chat Completions) request translated into a Bedrock Converse request.
 * What Converse cannot carry is a 400 naming the field, never silently dropped.
 *
 * Prompt-caching marks become cache points for the models that take them (bedrock-cache-points.ts):
 * after the block a content part becomes, after the last block of a marked message (the toolResult
 * block for a tool message, as for a marked part of one), after a toolUse block, after a tool, and,
 * for a mark on the request, after the last block of the last message.
 */
import { claudeSampling, effortWithoutThinking, isReplayable } from '../anthropic/anthropic-thinking.js';
import { readReasoning, readThinkingBlocks } from '../canonical/reasoning.js';
import { cacheMarkOf, cannotTranslate, contentParts, convertToTurns, functionOfTool, functionOfToolCall, invalidRequest, maxOutputTokens, namedFunctionChoice, refuseUngivenOutput, stopSequences, type ContentPart, type ImageSource, type Turn as CanonicalTurn } from '../canonical/request-parts.js';
import type { ChatBody, JsonObject } from '../types.js';
import { appendCachePoint, cachePoint, cachePointRules, type CachePointRules } from './bedrock-cache-points.js';
import { bedrockThinking, reasoningContentBlock } from './bedrock-thinking.js';

/**
 * The tool a `json_object` request is answered through. Converse's native structured output
 * (`outputConfig.textFormat`) needs a JSON schema, and "any JSON object" has none, so the answer
 * is forced into the input of this tool (always a JSON object) and turned back into text.
 */
export const JSON_TOOL_NAME = 'json_response';

/**
 * Bedrock's models take temperatures in 0..1 where OpenAI's run 0..2; a higher value would be a
 * ValidationException that no fallback can cure, so it is clamped to the top of Bedrock's range.
 */
const MAX_TEMPERATURE = 1;

/** The input schema of a function tool that declares no parameters (Converse requires one). */
const EMPTY_INPUT_SCHEMA: JsonObject = { type: 'object', properties: {} };

/** Converse's image formats, by media type. */
const IMAGE_FORMATS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpeg',
  'image/jpg': 'jpeg',
  'image/gif': 'gif',
  'image/webp': 'webp',
};

export interface BedrockRequestOptions {
  /** The model id the request goes to: whether it is Claude decides how reasoning is asked for. */
  model: string;
  /** The public model name the id stands for, when it does not say (an application inference profile ARN): the deployment's `model_family`. */
  modelFamily?: string;
}

export interface BedrockRequest {
  body: JsonObject;
  /** Set when the answer may come through JSON_TOOL_NAME: its input is then the message text. */
  jsonTool: string | undefined;
}

type Block = JsonObject;

type Turn = CanonicalTurn<Block>;

export function convertToBedrockRequest(body: ChatBody, options: BedrockRequestOptions): BedrockRequest {
  if (typeof body.n === 'number' && body.n > 1) throw cannotTranslate("Bedrock's Converse API answers with one choice per request; n greater than 1 cannot be translated.", 'n');
  refuseUngivenOutput(body, "Bedrock's Converse API");
  const reasoning = readReasoning(body);
  const out: JsonObject = {};
  const model = options.modelFamily ?? options.model;
  const cachePoints = cachePointRules(model);

  let tools = convertTools(body.tools, cachePoints);
  let toolChoice = convertToolChoice(body.tool_choice);
  // Converse has no "none": with tool blocks in the history the tools must still be declared (Bedrock
  // rejects toolUse blocks without a toolConfig), so the model is left to choose; else they are left out.
  if (toolChoice === 'none') {
    toolChoice = undefined;
    if (!hasToolBlocks(body.messages)) tools = [];
  }

  let jsonTool: string | undefined;
  const format = readResponseFormat(body.response_format);
  if (format.type === 'json_schema') {
    const jsonSchema: JsonObject = { schema: JSON.stringify(format.schema) };
    if (format.name !== undefined) jsonSchema.name = format.name;
    if (format.description !== undefined) jsonSchema.description = format.description;
    // Bedrock takes the schema as JSON text, not as an object.
    out.outputConfig = { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
  } else if (format.type === 'json_object') {
    if (tools.some((tool) => (tool.toolSpec as JsonObject | undefined)?.name === JSON_TOOL_NAME)) {
      throw cannotTranslate(`tools may not use the name "${JSON_TOOL_NAME}" together with response_format json_object: the adapter answers JSON through a tool of that name.`, 'tools');
    }
    toolChoice = jsonToolChoice(tools.length > 0, toolChoice);
    tools.push({ toolSpec: { name: JSON_TOOL_NAME, description: 'Give the whole answer as the input of this tool: a JSON object.', inputSchema: { json: { type: 'object' } } } });
    jsonTool = JSON_TOOL_NAME;
  }
  if (tools.length > 0) {
    const toolConfig: JsonObject = { tools };
    if (toolChoice) toolConfig.toolChoice = toolChoice;
    out.toolConfig = toolConfig;
  }

  const thinking = bedrockThinking(reasoning, {
    model,
    clientMaxTokens: maxOutputTokens(body),
    toolChoice: tools.length > 0 ? toolChoice : undefined,
    messages: body.messages,
    effortWithoutThinking: effortWithoutThinking(body, model),
  });
  if (thinking.fields) out.additionalModelRequestFields = thinking.fields;
  const inference = inferenceConfig(body, { model, maxTokens: thinking.maxTokens, thinking: thinking.claude });
  if (inference) out.inferenceConfig = inference;

  const { system, turns } = convertMessages(body.messages, { replayThinking: thinking.claude, cachePoints });
  // Converse has no automatic caching: the request's mark caches the whole prompt, as Anthropic's does.
  const lastTurn = turns.at(-1);
  if (cachePoints !== undefined && lastTurn !== undefined && cacheMarkOf(body, 'body') !== undefined) appendCachePoint(lastTurn.content, cachePoints);
  if (system.length > 0) out.system = system;
  out.messages = turns;
  return { body: out, jsonTool };
}

/** Whether the history holds tool calls or results: the toolUse and toolResult blocks Converse wants declared tools for. */
function hasToolBlocks(messages: JsonObject[]): boolean {
  return messages.some((message) => message.role === 'tool' || (message.role === 'assistant' && Array.isArray(message.tool_calls) && message.tool_calls.length > 0));
}

/** With thinking on, Claude takes temperature 1 only and top_p from 0.95, and Opus 4.7 takes neither (../anthropic/anthropic-thinking.ts): others are left out. */
function inferenceConfig(body: ChatBody, options: { model: string; maxTokens: number | undefined; thinking: boolean }): JsonObject | undefined {
  const config: JsonObject = {};
  if (options.maxTokens !== undefined) config.maxTokens = options.maxTokens;
  const sampling = claudeSampling(body, options.model, options.thinking);
  if (sampling.temperature !== undefined) config.temperature = Math.min(Math.max(sampling.temperature, 0), MAX_TEMPERATURE);
  if (sampling.topP !== undefined) config.topP = sampling.topP;
  const stop = stopSequences(body.stop);
  if (stop && stop.length > 0) config.stopSequences = stop;
  return Object.keys(config).length > 0 ? config : undefined;
}

interface MessageOptions {
  /** Whether an assistant turn starts with the signed reasoning the client sent back (Claude thinks). */
  replayThinking: boolean;
  /** Where the model takes cache points; undefined when it takes none, and marks are left out. */
  cachePoints: CachePointRules | undefined;
}

/**
 * System and developer messages become `system` blocks; the rest alternate user/assistant turns.
 * With thinking on, an assistant turn starts with the signed reasoning the client sent back.
 */
function convertMessages(messages: JsonObject[], options: MessageOptions): { system: Block[]; turns: Turn[] } {
  const { cachePoints } = options;
  return convertToTurns<Block>(messages, {
    provider: "Bedrock's Converse API",
    system: (content, param) => textOnly(content, param, cachePoints),
    user: (content, param) => contentParts(content, param).flatMap((part, partIndex) => partBlocks(part, `${param}[${partIndex}]`, cachePoints)),
    assistant: (message, param) => assistantBlocks(message, param, options),
    tool: (message, param) => toolResultBlocks(message, param, cachePoints),
    mark: cachePoints === undefined ? undefined : (blocks) => appendCachePoint(blocks, cachePoints),
  });
}

function textOnly(content: unknown, param: string, cachePoints: CachePointRules | undefined): Block[] {
  return contentParts(content, param).flatMap((part, index) => {
    if (part.type !== 'text') throw cannotTranslate(`${param}[${index}] is an image; Bedrock's system prompt takes only text.`, `${param}[${index}]`);
    return partBlocks(part, `${param}[${index}]`, cachePoints);
  });
}

/** A part's block, and a cache point after it when the part is marked and the model takes one. */
function partBlocks(part: ContentPart, param: string, cachePoints: CachePointRules | undefined): Block[] {
  const blocks = partBlock(part, param);
  if (part.cacheControl !== undefined && cachePoints !== undefined) appendCachePoint(blocks, cachePoints);
  return blocks;
}

/** Converse rejects blank text blocks, so they are left out. */
function partBlock(part: ContentPart, param: string): Block[] {
  if (part.type === 'text') return part.text === '' ? [] : [{ text: part.text }];
  return [{ image: imageBlock(part.image, param) }];
}

/**
 * Converse takes an image as bytes (base64 in JSON) or an S3 location; it cannot fetch a web URL,
 * and the gateway does not fetch one on the client's behalf (that would make it a proxy to any URL).
 */
function imageBlock(image: ImageSource, param: string): JsonObject {
  if (image.type === 'url') {
    if (image.url.startsWith('s3://')) return { format: formatFromPath(image.url, param), source: { s3Location: { uri: image.url } } };
    throw cannotTranslate(
      `${param} is an image URL; Bedrock's Converse API takes images only as bytes or from S3, and the gateway does not fetch URLs. Send it as a base64 data URL (data:image/png;base64,...) or an s3:// URI.`,
      `${param}.image_url.url`,
    );
  }
  const format = IMAGE_FORMATS[image.mediaType.toLowerCase()];
  if (format === undefined) throw cannotTranslate(`${param} has media type ${image.mediaType}; Bedrock takes png, jpeg, gif and webp images.`, `${param}.image_url.url`);
  return { format, source: { bytes: image.data } };
}

function formatFromPath(uri: string, param: string): string {
  const extension = /\.([a-z]+)$/i.exec(uri)?.[1]?.toLowerCase();
  const format = extension === 'jpg' ? 'jpeg' : extension;
  if (format === undefined || !Object.values(IMAGE_FORMATS).includes(format)) {
    throw cannotTranslate(`${param} names an S3 object without a png, jpeg, gif or webp extension; Bedrock needs the image format.`, `${param}.image_url.url`);
  }
  return format;
}

function assistantBlocks(message: JsonObject, param: string, options: MessageOptions): Block[] {
  // Read (and so checked) either way; sent only with thinking on, as Claude ignores past thinking otherwise.
  const thinking = readThinkingBlocks(message, param).filter(isReplayable);
  const blocks: Block[] = options.replayThinking ? thinking.map(reasoningContentBlock) : [];
  blocks.push(...contentParts(message.content, `${param}.content`).flatMap((part, index) => partBlocks(part, `${param}.content[${index}]`, options.cachePoints)));
  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return blocks;
  if (!Array.isArray(calls)) throw invalidRequest(`${param}.tool_calls must be an array.`, `${param}.tool_calls`);
  calls.forEach((call: unknown, index) => {
    const where = `${param}.tool_calls[${index}]`;
    if (!isObject(call) || typeof call.id !== 'string') throw invalidRequest(`${where}.id must be a string.`, `${where}.id`);
    const fn = functionOfToolCall(call, where);
    blocks.push({ toolUse: { toolUseId: call.id, name: fn.name, input: parseArguments(fn.arguments, `${where}.function.arguments`) } });
    if (options.cachePoints !== undefined && cacheMarkOf(call, where) !== undefined) appendCachePoint(blocks, options.cachePoints);
  });
  return blocks;
}

/** Converse takes a tool call's input as a JSON value, where OpenAI carries it as JSON text. */
function parseArguments(text: unknown, param: string): unknown {
  if (text === undefined || text === null || text === '') return {};
  if (typeof text !== 'string') throw invalidRequest(`${param} must be a string of JSON.`, param);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw invalidRequest(`${param} is not valid JSON.`, param);
  }
}

/** A tool message's toolResult block, and a cache point after it when a part of its content is marked (a toolResult's own content takes none). */
function toolResultBlocks(message: JsonObject, param: string, cachePoints: CachePointRules | undefined): Block[] {
  if (typeof message.tool_call_id !== 'string') throw invalidRequest(`${param}.tool_call_id must be a string.`, `${param}.tool_call_id`);
  let marked = false;
  const content = contentParts(message.content, `${param}.content`).flatMap((part, index) => {
    if (part.cacheControl !== undefined) marked = true;
    return partBlock(part, `${param}.content[${index}]`);
  });
  // A tool result needs content; an empty one says so in words rather than sending a blank block Bedrock rejects.
  const blocks: Block[] = [{ toolResult: { toolUseId: message.tool_call_id, content: content.length > 0 ? content : [{ text: '(no output)' }] } }];
  if (marked && cachePoints !== undefined) appendCachePoint(blocks, cachePoints);
  return blocks;
}

/** Function tools as `toolSpec` entries, each marked one followed by a cache point where the model takes one there. */
function convertTools(tools: unknown, cachePoints: CachePointRules | undefined): Block[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array.', 'tools');
  const out: Block[] = [];
  tools.forEach((tool: unknown, index) => {
    const where = `tools[${index}]`;
    const fn = functionOfTool(tool, where);
    const spec: JsonObject = { name: fn.name, inputSchema: { json: isObject(fn.parameters) ? fn.parameters : EMPTY_INPUT_SCHEMA } };
    if (typeof fn.description === 'string' && fn.description !== '') spec.description = fn.description;
    if (fn.strict === true) spec.strict = true;
    out.push({ toolSpec: spec });
    if (cachePoints?.tools === true && cacheMarkOf(tool as JsonObject, where) !== undefined) out.push(cachePoint());
  });
  return out;
}

type ToolChoice = JsonObject | 'none' | undefined;

function convertToolChoice(choice: unknown): ToolChoice {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { auto: {} };
  if (choice === 'none') return 'none';
  if (choice === 'required') return { any: {} };
  const name = namedFunctionChoice(choice);
  if (name !== undefined) return { tool: { name } };
  throw invalidRequest('tool_choice must be "auto", "none", "required" or a named function.', 'tool_choice');
}

/**
 * How a json_object request picks its tool: the JSON tool when the client has no tools of its own,
 * else any tool (the model answers through one of the client's or the JSON tool), and the
 * client's own choice when it named a function.
 */
function jsonToolChoice(hasClientTools: boolean, clientChoice: ToolChoice): JsonObject {
  if (isObject(clientChoice) && 'tool' in clientChoice) return clientChoice;
  if (!hasClientTools) return { tool: { name: JSON_TOOL_NAME } };
  return { any: {} };
}

type ResponseFormat = { type: 'text' } | { type: 'json_object' } | { type: 'json_schema'; schema: JsonObject; name: string | undefined; description: string | undefined };

function readResponseFormat(format: unknown): ResponseFormat {
  if (format === undefined || format === null) return { type: 'text' };
  if (!isObject(format)) throw invalidRequest('response_format must be an object.', 'response_format');
  if (format.type === 'text') return { type: 'text' };
  if (format.type === 'json_object') return { type: 'json_object' };
  if (format.type === 'json_schema') {
    const spec = isObject(format.json_schema) ? format.json_schema : {};
    // OpenAI lets the schema be left out; without one, any JSON object will do.
    if (!isObject(spec.schema)) return { type: 'json_object' };
    return {
      type: 'json_schema',
      schema: spec.schema,
      name: typeof spec.name === 'string' ? spec.name : undefined,
      description: typeof spec.description === 'string' ? spec.description : undefined,
    };
  }
  throw cannotTranslate(`response_format.type ${JSON.stringify(format.type)} cannot be translated for Bedrock.`, 'response_format.type');
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
