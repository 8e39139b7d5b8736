/**
 * Streams chunks to the client as Server-Sent Events in OpenAI's framing, as they arrive: one
 * write per chunk, waiting for 'drain' when the client reads slower than the upstream writes.
 * An error after the first byte becomes an in-band error event (which the `openai` client raises),
 * never a silent clean end.
 */
import { once } from 'node:events';
import type { ServerResponse } from 'node:http';
import { toGatewayError } from '../errors.js';
import type { StreamChunk } from '../providers/types.js';
import { openaiErrorBody } from './render-error.js';

export const SSE_HEADERS = {
  'content-type': 'text/event-stream; charset=utf-8',
  'cache-control': 'no-cache',
  'x-accel-buffering': 'no',
};

export async function writeSse(res: ServerResponse, chunks: AsyncIterable<StreamChunk>, onError: (err: unknown) => void): Promise<void> {
  try {
    for await (const chunk of chunks) {
      if (res.destroyed) return;
      if (!res.write(`data: ${chunk.data}\n\n`)) await once(res, 'drain');
    }
    res.end('data: [DONE]\n\n');
  } catch (err) {
    if (res.destroyed) return;
    onError(err);
    endWithSseError(res, err);
  }
}

/** Ends a stream whose head is out with an in-band error event, which the `openai` client raises. */
export function endWithSseError(res: ServerResponse, err: unknown): void {
  res.end(`data: ${openaiErrorBody(toGatewayError(err))}\n\n`);
}
