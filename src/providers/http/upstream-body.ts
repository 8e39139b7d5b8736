/**
 * Reading an upstream answer, the same for every adapter: the whole body as text (with a transport
 * failure mid-body mapped to its shape), or a stream of canonical chunks that releases the
 * connection when it ends, fails, or is cancelled.
 */
import { GatewayError } from '../../errors.js';
import type { ChatStream, StreamChunk } from '../types.js';
import type { UpstreamResponse } from './upstream-client.js';

export async function readBodyText(res: UpstreamResponse): Promise<string> {
  try {
    return await res.body.text();
  } catch (err) {
    throw res.fail(err);
  } finally {
    res.done();
  }
}

/** Wraps a provider's stream transform over `res`: transport errors get their shape, the connection is released once. */
export function upstreamStream(res: UpstreamResponse, transform: AsyncIterable<StreamChunk>): ChatStream {
  async function* chunks(): AsyncGenerator<StreamChunk, void> {
    try {
      yield* transform;
    } catch (err) {
      throw err instanceof GatewayError ? err : res.fail(err);
    } finally {
      res.done();
    }
  }
  return {
    chunks: chunks(),
    cancel() {
      res.done();
      if (!res.body.destroyed) res.body.destroy();
    },
  };
}
