import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { absorbTime, forwardSendP99, p99Back, percentile, pooledBaseline, slidingP99, summarizePhase, summarizeRun } from '../../src/drill/summarize.js';
import type { Sample } from '../../src/drill/types.js';
import { run, sample } from './sample-factory.js';

describe('percentile (nearest rank)', () => {
  test('picks the smallest value with at least q of the values at or below it', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 0.5), 50);
    assert.equal(percentile(values, 0.99), 99);
    assert.equal(percentile(values, 1), 100);
    assert.equal(percentile([7], 0.99), 7);
    assert.equal(percentile([1, 2, 3], 0), 1);
  });

  test('of no values is NaN, not a made-up zero', () => {
    assert.ok(Number.isNaN(percentile([], 0.5)));
  });
});

describe('summarizePhase', () => {
  test('counts successes, statuses, hops, attempts and failure reasons', () => {
    const phase = summarizePhase([
      sample({ t: 0, hop: 2, attempts: 2 }),
      sample({ t: 1, hop: 2, attempts: 3 }),
      sample({ t: 2, ok: false, status: 502, error: '502 upstream_503', hop: 2, attempts: 2 }),
      sample({ t: 3, ok: false, status: 0, error: 'no response (ECONNRESET)', hop: undefined, attempts: undefined }),
    ]);
    assert.equal(phase.sent, 4);
    assert.equal(phase.ok, 2);
    assert.equal(phase.failed, 2);
    assert.equal(phase.successRate, 0.5);
    assert.deepEqual(phase.statuses, { '200': 2, '502': 1, '0': 1 });
    assert.deepEqual(phase.hops, { '2': 3 });
    assert.deepEqual(phase.attempts, { '2': 2, '3': 1 });
    assert.deepEqual(phase.errors, { '502 upstream_503': 1, 'no response (ECONNRESET)': 1 });
  });

  test('an empty phase has no success rate and no latency, rather than 0% or 100%', () => {
    const phase = summarizePhase([]);
    assert.equal(phase.successRate, null);
    assert.equal(phase.latencyMs, null);
  });
});

describe('absorbTime', () => {
  const outageT = 1000;
  const marks = { outageT, recoveryT: 2000 };

  test('is 0 when every outage request succeeded, and names the first answer a fallback hop served', () => {
    const samples = [sample({ t: 900, phase: 'baseline' }), sample({ t: 1000, hop: 2, latencyMs: 300 }), sample({ t: 1100, hop: 2, latencyMs: 250 })];
    const absorb = absorbTime(samples, marks);
    assert.equal(absorb.absorbedMs, 0);
    assert.deepEqual(absorb.firstFallback, { sinceOutageMs: 0, latencyMs: 300, completedSinceOutageMs: 300 });
  });

  test('is the send time of the first request after the last failure', () => {
    const samples = [
      sample({ t: 1000, ok: false }),
      sample({ t: 1100, hop: 2 }),
      sample({ t: 1200, ok: false }),
      sample({ t: 1300, hop: 2 }),
      sample({ t: 1400, hop: 2 }),
    ];
    assert.equal(absorbTime(samples, marks).absorbedMs, 300);
  });

  test('is never (null) when the last outage request failed, even if earlier ones succeeded', () => {
    const samples = [sample({ t: 1000, hop: 2 }), sample({ t: 1100, ok: false })];
    const absorb = absorbTime(samples, marks);
    assert.equal(absorb.absorbedMs, null);
    assert.equal(absorb.firstFallback?.sinceOutageMs, 0);
  });

  test('looks at outage requests only, in send order whatever order they finished in', () => {
    const samples = [sample({ t: 1200, hop: 2 }), sample({ t: 950, phase: 'baseline', ok: false }), sample({ t: 1100, ok: false }), sample({ t: 2100, phase: 'recovery', ok: false })];
    assert.equal(absorbTime(samples, marks).absorbedMs, 200);
  });

  test('ignores first-hop successes that finished after the fault was cleared: the primary may have healed first', () => {
    const samples = [sample({ t: 1000, ok: false }), sample({ t: 1900, ok: false }), sample({ t: 1980, hop: 1, latencyMs: 40 }), sample({ t: 1990, hop: 1, latencyMs: 40 })];
    assert.equal(absorbTime(samples, marks).absorbedMs, null);
    // A fallback answer finishing after the clear is still the chain's work.
    const late = [sample({ t: 1000, ok: false }), sample({ t: 1900, hop: 2, latencyMs: 300 }), sample({ t: 1990, hop: 1, latencyMs: 40 })];
    assert.equal(absorbTime(late, marks).absorbedMs, 900);
    // So is a first-hop success that finished while the fault was on (a slow primary, still serving).
    const slow = [sample({ t: 1000, hop: 1, latencyMs: 900 }), sample({ t: 1990, hop: 1, latencyMs: 900 })];
    assert.equal(absorbTime(slow, marks).absorbedMs, 0);
  });

  test('with no outage request at all there is nothing absorbed', () => {
    assert.equal(absorbTime([sample({ t: 0, phase: 'baseline' })], marks).absorbedMs, null);
  });

  test('has no first fallback when the primary kept serving', () => {
    assert.equal(absorbTime([sample({ t: 1000, hop: 1 })], marks).firstFallback, null);
  });
});

