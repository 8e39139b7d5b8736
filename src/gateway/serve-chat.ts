/**
 * One chat request, start to finish: find the route, walk its chain through the fallback engine,
 * and hand back either a completion or a stream that has already produced its first content (so
 * a failure before any content still falls back).
 */
import { GatewayError } from '../errors.js';
import { nextOnFailure } from '../fallback/policy.js';
import { runChain, type ChainResult } from '../fallback/run-chain.js';
import type { ChatBody, ChatResult, ChatStream, StreamChunk } from '../providers/types.js';
import type { Deployment, Route, Runtime } from './runtime.js';
import { RequestError, type Served } from './served.js';
import { validateChatBody } from './validate-request.js';

export interface CallOptions {
  /** Aborts every upstream call of the request (a client that went away). */
  signal?: AbortSignal;
  /** Carried into logs and response headers; generated when absent. */
  requestId?: string;
}

export type ChatOutcome =
  | { kind: 'completion'; result: ChatResult; served: Served }
  | { kind: 'stream'; chunks: AsyncIterable<StreamChunk>; cancel(): void; served: Served };

const NEVER = new AbortController().signal;

interface PrimedStream {
  stream: ChatStream;
  /** Chunks read before the first content, and the first content chunk. */
  head: StreamChunk[];
  ended: boolean;
}

export async function serveChat(runtime: Runtime, rawBody: unknown, options: CallOptions): Promise<ChatOutcome> {
  const body = validateChatBody(rawBody);
  const route = findRoute(runtime, body.model);
  const requestId = options.requestId ?? crypto.randomUUID();
  const signal = options.signal ?? NEVER;
  const leave = runtime.enter();
  try {
    if (body.stream === true) {
      const result = await runChain({
        ...chainLimits(route, signal),
        attempt: (deployment: Deployment, remainingMs: number) => openPrimed(deployment, body, signal, remainingMs),
      });
      const served = toServed(requestId, route, result);
      if (!result.ok) throw new RequestError(result.error, served);
      const primed = result.value;
      return { kind: 'stream', chunks: replay(primed, leave), cancel: () => primed.stream.cancel(), served };
    }
    const result = await runChain({
      ...chainLimits(route, signal),
      attempt: (deployment: Deployment, remainingMs: number) => deployment.provider.chat({ model: deployment.model, body, signal, timeouts: hopTimeouts(deployment, remainingMs) }),
    });
    const served = toServed(requestId, route, result);
    if (!result.ok) throw new RequestError(result.error, served);
    leave();
    return { kind: 'completion', result: result.value, served };
  } catch (err) {
    leave();
    throw err;
  }
}

export function findRoute(runtime: Runtime, model: string): Route {
  const route = runtime.routes.get(model);
  if (route) return route;
  throw new GatewayError(`The model '${model}' does not exist. Ask GET /v1/models for the models this gateway serves.`, {
    status: 404,
    code: 'model_not_found',
    param: 'model',
    shape: 'client_error',
  });
}

export function chainLimits(route: Route, signal: AbortSignal) {
  return { steps: route.chain, policy: nextOnFailure, maxHops: route.maxHops, deadlineAt: performance.now() + route.deadlineMs, signal };
}

export function hopTimeouts(deployment: Deployment, remainingMs: number) {
  const { timeouts } = deployment;
  return remainingMs < timeouts.totalMs ? { ...timeouts, totalMs: Math.max(1, Math.floor(remainingMs)) } : timeouts;
}

export function toServed<T>(requestId: string, route: Route, result: ChainResult<Deployment, T>): Served {
  return {
    requestId,
    route: route.name,
    deployment: result.step?.name,
    provider: result.step?.providerName,
    hop: result.hop,
    attempts: result.attempts,
    fallbackReason: result.fallbackReason,
  };
}

/** Opens a stream and reads up to its first content, so that a failure before content can still fall back. */
async function openPrimed(deployment: Deployment, body: ChatBody, signal: AbortSignal, remainingMs: number): Promise<PrimedStream> {
  const stream = await deployment.provider.chatStream({ model: deployment.model, body, signal, timeouts: hopTimeouts(deployment, remainingMs) });
  const head: StreamChunk[] = [];
  try {
    for (;;) {
      const next = await stream.chunks.next();
      if (next.done) return { stream, head, ended: true };
      head.push(next.value);
      if (next.value.hasContent || next.value.finishReason) return { stream, head, ended: false };
    }
  } catch (err) {
    stream.cancel();
    throw err;
  }
}

async function* replay(primed: PrimedStream, leave: () => void): AsyncGenerator<StreamChunk, void> {
  try {
    yield* primed.head;
    if (primed.ended) return;
    for (;;) {
      const next = await primed.stream.chunks.next();
      if (next.done) return;
      yield next.value;
    }
  } finally {
    primed.stream.cancel();
    leave();
  }
}
