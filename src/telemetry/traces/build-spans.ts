/**
 * One finished request as OpenTelemetry spans, after the fact: a SERVER span for the request (its
 * parent the client's span) and a CLIENT span per call in the attempt log (deployments, retries,
 * hedges, cache and manual steps), each with its recorded start and duration. A step passed over
 * without a call (open circuit, no cached answer, context too small) is a short INTERNAL span: it
 * shows in the waterfall where the walk went, with why, but claims no call.
 */
import { SpanKind, SpanStatusCode, TraceFlags, type Attributes, type SpanStatus } from '@opentelemetry/api';
import { hrTimeDuration, millisToHrTime, type InstrumentationScope } from '@opentelemetry/core';
import type { Resource } from '@opentelemetry/resources';
import type { ReadableSpan } from '@opentelemetry/sdk-trace-base';
import type { AttemptRecord } from '../../fallback/run-chain.js';
import type { HopCost, RequestEvent, RequestParameters, RequestTrace, ResponseFacts } from '../request-event.js';
import { hopReasons, requestReason } from './hop-reasons.js';
import type { ContentAttributes } from './record-content.js';
import * as attr from './span-attributes.js';

/** What the spans name of an upstream: its `gen_ai.provider.name` and address. */
export interface UpstreamFacts {
  providerName: string;
  address?: string;
  port?: number;
}

export interface SpanInputs {
  event: RequestEvent;
  trace: RequestTrace;
  /** Span ids for attempts that came without one (an event from a path that names no spans). */
  newSpanId(): string;
  upstream(provider: string): UpstreamFacts;
  content: ContentAttributes | undefined;
  resource: Resource;
  scope: InstrumentationScope;
}

export function buildSpans(inputs: SpanInputs): ReadableSpan[] {
  const { event, trace } = inputs;
  const make = (span: SpanShape) => readableSpan(span, trace.traceId, inputs.resource, inputs.scope);
  const spans = [make(serverSpan(inputs))];
  const reasons = hopReasons(event.served.attempts);
  const costs = lastCallPerHop(event.served.attempts, event.cost?.hops ?? []);
  event.served.attempts.forEach((record, index) => {
    spans.push(make(hopSpan(inputs, record, reasons[index], costs.get(record))));
  });
  return spans;
}

interface SpanShape {
  name: string;
  kind: SpanKind;
  spanId: string;
  parent?: { spanId: string; remote: boolean };
  startMs: number;
  durationMs: number;
  attributes: Attributes;
  status: SpanStatus;
}

function serverSpan({ event, trace, upstream, content }: SpanInputs): SpanShape {
  const attributes: Attributes = {
    [attr.GEN_AI_OPERATION_NAME]: event.operation,
    [attr.GEN_AI_REQUEST_MODEL]: event.request.model,
    [attr.SWITCHYARD_REQUEST_ID]: event.requestId,
    [attr.SWITCHYARD_ROUTE]: event.route,
    [attr.SWITCHYARD_HOPS]: event.served.attempts.length,
    [attr.HTTP_RESPONSE_STATUS_CODE]: event.status,
  };
  if (event.served.provider !== undefined) attributes[attr.GEN_AI_PROVIDER_NAME] = upstream(event.served.provider).providerName;
  if (event.served.deployment !== undefined) attributes[attr.SWITCHYARD_DEPLOYMENT] = event.served.deployment;
  if (event.tenant !== '') attributes[attr.SWITCHYARD_TENANT] = event.tenant;
  if (event.clientCertificate !== undefined) attributes[attr.TLS_CLIENT_SUBJECT] = event.clientCertificate;
  if (event.stream) attributes[attr.GEN_AI_REQUEST_STREAM] = true;
  addParameters(attributes, event.request);
  if (event.response) addResponse(attributes, event.response);
  if (event.timeToFirstChunkMs !== undefined) attributes[attr.GEN_AI_RESPONSE_TIME_TO_FIRST_CHUNK] = event.timeToFirstChunkMs / 1000;
  const reason = requestReason(event);
  if (reason !== undefined) {
    attributes[attr.GEN_AI_FALLBACK_REASON] = reason;
    attributes[attr.GEN_AI_FALLBACK_HOP] = event.served.hop;
    attributes[attr.GEN_AI_FALLBACK_ROUTE] = event.route;
  }
  if (event.served.cache) attributes[attr.SWITCHYARD_CACHE_AGE_MS] = event.served.cache.ageMs;
  if (event.served.manual !== undefined) attributes[attr.SWITCHYARD_MANUAL] = event.served.manual;
  if (event.served.replayOf !== undefined) attributes[attr.SWITCHYARD_REPLAY_OF] = event.served.replayOf;
  if (event.cost) attributes[attr.SWITCHYARD_COST_USD] = event.cost.totalUsd;
  if (content) {
    attributes[attr.GEN_AI_INPUT_MESSAGES] = content.input;
    if (content.output !== undefined) attributes[attr.GEN_AI_OUTPUT_MESSAGES] = content.output;
  }
  let status: SpanStatus = { code: SpanStatusCode.UNSET };
  if (event.error) {
    attributes[attr.ERROR_TYPE] = event.error.shape ?? event.error.code;
    attributes[attr.SWITCHYARD_ERROR_CODE] = event.error.code;
    status = { code: SpanStatusCode.ERROR, message: event.error.message };
  }
  return {
    name: `${event.operation} ${event.request.model}`,
    kind: SpanKind.SERVER,
    spanId: trace.spanId,
    ...(trace.parentSpanId ? { parent: { spanId: trace.parentSpanId, remote: true } } : {}),
    startMs: event.startedAt,
    durationMs: event.durationMs,
    attributes,
    status,
  };
}

