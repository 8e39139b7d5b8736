import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS, type BreakerOptions, type InFlight } from '../../src/health/circuit-breaker.js';

const OPTIONS: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, cooldownMs: 1000, maxCooldownMs: 4000 };

function breaker(options: Partial<BreakerOptions> = {}) {
  return new CircuitBreaker('deployment:d', { ...OPTIONS, ...options });
}

function warmUp(b: CircuitBreaker, latencyMs: number, at: number): void {
  for (let i = 0; i < 20; i++) b.succeeded(at, latencyMs);
}

function call(startedAt: number, abandoned: string[]): InFlight {
  return { startedAt, abandon: (reason) => abandoned.push(reason) };
}

describe('breaker signals: stalls, probes, latency, MTTR', () => {
  test('calls stalled in flight open the circuit before any timeout, and are abandoned to move on', () => {
    const b = breaker({ stallFactor: 4, stallMinMs: 100, stallCalls: 3 });
    warmUp(b, 50, 1000);
    const abandoned: string[] = [];
    for (let i = 0; i < 3; i++) b.inflight.add(call(2000, abandoned));
    assert.equal(b.checkStalls(2150), false, 'under 4 × p99 (200 ms): not yet stalled');
    assert.equal(b.checkStalls(2210), true);
    assert.equal(b.state, 'failed');
    assert.equal(abandoned.length, 3);
    assert.match(b.transitions.at(-1)?.reason ?? '', /3 calls stalled over 200 ms/);
    assert.equal(b.inflight.size, 0);
  });

  test('a stall is not declared while calls still succeed, nor on a cold deployment, nor with fewer stalled calls than asked', () => {
    const busy = breaker({ stallMinMs: 100 });
    warmUp(busy, 50, 1000);
    for (let i = 0; i < 3; i++) busy.inflight.add(call(2000, []));
    busy.succeeded(2500, 50);
    assert.equal(busy.checkStalls(2600), false, 'a success 100 ms ago: the deployment answers, some calls are just long');

    const cold = breaker({ stallMinMs: 100 });
    for (let i = 0; i < 3; i++) cold.inflight.add(call(0, []));
    assert.equal(cold.checkStalls(60_000), false, 'no latency history to judge by');

    const few = breaker({ stallMinMs: 100, stallCalls: 3 });
    warmUp(few, 50, 1000);
    few.inflight.add(call(2000, []));
    few.inflight.add(call(2000, []));
    assert.equal(few.checkStalls(9000), false);
  });

  test('with probes on, the cooldown alone lets no user call through; a probe success opens the trickle', () => {
    const b = breaker({ probeGated: true });
    for (let i = 0; i < 3; i++) b.failed('upstream_5xx', undefined, 0);
    assert.equal(b.tryAcquire(60_000), false, 'long past the cooldown, still no user call');
    b.probeSucceeded(60_001);
    assert.equal(b.state, 'recovering');
    assert.ok(b.tryAcquire(60_002));
    b.succeeded(60_003, 40);
    assert.equal(b.state, 'healthy', 'the probe and one user call make the two successes asked for');
  });

  test('a probe failure while recovering sends it back to failed with a doubled cooldown', () => {
    const b = breaker({ probeGated: true });
    for (let i = 0; i < 3; i++) b.failed('upstream_5xx', undefined, 0);
    b.probeSucceeded(100);
    b.probeFailed('timeout', undefined, 200);
    assert.equal(b.state, 'failed');
    assert.equal(b.retryAt(), 200 + 2000);
  });

  test('a probe of a rate-limited key waits for its retry-after', () => {
    const b = breaker();
    b.failed('rate_limit_429', 30_000, 0);
    assert.equal(b.probeNotBefore(), 30_000);
    const plain = breaker();
    for (let i = 0; i < 3; i++) plain.failed('upstream_5xx', undefined, 0);
    assert.equal(plain.probeNotBefore(), 0, 'a 5xx outage is probed at once');
  });

  test('a probe failure on a healthy deployment counts as a failure (silent degradation)', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.probeFailed('upstream_5xx', undefined, 10);
    assert.equal(b.state, 'failed');
  });

  test('slow successes mark a deployment degraded, and fast ones bring it back', () => {
    const b = breaker({ slowCallMs: 1000, degradeRate: 0.5, minCalls: 4 });
    for (let i = 0; i < 4; i++) b.succeeded(100, 2000);
    assert.equal(b.state, 'degraded');
    assert.match(b.transitions.at(-1)?.reason ?? '', /slower than 1000 ms/);
    for (let i = 0; i < 8; i++) b.succeeded(200, 10);
    assert.equal(b.state, 'healthy');
  });

  test('MTTR: detection from the first failure to the open circuit, recovery from the first success to the closed circuit', () => {
    const b = breaker({ probeGated: true });
    b.succeeded(0, 10);
    b.failed('upstream_5xx', undefined, 1000);
    b.failed('upstream_5xx', undefined, 1200);
    b.failed('upstream_5xx', undefined, 1300);
    assert.equal(b.detectMs(), 300);
    b.probeSucceeded(5000);
    assert.ok(b.tryAcquire(5100));
    b.succeeded(5400, 10);
    assert.equal(b.state, 'healthy');
    const [outage] = b.outageHistory();
    assert.deepEqual(
      { startedAt: outage?.startedAt, openedAt: outage?.openedAt, detectMs: outage?.detectMs, firstSuccessAt: outage?.firstSuccessAt, closedAt: outage?.closedAt, recoverMs: outage?.recoverMs },
      { startedAt: 1000, openedAt: 1300, detectMs: 300, firstSuccessAt: 5000, closedAt: 5400, recoverMs: 400 },
    );
    assert.equal(b.detectMs(), undefined, 'no outage going on');
  });

  test('a drain is not an outage: nothing is timed', () => {
    const b = breaker();
    b.force('failed', 'drained', 10);
    b.force('healthy', 'restored', 20);
    assert.deepEqual(b.outageHistory(), []);
  });
});

