/**
 * Writes a stream answer frame by frame, honouring backpressure (waits for 'drain') and stopping as
 * soon as the client is gone, then ends it the way the fault (if any) says. Frames are already
 * encoded by the dialect: SSE text for most providers, binary event-stream messages for Bedrock.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { JsonObject } from '../types.js';
import { sleep } from './sleep.js';

export type Frame = string | Uint8Array;

export type StreamEnding =
  /** A healthy end: the closing frame if the format has one (OpenAI's `data: [DONE]`), then the end of the response. */
  | { type: 'done'; frame?: Frame }
  /** The connection closes mid-stream: no closing frame, no clean end of the chunked body. */
  | { type: 'cut' }
  /** Silence with the connection open: the client's idle timeout (or close()) ends it. */
  | { type: 'stall' }
  /** An in-band error frame, then a clean end without the closing frame. */
  | { type: 'error'; frame: Frame };

export interface WriteStreamOptions {
  signal: AbortSignal;
  /** Pause between two frames. */
  chunkDelayMs: number;
  /** Send only this many frames before the ending; all when absent. */
  stopAfter?: number;
  ending: StreamEnding;
  /** Default `text/event-stream; charset=utf-8`. */
  contentType?: string;
}

export async function writeStream(res: ServerResponse, frames: readonly Frame[], options: WriteStreamOptions): Promise<void> {
  const { signal } = options;
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { 'content-type': options.contentType ?? 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const count = Math.min(options.stopAfter ?? frames.length, frames.length);
  for (let index = 0; index < count; index++) {
    if (index > 0 && !(await sleep(options.chunkDelayMs, signal))) return;
    if (!(await write(res, frames[index] as Frame, signal))) return;
  }
  const ending = options.ending;
  if (ending.type === 'stall') {
    res.flushHeaders();
    return;
  }
  if (ending.type === 'cut') {
    // end(), not destroy(): the frames written so far must reach the client before the connection drops.
    res.flushHeaders();
    res.socket?.end();
    return;
  }
  const last = ending.frame;
  if (last === undefined || (await write(res, last, signal))) res.end();
}

/** An SSE frame with only a `data:` line (OpenAI's chunks); with `event`, a named event (Anthropic's). */
export function sseFrame(data: string, event?: string): string {
  return event === undefined ? `data: ${data}\n\n` : `event: ${event}\ndata: ${data}\n\n`;
}

export type SseEnding = { type: 'done' } | { type: 'cut' } | { type: 'stall' } | { type: 'error'; payload: JsonObject };

/** OpenAI's stream: `data:` frames, ending with `data: [DONE]`. */
export function writeSse(res: ServerResponse, payloads: readonly string[], options: Omit<WriteStreamOptions, 'ending'> & { ending: SseEnding }): Promise<void> {
  const { ending } = options;
  const streamEnding: StreamEnding =
    ending.type === 'done' ? { type: 'done', frame: sseFrame('[DONE]') } : ending.type === 'error' ? { type: 'error', frame: sseFrame(JSON.stringify(ending.payload)) } : ending;
  return writeStream(res, payloads.map((payload) => sseFrame(payload)), { ...options, ending: streamEnding });
}

async function write(res: ServerResponse, frame: Frame, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return false;
  if (res.write(frame)) return true;
  try {
    await once(res, 'drain', { signal });
    return true;
  } catch {
    return false;
  }
}
