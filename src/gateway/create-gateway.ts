/**
 * The library entry: `createGateway(config)` is the whole pipeline, in process. The HTTP server is
 * a thin layer over the same object.
 */
import type { Logger } from 'pino';
import { parseConfig, type LoadOptions } from '../config/load-config.js';
import type { Config, ConfigInput } from '../config/schema.js';
import { GatewayError } from '../errors.js';
import type { EmbeddingsResult, FaultControl } from '../providers/types.js';
import { createLogger } from '../telemetry/logger.js';
import type { RecentRequest } from './recent-requests.js';
import { buildRuntime, type Runtime, type ServedModel } from './runtime.js';
import { serveChat, serveText, type CallOptions, type ChatOutcome } from './serve-chat.js';
import { COMPLETIONS_API } from './text-api.js';
import { serveEmbeddings } from './serve-embeddings.js';
import type { Served } from './served.js';
import { createServices, reconfigureServices } from './services.js';
import { probeSettingsFor } from '../health/breaker-options.js';
import type { HealthSnapshot } from '../health/health-registry.js';
import type { HealthStore } from '../health/health-store.js';
import { Prober, type ProbeTarget } from '../health/prober.js';
import { fanOut, type Telemetry } from '../telemetry/request-event.js';
import { ConfiguredSinks } from '../telemetry/create-sinks.js';
import { withCost } from '../cost/with-cost.js';
import { describeUnpriced } from '../cost/create-pricer.js';
import { connectMetrics, type MetricsEndpoint } from '../telemetry/metrics/metrics-sink.js';
import { requestLogCounts } from '../store/request-log-counts.js';
import type { ServerLoad } from './server-load.js';

export interface GatewayOptions extends LoadOptions {
  /** Where the gateway logs; by default a pino logger at the config's level (silent for `silent`). */
  logger?: Logger;
  /** Where breaker states are shared with other gateways; by default this gateway's own memory. */
  healthStore?: HealthStore;
  /** Sinks of finished requests (traces, metrics, a request log), besides those the config sets up. */
  telemetry?: Telemetry[];
}

/** What an operator can do to one breaker by hand. */
export interface HealthControl {
  /** Every breaker's state, counters, last transitions and outages (MTTR). */
  snapshot(): HealthSnapshot[];
  /** Holds a deployment (or a provider's key) failed until restored: no user request, no probe brings it back. */
  drain(kind: 'deployment' | 'key', name: string, reason?: string): HealthSnapshot;
  restore(kind: 'deployment' | 'key', name: string, reason?: string): HealthSnapshot;
}

export interface Gateway {
  /** The config in force (after defaults). */
  readonly config: Config;
  readonly logger: Logger;
  /** The HTTP server's model requests in flight and refused (`server.max_in_flight`), for `/metrics`. */
  readonly load: ServerLoad;
  /** A Chat Completions request in OpenAI's shape; `stream: true` gives a stream. */
  chatCompletion(body: unknown, options?: CallOptions): Promise<ChatOutcome>;
  /** A legacy Completions request (`prompt`), answered as a `text_completion`, or its chunks with `stream: true`. */
  completion(body: unknown, options?: CallOptions): Promise<ChatOutcome>;
  embeddings(body: unknown, options?: CallOptions): Promise<{ result: EmbeddingsResult; served: Served }>;
  /** The route names a client may ask for (`GET /v1/models`), in config order. */
  models(): readonly ServedModel[];
  /**
   * The attempt log of a recent request, by its id, from memory (the last `server.recent_requests`
   * are kept). `findRequest` (gateway/find-request.ts) also reads older ones from the request log.
   */
  recentRequest(requestId: string): RecentRequest | undefined;
  /** The most recent requests kept in memory, newest first. */
  recentRequests(limit: number): RecentRequest[];
  /** Fault injection for a mock provider (drills, tests). */
  faults(provider: string): FaultControl | undefined;
  /** Circuit breakers: states, MTTR, drain and restore. */
  readonly health: HealthControl;
  /** The Prometheus scrape (`GET /metrics`); undefined while `telemetry.metrics.enabled` is off. */
  readonly metrics: MetricsEndpoint | undefined;
  /** True from start until close. */
  ready(): boolean;
  /** Swaps in a new config; requests in flight finish on the old one. An invalid config changes nothing. */
  reload(config: ConfigInput | Config): Promise<void>;
  close(): Promise<void>;
}

