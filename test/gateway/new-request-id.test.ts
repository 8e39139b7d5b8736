/**
 * The gateway's own request ids: UUIDv7 (RFC 9562), unique, and in the order they were made,
 * within a millisecond too (the request log's indexes append them at their end).
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { validate, version } from 'uuid';
import { newRequestId } from '../../src/gateway/new-request-id.js';

test('ids are valid UUIDv7s carrying the time they were made', () => {
  const before = Date.now();
  const id = newRequestId();
  const after = Date.now();
  assert.ok(validate(id), id);
  assert.equal(version(id), 7);
  const ms = Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
  assert.ok(ms >= before && ms <= after, `${ms} not within ${before}..${after}`);
});

test('ids are unique and sort in the order they were made, across many pool refills and milliseconds', () => {
  // 20,000 ids: about 80 refills of the 4 KB pool, and many ids in each millisecond.
  const ids = Array.from({ length: 20_000 }, () => newRequestId());
  assert.equal(new Set(ids).size, ids.length);
  for (let i = 1; i < ids.length; i++) assert.ok((ids[i - 1] as string) < (ids[i] as string), `${ids[i - 1]} then ${ids[i]}`);
  const perMs = new Map<string, number>();
  for (const id of ids) perMs.set(id.slice(0, 13), (perMs.get(id.slice(0, 13)) ?? 0) + 1);
  assert.ok(Math.max(...perMs.values()) > 1, 'no millisecond held two ids: the counter was not exercised');
});
