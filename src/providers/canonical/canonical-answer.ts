/**
 * Builds the canonical (OpenAI Chat Completions) answer from what a translating adapter read of
 * its provider's reply: one place that knows how a completion and a stream chunk look, so every
 * native adapter (Anthropic, Gemini, Bedrock, Cohere) answers clients in exactly the same shape.
 */
import { randomUUID } from 'node:crypto';
import type { FinishReason, JsonObject, StreamChunk, UnifiedFinishReason, Usage } from '../types.js';
import type { ThinkingBlock } from './reasoning.js';

export interface CanonicalToolCall {
  id: string;
  name: string;
  /** The arguments as JSON text. */
  arguments: string;
}

export interface CanonicalAnswer {
  id: string;
  model: string;
  /** Unix seconds; default now. */
  created?: number;
  /** The text answer; null when the answer is only tool calls (or nothing, when filtered). */
  content: string | null;
  toolCalls: CanonicalToolCall[];
  finishReason: FinishReason;
  usage: Usage | undefined;
  /** OpenAI's `logprobs.content` entries, when the request asked and the provider gave them. */
  logprobs?: JsonObject[];
  /** The model's reasoning as text (`reasoning_content`), when the provider gave any. */
  reasoning?: string;
  /** The reasoning as the provider signed it (`thinking_blocks`), for the client to send back in a tool loop. */
  thinkingBlocks?: ThinkingBlock[];
}

/** The OpenAI `finish_reason` a client sees for a unified reason (`other` reads as a plain stop). */
export function openaiFinishReason(unified: UnifiedFinishReason): string {
  return unified === 'other' ? 'stop' : unified;
}

/**
 * Usage in OpenAI's shape; cached input tokens are counted inside prompt_tokens, and reasoning
 * tokens (where the provider counts them apart) inside completion_tokens, as OpenAI counts them.
 * Tokens written to a prompt cache (Anthropic's, Bedrock's) are `prompt_tokens_details.cache_write_tokens`,
 * as OpenRouter gives them, when there are any.
 */
export function openaiUsage(usage: Usage): JsonObject {
  const details: JsonObject = { cached_tokens: usage.cachedInputTokens };
  if (usage.cacheWriteInputTokens !== undefined) details.cache_write_tokens = usage.cacheWriteInputTokens;
  const out: JsonObject = {
    prompt_tokens: usage.inputTokens,
    completion_tokens: usage.outputTokens,
    total_tokens: usage.inputTokens + usage.outputTokens,
    prompt_tokens_details: details,
  };
  if (usage.reasoningTokens !== undefined) out.completion_tokens_details = { reasoning_tokens: usage.reasoningTokens };
  return out;
}

/** A `chat.completion` object for one choice. */
export function completionJson(answer: CanonicalAnswer): JsonObject {
  const message: JsonObject = { role: 'assistant', content: answer.content, refusal: null };
  if (answer.reasoning !== undefined) message.reasoning_content = answer.reasoning;
  if (answer.thinkingBlocks !== undefined && answer.thinkingBlocks.length > 0) message.thinking_blocks = answer.thinkingBlocks;
  if (answer.toolCalls.length > 0) {
    message.tool_calls = answer.toolCalls.map((call) => ({ id: call.id, type: 'function', function: { name: call.name, arguments: call.arguments } }));
  }
  const completion: JsonObject = {
    id: answer.id,
    object: 'chat.completion',
    created: answer.created ?? nowSeconds(),
    model: answer.model,
    choices: [{ index: 0, message, logprobs: answer.logprobs ? { content: answer.logprobs, refusal: null } : null, finish_reason: openaiFinishReason(answer.finishReason.unified) }],
  };
  if (answer.usage) completion.usage = openaiUsage(answer.usage);
  return completion;
}

/** A made-up completion id for a provider whose reply carries none. */
export function syntheticId(): string {
  return `chatcmpl-${randomUUID().replaceAll('-', '')}`;
}

/**
 * Emits canonical `chat.completion.chunk`s for one streamed choice, in OpenAI's order: a role
 * chunk, content and tool-call deltas, a finish chunk, then (when the client asked with
 * `stream_options.include_usage`) a usage chunk. Usage always reaches the gateway on the
 * StreamChunk, whether or not the client sees it.
 */
export class ChunkBuilder {
  private readonly base: JsonObject;
  /**
   * A chunk's JSON up to its delta (`{"id":…,"model":…,"choices":[{"index":0,"delta":`) and after
   * its finish reason, made once: a chunk is its delta's JSON between them. Spreading the base into
   * a new object and serialising it whole for every chunk was most of what a translated stream
   * allocated per event.
   */
  private readonly head: string;
  private readonly tail: string;
  private readonly includeUsage: boolean;
  private started = false;
  private readonly toolIndexes = new Map<string, number>();

