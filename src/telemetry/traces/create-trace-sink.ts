/**
 * The tracing sink: each finished request becomes spans (build-spans.ts), handed to a batching
 * processor that exports them over OTLP/HTTP (protobuf, or JSON) to the configured collector. On the request's
 * tick it only decides, builds and queues; exports run on the processor's timer and at close.
 */
import { ExportResultCode, type ExportResult } from '@opentelemetry/core';
import { OTLPTraceExporter as OTLPJsonTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { OTLPTraceExporter as OTLPProtobufTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import { BatchSpanProcessor, type ReadableSpan, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { ATTR_SERVICE_NAME } from '@opentelemetry/semantic-conventions';
import type { Logger } from 'pino';
import type { Config } from '../../config/schema.js';
import { readUpstreamTls } from '../../providers/provider-options.js';
import type { Provider } from '../../providers/types.js';
import type { SinkContext } from '../create-sinks.js';
import { genAiProviderName } from '../metrics/gen-ai-provider-name.js';
import type { RequestEvent, Telemetry } from '../request-event.js';
import { buildSpans, type UpstreamFacts } from './build-spans.js';
import { createTracing } from './create-tracing.js';
import { exportAgent } from './export-agent.js';
import { recordContent } from './record-content.js';
import { tracesUrl } from './traces-config.js';

/** The instrumentation scope named on every span. */
export const TRACE_SCOPE = { name: 'switchyard' };
/** Most spans held for export; past it, new spans are dropped (a collector that is down must not grow memory). */
export const MAX_QUEUED_SPANS = 8192;
/** Spans per export request. */
export const MAX_EXPORT_BATCH = 512;
/** How often queued spans are exported. */
export const EXPORT_INTERVAL_MS = 2_000;
/** How long one export may take. */
export const EXPORT_TIMEOUT_MS = 10_000;
/** At most one log line per this interval about failed exports (a collector that is down fails every batch). */
const EXPORT_FAILURE_LOG_INTERVAL_MS = 60_000;
const WELL_KNOWN_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 };

export interface TraceSinkOptions extends SinkContext {
  /** Where spans go; by default the OTLP/HTTP exporter to `telemetry.traces.endpoint`. */
  exporter?: SpanExporter;
}

/** Throws a SettingError (at its path under `telemetry.traces`) for a proxy variable or TLS file that cannot be used. */
export function createTraceSink(options: TraceSinkOptions): Telemetry {
  const settings = options.config.telemetry.traces;
  const tracing = createTracing({ samplingRatio: settings.sampling, captureContent: settings.capture_content });
  const exporter = loggingFailures(options.exporter ?? otlpExporter(settings, options), options.logger);
  const processor = new BatchSpanProcessor(exporter, {
    maxQueueSize: MAX_QUEUED_SPANS,
    maxExportBatchSize: MAX_EXPORT_BATCH,
    scheduledDelayMillis: EXPORT_INTERVAL_MS,
    exportTimeoutMillis: EXPORT_TIMEOUT_MS,
  });
  const resource = resourceFromAttributes({ [ATTR_SERVICE_NAME]: settings.service_name });
  const current = options.current ?? (() => ({ config: options.config, providers: new Map<string, Provider>() }));
  const addresses = new WeakMap<Provider, { address: string; port: number | undefined }>();

  function upstream(provider: string): UpstreamFacts {
    const now = current();
    const providerName = genAiProviderName(now.config.providers[provider], provider);
    const live = now.providers.get(provider);
    if (!live?.origin) return { providerName };
    let known = addresses.get(live);
    if (!known) {
      const url = new URL(live.origin);
      known = { address: url.hostname.replace(/^\[|\]$/g, ''), port: url.port === '' ? WELL_KNOWN_PORTS[url.protocol] : Number(url.port) };
      addresses.set(live, known);
    }
    return known.port === undefined ? { providerName, address: known.address } : { providerName, address: known.address, port: known.port };
  }

  let closed = false;
  return {
    tracing,
    requestFinished(event: RequestEvent) {
      if (closed) return;
      const trace = event.trace ?? tracing.startRequest(event.traceparent);
      if (!trace.sampled) return;
      const content = event.content ? recordContent(event.content, providerSecrets(current().config)) : undefined;
      const spans: ReadableSpan[] = buildSpans({ event, trace, newSpanId: tracing.newSpanId, upstream, content, resource, scope: TRACE_SCOPE });
      for (const span of spans) processor.onEnd(span);
    },
    async close() {
      if (closed) return;
      closed = true;
      await processor.shutdown();
    },
  };
}

/** OpenTelemetry's OTLP/HTTP exporter to the configured collector, on an agent that honours `proxy` and `tls`. */
function otlpExporter(settings: Config['telemetry']['traces'], options: TraceSinkOptions): SpanExporter {
  const url = new URL(tracesUrl(settings.endpoint));
  const { agent, proxy } = exportAgent(url, settings.proxy, settings.tls && readUpstreamTls(settings.tls), options.env ?? process.env);
  if (proxy) options.logger.info({ collector: url.origin, proxy: proxy.shown, from: proxy.source }, `trace exports go through the proxy ${proxy.shown}`);
  const Exporter = settings.protocol === 'http/json' ? OTLPJsonTraceExporter : OTLPProtobufTraceExporter;
  const exporter = new Exporter({ url: url.href, headers: { ...settings.headers }, timeoutMillis: EXPORT_TIMEOUT_MS, httpAgentOptions: () => agent });
  return {
    export: (spans, done) => exporter.export(spans, done),
    shutdown: () => exporter.shutdown().finally(() => agent.destroy()),
    forceFlush: () => exporter.forceFlush(),
  };
}

/** The configured provider credentials: scrubbed from recorded content wherever they appear. */
function providerSecrets(config: Config): string[] {
  const secrets: string[] = [];
  for (const provider of Object.values(config.providers)) {
    for (const key of ['api_key', 'secret_access_key', 'session_token', 'access_token', 'entra_token'] as const) {
      const value = (provider as Partial<Record<typeof key, unknown>>)[key];
      if (typeof value === 'string') secrets.push(value);
    }
  }
  return secrets;
}

/** The exporter, with failed exports logged (at most once a minute) instead of only reported to OpenTelemetry's silent diag. */
function loggingFailures(inner: SpanExporter, logger: Logger): SpanExporter {
  let lastLogged = Number.NEGATIVE_INFINITY;
  return {
    export(spans, done) {
      inner.export(spans, (result: ExportResult) => {
        if (result.code !== ExportResultCode.SUCCESS && Date.now() - lastLogged >= EXPORT_FAILURE_LOG_INTERVAL_MS) {
          lastLogged = Date.now();
          logger.warn({ err: result.error, spans: spans.length }, 'exporting traces failed; spans dropped');
        }
        done(result);
      });
    },
    shutdown: () => inner.shutdown(),
    ...(inner.forceFlush ? { forceFlush: () => (inner.forceFlush as () => Promise<void>)() } : {}),
  };
}
