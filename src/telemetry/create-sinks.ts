/**
 * The telemetry sinks the config asks for: one per section of `telemetry:` (traces, metrics,
 * request_log, access_log), each in its own folder and loaded only when on. A reload remakes only the sinks
 * whose section changed (and any whose settings name TLS files, so rotated files are read again), so a new collector or log path applies without a restart, while the
 * metrics (their counters) and an unchanged log carry on. The core sees them only as `Telemetry`
 * (request-event.ts).
 */
import type { Logger } from 'pino';
import { asConfigError } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import type { Env } from '../providers/http/egress-proxy.js';
import type { Provider } from '../providers/types.js';
import type { RequestLogCounts } from '../store/request-log-counts.js';
import type { Telemetry } from './request-event.js';

export interface SinkContext {
  config: Config;
  logger: Logger;
  /** The config and providers in force now (they change on reload): what a sink reads per request, e.g. an upstream's address. */
  current?: () => { config: Config; providers: ReadonlyMap<string, Provider> };
  /** Where a `proxy: env` looks (default: process.env). */
  env?: Env | undefined;
  /** Where the request log keeps what it holds and loses (read by `/metrics`), across the sinks a reload makes. */
  requestLogCounts?: RequestLogCounts;
}

/** The sections of `telemetry:` that each make a sink. */
const SINK_SECTIONS = ['traces', 'metrics', 'request_log', 'access_log'] as const;
type SinkSection = (typeof SINK_SECTIONS)[number];

async function createSink(section: SinkSection, context: SinkContext): Promise<Telemetry | undefined> {
  const { telemetry } = context.config;
  switch (section) {
    case 'traces':
      // Loaded only when on, so a gateway without tracing never loads OpenTelemetry.
      if (!telemetry.traces.enabled) return undefined;
      try {
        return (await import('./traces/create-trace-sink.js')).createTraceSink(context);
      } catch (err) {
        throw asConfigError(err, ['telemetry', 'traces']);
      }
    case 'metrics':
      // Loaded only when on, so a gateway without metrics never loads prom-client.
      return telemetry.metrics.enabled
        ? (await import('./metrics/create-metrics-sink.js')).createMetricsSink({ config: context.config, onError: (err) => context.logger.error({ err }, 'recording metrics failed') })
        : undefined;
    case 'request_log':
      // Loaded only when on, so `request_log.store: off` never loads a database driver.
      return telemetry.request_log.store === 'off'
        ? undefined
        : (await import('../store/create-request-log-sink.js')).createRequestLogSink({ config: telemetry.request_log, logger: context.logger, counts: context.requestLogCounts });
    case 'access_log':
      return telemetry.access_log.enabled ? (await import('./access-log/access-log.js')).createAccessLogSink(context.logger) : undefined;
  }
}

/** Made once per gateway; `apply` is called with the first config and with each reloaded one. */
export class ConfiguredSinks {
  private made = new Map<SinkSection, { settings: string | undefined; sink: Telemetry | undefined }>();

  constructor(private readonly context: Omit<SinkContext, 'config'>) {}

  /**
   * Makes the sinks `config` asks for, keeping each one whose section did not change, and closes
   * the ones replaced (a request log flushes its queue first). When a new sink cannot be made,
   * nothing changes and the error is thrown.
   */
  async apply(config: Config): Promise<void> {
    const next = new Map(this.made);
    const made: Telemetry[] = [];
    const replaced: Telemetry[] = [];
    try {
      for (const section of SINK_SECTIONS) {
        const settings = readsFiles(config.telemetry[section]) ? undefined : JSON.stringify(config.telemetry[section]);
        const old = this.made.get(section);
        if (old && settings !== undefined && old.settings === settings) continue;
        const sink = await createSink(section, { ...this.context, config });
        if (sink) made.push(sink);
        if (old?.sink) replaced.push(old.sink);
        next.set(section, { settings, sink });
      }
    } catch (err) {
      await Promise.allSettled(made.map((sink) => sink.close()));
      throw err;
    }
    this.made = next;
    const closing = await Promise.allSettled(replaced.map((sink) => sink.close()));
    for (const result of closing) if (result.status === 'rejected') this.context.logger.error({ err: result.reason }, 'closing a replaced telemetry sink failed');
  }

  /** The sinks in force, in section order. */
  list(): Telemetry[] {
    return SINK_SECTIONS.flatMap((section) => {
      const sink = this.made.get(section)?.sink;
      return sink ? [sink] : [];
    });
  }
}

/** A sink whose settings name TLS files (the trace exporter's) is remade on every reload, so a rotated file is read again. */
function readsFiles(settings: object): boolean {
  return 'tls' in settings && settings.tls !== undefined;
}