  constructor(options: { id: string; model: string; created?: number; includeUsage: boolean }) {
    this.base = { id: options.id, object: 'chat.completion.chunk', created: options.created ?? nowSeconds(), model: options.model };
    this.head = `${JSON.stringify(this.base).slice(0, -1)},"choices":[{"index":0,"delta":`;
    // Until the usage chunk, a client that asked for usage sees `usage: null` on every chunk (as OpenAI sends).
    this.tail = options.includeUsage ? '}],"usage":null}' : '}]}';
    this.includeUsage = options.includeUsage;
  }

  /** The opening chunk (`role: assistant`); emitted once, before the first delta. Later calls return nothing. */
  start(): StreamChunk[] {
    if (this.started) return [];
    this.started = true;
    return [this.chunk({ role: 'assistant', content: '' }, false)];
  }

  /** A piece of answer text, with its tokens' `logprobs.content` entries when the request asked for them. */
  text(text: string, logprobs?: JsonObject[]): StreamChunk[] {
    return text === '' ? [] : this.quotedText(JSON.stringify(text), logprobs && JSON.stringify({ content: logprobs, refusal: null }));
  }

  /**
   * `text` with its JSON string already written, quotes included (`"Hello"`): an upstream's own
   * escaping of a non-empty text, passed on without decoding it and encoding it again.
   */
  quotedText(quoted: string, logprobsJson = 'null'): StreamChunk[] {
    const out = this.start();
    out.push(this.chunkOf(`{"content":${quoted}}`, true, null, logprobsJson));
    return out;
  }

  /** A piece of the model's reasoning text (`reasoning_content`). */
  reasoning(text: string): StreamChunk[] {
    if (text === '') return [];
    const out = this.start();
    out.push(this.chunkOf(`{"reasoning_content":${JSON.stringify(text)}}`, true));
    return out;
  }

  /** A whole signed thinking block (`thinking_blocks`), once the provider has closed it. */
  thinkingBlock(block: ThinkingBlock): StreamChunk[] {
    const out = this.start();
    out.push(this.chunk({ thinking_blocks: [block] }, true));
    return out;
  }

  /** The first delta of a tool call, by the provider's own key for it (its block index or id). */
  toolCallStart(key: string, id: string, name: string): StreamChunk[] {
    const index = this.toolIndexes.size;
    this.toolIndexes.set(key, index);
    const out = this.start();
    out.push(this.chunk({ tool_calls: [{ index, id, type: 'function', function: { name, arguments: '' } }] }, true));
    return out;
  }

  /** A piece of a started tool call's arguments (JSON text). */
  toolCallArguments(key: string, piece: string): StreamChunk[] {
    const index = this.toolIndexes.get(key);
    if (index === undefined || piece === '') return [];
    return [this.chunk({ tool_calls: [{ index, function: { arguments: piece } }] }, true)];
  }

  /** The finish chunk, then the usage chunk when the client asked for one. */
  finish(reason: FinishReason, usage: Usage | undefined): StreamChunk[] {
    const out = this.start();
    const finishChunk = this.chunk({}, false, openaiFinishReason(reason.unified));
    finishChunk.finishReason = reason;
    if (!this.includeUsage || usage === undefined) {
      finishChunk.usage = usage;
      out.push(finishChunk);
      return out;
    }
    out.push(finishChunk);
    out.push({ data: JSON.stringify({ ...this.base, choices: [], usage: openaiUsage(usage) }), hasContent: false, finishReason: undefined, usage });
    return out;
  }

  /** The same JSON as `{...base, choices: [{ index: 0, delta, logprobs: null, finish_reason }], usage: null (when asked)}`. */
  private chunk(delta: JsonObject, hasContent: boolean, finishReason: string | null = null): StreamChunk {
    return this.chunkOf(JSON.stringify(delta), hasContent, finishReason);
  }

  /** {@link chunk} with the delta's JSON already written. */
  private chunkOf(deltaJson: string, hasContent: boolean, finishReason: string | null = null, logprobsJson = 'null'): StreamChunk {
    const finish = finishReason === null ? 'null' : JSON.stringify(finishReason);
    return { data: `${this.head}${deltaJson},"logprobs":${logprobsJson},"finish_reason":${finish}${this.tail}`, hasContent, finishReason: undefined, usage: undefined };
  }
}

/** Whether the canonical request asked for a usage chunk at the end of the stream. */
export function wantsUsage(body: JsonObject): boolean {
  const options = body.stream_options;
  return typeof options === 'object' && options !== null && (options as JsonObject).include_usage === true;
}

function nowSeconds(): number {
  return Math.floor(Date.now() / 1000);
}