export async function createGateway(input: ConfigInput | Config, options: GatewayOptions = {}): Promise<Gateway> {
  const initial = parseConfig(input, options);
  const logger = options.logger ?? createLogger(initial.log.level);
  /** What a provider learned of its upstream (that it refuses `stream_options`), logged. */
  const notice = (provider: string, message: string): void => logger.warn({ provider }, message);
  let runtime: Runtime = await buildRuntime(initial, options.env, notice);
  logProxies(runtime, logger);
  let closed = false;
  // The config's sinks, remade on reload where their section changed; the caller's own sinks stay as given.
  const requestLog = requestLogCounts();
  const configured = new ConfiguredSinks({ logger, current: () => runtime, env: options.env, requestLogCounts: requestLog });
  await configured.apply(runtime.config);
  const services = createServices(() => runtime.config, options.healthStore);
  const load: ServerLoad = { inFlight: 0, shed: 0 };
  let metrics: MetricsEndpoint | undefined;
  /** Points the services at the sinks in force: the next request to finish reports to them. */
  function connectSinks(): void {
    const sinks = [...configured.list(), ...(options.telemetry ?? [])];
    // Cost is priced once, before any sink sees the event, so the request log and the metrics agree.
    services.telemetry = withCost(fanOut(sinks, (err) => logger.error({ err }, 'a telemetry sink failed')), {
      config: () => runtime.config,
      onError: (err) => logger.error({ err }, 'pricing a request failed'),
      onUnpriced: (unpriced) => logger.warn({ deployments: unpriced.map(({ deployment }) => deployment) }, describeUnpriced(unpriced)),
    });
    metrics = connectMetrics(sinks, { health: services.healthRegistry, load, requestLog });
  }
  connectSinks();
  const retiring = new Set<Promise<void>>();
  const prober = new Prober({
    registry: services.healthRegistry,
    targets: () => (runtime.config.health.enabled ? probeTargets(runtime) : []),
    maxPerSecond: runtime.config.health.probes.max_per_second,
    onProbe: (result) => logger.debug(result, 'health probe'),
  });
  prober.start();
  services.healthRegistry.events.on('transition', (event) => logger.info(event, 'health transition'));

  function breakerOf(kind: 'deployment' | 'key', name: string) {
    const config = runtime.config;
    if (kind === 'deployment') {
      const deployment = config.deployments[name];
      if (!deployment) throw new GatewayError(`No deployment named '${name}'.`, { status: 404, code: 'deployment_not_found', shape: 'client_error' });
      return services.healthRegistry.deployment(name, deployment.provider);
    }
    if (!(name in config.providers)) throw new GatewayError(`No provider named '${name}'.`, { status: 404, code: 'provider_not_found', shape: 'client_error' });
    return services.healthRegistry.key(name);
  }

  function snapshotOf(kind: 'deployment' | 'key', name: string): HealthSnapshot {
    const breakerName = kind === 'deployment' ? `deployment:${name}` : `key:${name}`;
    return services.healthRegistry.snapshot().find((entry) => entry.name === breakerName) as HealthSnapshot;
  }

  function current(): Runtime {
    if (closed) throw new GatewayError('The gateway is shutting down.', { status: 503, code: 'shutting_down' });
    return runtime;
  }

  function retire(old: Runtime): void {
    const done = old.close().catch((err: unknown) => logger.error({ err }, 'closing the previous config failed'));
    retiring.add(done);
    void done.finally(() => retiring.delete(done));
  }

  return {
    get config() {
      return runtime.config;
    },
    logger,
    load,
    chatCompletion: (body, callOptions = {}) => serveChat(current(), services, body, callOptions),
    completion: (body, callOptions = {}) => serveText(COMPLETIONS_API, current(), services, body, callOptions),
    embeddings: (body, callOptions = {}) => serveEmbeddings(current(), services, body, callOptions),
    recentRequest: (requestId) => services.recent.get(requestId),
    recentRequests: (limit) => services.recent.list(limit),
    models: () => current().models,
    faults: (provider) => runtime.providers.get(provider)?.faults,
    get metrics() {
      return metrics;
    },
    health: {
      snapshot: () => services.healthRegistry.snapshot(),
      drain(kind, name, reason = 'drained by an operator') {
        breakerOf(kind, name).force('failed', reason);
        logger.warn({ kind, name, reason }, 'drained by hand');
        return snapshotOf(kind, name);
      },
      restore(kind, name, reason = 'restored by an operator') {
        breakerOf(kind, name).force('healthy', reason);
        logger.warn({ kind, name, reason }, 'restored by hand');
        return snapshotOf(kind, name);
      },
    },
    ready: () => !closed,
    async reload(next) {
      const config = parseConfig(next, options);
      const fresh = await buildRuntime(config, options.env, notice);
      if (closed) {
        await fresh.close();
        return;
      }
      try {
        await configured.apply(config);
      } catch (err) {
        await fresh.close();
        throw err;
      }
      const old = runtime;
      runtime = fresh;
      reconfigureServices(services, config);
      connectSinks();
      retire(old);
      logger.info({ routes: [...fresh.routes.keys()] }, 'config reloaded');
      logProxies(fresh, logger);
    },
    async close() {
      if (closed) return;
      closed = true;
      prober.stop();
      services.healthRegistry.close();
      retire(runtime);
      await Promise.all(retiring);
      await services.telemetry?.close();
    },
  };
}

/** Says which providers' calls go through a proxy, and which: an operator's first question when calls fail to connect. */
function logProxies(runtime: Runtime, logger: Logger): void {
  for (const [provider, { origin, proxy }] of runtime.providers) {
    if (proxy) logger.info({ provider, upstream: origin, proxy: proxy.shown, from: proxy.source }, `calls to ${provider} go through the proxy ${proxy.shown}`);
  }
}

/** Probe targets per config version, built once (the prober asks ten times a second). */
const PROBE_TARGETS = new WeakMap<Runtime, ProbeTarget[]>();

function probeTargets(runtime: Runtime): ProbeTarget[] {
  const known = PROBE_TARGETS.get(runtime);
  if (known) return known;
  const { config } = runtime;
  const targets: ProbeTarget[] = [];
  PROBE_TARGETS.set(runtime, targets);
  for (const [deployment, own] of Object.entries(config.deployments)) {
    const provider = runtime.providers.get(own.provider);
    if (!provider) continue;
    targets.push({ deployment, providerName: own.provider, provider, model: own.model, settings: probeSettingsFor(config.health, own.provider, deployment) });
  }
  return targets;
}
