import { CancelSource, NEVER_CANCELLED } from '../../src/cancel.js';
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { canonicalJson, requestKey } from '../../src/cache/request-key.js';
import { ResponseCache, packStream, streamChunks } from '../../src/cache/response-cache.js';
import { IdempotencyStore } from '../../src/idempotency/idempotency-store.js';
import { GatewayError } from '../../src/errors.js';
import type { Served } from '../../src/gateway/served.js';

const NEVER = NEVER_CANCELLED;
const served = (requestId: string): Served => ({ requestId, route: 'chat', deployment: 'd', provider: 'p', hop: 1, attempts: [], fallbackReason: undefined });

describe('request keys', () => {
  test('key order does not change the key; values, scope and nesting do', () => {
    assert.equal(canonicalJson({ b: 1, a: { d: [1, { z: 1, y: 2 }], c: null } }), '{"a":{"c":null,"d":[1,{"y":2,"z":1}]},"b":1}');
    assert.equal(requestKey(['t'], { a: 1, b: 2 }), requestKey(['t'], { b: 2, a: 1 }));
    assert.notEqual(requestKey(['t'], { a: 1 }), requestKey(['t'], { a: 2 }));
    assert.notEqual(requestKey(['t1'], { a: 1 }), requestKey(['t2'], { a: 1 }));
    assert.notEqual(requestKey(['ab', 'c'], {}), requestKey(['a', 'bc'], {}));
  });
});

describe('response cache', () => {
  test('entries expire after the TTL', () => {
    const cache = new ResponseCache({ ttlMs: 1000, maxEntries: 10, maxBytes: 1e6 });
    cache.set('k', { kind: 'completion', text: 'x' }, 0);
    assert.ok(cache.get('k', 999));
    assert.equal(cache.get('k', 1001), undefined);
  });

  test('the least recently used entry goes first when a bound is hit', () => {
    const cache = new ResponseCache({ ttlMs: 1e9, maxEntries: 2, maxBytes: 1e6 });
    cache.set('a', { kind: 'completion', text: 'a' });
    cache.set('b', { kind: 'completion', text: 'b' });
    cache.get('a');
    cache.set('c', { kind: 'completion', text: 'c' });
    assert.ok(cache.get('a'));
    assert.equal(cache.get('b'), undefined);
    assert.ok(cache.get('c'));
  });

  test('the byte bound holds', () => {
    const cache = new ResponseCache({ ttlMs: 1e9, maxEntries: 100, maxBytes: 100 });
    for (let i = 0; i < 10; i++) cache.set(`k${i}`, { kind: 'completion', text: 'x'.repeat(20) });
    assert.ok(cache.size <= 5);
    assert.ok(cache.get('k9'));
  });
});

describe('a kept stream', () => {
  test('packs its chunk texts into one string and gives them back as they were, empty and multi-line ones included', () => {
    const chunks = ['{"id":"a","choices":[]}', '', '{"x":"line one\nline two"}', '{"usage":{"total_tokens":3}}'];
    const packed = packStream(chunks);
    assert.equal(packed.kind, 'stream');
    assert.equal(packed.text.length, chunks.join('').length, 'its size is its characters');
    if (packed.kind === 'stream') assert.deepEqual(streamChunks(packed), chunks);
    const none = packStream([]);
    if (none.kind === 'stream') assert.deepEqual(streamChunks(none), []);
  });
});

describe('idempotency store', () => {
  test('concurrent claims of one key get one leader; followers replay its answer', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    assert.equal(first.role, 'leader');
    const followers = Array.from({ length: 5 }, () => store.claim('k', 'h', NEVER));
    if (first.role === 'leader') first.flight.complete({ answer: { kind: 'completion', text: 'answer' }, served: served('r1') });
    for (const claim of await Promise.all(followers)) {
      assert.equal(claim.role, 'replay');
      if (claim.role === 'replay') assert.deepEqual(claim.recorded.answer, { kind: 'completion', text: 'answer' });
    }
  });

  test('a failed leader shares its error with waiting followers and keeps nothing', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    const follower = store.claim('k', 'h', NEVER);
    const error = new GatewayError('boom', { status: 502, code: 'x' });
    if (first.role === 'leader') first.flight.fail(error);
    await assert.rejects(follower, (err) => err === error);
    assert.equal((await store.claim('k', 'h', NEVER)).role, 'leader');
  });

  test('an abandoned lead passes to a follower', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    const follower = store.claim('k', 'h', NEVER);
    if (first.role === 'leader') first.flight.abandon();
    assert.equal((await follower).role, 'leader');
  });

  test('a key reused with another body is refused', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    await store.claim('k', 'h1', NEVER);
    await assert.rejects(store.claim('k', 'h2', NEVER), (err) => err instanceof GatewayError && err.status === 422);
  });

  test('replays end with the TTL', async () => {
    const store = new IdempotencyStore({ ttlMs: 30, maxEntries: 100, maxBytes: 1e6 });
    const first = await store.claim('k', 'h', NEVER);
    if (first.role === 'leader') first.flight.complete({ answer: { kind: 'completion', text: 'a' }, served: served('r1') });
    assert.equal((await store.claim('k', 'h', NEVER)).role, 'replay');
    await new Promise((resolve) => setTimeout(resolve, 60));
    assert.equal((await store.claim('k', 'h', NEVER)).role, 'leader');
  });

  test('kept answers are bounded by size: the oldest replays go first', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 250 });
    for (const key of ['a', 'b', 'c']) {
      const claim = await store.claim(key, 'h', NEVER);
      if (claim.role === 'leader') claim.flight.complete({ answer: { kind: 'completion', text: 'x'.repeat(100) }, served: served(key) });
    }
    assert.equal((await store.claim('a', 'h', NEVER)).role, 'leader');
    assert.equal((await store.claim('c', 'h', NEVER)).role, 'replay');
  });

  test('a follower whose own client leaves stops waiting', async () => {
    const store = new IdempotencyStore({ ttlMs: 10_000, maxEntries: 100, maxBytes: 1e6 });
    await store.claim('k', 'h', NEVER);
    const cancel = new CancelSource();
    const follower = store.claim('k', 'h', cancel);
    cancel.abort();
    await assert.rejects(follower, (err) => err instanceof GatewayError && err.code === 'client_closed');
  });
});
