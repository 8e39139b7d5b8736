/**
 * Cache-on-failure: a route whose chain has a `{cache: exact}` step keeps its successful answers,
 * and serves one again, marked stale, when every live deployment fails for the same request.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { GatewayFixture } from '../helpers/gateway-fixture.js';
import { attemptLog, callsTo, contentOf, postChat, setFaults, startMockGateway, userBody, walkOf, streamChat } from '../helpers/mock-gateway.js';

const OPTIONS = {
  mocks: ['primary', 'backup'],
  route: { chain: ['primary', 'backup', { cache: 'exact' }, { manual: 'sorry' }], policy: { upstream_5xx: 'next' } },
  manual: { sorry: { type: 'static', answer: 'The assistant is unavailable right now.' } },
};

function breakEverything(gw: GatewayFixture): void {
  setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
  setFaults(gw, 'backup', [{ kind: 'error', status: 500 }]);
}


describe('cache-on-failure', () => {
  test('when every deployment fails, the same request is answered from the cache with x-switchyard-cache: stale and its age', async (t) => {
    const gw = await startMockGateway(t, OPTIONS);
    const fresh = await postChat(gw, userBody('What is the capital of France?'));
    assert.equal(fresh.status, 200, fresh.text);
    assert.equal(fresh.headers.get('x-switchyard-deployment'), 'primary');
    assert.equal(fresh.headers.get('x-switchyard-cache'), null, 'a live answer is not marked as cached');

    breakEverything(gw);
    await new Promise((resolve) => setTimeout(resolve, 30));
    const stale = await postChat(gw, userBody('What is the capital of France?'));
    assert.equal(stale.status, 200, stale.text);
    assert.equal(stale.headers.get('x-switchyard-cache'), 'stale');
    const age = Number(stale.headers.get('x-switchyard-cache-age-ms'));
    assert.ok(Number.isInteger(age) && age >= 30, `cache age header: ${stale.headers.get('x-switchyard-cache-age-ms')}`);
    assert.equal(stale.headers.get('x-switchyard-deployment'), 'cache');
    assert.equal(stale.json.id, fresh.json.id, 'the stored completion is served as it was');
    assert.equal(contentOf(stale.json), contentOf(fresh.json));
    assert.equal(callsTo(gw, 'primary'), 2);
    assert.equal(callsTo(gw, 'backup'), 1);
    const log = await attemptLog(gw, stale.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'backup:failed:upstream_5xx', 'cache:served']);
  });

  test('a different request has no cached answer and falls through to the manual step', async (t) => {
    const gw = await startMockGateway(t, OPTIONS);
    const fresh = await postChat(gw, userBody('What is the capital of France?'));
    assert.equal(fresh.status, 200);
    breakEverything(gw);
    const other = await postChat(gw, userBody('What is the capital of Spain?'));
    assert.equal(other.status, 200, other.text);
    assert.equal(other.headers.get('x-switchyard-cache'), null);
    assert.equal(other.headers.get('x-switchyard-manual'), 'sorry');
    assert.equal(contentOf(other.json), 'The assistant is unavailable right now.');
    const log = await attemptLog(gw, other.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'backup:failed:upstream_5xx', 'cache:skipped', 'sorry:served']);
  });

  test('a cached answer is never served while a deployment can answer', async (t) => {
    const gw = await startMockGateway(t, OPTIONS);
    await postChat(gw, userBody('What is the capital of France?'));
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const res = await postChat(gw, userBody('What is the capital of France?'));
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(res.headers.get('x-switchyard-cache'), null);
  });

  test('a cached streamed answer is replayed as a valid stream the openai client reads to the end', async (t) => {
    const gw = await startMockGateway(t, OPTIONS);
    const fresh = await streamChat(gw, 'Tell me about Lisbon.');
    assert.match(fresh.text, /^Mock answer from primary/);

    breakEverything(gw);
    const stale = await streamChat(gw, 'Tell me about Lisbon.');
    assert.equal(stale.headers.get('x-switchyard-cache'), 'stale');
    assert.ok(stale.headers.get('x-switchyard-cache-age-ms') !== null);
    assert.equal(stale.text, fresh.text);
    assert.equal(stale.finish, 'stop');
  });
});
