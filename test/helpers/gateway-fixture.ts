/** Starts a real gateway server on port 0 for a test, with a config object, and stops it after. */
import OpenAI from 'openai';
import { createGateway, type Gateway } from '../../src/gateway/create-gateway.js';
import { startServer, type ListeningServer } from '../../src/server/create-server.js';
import type { ConfigInput } from '../../src/config/schema.js';
import { createLogger } from '../../src/telemetry/logger.js';
import { startRecordingUpstream, type RecordingUpstream, type Responder } from './recording-upstream.js';

export interface GatewayFixture {
  gateway: Gateway;
  server: ListeningServer;
  url: string;
  /** An `openai` client pointed at the gateway, with retries off so each call is one request. */
  client: OpenAI;
  close(): Promise<void>;
}

export async function startGateway(config: ConfigInput, logLines?: string[]): Promise<GatewayFixture> {
  const logger = logLines ? createLogger('trace', { write: (line: string) => void logLines.push(line) }) : createLogger('silent');
  const gateway = await createGateway(config, { logger });
  const server = await startServer(gateway, { host: '127.0.0.1', port: 0 });
  const client = new OpenAI({ baseURL: `${server.url}/v1`, apiKey: 'client-key-not-for-upstream', maxRetries: 0 });
  let closing: Promise<void> | undefined;
  return {
    gateway,
    server,
    url: server.url,
    client,
    // Once, however often it is called (a test may close early, and again after).
    close() {
      closing ??= (async () => {
        await server.close();
        await gateway.close();
      })();
      return closing;
    },
  };
}

/** A config with one openai-compatible provider per upstream URL, chained in order under route `chat`. */
export function chainConfig(upstreams: string[], extra: Partial<ConfigInput> = {}): ConfigInput {
  const providers: Record<string, unknown> = {};
  const deployments: Record<string, unknown> = {};
  upstreams.forEach((url, i) => {
    providers[`p${i}`] = { type: 'openai-compatible', base_url: url, api_key: `sk-upstream-secret-${i}-abcdef` };
    deployments[`d${i}`] = { provider: `p${i}`, model: `model-${i}` };
  });
  return {
    log: { level: 'silent' },
    // These tests count calls to failing upstreams: no circuit breaker may skip them (health has its own tests).
    health: { enabled: false },
    // Tests of other features must not write the request log into the repo's .switchyard/.
    telemetry: { request_log: { store: 'off' } },
    providers,
    deployments,
    routes: { chat: { chain: Object.keys(deployments), timeouts: { first_byte_ms: 2000, idle_ms: 2000, total_ms: 5000 } }, embed: { chain: Object.keys(deployments) } },
    ...extra,
  } as ConfigInput;
}

/** A gateway over two recording upstreams: route `chat` (and `embed`) tries the primary (d0), then the backup (d1). */
export interface FallbackPair {
  primary: RecordingUpstream;
  backup: RecordingUpstream;
  gw: GatewayFixture;
  /** Stops the gateway, then both upstreams. */
  close(): Promise<void>;
}

export async function startFallbackPair(backupAnswer: Responder): Promise<FallbackPair> {
  const primary = await startRecordingUpstream();
  const backup = await startRecordingUpstream(backupAnswer);
  const gw = await startGateway(chainConfig([primary.url, backup.url]));
  return {
    primary,
    backup,
    gw,
    async close() {
      await gw.close();
      await primary.close();
      await backup.close();
    },
  };
}

/** A config file's YAML: `head` (server:, log:, ... lines), then one openai-compatible upstream at `upstreamUrl` as the only deployment of route `chat`. */
export function oneUpstreamYaml(head: string, upstreamUrl: string): string {
  return `${head.trim()}
providers:
  up: { type: openai-compatible, base_url: "${upstreamUrl}", api_key: "sk-cli-upstream-key" }
deployments:
  d0: { provider: up, model: m }
routes:
  chat: { chain: [d0] }
`;
}
