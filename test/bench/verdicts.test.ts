/**
 * The bench's verdicts on the machine-scaled targets: the throughput share and the p99 bound at c=16
 * both follow this run's bare proxy against the (23,000 req/s).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { verdictsOf, type BenchData, type RunRecord } from '../../bench/aggregate.js';
import type { LoadResult, Summary } from '../../bench/protocol.js';
import type { TargetName } from '../../bench/targets.js';

function summary(p99: number): Summary {
  return { count: 1000, min: 0.1, mean: p99 / 3, p50: p99 / 3, p90: p99 / 2, p99, max: p99 * 2 };
}

function record(target: TargetName, concurrency: number, rps: number, p99: number): RunRecord {
  const result: LoadResult = {
    scenarioId: `nonstream-c${concurrency}`,
    requests: rps * 5,
    windowMs: 5000,
    rps,
    errors: 0,
    warmupErrors: 0,
    errorSamples: [],
    latency: summary(p99),
    dispatched: rps * 6,
    bytesPerResponse: 700,
  };
  return {
    target,
    round: 1,
    scenario: { id: result.scenarioId, mode: 'nonstream', kind: 'closed', concurrency },
    result,
    upstreamRequests: result.dispatched,
    coreBusy: [99, 60],
    targetCpu: 99,
    loadCpu: 60,
    otherCpu: 0,
    otherTop: [],
    rssMaxKb: 100_000,
  };
}

/** A run of the bare proxy at `bareRps` and the gateway at `gatewayRps` with p99 `p99` ms, both at c=16. */
function data(bareRps: number, gatewayRps: number, p99: number): BenchData {
  return {
    records: [record('bare', 16, bareRps, 3), record('gateway', 16, gatewayRps, p99)],
    targetRounds: [],
    options: { chunkDelayMs: 0 },
  } as unknown as BenchData;
}

function verdict(bench: BenchData, criterion: string) {
  const found = verdictsOf(bench, 'gateway').find((v) => v.criterion === criterion);
  assert.ok(found, `no verdict '${criterion}'`);
  return found;
}

describe('bench verdicts scaled to the machine', () => {
  it('on a machine where the bare proxy does half the issue\'s 23,000 req/s, the p99 bound is 10 ms', () => {
    const bench = data(11_500, 7_000, 8);
    assert.equal(verdict(bench, 'p99 latency at c=16').outcome, 'FAIL');
    const scaled = verdict(bench, 'p99 latency at c=16, scaled to this machine');
    assert.equal(scaled.outcome, 'PASS');
    assert.match(scaled.goal, /^< 10\.000 ms: 5 ms × 2\.00/);
    assert.equal(verdict(data(11_500, 7_000, 10.5), 'p99 latency at c=16, scaled to this machine').outcome, 'FAIL');
  });

  it('on the issue\'s machine both p99 verdicts agree, and the throughput share is 52%', () => {
    for (const p99 of [4.9, 5.1]) {
      const bench = data(23_000, 12_500, p99);
      assert.equal(verdict(bench, 'p99 latency at c=16').outcome, verdict(bench, 'p99 latency at c=16, scaled to this machine').outcome);
    }
    const bench = data(23_000, 11_900, 4);
    assert.equal(verdict(bench, 'non-streaming throughput, scaled to this machine').outcome, 'FAIL');
    assert.equal(verdict(data(23_000, 12_100, 4), 'non-streaming throughput, scaled to this machine').outcome, 'PASS');
  });

  it('the bare proxy itself gets no scaled verdicts', () => {
    const criteria = verdictsOf(data(11_500, 7_000, 8), 'bare').map((v) => v.criterion);
    assert.ok(!criteria.some((c) => c.includes('scaled')), criteria.join(', '));
  });
});