function hopSpan(inputs: SpanInputs, record: AttemptRecord, reason: ReturnType<typeof hopReasons>[number], cost: HopCost | undefined): SpanShape {
  const { event } = inputs;
  const upstream = inputs.upstream(record.provider);
  const attributes: Attributes = {
    [attr.GEN_AI_OPERATION_NAME]: event.operation,
    [attr.GEN_AI_PROVIDER_NAME]: upstream.providerName,
    [attr.GEN_AI_REQUEST_MODEL]: record.model,
    [attr.SWITCHYARD_DEPLOYMENT]: record.deployment,
    [attr.SWITCHYARD_STEP]: record.step,
    [attr.SWITCHYARD_OUTCOME]: record.outcome,
    [attr.GEN_AI_FALLBACK_HOP]: record.hop,
    [attr.GEN_AI_FALLBACK_ROUTE]: event.route,
  };
  const skipped = record.outcome === 'skipped';
  if (!skipped) addParameters(attributes, { ...event.request, model: record.model });
  if (upstream.address !== undefined && record.step === 'deployment') {
    attributes[attr.SERVER_ADDRESS] = upstream.address;
    if (upstream.port !== undefined) attributes[attr.SERVER_PORT] = upstream.port;
  }
  if (reason) {
    attributes[attr.GEN_AI_FALLBACK_REASON] = reason.reason;
    if (reason.mttrMs !== undefined) attributes[attr.GEN_AI_FALLBACK_MTTR_MS] = reason.mttrMs;
  }
  if (record.mttrMs !== undefined) attributes[attr.GEN_AI_FALLBACK_MTTR_MS] = record.mttrMs;
  if (record.attempt > 1) {
    attributes[attr.HTTP_REQUEST_RESEND_COUNT] = record.attempt - 1;
    attributes[attr.GEN_AI_RETRY_ATTEMPT] = record.attempt;
    if (record.backoffMs !== undefined) attributes[attr.GEN_AI_RETRY_BACKOFF_MS] = record.backoffMs;
  }
  if (record.hedge) attributes[attr.SWITCHYARD_HEDGE] = true;
  if (record.upstreamStatus !== undefined) attributes[attr.HTTP_RESPONSE_STATUS_CODE] = record.upstreamStatus;
  if (record.outcome === 'served' && event.response && record.deployment === event.served.deployment && record.hop === event.served.hop) addResponse(attributes, event.response);
  if (cost) {
    // A failed call the provider may bill (a timeout after sending, a stream broken before content) shows its tokens too.
    if (record.outcome !== 'served' && (cost.inputTokens > 0 || cost.outputTokens > 0)) addUsage(attributes, cost);
    if (cost.estimated) attributes[attr.SWITCHYARD_USAGE_ESTIMATED] = true;
    if (cost.usd !== undefined) attributes[attr.SWITCHYARD_COST_USD] = cost.usd;
  }
  let status: SpanStatus = { code: SpanStatusCode.UNSET };
  if (record.outcome === 'failed') {
    attributes[attr.ERROR_TYPE] = record.shape ?? record.code ?? 'unknown_upstream_error';
    if (record.code !== undefined) attributes[attr.SWITCHYARD_ERROR_CODE] = record.code;
    status = { code: SpanStatusCode.ERROR, ...(record.message !== undefined ? { message: record.message } : {}) };
  }
  return {
    name: `${event.operation} ${record.model}`,
    kind: skipped ? SpanKind.INTERNAL : SpanKind.CLIENT,
    spanId: record.spanId ?? inputs.newSpanId(),
    parent: { spanId: inputs.trace.spanId, remote: false },
    startMs: record.startedAt,
    durationMs: record.durationMs,
    attributes,
    status,
  };
}

