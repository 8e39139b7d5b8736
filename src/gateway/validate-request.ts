/** Checks the few fields the gateway itself needs; everything else is the upstream's to judge. */
import { invalidRequest } from '../errors.js';
import type { ChatBody, JsonObject } from '../providers/types.js';

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
  if (object.stream !== undefined && object.stream !== null && typeof object.stream !== 'boolean') {
    throw invalidRequest("'stream' must be true or false.", 'stream', 'invalid_type');
  }
  return object as ChatBody;
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
