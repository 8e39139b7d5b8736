/**
 * The canonical (OpenAI Chat Completions) request as a Gemini `generateContent` body: system messages
 * become `systemInstruction`, assistant turns the `model` role, tool calls and results
 * `functionCall` / `functionResponse` parts (a result names its function, found through the id of
 * the call it answers), images `inlineData` (data URLs) or `fileData` (other URLs), and
 * `reasoning_effort` a `thinkingConfig` (gemini-thinking.ts).
 */
import { cannotTranslate, contentParts, contentText, functionOfTool, functionOfToolCall, invalidRequest, maxOutputTokens, namedFunctionChoice, refuseUngivenOutput, stopSequences, type ContentPart } from '../canonical/request-parts.js';
import { readReasoning } from '../canonical/reasoning.js';
import type { ChatBody, JsonObject } from '../types.js';
import { convertToGeminiSchema, isEmptyObjectSchema } from './convert-to-gemini-schema.js';
import { geminiThinkingConfig } from './gemini-thinking.js';
import { SKIP_THOUGHT_SIGNATURE, thoughtSignatureOf } from './gemini-tool-call-id.js';
import { isGemini3OrLater, readGeminiModel, type GeminiModel } from './read-gemini-model.js';

/** What `fileData` says of an image URL without a known extension; Gemini requires a MIME type there. */
const DEFAULT_IMAGE_MIME_TYPE = 'image/jpeg';
const MIME_BY_EXTENSION: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
  pdf: 'application/pdf',
};
const EXTENSION = /\.([a-z0-9]+)$/i;

type Role = 'user' | 'model';
interface Content {
  role: Role;
  parts: JsonObject[];
}

export interface GeminiRequestOptions {
  stream: boolean;
  /** The deployment's model: Gemini 3 and later need a thought signature on every replayed function call, and each generation is told how much to think in its own terms. */
  model: string;
  /** The public model name `model` stands for, when it does not say (a tuned model, an alias): the deployment's `model_family`. */
  modelFamily?: string;
}

export function convertToGeminiRequest(body: ChatBody, options: GeminiRequestOptions): JsonObject {
  refuseUngivenOutput(body, "Gemini's adapter", { logprobs: true });
  const model = readGeminiModel(options.modelFamily ?? options.model);
  // Gemini 3 and later validate thought signatures on replayed function calls.
  const missingSignature = isGemini3OrLater(model) ? SKIP_THOUGHT_SIGNATURE : undefined;
  const system: string[] = [];
  const contents: Content[] = [];
  const toolNames = new Map<string, string>();
  const push = (role: Role, parts: JsonObject[]) => {
    if (parts.length === 0) return;
    const last = contents.at(-1);
    // Gemini takes the results of parallel calls together in one turn, and turns that alternate: consecutive messages of one role merge.
    if (last?.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };

  body.messages.forEach((message, index) => {
    const where = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        const text = contentText(message.content, `${where}.content`);
        if (text !== '') system.push(text);
        return;
      }
      case 'user':
        return push('user', contentParts(message.content, `${where}.content`).map(toPart));
      case 'assistant':
        return push('model', assistantParts(message, where, toolNames, missingSignature));
      case 'tool':
        return push('user', [functionResponse(message, where, toolNames)]);
      case 'function':
        return push('user', [{ functionResponse: { name: String(message.name ?? ''), response: responseObject(contentText(message.content, `${where}.content`)) } }]);
      default:
        throw cannotTranslate(`${where}.role ${JSON.stringify(message.role)} is not one the Gemini adapter can translate.`, `${where}.role`);
    }
  });

  const request: JsonObject = { contents };
  if (system.length > 0) request.systemInstruction = { parts: [{ text: system.join('\n\n') }] };
  const declarations = functionDeclarations(body.tools);
  if (declarations.length > 0) request.tools = [{ functionDeclarations: declarations }];
  const toolConfig = functionCallingConfig(body.tool_choice);
  if (toolConfig !== undefined && declarations.length > 0) request.toolConfig = { functionCallingConfig: toolConfig };
  const generationConfig = generationConfigOf(body, { stream: options.stream, model });
  if (Object.keys(generationConfig).length > 0) request.generationConfig = generationConfig;
  return request;
}

function toPart(part: ContentPart): JsonObject {
  if (part.type === 'text') return { text: part.text };
  const image = part.image;
  if (image.type === 'base64') return { inlineData: { mimeType: image.mediaType, data: image.data } };
  // Gemini fetches public and signed https URLs itself (older models and the Files API era took only uploaded-file URIs).
  return { fileData: { mimeType: mimeTypeOf(image.url), fileUri: image.url } };
}

function mimeTypeOf(url: string): string {
  let path = url;
  try {
    path = new URL(url).pathname;
  } catch {
    // Not a parseable URL: Gemini will say so; guess from the text as written.
  }
  const extension = EXTENSION.exec(path)?.[1]?.toLowerCase();
  return (extension && MIME_BY_EXTENSION[extension]) || DEFAULT_IMAGE_MIME_TYPE;
}

