/**
 * A `reasoning` input item (an earlier answer's, sent back as a stateless Responses client does)
 * turned into the thinking blocks of the assistant turn it belongs to.
 *
 * - An encrypted_content the gateway made (reasoning-envelope.ts): its blocks become the
 *   `thinking_blocks`, and their text the `reasoning_content`, of the assistant message that the
 *   next message or function_call item goes into. An output replayed as input has its reasoning
 *   item first, then the message and function calls it led to; the providers that take reasoning
 *   back want it on that turn (Anthropic and Claude on Bedrock: the signed blocks at its start, or
 *   a tool loop goes on without thinking; DeepSeek: its reasoning_content).
 * - Any other encrypted_content (OpenAI's own, which only OpenAI can read), or none: the item is
 *   skipped. Reasoning is the provider's internal state, and the canonical body (Chat Completions)
 *   that an OpenAI-format upstream gets has no place for OpenAI's encrypted reasoning, which is
 *   also what OpenAI's own Chat Completions gets back: none.
 * - Summaries and reasoning text are never sent back as prompt text: they show the client what the
 *   model thought; they were not said in the conversation.
 * - Reasoning that no assistant item follows before the next user, system or tool item (or the end
 *   of the input) is dropped: there is no turn to give it to, and an empty assistant turn made up
 *   to carry it would change the conversation the model sees.
 */
import { z } from 'zod';
import { addThinking, type ThinkingBlock } from '../../providers/canonical/reasoning.js';
import type { JsonObject } from '../../providers/types.js';
import { isJsonObject } from '../../providers/read-payload.js';
import { failFastList, parseField } from '../parse-field.js';
import { decodeReasoning } from './reasoning-envelope.js';

/** A cheap test for failFastList: a `{type, text}` part of the type. */
const textOf =
  (type: string) =>
  (value: unknown): boolean =>
    isJsonObject(value) && value.type === type && typeof value.text === 'string';

const reasoningItemSchema = z.looseObject({
  type: z.literal('reasoning'),
  id: z.string().nullish(),
  summary: failFastList(z.array(z.looseObject({ type: z.literal('summary_text'), text: z.string() })), textOf('summary_text')),
  content: failFastList(z.array(z.looseObject({ type: z.literal('reasoning_text'), text: z.string() })), textOf('reasoning_text')).nullish(),
  encrypted_content: z.string().nullish(),
});

/** The thinking blocks a reasoning input item gives back: none unless the gateway made its encrypted_content. */
export function readReasoningItem(raw: unknown, path: readonly (string | number)[]): ThinkingBlock[] {
  const item = parseField(reasoningItemSchema, raw, path);
  if (item.encrypted_content == null) return [];
  return decodeReasoning(item.encrypted_content, [...path, 'encrypted_content']) ?? [];
}

/** Gives an assistant message the blocks of the reasoning items read before it (after any it was given already), and empties `pending`. */
export function attachReasoning(message: JsonObject, pending: ThinkingBlock[]): void {
  if (pending.length === 0) return;
  addThinking(message, pending);
  pending.length = 0;
}
