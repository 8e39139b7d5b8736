/**
 * An answer plan rendered as OpenAI's stream: the `data:` payloads of `chat.completion.chunk`
 * events, in order, without the final `[DONE]` (the writer adds it, or does not, per fault).
 * Shapes follow OpenAI's: a role chunk first, content a word or two per chunk, tool-call arguments
 * in pieces after a header delta, a finish chunk with an empty delta, then usage when asked for.
 */
import type { JsonObject } from '../types.js';
import { SYSTEM_FINGERPRINT, type AnswerPlan } from './mock-completion.js';
import { chatLogprobs, tokensOf } from './mock-logprobs.js';
import { randomId } from './random-id.js';

/** Words per content chunk. */
export const WORDS_PER_CHUNK = 2;
/** Characters of tool-call arguments per chunk. */
const ARGUMENT_CHARS_PER_CHUNK = 8;

export interface StreamOptions {
  /** `stream_options.include_usage`: every chunk carries `usage: null`, and a last chunk carries the usage. */
  includeUsage: boolean;
  /**
   * OpenAI's stream obfuscation (on unless `stream_options.include_obfuscation` is false): every
   * delta chunk ends in an `obfuscation` field of random characters, of random length, so that
   * chunk sizes do not give away the tokens.
   */
  obfuscate: boolean;
}

/** Longest `obfuscation` padding. */
const MAX_PADDING = 16;

export function buildStreamChunks(plan: AnswerPlan, options: StreamOptions): string[] {
  const base: JsonObject = { id: plan.id, object: 'chat.completion.chunk', created: plan.created, model: plan.model, system_fingerprint: SYSTEM_FINGERPRINT };
  const chunk = (choices: JsonObject[], extra?: JsonObject): string =>
    JSON.stringify({ ...base, choices, ...(options.includeUsage ? { usage: null } : {}), ...(options.obfuscate && choices.length > 0 ? { obfuscation: padding() } : {}), ...extra });
  const forEachChoice = (delta: JsonObject, finishReason: string | null = null, logprobs: JsonObject | null = null): string =>
    chunk(Array.from({ length: plan.choices }, (_, index) => ({ index, delta, logprobs, finish_reason: finishReason })));

  const out: string[] = [];
  const call = plan.toolCall;
  if (call) {
    const header = { index: 0, id: call.id, type: 'function', function: { name: call.name, arguments: '' } };
    out.push(forEachChoice({ role: 'assistant', content: null, tool_calls: [header], refusal: null }));
    for (const piece of slices(call.arguments, ARGUMENT_CHARS_PER_CHUNK)) {
      out.push(forEachChoice({ tool_calls: [{ index: 0, function: { arguments: piece } }] }));
    }
  } else {
    out.push(forEachChoice({ role: 'assistant', content: '', refusal: null }));
    for (const piece of wordGroups(plan.content ?? '', WORDS_PER_CHUNK)) {
      out.push(forEachChoice({ content: piece }, null, plan.logprobs === undefined ? null : chatLogprobs(piece, plan.logprobs)));
    }
  }
  out.push(forEachChoice({}, plan.finishReason));
  if (options.includeUsage) out.push(chunk([], { usage: plan.usage }));
  return out;
}

/** `text` in groups of `size` words, each with the whitespace before it. */
export function wordGroups(text: string, size: number): string[] {
  const words = tokensOf(text);
  const groups: string[] = [];
  for (let index = 0; index < words.length; index += size) groups.push(words.slice(index, index + size).join(''));
  return groups;
}

function slices(text: string, size: number): string[] {
  const out: string[] = [];
  for (let index = 0; index < text.length; index += size) out.push(text.slice(index, index + size));
  return out;
}

function padding(): string {
  return randomId('', 1 + Math.floor(Math.random() * MAX_PADDING));
}
