/**
 * Writes a canonical stream to the client as the Responses API's SSE events, as chunks arrive: one
 * write per chunk, waiting for 'drain' when the client reads slower than the upstream writes (as
 * src/server/write-sse.ts does). A failure after the first byte ends the stream with
 * response.failed; never a silent clean end.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Cancel } from '../../cancel.js';
import type { StreamChunk } from '../../providers/types.js';
import type { ResponsesEventStream } from './responses-event-stream.js';

export interface ResponsesSseOptions {
  /** The translation, which early chunks (CallOptions.onEarlyChunk) may have gone through already. */
  events: ResponsesEventStream;
  /** Cancelled when the client leaves: stops a wait for 'drain' that would never come. */
  cancel: Cancel;
  onError(err: unknown): void;
}

export async function writeResponsesSse(res: ServerResponse, chunks: AsyncIterable<StreamChunk>, { events, cancel, onError }: ResponsesSseOptions): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) return;
      const frames = events.push(chunk);
      if (frames.length > 0 && !res.write(frames.join(''))) await once(res, 'drain', { signal: cancel.signal });
    }
    res.end(events.end().join(''));
  } catch (err) {
    if (res.destroyed || cancel.aborted) return;
    onError(err);
    res.end(events.fail(err));
  }
}
