/** Checks the few fields the gateway itself needs; everything else is the upstream's to judge. */
import { invalidRequest } from '../errors.js';
import type { ChatBody, CompletionBody, JsonObject } from '../providers/types.js';

export function validateChatBody(body: unknown): ChatBody {
  const object = requireObject(body);
  requireModel(object);
  const messages = object.messages;
  if (messages === undefined) throw invalidRequest("Missing required parameter: 'messages'.", 'messages', 'missing_required_parameter');
  if (!Array.isArray(messages)) throw invalidRequest("'messages' must be an array of message objects.", 'messages', 'invalid_type');
  if (messages.length === 0) throw invalidRequest("'messages' must contain at least one message.", 'messages', 'empty_array');
  for (let i = 0; i < messages.length; i++) {
    const message: unknown = messages[i];
    if (typeof message !== 'object' || message === null || Array.isArray(message)) {
      throw invalidRequest(`'messages[${i}]' must be an object.`, `messages[${i}]`, 'invalid_type');
    }
    if (typeof (message as JsonObject).role !== 'string') {
      throw invalidRequest(`'messages[${i}].role' must be a string such as "user".`, `messages[${i}].role`, 'invalid_type');
    }
  }
  requireStreamFlag(object);
  return object as ChatBody;
}

/** A legacy completion: `prompt` is a string, or an array of strings, of token ids, or of arrays of token ids. */
export function validateCompletionBody(body: unknown): CompletionBody {
  const object = requireObject(body);
  requireModel(object);
  const prompt = object.prompt;
  if (prompt === undefined) throw invalidRequest("Missing required parameter: 'prompt'.", 'prompt', 'missing_required_parameter');
  if (typeof prompt !== 'string') {
    if (!Array.isArray(prompt)) throw invalidRequest("'prompt' must be a string, an array of strings, or an array of token ids.", 'prompt', 'invalid_type');
    if (prompt.length === 0) throw invalidRequest("'prompt' must not be an empty array.", 'prompt', 'empty_array');
    if (!prompt.every((item) => typeof item === 'string') && !prompt.every(isTokenId) && !prompt.every(isTokenArray)) {
      throw invalidRequest("'prompt' must be a string, an array of strings, an array of token ids, or an array of such arrays.", 'prompt', 'invalid_type');
    }
  }
  requireStreamFlag(object);
  return object as CompletionBody;
}

export function validateEmbeddingsBody(body: unknown): JsonObject & { model: string } {
  const object = requireObject(body);
  requireModel(object);
  const input = object.input;
  if (input === undefined) throw invalidRequest("Missing required parameter: 'input'.", 'input', 'missing_required_parameter');
  if (typeof input !== 'string' && !Array.isArray(input)) {
    throw invalidRequest("'input' must be a string or an array.", 'input', 'invalid_type');
  }
  if (Array.isArray(input) && input.length === 0) throw invalidRequest("'input' must not be empty.", 'input', 'empty_array');
  return object as JsonObject & { model: string };
}

function requireObject(body: unknown): JsonObject {
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw invalidRequest('The request body must be a JSON object.', null, 'invalid_body');
  }
  return body as JsonObject;
}

function requireModel(object: JsonObject): void {
  if (object.model === undefined) throw invalidRequest("Missing required parameter: 'model'.", 'model', 'missing_required_parameter');
  if (typeof object.model !== 'string' || object.model === '') throw invalidRequest("'model' must be a non-empty string.", 'model', 'invalid_type');
}

function requireStreamFlag(object: JsonObject): void {
  if (object.stream !== undefined && object.stream !== null && typeof object.stream !== 'boolean') {
    throw invalidRequest("'stream' must be true or false.", 'stream', 'invalid_type');
  }
}

function isTokenId(value: unknown): boolean {
  return Number.isInteger(value) && (value as number) >= 0;
}

function isTokenArray(value: unknown): boolean {
  return Array.isArray(value) && value.length > 0 && value.every(isTokenId);
}
