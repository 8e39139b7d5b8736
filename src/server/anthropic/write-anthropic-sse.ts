/**
 * Writes a canonical stream to the client as Anthropic's SSE events, as chunks arrive
 * (writeTranslatedSse). An error after the first byte becomes an `event: error` with Anthropic's
 * error body, which `@anthropic-ai/sdk` raises; never a silent clean end.
 */
import type { Cancel } from '../../cancel.js';
import type { ServerResponse } from 'node:http';
import { writeTranslatedSse } from '../write-sse.js';
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

export function writeAnthropicSse(res: ServerResponse, chunks: AsyncIterable<StreamChunk>, options: AnthropicSseOptions): Promise<void> {
  const events = options.events ?? new AnthropicEventStream(options.requestedModel);
  return writeTranslatedSse(res, chunks, events, { cancel: options.cancel, onError: options.onError, errorEvent: (err) => anthropicSseErrorEvent(err, options.requestId) });
}

/** The `event: error` that ends a stream whose head is out; `@anthropic-ai/sdk` raises it. */
export function anthropicSseErrorEvent(err: unknown, requestId: string): string {
  const error = anthropicErrorOf(err);
  return sseEvent('error', { error: { type: error.type, message: error.message }, request_id: requestId });
}
