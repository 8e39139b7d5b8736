/**
 * The telemetry sinks the config asks for, made once per gateway. Each sink lives in its own
 * folder; adding one is a line here. The core sees them only as `Telemetry` (request-event.ts).
 */
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Provider } from '../providers/types.js';
import type { Telemetry } from './request-event.js';

export interface SinkContext {
  config: Config;
  logger: Logger;
  /** The config and providers in force now (they change on reload): what a sink reads per request, e.g. an upstream's address. */
  current?: () => { config: Config; providers: ReadonlyMap<string, Provider> };
}

export async function createTelemetrySinks(context: SinkContext): Promise<Telemetry[]> {
  const sinks: Telemetry[] = [];
  // Loaded only when on, so a gateway without tracing never loads OpenTelemetry.
  if (context.config.telemetry.traces.enabled) sinks.push((await import('./traces/create-trace-sink.js')).createTraceSink(context));
  // Loaded only when on, so a gateway without metrics never loads prom-client.
  if (context.config.telemetry.metrics.enabled) sinks.push((await import('./metrics/create-metrics-sink.js')).createMetricsSink({ config: context.config, onError: (err) => context.logger.error({ err }, 'recording metrics failed') }));
  // Loaded only when on, so `request_log.store: off` never loads a database driver.
  if (context.config.telemetry.request_log.store !== 'off') {
    const sink = await (await import('../store/create-request-log-sink.js')).createRequestLogSink({ config: context.config.telemetry.request_log, logger: context.logger });
    if (sink) sinks.push(sink);
  }
  void context;
  return sinks;
}
