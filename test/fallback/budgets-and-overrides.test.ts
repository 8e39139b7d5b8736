/**
 * The limits on a walk (hop budget, deadline) and a request's own overrides of its route
 * (x-switchyard-fallback, x-switchyard-force-deployment, x-switchyard-deadline-ms).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { attemptLog, callsTo, postChat, setFaults, startMockGateway, userBody, walkOf } from '../helpers/mock-gateway.js';

describe('hop budget and deadline', () => {
  test('max_hops: 2 on a chain of three failing deployments stops after 2 calls with hop_budget_exhausted', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['one', 'two', 'three'], route: { max_hops: 2, policy: { upstream_5xx: 'next' } } });
    for (const name of ['one', 'two', 'three']) setFaults(gw, name, [{ kind: 'error', status: 503 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.error?.code, 'hop_budget_exhausted');
    assert.match(res.json.error?.message ?? '', /budget of 2 calls/);
    assert.equal(callsTo(gw, 'one'), 1);
    assert.equal(callsTo(gw, 'two'), 1);
    assert.equal(callsTo(gw, 'three'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['one:failed:upstream_5xx', 'two:failed:upstream_5xx']);
  });

  test('retries spend the hop budget too', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['one', 'two'], route: { max_hops: 3, policy: { upstream_5xx: { retry: 5 } }, retry: { schedule_ms: [10], jitter: 0 } } });
    setFaults(gw, 'one', [{ kind: 'error', status: 503 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.json.error?.code, 'hop_budget_exhausted');
    assert.equal(callsTo(gw, 'one'), 3);
    assert.equal(callsTo(gw, 'two'), 0);
  });

  test('a deadline_ms shorter than a hang ends the request with 504 within about the deadline', async (t) => {
    const deadlineMs = 500;
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { deadline_ms: deadlineMs } });
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 504, res.text);
    assert.ok(['deadline_exceeded', 'hop_deadline'].includes(res.json.error?.code ?? ''), res.text);
    assert.ok(res.elapsedMs >= deadlineMs, `ended after ${res.elapsedMs} ms, before the deadline`);
    assert.ok(res.elapsedMs < 3 * deadlineMs, `took ${res.elapsedMs} ms for a ${deadlineMs} ms deadline`);
    assert.equal(callsTo(gw, 'backup'), 0, 'no call starts after the deadline');
  });
});

describe('request overrides', () => {
  test("x-switchyard-fallback: off returns the primary's failure and the backup gets no request", async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const res = await postChat(gw, userBody('hello'), { 'x-switchyard-fallback': 'off' });
    assert.equal(res.status, 502, res.text);
    assert.equal(res.json.error?.code, 'upstream_503');
    assert.equal(callsTo(gw, 'primary'), 1);
    assert.equal(callsTo(gw, 'backup'), 0);
  });

  test('x-switchyard-fallback: off still lets the route retry the primary', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { retry: { schedule_ms: [10], jitter: 0 } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503, count: 1 }]);
    const res = await postChat(gw, userBody('hello'), { 'x-switchyard-fallback': 'off' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    assert.equal(callsTo(gw, 'primary'), 2);
  });

  test('x-switchyard-force-deployment: backup goes straight to the backup', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    const res = await postChat(gw, userBody('hello'), { 'x-switchyard-force-deployment': 'backup' });
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(res.headers.get('x-switchyard-hop'), '1');
    assert.equal(callsTo(gw, 'primary'), 0);
    assert.equal(callsTo(gw, 'backup'), 1);
  });

  test('a forced deployment that fails is not rescued by the rest of the chain', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'backup', [{ kind: 'error', status: 503 }]);
    const res = await postChat(gw, userBody('hello'), { 'x-switchyard-force-deployment': 'backup' });
    assert.equal(res.status, 502, res.text);
    assert.equal(callsTo(gw, 'primary'), 0);
  });

  test('x-switchyard-deadline-ms: 200 shortens the route deadline', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    const res = await postChat(gw, userBody('hello'), { 'x-switchyard-deadline-ms': '200' });
    assert.equal(res.status, 504, res.text);
    assert.ok(res.elapsedMs >= 200, `ended after ${res.elapsedMs} ms, before the deadline`);
    assert.ok(res.elapsedMs < 600, `took ${res.elapsedMs} ms for a 200 ms deadline`);
    assert.equal(callsTo(gw, 'backup'), 0);
  });

  test('x-switchyard-deadline-ms cannot lengthen the route deadline', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], route: { deadline_ms: 200 } });
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    const res = await postChat(gw, userBody('hello'), { 'x-switchyard-deadline-ms': '60000' });
    assert.equal(res.status, 504, res.text);
    assert.ok(res.elapsedMs < 600, `took ${res.elapsedMs} ms: the header lengthened a 200 ms deadline`);
  });

  for (const [header, value, code] of [
    ['x-switchyard-deadline-ms', 'soon', 'invalid_header'],
    ['x-switchyard-deadline-ms', '0', 'invalid_header'],
    ['x-switchyard-fallback', 'maybe', 'invalid_header'],
    ['x-switchyard-force-deployment', 'no-such-deployment', 'unknown_deployment'],
  ] as const) {
    test(`a bad override header value (${header}: ${value}) is a 400 naming the header, and no upstream is called`, async (t) => {
      const gw = await startMockGateway(t, { mocks: ['primary'] });
      const res = await postChat(gw, userBody('hello'), { [header]: value });
      assert.equal(res.status, 400, res.text);
      assert.equal(res.json.error?.type, 'invalid_request_error');
      assert.equal(res.json.error?.code, code);
      assert.equal(res.json.error?.param, header);
      assert.equal(callsTo(gw, 'primary'), 0);
    });
  }
});
