/**
 * The admin attempt log: `GET /admin/requests/{x-request-id}` tells, hop by hop, how a request was
 * served or why it failed, behind the admin token.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ADMIN_TOKEN, attemptLog, postChat, setFaults, startMockGateway, userBody } from '../helpers/mock-gateway.js';

describe('GET /admin/requests/{id}', () => {
  test("returns each hop's deployment, provider, model, shape, status, code and timings", async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], providers: { backup: { latency_ms: 50 } }, route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const before = Date.now();
    const res = await postChat(gw, userBody('hello'), { 'x-request-id': 'audit-me-1' });
    assert.equal(res.headers.get('x-request-id'), 'audit-me-1');
    const log = await attemptLog(gw, 'audit-me-1');
    assert.equal(log.requestId, 'audit-me-1');
    assert.equal(log.route, 'chat');
    assert.equal(log.status, 200);
    assert.equal(log.deployment, 'backup');
    assert.equal(log.hop, 2);
    assert.equal(log.fallbackReason, 'upstream_5xx');
    assert.equal(log.attempts.length, 2);

    const [failed, served] = log.attempts;
    assert.deepEqual(
      { hop: failed?.hop, step: failed?.step, deployment: failed?.deployment, provider: failed?.provider, model: failed?.model, outcome: failed?.outcome, shape: failed?.shape, attempt: failed?.attempt },
      { hop: 1, step: 'deployment', deployment: 'primary', provider: 'primary', model: 'mock-primary', outcome: 'failed', shape: 'upstream_5xx', attempt: 1 },
    );
    assert.equal(typeof failed?.status, 'number');
    assert.ok(failed!.status! >= 500, `status ${failed?.status}`);
    assert.equal(failed?.code, 'upstream_503');
    assert.match(failed?.message ?? '', /overloaded/);
    assert.deepEqual(
      { hop: served?.hop, deployment: served?.deployment, outcome: served?.outcome, shape: served?.shape },
      { hop: 2, deployment: 'backup', outcome: 'served', shape: undefined },
    );
    for (const attempt of log.attempts) {
      assert.ok(attempt.startedAt >= before && attempt.startedAt <= Date.now(), `startedAt ${attempt.startedAt}`);
      assert.ok(attempt.durationMs >= 0);
    }
    assert.ok(served!.startedAt >= failed!.startedAt);
    assert.ok(served!.durationMs >= 40, `the backup's 50 ms latency shows in its duration (${served?.durationMs})`);
  });

  test('a failed request is logged too, with the status the client got', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'quota' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 429);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.equal(log.status, 429);
    assert.equal(log.attempts[0]?.shape, 'quota_exhausted');
    assert.equal(log.attempts[0]?.code, 'insufficient_quota');
  });

  test('answers 401 without the admin token, or with a wrong one', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    const res = await postChat(gw, userBody('hello'));
    const id = res.headers.get('x-request-id') ?? '';
    const none = await fetch(`${gw.url}/admin/requests/${id}`);
    assert.equal(none.status, 401);
    assert.equal(none.headers.get('www-authenticate'), 'Bearer');
    assert.equal(((await none.json()) as { error: { code: string } }).error.code, 'invalid_admin_token');
    const wrong = await fetch(`${gw.url}/admin/requests/${id}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}x` } });
    assert.equal(wrong.status, 401);
    await wrong.text();
  });

  test('answers 404 for an unknown request id', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    const res = await fetch(`${gw.url}/admin/requests/no-such-request`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
    assert.equal(res.status, 404);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'request_not_found');
  });
});
