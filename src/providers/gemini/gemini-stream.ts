/**
 * Gemini's `streamGenerateContent?alt=sse` read into canonical chunks. Each SSE event is a whole
 * GenerateContentResponse holding the next piece of candidate 0 (a function call arrives whole, in
 * one part; thought summaries, when asked for, come as parts marked `thought`, passed on as
 * `reasoning_content` deltas); the last carries the finish reason and usage. There is no closing
 * event: the body ends, and a body that ends before any finish reason was cut. Each event is read
 * as the SSE parser yields it (readSseWith).
 */
import { GatewayError } from '../../errors.js';
import { ChunkBuilder, syntheticId } from '../canonical/canonical-answer.js';
import { readSseWith, type SseEvent, type SseReader } from '../http/read-sse.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { FinishReason, StreamChunk, Usage } from '../types.js';
import { readGenerateContentResponse } from './gemini-api.js';
import { mapGeminiStreamError } from './map-gemini-error.js';
import { logprobsContentOf } from './gemini-logprobs.js';
import { createToolCallIds } from './gemini-tool-call-id.js';
import { blockedFailure, candidateContent, mapGeminiFinishReason, mapGeminiUsage, type ToolCallIds } from './map-gemini-response.js';

export interface GeminiStreamOptions {
  /** The deployment's model, named in chunks when Gemini gives no `modelVersion`. */
  model: string;
  includeUsage: boolean;
  secrets: readonly string[];
}

export function geminiStream(body: AsyncIterable<Uint8Array>, options: GeminiStreamOptions): AsyncGenerator<StreamChunk, void> {
  return readSseWith(body, new GeminiChunkReader(options));
}

/** Reads each event as the SSE parser yields it (readSseWith): the stream has no generator of its own. */
class GeminiChunkReader implements SseReader<StreamChunk> {
  private builder: ChunkBuilder | undefined;
  private ids: ToolCallIds | undefined;
  private toolCalls = 0;
  private sentContent = false;
  private finishRaw: string | undefined;
  private usage: Usage | undefined;

  constructor(private readonly options: GeminiStreamOptions) {}

  read(event: SseEvent): readonly StreamChunk[] | undefined {
    if (event.data.trim() === '') return undefined;
    const { options } = this;
    const payload = parseUpstreamJson(event.data, 'stream event');
    if (typeof payload === 'object' && payload !== null && 'error' in payload) throw mapGeminiStreamError(payload, options.secrets);
    const response = readGenerateContentResponse(payload);
    if (!response) throw malformedUpstream('The upstream sent a stream event that is not a GenerateContentResponse.');
    const ids = (this.ids ??= createToolCallIds(response.responseId));
    const builder = (this.builder ??= new ChunkBuilder({ id: response.responseId ?? syntheticId(), model: response.modelVersion ?? options.model, includeUsage: options.includeUsage }));
    this.usage = mapGeminiUsage(response.usageMetadata) ?? this.usage;

    const candidate = response.candidates?.find((item) => (item.index ?? 0) === 0);
    const content = candidate ? candidateContent(candidate.content?.parts ?? [], ids) : undefined;
    if (!this.sentContent) {
      // Once content went out the client has part of an answer; a late filter then only ends it.
      const blocked = blockedFailure(response, candidate, content);
      if (blocked) throw blocked;
    }
    if (candidate?.finishReason) this.finishRaw = candidate.finishReason;
    if (!content) return undefined;
    const logprobs = logprobsContentOf(candidate?.logprobsResult);
    // Thought summaries go before the answer text they led to (in their own events, or first in one).
    const out: StreamChunk[] = content.reasoning === '' ? builder.text(content.text, logprobs) : [...builder.reasoning(content.reasoning), ...builder.text(content.text, logprobs)];
    for (const call of content.toolCalls) {
      const key = String(this.toolCalls++);
      out.push(...builder.toolCallStart(key, call.id, call.name), ...builder.toolCallArguments(key, call.arguments));
    }
    if (out.some((chunk) => chunk.hasContent)) this.sentContent = true;
    return out;
  }

  /** Gemini's stream ends with its body: the finish (and usage) chunks, once a finish reason came. */
  ended(): readonly StreamChunk[] {
    if (this.builder === undefined || this.finishRaw === undefined) {
      throw new GatewayError('The upstream stream ended before a finish reason.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
    }
    const reason: FinishReason = mapGeminiFinishReason(this.finishRaw, this.toolCalls > 0);
    return this.builder.finish(reason, this.usage);
  }
}
