/**
 * Reading the canonical (OpenAI) request: the parts every translating adapter needs in its own
 * provider's terms. Message content may be a string or an array of parts; images may be URLs or
 * base64 data URLs.
 */
import { GatewayError } from '../../errors.js';
import { isJsonObject } from '../read-payload.js';
import type { JsonObject } from '../types.js';

/** A part of a message's content; `cacheControl` is its prompt-caching mark, if any (cache-marks.ts). */
export type ContentPart = ({ type: 'text'; text: string } | { type: 'image'; image: ImageSource }) & { cacheControl?: JsonObject };

export type ImageSource = { type: 'url'; url: string } | { type: 'base64'; mediaType: string; data: string };

const DATA_URL = /^data:([^;,]+);base64,(.*)$/s;

/** A message's content as parts. Unknown part types are a client error naming the part. */
export function contentParts(content: unknown, param: string): ContentPart[] {
  if (content === undefined || content === null) return [];
  if (typeof content === 'string') return content === '' ? [] : [{ type: 'text', text: content }];
  if (!Array.isArray(content)) throw invalidRequest(`${param} must be a string or an array of content parts.`, param);
  return content.map((part: unknown, index) => {
    const where = `${param}[${index}]`;
    if (typeof part !== 'object' || part === null) throw invalidRequest(`${where} must be a content part object.`, where);
    const typed = part as JsonObject;
    let read: ContentPart;
    if (typed.type === 'text' && typeof typed.text === 'string') read = { type: 'text', text: typed.text };
    else if (typed.type === 'image_url') {
      const imageUrl = typed.image_url;
      const url = typeof imageUrl === 'string' ? imageUrl : typeof imageUrl === 'object' && imageUrl !== null ? (imageUrl as JsonObject).url : undefined;
      if (typeof url !== 'string') throw invalidRequest(`${where}.image_url.url must be a string.`, `${where}.image_url.url`);
      read = { type: 'image', image: imageSource(url) };
    } else throw cannotTranslate(`${where} has type ${JSON.stringify(typed.type)}, which this provider's adapter cannot translate.`, where);
    const mark = cacheMarkOf(typed, where);
    if (mark !== undefined) read.cacheControl = mark;
    return read;
  });
}

/**
 * A prompt-caching mark as found on a part, message, tool call or tool (`param` names it;
 * cache-marks.ts): an object, else the client's 400.
 */
export function cacheMarkOf(holder: JsonObject, param: string): JsonObject | undefined {
  const mark = holder.cache_control;
  if (mark === undefined || mark === null) return undefined;
  if (!isJsonObject(mark)) throw invalidRequest(`${param}.cache_control must be an object, such as {"type": "ephemeral"}.`, `${param}.cache_control`);
  return mark as JsonObject;
}

/** The text of a message's content (text parts joined), for providers that take only text somewhere. */
export function contentText(content: unknown, param: string): string {
  return contentParts(content, param)
    .map((part) => (part.type === 'text' ? part.text : ''))
    .join('');
}

export function imageSource(url: string): ImageSource {
  const match = DATA_URL.exec(url);
  if (match) return { type: 'base64', mediaType: match[1] as string, data: match[2] as string };
  return { type: 'url', url };
}

/** `stop` as a list (OpenAI takes a string or an array). */
export function stopSequences(stop: unknown): string[] | undefined {
  if (typeof stop === 'string') return [stop];
  if (Array.isArray(stop)) return stop.filter((item): item is string => typeof item === 'string');
  return undefined;
}

/** `max_completion_tokens`, else `max_tokens`, else undefined. */
export function maxOutputTokens(body: JsonObject): number | undefined {
  const value = body.max_completion_tokens ?? body.max_tokens;
  return typeof value === 'number' ? value : undefined;
}

/** A 400 the client caused, in the canonical error shape (never retried: its shape is `client_error`). */
export function invalidRequest(message: string, param: string | null = null): GatewayError {
  return new GatewayError(message, { status: 400, code: 'invalid_request', param, shape: 'client_error' });
}

/** The code of `cannotTranslate`'s errors. */
export const UNTRANSLATABLE = 'untranslatable_parameter';

/**
 * A well-formed request this provider's API has no way to ask (`n` above 1 where it answers one
 * choice, a content part it takes no such thing as): a gap of the provider, not the client's
 * mistake. The chain passes such a deployment over for the next one (StepCannotServe); the client
 * gets a 400 naming `param` only when no deployment of the route can take the request.
 */
export function cannotTranslate(message: string, param: string): GatewayError {
  return new GatewayError(message, { status: 400, code: UNTRANSLATABLE, param, shape: 'client_error' });
}

/**
 * A tool, a tool call or a `tool_choice` of a kind other than a function (OpenAI's `custom` tools,
 * an `allowed_tools` choice): a gap of an adapter that translates only functions.
 */
function otherKind(item: unknown, where: string): GatewayError | undefined {
  if (!isJsonObject(item) || typeof item.type !== 'string' || item.type === 'function') return undefined;
  return cannotTranslate(`${where}.type is ${JSON.stringify(item.type)}: this provider's adapter translates only function tools.`, `${where}.type`);
}

/** The `function` of `tools[i]` (`where`), named; a tool of another kind cannot be translated. */
export function functionOfTool(tool: unknown, where: string): JsonObject & { name: string } {
  const other = otherKind(tool, where);
  if (other) throw other;
  const fn = isJsonObject(tool) && tool.type === 'function' ? tool.function : undefined;
  if (!isJsonObject(fn) || typeof fn.name !== 'string') throw invalidRequest(`${where} must be a function tool with a name.`, where);
  return fn as JsonObject & { name: string };
}

