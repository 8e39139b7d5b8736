/**
 * Writes a stream answer frame by frame, honouring backpressure (waits for 'drain') and stopping as
 * soon as the client is gone, then ends it the way the fault (if any) says. Frames are already
 * encoded by the dialect: SSE text for most providers, binary event-stream messages for Bedrock.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { JsonObject } from '../types.js';
import type { AnswerMode } from './plan-fault.js';
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

/** A stream format's own frames for how a stream ends. */
export interface StreamFrames {
  /** The in-band error of a `stream_error` fault, as this format sends it. */
  error(payload: JsonObject): Frame;
  /** The closing frame of a healthy stream, when the format has one. */
  done?: Frame;
}

/** OpenAI's: an error object as a `data:` frame, and `data: [DONE]`. */
export const OPENAI_STREAM_FRAMES: StreamFrames = { error: (payload) => sseFrame(JSON.stringify(payload)), done: sseFrame('[DONE]') };

/** How many frames a stream answer sends and how it ends, as the fault's answer mode says, in the format's frames. */
export function streamTail(mode: AnswerMode, frames: StreamFrames): Pick<WriteStreamOptions, 'stopAfter' | 'ending'> {
  const stopAfter = 'afterChunks' in mode ? mode.afterChunks : undefined;
  if (mode.type === 'cut' || mode.type === 'stall') return { stopAfter, ending: { type: mode.type } };
  if (mode.type === 'stream_error') return { stopAfter, ending: { type: 'error', frame: frames.error(mode.payload) } };
  return { stopAfter, ending: frames.done === undefined ? { type: 'done' } : { type: 'done', frame: frames.done } };
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