/** Baseline requests whose p99 is `p99`. */
function baselineAt(p99: number): Sample[] {
  return [sample({ t: 0, phase: 'baseline', latencyMs: p99 })];
}

describe('slidingP99 and p99Back', () => {
  test('a window holding a failure, or nothing, is never within the threshold', () => {
    const samples = [sample({ t: 0, latencyMs: 10 }), sample({ t: 100, latencyMs: 10, ok: false })];
    const points = slidingP99(samples, { from: 0, to: 2000, thresholdMs: 100 }, 1000, 500);
    assert.deepEqual(points.map((p) => p.at), [0, 500, 1000, 1500, 2000]);
    assert.deepEqual(points.map((p) => p.within), [false, false, false, false, false]);
    assert.equal(points[0]?.count, 0);
    assert.equal(points[1]?.count, 2);
    assert.equal(points[1]?.failed, 1);
    assert.equal(points.at(-1)?.p99, null);
  });

  test('windows count requests by completion time, not send time', () => {
    const samples = [sample({ t: 0, latencyMs: 1500 })];
    const points = slidingP99(samples, { from: 0, to: 2000, thresholdMs: 5000 }, 1000, 500);
    assert.deepEqual(points.map((p) => p.count), [0, 0, 0, 1, 1]);
  });

  test('is 0 when the window stayed within the threshold throughout the outage', () => {
    const r = run(20, () => ({ latencyMs: 50 }));
    const back = p99Back(r, baselineAt(50));
    assert.equal(back.thresholdMs, 60);
    assert.equal(back.backMs, 0);
  });

  test('is the start of the last unbroken run of good windows that reaches the end of the outage', () => {
    // Outage from 2000 to 4000 ms: the first 5 outage requests (sent 2000..2400) take 2 s.
    const r = run(20, (phase, i) => ({ latencyMs: phase === 'outage' && i < 5 ? 2000 : 50 }));
    const back = p99Back(r, baselineAt(50));
    // The slow ones finish at 4000..4400, after the outage ended, so the window at its end is bad.
    assert.equal(back.backMs, null);

    const quick = run(20, (phase, i) => ({ latencyMs: phase === 'outage' && i < 5 ? 600 : 50 }));
    // They finish at 2600..3000; the window (t-1000, t] is clear of them from t = 4000.
    assert.equal(p99Back(quick, baselineAt(50)).backMs, 2000);
  });

  test('is never when the outage ends with failures in the window', () => {
    const r = run(20, (phase, i) => (phase === 'outage' && i > 15 ? { ok: false, latencyMs: 5 } : { latencyMs: 50 }));
    assert.equal(p99Back(r, baselineAt(50)).backMs, null);
  });

  test('compares with the baseline p99 plus 20%', () => {
    const r = run(20, (phase) => ({ latencyMs: phase === 'outage' ? 119 : 100 }));
    assert.equal(p99Back(r, baselineAt(100)).backMs, 0);
    const slower = run(20, (phase) => ({ latencyMs: phase === 'outage' ? 121 : 100 }));
    assert.equal(p99Back(slower, baselineAt(100)).backMs, null);
  });
});

