/**
 * The gateway a drill runs against: one started in process from a config (on 127.0.0.1, port 0,
 * logging silenced so the drill's own output stays readable), or one already running at a URL.
 * Resolves the route and the primary to break, and refuses early what cannot work.
 */
import type { Dispatcher } from 'undici';
import { ConfigError, loadConfigFile } from '../config/load-config.js';
import type { Config } from '../config/schema.js';
import { createGateway } from '../gateway/create-gateway.js';
import { startServer } from '../server/create-server.js';
import { createLogger } from '../telemetry/logger.js';
import { DRILL_DEMO_SOURCE, drillDemoConfig } from './drill-config.js';
import type { DrillOptions } from './drill-options.js';
import type { BreakerOutage } from './types.js';
import { DrillSetupError, inProcessSwitch, remoteSwitch, type FaultSwitch } from './fault-switch.js';

export interface DrillTarget {
  /** What is being drilled, for output and the report. */
  description: { kind: 'in-process'; config: string } | { kind: 'remote'; url: string };
  origin: string;
  route: string;
  primary: string;
  /** The route's chain as deployment names, when known (in process). */
  chain: string[] | undefined;
  faults: FaultSwitch;
  /** The breaker outages of the primary's deployments since `sinceEpochMs`, when the target can tell. */
  outagesSince?(sinceEpochMs: number): Promise<BreakerOutage[]>;
  /** Things worth saying before the drill starts. */
  notes: string[];
  close(): Promise<void>;
}

export async function openTarget(options: DrillOptions, dispatcher: Dispatcher): Promise<DrillTarget> {
  return options.url === undefined ? openInProcess(options) : openRemote(options, options.url, dispatcher);
}

async function openInProcess(options: DrillOptions): Promise<DrillTarget> {
  let config: Config;
  try {
    config = options.config === undefined ? drillDemoConfig() : await loadConfigFile(options.config);
  } catch (err) {
    if (err instanceof ConfigError) throw new DrillSetupError(err.message);
    throw err;
  }
  const routeNames = Object.keys(config.routes);
  const route = options.route ?? routeNames[0];
  if (route === undefined) throw new DrillSetupError('The config has no route to drill.');
  const routeConfig = config.routes[route];
  if (!routeConfig) throw new DrillSetupError(`--route: the config has no route '${route}' (have: ${routeNames.join(', ')}).`);
  const chain = routeConfig.chain.map((step: unknown) => describeStep(step, config));
  const chainProviders = chain.map((step) => step.provider).filter((provider) => provider !== undefined);
  const primary = options.primary ?? chainProviders[0];
  if (primary === undefined) throw new DrillSetupError(`Route '${route}' has no deployment to break.`);
  if (!chainProviders.includes(primary)) {
    throw new DrillSetupError(`--primary: provider '${primary}' serves no deployment of route '${route}' (its chain: ${chain.map((step) => step.label).join(', ')}).`);
  }

  const gateway = await createGateway(config, { logger: createLogger('silent') });
  const control = gateway.faults(primary);
  if (!control) {
    await gateway.close();
    throw new DrillSetupError(`Provider '${primary}' is not a built-in mock provider (type: mock, without base_url): the drill has no way to break it.`);
  }
  const server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
  const faults = inProcessSwitch(control);
  const notes: string[] = [];
  if (faults.original.length > 0) {
    await faults.clear();
    notes.push(`'${primary}' had ${faults.original.length} standing fault(s); cleared for the drill (baseline and recovery run clean).`);
  }
  if (chain.length < 2) notes.push(`Route '${route}' has a single deployment: no fallback, so any outage is expected to break it.`);
  return {
    description: { kind: 'in-process', config: options.config ?? DRILL_DEMO_SOURCE },
    origin: server.url,
    route,
    primary,
    chain: chain.map((step) => step.label),
    faults,
    async outagesSince(sinceEpochMs) {
      const primaryDeployments = new Set(Object.entries(config.deployments).filter(([, d]) => d.provider === primary).map(([name]) => `deployment:${name}`));
      return gateway.health
        .snapshot()
        .filter((entry) => primaryDeployments.has(entry.name))
        .flatMap((entry) => entry.outages.filter((o) => o.startedAt >= sinceEpochMs).map((o) => ({ breaker: entry.name, detectMs: o.detectMs, ...(o.recoverMs === undefined ? {} : { recoverMs: o.recoverMs }) })));
    },
    notes,
    async close() {
      await server.close();
      await gateway.close();
    },
  };
}

