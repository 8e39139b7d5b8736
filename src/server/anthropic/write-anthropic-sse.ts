/**
 * Writes a canonical stream to the client as Anthropic's SSE events, as chunks arrive: one write per
 * chunk, waiting for 'drain' when the client reads slower than the upstream writes (as
 * src/server/write-sse.ts does). An error after the first byte becomes an `event: error` with
 * Anthropic's error body, which `@anthropic-ai/sdk` raises; never a silent clean end.
 */
import type { Cancel } from '../../cancel.js';
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { StreamChunk } from '../../providers/types.js';
import { AnthropicEventStream, sseEvent } from './anthropic-event-stream.js';
import { anthropicErrorOf } from './render-anthropic-error.js';

export interface AnthropicSseOptions {
  /** The model the client asked for, named when the upstream names none. */
  requestedModel: string;
  requestId: string;
  /** Cancelled when the client leaves: stops a wait for 'drain' that would never come. */
  cancel: Cancel;
  onError(err: unknown): void;
  /** The translation so far, when early chunks (CallOptions.onEarlyChunk) went through it already. */
  events?: AnthropicEventStream;
}

export async function writeAnthropicSse(res: ServerResponse, chunks: AsyncIterable<StreamChunk>, options: AnthropicSseOptions): Promise<void> {
  const events = options.events ?? new AnthropicEventStream(options.requestedModel);
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) return;
      const frames = events.push(chunk);
      if (frames.length > 0 && !res.write(frames.join(''))) await once(res, 'drain', { signal: options.cancel.signal });
    }
    res.end(events.end().join(''));
  } catch (err) {
    if (res.destroyed || options.cancel.aborted) return;
    options.onError(err);
    res.end(anthropicSseErrorEvent(err, options.requestId));
  }
}

/** The `event: error` that ends a stream whose head is out; `@anthropic-ai/sdk` raises it. */
export function anthropicSseErrorEvent(err: unknown, requestId: string): string {
  const error = anthropicErrorOf(err);
  return sseEvent('error', { error: { type: error.type, message: error.message }, request_id: requestId });
}
