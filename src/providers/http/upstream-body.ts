/**
 * Reading a streamed upstream answer, the same for every adapter: a stream of canonical chunks that
 * releases the connection when it ends, fails, or is cancelled. (A whole answer is read by
 * UpstreamClient.requestText.)
 */
import { GatewayError } from '../../errors.js';
import type { ChatStream, StreamChunk } from '../types.js';
import type { UpstreamResponse } from './upstream-client.js';

/**
 * Wraps a provider's stream transform over `res`: transport errors get their shape, the connection
 * is released once. A plain iterator rather than an async generator around the transform: a
 * generator's `yield*` would add a promise hop to every chunk of every stream.
 */
export function upstreamStream(res: UpstreamResponse, transform: AsyncIterable<StreamChunk>): ChatStream {
  const inner = transform[Symbol.asyncIterator]();
  const chunks: AsyncIterator<StreamChunk, void> = {
    next: () =>
      inner.next().then(
        (result) => {
          if (result.done) res.done();
          return result;
        },
        (err: unknown) => {
          const error = err instanceof GatewayError ? err : res.fail(err);
          res.done();
          throw error;
        },
      ),
    async return() {
      res.done();
      await inner.return?.();
      return { done: true, value: undefined };
    },
  };
  return {
    chunks,
    cancel() {
      res.cancel();
      res.done();
    },
  };
}
