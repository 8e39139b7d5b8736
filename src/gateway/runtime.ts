/**
 * Everything one config version needs at run time: live providers, chain steps and route policies
 * with their limits resolved. A reload builds a new Runtime and swaps it in; the old one closes
 * once its in-flight requests are done. State that must outlive a reload (caches, the idempotency
 * store, the recent-request log) belongs to the gateway and is handed in.
 */
import {
  DEFAULT_FIRST_BYTE_MS,
  DEFAULT_HOP_TOTAL_MS,
  DEFAULT_IDLE_MS,
  type Config,
  type StepConfig,
  type TimeoutsConfig,
} from '../config/schema.js';
import { asConfigError } from '../config/load-config.js';
import { createRoutePolicy, type Policy } from '../fallback/policy.js';
import type { ChainStep } from '../fallback/run-chain.js';
import { createManualHandler, type ManualHandler } from '../manual/manual-handler.js';
import { PROVIDER_DEFINITIONS } from '../providers/registry.js';
import type { Env } from '../providers/http/egress-proxy.js';
import type { HopTimeouts, Provider, ProviderDefinition } from '../providers/types.js';
import { preloadTokenizer } from './count-prompt-tokens.js';

export interface StepTimeouts extends HopTimeouts {
  /** Streaming: from sending the request to the first content chunk. */
  firstTokenMs: number | undefined;
}

export interface DeploymentStep extends ChainStep {
  kind: 'deployment';
  provider: Provider;
  /** The deployment's `model_family`: the public model name its model stands for, when the name does not say. */
  modelFamily: string | undefined;
  contextWindow: number | undefined;
  timeouts: StepTimeouts;
}

export interface CacheStep extends ChainStep {
  kind: 'cache';
}

export interface ManualStep extends ChainStep {
  kind: 'manual';
  handler: ManualHandler;
}

export type Step = DeploymentStep | CacheStep | ManualStep;

export interface Route {
  name: string;
  chain: Step[];
  /** Every deployment with this route's timeouts, for downgrade targets outside the chain. */
  resolve(name: string): Step | undefined;
  policy: Policy;
  deadlineMs: number;
  maxHops: number;
  hedgeAfterMs: number | undefined;
  /** Whether answers are written to the response cache (the chain has a cache step). */
  cachesAnswers: boolean;
  /** `health`: degraded deployments go behind healthy peers; `fixed`: the chain's order always. */
  order: 'health' | 'fixed';
}

/** A model a client may ask for: a route's name, and when the config that made it was applied. */
export interface ServedModel {
  id: string;
  /** Epoch ms. */
  createdAt: number;
}

export class Runtime {
  readonly routes: Map<string, Route>;
  /** The route names a client may ask for (`GET /v1/models`), in config order. */
  readonly models: readonly ServedModel[];
  private inflight = 0;
  private closing: (() => void) | undefined;

  constructor(
    readonly config: Config,
    readonly providers: Map<string, Provider>,
    manual: ReadonlyMap<string, ManualHandler> = manualHandlers(config, process.env),
  ) {
    this.routes = new Map();
    for (const [name, route] of Object.entries(config.routes)) {
      const deployment = (target: string): DeploymentStep => {
        const own = config.deployments[target];
        if (!own) throw new Error(`unknown deployment ${target}`); // the schema has already refused this
        return {
          kind: 'deployment',
          name: target,
          providerName: own.provider,
          model: own.model,
          provider: providers.get(own.provider) as Provider,
          modelFamily: own.model_family,
          contextWindow: own.context_window,
          timeouts: resolveTimeouts(own.timeouts, route.timeouts),
        };
      };
      const toStep = (step: StepConfig): Step => {
        if (typeof step === 'string') return deployment(step);
        if ('deployment' in step) return deployment(step.deployment);
        if ('cache' in step) return { kind: 'cache', name: 'cache', providerName: 'switchyard', model: 'cache/exact' };
        return { kind: 'manual', name: step.manual, providerName: 'switchyard', model: `manual/${step.manual}`, handler: manual.get(step.manual) as ManualHandler };
      };
      const chain = route.chain.map(toStep);
      const byName = new Map(chain.map((step) => [step.name, step]));
      this.routes.set(name, {
        name,
        chain,
        resolve: (target) => byName.get(target) ?? (target in config.deployments ? deployment(target) : undefined),
        policy: createRoutePolicy(route.policy, route.retry),
        deadlineMs: route.deadline_ms,
        maxHops: route.max_hops,
        hedgeAfterMs: route.hedge_after_ms,
        cachesAnswers: chain.some((step) => step.kind === 'cache'),
        order: route.order,
      });
    }
    // Prompts are counted only against a declared context window: load the tokenizer only then.
    if (Object.values(config.deployments).some((d) => d.context_window !== undefined)) preloadTokenizer();
    const createdAt = Date.now();
    this.models = [...this.routes.keys()].map((id) => ({ id, createdAt }));
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

/** Makes the config's providers; `env` is where a `proxy: env` looks, `notice` where a provider tells what it learned of its upstream. */
export async function buildRuntime(config: Config, env: Env = process.env, notice?: (provider: string, message: string) => void): Promise<Runtime> {
  const providers = new Map<string, Provider>();
  try {
    for (const [name, providerConfig] of Object.entries(config.providers)) {
      const definition = PROVIDER_DEFINITIONS[providerConfig.type] as ProviderDefinition;
      const context = { name, env, notice: notice && ((message: string) => notice(name, message)) };
      providers.set(name, await definition.create(providerConfig, context).catch((err: unknown) => Promise.reject(asConfigError(err, ['providers', name]))));
    }
    return new Runtime(config, providers, manualHandlers(config, env));
  } catch (err) {
    await Promise.allSettled([...providers.values()].map((provider) => provider.close()));
    throw err;
  }
}

function manualHandlers(config: Config, env: Env): Map<string, ManualHandler> {
  const handlers = new Map<string, ManualHandler>();
  for (const [name, handler] of Object.entries(config.manual)) {
    try {
      handlers.set(name, createManualHandler(name, handler, env));
    } catch (err) {
      throw asConfigError(err, ['manual', name]);
    }
  }
  return handlers;
}

function resolveTimeouts(own: TimeoutsConfig | undefined, route: TimeoutsConfig | undefined): StepTimeouts {
  return {
    firstByteMs: own?.first_byte_ms ?? route?.first_byte_ms ?? DEFAULT_FIRST_BYTE_MS,
    idleMs: own?.idle_ms ?? route?.idle_ms ?? DEFAULT_IDLE_MS,
    totalMs: own?.total_ms ?? route?.total_ms ?? DEFAULT_HOP_TOTAL_MS,
    firstTokenMs: own?.first_token_ms ?? route?.first_token_ms,
  };
}
