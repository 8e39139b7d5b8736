/** Shared by the request-log tests: a temp log file per test, synthetic events, a gateway that logs. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConfigInput } from '../../src/config/schema.js';
import { requestLogConfigSchema, type RequestLogConfig } from '../../src/store/request-log-config.js';
import type { AttemptRecord } from '../../src/fallback/run-chain.js';
import type { Served } from '../../src/gateway/served.js';
import type { RequestEvent } from '../../src/telemetry/request-event.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { mockGatewayConfig, type MockGatewayOptions } from '../helpers/mock-gateway.js';

type After = { after(fn: () => void | Promise<void>): void };

/** A fresh directory for one test's log, removed when the test ends. */
export function tempDir(t: After): string {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-log-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

export function sqliteLogConfig(path: string, extra: Record<string, unknown> = {}): RequestLogConfig {
  return requestLogConfigSchema.parse({ store: 'sqlite', path, ...extra });
}

/** A mock-provider gateway config whose request log is the SQLite file at `path`. */
export function loggingConfig(path: string, options: MockGatewayOptions, requestLog: Record<string, unknown> = {}): ConfigInput {
  return { ...mockGatewayConfig(options), telemetry: { request_log: { store: 'sqlite', path, ...requestLog } } } as ConfigInput;
}

/** A gateway over mock providers that logs to `path`; closed when the test ends (closing flushes). */
export async function startLoggingGateway(t: After, path: string, options: MockGatewayOptions, requestLog: Record<string, unknown> = {}): Promise<GatewayFixture> {
  const gw = await startGateway(loggingConfig(path, options, requestLog));
  let closed = false;
  t.after(async () => {
    if (!closed) await gw.close();
  });
  return {
    ...gw,
    async close() {
      closed = true;
      await gw.close();
    },
  };
}

export function attempt(overrides: Partial<AttemptRecord> & Pick<AttemptRecord, 'deployment' | 'outcome'>): AttemptRecord {
  return { hop: 1, step: 'deployment', provider: `p-${overrides.deployment}`, model: `m-${overrides.deployment}`, attempt: 1, startedAt: 1_700_000_000_000, durationMs: 12.5, ...overrides };
}

/** A finished request as the gateway reports it; by default served by `primary` at its first hop. */
export function eventOf(overrides: Partial<Omit<RequestEvent, 'served'>> & { requestId: string; served?: Partial<Served> }): RequestEvent {
  const attempts = overrides.served?.attempts ?? [attempt({ deployment: 'primary', outcome: 'served' })];
  // A request can end with no call made (every step skipped, say).
  const last: AttemptRecord | undefined = attempts.at(-1);
  return {
    operation: 'chat',
    route: 'chat',
    tenant: 'abcdef0123456789',
    startedAt: 1_700_000_000_000,
    durationMs: 42,
    status: 200,
    stream: false,
    request: { model: 'chat' },
    response: { id: 'resp-1', model: 'm-primary', finishReasons: [{ unified: 'stop', raw: 'stop' }], usage: { inputTokens: 10, outputTokens: 5, cachedInputTokens: 0 } },
    ...overrides,
    served: {
      requestId: overrides.requestId,
      route: overrides.route ?? 'chat',
      deployment: last?.deployment,
      provider: last?.provider,
      hop: last?.hop ?? 0,
      attempts,
      fallbackReason: undefined,
      ...overrides.served,
    },
  };
}
