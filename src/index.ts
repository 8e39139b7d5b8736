/** Switchyard as a library: the same pipeline the server runs, in process. */
export { createGateway, type Gateway, type GatewayOptions } from './gateway/create-gateway.js';
export type { CallOptions, ChatOutcome } from './gateway/serve-chat.js';
export { RequestError, type Served } from './gateway/served.js';
export type { ServedModel } from './gateway/runtime.js';
export { findRequest, latestRequests } from './gateway/find-request.js';
export type { RecentRequest, RecentRequestView } from './gateway/recent-requests.js';
export { startServer, createRequestListener, type ListeningServer } from './server/create-server.js';
export type { DrainResult } from './server/drain-connections.js';
export { loadConfigFile, parseConfig, parseConfigText, ConfigError } from './config/load-config.js';
export type { Config, ConfigInput } from './config/schema.js';
export { DEMO_CONFIG_YAML } from './config/demo-config.js';
export { GatewayError, FAILURE_SHAPES, type FailureShape } from './errors.js';
export type { Provider, ProviderDefinition, ChatResult, StreamChunk, FaultControl } from './providers/types.js';
export type { AttemptRecord } from './fallback/run-chain.js';
