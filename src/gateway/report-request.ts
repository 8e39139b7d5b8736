/**
 * The end of a request, the same for chat and embeddings: the recent-request log always, and one
 * RequestEvent when a telemetry sink listens (the event is never built otherwise). Also where the
 * request's trace starts, when a tracing sink lends one.
 */
import type { JsonObject } from '../providers/types.js';
import type { RequestEvent, RequestParameters, RequestTrace, Telemetry } from '../telemetry/request-event.js';
import type { CallOptions } from './plan-route.js';
import { tenantLabel } from './request-identity.js';
import type { Served } from './served.js';
import type { GatewayServices } from './services.js';

export interface ReportContext {
  requestId: string;
  operation: RequestEvent['operation'];
  route: string;
  stream: boolean;
  options: CallOptions;
  /** The parameters recorded; read only when an event is built. */
  parameters(): RequestParameters;
  /** The messages, recorded only when the trace captures content. */
  messages?: readonly JsonObject[];
}

export type ReportFacts = Pick<RequestEvent, 'response' | 'error' | 'timeToFirstChunkMs'>;

export interface RequestReport {
  /** The request's trace, when tracing is on. */
  trace: RequestTrace | undefined;
  /** Span ids for the chain's calls, when tracing is on (ChainOptions.newSpanId). */
  newSpanId: (() => string) | undefined;
  /** performance.now() when the request arrived. */
  started: number;
  /**
   * Writes the recent-request entry and emits the event. Facts still being worked out (a token
   * count off the request's tick) may come as a promise, which must not reject: the entry is
   * written now, the event when they are known, timed to now. `output`: a completion, for content capture.
   */
  finish(status: number, served: Served, facts: ReportFacts | Promise<ReportFacts>, extra?: { output?: string }): void;
}

export function startReport(services: GatewayServices, context: ReportContext): RequestReport {
  return new Report(services, context);
}

/** One object per request (no closures): it runs for every request. */
class Report implements RequestReport {
  readonly trace: RequestTrace | undefined;
  readonly newSpanId: (() => string) | undefined;
  readonly started = performance.now();
  private readonly startedAt = Date.now();
  private readonly capture: boolean;

  constructor(
    private readonly services: GatewayServices,
    private readonly context: ReportContext,
  ) {
    // Only a tracing sink makes the request a trace (and each call a span): with tracing off, none of this runs.
    const tracing = services.telemetry?.tracing;
    this.trace = tracing?.startRequest(context.options.traceparent);
    this.newSpanId = tracing ? () => tracing.newSpanId() : undefined;
    this.capture = this.trace !== undefined && this.trace.sampled && tracing?.captureContent === true && context.messages !== undefined;
  }

  finish(status: number, served: Served, facts: ReportFacts | Promise<ReportFacts>, extra: { output?: string } = {}): void {
    this.services.recent.add(served, status);
    const telemetry = this.services.telemetry;
    if (!telemetry) return;
    const durationMs = performance.now() - this.started;
    if (facts instanceof Promise) void facts.then((known) => this.emit(telemetry, status, served, known, durationMs, extra));
    else this.emit(telemetry, status, served, facts, durationMs, extra);
  }

  private emit(telemetry: Telemetry, status: number, served: Served, known: ReportFacts, durationMs: number, extra: { output?: string }): void {
    const { context, trace } = this;
    // Built by assignment, not by spreading the optional parts into a literal (V8's slow path, per request).
    const event: RequestEvent = {
      requestId: context.requestId,
      operation: context.operation,
      route: context.route,
      tenant: tenantLabel(context.options.tenant ?? ''),
      startedAt: this.startedAt,
      durationMs,
      status,
      stream: context.stream,
      served,
      request: context.parameters(),
    };
    if (context.options.clientCertificate !== undefined) event.clientCertificate = context.options.clientCertificate;
    if (known.response !== undefined) event.response = known.response;
    if (known.error !== undefined) event.error = known.error;
    if (known.timeToFirstChunkMs !== undefined) event.timeToFirstChunkMs = known.timeToFirstChunkMs;
    const { traceparent, tracestate } = context.options;
    if (traceparent !== undefined) {
      event.traceparent = traceparent;
      if (tracestate !== undefined) event.tracestate = tracestate;
    }
    if (trace) event.trace = trace;
    if (this.capture) {
      const input = context.messages ?? [];
      event.content = extra.output === undefined ? { input } : { input, output: extra.output };
    }
    telemetry.requestFinished(event);
  }
}
