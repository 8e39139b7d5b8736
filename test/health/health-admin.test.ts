import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { parseConfig } from '../../src/config/load-config.js';
import { createGateway } from '../../src/gateway/create-gateway.js';
import { breakerOptionsFor } from '../../src/health/breaker-options.js';
import { MemoryHealthStore } from '../../src/health/health-store.js';
import { ADMIN_TOKEN, contentOf, mockGatewayConfig, postChat, setFaults, startMockGateway, userBody } from '../helpers/mock-gateway.js';
import { createLogger } from '../../src/telemetry/logger.js';

const HEALTH = { enabled: true, consecutive_failures: 2, cooldown_ms: 60_000, probes: { enabled: false } };

async function admin(url: string, path: string, method = 'GET', token = ADMIN_TOKEN): Promise<{ status: number; body: any }> {
  const res = await fetch(`${url}/admin${path}`, { method, headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: await res.json() };
}

describe('health admin API, shared store, ordering, overrides', () => {
  test('GET /admin/health lists every breaker with its state, counters, transitions and outages', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], health: HEALTH, route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    for (let i = 0; i < 3; i++) await postChat(gw, userBody(`q${i}`));
    const { status, body } = await admin(gw.url, '/health');
    assert.equal(status, 200);
    const primary = body.data.find((entry: { name: string }) => entry.name === 'deployment:primary');
    assert.equal(primary.state, 'failed');
    assert.equal(primary.counters.failures, 2);
    assert.equal(primary.counters.skipped, 1);
    assert.match(primary.transitions[0].reason, /2 consecutive failures \(upstream_5xx\)/);
    assert.equal(typeof primary.outages[0].detectMs, 'number');
    assert.ok(body.data.some((entry: { name: string }) => entry.name === 'key:primary'));
    assert.equal((await admin(gw.url, '/health', 'GET', 'wrong-token')).status, 401);
  });

  test('an operator drains a deployment (no user request reaches it) and restores it', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], health: HEALTH });
    const drained = await admin(gw.url, '/health/deployments/primary/drain', 'POST');
    assert.equal(drained.status, 200);
    assert.equal(drained.body.state, 'failed');
    assert.equal(drained.body.drained, true);
    for (let i = 0; i < 3; i++) {
      const res = await postChat(gw, userBody(`d${i}`));
      assert.match(contentOf(res.json), /backup/);
      assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'circuit_open');
    }
    const restored = await admin(gw.url, '/health/deployments/primary/restore', 'POST');
    assert.equal(restored.body.state, 'healthy');
    assert.match(contentOf((await postChat(gw, userBody('back'))).json), /primary/);
    assert.equal((await admin(gw.url, '/health/deployments/nope/drain', 'POST')).status, 404);
    assert.equal((await admin(gw.url, '/health/deployments/primary/drain', 'GET')).status, 405);
  });

  test('a drained provider key skips every deployment on that key', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], health: HEALTH });
    await admin(gw.url, '/health/keys/primary/drain', 'POST');
    const res = await postChat(gw, userBody('k'));
    assert.match(contentOf(res.json), /backup/);
  });

  test('two gateways sharing a health store: one detects the outage, the other routes around it without a failure of its own', async () => {
    const store = new MemoryHealthStore();
    const config = mockGatewayConfig({ mocks: ['primary', 'backup'], health: HEALTH, route: { policy: { upstream_5xx: 'next' } } });
    const logger = createLogger('silent');
    const a = await createGateway(config, { logger, healthStore: store });
    const b = await createGateway(config, { logger, healthStore: store });
    try {
      a.faults('primary')?.set([{ kind: 'error', status: 503 }]);
      for (let i = 0; i < 2; i++) await a.chatCompletion(userBody(`a${i}`));
      const outcome = await b.chatCompletion(userBody('b'));
      assert.equal(outcome.served.fallbackReason, 'circuit_open');
      assert.equal(outcome.served.attempts[0]?.outcome, 'skipped');
      assert.equal(b.faults('primary')?.stats() && (b.faults('primary')?.stats() as { requests: number }).requests, 0);
    } finally {
      await a.close();
      await b.close();
    }
  });

  test('a degraded deployment moves behind its healthy peer, unless the route fixes its order', async (t) => {
    const health = { ...HEALTH, min_calls: 4, degrade_rate: 0.2, fail_rate: 0.9, consecutive_failures: 100 };
    for (const order of ['health', 'fixed'] as const) {
      const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], health, route: { order, policy: { upstream_5xx: 'next' } } });
      setFaults(gw, 'primary', [{ kind: 'error', status: 503, count: 1 }]);
      for (let i = 0; i < 4; i++) await postChat(gw, userBody(`q${i}`));
      assert.equal(gw.gateway.health.snapshot().find((entry) => entry.name === 'deployment:primary')?.state, 'degraded');
      const res = await postChat(gw, userBody('which'));
      assert.match(contentOf(res.json), order === 'health' ? /backup/ : /primary/);
    }
  });

  test('limits resolve gateway-wide, then per provider, then per deployment', () => {
    const config = parseConfig({
      ...mockGatewayConfig({ mocks: ['primary', 'backup'] }),
      health: { cooldown_ms: 1000, providers: { primary: { cooldown_ms: 2000, consecutive_failures: 7, probes: { interval_ms: 300 } } }, deployments: { primary: { cooldown_ms: 3000 } } },
    } as never);
    const deployment = breakerOptionsFor(config.health, { kind: 'deployment', name: 'primary', provider: 'primary' });
    assert.equal(deployment.cooldownMs, 3000);
    assert.equal(deployment.consecutiveFailures, 7);
    assert.equal(breakerOptionsFor(config.health, { kind: 'key', provider: 'primary' }).cooldownMs, 2000);
    assert.equal(breakerOptionsFor(config.health, { kind: 'deployment', name: 'backup', provider: 'backup' }).cooldownMs, 1000);
    assert.throws(() => parseConfig({ ...mockGatewayConfig({ mocks: ['primary'] }), health: { deployments: { ghost: {} } } } as never), /ghost/);
  });
});