function addParameters(attributes: Attributes, request: RequestParameters): void {
  attributes[attr.GEN_AI_REQUEST_MODEL] = request.model;
  if (request.temperature !== undefined) attributes[attr.GEN_AI_REQUEST_TEMPERATURE] = request.temperature;
  if (request.topP !== undefined) attributes[attr.GEN_AI_REQUEST_TOP_P] = request.topP;
  if (request.maxTokens !== undefined) attributes[attr.GEN_AI_REQUEST_MAX_TOKENS] = request.maxTokens;
  if (request.frequencyPenalty !== undefined) attributes[attr.GEN_AI_REQUEST_FREQUENCY_PENALTY] = request.frequencyPenalty;
  if (request.presencePenalty !== undefined) attributes[attr.GEN_AI_REQUEST_PRESENCE_PENALTY] = request.presencePenalty;
  if (request.stopSequences !== undefined) attributes[attr.GEN_AI_REQUEST_STOP_SEQUENCES] = request.stopSequences;
  if (request.seed !== undefined) attributes[attr.GEN_AI_REQUEST_SEED] = request.seed;
  if (request.choiceCount !== undefined && request.choiceCount !== 1) attributes[attr.GEN_AI_REQUEST_CHOICE_COUNT] = request.choiceCount;
}

function addResponse(attributes: Attributes, response: ResponseFacts): void {
  if (response.id !== '') attributes[attr.GEN_AI_RESPONSE_ID] = response.id;
  if (response.model !== '') attributes[attr.GEN_AI_RESPONSE_MODEL] = response.model;
  if (response.finishReasons.length > 0) attributes[attr.GEN_AI_RESPONSE_FINISH_REASONS] = response.finishReasons.map((reason) => reason.raw ?? reason.unified);
  if (response.usage) addUsage(attributes, response.usage);
}

function addUsage(attributes: Attributes, usage: { inputTokens: number; outputTokens: number; cachedInputTokens: number; reasoningTokens?: number }): void {
  // Providers' input counts already hold the cached tokens and their output counts the reasoning
  // tokens (the conventions ask for both); each part is named too.
  attributes[attr.GEN_AI_USAGE_INPUT_TOKENS] = usage.inputTokens;
  attributes[attr.GEN_AI_USAGE_OUTPUT_TOKENS] = usage.outputTokens;
  if (usage.cachedInputTokens > 0) attributes[attr.GEN_AI_USAGE_CACHE_READ_INPUT_TOKENS] = usage.cachedInputTokens;
  if (usage.reasoningTokens !== undefined && usage.reasoningTokens > 0) attributes[attr.GEN_AI_USAGE_REASONING_OUTPUT_TOKENS] = usage.reasoningTokens;
}

/** A hop's cost goes on its last call (the one that served, or the last that failed on that step). */
function lastCallPerHop(attempts: readonly AttemptRecord[], costs: readonly HopCost[]): Map<AttemptRecord, HopCost> {
  const out = new Map<AttemptRecord, HopCost>();
  for (const cost of costs) {
    const last = attempts.findLast((record) => record.hop === cost.hop && record.deployment === cost.deployment);
    if (last) out.set(last, cost);
  }
  return out;
}

function readableSpan(span: SpanShape, traceId: string, resource: Resource, scope: InstrumentationScope): ReadableSpan {
  const startTime = millisToHrTime(span.startMs);
  const endTime = millisToHrTime(span.startMs + span.durationMs);
  const context = { traceId, spanId: span.spanId, traceFlags: TraceFlags.SAMPLED };
  return {
    name: span.name,
    kind: span.kind,
    spanContext: () => context,
    ...(span.parent ? { parentSpanContext: { traceId, spanId: span.parent.spanId, traceFlags: TraceFlags.SAMPLED, isRemote: span.parent.remote } } : {}),
    startTime,
    endTime,
    duration: hrTimeDuration(startTime, endTime),
    status: span.status,
    attributes: span.attributes,
    links: [],
    events: [],
    ended: true,
    resource,
    instrumentationScope: scope,
    droppedAttributesCount: 0,
    droppedEventsCount: 0,
    droppedLinksCount: 0,
  };
}
