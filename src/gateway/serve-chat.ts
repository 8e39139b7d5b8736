/**
 * One chat request, start to finish: validate, find the route, claim the idempotency key, walk the
 * chain through the fallback engine, and hand back either a completion or a stream that has
 * already produced its first content (so a failure before any content still falls back). Answers
 * are recorded for idempotent replay and, where the route has a cache step, for cache-on-failure.
 * A legacy completion request takes the same path (serveText with COMPLETIONS_API, text-api.ts).
 */
import { newRequestId } from './new-request-id.js';
import { CancelSource, NEVER_CANCELLED, type Cancel } from '../cancel.js';
import { GatewayError } from '../errors.js';
import { failureOfAnswer } from '../fallback/classify-failure.js';
import { runChain, type AttemptContext, type AttemptRecord, type ChainResult } from '../fallback/run-chain.js';
import { StepSkipped } from '../fallback/step-skipped.js';
import { requestKey } from '../cache/request-key.js';
import { unserialisedReasoning } from '../providers/canonical/reasoning.js';
import { StreamRecorder, completionText, keptCompletion, streamChunks, type CachedAnswer } from '../cache/response-cache.js';
import type { Flight } from '../idempotency/idempotency-store.js';
import type { ChatBody, ChatResult, ChatStream, FinishReason, JsonObject, StreamChunk, Usage } from '../providers/types.js';
import { requestParameters, type RequestEvent, type RequestTrace, type Telemetry } from '../telemetry/request-event.js';
import { tracedHeaders } from './request-identity.js';
import { startReport, type RequestReport } from './report-request.js';
import { countPromptTokens, estimateStreamUsage, promptTokenUpperBound, requestedOutputTokens } from './count-prompt-tokens.js';
import { cancelOfCall, chainOptions, planRoute, type CallOptions } from './plan-route.js';
import type { DeploymentStep, Route, Runtime, Step } from './runtime.js';
import type { GatewayServices } from './services.js';
import { RequestError, type Served } from './served.js';
import { CHAT_API, type TextApi, type TextCall } from './text-api.js';
import { passedOverIfUntranslatable } from './pass-over.js';

export type { CallOptions } from './plan-route.js';

export type ChatOutcome =
  | { kind: 'completion'; result: ChatResult; served: Served }
  | { kind: 'stream'; chunks: AsyncIterable<StreamChunk>; cancel(): void; served: Served };

/** A served answer before it is handed out: a completion, or a stream primed up to its first content. */
type Answer = { kind: 'completion'; result: ChatResult; cacheAgeMs?: number } | { kind: 'stream'; primed: PrimedStream; cacheAgeMs?: number };

interface PrimedStream {
  stream: ChatStream;
  /** Chunks read before the first content, and the first content chunk. */
  head: StreamChunk[];
  /** How many of `head` (from its start) went to the caller as they came (CallOptions.onEarlyChunk). */
  sent: number;
  ended: boolean;
}

/**
 * Codes of calls given up while the upstream was working on them (it had the request): the provider
 * may bill such a call, so it is marked billable. A refused connection or an error answer is not.
 */
const ABANDONED_IN_FLIGHT = new Set(['first_byte_timeout', 'first_token_timeout', 'hop_deadline', 'idle_timeout', 'upstream_stalled', 'client_closed']);
/** A streamed answer longer than this (UTF-8 bytes) is not recorded for replay or cache. */
const MAX_RECORDED_STREAM_BYTES = 1024 * 1024;

export function serveChat(runtime: Runtime, services: GatewayServices, rawBody: unknown, options: CallOptions): Promise<ChatOutcome> {
  return serveText(CHAT_API, runtime, services, rawBody, options);
}