function assistantParts(message: JsonObject, where: string, toolNames: Map<string, string>, missingSignature: string | undefined): JsonObject[] {
  const parts: JsonObject[] = [];
  const text = contentText(message.content, `${where}.content`);
  if (text !== '') parts.push({ text });
  const calls = message.tool_calls;
  if (calls === undefined || calls === null) return parts;
  if (!Array.isArray(calls)) throw invalidRequest(`${where}.tool_calls must be an array.`, `${where}.tool_calls`);
  calls.forEach((call: unknown, index) => {
    const at = `${where}.tool_calls[${index}]`;
    const fn = functionOfToolCall(call, at);
    const id = isRecord(call) ? call.id : undefined;
    if (typeof id === 'string') toolNames.set(id, fn.name);
    const part: JsonObject = { functionCall: { name: fn.name, args: parseArguments(fn.arguments, `${at}.function.arguments`) } };
    const signature = thoughtSignatureOf(id) ?? missingSignature;
    if (signature) part.thoughtSignature = signature;
    parts.push(part);
  });
  return parts;
}

function parseArguments(text: unknown, param: string): JsonObject {
  if (text === undefined || text === null || text === '') return {};
  if (typeof text !== 'string') throw invalidRequest(`${param} must be a JSON object as text.`, param);
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalidRequest(`${param} is not valid JSON.`, param);
  }
  if (!isRecord(parsed)) throw invalidRequest(`${param} must be a JSON object.`, param);
  return parsed;
}

function functionResponse(message: JsonObject, where: string, toolNames: Map<string, string>): JsonObject {
  const id = message.tool_call_id;
  const name = typeof id === 'string' ? toolNames.get(id) : undefined;
  if (name === undefined) {
    throw invalidRequest(`${where}.tool_call_id ${JSON.stringify(id)} matches no tool call of an earlier assistant message; Gemini needs the function's name.`, `${where}.tool_call_id`);
  }
  return { functionResponse: { name, response: responseObject(contentText(message.content, `${where}.content`)) } };
}

/** Gemini takes a function's result as a JSON object; other results go under `output`, as its docs ask. */
function responseObject(text: string): JsonObject {
  try {
    const parsed: unknown = JSON.parse(text);
    if (isRecord(parsed)) return parsed;
  } catch {
    // Plain text: wrapped below.
  }
  return { output: text };
}

function functionDeclarations(tools: unknown): JsonObject[] {
  if (tools === undefined || tools === null) return [];
  if (!Array.isArray(tools)) throw invalidRequest('tools must be an array.', 'tools');
  return tools.map((tool: unknown, index) => {
    const fn = functionOfTool(tool, `tools[${index}]`);
    const declaration: JsonObject = { name: fn.name };
    if (typeof fn.description === 'string') declaration.description = fn.description;
    if (fn.parameters !== undefined) {
      const parameters = convertToGeminiSchema(fn.parameters);
      if (!isEmptyObjectSchema(parameters)) declaration.parameters = parameters;
    }
    return declaration;
  });
}

function functionCallingConfig(choice: unknown): JsonObject | undefined {
  if (choice === undefined || choice === null) return undefined;
  if (choice === 'auto') return { mode: 'AUTO' };
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  const name = namedFunctionChoice(choice);
  if (name !== undefined) return { mode: 'ANY', allowedFunctionNames: [name] };
  throw invalidRequest('tool_choice must be "auto", "none", "required" or a named function.', 'tool_choice');
}

function generationConfigOf(body: ChatBody, options: { stream: boolean; model: GeminiModel }): JsonObject {
  const config: JsonObject = {};
  copyNumber(body, 'temperature', config, 'temperature');
  copyNumber(body, 'top_p', config, 'topP');
  copyNumber(body, 'seed', config, 'seed');
  copyNumber(body, 'presence_penalty', config, 'presencePenalty');
  copyNumber(body, 'frequency_penalty', config, 'frequencyPenalty');
  const maxTokens = maxOutputTokens(body);
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  const stop = stopSequences(body.stop);
  if (stop !== undefined && stop.length > 0) config.stopSequences = stop;
  if (typeof body.n === 'number' && body.n > 1) {
    // The canonical stream carries one choice; Gemini's candidates would interleave in it.
    if (options.stream) throw cannotTranslate('n > 1 is not supported on a streamed request to Gemini.', 'n');
    config.candidateCount = body.n;
  }
  if (body.logprobs === true) {
    config.responseLogprobs = true;
    // OpenAI's top_logprobs: the alternatives given at each step.
    if (typeof body.top_logprobs === 'number' && body.top_logprobs > 0) config.logprobs = body.top_logprobs;
  }
  Object.assign(config, responseFormatConfig(body.response_format));
  const thinking = geminiThinkingConfig(readReasoning(body), options.model);
  if (thinking !== undefined) config.thinkingConfig = thinking;
  return config;
}

function responseFormatConfig(format: unknown): JsonObject {
  if (!isRecord(format) || format.type === 'text') return {};
  if (format.type === 'json_object') return { responseMimeType: 'application/json' };
  if (format.type === 'json_schema') {
    const schema = isRecord(format.json_schema) ? format.json_schema.schema : undefined;
    return schema === undefined ? { responseMimeType: 'application/json' } : { responseMimeType: 'application/json', responseSchema: convertToGeminiSchema(schema) };
  }
  throw cannotTranslate(`response_format.type ${JSON.stringify(format.type)} is not one the Gemini adapter can translate.`, 'response_format.type');
}

function copyNumber(from: JsonObject, key: string, to: JsonObject, as: string): void {
  const value = from[key];
  if (typeof value === 'number') to[as] = value;
}

function isRecord(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
