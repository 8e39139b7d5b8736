/**
 * OpenAI's chat stream (SSE of `chat.completion.chunk` objects, ending with `data: [DONE]`) read
 * into canonical chunks. The chunk text is forwarded as is; it is parsed only to learn whether it
 * carries content, a finish reason, usage, or an in-band error, and not even that when it is the
 * last token chunk with another token in it (frame-content-chunk.ts).
 */
import { GatewayError } from '../../errors.js';
import type { SseEvent } from '../http/read-sse.js';
import type { StreamChunk } from '../types.js';
import { readChunk } from './read-openai-answer.js';
import { fitsContentFrame, frameContentChunk } from './frame-content-chunk.js';
import type { TokenFrame } from '../http/token-frame.js';
import { mapOpenAIStreamError } from './map-openai-error.js';
import { mapOpenAIFinishReason, parseUpstreamJson, malformedUpstream } from './map-openai-response.js';

export async function* openaiStream(events: AsyncIterable<SseEvent>, secrets: readonly string[]): AsyncGenerator<StreamChunk, void> {
  let frame: TokenFrame | undefined;
  for await (const event of events) {
    if (event.data === '[DONE]') return;
    if (frame !== undefined && event.event !== 'error' && fitsContentFrame(frame, event.data)) {
      yield { data: event.data, hasContent: true, finishReason: undefined, usage: undefined };
      continue;
    }
    const payload = parseUpstreamJson(event.data, 'stream chunk');
    if (event.event === 'error' || (isObject(payload) && 'error' in payload)) {
      throw mapOpenAIStreamError(payload, secrets);
    }
    const facts = readChunk(payload);
    if (!facts) throw malformedUpstream('The upstream sent a stream chunk that is not a chat.completion.chunk.');
    if (facts.hasContent && facts.finishReason === undefined && facts.usage === undefined) {
      frame = frameContentChunk(event.data, payload as Record<string, unknown>) ?? frame;
    }
    yield {
      data: event.data,
      hasContent: facts.hasContent,
      finishReason: facts.finishReason ? mapOpenAIFinishReason(facts.finishReason) : undefined,
      usage: facts.usage,
    };
  }
  throw new GatewayError('The upstream stream ended before [DONE].', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
