/**
 * OpenAI's chat stream (SSE of `chat.completion.chunk` objects, ending with `data: [DONE]`) read
 * into canonical chunks. The chunk text is forwarded as is; it is parsed only to learn whether it
 * carries content, a finish reason, usage, or an in-band error, and not even that when it is the
 * last token chunk with another token in it (frame-content-chunk.ts). Each event is read as the
 * SSE parser yields it (readSseWith): the pass-through stream has no generator of its own.
 */
import { GatewayError } from '../../errors.js';
import { readSseWith, SSE_END, type SseEvent, type SseReader } from '../http/read-sse.js';
import type { TokenFrame } from '../http/token-frame.js';
import type { StreamChunk } from '../types.js';
import { readChunk } from './read-openai-answer.js';
import { fitsContentFrame, frameContentChunk } from './frame-content-chunk.js';
import { mapOpenAIStreamError } from './map-openai-error.js';
import { mapOpenAIFinishReason, parseUpstreamJson, malformedUpstream } from './map-openai-response.js';

/**
 * `usageForGateway`: the gateway asked for the stream's usage on its own account (the client did
 * not): the usage-only chunk that ends such a stream is not handed on as a chunk; its usage rides on
 * the finish chunk before it, which is held until the usage (or the end) comes.
 */
export function openaiStream(body: AsyncIterable<Uint8Array>, secrets: readonly string[], usageForGateway = false): AsyncGenerator<StreamChunk, void> {
  return readSseWith(body, new OpenAIChunkReader(secrets, usageForGateway));
}

class OpenAIChunkReader implements SseReader<StreamChunk> {
  /** The last token chunk read, around its token: most chunks after it are the same but for the token. */
  private frame: TokenFrame | undefined;
  /** A finish chunk waiting for the usage the gateway asked for. */
  private held: StreamChunk | undefined;
  /** Usage that came before any finish chunk (not OpenAI's order): it goes on the next one. */
  private early: StreamChunk['usage'];
  finished = false;

  constructor(
    private readonly secrets: readonly string[],
    private readonly usageForGateway: boolean,
  ) {}

  read(event: SseEvent): StreamChunk | typeof SSE_END | undefined {
    const { data } = event;
    if (data === '[DONE]') {
      if (this.held === undefined) return SSE_END;
      this.finished = true;
      return this.release();
    }
    if (this.frame !== undefined && event.event !== 'error' && fitsContentFrame(this.frame, data)) {
      return { data, hasContent: true, finishReason: undefined, usage: undefined };
    }
    const payload = parseUpstreamJson(data, 'stream chunk');
    if (event.event === 'error' || (isObject(payload) && 'error' in payload)) {
      throw mapOpenAIStreamError(payload, this.secrets);
    }
    const facts = readChunk(payload);
    if (!facts) throw malformedUpstream('The upstream sent a stream chunk that is not a chat.completion.chunk.');
    if (facts.hasContent && facts.finishReason === undefined && facts.usage === undefined) {
      this.frame = frameContentChunk(data, payload as Record<string, unknown>) ?? this.frame;
    }
    const chunk: StreamChunk = {
      data,
      hasContent: facts.hasContent,
      finishReason: facts.finishReason ? mapOpenAIFinishReason(facts.finishReason) : undefined,
      usage: facts.usage,
    };
    return this.usageForGateway ? this.withheld(chunk, payload) : chunk;
  }

  /** What to hand on when the usage is the gateway's: finish chunks wait for it, the usage-only chunk goes on them. */
  private withheld(chunk: StreamChunk, payload: unknown): StreamChunk | undefined {
    if (chunk.usage !== undefined && isUsageOnly(payload)) {
      const held = this.release();
      if (held === undefined) this.early = chunk.usage;
      return held && { ...held, usage: chunk.usage };
    }
    if (chunk.finishReason === undefined) return chunk;
    // Several choices finish one by one: the one before goes on now.
    const before = this.release();
    this.held = chunk;
    return before;
  }

  private release(): StreamChunk | undefined {
    const held = this.held;
    this.held = undefined;
    if (held === undefined || this.early === undefined || held.usage !== undefined) return held;
    const usage = this.early;
    this.early = undefined;
    return { ...held, usage };
  }

  ended(): never {
    throw new GatewayError('The upstream stream ended before [DONE].', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
  }
}

/** OpenAI's last chunk when usage is asked for: no choices, only the usage. */
function isUsageOnly(payload: unknown): boolean {
  return isObject(payload) && Array.isArray(payload.choices) && payload.choices.length === 0;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
