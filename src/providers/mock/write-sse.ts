/**
 * Writes a chat stream as server-sent events, honouring backpressure (waits for 'drain') and
 * stopping as soon as the client is gone, then ends it the way the fault (if any) says.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import type { JsonObject } from '../types.js';
import { sleep } from './sleep.js';

export type SseEnding =
  /** `data: [DONE]`, then the end of the response: a healthy stream. */
  | { type: 'done' }
  /** The connection closes mid-stream: no [DONE], no clean end of the chunked body. */
  | { type: 'cut' }
  /** Silence with the connection open: the client's idle timeout (or close()) ends it. */
  | { type: 'stall' }
  /** An in-band error event, then a clean end without [DONE]. */
  | { type: 'error'; payload: JsonObject };

export interface WriteSseOptions {
  signal: AbortSignal;
  /** Pause between two chunks. */
  chunkDelayMs: number;
  /** Send only this many chunks before the ending; all when absent. */
  stopAfter?: number;
  ending: SseEnding;
}

export async function writeSse(res: ServerResponse, payloads: readonly string[], options: WriteSseOptions): Promise<void> {
  const { signal } = options;
  if (res.headersSent || res.destroyed) return;
  res.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache', connection: 'keep-alive' });
  const count = Math.min(options.stopAfter ?? payloads.length, payloads.length);
  for (let index = 0; index < count; index++) {
    if (index > 0 && !(await sleep(options.chunkDelayMs, signal))) return;
    if (!(await write(res, `data: ${payloads[index]}\n\n`, signal))) return;
  }
  const ending = options.ending;
  if (ending.type === 'stall') {
    res.flushHeaders();
    return;
  }
  if (ending.type === 'cut') {
    // end(), not destroy(): the chunks written so far must reach the client before the connection drops.
    res.flushHeaders();
    res.socket?.end();
    return;
  }
  const last = ending.type === 'done' ? 'data: [DONE]\n\n' : `data: ${JSON.stringify(ending.payload)}\n\n`;
  if (await write(res, last, signal)) res.end();
}

async function write(res: ServerResponse, text: string, signal: AbortSignal): Promise<boolean> {
  if (signal.aborted || res.destroyed) return false;
  if (res.write(text)) return true;
  try {
    await once(res, 'drain', { signal });
    return true;
  } catch {
    return false;
  }
}
