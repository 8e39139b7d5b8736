/** The gateway's node flags live on bin/switchyard.js's #! line; `npm start` and the benchmark must run the same. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { test } from 'node:test';
import { gatewayNodeFlags } from '../../bench/gateway-node-flags.js';

const root = new URL('../../', import.meta.url).pathname;

test("npm start passes the node flags of the switchyard command's #! line, which names at least one", () => {
  const flags = gatewayNodeFlags(root);
  assert.ok(flags.length > 0);
  const start = (JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as { scripts: { start: string } }).scripts.start;
  assert.equal(start, `node ${flags.join(' ')} bin/switchyard.js start`);
});
