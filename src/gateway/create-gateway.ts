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
import { buildRuntime, type Runtime } from './runtime.js';
import { serveChat, type CallOptions, type ChatOutcome } from './serve-chat.js';
import { serveEmbeddings } from './serve-embeddings.js';
import type { Served } from './served.js';
import { createServices, reconfigureServices } from './services.js';

export interface GatewayOptions extends LoadOptions {
  /** Where the gateway logs; by default a pino logger at the config's level (silent for `silent`). */
  logger?: Logger;
}

export interface Gateway {
  /** The config in force (after defaults). */
  readonly config: Config;
  readonly logger: Logger;
  /** A Chat Completions request in OpenAI's shape; `stream: true` gives a stream. */
  chatCompletion(body: unknown, options?: CallOptions): Promise<ChatOutcome>;
  embeddings(body: unknown, options?: CallOptions): Promise<{ result: EmbeddingsResult; served: Served }>;
  /** The `GET /v1/models` body: the route names a client may ask for. */
  modelsJson(): string;
  /** The attempt log of a recent request, by its id (the last 1,000 are kept). */
  recentRequest(requestId: string): RecentRequest | undefined;
  /** The most recent requests, newest first. */
  recentRequests(limit: number): RecentRequest[];
  /** Fault injection for a mock provider (drills, tests). */
  faults(provider: string): FaultControl | undefined;
  /** True from start until close. */
  ready(): boolean;
  /** Swaps in a new config; requests in flight finish on the old one. An invalid config changes nothing. */
  reload(config: ConfigInput | Config): Promise<void>;
  close(): Promise<void>;
}

export async function createGateway(input: ConfigInput | Config, options: GatewayOptions = {}): Promise<Gateway> {
  let runtime: Runtime = await buildRuntime(parseConfig(input, options));
  const logger = options.logger ?? createLogger(runtime.config.log.level);
  let closed = false;
  const services = createServices(() => runtime.config);
  const retiring = new Set<Promise<void>>();

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
    chatCompletion: (body, callOptions = {}) => serveChat(current(), services, body, callOptions),
    embeddings: (body, callOptions = {}) => serveEmbeddings(current(), services, body, callOptions),
    recentRequest: (requestId) => services.recent.get(requestId),
    recentRequests: (limit) => services.recent.list(limit),
    modelsJson: () => current().modelsText,
    faults: (provider) => runtime.providers.get(provider)?.faults,
    ready: () => !closed,
    async reload(next) {
      const config = parseConfig(next, options);
      const fresh = await buildRuntime(config);
      if (closed) {
        await fresh.close();
        return;
      }
      const old = runtime;
      runtime = fresh;
      reconfigureServices(services, config);
      retire(old);
      logger.info({ routes: [...fresh.routes.keys()] }, 'config reloaded');
    },
    async close() {
      if (closed) return;
      closed = true;
      retire(runtime);
      await Promise.all(retiring);
    },
  };
}