describe('p99 back by send time', () => {
  test('is when requests sent from then on see baseline latency again, without the trailing window\'s lag', () => {
    // Outage from 2000 to 4000 ms: the first 5 outage requests (sent 2000..2400) take 600 ms.
    const r = run(20, (phase, i) => ({ latencyMs: phase === 'outage' && i < 5 ? 600 : 50 }));
    const back = p99Back(r, baselineAt(50));
    assert.equal(back.backMs, 2000, 'completions: a 1 s trailing window lags the last slow completion');
    assert.equal(back.bySendMs, 500, 'sends: from the first request after the slow ones');
  });

  test('is never when requests sent at the end of the outage still fail', () => {
    const r = run(20, (phase, i) => (phase === 'outage' && i > 15 ? { ok: false, latencyMs: 5 } : { latencyMs: 50 }));
    assert.equal(p99Back(r, baselineAt(50)).bySendMs, null);
  });

  test('windows hold the requests sent in [at, at + width)', () => {
    const samples = [sample({ t: 0, latencyMs: 900 }), sample({ t: 999, latencyMs: 10 }), sample({ t: 1000, latencyMs: 10 })];
    const points = forwardSendP99(samples, { from: 0, to: 2000, thresholdMs: 100 }, 1000, 500);
    assert.deepEqual(points.map((p) => [p.at, p.count, p.within]), [[0, 2, false], [500, 2, true], [1000, 1, true]]);
  });
});

describe('the baseline p99Back compares with', () => {
  test('is the run\'s own baseline unless the drill passes a pooled one', () => {
    const r = run(20, (phase) => ({ latencyMs: phase === 'outage' ? 110 : 100 }));
    const own = summarizeRun(r, { minSuccess: 1 });
    assert.equal(own.p99Back.baselineP99, 100);
    assert.equal(own.p99Back.baselineSamples, 20);
    assert.equal(own.p99Back.backMs, 0);
    const slowerElsewhere = run(20, (phase) => ({ latencyMs: phase === 'baseline' ? 80 : 100 }));
    const pooled = pooledBaseline([{ ...r, samples: r.samples.filter((s) => s.phase !== 'baseline') }, slowerElsewhere], 'json');
    assert.equal(pooled.length, 20);
    const judged = summarizeRun(r, { minSuccess: 1, baseline: pooled });
    assert.equal(judged.p99Back.baselineP99, 80);
    assert.equal(judged.p99Back.thresholdMs, 96);
    assert.equal(judged.p99Back.backMs, null);
  });

  test('pools only runs of the same mode', () => {
    const json = run(5, () => ({}));
    const stream = { ...run(5, () => ({})), mode: 'stream' as const };
    assert.equal(pooledBaseline([json, stream], 'stream').length, 5);
    assert.equal(pooledBaseline([json, stream, json], 'json').length, 10);
  });
});

describe('summarizeRun', () => {
  test('a shape whose outage success rate is below the floor broke the chain', () => {
    const r = run(10, (phase, i) => (phase === 'outage' && i === 3 ? { ok: false, status: 502, error: '502 upstream_503', hop: 2 } : { hop: phase === 'outage' ? 2 : 1 }));
    const strict = summarizeRun(r, { minSuccess: 1 });
    assert.equal(strict.phases.outage.successRate, 0.9);
    assert.equal(strict.brokeChain, true);
    assert.equal(strict.absorb.absorbedMs, 400);
    assert.deepEqual(strict.phases.outage.hops, { '2': 10 });
    assert.equal(summarizeRun(r, { minSuccess: 0.9 }).brokeChain, false);
  });
});
