/**
 * Everything one config version needs at run time: live providers, deployments and routes with
 * their limits resolved. A reload builds a new Runtime and swaps it in; the old one closes once
 * its in-flight requests are done.
 */
import { DEFAULT_FIRST_BYTE_MS, DEFAULT_HOP_TOTAL_MS, DEFAULT_IDLE_MS, type Config, type TimeoutsConfig } from '../config/schema.js';
import type { ChainStep } from '../fallback/run-chain.js';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';
import type { HopTimeouts, Provider, ProviderDefinition } from '../providers/types.js';

export interface Deployment extends ChainStep {
  provider: Provider;
  contextWindow: number | undefined;
  timeouts: HopTimeouts;
}

export interface Route {
  name: string;
  chain: Deployment[];
  deadlineMs: number;
  maxHops: number;
}

export class Runtime {
  readonly routes: Map<string, Route>;
  /** The `GET /v1/models` body, built once. */
  readonly modelsText: string;
  private inflight = 0;
  private closing: (() => void) | undefined;

  constructor(
    readonly config: Config,
    readonly providers: Map<string, Provider>,
  ) {
    const deployments = new Map<string, Deployment>();
    for (const [name, deployment] of Object.entries(config.deployments)) {
      deployments.set(name, {
        name,
        providerName: deployment.provider,
        model: deployment.model,
        provider: providers.get(deployment.provider) as Provider,
        contextWindow: deployment.context_window,
        timeouts: resolveTimeouts(deployment.timeouts, undefined),
      });
    }
    this.routes = new Map();
    for (const [name, route] of Object.entries(config.routes)) {
      const chain = route.chain.map((step) => {
        const deployment = deployments.get(step) as Deployment;
        const own = config.deployments[step]?.timeouts;
        return { ...deployment, timeouts: resolveTimeouts(own, route.timeouts) };
      });
      this.routes.set(name, { name, chain, deadlineMs: route.deadline_ms, maxHops: route.max_hops ?? chain.length });
    }
    const created = Math.floor(Date.now() / 1000);
    this.modelsText = JSON.stringify({
      object: 'list',
      data: [...this.routes.keys()].map((id) => ({ id, object: 'model', created, owned_by: 'switchyard' })),
    });
  }

  /** Counts a request in; the returned function counts it out. */
  enter(): () => void {
    this.inflight++;
    let left = false;
    return () => {
      if (left) return;
      left = true;
      this.inflight--;
      if (this.inflight === 0 && this.closing) this.closing();
    };
  }

  /** Waits for in-flight requests, then closes every provider. */
  async close(): Promise<void> {
    if (this.inflight > 0) await new Promise<void>((resolve) => (this.closing = resolve));
    await Promise.allSettled([...this.providers.values()].map((provider) => provider.close()));
  }
}

export async function buildRuntime(config: Config): Promise<Runtime> {
  const providers = new Map<string, Provider>();
  try {
    for (const [name, providerConfig] of Object.entries(config.providers)) {
      const definition = PROVIDER_DEFINITIONS[providerConfig.type] as ProviderDefinition;
      providers.set(name, await definition.create(providerConfig, { name }));
    }
  } catch (err) {
    await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
    throw err;
  }
  return new Runtime(config, providers);
}

function resolveTimeouts(own: TimeoutsConfig | undefined, route: TimeoutsConfig | undefined): HopTimeouts {
  return {
    firstByteMs: own?.first_byte_ms ?? route?.first_byte_ms ?? DEFAULT_FIRST_BYTE_MS,
    idleMs: own?.idle_ms ?? route?.idle_ms ?? DEFAULT_IDLE_MS,
    totalMs: own?.total_ms ?? route?.total_ms ?? DEFAULT_HOP_TOTAL_MS,
  };
}
