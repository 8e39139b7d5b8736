import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { attemptLog, contentOf, postChat, setFaults, startMockGateway, userBody } from '../helpers/mock-gateway.js';
import type { GatewayFixture } from '../helpers/gateway-fixture.js';

const FAST_HEALTH = { enabled: true, consecutive_failures: 2, cooldown_ms: 60_000, probes: { interval_ms: 100, timeout_ms: 1000 } };

function stateOf(gw: GatewayFixture, deployment: string): string | undefined {
  return gw.gateway.health.snapshot().find((entry) => entry.name === `deployment:${deployment}`)?.state;
}

async function waitFor(check: () => boolean, timeoutMs: number): Promise<number> {
  const started = performance.now();
  while (!check()) {
    if (performance.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms`);
    await sleep(20);
  }
  return performance.now() - started;
}

describe('active probes and stall detection, end to end', () => {
  test('probes bring a failed deployment back without any user request, and user traffic returns to it', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], health: FAST_HEALTH, route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    for (let i = 0; i < 2; i++) await postChat(gw, userBody(`q${i}`));
    assert.equal(stateOf(gw, 'primary'), 'failed');

    const skipped = await postChat(gw, userBody('during'));
    assert.match(contentOf(skipped.json), /backup/);
    const log = await attemptLog(gw, skipped.headers.get('x-request-id'));
    assert.equal(log.attempts[0]?.outcome, 'skipped');
    assert.equal(typeof log.attempts[0]?.mttrMs, 'number', 'the skip carries how long the outage took to route around');

    // The outage ends; no user request is sent while the probes find out.
    setFaults(gw, 'primary', []);
    const waited = await waitFor(() => stateOf(gw, 'primary') === 'healthy', 3000);
    assert.ok(waited < 3000);
    const outage = gw.gateway.health.snapshot().find((entry) => entry.name === 'deployment:primary')?.outages[0];
    assert.equal(typeof outage?.recoverMs, 'number');
    assert.ok((gw.gateway.health.snapshot().find((entry) => entry.name === 'deployment:primary')?.counters.probes ?? 0) >= 2);

    const back = await postChat(gw, userBody('after'));
    assert.match(contentOf(back.json), /primary/, 'user traffic is back on the primary');
  });

  test('while the upstream stays down, probes keep it failed and no user request reaches it', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], health: FAST_HEALTH, route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    for (let i = 0; i < 2; i++) await postChat(gw, userBody(`q${i}`));
    await sleep(500);
    const snapshot = gw.gateway.health.snapshot().find((entry) => entry.name === 'deployment:primary');
    assert.equal(snapshot?.state, 'failed');
    assert.ok((snapshot?.counters.probeFailures ?? 0) >= 2, 'probes ran and failed');
    for (let i = 0; i < 5; i++) {
      const res = await postChat(gw, userBody(`more ${i}`));
      assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'circuit_open');
    }
  });

  test('a hanging primary is detected by its stalled calls and the stalled requests move on before their timeout', async (t) => {
    const gw = await startMockGateway(t, {
      mocks: ['primary', 'backup'],
      providers: { primary: { latency_ms: 20 } },
      health: { enabled: true, stall_calls: 3, stall_factor: 4, stall_min_ms: 200, cooldown_ms: 60_000, probes: { enabled: false } },
      route: { timeouts: { first_byte_ms: 5000, idle_ms: 5000, total_ms: 10000 }, policy: { timeout: 'next' } },
    });
    for (let i = 0; i < 12; i++) await postChat(gw, userBody(`warm ${i}`));
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    const results = await Promise.all([0, 1, 2, 3].map((i) => postChat(gw, userBody(`hang ${i}`))));
    for (const res of results) {
      assert.equal(res.status, 200);
      assert.match(contentOf(res.json), /backup/);
      assert.ok(res.elapsedMs < 2000, `moved on after ${Math.round(res.elapsedMs)} ms, well before the 5 s timeout`);
    }
    assert.equal(stateOf(gw, 'primary'), 'failed');
    const log = await attemptLog(gw, results[0]?.headers.get('x-request-id') ?? null);
    assert.equal(log.attempts[0]?.code, 'upstream_stalled');
    assert.equal(log.attempts[0]?.shape, 'timeout');
  });
});
