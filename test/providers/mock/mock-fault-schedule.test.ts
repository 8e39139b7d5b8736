import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as delay } from 'node:timers/promises';
import { GatewayError } from '../../../src/errors.js';
import { parseFaults, startMockServer, type FaultSpec } from '../../../src/providers/mock/index.js';
import { scheduleFaults, type FaultTarget } from '../../../src/providers/mock/schedule-faults.js';
import { chatBody, useMockServer } from './raw-client.js';

const CHAT: FaultTarget = { endpoint: 'chat', stream: false, model: 'mock-chat' };

function schedule(faults: FaultSpec[], startedAt = 0) {
  return scheduleFaults(parseFaults(faults), startedAt);
}

describe('fault selection (clock and dice injected)', () => {
  test('after_ms and for_ms bound the window a fault is active in', () => {
    const plan = schedule([{ kind: 'error', after_ms: 1_000, for_ms: 500 }], 10_000);
    assert.equal(plan.pick(CHAT, 10_999), undefined);
    assert.equal(plan.pick(CHAT, 11_000)?.kind, 'error');
    assert.equal(plan.pick(CHAT, 11_499)?.kind, 'error');
    assert.equal(plan.pick(CHAT, 11_500), undefined);
  });

  test('the first fault that fires wins; a later one applies when an earlier one is out of its window', () => {
    const plan = schedule([
      { kind: 'hang', for_ms: 100 },
      { kind: 'quota' },
    ]);
    assert.equal(plan.pick(CHAT, 50)?.kind, 'hang');
    assert.equal(plan.pick(CHAT, 150)?.kind, 'quota');
  });

  test('count spends a fault after that many firings, then the next fault applies', () => {
    const plan = schedule([{ kind: 'error', count: 2 }, { kind: 'quota' }]);
    const kinds = [1, 2, 3, 4].map(() => plan.pick(CHAT, 0)?.kind);
    assert.deepEqual(kinds, ['error', 'error', 'quota', 'quota']);
  });

  test('count is spent by firings only: a lost dice roll does not use it up', () => {
    const plan = schedule([{ kind: 'error', rate: 0.5, count: 1 }]);
    assert.equal(plan.pick(CHAT, 0, () => 0.9), undefined);
    assert.equal(plan.pick(CHAT, 0, () => 0.1)?.kind, 'error');
    assert.equal(plan.pick(CHAT, 0, () => 0.1), undefined);
  });

  test('stream, model and endpoint filters restrict which requests a fault sees', () => {
    const plan = schedule([
      { kind: 'stream_cut', stream: true },
      { kind: 'quota', model: 'big-model' },
      { kind: 'error', endpoint: 'embeddings' },
    ]);
    assert.equal(plan.pick({ ...CHAT, stream: true }, 0)?.kind, 'stream_cut');
    assert.equal(plan.pick({ ...CHAT, model: 'big-model' }, 0)?.kind, 'quota');
    assert.equal(plan.pick({ endpoint: 'embeddings', stream: false, model: 'e' }, 0)?.kind, 'error');
    assert.equal(plan.pick(CHAT, 0), undefined);
  });

  test('a finish_reason content filter never applies to embeddings', () => {
    const plan = schedule([{ kind: 'content_filter' }]);
    assert.equal(plan.pick({ endpoint: 'embeddings', stream: false, model: 'e' }, 0), undefined);
    assert.equal(plan.pick(CHAT, 0)?.kind, 'content_filter');
  });
});

describe('fault list validation', () => {
  test('setFaults with an out-of-range status throws a 400 invalid_faults GatewayError naming the path', () => {
    assert.throws(
      () => parseFaults([{ kind: 'error' }, { kind: 'error', status: 404 }]),
      (err: unknown) => {
        assert.ok(err instanceof GatewayError);
        assert.equal(err.status, 400);
        assert.equal(err.code, 'invalid_faults');
        assert.match(err.message, /faults\[1\]\.status/);
        return true;
      },
    );
  });

  test('an unknown kind, an unknown key and a rate above 1 are each rejected with their path', () => {
    const cases: [unknown, RegExp][] = [
      [[{ kind: 'explode' }], /faults\[0\]\.kind/],
      [[{ kind: 'error', statis: 500 }], /faults\[0\].*statis/],
      [[{ kind: 'error', rate: 1.5 }], /faults\[0\]\.rate/],
      [[{ kind: 'slow' }], /faults\[0\]\.latency_ms/],
      [{ faults: 'all of them' }, /faults: /],
    ];
    for (const [input, pattern] of cases) {
      assert.throws(() => parseFaults(input), (err: unknown) => err instanceof GatewayError && pattern.test(err.message));
    }
  });

  test('defaults are filled in: rate 1, status 503, after_chunks 2', () => {
    const [error, cut] = parseFaults([{ kind: 'error' }, { kind: 'stream_cut' }]);
    assert.deepEqual(error, { kind: 'error', rate: 1, status: 503 });
    assert.deepEqual(cut, { kind: 'stream_cut', rate: 1, after_chunks: 2 });
  });
});

