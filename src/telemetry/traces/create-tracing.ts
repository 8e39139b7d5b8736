/**
 * The ids and the sampling decision the core asks for when a request starts (`Tracing`): the
 * client's W3C trace is continued, or a new one begins; OpenTelemetry's parent-based sampler
 * decides whether it is recorded, so a client's sampled trace is always honoured.
 */
import { ROOT_CONTEXT, SpanKind, TraceFlags, trace, type Context } from '@opentelemetry/api';
import { ParentBasedSampler, RandomIdGenerator, SamplingDecision, TraceIdRatioBasedSampler } from '@opentelemetry/sdk-trace-base';
import type { RequestTrace, Tracing } from '../request-event.js';

/** `traceparent`, version 00: version, trace id, parent span id, flags (lower-case hex, all-zero ids invalid). */
const TRACEPARENT = /^00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})$/;
const ZERO_TRACE = '0'.repeat(32);
const ZERO_SPAN = '0'.repeat(16);

export interface RemoteParent {
  traceId: string;
  spanId: string;
  sampled: boolean;
}

/** The client's span from its `traceparent`, or undefined when there is none or it is malformed. */
export function parseTraceparent(header: string | undefined): RemoteParent | undefined {
  if (header === undefined) return undefined;
  const match = TRACEPARENT.exec(header.trim());
  if (!match) return undefined;
  const [, traceId, spanId, flags] = match as unknown as [string, string, string, string];
  if (traceId === ZERO_TRACE || spanId === ZERO_SPAN) return undefined;
  return { traceId, spanId, sampled: (Number.parseInt(flags, 16) & TraceFlags.SAMPLED) !== 0 };
}

export function createTracing(options: { samplingRatio: number; captureContent: boolean }): Tracing {
  const ids = new RandomIdGenerator();
  const sampler = new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(options.samplingRatio) });
  const sample = (traceId: string, parent: RemoteParent | undefined): boolean => {
    let context: Context = ROOT_CONTEXT;
    if (parent) {
      context = trace.setSpanContext(ROOT_CONTEXT, { traceId, spanId: parent.spanId, traceFlags: parent.sampled ? TraceFlags.SAMPLED : TraceFlags.NONE, isRemote: true });
    }
    return sampler.shouldSample(context, traceId, '', SpanKind.SERVER, {}, []).decision === SamplingDecision.RECORD_AND_SAMPLED;
  };
  return {
    captureContent: options.captureContent,
    newSpanId: () => ids.generateSpanId(),
    startRequest(traceparent): RequestTrace {
      const parent = parseTraceparent(traceparent);
      const traceId = parent?.traceId ?? ids.generateTraceId();
      const spanId = ids.generateSpanId();
      const sampled = sample(traceId, parent);
      return parent ? { traceId, spanId, parentSpanId: parent.spanId, sampled } : { traceId, spanId, sampled };
    },
  };
}
