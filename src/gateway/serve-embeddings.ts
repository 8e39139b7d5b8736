/** One embeddings request through its route's chain. */
import { runChain } from '../fallback/run-chain.js';
import type { EmbeddingsResult } from '../providers/types.js';
import type { Deployment, Runtime } from './runtime.js';
import { chainLimits, findRoute, hopTimeouts, toServed, type CallOptions } from './serve-chat.js';
import { RequestError, type Served } from './served.js';
import { validateEmbeddingsBody } from './validate-request.js';

const NEVER = new AbortController().signal;

export async function serveEmbeddings(runtime: Runtime, rawBody: unknown, options: CallOptions): Promise<{ result: EmbeddingsResult; served: Served }> {
  const body = validateEmbeddingsBody(rawBody);
  const route = findRoute(runtime, body.model);
  const requestId = options.requestId ?? crypto.randomUUID();
  const signal = options.signal ?? NEVER;
  const leave = runtime.enter();
  try {
    const result = await runChain({
      ...chainLimits(route, signal),
      attempt: (deployment: Deployment, remainingMs: number) =>
        deployment.provider.embeddings({ model: deployment.model, body, signal, timeouts: hopTimeouts(deployment, remainingMs) }),
    });
    const served = toServed(requestId, route, result);
    if (!result.ok) throw new RequestError(result.error, served);
    return { result: result.value, served };
  } finally {
    leave();
  }
}
