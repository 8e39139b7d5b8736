/**
 * Streams chunks to the client as Server-Sent Events in OpenAI's framing, as they arrive: one
 * write per chunk, waiting for 'drain' when the client reads slower than the upstream writes.
 * An error after the first byte becomes an in-band error event (which the `openai` client raises),
 * never a silent clean end.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { Cancel } from '../cancel.js';
import { toGatewayError } from '../errors.js';
import type { StreamChunk } from '../providers/types.js';
import { responseGone } from './context.js';
import { openaiErrorBody } from './render-error.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

export async function writeSse(res: ServerResponse, chunks: AsyncIterable<StreamChunk>, { cancel, onError }: { cancel: Cancel; onError(err: unknown): void }): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (responseGone(res)) return;
      if (!res.write(sseChunk(chunk))) await once(res, 'drain', { signal: cancel.signal });
    }
    res.end('data: [DONE]\n\n');
  } catch (err) {
    if (responseGone(res) || cancel.aborted) return;
    onError(err);
    res.end(sseErrorEvent(err));
  }
}

/** One chunk as an SSE event, in OpenAI's framing. */
export function sseChunk(chunk: StreamChunk): string {
  return `data: ${chunk.data}\n\n`;
}

/** The in-band error event that ends a stream whose head is out; the `openai` client raises it. */
export function sseErrorEvent(err: unknown): string {
  return `data: ${openaiErrorBody(toGatewayError(err))}\n\n`;
}

/** A translation of canonical chunks into another API's events (Anthropic's Messages, OpenAI's Responses), as SSE text. */
export interface EventTranslation {
  /** The events one chunk gives (possibly none). */
  push(chunk: StreamChunk): string[];
  /** The closing events of a stream that ended cleanly. */
  end(): string[];
}

export interface TranslatedSseOptions {
  /** Cancelled when the client leaves: stops a wait for 'drain' that would never come. */
  cancel: Cancel;
  onError(err: unknown): void;
  /** The event that ends a stream failing after its first byte, which the API's clients raise. */
  errorEvent(err: unknown): string;
}

/** As writeSse, in another API's events: one write per chunk's events, waiting for 'drain', an error event at a failure. */
export async function writeTranslatedSse(res: ServerResponse, chunks: AsyncIterable<StreamChunk>, events: EventTranslation, { cancel, onError, errorEvent }: TranslatedSseOptions): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (responseGone(res)) return;
      const frames = events.push(chunk);
      if (frames.length > 0 && !res.write(frames.join(''))) await once(res, 'drain', { signal: cancel.signal });
    }
    res.end(events.end().join(''));
  } catch (err) {
    if (responseGone(res) || cancel.aborted) return;
    onError(err);
    res.end(errorEvent(err));
  }
}
