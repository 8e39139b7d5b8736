/**
 * A running `mock` provider: the embedded mock server on a loopback port (or an external mock at
 * `base_url`), reached through the real adapter of the wire format it speaks.
 */
import { transportOf } from '../provider-options.js';
import type { Provider, ProviderContext } from '../types.js';
import type { MockProviderConfig } from './definition.js';
import { startMockServer, type FaultControl, type MockServer } from './mock-server.js';
import { sleep } from './sleep.js';
import { WIRE_ADAPTERS } from './wire-adapters.js';

/** How long closing waits for in-flight calls before the embedded server cuts them (a hung call never ends by itself). */
export const MOCK_CLOSE_GRACE_MS = 2_000;

export async function createMockProvider(config: MockProviderConfig, context: ProviderContext): Promise<Provider> {
  const adapter = WIRE_ADAPTERS[config.wire];
  const client = {
    name: context.name,
    apiKey: config.api_key,
    transport: transportOf(config, context),
  };
  if (config.base_url !== undefined) return await adapter({ ...client, baseUrl: config.base_url, external: true });

  const server = await startMockServer({
    name: context.name,
    apiKey: config.api_key,
    latencyMs: config.latency_ms,
    chunkDelayMs: config.chunk_delay_ms,
    faults: config.faults,
  });
  const inner = await adapter({ ...client, baseUrl: server.origin, external: false });
  const faults: FaultControl = {
    get: () => server.getFaults(),
    set: (input) => server.setFaults(input),
    clear: () => server.clearFaults(),
    stats: () => server.stats(),
  };
  const provider: Provider & { faults: FaultControl } = { ...inner, faults, close: () => closeBoth(inner, server) };
  return provider;
}

async function closeBoth(inner: Provider, server: MockServer): Promise<void> {
  const drained = inner.close();
  const grace = new AbortController();
  await Promise.race([drained, sleep(MOCK_CLOSE_GRACE_MS, grace.signal)]);
  grace.abort();
  await server.close();
  await drained;
}
