/**
 * The one thing the core tells telemetry: a request finished (served, failed, or a stream that
 * ended), with everything it recorded on the way. Traces, metrics and the request log are sinks
 * of this event; the core imports none of them. Sinks run on the request's own tick: they must
 * only copy what they need and defer the work (batch, export later), never do I/O inline.
 */
import type { FailureShape } from '../errors.js';
import type { Served } from '../gateway/served.js';
import type { FinishReason, Usage } from '../providers/types.js';

export interface RequestEvent {
  requestId: string;
  operation: 'chat' | 'embeddings';
  /** The route the client asked for (its `model`). */
  route: string;
  /** Who asked (empty when the gateway does not know). */
  tenant: string;
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
}

export interface Telemetry {
  requestFinished(event: RequestEvent): void;
  /** Flushes what is buffered and stops. */
  close(): Promise<void>;
}

/** Sends each event to every sink; a sink that throws is logged by the caller, never fails a request. */
export function fanOut(sinks: readonly Telemetry[], onError: (err: unknown) => void): Telemetry | undefined {
  if (sinks.length === 0) return undefined;
  return {
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
