/** The gateway's list of recent requests (the admin API's first look): bounded, newest first, nothing kept alive past it. */
import assert from 'node:assert/strict';
import v8 from 'node:v8';
import vm from 'node:vm';
import { test } from 'node:test';
import { RecentRequests } from '../../src/gateway/recent-requests.js';
import type { Served } from '../../src/gateway/served.js';

test('the recent list keeps its newest requests through many more than it holds', () => {
  const recent = new RecentRequests(100);
  for (let i = 0; i < 20_000; i++) recent.add({ requestId: `r${i}` } as Served, 200);
  assert.equal(recent.get('r19899'), undefined);
  assert.ok(recent.get('r19900'));
  assert.deepEqual(
    recent.list(3).map((entry) => entry.served.requestId),
    ['r19999', 'r19998', 'r19997'],
  );
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