describe('faults on a running server', () => {
  const mock = useMockServer();
  const { client } = mock;
  const chat = () => `${mock.server.url}/chat/completions`;
  const statuses = async (count: number) => {
    const out: number[] = [];
    for (let index = 0; index < count; index++) out.push((await client.post(chat(), chatBody())).status);
    return out;
  };

  test('rate 0 never fires over 200 requests', async () => {
    mock.server.setFaults([{ kind: 'error', rate: 0 }]);
    assert.ok((await statuses(200)).every((status) => status === 200));
  });

  test('rate 1 fires on every one of 200 requests', async () => {
    mock.server.setFaults([{ kind: 'error', rate: 1 }]);
    assert.ok((await statuses(200)).every((status) => status === 503));
  });

  test('rate 0.5 fires on roughly half of 200 requests', async () => {
    mock.server.setFaults([{ kind: 'error', rate: 0.5 }]);
    const failures = (await statuses(200)).filter((status) => status === 503).length;
    // Binomial(200, 0.5) has sd ~7; 60..140 is over five sd either way.
    assert.ok(failures >= 60 && failures <= 140, `${failures} of 200 failed`);
    assert.equal(mock.server.stats().faults.error, failures);
  });

  test('count: 2 fails the first two requests only', async () => {
    mock.server.setFaults([{ kind: 'error', count: 2 }]);
    assert.deepEqual(await statuses(4), [503, 503, 200, 200]);
  });

  test('after_ms keeps a fault dormant at first, then it applies', async () => {
    mock.server.setFaults([{ kind: 'error', after_ms: 1_000 }]);
    assert.deepEqual(await statuses(1), [200]);
    await delay(1_200);
    assert.deepEqual(await statuses(1), [503]);
  });

  test('for_ms ends a fault after its window', async () => {
    mock.server.setFaults([{ kind: 'error', for_ms: 1_000 }]);
    assert.deepEqual(await statuses(1), [503]);
    await delay(1_200);
    assert.deepEqual(await statuses(1), [200]);
  });

  test('setFaults restarts counts: a spent fault fires again once set anew', async () => {
    mock.server.setFaults([{ kind: 'error', count: 1 }]);
    assert.deepEqual(await statuses(2), [503, 200]);
    mock.server.setFaults([{ kind: 'error', count: 1 }]);
    assert.deepEqual(await statuses(1), [503]);
  });

  test('setFaults with bad input throws and keeps the previous list', () => {
    mock.server.setFaults([{ kind: 'quota' }]);
    assert.throws(() => mock.server.setFaults([{ kind: 'error', status: 200 }]), GatewayError);
    assert.equal(mock.server.getFaults()[0]?.kind, 'quota');
  });

  test('the control API replaces, reads and clears faults over HTTP', async () => {
    const base = mock.server.url.replace(/\/v1$/, '');
    const put = await client.put(`${base}/_mock/faults`, { faults: [{ kind: 'error', status: 502 }] });
    assert.equal(put.status, 200);
    assert.equal((await client.post(chat(), chatBody())).status, 502);
    const listed = JSON.parse((await client.get(`${base}/_mock/faults`)).text) as { faults: { kind: string }[] };
    assert.deepEqual(listed.faults.map((fault) => fault.kind), ['error']);
    assert.equal((await client.delete(`${base}/_mock/faults`)).status, 200);
    assert.equal((await client.post(chat(), chatBody())).status, 200);
  });

  test('the control API rejects a bad fault list with a 400 naming the path', async () => {
    const base = mock.server.url.replace(/\/v1$/, '');
    const res = await client.put(`${base}/_mock/faults`, { faults: [{ kind: 'error', rate: -1 }] });
    assert.equal(res.status, 400);
    const error = (JSON.parse(res.text) as { error: { code: string; message: string } }).error;
    assert.equal(error.code, 'invalid_faults');
    assert.match(error.message, /faults\[0\]\.rate/);
  });

  test('stats count requests per outcome, and a server nobody called shows zero requests', async () => {
    const idle = await startMockServer();
    assert.equal(idle.stats().requests, 0);
    await idle.close();

    mock.server.setFaults([{ kind: 'quota', count: 1 }]);
    await statuses(3);
    await client.post(`${mock.server.url}/nowhere`, {});
    const base = mock.server.url.replace(/\/v1$/, '');
    await client.get(`${base}/_mock/stats`);
    const stats = JSON.parse((await client.get(`${base}/_mock/stats`)).text) as Record<string, unknown>;
    assert.deepEqual(stats, { requests: 4, ok: 2, invalid: 0, unauthorized: 0, notFound: 1, faults: { quota: 1 } });
  });
});
