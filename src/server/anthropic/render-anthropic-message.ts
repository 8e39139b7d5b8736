/**
 * A canonical completion (OpenAI's `chat.completion` JSON text, plus what the gateway read of it)
 * rendered as an Anthropic `message`: thinking blocks (render-anthropic-thinking.ts), then text and
 * tool_use blocks, stop_reason, usage.
 *
 * `stop_sequence` is always null: the canonical answer does not say which sequence matched, only
 * that one did (a stop_reason of `stop_sequence` is kept when the provider said so).
 */
import type { ChatResult, JsonObject } from '../../providers/types.js';
import { anthropicMessageId, anthropicStopReason, anthropicUsage, toolUseId } from './anthropic-answer-parts.js';
import { malformedAnswer, readCanonicalCompletion } from '../read-canonical-answer.js';
import { renderAnthropicThinking } from './render-anthropic-thinking.js';

export function renderAnthropicMessage(result: ChatResult, requestedModel: string): string {
  const { id, model, message, finish, usage } = readCanonicalCompletion(result);

  const content: JsonObject[] = message ? renderAnthropicThinking(message) : [];
  const text = message?.content ?? '';
  const refusal = text === '' ? (message?.refusal ?? '') : '';
  if (text !== '') content.push({ type: 'text', text });
  else if (refusal !== '') content.push({ type: 'text', text: refusal });
  for (const call of message?.tool_calls ?? []) {
    content.push({ type: 'tool_use', id: toolUseId(call.id), name: call.function?.name ?? '', input: toolInput(call.function?.arguments) });
  }

  return JSON.stringify({
    id: anthropicMessageId(id),
    type: 'message',
    role: 'assistant',
    model: model || requestedModel,
    content,
    // OpenAI words a refusal as a `refusal` field beside finish_reason "stop"; Anthropic as a stop_reason.
    stop_reason: refusal !== '' ? 'refusal' : anthropicStopReason(finish),
    stop_sequence: null,
    usage: anthropicUsage(usage),
  });
}

/** Tool-call arguments (JSON text) as the object Anthropic's `input` must be. */
export function toolInput(args: string | null | undefined): JsonObject {
  if (args == null || args.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(args);
  } catch {
    throw malformedAnswer('The model answered a tool call whose arguments are not valid JSON.');
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw malformedAnswer('The model answered a tool call whose arguments are not a JSON object.');
  return value as JsonObject;
}