export async function serveText<B extends JsonObject & { model: string; stream?: boolean }>(
  api: TextApi<B>,
  runtime: Runtime,
  services: GatewayServices,
  rawBody: unknown,
  options: CallOptions,
): Promise<ChatOutcome> {
  const body = api.validate(rawBody);
  // The request as chat, to count its tokens and for a manual step (the body itself for chat).
  const chat = api.asChat(body);
  const plan = planRoute(runtime, body.model, options);
  const requestId = options.requestId ?? newRequestId();
  const clientCancel = cancelOfCall(options);
  const stream = body.stream === true;
  const tenant = options.tenant ?? '';
  const report = startReport(services, {
    requestId,
    operation: api.operation,
    route: plan.route.name,
    stream,
    options,
    parameters: () => requestParameters(body),
    messages: chat.messages,
  });
  const { trace, newSpanId, started } = report;
  /**
   * Reports the request, once the calls it gave up on that the upstream may bill are priced: their
   * prompt is counted off the request's tick (the tokenizer may load), and only for such requests.
   */
  const finish: RequestReport['finish'] = (status, served, facts, extra) => {
    const billed = services.telemetry && served.attempts.some(unpricedBillable) ? priceBilledCalls(chat, served).then(() => facts) : facts;
    report.finish(status, served, billed, extra);
  };

  const idempotency = idempotencyKeyOf(services, plan.route, body, options, tenant, api.operation);
  let flight: Flight | undefined = idempotency && services.idempotency.tryLead(idempotency.key, idempotency.bodyHash);
  if (idempotency && !flight) {
    const claim = await services.idempotency.claim(idempotency.key, idempotency.bodyHash, clientCancel).catch((err: unknown) => {
      // A follower shares its leader's failure, under its own request id (as a replay does).
      throw err instanceof RequestError && err.served ? new RequestError(err, { ...err.served, requestId, replayOf: err.served.requestId }) : err;
    });
    if (claim.role === 'replay') {
      const served: Served = { ...claim.recorded.served, requestId, replayOf: claim.recorded.served.requestId };
      finish(200, served, {});
      return replay(claim.recorded.answer, served);
    }
    flight = claim.flight;
  }

  const leave = runtime.enter();
  try {
    // A client that sent its own Idempotency-Key may come back for the answer: let a non-streaming call finish.
    const upstreamCancel = options.idempotencyKey !== undefined && !stream ? NEVER_CANCELLED : clientCancel;
    const cacheKey = plan.route.cachesAnswers ? requestKey(['cache', ...keyScope(tenant, api.operation), plan.route.name, ...unwritten(body)], body) : undefined;
    // Early chunks only from one call at a time: a hedged route may have two streaming.
    const onEarlyChunk = stream && plan.route.hedgeAfterMs === undefined ? options.onEarlyChunk : undefined;
    const attempts = new ChatAttempts({
      api,
      services,
      body,
      chat,
      stream,
      requestId,
      route: plan.route,
      cacheKey,
      bodyBytes: options.bodyBytes,
      upstreamHeaders: idempotency ? { 'idempotency-key': idempotency.key } : undefined,
      trace,
      tracestate: options.tracestate,
      onEarlyChunk,
    });
    const result = await runChain(chainOptions<Answer>(plan, services.health(), { cancel: upstreamCancel, attempt: attempts.run, hedgeAfterMs: plan.route.hedgeAfterMs, newSpanId }));
    const served = toServed(requestId, plan.route, result);
    if (!result.ok) {
      const error = new RequestError(result.error, served);
      finish(error.status, served, { error: { code: error.code, shape: error.shape, message: error.message } });
      flight?.fail(error);
      throw error;
    }
    const answer = result.value;
    if (answer.cacheAgeMs !== undefined) served.cache = { ageMs: answer.cacheAgeMs };
    if (result.step.kind === 'manual') served.manual = result.step.name;
    // The answer is kept for the key's followers (replay) and, from a deployment, for cache-on-failure.
    const cacheAs = result.step.kind === 'deployment' ? cacheKey : undefined;
    const keeps = flight !== undefined || cacheAs !== undefined;
    const record = (recorded: CachedAnswer) => {
      flight?.complete({ answer: recorded, served });
      if (cacheAs !== undefined) services.cache.set(cacheAs, recorded);
    };
    if (answer.kind === 'completion') {
      const { id, responseModel, finishReasons, usage } = answer.result;
      finish(200, served, { response: { id, model: responseModel, finishReasons, usage } }, { output: answer.result.text });
      if (keeps) record(keptCompletion(answer.result.text, answer.result.bytes));
      leave();
      return { kind: 'completion', result: answer.result, served };
    }
    const primed = answer.primed;
    return {
      kind: 'stream',
      chunks: relay(primed, {
        // Also what estimates the bill of a stream that breaks after content.
        recorder: keeps || services.telemetry !== undefined ? new StreamRecorder(MAX_RECORDED_STREAM_BYTES) : undefined,
        onEnd(recorder, complete, seen) {
          const facts = (usage: Usage | undefined, usageEstimated: boolean) => ({
            response: { id: seen.id, model: seen.model, finishReasons: seen.finishReason ? [seen.finishReason] : [], usage, ...(usageEstimated ? { usageEstimated } : {}) },
            timeToFirstChunkMs: seen.firstContentAt === undefined ? undefined : seen.firstContentAt - started,
            error: seen.error,
          });
          // A stream that sent no usage has it estimated (off the request's tick: the tokenizer may
          // have to load) before telemetry prices the request: one that broke or was left after
          // content, which the provider bills all the same; and one that ended whole without usage
          // (the client did not ask for it), when its model has a price. Counting takes the
          // tokenizer's time, which nothing needs for an unpriced model.
          const telemetry = services.telemetry;
          const estimate = seen.usage === undefined && seen.firstContentAt !== undefined && telemetry !== undefined && (!complete || pricedStep(telemetry, result.step));
          finish(
            200,
            served,
            estimate
              ? estimateStreamUsage(chat, recorder?.texts()).then(
                  (usage) => facts(usage, true),
                  () => facts(undefined, false),
                )
              : facts(seen.usage, false),
          );
          const kept = complete && keeps ? recorder?.pack() : undefined;
          if (kept) record(kept);
          else flight?.abandon();
          leave();
        },
      }),
      cancel: () => primed.stream.cancel(),
      served,
    };
  } catch (err) {
    // A leader whose client left hands the key to a follower rather than its own error (which may
    // be the abort of a retry's backoff, not a GatewayError).
    if ((err instanceof GatewayError && err.code === 'client_closed') || clientCancel.aborted) flight?.abandon();
    else flight?.fail(err);
    leave();
    throw err;
  }
}

