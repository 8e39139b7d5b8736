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

export function openaiStream(body: AsyncIterable<Uint8Array>, secrets: readonly string[]): AsyncGenerator<StreamChunk, void> {
  return readSseWith(body, new OpenAIChunkReader(secrets));
}

class OpenAIChunkReader implements SseReader<StreamChunk> {
  /** The last token chunk read, around its token: most chunks after it are the same but for the token. */
  private frame: TokenFrame | undefined;

  constructor(private readonly secrets: readonly string[]) {}

  read(event: SseEvent): StreamChunk | typeof SSE_END {
    const { data } = event;
    if (data === '[DONE]') return SSE_END;
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
    return {
      data,
      hasContent: facts.hasContent,
      finishReason: facts.finishReason ? mapOpenAIFinishReason(facts.finishReason) : undefined,
      usage: facts.usage,
    };
  }

  ended(): never {
    throw new GatewayError('The upstream stream ended before [DONE].', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
  }
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
