/**
 * OpenAI's chat stream (SSE of `chat.completion.chunk` objects, ending with `data: [DONE]`) read
 * into canonical chunks. The chunk text is forwarded as is; it is parsed only to learn whether it
 * carries content, a finish reason, usage, or an in-band error.
 */
import { GatewayError } from '../../errors.js';
import type { SseEvent } from '../http/read-sse.js';
import type { StreamChunk } from '../types.js';
import { openaiChunkSchema } from './openai-api.js';
import { mapOpenAIStreamError } from './map-openai-error.js';
import { mapOpenAIFinishReason, mapOpenAIUsage, parseUpstreamJson, malformedUpstream } from './map-openai-response.js';

export async function* openaiStream(events: AsyncIterable<SseEvent>, secrets: readonly string[]): AsyncGenerator<StreamChunk, void> {
  for await (const event of events) {
    if (event.data === '[DONE]') return;
    const payload = parseUpstreamJson(event.data, 'stream chunk');
    if (event.event === 'error' || (isObject(payload) && 'error' in payload)) {
      throw mapOpenAIStreamError(payload, secrets);
    }
    const parsed = openaiChunkSchema.safeParse(payload);
    if (!parsed.success) throw malformedUpstream('The upstream sent a stream chunk that is not a chat.completion.chunk.');
    const choices = parsed.data.choices ?? [];
    let hasContent = false;
    let finish: string | null | undefined;
    for (const choice of choices) {
      const delta = choice.delta;
      if (delta && (delta.content || delta.refusal || (delta.tool_calls && delta.tool_calls.length > 0) || delta.function_call)) {
        hasContent = true;
      }
      if (choice.finish_reason) finish = choice.finish_reason;
    }
    yield {
      data: event.data,
      hasContent,
      finishReason: finish ? mapOpenAIFinishReason(finish) : undefined,
      usage: mapOpenAIUsage(parsed.data.usage),
    };
  }
  throw new GatewayError('The upstream stream ended before [DONE].', { status: 502, code: 'stream_truncated', shape: 'connection_error' });
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null;
}
