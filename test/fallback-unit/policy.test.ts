import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { GatewayError, type FailureShape } from '../../src/errors.js';
import { backoffMs } from '../../src/fallback/backoff.js';
import { createRoutePolicy } from '../../src/fallback/policy.js';
import type { Failure } from '../../src/fallback/classify-failure.js';

const RETRY = { schedule_ms: [100, 500, 2000], jitter: 0, max_retry_after_ms: 5000 };

function failure(shape: FailureShape, retryAfterMs?: number): Failure {
  return { shape, retryAfterMs, error: new GatewayError('x', { status: 502, code: 'x', shape }) };
}

describe('route policy', () => {
  test('the client\'s own error always stops, whatever the config says', () => {
    const policy = createRoutePolicy({}, RETRY);
    assert.deepEqual(policy(failure('client_error'), { hop: 0, attemptsOnHop: 1 }), { action: 'stop' });
  });

  test('defaults: one quick retry for 5xx and connection errors, straight on for the rest', () => {
    const policy = createRoutePolicy({}, RETRY);
    assert.deepEqual(policy(failure('upstream_5xx'), { hop: 0, attemptsOnHop: 1 }), { action: 'retry', inMs: 100 });
    assert.deepEqual(policy(failure('upstream_5xx'), { hop: 0, attemptsOnHop: 2 }), { action: 'next' });
    assert.deepEqual(policy(failure('connection_error'), { hop: 0, attemptsOnHop: 1 }), { action: 'retry', inMs: 100 });
    for (const shape of ['timeout', 'rate_limit_429', 'guardrail_block', 'context_overflow', 'auth_error', 'quota_exhausted', 'unknown_upstream_error'] as const) {
      assert.deepEqual(policy(failure(shape), { hop: 0, attemptsOnHop: 1 }), { action: 'next' }, shape);
    }
  });

  test('retry walks the schedule, then does what `then` says', () => {
    const policy = createRoutePolicy({ upstream_5xx: { retry: 3, then: { downgrade: 'mini' } } }, RETRY);
    assert.deepEqual(policy(failure('upstream_5xx'), { hop: 0, attemptsOnHop: 1 }), { action: 'retry', inMs: 100 });
    assert.deepEqual(policy(failure('upstream_5xx'), { hop: 0, attemptsOnHop: 2 }), { action: 'retry', inMs: 500 });
    assert.deepEqual(policy(failure('upstream_5xx'), { hop: 0, attemptsOnHop: 3 }), { action: 'retry', inMs: 2000 });
    assert.deepEqual(policy(failure('upstream_5xx'), { hop: 0, attemptsOnHop: 4 }), { action: 'downgrade', to: 'mini' });
  });

  test('retry-after is honoured up to the cap; past it the policy moves on at once', () => {
    const policy = createRoutePolicy({ rate_limit_429: { retry: 2, then: 'next' } }, RETRY);
    assert.deepEqual(policy(failure('rate_limit_429', 1200), { hop: 0, attemptsOnHop: 1 }), { action: 'retry', inMs: 1200 });
    assert.deepEqual(policy(failure('rate_limit_429', 60_000), { hop: 0, attemptsOnHop: 1 }), { action: 'next' });
  });

  test('quota and auth failures are never backed off on, even when the config asks for retries', () => {
    const policy = createRoutePolicy({ quota_exhausted: { retry: 3, then: 'next' }, auth_error: { retry: 3, then: 'stop' } }, RETRY);
    assert.deepEqual(policy(failure('quota_exhausted'), { hop: 0, attemptsOnHop: 1 }), { action: 'next' });
    assert.deepEqual(policy(failure('auth_error'), { hop: 0, attemptsOnHop: 1 }), { action: 'stop' });
  });

  test('a plain downgrade names its target', () => {
    const policy = createRoutePolicy({ context_overflow: { downgrade: 'big-context' } }, RETRY);
    assert.deepEqual(policy(failure('context_overflow'), { hop: 0, attemptsOnHop: 1 }), { action: 'downgrade', to: 'big-context' });
  });

  test('backoff jitter stays within ±jitter of the schedule and the last value repeats', () => {
    for (let i = 0; i < 200; i++) {
      const wait = backoffMs(1, [100, 500], 0.2);
      assert.ok(wait >= 400 && wait <= 600, String(wait));
    }
    assert.equal(backoffMs(7, [100, 500], 0, () => 0.5), 500);
    assert.equal(backoffMs(0, [100], 0.5, () => 0), 50);
    assert.equal(backoffMs(0, [100], 0.5, () => 1), 150);
  });
});
