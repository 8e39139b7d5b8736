/**
 * Which OpenAI chunks frame the chunks after them (../http/token-frame.ts): a chunk with one choice
 * whose token is its non-empty `content`, or its one tool call's non-empty `arguments` (a legacy
 * completion chunk: its choice's non-empty `text`), and which
 * the stream has read as carrying content with no finish reason and no usage. A chunk that fits its
 * frame reads the same: content, no finish, no usage.
 */
import { fitToken, frameToken, lastStringValue, type TokenFrame } from '../http/token-frame.js';
import { isJsonObject } from '../read-payload.js';

type JsonRecord = Record<string, unknown>;

/** The frame of `text`, parsed as `payload` and read as content with no finish and no usage; undefined when it has none. */
export function frameContentChunk(text: string, payload: JsonRecord): TokenFrame | undefined {
  const token = tokenOf(payload);
  return token === undefined ? undefined : frameToken(text, token.key, token.value, lastStringValue(payload));
}

/** Whether `text` is `frame` with other tokens (and padding): a chunk with content, no finish and no usage. */
export function fitsContentFrame(frame: TokenFrame, text: string): boolean {
  return fitToken(frame, text) > 0;
}

/** The token a chunk carries: its one choice's non-empty `content`, its one tool call's non-empty `arguments`, or its choice's non-empty `text`. */
function tokenOf(payload: JsonRecord): { key: string; value: string } | undefined {
  const { choices } = payload;
  if (!Array.isArray(choices) || choices.length !== 1) return undefined;
  const choice: unknown = choices[0];
  if (isJsonObject(choice) && typeof choice.text === 'string' && choice.text !== '') return { key: 'text', value: choice.text };
  const delta = isJsonObject(choice) ? choice.delta : undefined;
  if (!isJsonObject(delta)) return undefined;
  if (typeof delta.content === 'string' && delta.content !== '') return { key: 'content', value: delta.content };
  const calls = delta.tool_calls;
  if (!Array.isArray(calls) || calls.length !== 1 || !isJsonObject(calls[0])) return undefined;
  const call = calls[0].function;
  const args = isJsonObject(call) ? call.arguments : undefined;
  return typeof args === 'string' && args !== '' ? { key: 'arguments', value: args } : undefined;
}