/** The `function` of an assistant message's tool call (`where`), named; a call of another kind cannot be translated. */
export function functionOfToolCall(call: unknown, where: string): JsonObject & { name: string } {
  const other = otherKind(call, where);
  if (other) throw other;
  const fn = isJsonObject(call) ? call.function : undefined;
  if (!isJsonObject(fn) || typeof fn.name !== 'string') throw invalidRequest(`${where}.function.name must be a string.`, `${where}.function.name`);
  return fn as JsonObject & { name: string };
}

/**
 * The function a `tool_choice` object names (`{"type": "function", "function": {"name"}}`), or
 * undefined when it is not one; a choice of another kind cannot be translated.
 */
export function namedFunctionChoice(choice: unknown): string | undefined {
  const other = otherKind(choice, 'tool_choice');
  if (other) throw other;
  if (isJsonObject(choice) && choice.type === 'function' && isJsonObject(choice.function) && typeof choice.function.name === 'string') return choice.function.name;
  return undefined;
}

/**
 * Output the client asked for that the adapter's provider cannot give: token log probabilities
 * (`logprobs: true`, `top_logprobs`) or audio (`modalities` with "audio", `audio`). Dropped, the
 * answer would come back without what was asked for, with no sign of it; refused, the chain passes
 * the deployment over for one that gives it. (Parameters that only steer an answer, such as
 * `seed` or `logit_bias`, are left out where a provider has no equivalent.)
 */
export function refuseUngivenOutput(body: JsonObject, provider: string, gives: { logprobs?: boolean } = {}): void {
  if (body.logprobs === true || (typeof body.top_logprobs === 'number' && body.top_logprobs > 0)) {
    const param = body.logprobs === true ? 'logprobs' : 'top_logprobs';
    if (gives.logprobs !== true) throw cannotTranslate(`${provider} gives no token log probabilities; logprobs cannot be translated.`, param);
    // As at OpenAI: alternatives come only with the chosen tokens' log probabilities.
    if (param === 'top_logprobs') throw invalidRequest('logprobs must be true when top_logprobs is given.', 'top_logprobs');
  }
  const audioModality = Array.isArray(body.modalities) && body.modalities.includes('audio');
  if (audioModality || (body.audio !== undefined && body.audio !== null)) {
    throw cannotTranslate(`${provider} answers in text here; audio output cannot be translated.`, audioModality ? 'modalities' : 'audio');
  }
}

export interface Turn<Block> {
  role: 'user' | 'assistant';
  content: Block[];
}

/**
 * Turns that alternate user/assistant, as Anthropic's and Bedrock's APIs require (OpenAI's does not):
 * consecutive messages of one role, such as the results of parallel tool calls, merge into one turn.
 */
export function alternatingTurns<Block>(): { turns: Turn<Block>[]; push(role: Turn<Block>['role'], blocks: Block[]): void } {
  const turns: Turn<Block>[] = [];
  return {
    turns,
    push(role, blocks) {
      if (blocks.length === 0) return;
      const last = turns.at(-1);
      if (last && last.role === role) last.content.push(...blocks);
      else turns.push({ role, content: blocks });
    },
  };
}

/** How one provider builds its blocks from each kind of canonical message. */
export interface TurnBuilders<Block> {
  /** Names the provider in the error for a role it cannot take (`Anthropic`). */
  provider: string;
  system(content: unknown, param: string): Block[];
  user(content: unknown, param: string): Block[];
  assistant(message: JsonObject, param: string): Block[];
  /** A `tool` message's result, sent in a user turn (with what follows it there, such as a cache point). */
  tool(message: JsonObject, param: string): Block[];
  /** Marks a message's blocks to be cached up to their end (its `cache_control`, cache-marks.ts); a provider that caches by itself has none. */
  mark?(blocks: Block[], mark: JsonObject): void;
}

/**
 * Canonical messages as a system prompt and alternating turns, the shape Anthropic's and Bedrock's
 * APIs share: system and developer messages become `system` blocks, tool results go in user turns.
 */
export function convertToTurns<Block>(messages: JsonObject[], build: TurnBuilders<Block>): { system: Block[]; turns: Turn<Block>[] } {
  const system: Block[] = [];
  const { turns, push } = alternatingTurns<Block>();
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer':
        system.push(...marked(build, message, param, build.system(message.content, `${param}.content`)));
        break;
      case 'user':
        push('user', marked(build, message, param, build.user(message.content, `${param}.content`)));
        break;
      case 'assistant':
        push('assistant', marked(build, message, param, build.assistant(message, param)));
        break;
      case 'tool':
        push('user', marked(build, message, param, build.tool(message, param)));
        break;
      default:
        throw cannotTranslate(`${param}.role ${JSON.stringify(message.role)} cannot be translated for ${build.provider}.`, `${param}.role`);
    }
  });
  return { system, turns };
}

/** A message's blocks, marked to be cached up to their end when the message says so and the provider takes marks. */
function marked<Block>(build: TurnBuilders<Block>, message: JsonObject, param: string, blocks: Block[]): Block[] {
  if (build.mark === undefined || message.cache_control === undefined) return blocks;
  const mark = cacheMarkOf(message, param);
  if (mark !== undefined && blocks.length > 0) build.mark(blocks, mark);
  return blocks;
}
