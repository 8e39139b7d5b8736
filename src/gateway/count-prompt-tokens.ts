/**
 * Counts a chat request's prompt tokens before any call, so a deployment whose context window
 * cannot hold it is skipped rather than called (proactive context_overflow). The count uses a real
 * BPE tokenizer (o200k, GPT-4o's); other model families tokenize differently, so the figure is an
 * estimate, not a bill. The tokenizer loads on first use; a cheap upper bound avoids running it
 * when every window is clearly large enough. It runs on the event loop, so it is given text in
 * short pieces, and a long count gives the loop a turn now and then: a client's text cannot make
 * it stall the other requests.
 */
import type { ChatBody, Usage } from '../providers/types.js';

/** Per-message framing tokens (role, separators), as OpenAI documents for its chat models. */
const TOKENS_PER_MESSAGE = 4;
/** A low-detail image costs this many tokens on OpenAI's models; higher detail costs more. */
const TOKENS_PER_IMAGE = 85;

type CountTokens = (text: string) => number;
let tokenizer: Promise<CountTokens> | undefined;

function loadTokenizer(): Promise<CountTokens> {
  tokenizer ??= import('gpt-tokenizer/encoding/o200k_base').then((module) => module.countTokens);
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
 * Text the tokenizer counts between two turns it gives the event loop: some 15 ms of its time at
 * its slowest (about 0.5 s a MB), so a large prompt delays the other requests by that, not by its
 * whole count (16 MB to /v1/messages/count_tokens held them for 7 s).
 */
export const CHARS_PER_TURN = 32 * 1024;

/**
 * `text` in pieces of at most MAX_PIECE_CHARS, so the tokenizer's cost grows with the text's
 * length, never its square. A cut before whitespace leaves the count as it was (the tokenizer
 * splits there too); a cut inside a longer run adds about one token, which an estimate can take.
 */
export function* piecesOf(text: string): Generator<string> {
  let start = 0;
  while (text.length - start > MAX_PIECE_CHARS) {
    let end = start + MAX_PIECE_CHARS;
    let cut = end;
    while (cut > start + MIN_PIECE_CHARS && !isWhitespace(text.charCodeAt(cut))) cut--;
    if (cut > start + MIN_PIECE_CHARS) end = cut;
    // Never between the two halves of a surrogate pair.
    else if (isHighSurrogate(text.charCodeAt(end - 1))) end--;
    yield text.slice(start, end);
    start = end;
  }
  yield start === 0 ? text : text.slice(start);
}

function isWhitespace(code: number): boolean {
  return code === 32 || code === 10 || code === 9 || code === 13;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

/** One count's texts, given to the tokenizer in pieces, with a turn for the event loop after each CHARS_PER_TURN of them. */
class Counting {
  tokens = 0;
  private sinceTurn = 0;

  constructor(private readonly count: CountTokens) {}

  async add(text: string): Promise<void> {
    for (const piece of piecesOf(text)) {
      this.tokens += this.count(piece);
      this.sinceTurn += piece.length;
      if (this.sinceTurn >= CHARS_PER_TURN) {
        this.sinceTurn = 0;
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
    }
  }
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
  const counting = new Counting(await loadTokenizer());
  counting.tokens = 3;
  const lastAssistant = body.messages.findLastIndex((message) => message.role === 'assistant');
  for (const [index, message] of body.messages.entries()) {
    counting.tokens += TOKENS_PER_MESSAGE;
    for (const [key, value] of Object.entries(message)) {
      if (index !== lastAssistant && PAST_REASONING.has(key)) continue;
      if (key === 'content') await addContent(counting, value);
      else if (typeof value === 'string') await counting.add(value);
      else if (value !== null && value !== undefined) await counting.add(JSON.stringify(value));
    }
  }
  if (Array.isArray(body.tools)) await counting.add(JSON.stringify(body.tools));
  return counting.tokens;
}

async function addContent(counting: Counting, content: unknown): Promise<void> {
  if (typeof content === 'string') return counting.add(content);
  if (!Array.isArray(content)) return content == null ? undefined : counting.add(JSON.stringify(content));
  for (const part of content as { type?: unknown; text?: unknown }[]) {
    if (part?.type === 'text' && typeof part.text === 'string') await counting.add(part.text);
    else if (part?.type === 'image_url' || part?.type === 'input_image') counting.tokens += TOKENS_PER_IMAGE;
    else await counting.add(JSON.stringify(part));
  }
}

/**
 * What a stream that broke after content probably cost, since it never sent its usage: the prompt
 * counted with the tokenizer, and the output from the content and tool-call arguments handed on
 * (a legacy completion's: `body` is its request as chat, text-api.ts).
 * An estimate (OpenAI's o200k tokenizer, whatever the provider); marked as such where it is used.
 */
export async function estimateStreamUsage(body: ChatBody, chunks: readonly string[] | undefined): Promise<Usage> {
  const inputTokens = await countPromptTokens(body);
  const output = new Counting(await loadTokenizer());
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
  await output.add(text);
  return { inputTokens, outputTokens: output.tokens, cachedInputTokens: 0 };
}