interface AttemptDeps<B extends JsonObject> {
  api: TextApi<B>;
  services: GatewayServices;
  body: B;
  /** `body` as a chat request (api.asChat). */
  chat: ChatBody;
  stream: boolean;
  requestId: string;
  route: Route;
  cacheKey: string | undefined;
  bodyBytes: number | undefined;
  upstreamHeaders: Record<string, string> | undefined;
  /** The request's trace, when tracing is on: each call then sends a `traceparent` naming its own span. */
  trace: RequestTrace | undefined;
  tracestate: string | undefined;
  onEarlyChunk: CallOptions['onEarlyChunk'];
}

/** The chain's attempt function for one request: calls a deployment, or answers from the cache or a manual step. */
class ChatAttempts<B extends JsonObject> {
  private promptTokens: Promise<number> | undefined;
  /** The failures so far, for a manual step's handoff ticket. */
  private readonly failures: { deployment: string; shape?: string; message?: string }[] = [];

  constructor(private readonly deps: AttemptDeps<B>) {}

  /** ChainOptions.attempt. Not async itself: a deployment's call is returned as is, without another promise around it. */
  readonly run = (step: Step, context: AttemptContext): Promise<Answer> => (step.kind === 'deployment' ? this.callDeployment(step, context) : this.answerLocally(step, context));

