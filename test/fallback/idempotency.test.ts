/**
 * Idempotency under concurrency: requests that share a key (the client's Idempotency-Key, or one
 * derived from the body) share one upstream call; a completed answer is replayed within the TTL;
 * a failure is shared with the requests waiting on it but never stored.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StreamRecorder } from '../../src/cache/response-cache.js';
import { completionJson, startRecordingUpstream } from '../helpers/recording-upstream.js';
import { callsTo, postChat, setFaults, startMockGateway, userBody, type RawResponse } from '../helpers/mock-gateway.js';

const SLOW = { primary: { latency_ms: 300 } };

describe('idempotency', () => {
  test('10 concurrent requests with the same Idempotency-Key make exactly 1 upstream call and all get the same completion', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], providers: SLOW });
    const responses = await Promise.all(Array.from({ length: 10 }, (_, i) => postChat(gw, userBody('count to three'), { 'idempotency-key': 'order-7-summary', 'x-request-id': `req-${i}` })));
    assert.equal(callsTo(gw, 'primary'), 1);
    assert.ok(responses.every((res) => res.status === 200));
    const ids = new Set(responses.map((res) => res.json.id));
    assert.equal(ids.size, 1, `completion ids: ${[...ids].join(', ')}`);
    const leaders = responses.filter((res) => res.headers.get('x-switchyard-idempotent-replay') === null);
    assert.equal(leaders.length, 1, 'one request led; the rest were replays of it');
    const leaderId = leaders[0]!.headers.get('x-request-id');
    for (const [i, res] of responses.entries()) {
      assert.equal(res.headers.get('x-request-id'), `req-${i}`, 'each response keeps its own request id');
      if (res !== leaders[0]) assert.equal(res.headers.get('x-switchyard-idempotent-replay'), leaderId);
    }
  });

  test('a later request with the same key within the TTL is a replay, with x-switchyard-idempotent-replay naming the original', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    const first = await postChat(gw, userBody('count to three'), { 'idempotency-key': 'k-1' });
    assert.equal(first.headers.get('x-switchyard-idempotent-replay'), null);
    const again = await postChat(gw, userBody('count to three'), { 'idempotency-key': 'k-1' });
    assert.equal(again.status, 200);
    assert.equal(again.headers.get('x-switchyard-idempotent-replay'), first.headers.get('x-request-id'));
    assert.notEqual(again.headers.get('x-request-id'), first.headers.get('x-request-id'));
    assert.equal(again.json.id, first.json.id);
    assert.equal(callsTo(gw, 'primary'), 1);
  });

  test('a key is replayed only within its TTL', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], idempotency: { derive_key: false, ttl_ms: 100 } });
    await postChat(gw, userBody('count to three'), { 'idempotency-key': 'k-ttl' });
    await sleep(150);
    const later = await postChat(gw, userBody('count to three'), { 'idempotency-key': 'k-ttl' });
    assert.equal(later.headers.get('x-switchyard-idempotent-replay'), null);
    assert.equal(callsTo(gw, 'primary'), 2);
  });

  test('the same key with a different body is refused with 422 idempotency_key_reused', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    await postChat(gw, userBody('count to three'), { 'idempotency-key': 'k-2' });
    const reused = await postChat(gw, userBody('count to four'), { 'idempotency-key': 'k-2' });
    assert.equal(reused.status, 422, reused.text);
    assert.equal(reused.json.error?.code, 'idempotency_key_reused');
    assert.equal(reused.json.error?.type, 'invalid_request_error');
    assert.equal(callsTo(gw, 'primary'), 1);
  });

  test('with derive_key: true, concurrent identical bodies without a key share 1 upstream call', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], providers: SLOW, idempotency: { derive_key: true } });
    const responses = await Promise.all(Array.from({ length: 10 }, () => postChat(gw, userBody('what time is it?'))));
    assert.ok(responses.every((res) => res.status === 200));
    assert.equal(callsTo(gw, 'primary'), 1);
    assert.equal(new Set(responses.map((res) => res.json.id)).size, 1);
  });

  test('by default (derive_key: false), concurrent identical bodies without a key each make their own call', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], providers: SLOW, idempotency: {} });
    const responses = await Promise.all(Array.from({ length: 10 }, () => postChat(gw, userBody('what time is it?'))));
    assert.ok(responses.every((res) => res.status === 200));
    assert.equal(callsTo(gw, 'primary'), 10);
    assert.equal(new Set(responses.map((res) => res.json.id)).size, 10);
  });

  test('a client that disconnects mid-request with a key and retries with it gets the answer from the one upstream call, which was let finish', async (t) => {
    const upstream = await startRecordingUpstream(async (_req, res) => {
      await sleep(500);
      const text = completionJson('the slow answer');
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
      res.end(text);
    });
    t.after(() => upstream.close());
    const gw = await startMockGateway(t, { mocks: [], upstreams: { primary: upstream.url } });
    const headers = { 'idempotency-key': 'pay-invoice-9' };

    const controller = new AbortController();
    const first = postChat(gw, userBody('summarise invoice 9'), headers, controller.signal);
    while (upstream.requests.length === 0) await sleep(10);
    controller.abort();
    await assert.rejects(first);

    const retry = await postChat(gw, userBody('summarise invoice 9'), headers);
    assert.equal(retry.status, 200, retry.text);
    assert.equal((retry.json.choices as { message: { content: string } }[])[0]?.message.content, 'the slow answer');
    assert.ok(retry.headers.get('x-switchyard-idempotent-replay'));
    assert.equal(upstream.requests.length, 1);
    const closedEarly = await Promise.race([upstream.requests[0]!.closedEarly.then(() => true), sleep(50).then(() => false)]);
    assert.equal(closedEarly, false, 'the gateway did not abort the upstream call when the client left');
  });

  test("a leader whose chain fails shares the failure with its concurrent followers, and nothing is stored", async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], providers: SLOW, route: { policy: { upstream_5xx: 'next' } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const headers = (i: number) => ({ 'idempotency-key': 'k-fail', 'x-request-id': `fail-${i}` });
    const responses: RawResponse[] = await Promise.all(Array.from({ length: 5 }, (_, i) => postChat(gw, userBody('count to three'), headers(i))));
    assert.equal(callsTo(gw, 'primary'), 1, 'the followers waited on the leader instead of calling');
    const leaders = responses.filter((res) => res.headers.get('x-switchyard-idempotent-replay') === null);
    assert.equal(leaders.length, 1);
    for (const [i, res] of responses.entries()) {
      assert.equal(res.status, 502, res.text);
      assert.equal(res.json.error?.code, 'upstream_503');
      assert.equal(res.headers.get('x-request-id'), `fail-${i}`, 'a follower keeps its own request id');
      if (res !== leaders[0]) assert.equal(res.headers.get('x-switchyard-idempotent-replay'), leaders[0]!.headers.get('x-request-id'));
    }

    gw.gateway.faults('primary')?.clear();
    const retry = await postChat(gw, userBody('count to three'), headers(9));
    assert.equal(retry.status, 200, retry.text);
    assert.equal(retry.headers.get('x-switchyard-idempotent-replay'), null);
    assert.equal(callsTo(gw, 'primary'), 2, 'the failure was not stored: the retry called the upstream again');
  });

  test('a leader whose client leaves during a retry backoff hands the key to a waiting follower, which gets an answer (regression: the follower got a 500)', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'], idempotency: {}, route: { retry: { schedule_ms: [1000], jitter: 0 } } });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503, count: 1 }]);
    const controller = new AbortController();
    const leader = postChat(gw, userBody('same body'), {}, controller.signal);
    while (callsTo(gw, 'primary') === 0) await sleep(10);
    const follower = postChat(gw, userBody('same body'));
    await sleep(100); // the leader is in its 1 s backoff, the follower waits on it
    controller.abort();
    await assert.rejects(leader);
    const res = await follower;
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-idempotent-replay'), null, 'the follower took the lead and ran the request itself');
    assert.ok(res.elapsedMs < 1000, `took ${res.elapsedMs} ms: the follower waited out the leader's backoff`);
  });

  test('a streamed answer is replayed for the same key as a stream the openai client reads', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    const read = async () => {
      const { data: stream, response } = await gw.client.chat.completions
        .create({ model: 'chat', messages: [{ role: 'user', content: 'stream me' }], stream: true }, { headers: { 'Idempotency-Key': 'k-stream' } })
        .withResponse();
      let text = '';
      for await (const chunk of stream) text += chunk.choices[0]?.delta.content ?? '';
      return { text, replay: response.headers.get('x-switchyard-idempotent-replay') };
    };
    const first = await read();
    const second = await read();
    assert.match(first.text, /^Mock answer from primary/);
    assert.equal(second.text, first.text);
    assert.equal(first.replay, null);
    assert.ok(second.replay);
    assert.equal(callsTo(gw, 'primary'), 1);
  });

  test('a replayed stream is the first one byte for byte, usage chunk and all', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary'] });
    const body = JSON.stringify({ model: 'chat', messages: [{ role: 'user', content: 'stream a long answer, please' }], stream: true, stream_options: { include_usage: true } });
    const send = async () => {
      const res = await fetch(`${gw.url}/v1/chat/completions`, { method: 'POST', headers: { 'content-type': 'application/json', 'idempotency-key': 'k-bytes' }, body });
      return { text: await res.text(), replay: res.headers.get('x-switchyard-idempotent-replay') };
    };
    const first = await send();
    const second = await send();
    assert.equal(first.replay, null);
    assert.ok(second.replay);
    // The stream is one the store keeps framed (src/cache/response-cache.ts), so the replay is put back together.
    const recorder = new StreamRecorder(1 << 20);
    for (const event of first.text.split('\n\n')) if (event.startsWith('data: {')) recorder.add(event.slice('data: '.length));
    assert.ok(recorder.pack()?.marks.some((mark) => (mark & 3) === 1), 'framed');
    assert.equal(second.text, first.text);
    assert.equal(callsTo(gw, 'primary'), 1);
  });
});
