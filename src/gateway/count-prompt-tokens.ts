/**
 * Counts a chat request's prompt tokens before any call, so a deployment whose context window
 * cannot hold it is skipped rather than called (proactive context_overflow). The count uses a real
 * BPE tokenizer (o200k, GPT-4o's); other model families tokenize differently, so the figure is an
 * estimate, not a bill. The tokenizer loads on first use; a cheap upper bound avoids running it
 * when every window is clearly large enough.
 */
import type { ChatBody, Usage } from '../providers/types.js';

/** Per-message framing tokens (role, separators), as OpenAI documents for its chat models. */
const TOKENS_PER_MESSAGE = 4;
/** A low-detail image costs this many tokens on OpenAI's models; higher detail costs more. */
const TOKENS_PER_IMAGE = 85;

type CountTokens = (text: string) => number;
let tokenizer: Promise<CountTokens> | undefined;

function loadTokenizer(): Promise<CountTokens> {
  tokenizer ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => (text: string) => countInPieces(module.countTokens, text));
  return tokenizer;
}

/**
 * The longest text the tokenizer is given at once. Its merges cost the square of a word's length,
 * and a run with no break in it is one word: 64 KB of one letter took 3.5 s of the event loop,
 * 256 KB took 33 s, so one such prompt (or a stream of it, estimated when its client left) stalled
 * every request the gateway was serving.
 */
export const MAX_PIECE_CHARS = 512;
/** A piece is cut at the last whitespace in its second half, if there is one. */
const MIN_PIECE_CHARS = MAX_PIECE_CHARS / 2;

/**
 * `count` over `text` in pieces of at most MAX_PIECE_CHARS, so its cost grows with the text's
 * length, never its square. A cut before whitespace leaves the count as it was (the tokenizer
 * splits there too); a cut inside a longer run adds about one token, which an estimate can take.
 */
export function countInPieces(count: CountTokens, text: string): number {
  if (text.length <= MAX_PIECE_CHARS) return count(text);
  let tokens = 0;
  let start = 0;
  while (text.length - start > MAX_PIECE_CHARS) {
    let end = start + MAX_PIECE_CHARS;
    let cut = end;
    while (cut > start + MIN_PIECE_CHARS && !isWhitespace(text.charCodeAt(cut))) cut--;
    if (cut > start + MIN_PIECE_CHARS) end = cut;
    // Never between the two halves of a surrogate pair.
    else if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    tokens += count(text.slice(start, end));
    start = end;
  }
  return tokens + count(text.slice(start));
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** Starts loading the tokenizer ahead of the first request that needs it. */
export function preloadTokenizer(): void {
  void loadTokenizer();
}

/** The output tokens the request reserves (max_completion_tokens, else max_tokens), 0 when unset. */
export function requestedOutputTokens(body: ChatBody): number {
  const value = body.max_completion_tokens ?? body.max_tokens;
  return typeof value === 'number' && value > 0 ? value : 0;
}

/** An upper bound on prompt tokens that needs no tokenizer: a token always covers at least one byte. */
export function promptTokenUpperBound(body: ChatBody, bodyBytes: number | undefined): number {
  const bytes = bodyBytes ?? Buffer.byteLength(JSON.stringify(body.messages));
  return bytes + body.messages.length * TOKENS_PER_MESSAGE + 3;
}

/**
 * An assistant message's reasoning as the gateway answered it. Providers drop the reasoning of
 * earlier turns from what the model reads (Anthropic keeps only the turn a tool loop continues), so
 * only the last assistant message's is counted.
 */
const PAST_REASONING = new Set(['reasoning_content', 'thinking_blocks']);

export async function countPromptTokens(body: ChatBody): Promise<number> {
  const count = await loadTokenizer();
  let tokens = 3;
  const lastAssistant = body.messages.findLastIndex((message) => message.role === 'assistant');
  for (const [index, message] of body.messages.entries()) {
    tokens += TOKENS_PER_MESSAGE;
    for (const [key, value] of Object.entries(message)) {
      if (index !== lastAssistant && PAST_REASONING.has(key)) continue;
      if (key === 'content') tokens += contentTokens(value, count);
      else if (typeof value === 'string') tokens += count(value);
      else if (value !== null && value !== undefined) tokens += count(JSON.stringify(value));
    }
  }
  if (Array.isArray(body.tools)) tokens += count(JSON.stringify(body.tools));
  return tokens;
}

function contentTokens(content: unknown, count: CountTokens): number {
  if (typeof content === 'string') return count(content);
  if (!Array.isArray(content)) return content == null ? 0 : count(JSON.stringify(content));
  let tokens = 0;
  for (const part of content as { type?: unknown; text?: unknown }[]) {
    if (part?.type === 'text' && typeof part.text === 'string') tokens += count(part.text);
    else if (part?.type === 'image_url' || part?.type === 'input_image') tokens += TOKENS_PER_IMAGE;
    else tokens += count(JSON.stringify(part));
  }
  return tokens;
}

/**
 * What a stream that broke after content probably cost, since it never sent its usage: the prompt
 * counted with the tokenizer, and the output from the content and tool-call arguments handed on
 * (a legacy completion's: `body` is its request as chat, text-api.ts).
 * An estimate (OpenAI's o200k tokenizer, whatever the provider); marked as such where it is used.
 */
export async function estimateStreamUsage(body: ChatBody, chunks: readonly string[] | undefined): Promise<Usage> {
  const inputTokens = await countPromptTokens(body);
  const count = await loadTokenizer();
  let text = '';
  for (const data of chunks ?? []) {
    try {
      const chunk = JSON.parse(data) as { choices?: Array<{ text?: unknown; delta?: { content?: unknown; tool_calls?: Array<{ function?: { arguments?: unknown } }> } }> };
      for (const choice of chunk.choices ?? []) {
        // A legacy completion's chunk carries its text in `text`.
        if (typeof choice.text === 'string') text += choice.text;
        if (typeof choice.delta?.content === 'string') text += choice.delta.content;
        for (const call of choice.delta?.tool_calls ?? []) if (typeof call.function?.arguments === 'string') text += call.function.arguments;
      }
    } catch {
      // not a canonical chunk: nothing to count
    }
  }
  return { inputTokens, outputTokens: text === '' ? 0 : count(text), cachedInputTokens: 0 };
}
