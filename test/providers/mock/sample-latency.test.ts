import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sampleLatency } from '../../../src/providers/mock/sample-latency.js';

/** A seeded PRNG so the percentile checks are deterministic. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), state | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] as number;
}

test('a { p50, p99 } latency draws from a log-normal with those percentiles', () => {
  const random = seeded(42);
  const draws = Array.from({ length: 20_000 }, () => sampleLatency({ p50: 200, p99: 2_000 }, random)).sort((a, b) => a - b);
  const p50 = percentile(draws, 0.5);
  const p99 = percentile(draws, 0.99);
  assert.ok(p50 > 180 && p50 < 220, `p50 ${p50}`);
  assert.ok(p99 > 1_600 && p99 < 2_500, `p99 ${p99}`);
  assert.ok(draws.every((value) => value > 0 && value <= 20_000));
});

test('a plain number is a fixed latency, equal percentiles are fixed too', () => {
  assert.equal(sampleLatency(150), 150);
  assert.equal(sampleLatency({ p50: 80, p99: 80 }), 80);
  assert.equal(sampleLatency(undefined), 0);
});
