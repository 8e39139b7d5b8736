/**
 * The built-in `mock` provider: an embedded mock server on a loopback port, reached over real HTTP
 * through the OpenAI adapter, so everything between the gateway and the socket runs as it would
 * against a real upstream. With `base_url`, it talks to a mock already running elsewhere instead.
 * Its definition (definition.ts) is what the provider registry loads; this module is the mock's
 * whole surface, for `switchyard mock`, drills and tests.
 */
export { mockProvider } from './definition.js';
export { MOCK_CLOSE_GRACE_MS } from './mock-provider.js';
export { startMockServer, DEFAULT_MOCK_HOST, DEFAULT_MOCK_NAME, MOCK_MODELS } from './mock-server.js';
export type { FaultControl, MockServer, MockServerOptions } from './mock-server.js';
export { FAULT_KINDS, faultListSchema, parseFaults } from './mock-faults.js';
export type { Fault, FaultKind, FaultSpec } from './mock-faults.js';
export type { MockStats } from './mock-state.js';
