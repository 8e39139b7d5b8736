/**
 * The built-in `mock` provider: an embedded mock server on a loopback port, reached over real HTTP
 * through the OpenAI adapter, so everything between the gateway and the socket runs as it would
 * against a real upstream. With `base_url`, it talks to a mock already running elsewhere instead.
 */
import { z } from 'zod';
import { httpProviderOptions } from '../provider-options.js';
import type { Provider, ProviderDefinition } from '../types.js';
import { faultListSchema } from './mock-faults.js';
import { startMockServer, type FaultControl, type MockServer } from './mock-server.js';
import { latencySchema } from './sample-latency.js';
import { sleep } from './sleep.js';
import { WIRE_ADAPTERS, WIRE_FORMATS } from './wire-adapters.js';

export { startMockServer, DEFAULT_MOCK_HOST, DEFAULT_MOCK_NAME, MOCK_MODELS } from './mock-server.js';
export type { FaultControl, MockServer, MockServerOptions } from './mock-server.js';
export { FAULT_KINDS, faultListSchema, parseFaults } from './mock-faults.js';
export type { Fault, FaultKind, FaultSpec } from './mock-faults.js';
export type { MockStats } from './mock-state.js';

/** How long closing waits for in-flight calls before the embedded server cuts them (a hung call never ends by itself). */
export const MOCK_CLOSE_GRACE_MS = 2_000;

const EMBEDDED_ONLY = ['faults', 'latency_ms', 'chunk_delay_ms'] as const;

const options = z
  .strictObject({
    type: z.literal('mock'),
    /** The wire format the gateway speaks to the mock, through that provider's real adapter. Default `openai`. */
    wire: z.enum(WIRE_FORMATS).default('openai'),
    /** An external mock (e.g. `switchyard mock --port N`); absent: start one in-process. */
    base_url: httpProviderOptions.base_url,
    /** Embedded: the key the mock demands. External: the key sent to it. */
    api_key: httpProviderOptions.api_key,
    /** Base latency of every answer: ms, or `{ p50, p99 }` of a log-normal. Embedded mock only. */
    latency_ms: latencySchema.optional(),
    /** Pause between stream chunks. Embedded mock only. */
    chunk_delay_ms: z.number().nonnegative().optional(),
    /** Faults the embedded mock starts with. */
    faults: faultListSchema.default([]),
    connect_timeout_ms: httpProviderOptions.connect_timeout_ms,
    max_connections: httpProviderOptions.max_connections,
  })
  .superRefine((value, ctx) => {
    if (value.base_url === undefined) return;
    for (const key of EMBEDDED_ONLY) {
      const set = key === 'faults' ? value.faults.length > 0 : value[key] !== undefined;
      // Silently ignoring these would make a drill pass against a healthy external mock.
      if (set) ctx.addIssue({ code: 'custom', path: [key], message: `applies only to the embedded mock; with base_url, set it on the external mock (its /_mock/faults API or its own flags)` });
    }
  });

export const mockProvider: ProviderDefinition<typeof options> = {
  type: 'mock',
  options,
  async create(config, context) {
    const adapter = WIRE_ADAPTERS[config.wire];
    const client = {
      name: context.name,
      apiKey: config.api_key,
      connectTimeoutMs: config.connect_timeout_ms,
      maxConnections: config.max_connections,
    };
    if (config.base_url !== undefined) return adapter({ ...client, baseUrl: config.base_url, external: true });

    const server = await startMockServer({
      name: context.name,
      apiKey: config.api_key,
      latencyMs: config.latency_ms,
      chunkDelayMs: config.chunk_delay_ms,
      faults: config.faults,
    });
    const inner = adapter({ ...client, baseUrl: server.origin, external: false });
    const faults: FaultControl = {
      get: () => server.getFaults(),
      set: (input) => server.setFaults(input),
      clear: () => server.clearFaults(),
      stats: () => server.stats(),
    };
    const provider: Provider & { faults: FaultControl } = { ...inner, faults, close: () => closeBoth(inner, server) };
    return provider;
  },
};

async function closeBoth(inner: Provider, server: MockServer): Promise<void> {
  const drained = inner.close();
  const grace = new AbortController();
  await Promise.race([drained, sleep(MOCK_CLOSE_GRACE_MS, grace.signal)]);
  grace.abort();
  await server.close();
  await drained;
}
