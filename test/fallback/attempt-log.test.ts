/**
 * The admin attempt log: `GET /admin/requests/{x-request-id}` tells, hop by hop, how a request was
 * served or why it failed, behind the admin token.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, test, type TestContext } from 'node:test';
import type { ConfigInput } from '../../src/config/schema.js';
import type { RecentRequestView } from '../../src/gateway/recent-requests.js';
import { startGateway, type GatewayFixture } from '../helpers/gateway-fixture.js';
import { ADMIN_TOKEN, attemptLog, mockGatewayConfig, postChat, setFaults, startMockGateway, userBody } from '../helpers/mock-gateway.js';

/** Mocks `primary` and `backup`, the first falling back to the second on a 5xx, keeping `recent` requests in memory. */
function keepingConfig(recent: number, requestLog: Record<string, unknown> = { store: 'off' }): ConfigInput {
  const base = mockGatewayConfig({ mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } });
  return { ...base, server: { admin_token: ADMIN_TOKEN, recent_requests: recent }, telemetry: { request_log: requestLog } } as ConfigInput;
}

/** A gateway of {@link keepingConfig}, with a SQLite request log or none. */
async function startKeeping(t: TestContext, recent: number, log: 'sqlite' | 'off'): Promise<GatewayFixture> {
  const dir = mkdtempSync(join(tmpdir(), 'switchyard-attempt-log-'));
  let gw: GatewayFixture | undefined;
  // One hook, so the gateway (and its log) is closed before its directory goes.
  t.after(async () => {
    await gw?.close();
    rmSync(dir, { recursive: true, force: true });
  });
  gw = await startGateway(keepingConfig(recent, log === 'sqlite' ? { store: 'sqlite', path: join(dir, 'log.db') } : { store: 'off' }));
  return gw;
}

interface AdminAnswer {
  status: number;
  body: { data?: RecentRequestView[]; error?: { message: string; code: string } };
}

async function adminGet(gw: GatewayFixture, path: string): Promise<AdminAnswer> {
  const res = await fetch(`${gw.url}/admin${path}`, { headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
  return { status: res.status, body: (await res.json()) as AdminAnswer['body'] };
}

/** What memory and the log both keep: the log rounds start times and leaves out billing details. */
function comparable(view: RecentRequestView): unknown {
  const { source: _source, finishedAt: _finishedAt, ...rest } = view;
  return {
    ...rest,
    attempts: view.attempts.map(({ billable: _b, billedUsage: _u, billedEstimated: _e, ...attempt }) => ({ ...attempt, startedAt: Math.round(attempt.startedAt) })),
  };
}

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

  test('a name in an admin path that is not valid percent-encoding is a 400 naming it, not a 500', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    for (const [path, param] of [
      ['/admin/requests/%E0%A4%A', 'request_id'],
      ['/admin/replay/%E0%A4%A', 'request_id'],
      ['/admin/mocks/%E0/faults', 'provider'],
      ['/admin/health/deployments/%E0/drain', 'name'],
    ] as const) {
      const res = await fetch(`${gw.url}${path}`, { method: path.endsWith('/drain') ? 'POST' : 'GET', headers: { authorization: `Bearer ${ADMIN_TOKEN}` } });
      assert.equal(res.status, 400, path);
      const { error } = (await res.json()) as { error: { code: string; param: string } };
      assert.deepEqual({ code: error.code, param: error.param }, { code: 'invalid_path', param }, path);
    }
  });

  test('a request no longer kept in memory is read from the request log, the same as it was', async (t) => {
    const gw = await startKeeping(t, 2, 'sqlite');
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    assert.equal((await postChat(gw, userBody('fell back'), { 'x-request-id': 'old-one' })).status, 200);
    setFaults(gw, 'primary', []);
    const fromMemory = await attemptLog(gw, 'old-one');
    assert.equal(fromMemory.source, 'memory');
    assert.equal(fromMemory.attempts.length, 2);

    for (let i = 0; i < 3; i++) assert.equal((await postChat(gw, userBody(`later ${i}`), { 'x-request-id': `later-${i}` })).status, 200);
    assert.equal(gw.gateway.recentRequest('old-one'), undefined, 'pushed out of memory by newer requests');

    const fromLog = await attemptLog(gw, 'old-one');
    assert.equal(fromLog.source, 'request_log');
    assert.deepEqual(comparable(fromLog), comparable(fromMemory));
    assert.equal(fromLog.status, 200);
    assert.ok(Math.abs(fromLog.finishedAt - fromMemory.finishedAt) <= 5, `finished ${fromLog.finishedAt} vs ${fromMemory.finishedAt}`);
    assert.equal((await attemptLog(gw, 'later-2')).source, 'memory');

    const missing = await adminGet(gw, '/requests/never-sent');
    assert.equal(missing.status, 404);
    assert.match(missing.body.error?.message ?? '', /among the last 2 kept in memory \(server\.recent_requests\) nor in the request log/);
  });

  test('the list goes on from memory into the request log, newest first, each request once', async (t) => {
    const gw = await startKeeping(t, 2, 'sqlite');
    for (let i = 0; i < 5; i++) assert.equal((await postChat(gw, userBody(`n ${i}`), { 'x-request-id': `n-${i}` })).status, 200);
    // A client reusing a request id: memory holds the newest, the log the first written.
    assert.equal((await postChat(gw, userBody('again'), { 'x-request-id': 'n-3' })).status, 200);

    const list = await adminGet(gw, '/requests?limit=4');
    assert.equal(list.status, 200);
    const listed = (list.body.data ?? []).map((view) => `${view.requestId}:${view.source}`);
    assert.deepEqual(listed, ['n-3:memory', 'n-4:memory', 'n-2:request_log', 'n-1:request_log']);
    const all = await adminGet(gw, '/requests?limit=100');
    assert.deepEqual(
      (all.body.data ?? []).map((view) => view.requestId),
      ['n-3', 'n-4', 'n-2', 'n-1', 'n-0'],
    );
  });

  test('with nothing kept in memory and the log off, a request is not found, and the answer says why', async (t) => {
    const gw = await startKeeping(t, 0, 'off');
    const res = await postChat(gw, userBody('hello'), { 'x-request-id': 'gone' });
    assert.equal(res.status, 200);
    const missing = await adminGet(gw, '/requests/gone');
    assert.equal(missing.status, 404);
    assert.equal(missing.body.error?.code, 'request_not_found');
    assert.match(missing.body.error?.message ?? '', /among the last 0 kept in memory \(server\.recent_requests\); the request log is off/);
    assert.deepEqual((await adminGet(gw, '/requests')).body.data, []);
  });

  test('a reload that changes server.recent_requests keeps the newest requests', async (t) => {
    const gw = await startKeeping(t, 5, 'off');
    for (let i = 0; i < 4; i++) await postChat(gw, userBody(`r ${i}`), { 'x-request-id': `r-${i}` });
    await gw.gateway.reload(keepingConfig(2));
    assert.deepEqual(
      gw.gateway.recentRequests(10).map((entry) => entry.served.requestId),
      ['r-3', 'r-2'],
    );
  });
});