  /** Undefined when the request surely fits (the common case, decided without a promise); else the tokenizer's verdict. */
  private checkContext(step: DeploymentStep): Promise<void> | undefined {
    const window = step.contextWindow;
    if (window === undefined) return undefined;
    const { chat, bodyBytes } = this.deps;
    const output = requestedOutputTokens(chat);
    if (promptTokenUpperBound(chat, bodyBytes) + output <= window) return undefined;
    this.promptTokens ??= countPromptTokens(chat);
    return this.promptTokens.then((prompt) => {
      const needed = prompt + output;
      if (needed > window) throw new StepSkipped(`the request needs about ${needed} tokens (prompt and requested output); ${step.name} holds ${window}`, 'context_overflow', undefined, undefined, this.deps.api.promptParam);
    });
  }

  private async callDeployment(step: DeploymentStep, context: AttemptContext): Promise<Answer> {
    const fits = this.checkContext(step);
    if (fits) await fits;
    const health = this.deps.services.health();
    if (!health) return this.callUpstream(step, context, context.cancel);
    const key = health.key(step.providerName);
    const deployment = health.deployment(step.name, step.providerName);
    if (!key.tryAcquire()) throw circuitOpen(step.providerName, 'its provider key', key.retryAt(), key.detectMs());
    if (!deployment.tryAcquire()) {
      key.release();
      throw circuitOpen(step.name, step.name, deployment.retryAt(), deployment.detectMs());
    }
    const hop = new WatchedCall(context.cancel);
    deployment.inflight.add(hop);
    try {
      const answer = await this.callUpstream(step, context, hop);
      deployment.inflight.delete(hop);
      const now = Date.now();
      key.succeeded(now);
      deployment.succeeded(now, now - hop.startedAt);
      return answer;
    } catch (err) {
      deployment.inflight.delete(hop);
      if (hop.stalled) {
        // The breaker already counted this call when it opened.
        key.release();
        throw hop.stalled;
      }
      if (err instanceof GatewayError && err.shape && err.code !== 'client_closed') {
        // A rejected or exhausted key fails the key, not the deployment; anything else is the deployment's.
        const keyFault = err.shape === 'auth_error' || err.shape === 'quota_exhausted';
        if (keyFault) {
          key.failed(err.shape, err.retryAfterMs);
          deployment.release();
        } else {
          deployment.failed(err.shape, err.retryAfterMs);
          key.release();
        }
      } else {
        key.release();
        deployment.release();
      }
      throw err;
    } finally {
      hop.dispose();
    }
  }

  /** `cancel`: the call's own (the breaker's watch on it), which follows `context.cancel`. */
  private async callUpstream(step: DeploymentStep, context: AttemptContext, cancel: Cancel): Promise<Answer> {
    const deps = this.deps;
    const call: TextCall<B> = {
      model: step.model,
      modelFamily: step.modelFamily,
      body: deps.body,
      cancel,
      timeouts: hopTimeouts(step, context.remainingMs),
      headers: deps.trace && context.spanId !== undefined ? tracedHeaders(deps.upstreamHeaders, deps.trace, context.spanId, deps.tracestate) : deps.upstreamHeaders,
    };
    let streamOpened = false;
    try {
      if (deps.stream) return { kind: 'stream', primed: await openPrimed(step, call, deps.api, () => (streamOpened = true), deps.onEarlyChunk && this.earlySink(step, context, deps.onEarlyChunk)) };
      const result = await deps.api.complete(step.provider, call);
      const refusal = failureOfAnswer(result.finishReasons);
      if (refusal) {
        context.markBillable(result.usage);
        throw refusal;
      }
      return { kind: 'completion', result };
    } catch (err) {
      // Refused before any call: the provider has no way to ask this (the next deployment may).
      const passed = passedOverIfUntranslatable(err, step.name, step.provider);
      if (passed !== err) throw passed;
      if (streamOpened || (err instanceof GatewayError && ABANDONED_IN_FLIGHT.has(err.code))) context.markBillable();
      if (err instanceof GatewayError && err.shape) this.failures.push({ deployment: step.name, shape: err.shape, message: err.message });
      throw err;
    }
  }