/**
 * A chain step as the drill needs it: a label, and the provider behind it when it is a deployment.
 * Steps are read as unknown on purpose: the chain's step kinds grow (cache, manual, ...) and the
 * drill only cares which of them call a provider.
 */
function describeStep(step: unknown, config: Config): { label: string; provider: string | undefined } {
  const deployment = typeof step === 'string' ? step : typeof step === 'object' && step !== null && 'deployment' in step ? String(step.deployment) : undefined;
  if (deployment !== undefined) {
    const provider = config.deployments[deployment]?.provider;
    return { label: provider === undefined ? deployment : `${deployment} (${provider})`, provider };
  }
  const entries = typeof step === 'object' && step !== null ? Object.entries(step) : [];
  return { label: entries.map(([key, value]) => `${key}:${String(value)}`).join(',') || String(step), provider: undefined };
}

async function openRemote(options: DrillOptions, url: string, dispatcher: Dispatcher): Promise<DrillTarget> {
  const origin = new URL(url).origin;
  const route = options.route ?? (await firstRoute(dispatcher, origin));
  const primary = options.primary ?? (await probePrimary(dispatcher, origin, route, options.adminToken as string));
  const faults = await remoteSwitch({ dispatcher, origin, adminToken: options.adminToken as string, provider: primary });
  const notes: string[] = [];
  if (faults.original.length > 0) {
    await faults.clear();
    notes.push(`'${primary}' had ${faults.original.length} standing fault(s); cleared for the drill and restored at the end (their after_ms/for_ms clocks restart).`);
  }
  return {
    description: { kind: 'remote', url: origin },
    origin,
    route,
    primary,
    chain: undefined,
    faults,
    notes,
    close: async () => undefined,
  };
}

async function firstRoute(dispatcher: Dispatcher, origin: string): Promise<string> {
  const body = await getJson(dispatcher, origin, '/v1/models');
  const first = (body as { data?: { id?: unknown }[] }).data?.[0]?.id;
  if (typeof first !== 'string') throw new DrillSetupError(`${origin}/v1/models lists no route; pass --route.`);
  return first;
}

/**
 * One request to the route: when hop 1 served it, its x-switchyard-provider is the primary; when a
 * later hop did (a flaky primary, or one behind an open circuit), the request's attempt log on the
 * admin API names the provider of hop 1, whatever happened to it.
 */
async function probePrimary(dispatcher: Dispatcher, origin: string, route: string, adminToken: string): Promise<string> {
  const response = await request(dispatcher, origin, '/v1/chat/completions', {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    // A unique body, so the gateway answers it rather than replaying an earlier probe.
    body: JSON.stringify({ model: route, messages: [{ role: 'user', content: `Outage drill probe ${crypto.randomUUID()}` }] }),
  });
  await response.body.dump();
  const hop = response.headers['x-switchyard-hop'];
  const provider = response.headers['x-switchyard-provider'];
  if (response.statusCode === 200 && hop === '1' && typeof provider === 'string') return provider;
  const requestId = response.headers['x-request-id'];
  if (typeof requestId !== 'string') {
    throw new DrillSetupError(`Could not tell route '${route}''s primary: the probe request answered ${response.statusCode} without an x-request-id; pass --primary.`);
  }
  const logged = (await getJson(dispatcher, origin, `/admin/requests/${encodeURIComponent(requestId)}`, adminToken)) as { attempts?: { hop?: unknown; provider?: unknown }[] };
  const first = logged.attempts?.find((attempt) => attempt.hop === 1)?.provider;
  if (typeof first !== 'string' || first === '') {
    throw new DrillSetupError(`Could not tell route '${route}''s primary: probe request ${requestId} (status ${response.statusCode}) logged no hop 1; pass --primary.`);
  }
  return first;
}

async function getJson(dispatcher: Dispatcher, origin: string, path: string, adminToken?: string): Promise<unknown> {
  const headers = adminToken === undefined ? undefined : { authorization: `Bearer ${adminToken}` };
  const response = await request(dispatcher, origin, path, { method: 'GET', headers });
  const text = await response.body.text();
  if (response.statusCode !== 200) throw new DrillSetupError(`GET ${origin}${path} answered ${response.statusCode}.`);
  return JSON.parse(text) as unknown;
}

async function request(dispatcher: Dispatcher, origin: string, path: string, init: { method: 'GET' | 'POST'; headers?: Record<string, string>; body?: string }) {
  try {
    return await dispatcher.request({ origin, path, ...init, signal: AbortSignal.timeout(15_000) });
  } catch (err) {
    throw new DrillSetupError(`Cannot reach the gateway at ${origin}: ${(err as Error).message}`);
  }
}
