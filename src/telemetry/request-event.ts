/**
 * The one thing the core tells telemetry: a request finished (served, failed, or a stream that
 * ended), with everything it recorded on the way. Traces, metrics and the request log are sinks
 * of this event; the core imports none of them. Sinks run on the request's own tick: they must
 * only copy what they need and defer the work (batch, export later), never do I/O inline.
 */
import type { FailureShape } from '../errors.js';
import type { Served } from '../gateway/served.js';
import type { FinishReason, JsonObject, Usage } from '../providers/types.js';

export interface RequestEvent {
  requestId: string;
  /** OpenTelemetry's `gen_ai.operation.name`: `text_completion` for a legacy completion request. */
  operation: 'chat' | 'text_completion' | 'embeddings';
  /** The route the client asked for (its `model`). */
  route: string;
  /** Who asked (empty when the gateway does not know). */
  tenant: string;
  /** The subject of the client certificate the caller connected with (mTLS), as `CN=svc-a, O=Acme`. */
  clientCertificate?: string;
  /** Epoch ms when the gateway received the request. */
  startedAt: number;
  /** Until the answer was complete (for a stream: its last chunk). */
  durationMs: number;
  /** The HTTP status the client got (200 for a stream that failed after it started: see `error`). */
  status: number;
  stream: boolean;
  /** How it was served: every hop with its outcome, shape, timings and MTTR. */
  served: Served;
  /** The request parameters telemetry records (never the messages). */
  request: RequestParameters;
  /** What the serving hop answered, when one did. */
  response?: ResponseFacts;
  /** A stream: from receiving the request to its first content chunk. */
  timeToFirstChunkMs?: number;
  /** Why the request failed (or why a started stream broke). */
  error?: { code: string; shape: FailureShape | undefined; message: string };
  /** The W3C trace context the client sent, if any. */
  traceparent?: string;
  tracestate?: string;
  /** What the request cost, per hop, when prices are known (filled in before any sink sees the event). */
  cost?: RequestCost;
  /** The request's trace, when a tracing sink listens (`Telemetry.tracing`). */
  trace?: RequestTrace;
  /** The messages: only when a tracing sink asked for content (`capture_content`) and the trace is sampled. */
  content?: RequestContent;
}

/** A request's place in a W3C trace, chosen when the request starts so upstream calls can carry it. */
export interface RequestTrace {
  /** 32 hex digits: the client's trace when it sent a valid `traceparent`, else a new one. */
  traceId: string;
  /** 16 hex digits: the gateway's span for this request; each upstream call's span (AttemptRecord.spanId) is its child. */
  spanId: string;
  /** The client's span, the parent of the gateway's, when it sent one. */
  parentSpanId?: string;
  /** Whether the trace is recorded; upstream calls carry the flag either way. */
  sampled: boolean;
}

/** The messages of a request, as the client sent them (canonical shape), and the completion text when one was served. */
export interface RequestContent {
  input: readonly JsonObject[];
  /** The canonical completion JSON of a non-streaming answer. */
  output?: string;
}

/**
 * What a tracing sink lends the core: with it, the core gives each request a trace and each call a
 * span id before making it, and sends a `traceparent` upstream. Without it (tracing off) none of that runs.
 */
export interface Tracing {
  /** Continues the client's trace (a valid `traceparent`) or starts a new one, and decides sampling. */
  startRequest(traceparent: string | undefined): RequestTrace;
  /** A new span id (16 hex digits) for one call. */
  newSpanId(): string;
  /** Whether sampled requests carry their messages (`RequestEvent.content`). */
  readonly captureContent: boolean;
}

export interface HopCost {
  /** The attempt's hop number (AttemptRecord.hop) and deployment. */
  hop: number;
  deployment: string;
  provider: string;
  model: string;
  inputTokens: number;
  outputTokens: number;
  cachedInputTokens: number;
  /** US dollars; undefined when no price is known for the model. */
  usd: number | undefined;
  /** A failed call's tokens estimated (its prompt counted, its output unknown): a floor of what it was billed. */
  estimated?: boolean;
}

export interface RequestCost {
  /** The sum of the priced hops, in US dollars. */
  totalUsd: number;
  hops: HopCost[];
  /** Hops that used tokens but had no known price. */
  unpriced: number;
}

export interface RequestParameters {
  model: string;
  temperature?: number;
  topP?: number;
  maxTokens?: number;
  frequencyPenalty?: number;
  presencePenalty?: number;
  stopSequences?: string[];
  seed?: number;
  choiceCount?: number;
}

export interface ResponseFacts {
  id: string;
  model: string;
  finishReasons: FinishReason[];
  usage: Usage | undefined;
  /** The usage is the gateway's estimate (a stream that sent none: cut or left after content, or whole from a priced model), not the provider's count. */
  usageEstimated?: boolean;
}

export interface Telemetry {
  requestFinished(event: RequestEvent): void;
  /** Flushes what is buffered and stops. */
  close(): Promise<void>;
  /** Present only on a sink that traces requests (one at most is used). */
  readonly tracing?: Tracing;
  /** Whether calls to `model` through the provider named `provider` have a price (the cost step's: undefined without it). */
  priced?(provider: string, model: string): boolean;
}

/** Sends each event to every sink; a sink that throws is logged by the caller, never fails a request. */
export function fanOut(sinks: readonly Telemetry[], onError: (err: unknown) => void): Telemetry | undefined {
  if (sinks.length === 0) return undefined;
  const tracing = sinks.find((sink) => sink.tracing !== undefined)?.tracing;
  return {
    ...(tracing ? { tracing } : {}),
    requestFinished(event) {
      for (const sink of sinks) {
        try {
          sink.requestFinished(event);
        } catch (err) {
          onError(err);
        }
      }
    },
    async close() {
      await Promise.allSettled(sinks.map((sink) => sink.close()));
    },
  };
}

/** The parameters of a canonical (OpenAI-shaped) body that telemetry records. */
export function requestParameters(body: Record<string, unknown>): RequestParameters {
  const number = (key: string) => (typeof body[key] === 'number' ? (body[key] as number) : undefined);
  const params: RequestParameters = { model: String(body.model) };
  const set = <K extends keyof RequestParameters>(key: K, value: RequestParameters[K] | undefined) => {
    if (value !== undefined) params[key] = value;
  };
  set('temperature', number('temperature'));
  set('topP', number('top_p'));
  set('maxTokens', number('max_completion_tokens') ?? number('max_tokens'));
  set('frequencyPenalty', number('frequency_penalty'));
  set('presencePenalty', number('presence_penalty'));
  set('seed', number('seed'));
  set('choiceCount', number('n'));
  const stop = body.stop;
  if (typeof stop === 'string') params.stopSequences = [stop];
  else if (Array.isArray(stop)) params.stopSequences = stop.filter((item): item is string => typeof item === 'string');
  return params;
}
