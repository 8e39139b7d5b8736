/**
 * Each failure shape, end to end: a mock upstream fails in that shape, the route's policy picks a
 * strategy (retry, rotate, downgrade), and the mocks' request counts and the admin attempt log
 * prove the path the request took.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { startRecordingUpstream } from '../helpers/recording-upstream.js';
import { attemptLog, callsTo, contentOf, postChat, setFaults, startMockGateway, userBody, walkOf } from '../helpers/mock-gateway.js';

/** A prompt of a few hundred tokens. */
const LONG_PROMPT = 'Please summarise the following notes about the quarterly planning meeting. '.repeat(30);

describe('failure shape → strategy, end to end', () => {
  test('upstream_5xx with {retry: 2} calls the primary 3 times with backoff, then rotates to the backup', async (t) => {
    const gw = await startMockGateway(t, {
      mocks: ['primary', 'backup'],
      route: { policy: { upstream_5xx: { retry: 2 } }, retry: { schedule_ms: [30, 60], jitter: 0 } },
    });
    setFaults(gw, 'primary', [{ kind: 'error', status: 503 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.match(contentOf(res.json), /^Mock answer from backup/);
    assert.equal(callsTo(gw, 'primary'), 3);
    assert.equal(callsTo(gw, 'backup'), 1);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'upstream_5xx');
    assert.equal(res.headers.get('x-switchyard-attempts'), '4');

    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:upstream_5xx', 'primary:failed:upstream_5xx', 'primary:failed:upstream_5xx', 'backup:served']);
    assert.deepEqual(
      log.attempts.map((a) => [a.attempt, a.backoffMs]),
      [
        [1, undefined],
        [2, 30],
        [3, 60],
        [1, undefined],
      ],
    );
  });

  test('rate_limit_429 with {downgrade: mini} is served by mini, a deployment outside the chain', async (t) => {
    const gw = await startMockGateway(t, {
      mocks: ['primary', 'backup', 'mini'],
      route: { chain: ['primary', 'backup'], policy: { rate_limit_429: { downgrade: 'mini' } } },
    });
    setFaults(gw, 'primary', [{ kind: 'rate_limit', retry_after_s: 1 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'mini');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'rate_limit_429');
    assert.match(contentOf(res.json), /^Mock answer from mini \(mock-mini\)/);
    assert.equal(callsTo(gw, 'primary'), 1, 'a downgrade does not wait out the retry-after on the primary');
    assert.equal(callsTo(gw, 'backup'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:rate_limit_429', 'mini:served']);
  });

  test('rate_limit_429 with retry-after-ms 200 and {retry: 1} waits 200 ms and is served by the primary on the retry', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { rate_limit_429: { retry: 1 } } } });
    setFaults(gw, 'primary', [{ kind: 'rate_limit', retry_after_ms: 200, count: 1 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'primary');
    assert.ok(res.elapsedMs >= 200, `answered after ${res.elapsedMs} ms, before the 200 ms the upstream asked for`);
    assert.equal(callsTo(gw, 'primary'), 2);
    assert.equal(callsTo(gw, 'backup'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:rate_limit_429', 'primary:served']);
    assert.equal(log.attempts[1]?.attempt, 2);
    assert.equal(log.attempts[1]?.backoffMs, 200, 'the wait is the upstream retry-after-ms, not the schedule');
  });

  test('a retry-after longer than retry.max_retry_after_ms moves on at once instead of waiting', async (t) => {
    const gw = await startMockGateway(t, {
      mocks: ['primary', 'backup'],
      route: { policy: { rate_limit_429: { retry: 2 } }, retry: { max_retry_after_ms: 1000 } },
    });
    setFaults(gw, 'primary', [{ kind: 'rate_limit', retry_after_s: 30 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.ok(res.elapsedMs < 1000, `took ${res.elapsedMs} ms: it waited on the retry-after`);
    assert.equal(callsTo(gw, 'primary'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:rate_limit_429', 'backup:served']);
  });

  test('quota_exhausted is never retried, even with {retry: 3}', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { quota_exhausted: { retry: 3 } } } });
    setFaults(gw, 'primary', [{ kind: 'quota' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'quota_exhausted');
    assert.equal(callsTo(gw, 'primary'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:quota_exhausted', 'backup:served']);
  });

  test('auth_error is not retried on the same key, even with {retry: 3}', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], route: { policy: { auth_error: { retry: 3 } } } });
    setFaults(gw, 'primary', [{ kind: 'auth' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(callsTo(gw, 'primary'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:auth_error', 'backup:served']);
  });

  test('a hanging primary costs one first-byte timeout on its hop, then the backup serves', async (t) => {
    const firstByteMs = 300;
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], deployments: { primary: { timeouts: { first_byte_ms: firstByteMs } } } });
    setFaults(gw, 'primary', [{ kind: 'hang' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'timeout');
    assert.equal(callsTo(gw, 'primary'), 1, 'a timeout is not retried by default');
    assert.ok(res.elapsedMs >= firstByteMs, `answered in ${res.elapsedMs} ms, before the primary's timeout`);
    assert.ok(res.elapsedMs < 3 * firstByteMs, `took ${res.elapsedMs} ms: more than one timeout's worth`);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:timeout', 'backup:served']);
    assert.equal(log.attempts[0]?.code, 'first_byte_timeout');
  });

  test('connection_error (a reset) is retried once by default, then rotates', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'reset' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(callsTo(gw, 'primary'), 2);
    assert.equal(callsTo(gw, 'backup'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:connection_error', 'primary:failed:connection_error', 'backup:served']);
  });

  test("an upstream's 400 context_length_exceeded with {downgrade: big} is served by big", async (t) => {
    const gw = await startMockGateway(t, {
      mocks: ['primary', 'backup', 'big'],
      route: { chain: ['primary', 'backup'], policy: { context_overflow: { downgrade: 'big' } } },
    });
    setFaults(gw, 'primary', [{ kind: 'context_overflow', max_context_tokens: 4096 }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'big');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'context_overflow');
    assert.equal(callsTo(gw, 'backup'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:context_overflow', 'big:served']);
    assert.equal(log.attempts[0]?.code, 'context_length_exceeded');
  });

  test('a deployment whose context_window cannot hold the prompt is skipped without a request, and the next serves', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], deployments: { primary: { context_window: 50 } } });
    const res = await postChat(gw, userBody(LONG_PROMPT));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(res.headers.get('x-switchyard-fallback-reason'), 'context_overflow');
    assert.equal(callsTo(gw, 'primary'), 0, 'no request was sent to the too-small deployment');
    assert.equal(callsTo(gw, 'backup'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:skipped:context_overflow', 'backup:served']);
    assert.match(log.attempts[0]?.message ?? '', /holds 50/);

    // A short prompt fits: the same deployment is called as usual.
    const short = await postChat(gw, userBody('hi'));
    assert.equal(short.headers.get('x-switchyard-deployment'), 'primary');
  });

  test('when every deployment is too small for the prompt the client gets 400 context_length_exceeded and no upstream is called', async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'], deployments: { primary: { context_window: 50 }, backup: { context_window: 60 } } });
    const res = await postChat(gw, userBody(LONG_PROMPT));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error?.code, 'context_length_exceeded');
    assert.equal(res.json.error?.param, 'messages');
    assert.equal(callsTo(gw, 'primary'), 0);
    assert.equal(callsTo(gw, 'backup'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:skipped:context_overflow', 'backup:skipped:context_overflow']);
  });

  test("a 200 whose finish_reason is content_filter is a guardrail_block, and the next deployment serves", async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'content_filter', mode: 'finish_reason' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.match(contentOf(res.json), /^Mock answer from backup/);
    assert.equal(callsTo(gw, 'primary'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:guardrail_block', 'backup:served']);
  });

  test("an Azure-style 400 content_filter is a guardrail_block, and the next deployment serves", async (t) => {
    const gw = await startMockGateway(t, { mocks: ['primary', 'backup'] });
    setFaults(gw, 'primary', [{ kind: 'content_filter', mode: 'error' }]);
    const res = await postChat(gw, userBody('hello'));
    assert.equal(res.status, 200, res.text);
    assert.equal(res.headers.get('x-switchyard-deployment'), 'backup');
    assert.equal(callsTo(gw, 'primary'), 1);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:guardrail_block', 'backup:served']);
    assert.equal(log.attempts[0]?.code, 'content_filter');
  });

  test("the client's own 400 is returned as the upstream sent it and is neither retried nor sent to the backup", async (t) => {
    const upstream = await startRecordingUpstream((_req, res) => {
      res.writeHead(400, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ error: { message: "Invalid value for 'temperature': must be at most 2.", type: 'invalid_request_error', param: 'temperature', code: 'invalid_value' } }));
    });
    t.after(() => upstream.close());
    const gw = await startMockGateway(t, {
      mocks: ['backup'],
      upstreams: { primary: upstream.url },
      route: { chain: ['primary', 'backup'], policy: { upstream_5xx: { retry: 3 }, unknown_upstream_error: { retry: 3 } } },
    });
    const res = await postChat(gw, userBody('hello', { temperature: 7 }));
    assert.equal(res.status, 400, res.text);
    assert.equal(res.json.error?.code, 'invalid_value');
    assert.equal(res.json.error?.param, 'temperature');
    assert.equal(upstream.requests.length, 1);
    assert.equal(callsTo(gw, 'backup'), 0);
    const log = await attemptLog(gw, res.headers.get('x-request-id'));
    assert.deepEqual(walkOf(log.attempts), ['primary:failed:client_error']);
  });
});
