/**
 * What the gateway knows of the metrics sink, without prom-client: a Telemetry sink that can also
 * watch the health registry and render a scrape. `createGateway` finds it among its sinks
 * (`connectMetrics`) and hands the endpoint to the HTTP layer.
 */
import type { EventEmitter } from 'node:events';
import type { HealthSnapshot } from '../../health/health-registry.js';
import type { Telemetry } from '../request-event.js';
import type { ServerLoad } from '../../gateway/server-load.js';
import type { RequestLogCounts } from '../../store/request-log-counts.js';

/** The health registry as the metrics read it: states at scrape time, transitions as they happen. */
export interface HealthSource {
  snapshot(): HealthSnapshot[];
  /** Emits `transition` (TransitionEvent). */
  readonly events: EventEmitter;
}

/** What the metrics read at scrape time, besides the sink's own instruments. */
export interface WatchedState {
  health: HealthSource;
  /** The HTTP server's model requests in flight and refused. */
  load: ServerLoad;
  /** The request log's backlog and losses. */
  requestLog: RequestLogCounts;
}

/** A scrape in Prometheus' text format. */
export interface MetricsEndpoint {
  readonly contentType: string;
  render(): Promise<string>;
}

export const METRICS_SINK_KIND = 'prometheus-metrics';

export interface MetricsSink extends Telemetry, MetricsEndpoint {
  readonly kind: typeof METRICS_SINK_KIND;
  /**
   * Starts exposing what is read at scrape time: a gauge per breaker state (transitions counted as
   * they happen), the HTTP server's requests in flight and refused, and the request log's backlog
   * and losses. Once; later calls do nothing.
   */
  watch(state: WatchedState): void;
}

function isMetricsSink(sink: Telemetry): sink is MetricsSink {
  return (sink as Partial<MetricsSink>).kind === METRICS_SINK_KIND;
}

/** The metrics endpoint among the sinks (undefined when metrics are off), wired to what it reads at scrape. */
export function connectMetrics(sinks: readonly Telemetry[], state: WatchedState): MetricsEndpoint | undefined {
  const sink = sinks.find(isMetricsSink);
  sink?.watch(state);
  return sink;
}
