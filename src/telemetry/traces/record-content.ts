/**
 * Message contents for `gen_ai.input.messages` / `gen_ai.output.messages` (only with
 * `capture_content: true`), in the GenAI conventions' parts shape, with the logger's redaction
 * ideas applied: no field named like a credential, and credential-looking text (and the configured
 * provider keys) scrubbed. Media parts are named by type only; long values are cut.
 */
import { scrubSecrets } from '../../providers/http/scrub-secrets.js';
import type { JsonObject } from '../../providers/types.js';
import type { RequestContent } from '../request-event.js';

/** Longest text kept per part: a span is not a transcript store. */
export const MAX_CONTENT_CHARS = 16 * 1024;

/** Field names never recorded whatever they hold (as the logger's REDACT_PATHS, by name). */
const SECRET_FIELDS = /^(api[_-]?key|authorization|x-api-key|secret|password|token|access[_-]?token|secret[_-]?access[_-]?key|session[_-]?token)$/i;

type Part = Record<string, string>;
interface Message {
  role: string;
  parts: Part[];
  finish_reason?: string;
}

export interface ContentAttributes {
  input: string;
  output?: string;
}

/** The two attributes as JSON strings (OTLP attributes hold no nested objects), or undefined parts when absent. */
export function recordContent(content: RequestContent, secrets: readonly string[]): ContentAttributes {
  const clean = (text: string) => cut(scrubSecrets(text, secrets));
  const input = content.input.map((message) => inputMessage(message, clean));
  const output = content.output === undefined ? undefined : outputMessages(content.output, clean);
  return output ? { input: JSON.stringify(input), output: JSON.stringify(output) } : { input: JSON.stringify(input) };
}

function inputMessage(message: JsonObject, clean: (text: string) => string): Message {
  const role = typeof message.role === 'string' ? message.role : 'user';
  const parts: Part[] = [];
  if (role === 'tool') {
    parts.push({ type: 'tool_call_response', id: String(message.tool_call_id ?? ''), result: clean(textOf(message.content)) });
    return { role, parts };
  }
  parts.push(...contentParts(message.content, clean));
  parts.push(...toolCallParts(message.tool_calls, clean));
  return { role, parts };
}

function outputMessages(completion: string, clean: (text: string) => string): Message[] | undefined {
  let parsed: unknown;
  try {
    parsed = JSON.parse(completion);
  } catch {
    return undefined;
  }
  const choices = isObject(parsed) && Array.isArray(parsed.choices) ? parsed.choices : [];
  return choices.filter(isObject).map((choice) => {
    const message = isObject(choice.message) ? choice.message : {};
    const parts = [...contentParts(message.content, clean), ...toolCallParts(message.tool_calls, clean)];
    const out: Message = { role: typeof message.role === 'string' ? message.role : 'assistant', parts };
    if (typeof choice.finish_reason === 'string') out.finish_reason = choice.finish_reason;
    return out;
  });
}

function contentParts(content: unknown, clean: (text: string) => string): Part[] {
  if (typeof content === 'string') return [{ type: 'text', content: clean(content) }];
  if (!Array.isArray(content)) return [];
  return content.filter(isObject).map((part): Part => {
    if (part.type === 'text' && typeof part.text === 'string') return { type: 'text', content: clean(part.text) };
    // Images, audio and files: their type only (a base64 image is no trace attribute).
    return { type: String(part.type ?? 'unknown') };
  });
}

function toolCallParts(toolCalls: unknown, clean: (text: string) => string): Part[] {
  if (!Array.isArray(toolCalls)) return [];
  return toolCalls.filter(isObject).map((call) => {
    const fn = isObject(call.function) ? call.function : {};
    return { type: 'tool_call', id: String(call.id ?? ''), name: String(fn.name ?? ''), arguments: clean(redactArguments(fn.arguments)) };
  });
}

/** Tool arguments are JSON: a field named like a credential is blanked, whatever it holds. */
function redactArguments(args: unknown): string {
  const text = typeof args === 'string' ? args : JSON.stringify(args ?? '');
  try {
    return JSON.stringify(JSON.parse(text), (key, value: unknown) => (key !== '' && SECRET_FIELDS.test(key) ? '[redacted]' : value));
  } catch {
    return text;
  }
}

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  if (Array.isArray(content)) return content.filter(isObject).map((part) => (typeof part.text === 'string' ? part.text : '')).join('');
  return '';
}

function cut(text: string): string {
  return text.length > MAX_CONTENT_CHARS ? `${text.slice(0, MAX_CONTENT_CHARS)}…[truncated]` : text;
}

function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
