import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { CircuitBreaker, DEFAULT_BREAKER_OPTIONS, type BreakerOptions } from '../../src/health/circuit-breaker.js';

const OPTIONS: BreakerOptions = { ...DEFAULT_BREAKER_OPTIONS, cooldownMs: 1000, maxCooldownMs: 4000, longCooldownMs: 60_000 };

function breaker(options: Partial<BreakerOptions> = {}) {
  return new CircuitBreaker('d', { ...OPTIONS, ...options });
}

describe('circuit breaker', () => {
  test('consecutive failures open the circuit, and a failed deployment lets nothing through until the cooldown ends', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) {
      assert.ok(b.tryAcquire(1000));
      b.failed('upstream_5xx', undefined, 1000);
    }
    assert.equal(b.state, 'failed');
    assert.equal(b.tryAcquire(1500), false);
    assert.equal(b.retryAt(), 2000);
  });

  test('after the cooldown a trickle goes through (half-open); enough successes close it', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed('timeout', undefined, 0);
    assert.ok(b.tryAcquire(1000));
    assert.equal(b.state, 'recovering');
    assert.equal(b.tryAcquire(1000), false, 'one call at a time while recovering');
    b.succeeded(1001);
    assert.ok(b.tryAcquire(1002));
    b.succeeded(1003);
    assert.equal(b.state, 'healthy');
    assert.deepEqual(b.transitions.map((t) => t.to), ['failed', 'recovering', 'healthy']);
  });

  test('a failure while recovering sends it back to failed with a longer, bounded cooldown', () => {
    const b = breaker();
    for (let i = 0; i < 3; i++) b.failed('upstream_5xx', undefined, 0);
    let now = 1000;
    for (const expected of [2000, 4000, 4000]) {
      assert.ok(b.tryAcquire(now));
      b.failed('upstream_5xx', undefined, now);
      assert.equal(b.state, 'failed');
      assert.equal(b.retryAt() - now, expected);
      now = b.retryAt();
    }
  });

  test('a failure rate over the window opens it; a lower rate only degrades it', () => {
    const degraded = breaker({ consecutiveFailures: 100 });
    for (let i = 0; i < 10; i++) {
      if (i % 4 === 0) degraded.failed('upstream_5xx', undefined, 100);
      else degraded.succeeded(100);
    }
    assert.equal(degraded.state, 'degraded');
    const failed = breaker({ consecutiveFailures: 100 });
    for (let i = 0; i < 10; i++) {
      if (i % 2 === 0) failed.failed('upstream_5xx', undefined, 100);
      else failed.succeeded(100);
    }
    assert.equal(failed.state, 'failed');
  });

  test('old failures leave the window', () => {
    const b = breaker({ consecutiveFailures: 100, windowMs: 2000 });
    for (let i = 0; i < 4; i++) b.failed('upstream_5xx', undefined, 0);
    for (let i = 0; i < 5; i++) b.succeeded(10_000);
    assert.equal(b.state, 'healthy');
  });

  test("a 429's retry-after is the cooldown; quota and auth failures cool down long", () => {
    const limited = breaker();
    limited.failed('rate_limit_429', 7000, 0);
    assert.equal(limited.state, 'failed');
    assert.equal(limited.retryAt(), 7000);
    const quota = breaker();
    quota.failed('quota_exhausted', undefined, 0);
    assert.equal(quota.retryAt(), 60_000);
  });

  test("the client's own errors and guardrail blocks say nothing about health", () => {
    const b = breaker();
    for (let i = 0; i < 10; i++) {
      b.failed('client_error', undefined, 0);
      b.failed('guardrail_block', undefined, 0);
      b.failed('context_overflow', undefined, 0);
    }
    assert.equal(b.state, 'healthy');
  });

  test('draining by hand opens it until restored', () => {
    const b = breaker();
    b.force('failed', 'drained by operator', 0);
    assert.equal(b.tryAcquire(1e12), false);
    b.probeSucceeded(1e12);
    assert.equal(b.state, 'failed', 'a probe does not undo a drain');
    b.force('healthy', 'restored', 5);
    assert.ok(b.tryAcquire(6));
  });
});
