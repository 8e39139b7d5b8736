import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { brokeLine, formatRate, formatShares, renderTable } from '../../src/drill/render-table.js';
import { summarizeRun } from '../../src/drill/summarize.js';
import { run } from './sample-factory.js';

describe('renderTable', () => {
  test('one row per shape run, with success, latency, hops and the absorb figures', () => {
    const held = summarizeRun(run(10, (phase) => ({ hop: phase === 'outage' ? 2 : 1, attempts: phase === 'outage' ? 2 : 1, latencyMs: phase === 'outage' ? 200 : 40 })), { minSuccess: 1 });
    const broke = summarizeRun({ ...run(10, (phase) => (phase === 'outage' ? { ok: false, status: 400, error: '400 context_length_exceeded' } : {})), shape: 'context_overflow' }, { minSuccess: 1 });
    const lines = renderTable([held, broke]).trimEnd().split('\n');
    assert.equal(lines.length, 4);
    assert.match(lines[0] ?? '', /^shape\s+mode\s+chain\s+success b \/ o \/ r/);
    assert.match(lines[2] ?? '', /^upstream_5xx\s+json\s+held\s+100% \/ 100% \/ 100%\s+40 \/ 200 \/ 40\s+40 \/ 200 \/ 40\s+2 \(100%\)\s+2 \(100%\)\s+0 ms\s+200 ms\s+never\s+never\s+-$/);
    assert.match(lines[3] ?? '', /^context_overflow\s+json\s+BROKE\s+100% \/ 0\.0% \/ 100%.*never\s+-\s+never\s+never\s+-$/);
    const timed = summarizeRun({ ...run(10, () => ({})), outages: [{ breaker: 'deployment:p', detectMs: 12.4, recoverMs: 640 }] }, { minSuccess: 1 });
    assert.match(renderTable([timed]).trimEnd().split('\n')[2] ?? '', /12 \/ 640 ms$/, 'the breaker\'s detect / recover times');
    const open = summarizeRun({ ...run(10, () => ({})), outages: [{ breaker: 'deployment:p', detectMs: 3 }] }, { minSuccess: 1 });
    assert.match(renderTable([open]).trimEnd().split('\n')[2] ?? '', /3 \/ open ms$/);
    assert.equal(brokeLine(broke, 1), 'context_overflow (json) broke the chain: 0.0% of outage requests succeeded (floor 100%); failures: 10 × 400 context_length_exceeded');
  });

  test('rates: 100% only when all succeeded; never rounded up to it', () => {
    assert.equal(formatRate(1), '100%');
    assert.equal(formatRate(0.9996), '99.9%');
    assert.equal(formatRate(0), '0.0%');
    assert.equal(formatRate(null), '-');
  });

  test('shares in numeric key order, a sliver shown as <1%, nothing as nothing', () => {
    assert.equal(formatShares({ '2': 299, '1': 1, '10': 0 }), '1 (<1%), 2 (99%)');
    assert.equal(formatShares({}), '-');
    assert.equal(formatShares({ '2': 5 }), '2 (100%)');
  });
});