  /** Hands on a call's early chunks with what is streaming them. */
  private earlySink(step: DeploymentStep, context: AttemptContext, onEarlyChunk: NonNullable<CallOptions['onEarlyChunk']>): (chunk: StreamChunk) => void {
    return (chunk) => {
      const { hop, attempts, fallbackReason } = context.progress();
      onEarlyChunk(chunk, { requestId: this.deps.requestId, route: this.deps.route.name, deployment: step.name, provider: step.providerName, hop, attempts, fallbackReason });
    };
  }

  private async answerLocally(step: Exclude<Step, DeploymentStep>, context: AttemptContext): Promise<Answer> {
    const deps = this.deps;
    switch (step.kind) {
      case 'cache': {
        const entry = deps.cacheKey ? deps.services.cache.get(deps.cacheKey) : undefined;
        if (!entry) throw new StepSkipped('no cached answer for this request');
        const ageMs = Date.now() - entry.storedAt;
        return entry.answer.kind === 'completion' ? { kind: 'completion', result: syntheticResult(completionText(entry.answer)), cacheAgeMs: ageMs } : { kind: 'stream', primed: storedStream(streamChunks(entry.answer)), cacheAgeMs: ageMs };
      }
      case 'manual': {
        const content = await step.handler.answer(deps.chat, { requestId: deps.requestId, route: deps.route.name, failures: this.failures, signal: context.cancel.signal });
        return deps.stream ? { kind: 'stream', primed: storedStream(deps.api.manualChunks(step.name, content)) } : { kind: 'completion', result: syntheticResult(deps.api.manualAnswer(step.name, content)) };
      }
    }
  }
}

/**
 * A deployment call the breaker watches while it is in flight (its `inflight` set): when enough
 * calls stall, the breaker opens and abandons them, so they move to their next hop now instead of
 * at their timeout. Also the call's cancellation, following the request's.
 */
class WatchedCall extends CancelSource {
  readonly startedAt = Date.now();
  stalled: GatewayError | undefined;

  abandon(reason: string): void {
    this.stalled = new GatewayError(`The upstream stalled: ${reason}.`, { status: 504, code: 'upstream_stalled', shape: 'timeout' });
    this.abort(this.stalled);
  }
}

function circuitOpen(name: string, what: string, retryAt: number, mttrMs: number | undefined): StepSkipped {
  const until = retryAt > 0 && retryAt < Number.MAX_SAFE_INTEGER ? ` until ${new Date(retryAt).toISOString()}` : '';
  return new StepSkipped(`circuit open for ${what} (${name})${until}: not called`, undefined, retryAt, mttrMs);
}

/**
 * Whose a key is: the tenant's, and for another API than chat, that API's too, so a legacy
 * completion is never taken for a chat request whose body is the same JSON.
 */
function keyScope(tenant: string, operation: RequestEvent['operation']): string[] {
  return operation === 'chat' ? [tenant] : [tenant, operation];
}

/** What a body asks beyond its JSON (a Messages request's thinking, on symbol keys), as parts of its keys; none for most. */
function unwritten(body: JsonObject): string[] {
  const text = unserialisedReasoning(body as ChatBody);
  return text === '' ? [] : [text];
}

function idempotencyKeyOf(services: GatewayServices, route: Route, body: JsonObject, options: CallOptions, tenant: string, operation: RequestEvent['operation']): { key: string; bodyHash: string } | undefined {
  const config = services.idempotencyConfig();
  if (!config.enabled) return undefined;
  if (options.idempotencyKey !== undefined) {
    return { key: requestKey(['idempotency', ...keyScope(tenant, operation), options.idempotencyKey], null), bodyHash: requestKey(['body', route.name, ...unwritten(body)], body) };
  }
  if (!config.derive_key) return undefined;
  // The canonical body (keys sorted), so a retry that serialises the same request differently is still caught.
  const key = requestKey(['idempotency', ...keyScope(tenant, operation), route.name, ...unwritten(body)], body);
  return { key, bodyHash: key };
}

/** Whether the step that served the request is a deployment whose model has a price (so its usage is worth counting when it sent none). */
function pricedStep(telemetry: Telemetry, step: Step): boolean {
  return step.kind === 'deployment' && telemetry.priced?.(step.providerName, step.model) === true;
}

