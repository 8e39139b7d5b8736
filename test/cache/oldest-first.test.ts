import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'node:test';
import { OldestFirst } from '../../src/cache/oldest-first.js';
import { keptCompletion } from '../../src/cache/response-cache.js';
import { IdempotencyStore } from '../../src/idempotency/idempotency-store.js';
import { RecentRequests } from '../../src/gateway/recent-requests.js';
import type { Served } from '../../src/gateway/served.js';

test('evicts the oldest live entries first, skipping keys deleted or added again since', () => {
  const map = new Map<string, { n: number }>();
  const order = new OldestFirst<string, { n: number }>();
  const put = (key: string, n: number) => {
    const entry = { n };
    map.set(key, entry);
    order.add(key, entry);
  };
  put('a', 1);
  put('b', 2);
  put('c', 3);
  map.delete('a');
  put('a', 4); // a is now the newest
  const taken: string[] = [];
  order.evict(
    (key) => map.get(key),
    (key) => {
      if (map.size <= 2) return 'stop';
      taken.push(key);
      map.delete(key);
      return 'taken';
    },
    map.size,
  );
  assert.deepEqual(taken, ['b']);
  assert.deepEqual([...map.keys()].sort(), ['a', 'c']);
});

test('a bounded store keeps its newest entries through many more additions than it holds', () => {
  const recent = new RecentRequests(100);
  for (let i = 0; i < 20_000; i++) recent.add({ requestId: `r${i}` } as Served, 200);
  assert.equal(recent.get('r19899'), undefined);
  assert.ok(recent.get('r19900'));
  assert.deepEqual(
    recent.list(3).map((entry) => entry.served.requestId),
    ['r19999', 'r19998', 'r19997'],
  );

  const store = new IdempotencyStore({ ttlMs: 60_000, maxEntries: 50, maxBytes: 1 << 20 });
  for (let i = 0; i < 5_000; i++) store.tryLead(`k${i}`, 'h')?.complete({ answer: keptCompletion('x'), served: {} as Served });
  assert.equal(store.size, 50);
  assert.equal(store.tryLead('k4999', 'h'), undefined, 'the newest key is still held');
  assert.ok(store.tryLead('k4949', 'h'), 'an evicted key can be led again');
});

test('an idempotency flight in progress is never evicted, even when it is the oldest', () => {
  const store = new IdempotencyStore({ ttlMs: 60_000, maxEntries: 2, maxBytes: 1 << 20 });
  const flight = store.tryLead('in-flight', 'h');
  assert.ok(flight);
  for (let i = 0; i < 10; i++) store.tryLead(`k${i}`, 'h')?.complete({ answer: keptCompletion('x'), served: {} as Served });
  assert.equal(store.tryLead('in-flight', 'h'), undefined, 'still held while in flight');
  assert.equal(store.size, 2, 'newer finished entries went instead');
  flight.complete({ answer: keptCompletion('done'), served: {} as Served });
  assert.equal(store.size, 2);
});

test('a request pushed out of the recent list is not kept alive', async () => {
  // The list's eviction order once kept every pair it had walked past until its next compaction
  // (after 1,024 of them): each evicted request's attempt log stayed reachable, and was promoted
  // to V8's old generation instead of dying young.
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc') as () => void;
  const recent = new RecentRequests(10);
  const evicted: WeakRef<object>[] = [];
  for (let i = 0; i < 100; i++) {
    const served = { requestId: `r${i}`, attempts: [] } as unknown as Served;
    if (i < 50) evicted.push(new WeakRef(served));
    recent.add(served, 200);
  }
  // WeakRef targets are kept until the current job ends.
  await new Promise((resolve) => setImmediate(resolve));
  gc();
  assert.equal(evicted.filter((ref) => ref.deref() !== undefined).length, 0);
  assert.ok(recent.get('r99'));
});

test('failed idempotency flights leave no trace in the eviction order while the store is under its bound', () => {
  // A failed flight's entry is removed from the map at once; its pair in the order list was swept
  // only by an eviction by count, which a store under its bound never makes: during an outage,
  // when every request fails, the list grew by a pair a request for as long as it lasted.
  const store = new IdempotencyStore({ ttlMs: 60_000, maxEntries: 5_000, maxBytes: 1 << 20 });
  for (let i = 0; i < 50_000; i++) store.tryLead(`k${i}`, 'h')?.fail(new Error('upstream down'));
  assert.equal(store.size, 0);
  const order = store['order'] as OldestFirst<string, unknown>;
  assert.ok(order.length <= 1_025, `${order.length} pairs held for no entry`);
});

test('a request id seen again is found as its newest, and listed once', () => {
  const recent = new RecentRequests(10);
  recent.add({ requestId: 'a', hop: 1 } as Served, 200);
  recent.add({ requestId: 'b' } as Served, 200);
  recent.add({ requestId: 'a', hop: 2 } as Served, 502);
  assert.equal(recent.get('a')?.served.hop, 2);
  assert.equal(recent.get('a')?.status, 502);
  assert.deepEqual(
    recent.list(10).map((entry) => entry.served.requestId),
    ['a', 'b'],
  );
  assert.deepEqual(recent.list(1).map((entry) => entry.served.requestId), ['a']);
  assert.equal(recent.get('missing'), undefined);
  assert.throws(() => new RecentRequests(-1), /whole number/);
  assert.throws(() => new RecentRequests(1.5), /whole number/);
});

test('a recent list of size 0 keeps nothing', () => {
  const recent = new RecentRequests(0);
  recent.add({ requestId: 'a' } as Served, 200);
  assert.equal(recent.get('a'), undefined);
  assert.deepEqual(recent.list(10), []);
});

test('resizing the recent list keeps its newest requests, in order, and goes on from there', () => {
  const ids = (recent: RecentRequests) => recent.list(100).map((entry) => entry.served.requestId);
  const recent = new RecentRequests(5);
  for (let i = 0; i < 7; i++) recent.add({ requestId: `r${i}` } as Served, 200 + i);
  assert.deepEqual(ids(recent), ['r6', 'r5', 'r4', 'r3', 'r2']);

  recent.resize(3);
  assert.deepEqual(ids(recent), ['r6', 'r5', 'r4']);
  assert.equal(recent.get('r5')?.status, 205, 'a kept request keeps its status');
  recent.add({ requestId: 'r7' } as Served, 200);
  assert.deepEqual(ids(recent), ['r7', 'r6', 'r5'], 'full: the next one replaces the oldest');

  recent.resize(6);
  assert.deepEqual(ids(recent), ['r7', 'r6', 'r5']);
  for (let i = 8; i < 12; i++) recent.add({ requestId: `r${i}` } as Served, 200);
  assert.deepEqual(ids(recent), ['r11', 'r10', 'r9', 'r8', 'r7', 'r6']);

  recent.resize(0);
  assert.deepEqual(ids(recent), []);
  recent.resize(2);
  recent.add({ requestId: 'r12' } as Served, 200);
  assert.deepEqual(ids(recent), ['r12']);
});
