/**
 * Gemini's `streamGenerateContent?alt=sse` read into canonical chunks. Each SSE event is a whole
 * GenerateContentResponse holding the next piece of candidate 0 (a function call arrives whole, in
 * one part); the last carries the finish reason and usage. There is no closing event: the body
 * ends, and a body that ends before any finish reason was cut.
 */
import { GatewayError } from '../../errors.js';
import { ChunkBuilder, syntheticId } from '../canonical/canonical-answer.js';
import type { SseEvent } from '../http/read-sse.js';
import { malformedUpstream, parseUpstreamJson } from '../openai/map-openai-response.js';
import type { FinishReason, StreamChunk, Usage } from '../types.js';
import { readGenerateContentResponse } from './gemini-api.js';
import { mapGeminiStreamError } from './map-gemini-error.js';
import { createToolCallIds } from './gemini-tool-call-id.js';
import { blockedFailure, candidateContent, mapGeminiFinishReason, mapGeminiUsage, type ToolCallIds } from './map-gemini-response.js';

export interface GeminiStreamOptions {
  /** The deployment's model, named in chunks when Gemini gives no `modelVersion`. */
  model: string;
  includeUsage: boolean;
  secrets: readonly string[];
}

export async function* geminiStream(events: AsyncIterable<SseEvent>, options: GeminiStreamOptions): AsyncGenerator<StreamChunk, void> {
  let builder: ChunkBuilder | undefined;
  let ids: ToolCallIds | undefined;
  let toolCalls = 0;
  let sentContent = false;
  let finishRaw: string | undefined;
  let usage: Usage | undefined;
  for await (const event of events) {
    if (event.data.trim() === '') continue;
    const payload = parseUpstreamJson(event.data, 'stream event');
    if (typeof payload === 'object' && payload !== null && 'error' in payload) throw mapGeminiStreamError(payload, options.secrets);
    const response = readGenerateContentResponse(payload);
    if (!response) throw malformedUpstream('The upstream sent a stream event that is not a GenerateContentResponse.');
    ids ??= createToolCallIds(response.responseId);
    builder ??= new ChunkBuilder({ id: response.responseId ?? syntheticId(), model: response.modelVersion ?? options.model, includeUsage: options.includeUsage });
    usage = mapGeminiUsage(response.usageMetadata) ?? usage;

    const candidate = response.candidates?.find((item) => (item.index ?? 0) === 0);
    const content = candidate ? candidateContent(candidate.content?.parts ?? [], ids) : undefined;
    if (!sentContent) {
      // Once content went out the client has part of an answer; a late filter then only ends it.
      const blocked = blockedFailure(response, candidate, content);
      if (blocked) throw blocked;
    }
    if (content) {
      const out: StreamChunk[] = builder.text(content.text);
      for (const call of content.toolCalls) {
        const key = String(toolCalls++);
        out.push(...builder.toolCallStart(key, call.id, call.name), ...builder.toolCallArguments(key, call.arguments));
      }
      if (out.some((chunk) => chunk.hasContent)) sentContent = true;
      for (const chunk of out) yield chunk;
    }
    if (candidate?.finishReason) finishRaw = candidate.finishReason;
  }
  if (builder === undefined || finishRaw === undefined) {
    throw new GatewayError('The upstream stream ended before a finish reason.', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
  }
  const reason: FinishReason = mapGeminiFinishReason(finishRaw, toolCalls > 0);
  for (const chunk of builder.finish(reason, usage)) yield chunk;
}