/** A failed call the upstream may bill whose usage nobody reported: its prompt is counted for it. */
function unpricedBillable(attempt: AttemptRecord): boolean {
  return attempt.billable === true && attempt.billedUsage === undefined && attempt.outcome !== 'served';
}

/** Prices each such call at its prompt (counted with the tokenizer) and no output: a floor, marked estimated. Never rejects. */
async function priceBilledCalls(body: ChatBody, served: Served): Promise<void> {
  const inputTokens = await countPromptTokens(body).catch(() => undefined);
  if (inputTokens === undefined) return;
  for (const attempt of served.attempts.filter(unpricedBillable)) {
    attempt.billedUsage = { inputTokens, outputTokens: 0, cachedInputTokens: 0 };
    attempt.billedEstimated = true;
  }
}

export function hopTimeouts(step: DeploymentStep, remainingMs: number) {
  const { timeouts } = step;
  return remainingMs < timeouts.totalMs ? { ...timeouts, totalMs: Math.max(1, Math.floor(remainingMs)) } : timeouts;
}

export function toServed<T>(requestId: string, route: Route, result: ChainResult<Step, T>): Served {
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

/**
 * Opens a stream and reads up to its first content, so that a failure before content (an error
 * event, a cut, a refusal, no first token in time) can still fall back. With `onEarly`, each chunk
 * up to the first content goes there as it comes.
 */
async function openPrimed<B extends JsonObject>(
  step: DeploymentStep,
  call: TextCall<B>,
  api: TextApi<B>,
  onOpened: () => void,
  onEarly: ((chunk: StreamChunk) => void) | undefined,
): Promise<PrimedStream> {
  const firstTokenMs = step.timeouts.firstTokenMs;
  // The first-token limit runs from sending the request, so it also cuts off an upstream that sends no headers at all.
  const firstToken = firstTokenMs === undefined ? undefined : new CancelSource(call.cancel);
  let stream: ChatStream | undefined;
  let timedOut = false;
  const timer =
    firstToken === undefined
      ? undefined
      : setTimeout(() => {
          timedOut = true;
          firstToken.abort(new Error('first token deadline'));
          stream?.cancel();
        }, firstTokenMs);
  const head: StreamChunk[] = [];
  let sent = 0;
  try {
    stream = await api.openStream(step.provider, firstToken === undefined ? call : { ...call, cancel: firstToken });
    onOpened();
    for (;;) {
      const next = await stream.chunks.next();
      if (next.done) return { stream, head, sent, ended: true };
      head.push(next.value);
      if (next.value.finishReason?.unified === 'content_filter' && !next.value.hasContent && head.every((chunk) => !chunk.hasContent)) {
        throw failureOfAnswer([next.value.finishReason]);
      }
      // Up to the first content, which commits this call (nothing after it falls back): it too goes
      // out now, before the served call's bookkeeping (the breakers, the chain's record, the relay).
      if (onEarly) {
        onEarly(next.value);
        sent++;
      }
      if (next.value.hasContent || next.value.finishReason) return { stream, head, sent, ended: false };
    }
  } catch (err) {
    stream?.cancel();
    if (timedOut) throw new GatewayError(`No content arrived within the first-token timeout (${firstTokenMs} ms).`, { status: 504, code: 'first_token_timeout', shape: 'timeout', cause: err });
    throw err;
  } finally {
    clearTimeout(timer);
  }
}

/** A stream over stored chunk texts (a cached or manual answer). */
function storedStream(texts: string[]): PrimedStream {
  const head = texts.map((data) => ({ data, hasContent: true, finishReason: undefined, usage: undefined }));
  const chunks: AsyncIterator<StreamChunk, void> = { next: async () => ({ done: true, value: undefined }) };
  return { stream: { chunks, cancel() {} }, head, sent: 0, ended: true };
}

function syntheticResult(text: string): ChatResult {
  return { text, id: '', responseModel: '', finishReasons: [{ unified: 'stop', raw: 'stop' }], usage: undefined };
}

interface RelayOptions {
  /** Keeps every chunk handed on, when anything needs them. */
  recorder: StreamRecorder | undefined;
  /** Called once: with the recorder, whether the stream ended cleanly, and what it carried. */
  onEnd(recorder: StreamRecorder | undefined, complete: boolean, seen: StreamFacts): void;
}

/** What a relayed stream carried, for telemetry. */
interface StreamFacts {
  /** The chunks' `id` and `model` ('' when they carry none, as a cached or manual answer's may not). */
  id: string;
  model: string;
  finishReason: FinishReason | undefined;
  usage: Usage | undefined;
  /** performance.now() when the first content chunk was handed on. */
  firstContentAt: number | undefined;
  error: RequestEvent['error'];
}

const DONE: IteratorReturnResult<void> = { done: true, value: undefined };

/**
 * Hands on a primed stream's chunks, keeping what telemetry, replay and the cache need. A plain
 * async iterator rather than an async generator: a generator adds promise hops to every chunk.
 * `onEnd` runs once, when the stream ends, fails, or its reader stops early (`return`).
 */
function relay(primed: PrimedStream, options: RelayOptions): AsyncIterable<StreamChunk> {
  const recorder = options.recorder;
  let headAt = 0;
  let ended = false;
  const seen: StreamFacts = { id: '', model: '', finishReason: undefined, usage: undefined, firstContentAt: undefined, error: undefined };
  const keep = (chunk: StreamChunk) => {
    if (chunk.finishReason) seen.finishReason = chunk.finishReason;
    if (chunk.usage) seen.usage = chunk.usage;
    if (seen.firstContentAt === undefined && chunk.hasContent) {
      seen.firstContentAt = performance.now();
      // The response's id and model, read once per stream from its first content chunk (canonical JSON).
      const head = streamHeadOf(chunk.data);
      seen.id = head.id;
      seen.model = head.model;
    }
    recorder?.add(chunk.data);
  };
  const end = (complete: boolean): IteratorReturnResult<void> => {
    if (!ended) {
      ended = true;
      primed.stream.cancel();
      options.onEnd(recorder, complete, seen);
    }
    return DONE;
  };
  const iterator: AsyncIterator<StreamChunk, void> = {
    next() {
      if (ended) return Promise.resolve(DONE);
      // The chunks the caller already had (early chunks) are kept, not handed on again.
      while (headAt < primed.sent) keep(primed.head[headAt++] as StreamChunk);
      const head = primed.head[headAt];
      if (head !== undefined) {
        headAt++;
        keep(head);
        return Promise.resolve({ done: false, value: head });
      }
      if (primed.ended) return Promise.resolve(end(true));
      return primed.stream.chunks.next().then(
        (next) => {
          if (next.done) return end(true);
          keep(next.value);
          return next;
        },
        (err: unknown) => {
          const error = err instanceof GatewayError ? err : undefined;
          seen.error = { code: error?.code ?? 'stream_failed', shape: error?.shape, message: error?.message ?? 'The stream failed after it started.' };
          end(false);
          throw err;
        },
      );
    },
    return() {
      return Promise.resolve(end(false));
    },
  };
  return { [Symbol.asyncIterator]: () => iterator };
}

/** An earlier answer for the same idempotency key, served again. */
function replay(answer: CachedAnswer, served: Served): ChatOutcome {
  if (answer.kind === 'completion') return { kind: 'completion', result: syntheticResult(completionText(answer)), served };
  const primed = storedStream(streamChunks(answer));
  return { kind: 'stream', chunks: relay(primed, { recorder: undefined, onEnd() {} }), cancel() {}, served };
}

/** The `id` and `model` of a canonical chunk's JSON text, or empty strings. */
function streamHeadOf(data: string): { id: string; model: string } {
  try {
    const parsed = JSON.parse(data) as { id?: unknown; model?: unknown };
    return { id: typeof parsed.id === 'string' ? parsed.id : '', model: typeof parsed.model === 'string' ? parsed.model : '' };
  } catch {
    return { id: '', model: '' };
  }
}
