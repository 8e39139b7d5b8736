/**
 * Hedging: when the primary has not answered after `hedge_after_ms`, the next deployment is called
 * in parallel; the first answer wins, the other call is aborted, and both are in the attempt log.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ServerResponse } from 'node:http';
import { completionJson, startRecordingUpstream, type Responder } from '../helpers/recording-upstream.js';
import { attemptLog, callsTo, contentOf, postChat, setFaults, startMockGateway, userBody, walkOf } from '../helpers/mock-gateway.js';

function answerAfter(ms: number, content: string): Responder {
  return async (_req, res) => {
    await sleep(ms);
    if (res.destroyed) return;
    const text = completionJson(content);
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };
}

function clientError(res: ServerResponse): void {
  res.writeHead(400, { 'content-type': 'application/json' });
  res.end(JSON.stringify({ error: { message: "Invalid value for 'temperature'.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } }));
}

describe('hedging', () => {
  test('a slow primary is hedged after hedge_after_ms: the backup wins, the primary call is aborted, and the log has both', async (t) => {
    const slow = await startRecordingUpstream(answerAfter(2000, 'slow primary'));
    t.after(() => slow.close());
    const gw = await startMockGateway(t, { mocks: ['backup'], upstreams: { primary: slow.url }, route: { chain: ['primary', 'backup'], hedge_after_ms: 100 } });
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.match(contentOf(res.json), /^Mock answer from backup/);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.ok(res.elapsedMs >= 100, `answered after ${res.elapsedMs} ms, before the hedge was due`);
    assert.ok(res.elapsedMs < 1500, `took ${res.elapsedMs} ms: the hedge did not win`);
    assert.equal(slow.requests.length, 1);
    await Promise.race([slow.requests[0]!.closedEarly, sleep(2000).then(() => assert.fail('the losing primary call was not aborted'))]);

    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:aborted', 'backup:served']);
    assert.equal(log.attempts[0]?.hedge, undefined);
    assert.equal(log.attempts[1]?.hedge, true);
    assert.ok((log.attempts[1]?.startedAt ?? 0) - (log.attempts[0]?.startedAt ?? 0) >= 90, 'the hedge started about hedge_after_ms after the primary');
  });

  test('a streamed request is hedged too: the backup stream wins and the openai client reads one clean stream', async (t) => {
    const slow = await startRecordingUpstream(answerAfter(2000, 'slow primary'));
    t.after(() => slow.close());
    const gw = await startMockGateway(t, { mocks: ['backup'], upstreams: { primary: slow.url }, route: { chain: ['primary', 'backup'], hedge_after_ms: 100 } });
    const { data: stream, response } = await gw.client.chat.completions.create({ model: 'chat', messages: [{ role: 'user', content: 'hello' }], stream: true }).withResponse();
    let text = '';
    for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
    assert.match(text, /^Mock answer from backup/);
    assert.equal(response.headers.get('x-switchyard-deployment'), 'backup');
    await Promise.race([slow.requests[0]!.closedEarly, sleep(2000).then(() => assert.fail('the losing primary stream was not aborted'))]);
    const log = await attemptLog(gw, response.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:aborted', 'backup:served']);
  });

  test('a fast primary never triggers the hedge: the backup gets no request', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { hedge_after_ms: 300 } });
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    await sleep(400); // past the hedge time: a timer left running would call the backup now
    assert.equal(callsTo(gw, 'backup'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:served']);
  });

  test('when the slow primary answers first, the hedge is aborted and the primary serves', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], providers: { primary: { latency_ms: 300 }, backup: { latency_ms: 3000 } }, route: { hedge_after_ms: 100 } });
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    assert.equal(callsTo(gw, 'backup'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:served', 'backup:aborted']);
    assert.equal(log.attempts[1]?.hedge, true);
  });

  test("with hedging on, the client's own 400 from the primary is returned and not sent to the backup", async (t) => {
    const upstream = await startRecordingUpstream((_req, res) => clientError(res));
    t.after(() => upstream.close());
    const gw = await startMockGateway(t, { mocks: ['backup'], upstreams: { primary: upstream.url }, route: { chain: ['primary', 'backup'], hedge_after_ms: 500 } });
    const res = await postChat(gw, userBody('hello', { temperature: 7 }));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error?.code, 'invalid_value');
    assert.equal(callsTo(gw, 'backup'), 0);
  });

  test("with hedging on, a primary that fails before the hedge is due still gets the route's policy (retry, downgrade)", async (t) => {
    const gw = await startMockGateway(t, {
      mocks: ['primary', 'backup', 'big'],
      route: { chain: ['primary', 'backup'], hedge_after_ms: 500, policy: { context_overflow: { downgrade: 'big' } } },
    });
    setFaults(gw, 'primary', [{ kind: 'context_overflow' }]);
    const downgraded = await postChat(gw, userBody('hello'));
    assert.equal(downgraded.headers.get('x-switchyard-deployment'), 'big', downgraded.text);

    setFaults(gw, 'primary', [{ kind: 'error', status: 503, count: 1 }]);
    const retried = await postChat(gw, userBody('hello'));
    assert.equal(retried.headers.get('x-switchyard-deployment'), 'primary', 'the default policy retries a 5xx once on the same deployment');
    const log = await attemptLog(gw, retried.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'primary:served']);
  });
});