describe('stalled calls after the circuit opened', () => {
  test('opening on stalls moves every call in flight on, the ones sent a moment ago included', () => {
    const b = new CircuitBreaker('deployment:d', { ...OPTIONS, stallFactor: 4, stallMinMs: 100, stallCalls: 3 });
    warmUp(b, 50, 1000);
    const abandoned: string[] = [];
    for (let i = 0; i < 3; i++) b.inflight.add(call(2000, abandoned));
    b.inflight.add(call(2150, abandoned));
    assert.equal(b.checkStalls(2210), true);
    assert.equal(abandoned.length, 4);
  });

  test('while the circuit is open, a call that started before it (a recovering trickle, say) is abandoned once as late', () => {
    const b = new CircuitBreaker('deployment:d', { ...OPTIONS, stallFactor: 4, stallMinMs: 100, stallCalls: 3 });
    warmUp(b, 50, 1000);
    for (let i = 0; i < 3; i++) b.failed('upstream_5xx', undefined, 2000);
    const abandoned: string[] = [];
    b.inflight.add(call(2100, abandoned));
    b.checkStalls(2200);
    assert.equal(abandoned.length, 0);
    b.checkStalls(2310);
    assert.equal(abandoned.length, 1);
    assert.match(abandoned[0] ?? '', /while the circuit is open/);
  });
});

describe('outage clock', () => {
  test('an outage that follows a closed one soon after is timed from its own first failure', () => {
    const b = new CircuitBreaker('deployment:d', { ...OPTIONS, probeGated: true });
    for (let i = 0; i < 3; i++) b.failed('upstream_5xx', undefined, 1000 + i);
    b.probeSucceeded(1500);
    b.probeSucceeded(1600);
    assert.equal(b.state, 'healthy');
    for (let i = 0; i < 3; i++) b.failed('upstream_5xx', undefined, 4000 + i * 10);
    const second = b.outageHistory().at(-1);
    assert.equal(second?.startedAt, 4000);
    assert.equal(second?.detectMs, 20);
  });
});
