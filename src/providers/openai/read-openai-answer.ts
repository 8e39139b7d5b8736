/**
 * The few fields of a pass-through answer the gateway reads (id, model, finish reasons, usage, and
 * whether a chunk carries content), read by hand rather than through a schema: this runs on every
 * completion and every stream chunk, and a schema would copy each object it checks. An answer
 * whose fields have the wrong types reads as undefined (the caller's malformed-upstream error).
 */
import type { Usage } from '../types.js';
import type { OpenAIUsage } from './openai-api.js';
import { mapOpenAIUsage } from './map-openai-response.js';

type JsonRecord = Record<string, unknown>;

const INVALID = Symbol('invalid');

export interface CompletionFacts {
  id: string;
  model: string;
  /** One per choice, as sent (null while a choice has none). */
  finishReasons: (string | null)[];
  usage: Usage | undefined;
}

export interface ChunkFacts {
  /** Text, a refusal, a tool call or a function call in some choice's delta (a legacy completion chunk: its choice's `text`). */
  hasContent: boolean;
  /** The last non-empty finish reason among the choices. */
  finishReason: string | undefined;
  usage: Usage | undefined;
}

export function readCompletion(value: unknown): CompletionFacts | undefined {
  if (!isRecord(value) || typeof value.id !== 'string' || typeof value.model !== 'string' || !Array.isArray(value.choices)) return undefined;
  const finishReasons: (string | null)[] = [];
  for (const choice of value.choices as unknown[]) {
    if (!isRecord(choice)) return undefined;
    const reason = optionalString(choice.finish_reason);
    if (reason === INVALID) return undefined;
    finishReasons.push(reason ?? null);
  }
  const usage = readUsage(value.usage);
  if (usage === INVALID) return undefined;
  return { id: value.id, model: value.model, finishReasons, usage };
}

export function readChunk(value: unknown): ChunkFacts | undefined {
  if (!isRecord(value)) return undefined;
  let hasContent = false;
  let finishReason: string | undefined;
  const { choices } = value;
  if (choices !== undefined && choices !== null) {
    if (!Array.isArray(choices)) return undefined;
    for (const choice of choices as unknown[]) {
      if (!isRecord(choice)) return undefined;
      const reason = optionalString(choice.finish_reason);
      if (reason === INVALID) return undefined;
      if (reason) finishReason = reason;
      if (typeof choice.text === 'string' && choice.text !== '') hasContent = true;
      const { delta } = choice;
      if (delta === undefined || delta === null) continue;
      if (!isRecord(delta)) return undefined;
      if (delta.content || delta.refusal || (Array.isArray(delta.tool_calls) && delta.tool_calls.length > 0) || delta.function_call) hasContent = true;
    }
  }
  const usage = readUsage(value.usage);
  if (usage === INVALID) return undefined;
  return { hasContent, finishReason, usage };
}

/** OpenAI's usage object as the canonical Usage; undefined when absent, INVALID when not an object of numbers. */
function readUsage(value: unknown): Usage | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined;
  if (!isRecord(value)) return INVALID;
  const input = optionalNumber(value.prompt_tokens);
  const output = optionalNumber(value.completion_tokens);
  const details = value.prompt_tokens_details;
  const cached = isRecord(details) ? optionalNumber(details.cached_tokens) : details === undefined || details === null ? undefined : INVALID;
  if (input === INVALID || output === INVALID || cached === INVALID) return INVALID;
  return mapOpenAIUsage(value as OpenAIUsage);
}

function isRecord(value: unknown): value is JsonRecord {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function optionalString(value: unknown): string | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'string' ? value : INVALID;
}

function optionalNumber(value: unknown): number | undefined | typeof INVALID {
  if (value === undefined || value === null) return undefined;
  return typeof value === 'number' ? value : INVALID;
}
