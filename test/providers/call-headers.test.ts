/** A call's own headers go under its provider's fixed ones: a call can never replace the provider's credentials. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { withCallHeaders } from '../../src/providers/http/upstream-client.js';

test("a call's headers are added under the provider's, which win a clash; without any, the base object is used as is", () => {
  const base = { 'content-type': 'application/json', authorization: 'Bearer provider-key' };
  const merged = withCallHeaders(base, { headers: { 'idempotency-key': 'k1', authorization: 'Bearer client-attempt' } });
  assert.deepEqual(merged, { 'idempotency-key': 'k1', 'content-type': 'application/json', authorization: 'Bearer provider-key' });
  assert.deepEqual(base, { 'content-type': 'application/json', authorization: 'Bearer provider-key' }, 'the base is not changed');
  assert.equal(withCallHeaders(base, {}), base);
});
